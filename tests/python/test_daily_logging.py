"""Issue 17: the CLI's log lines appear. dbt's snowplow tracker calls logging.basicConfig() at
import, which made the CLI's own basicConfig a no-op: no INFO line, `-v` ignored.

The installed `nba-props` runs in a subprocess (a fresh interpreter, as a user runs it) on a
day with nothing landed: it fails fast (exit 4) without dbt, after logging at every level.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from nba_props.orchestrate.outcome import EXIT_MISSING
from nba_props.paths import PROJECT_DIR

NBA_PROPS = PROJECT_DIR / ".venv" / "bin" / "nba-props"
RUN_ID = "log-test-1"


def run_cli(tmp_path: Path, *flags: str) -> tuple[int, list[dict], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ODDS_API_KEY", "NBA_PROPS_RUN_ID")}
    env["NBA_PROPS_RUN_ID"] = RUN_ID
    proc = subprocess.run(
        [str(NBA_PROPS), *flags, "daily", "--date", "2025-07-04", "--mode", "replay",
         "--no-predict", "--database", str(tmp_path / "wh.duckdb"),
         "--landing", str(tmp_path / "landing")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    return proc.returncode, lines, proc.stderr


def test_info_and_debug_lines_appear_with_the_run_id(tmp_path: Path) -> None:
    rc, lines, stderr = run_cli(tmp_path, "-v")
    assert rc == EXIT_MISSING, stderr
    levels = {line["level"] for line in lines}
    assert {"DEBUG", "INFO", "ERROR"} <= levels, stderr
    ours = [line for line in lines if line["logger"].startswith("nba_props")]
    assert ours and all(line.get("run_id") == RUN_ID for line in ours), stderr
    messages = [line["msg"] for line in ours]
    assert any("2025-07-04 [replay]: 0 landed file(s)" in m for m in messages)  # DEBUG
    assert any("day 2025-07-04 failed: 2025-07-04: nothing landed" in m for m in messages)


def test_without_verbose_info_but_no_debug(tmp_path: Path) -> None:
    rc, lines, stderr = run_cli(tmp_path)
    assert rc == EXIT_MISSING, stderr
    levels = {line["level"] for line in lines}
    assert "INFO" in levels and "DEBUG" not in levels, stderr
