"""The README's "your own data" quickstart, run word for word on the real files.

The commands are read from the README (between the quickstart markers) and run one by one
from the project root, as a user would paste them: each must exit 0. Then the warehouse
they built is checked: every market with lines was predicted and graded.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import PROJECT_DIR, REAL_DATA_DIR

README = PROJECT_DIR / "README.md"
DATABASE = PROJECT_DIR / "data" / "quickstart.duckdb"
REPORT = PROJECT_DIR / "reports" / "quickstart_backtest"


def quickstart_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- quickstart:start -->\s*```bash\n(.*?)```\s*<!-- quickstart:end -->", text, re.S
    )
    assert block, "README has no quickstart block between the markers"
    return [line for line in block.group(1).splitlines() if line.strip()]


def split_command(line: str) -> tuple[dict[str, str], list[str]]:
    """`VAR=value cmd args` -> ({VAR: value}, [cmd, args]), without a shell."""
    words = shlex.split(line)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return env, words


def test_quickstart_block_is_what_the_test_runs() -> None:
    commands = quickstart_commands()
    # the block goes load -> build -> predict -> backtest, on the shared real files
    assert commands[0].startswith(".venv/bin/nba-props init ")
    assert any(c.endswith("/dbt build") for c in commands)
    assert commands[-2].startswith(".venv/bin/nba-props predict ")
    assert commands[-1].startswith(".venv/bin/nba-props backtest ")
    shared = {n for c in commands for n in re.findall(r"\.\./shared/data/nba/(\S+)", c)}
    assert shared == {p.name for p in REAL_DATA_DIR.iterdir() if p.suffix in (".csv", ".zip")}


@pytest.mark.slow
def test_readme_quickstart_runs_word_for_word(real_data_dir: Path) -> None:
    DATABASE.unlink(missing_ok=True)  # the quickstart's own file: start from nothing
    base_env = {k: v for k, v in os.environ.items() if k != "NBA_PROPS_DUCKDB"}
    for line in quickstart_commands():
        env, argv = split_command(line)
        done = subprocess.run(
            argv, cwd=PROJECT_DIR, env={**base_env, **env}, capture_output=True, text=True,
            timeout=900, check=False,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    with duckdb.connect(str(DATABASE), read_only=True) as con:
        registry = con.execute("select count(*) from nba_raw.nbacom_players").fetchone()[0]
        lined = {
            r[0] for r in con.execute(
                "select distinct market from nba_reference.player_prop_lines_preferred "
                "where game_date = '2024-11-04'"
            ).fetchall()
        }
        predicted = dict(con.execute(
            "select market, count(*) from nba_predictions.player_prop_predictions "
            "where run_mode = 'live' and game_date = '2024-11-04' group by market"
        ).fetchall())
        graded = dict(con.execute(
            "select market, count(*) from nba_predictions.prediction_accuracy "
            "where run_mode = 'backtest' and grade_status = 'graded' group by market"
        ).fetchall())
        backtest_lined = {
            r[0] for r in con.execute(
                "select distinct market from nba_reference.player_prop_lines_preferred "
                "where game_date between '2024-11-18' and '2024-11-24'"
            ).fetchall()
        }
        unmodelled = con.execute(
            "select count(*) from nba_intermediate.int_player_props_resolved "
            "where resolution_status like 'market_%'"
        ).fetchone()[0]
    assert registry > 4_000  # init loaded nba_api's player list
    # the ten markets of the multi-market file, all modelled, all predicted
    assert len(lined) == 10 and set(predicted) == lined, (lined, predicted)
    assert all(n > 0 for n in predicted.values())
    assert set(graded) == backtest_lined and len(backtest_lined) >= 8, (graded, backtest_lined)
    assert unmodelled == 0  # every market of these files is modelled
    assert (REPORT / "report.md").is_file()
