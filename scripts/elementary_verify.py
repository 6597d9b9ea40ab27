"""Check Elementary for real on the 2024-25 season, then write its report.

    .venv/bin/python scripts/elementary_verify.py [--work-dir DIR] [--report FILE.html]

Needs `make elementary-on` first. Steps, all on a copy in the work directory:
1. load the real files (as tests/python/conftest.py does) and make them look as a daily
   pipeline would have had them on the replay day (later rows removed, daily load times);
2. dbt build with the anomaly tests on, as of the day after the regular season;
3. inject anomalies (10x volume, points spike, missing rows, a flooding bookmaker, a
   feed outage, an added column) and build again;
4. edr report -> the HTML report, and a JSON summary next to it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from nba_props import elementary  # noqa: E402
from nba_props.orchestrate.dbt import run_dbt  # noqa: E402
from tests.python.conftest import load_real_files  # noqa: E402

# What the replay builds: the raw sources (and their tests), the facts and monitoring
# models with anomaly tests and everything upstream of them, and Elementary's own models.
SELECTION = [
    "source:nbacom", "source:odds_api", "source:reference",
    "+player_game_summary", "+team_offense_game_summary", "+game_day_data_quality",
    "package:elementary",
]


def build(database: Path, work: Path, label: str) -> dict[str, str]:
    outcome = run_dbt(
        ["build", "--select", *SELECTION, "--indirect-selection", "cautious",
         "--vars", elementary.dbt_vars(elementary.REPLAY_AS_OF)],
        database=database,
        target_path=work / f"target_{label}",
        log_path=work / f"logs_{label}",
        quiet=True,
        raise_on_failure=False,
    )
    if outcome.exception:
        raise SystemExit(f"dbt build ({label}) could not run: {outcome.exception}")
    return {n.unique_id: n.status for n in outcome.nodes if n.resource_type == "test"}


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
    work.mkdir(parents=True, exist_ok=True)
    database = work / "replay.duckdb"
    database.unlink(missing_ok=True)
    started = time.perf_counter()

    load_real_files(database, work / "landing")
    elementary.replay_as_of(database, elementary.REPLAY_AS_OF)
    baseline_status = build(database, work, "baseline")
    baseline = elementary.latest_results(database)

    injections = elementary.inject_anomalies(database)
    injected_status = build(database, work, "injected")
    injected = elementary.latest_results(database)

    proc = elementary.edr_report(database, args.report)
    if proc.returncode != 0 or not args.report.is_file():
        print(proc.stdout[-4000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"edr report failed (exit {proc.returncode})")

    summary = {
        "elementary_version": elementary.ELEMENTARY_VERSION,
        "as_of": elementary.REPLAY_AS_OF.isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
        "report": str(args.report),
        "baseline": {r.test_name: r.status for r in baseline},
        "injected": {r.test_name: r.status for r in injected},
        "injections": [
            {
                "anomaly": i.anomaly,
                "caught_by": sorted(
                    r.test_name
                    for r in injected
                    if r.status in ("warn", "fail", "error")
                    and any(f in r.test_name for f in i.expected_tests)
                ),
            }
            for i in injections
        ],
        "dbt_test_status_baseline": baseline_status,
        "dbt_test_status_injected": injected_status,
    }
    out = args.report.with_suffix(".json")
    out.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    print(f"anomaly tests run: {len(injected)}  (work dir {work})")
    for r in injected:
        before = summary["baseline"].get(r.test_name, "-")
        print(f"  {before:>5} -> {r.status:<5} {r.test_name}")
    for item in summary["injections"]:
        print(f"injected: {item['anomaly']}: caught by {item['caught_by'] or 'NOTHING'}")
    print(f"report: {args.report}\nsummary: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
