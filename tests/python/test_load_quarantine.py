"""The quarantine at load, on copies of the real files: rows with an empty key, duplicate
keys and bad values go to nba_raw._rejected_rows with the reason and the raw row, the
file's other rows load, atomically with them, and the result and the log say so."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from nba_props.load import DuckDBLoader, LoadError
from nba_props.load.duckdb_loader import DuckDBLoader as Loader
from nba_props.orchestrate.execution_log import DuckDBExecutionLog, load_files
from tests.python.conftest import REAL_DATA_DIR

PLAYER_LOGS = "nbacom_player_game_logs_2024-25.csv"
PROPS = "odds_api_player_props_multi_2024-25.csv"
Rows = list[dict[str, str]]


def read_csv(name: str, limit: int | None = None) -> tuple[list[str], Rows]:
    with (REAL_DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows[:limit] if limit else rows


def write_csv(path: Path, header: Sequence[str], rows: Rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header))
        writer.writeheader()
        writer.writerows(rows)
    return path


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def rejected(database: Path) -> list[tuple]:
    return query(
        database,
        "select row_number, column_name, reason, detail, raw_row from nba_raw._rejected_rows "
        "order by row_number",
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "raw.duckdb"


def test_null_keys_are_quarantined_and_the_other_rows_load(
    db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header, rows = read_csv(PLAYER_LOGS)
    for row in rows[10:13]:
        row["PLAYER_ID"] = ""
    rows[20]["GAME_ID"] = "   "  # blank after trimming: empty too
    path = write_csv(tmp_path / "null_keys.csv", header, rows)
    with caplog.at_level(logging.WARNING):
        [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_in_file, result.rows_loaded, result.rows_rejected) == (
        "loaded_with_rejects", 22124, 22120, 4
    )
    assert result.rejects_by_reason == {"null_key": 4}
    assert query(db, "select count(*), count(player_id), count(game_id) "
                     "from nba_raw.nbacom_player_game_logs") == [(22120, 22120, 22120)]
    found = rejected(db)
    assert [(r[0], r[1], r[2]) for r in found] == [
        (11, "player_id", "null_key"),
        (12, "player_id", "null_key"),
        (13, "player_id", "null_key"),
        (21, "game_id", "null_key"),
    ]
    assert found[0][3] == "natural key column(s) player_id empty"
    raw = json.loads(found[0][4])  # the row as the file had it, under the file's names
    assert raw["PLAYER_NAME"] == rows[10]["PLAYER_NAME"] and raw["PLAYER_ID"] is None
    assert list(raw) == header
    assert query(db, "select load_id, raw_table, source_file, run_id is null "
                     "from nba_raw._rejected_rows limit 1") == [
        (result.load_id, "nbacom_player_game_logs", str(path), True)
    ]
    assert query(db, "select rows_loaded, rows_rejected from nba_raw._load_manifest") == [
        (22120, 4)
    ]
    warning = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "null_keys.csv: 4 of 22124 rows not loaded (null_key: 4)" in warning
    assert "nba_raw._rejected_rows" in warning and result.load_id in warning


def test_exact_copies_keep_one_row_and_conflicting_versions_load_none(
    db: Path, tmp_path: Path
) -> None:
    header, rows = read_csv(PLAYER_LOGS, limit=300)
    copies = [dict(rows[4]), dict(rows[5])]
    respelled = dict(rows[6])  # the same values spelled differently: still an exact copy
    respelled["MIN"] = respelled["MIN"] + ("0" if "." in respelled["MIN"] else ".0")
    corrected = dict(rows[19], PTS=str(int(rows[19]["PTS"]) + 1))
    path = write_csv(tmp_path / "dups.csv", header, [*rows, *copies, respelled, corrected])
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_in_file, result.rows_loaded) == (
        "loaded_with_rejects", 304, 299
    )
    assert result.rejects_by_reason == {"conflicting_duplicate_key": 2, "duplicate_row": 3}
    found = {r[0]: r[1:4] for r in rejected(db)}
    assert found[301] == ("player_id,game_id", "duplicate_row", "an exact copy of row 5 "
                          "(that row is loaded)")
    assert found[303][1:] == ("duplicate_row", "an exact copy of row 7 (that row is loaded)")
    assert found[20] == found[304] == (
        "player_id,game_id",
        "conflicting_duplicate_key",
        "key (player_id, game_id) is on 2 rows of the file (first: row 20) in 2 different "
        "versions; none of them loaded",
    )
    key = (int(rows[19]["PLAYER_ID"]), rows[19]["GAME_ID"])
    assert query(db, "select count(*) from nba_raw.nbacom_player_game_logs "
                     "where player_id = ? and game_id = ?", list(key)) == [(0,)]
    assert query(db, "select count(*), count(distinct (player_id, game_id)) "
                     "from nba_raw.nbacom_player_game_logs") == [(299, 299)]


def test_bad_value_is_quarantined_with_file_row_and_column(db: Path, tmp_path: Path) -> None:
    header, rows = read_csv(PLAYER_LOGS)
    rows[499]["PTS"] = "twelve"
    rows[899]["GAME_DATE"] = "2024-13-45"
    path = write_csv(tmp_path / "bad.csv", header, rows)
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_loaded, result.rejects_by_reason) == (
        "loaded_with_rejects", 22122, {"bad_value": 2}
    )
    assert [r[:4] for r in rejected(db)] == [
        (500, "pts", "bad_value", "column 'pts': value \"twelve\" is not a valid BIGINT"),
        (900, "game_date", "bad_value",
         "column 'game_date': value \"2024-13-45\" is not a valid DATE"),
    ]


def test_strict_mode_fails_the_file_at_the_first_bad_row(db: Path, tmp_path: Path) -> None:
    header, rows = read_csv(PLAYER_LOGS, limit=300)
    rows[10]["PLAYER_ID"] = ""
    path = write_csv(tmp_path / "strict.csv", header, rows)
    with pytest.raises(LoadError, match=r"strict\.csv, row 11: natural key column\(s\) "
                       r"player_id empty\. 1 row\(s\) cannot be loaded \(null_key: 1\)"):
        DuckDBLoader(db, on_bad_rows="fail").load("nbacom_player_game_logs", [path])
    assert query(db, "select count(*) from nba_raw.nbacom_player_game_logs") == [(0,)]
    assert query(db, "select count(*) from nba_raw._rejected_rows") == [(0,)]
    # Exact copies are only redundant: strict mode loads one of them and reports the other.
    header, rows = read_csv(PLAYER_LOGS, limit=300)
    copy = write_csv(tmp_path / "copy.csv", header, [*rows, rows[0]])
    [result] = DuckDBLoader(db, on_bad_rows="fail").load("nbacom_player_game_logs", [copy])
    assert (result.status, result.rows_loaded, result.rejects_by_reason) == (
        "loaded_with_rejects", 300, {"duplicate_row": 1}
    )


def test_too_many_bad_rows_fail_the_whole_file(db: Path, tmp_path: Path) -> None:
    # A new date format on 40 of 300 rows is a format change, not a few bad rows.
    header, rows = read_csv(PLAYER_LOGS, limit=300)
    for row in rows[100:140]:
        y, m, d = row["GAME_DATE"].split("-")
        row["GAME_DATE"] = f"{m}/{d}/{y}"
    path = write_csv(tmp_path / "format.csv", header, rows)
    with pytest.raises(LoadError) as caught:
        DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    message = str(caught.value)
    assert message.startswith(f"{path}, row 101, column 'game_date': value ")
    assert "40 of 300 rows (13.3%) cannot be loaded (bad_value: 40)" in message
    assert "raise max_rejected_fraction" in message
    assert query(db, "select count(*) from nba_raw.nbacom_player_game_logs") == [(0,)]
    [result] = DuckDBLoader(db, max_rejected_fraction=0.5).load("nbacom_player_game_logs", [path])
    assert (result.rows_loaded, result.rows_rejected) == (260, 40)


def test_rows_and_rejects_are_one_transaction(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = read_csv(PLAYER_LOGS, limit=300)
    rows[3]["PLAYER_ID"] = ""
    path = write_csv(tmp_path / "atomic.csv", header, rows)

    def fail(*_args: object) -> None:
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(Loader, "_insert_rejects", fail)
    with pytest.raises(LoadError, match=r"atomic\.csv: load into nbacom_player_game_logs "
                       r"failed and was rolled back: disk full"):
        DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    for table in ("nbacom_player_game_logs", "_rejected_rows", "_load_manifest"):
        assert query(db, f"select count(*) from nba_raw.{table}") == [(0,)], table
    monkeypatch.undo()
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.rows_loaded, result.rows_rejected) == (299, 1)


def test_prop_snapshots_are_different_records(db: Path, tmp_path: Path) -> None:
    # The props key includes snapshot_time: the same line at two snapshots is two records;
    # at one snapshot with two prices it is a conflict.
    header, rows = read_csv(PROPS, limit=300)
    first = [dict(r, snapshot_time="2024-10-22T20:00:00Z") for r in rows]
    second = [dict(r, snapshot_time="2024-10-22T23:00:00Z") for r in rows]
    second[7]["over_odds"] = "-300"
    path = write_csv(tmp_path / "snapshots.csv", header, first + second)
    [result] = DuckDBLoader(db).load("odds_api_player_props", [path])
    assert (result.status, result.rows_loaded) == ("loaded", 600)
    repriced = [*first, dict(first[7], over_odds="-300")]
    path = write_csv(tmp_path / "repriced.csv", header, repriced)
    [result] = DuckDBLoader(db).load("odds_api_player_props", [path])
    assert result.rejects_by_reason == {"conflicting_duplicate_key": 2}


def test_identical_shots_are_real_and_kept(db: Path, tmp_path: Path) -> None:
    # Shot detail's key is not unique per file (two attempts in the same second and spot):
    # identical rows load; only an empty required key column is refused.
    shots = tmp_path / "shots.csv"
    header = ("GAME_ID,PLAYER_ID,TEAM_ID,GAME_DATE,HOME_TEAM,AWAY_TEAM,SHOT_MADE,SHOT_TYPE,"
              "BASIC_ZONE,SHOT_DISTANCE,QUARTER,MINS_LEFT,SECS_LEFT,LOC_X,LOC_Y")
    tip = "22400852,1628369,1610612738,02-28-2025,BOS,CLE,FALSE,2PT Field Goal,Restricted Area,"
    shots.write_text(
        f"{header}\n{tip}0,4,5,3,-0,5.25\n{tip}0,4,5,3,-0,5.25\n{tip}0,,,,,\n"
        f"{tip.replace('1628369', '')}0,4,5,3,-0,5.25\n",
        encoding="utf-8",
    )
    [result] = DuckDBLoader(db, max_rejected_fraction=0.5).load("nbacom_shot_detail", [shots])
    assert (result.rows_loaded, result.rejects_by_reason) == (3, {"null_key": 1})


def test_ndjson_rejects_keep_the_record_as_landed(db: Path, tmp_path: Path) -> None:
    _, rows = read_csv(PLAYER_LOGS, limit=50)
    rows[9]["PLAYER_ID"] = None  # JSON null
    path = tmp_path / "logs.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.rows_loaded, result.rejects_by_reason) == (49, {"null_key": 1})
    [(row, _, _, _, raw)] = rejected(db)
    assert row == 10 and json.loads(raw) == rows[9]


def test_execution_log_records_a_load_with_rejects(db: Path, tmp_path: Path) -> None:
    header, rows = read_csv(PLAYER_LOGS, limit=300)
    rows[0]["PLAYER_ID"] = ""
    path = write_csv(tmp_path / "logged.csv", header, rows)
    [result] = load_files(
        DuckDBLoader(db), "nbacom_player_game_logs", [path], DuckDBExecutionLog(db),
        run_id="reject-run",
    )
    assert (result.status, result.rows_rejected) == ("loaded_with_rejects", 1)
    [(status, rows_affected, detail)] = query(
        db,
        "select status, rows_affected, detail from nba_monitoring.processor_execution_log "
        "where run_id = 'reject-run'",
    )
    # a file that loaded with rows set aside is not a plain success in the run log
    assert (status, rows_affected) == ("warn", 299)
    assert json.loads(detail)["load_status"] == "loaded_with_rejects"
    assert json.loads(detail)["rows_rejected"] == 1
    assert json.loads(detail)["rows_in_file"] == 300


def test_older_database_gets_the_new_manifest_column(db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("create schema nba_raw")
        con.execute(
            "create table nba_raw._load_manifest (load_id varchar primary key, raw_table "
            "varchar not null, source_file varchar not null, content_hash varchar not null, "
            "rows_loaded bigint not null, ignored_columns varchar, run_id varchar, "
            "loaded_at timestamp not null)"
        )
    header, rows = read_csv(PLAYER_LOGS, limit=10)
    path = write_csv(tmp_path / "ten.csv", header, rows)
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert query(db, "select rows_loaded, rows_rejected from nba_raw._load_manifest") == [
        (10, 0)
    ]
    assert result.status == "loaded"
