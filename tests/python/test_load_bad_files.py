"""Files that cannot be read, built from the real files: each is a LoadError that names the
file (and the line or row) and says what to do, or, for a header without rows, a warned
``empty`` load. Nothing of a refused file reaches the raw table."""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from nba_props.cli import main
from nba_props.load import DuckDBLoader, LoadError
from tests.python.conftest import REAL_DATA_DIR

PLAYER_LOGS = REAL_DATA_DIR / "nbacom_player_game_logs_2024-25.csv"
PROPS = REAL_DATA_DIR / "odds_api_player_props_multi_2024-25.csv"
SHOTS = REAL_DATA_DIR / "nbacom_shot_detail_2024-25.csv.zip"
REFETCH = "re-fetch or re-export it"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "raw.duckdb"


def lines(path: Path, limit: int | None = None) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n") for _, line in zip(range(limit or 10**9), fh, strict=False)]


def raw_count(database: Path, table: str) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from nba_raw.{table}").fetchone()[0]


def refused(database: Path, table: str, path: Path) -> str:
    """Load ``path``, expect a LoadError naming it, check nothing was loaded; the message."""
    with pytest.raises(LoadError) as caught:
        DuckDBLoader(database).load(table, [path])
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert raw_count(database, table) == 0
    assert raw_count(database, "_load_manifest") == 0
    return message


# ---- CSV ------------------------------------------------------------------------------------


def test_unclosed_quote_in_props_is_an_error_not_a_player(db: Path, tmp_path: Path) -> None:
    # It used to load 300 rows with `"Unclosed Name` as a player (the strict read failed
    # and the file was silently read again with a guessed dialect).
    text = lines(PROPS, limit=301)
    text[150] = '"Unclosed Name' + text[150][text[150].index(","):]
    path = tmp_path / "props.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    message = refused(db, "odds_api_player_props", path)
    assert message.startswith(f"{path}, line 151: a quoted value opens here and is never closed")
    assert "Fix the quote on that line" in message


def test_file_cut_mid_row_is_called_truncated(db: Path, tmp_path: Path) -> None:
    data = PLAYER_LOGS.read_bytes()[:200_000]
    assert not data.endswith(b"\n")
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    message = refused(db, "nbacom_player_game_logs", path)
    last_line = data.count(b"\n") + 1
    fields = data.rsplit(b"\n", 1)[1].count(b",") + 1
    assert message == (
        f"{path}, line {last_line}: the last line has {fields} of the header's 30 fields and "
        f"the file has no final newline: it looks truncated (cut mid-row); {REFETCH}"
    )


def test_file_cut_mid_quote_is_called_truncated(db: Path, tmp_path: Path) -> None:
    text = lines(PROPS, limit=101)
    quoted = [text[0]] + [f'"{line.split(",", 1)[0]}",{line.split(",", 1)[1]}' for line in text[1:]]
    body = "\n".join(quoted)
    path = tmp_path / "cut_quote.csv"
    path.write_text(body[: body.rindex('"') - 3], encoding="utf-8")  # inside the last name
    message = refused(db, "odds_api_player_props", path)
    assert message.startswith(f"{path}: the file ends inside a quoted value (the quote opens on "
                              "line 101)")
    assert "it looks truncated (cut mid-quote)" in message


def test_ragged_row_names_the_line(db: Path, tmp_path: Path) -> None:
    text = lines(PLAYER_LOGS, limit=300)
    text[49] += ",extra"
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    message = refused(db, "nbacom_player_game_logs", path)
    assert message.startswith(f"{path}, line 50: 31 fields where the header has 30")


def test_text_that_is_not_utf8_names_the_line(db: Path, tmp_path: Path) -> None:
    text = lines(PLAYER_LOGS, limit=300)
    text[199] = text[199].replace(text[199].split(",")[2], "José Alvarado")
    path = tmp_path / "latin1.csv"
    path.write_bytes(("\n".join(text) + "\n").encode("latin-1"))
    message = refused(db, "nbacom_player_game_logs", path)
    assert message == f"{path}, line 200: the text is not UTF-8; re-export the file as UTF-8"


@pytest.mark.parametrize("name", ["empty.csv", "empty.json", "empty.ndjson"])
def test_zero_byte_file_is_called_empty(db: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    message = refused(db, "nbacom_player_game_logs", path)
    assert "the file is empty (0 bytes)" in message and REFETCH in message
    assert "missing required column" not in message


def test_zero_byte_csv_in_a_zip_is_called_empty(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "shots.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("shots.csv", "")
    assert "the file is empty (0 bytes)" in refused(db, "nbacom_shot_detail", path)


def test_header_only_file_is_an_empty_load_with_a_warning(
    db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text(lines(PLAYER_LOGS, limit=1)[0] + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_loaded, result.rows_in_file) == ("empty", 0, 0)
    assert result.warnings == [f"{path}: the file has no data rows; nothing was loaded"]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == (
        result.warnings
    )
    assert raw_count(db, "_load_manifest") == 1  # recorded: a second copy is skipped
    # A header cut short is still a header with missing columns, and the message says why.
    cut = tmp_path / "cut_header.csv"
    cut.write_text(lines(PLAYER_LOGS, limit=1)[0][:45], encoding="utf-8")  # ...,TEAM_
    message = refused(tmp_path / "other.duckdb", "nbacom_player_game_logs", cut)
    assert "missing required column(s)" in message
    assert "the file has no data rows: a header cut short?" in message


def test_json_without_rows_is_an_empty_load(db: Path, tmp_path: Path) -> None:
    header = lines(PLAYER_LOGS, limit=1)[0].split(",")
    no_rows = tmp_path / "no_rows.json"
    no_rows.write_text(json.dumps({"resultSets": [{"headers": header, "rowSet": []}]}))
    empty_list = tmp_path / "empty_list.json"
    empty_list.write_text("[]")
    results = DuckDBLoader(db).load("nbacom_player_game_logs", [no_rows, empty_list])
    assert [(r.status, r.rows_loaded) for r in results] == [("empty", 0), ("empty", 0)]
    assert results[1].warnings[0] == f"{empty_list}: no records; the columns could not be checked"


def test_missing_final_newline_is_warned(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "no_newline.csv"
    path.write_text("\n".join(lines(PLAYER_LOGS, limit=11)), encoding="utf-8")
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_loaded) == ("loaded", 10)
    assert "does not end with a newline" in result.warnings[0]
    assert "row 10 may be incomplete" in result.warnings[0].replace("(row 10)", "row 10")


# ---- zip ------------------------------------------------------------------------------------


def test_zip_cut_short_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "shots.csv.zip"
    path.write_bytes(SHOTS.read_bytes()[:1_000_000])
    message = refused(db, "nbacom_shot_detail", path)
    assert message == (
        f"{path}: not a readable zip archive (File is not a zip file): the download is "
        f"corrupt or was cut short; {REFETCH}"
    )


def test_zip_with_corrupt_data_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "shots.csv.zip"
    shutil.copyfile(SHOTS, path)
    data = bytearray(path.read_bytes())
    data[500_000:500_016] = bytes(16)
    path.write_bytes(bytes(data))
    message = refused(db, "nbacom_shot_detail", path)
    assert message.startswith(f"{path}: not a readable zip archive (")
    assert "the download is corrupt" in message


# ---- JSON -----------------------------------------------------------------------------------


def player_records(limit: int) -> list[dict[str, str]]:
    header, *rows = lines(PLAYER_LOGS, limit=limit + 1)
    return [dict(zip(header.split(","), row.split(","), strict=True)) for row in rows]


def test_malformed_ndjson_names_line_and_column(db: Path, tmp_path: Path) -> None:
    text = [json.dumps(r) for r in player_records(50)]
    text[19] = text[19].replace('", "', '" "', 1)
    path = tmp_path / "logs.ndjson"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    message = refused(db, "nbacom_player_game_logs", path)
    assert message.startswith(f"{path}, line 20, column ")
    assert "malformed JSON (Expecting ',' delimiter); fix the line, or re-fetch" in message


def test_ndjson_cut_mid_record_is_called_truncated(db: Path, tmp_path: Path) -> None:
    text = "\n".join(json.dumps(r) for r in player_records(50))
    path = tmp_path / "cut.ndjson"
    path.write_text(text[:-40], encoding="utf-8")
    message = refused(db, "nbacom_player_game_logs", path)
    assert message.startswith(f"{path}, line 50, column ")
    assert "the last line has no newline: the file looks truncated" in message


def test_ragged_result_set_names_the_row(db: Path, tmp_path: Path) -> None:
    header, *rows = (line.split(",") for line in lines(PLAYER_LOGS, limit=101))
    rows[36] = rows[36][:-1]
    rows[70] = None  # not a list
    path = tmp_path / "leaguegamelog.json"
    path.write_text(json.dumps({"resultSets": [{"name": "LeagueGameLog", "headers": header,
                                                "rowSet": rows}]}))
    message = refused(db, "nbacom_player_game_logs", path)
    assert message == (
        f"{path}, resultSets[0] row 37: 29 values for 30 headers (a ragged rowSet; 2 such "
        f"row(s)): the payload is inconsistent, nothing was loaded; {REFETCH}"
    )


def test_api_data_payload_and_nested_values(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "players.json"
    path.write_text(json.dumps({
        "data": [
            {"id": 1, "full_name": "A B", "is_active": True, "first_name": {"x": [1, 2]}},
            {"id": 2, "full_name": "C/D", "last_name": "~e"},
        ],
        "meta": {"next_cursor": None},
    }))
    [result] = DuckDBLoader(db).load("nbacom_players", [path])
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select id, full_name, is_active, first_name, last_name, _row_number "
            "from nba_raw.nbacom_players order by id"
        ).fetchall() == [(1, "A B", True, '{"x":[1,2]}', None, 1), (2, "C/D", None, None, "~e", 2)]


def test_cli_names_the_file_and_exits_non_zero(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(PLAYER_LOGS.read_bytes()[:5_000])
    code = main(["load", "nbacom_player_game_logs", str(path), "--database", str(db)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"load error: {path}, line " in err and "it looks truncated (cut mid-row)" in err
