"""Check Elementary for real on the 2024-25 season, then write its report.

    .venv/bin/python scripts/elementary_verify.py [--work-dir DIR] [--report FILE.html]

Needs `make elementary-on` first. On a copy in the work directory
(tests/python/elementary_replay.py):
1. load the real files (as tests/python/conftest.py does) and make them look as a daily
   pipeline would have had them on the replay day (later rows removed, daily load times);
2. dbt build with the anomaly tests on, as of that day;
3. inject anomalies (10x volume, points spike, missing rows, a flooding bookmaker, a
   feed outage, an added column) and build again;
4. edr report -> the HTML report, and a JSON summary next to it.

Two counts are printed. "anomaly tests run" counts dbt test nodes (Elementary's anomaly
and schema-change tests of the selection). The "edr report" line gives the figures of the
report's dashboard ("Test results breakdown"), which counts every test result the report
shows, data tests included, and a test once per metric it checks (a column_anomalies test
of average, max and zero_count is three): nba_props.monitoring.elementary.report_counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nba_props.monitoring import elementary
from nba_props.paths import PROJECT_DIR
from tests.python import elementary_replay
from tests.python.conftest import load_real_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument(
        "--report", type=Path, default=PROJECT_DIR / "reports" / "elementary_report.html"
    )
    args = parser.parse_args(argv)
    if not elementary.is_installed():
        print("Elementary is not installed: run `make elementary-on` first", file=sys.stderr)
        return 2
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="elementary_verify_"))
    result = elementary_replay.verify(work, args.report, load_real_files)
    summary = args.report.with_suffix(".json")
    summary.write_text(result.as_json(), encoding="utf-8")
    print(
        f"anomaly tests run: {len(result.injected)} dbt tests ({result.seconds}s, work dir {work})"
    )
    for name, status in sorted(result.injected.items()):
        print(f"  {result.baseline.get(name, '-'):>5} -> {status:<5} {name}")
    for anomaly, tests in result.caught.items():
        print(f"injected: {anomaly}: caught by {', '.join(tests) or 'NOTHING'}")
    counts = result.report_counts
    print(f"edr report: {args.report}")
    print(f"  dashboard: {counts.render() if counts else 'no test results'}")
    print(f"summary: {summary}")
    return 0 if all(result.caught.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
