"""`nba-props load` on a real file with bad rows: the good rows load, the bad ones are set
aside and counted on screen and in processor_execution_log (status warn), and
`--on-bad-rows fail` refuses the file with a message that names it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from nba_props import cli
from tests.python.conftest import REAL_DATA_DIR

PLAYER_LOGS = REAL_DATA_DIR / "nbacom_player_game_logs_2024-25.csv"


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    """200 real rows, then one with an empty PLAYER_ID and an exact copy of row 1."""
    with PLAYER_LOGS.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = [row for _, row in zip(range(200), reader, strict=False)]
    rows += [dict(rows[5], PLAYER_ID="", GAME_ID="0022499999"), dict(rows[0])]
    path = tmp_path / "player_logs_with_bad_rows.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_load_sets_bad_rows_aside_and_says_so(
    bad_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "wh.duckdb"
    code = cli.main(["load", "--database", str(database), "--landing", str(tmp_path / "landing"),
                     "nbacom_player_game_logs", str(bad_file)])
    out = capsys.readouterr().out
    assert code == 0
    assert "loaded_with_rejects       200 rows" in out
    assert "2 rejected: 1 duplicate_row, 1 null_key" in out
    with duckdb.connect(str(database), read_only=True) as con:
        raw = con.execute("select count(*) from nba_raw.nbacom_player_game_logs").fetchone()[0]
        rejected = con.execute(
            "select reason, row_number from nba_raw._rejected_rows order by row_number"
        ).fetchall()
        status, detail = con.execute(
            "select status, detail from nba_monitoring.processor_execution_log "
            "where job_type = 'load' and job_name = 'load.nbacom_player_game_logs'"
        ).fetchone()
        registry = con.execute("select count(*) from nba_raw.nbacom_players").fetchone()[0]
    assert raw == 200
    assert rejected == [("null_key", 201), ("duplicate_row", 202)]
    assert status == "warn"
    assert json.loads(detail)["rows_rejected"] == 2
    assert registry > 4_000  # `load` loaded the player registry first


def test_load_on_bad_rows_fail_refuses_the_file(
    bad_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "wh.duckdb"
    code = cli.main(["load", "--database", str(database), "--landing", str(tmp_path / "landing"),
                     "--on-bad-rows", "fail", "nbacom_player_game_logs", str(bad_file)])
    err = capsys.readouterr().err
    assert code == 2
    assert bad_file.name in err and "player_id" in err
    with duckdb.connect(str(database), read_only=True) as con:
        raw = con.execute("select count(*) from nba_raw.nbacom_player_game_logs").fetchone()
    assert raw == (0,)
