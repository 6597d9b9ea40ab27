"""The loader on copies of the real files: types, errors that name the spot, idempotency."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from nba_props.cli import main
from nba_props.load import DuckDBLoader, LoadError

PLAYER_LOGS = "nbacom_player_game_logs_2024-25.csv"


def count(database: Path, table: str) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from nba_raw.{table}").fetchone()[0]


def rewrite_csv(src: Path, dst: Path, edit) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines()
    dst.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return dst


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "raw.duckdb"


def test_real_player_logs_load_typed_with_metadata(db: Path, real_data_dir: Path) -> None:
    [result] = DuckDBLoader(db).load("nbacom_player_game_logs", [real_data_dir / PLAYER_LOGS])
    assert (result.status, result.rows_loaded) == ("loaded", 22124)
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "select game_id, typeof(game_date), typeof(pts), min, _load_id, _content_hash, "
            "_source_file, _row_number from nba_raw.nbacom_player_game_logs "
            "order by _row_number limit 1"
        ).fetchone()
    # GAME_ID keeps its leading zeros; dates and counts are typed.
    assert row[:4] == ("0022400061", "DATE", "BIGINT", 24.0)
    assert row[4] == result.load_id and len(row[5]) == 64
    assert row[6].endswith(PLAYER_LOGS) and row[7] == 1


def test_same_file_twice_and_same_content_renamed_add_nothing(
    db: Path, real_data_dir: Path, tmp_path: Path
) -> None:
    loader = DuckDBLoader(db)
    src = real_data_dir / "nbacom_team_game_logs_2024-25.csv"
    copy = tmp_path / "renamed_copy.csv"
    shutil.copy(src, copy)
    results = loader.load("nbacom_team_game_logs", [src, src, copy])
    assert [r.status for r in results] == ["loaded", "skipped_duplicate", "skipped_duplicate"]
    assert count(db, "nbacom_team_game_logs") == 2802
    assert count(db, "_load_manifest") == 1


def test_zipped_csv_of_shot_detail(db: Path, real_data_dir: Path) -> None:
    [result] = DuckDBLoader(db).load(
        "nbacom_shot_detail", [real_data_dir / "nbacom_shot_detail_2024-25.csv.zip"]
    )
    assert result.rows_loaded == 219527
    with duckdb.connect(str(db), read_only=True) as con:
        # MM-DD-YYYY dates parsed; integer game ids kept as text for staging to pad.
        assert con.execute(
            "select min(game_date), max(game_date), min(length(game_id)) "
            "from nba_raw.nbacom_shot_detail"
        ).fetchone() == (date(2024, 10, 22), date(2025, 4, 13), 8)


def test_bad_value_in_strict_mode_names_file_row_and_column_and_loads_nothing(
    db: Path, real_data_dir: Path, tmp_path: Path
) -> None:
    # on_bad_rows="fail": the first bad value fails the whole file (the default quarantines
    # the row instead: test_load_quarantine.py).
    def corrupt(lines: list[str]) -> list[str]:
        cells = lines[500].split(",")
        cells[28] = "twelve"  # PTS
        lines[500] = ",".join(cells)
        return lines

    bad = rewrite_csv(real_data_dir / PLAYER_LOGS, tmp_path / "bad.csv", corrupt)
    with pytest.raises(LoadError, match=r"bad\.csv, row 500, column 'pts': value 'twelve'"):
        DuckDBLoader(db, on_bad_rows="fail").load("nbacom_player_game_logs", [bad])
    assert count(db, "nbacom_player_game_logs") == 0
    assert count(db, "_load_manifest") == 0
    assert count(db, "_rejected_rows") == 0


def test_fraction_in_an_integer_column_is_rejected(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "players.csv"
    f.write_text("id,full_name\n1,A\n2.5,B\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"row 2, column 'id': value '2.5' is not a valid BIGINT"):
        DuckDBLoader(db).load("nbacom_players", [f])


def test_renamed_column_is_schema_drift(db: Path, real_data_dir: Path, tmp_path: Path) -> None:
    def rename(lines: list[str]) -> list[str]:
        lines[0] = lines[0].replace(",PTS,", ",POINTS,")
        return lines

    drifted = rewrite_csv(real_data_dir / PLAYER_LOGS, tmp_path / "drift.csv", rename)
    with pytest.raises(LoadError, match=r"missing required column\(s\) \['pts'\]"):
        DuckDBLoader(db).load("nbacom_player_game_logs", [drifted])


def test_wrong_table_or_extra_column_is_refused_unless_allowed(
    db: Path, real_data_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(LoadError, match=r"\['player_id', 'player_name'\] are not in"):
        DuckDBLoader(db).load("nbacom_team_game_logs", [real_data_dir / PLAYER_LOGS])
    # Allowed, the player file still cannot pass as team logs: ~9 rows per (team, game).
    with pytest.raises(LoadError, match=r"conflicting_duplicate_key: 22123\)"):
        DuckDBLoader(db, allow_extra_columns=True).load(
            "nbacom_team_game_logs", [real_data_dir / PLAYER_LOGS]
        )
    extra = rewrite_csv(
        real_data_dir / "nbacom_team_game_logs_2024-25.csv",
        tmp_path / "extra.csv",
        lambda ls: [ls[0] + ",ARENA", *(line + ",somewhere" for line in ls[1:])],
    )
    [result] = DuckDBLoader(db, allow_extra_columns=True).load("nbacom_team_game_logs", [extra])
    assert (result.status, result.rows_loaded) == ("loaded", 2802)
    assert result.ignored_columns == ["arena"]
    assert any("not in the nbacom_team_game_logs contract" in w for w in result.warnings)


def test_failed_file_in_a_batch_keeps_the_good_ones_only(
    db: Path, real_data_dir: Path, tmp_path: Path
) -> None:
    good = real_data_dir / "nbacom_team_game_logs_2024-25.csv"
    bad = rewrite_csv(good, tmp_path / "bad.csv", lambda ls: [*ls, ls[1].replace(",240,", ",x,")])
    loader = DuckDBLoader(db, on_bad_rows="fail")
    loader.load("nbacom_team_game_logs", [good])
    with pytest.raises(LoadError, match=r"row 2803, column 'min'"):
        loader.load("nbacom_team_game_logs", [bad])
    assert count(db, "nbacom_team_game_logs") == 2802


def test_first_bad_value_is_the_earliest_row_then_the_earliest_column(
    db: Path, tmp_path: Path
) -> None:
    f = tmp_path / "players.csv"
    f.write_text(
        "id,full_name,is_active\n1,A,true\n2,B,maybe\nx,C,true\n3,D,nope\n", encoding="utf-8"
    )
    with pytest.raises(LoadError, match=r"row 2, column 'is_active': value 'maybe' is not"):
        DuckDBLoader(db).load("nbacom_players", [f])
    f.write_text("id,full_name,is_active\n1,A,true\nx,B,maybe\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"row 2, column 'id': value 'x' is not a valid BIGINT"):
        DuckDBLoader(db).load("nbacom_players", [f])
    assert count(db, "nbacom_players") == 0


def test_values_are_trimmed_and_blank_is_null(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "players.csv"
    f.write_text(
        "id,full_name,first_name,is_active\n"
        " 7 ,\u00a0Nikola Jokić\u00a0,  ,\u00a0true\n"
        "8,Plain,\u3000,false \n",
        encoding="utf-8",
    )
    DuckDBLoader(db).load("nbacom_players", [f])
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select id, full_name, first_name, is_active, _row_number "
            "from nba_raw.nbacom_players order by _row_number"
        ).fetchall()
    assert rows == [(7, "Nikola Jokić", None, True, 1), (8, "Plain", None, False, 2)]


def test_csv_that_is_not_rfc_4180_quoted_is_refused_at_its_line(db: Path, tmp_path: Path) -> None:
    # Single quotes are not CSV quoting: the row has three fields. It used to be re-read
    # with a guessed dialect, silently; now the file fails and the message names the line.
    f = tmp_path / "players.csv"
    rows = [f"{i},Player {i}" for i in range(1, 30_001)]
    f.write_text("id,full_name\n" + "\n".join([*rows, "30001,'Doe, John'"]) + "\n")
    with pytest.raises(LoadError, match=r"players\.csv, line 30002: 3 fields where the header "
                       r"has 2 .* re-export the file with RFC 4180 quoting"):
        DuckDBLoader(db).load("nbacom_players", [f])
    assert count(db, "nbacom_players") == 0


def test_rows_keep_file_order_as_row_numbers(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "players.csv"
    rows = [f'{i},"Player, {i}"' for i in range(1, 30_001)]
    f.write_text("id,full_name\n" + "\n".join(rows) + "\n")
    [result] = DuckDBLoader(db).load("nbacom_players", [f])
    assert result.rows_loaded == 30_000
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select count(*) from nba_raw.nbacom_players "
            "where id <> _row_number or full_name <> 'Player, ' || id"
        ).fetchone() == (0,)


def test_json_ndjson_and_nbacom_result_sets(db: Path, tmp_path: Path) -> None:
    ndjson = tmp_path / "players.ndjson"
    ndjson.write_text(
        '{"id": 1, "full_name": "A B", "is_active": true}\n'
        '{"id": 2, "full_name": "C D", "is_active": false}\n',
        encoding="utf-8",
    )
    array = tmp_path / "players.json"
    array.write_text(json.dumps([{"id": 3, "full_name": "E F"}]), encoding="utf-8")
    result_sets = tmp_path / "leaguegamelog.json"
    result_sets.write_text(
        json.dumps(
            {
                "resultSets": [
                    {
                        "name": "LeagueGameLog",
                        "headers": ["ID", "FULL_NAME", "IS_ACTIVE"],
                        "rowSet": [[4, "G H", True], [5, "I J", False]],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    results = DuckDBLoader(db).load("nbacom_players", [ndjson, array, result_sets])
    assert [r.rows_loaded for r in results] == [2, 1, 2]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select id, full_name, is_active from nba_raw.nbacom_players order by id"
        ).fetchall() == [
            (1, "A B", True),
            (2, "C D", False),
            (3, "E F", None),
            (4, "G H", True),
            (5, "I J", False),
        ]


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        (
            "truncated.json",
            '[{"id": 1, "full_name": "A',
            r"truncated\.json: malformed JSON: the file ends before the JSON is complete",
        ),
        ("scalar.json", "42", r"unrecognised JSON payload"),
        (
            "rows.ndjson",
            '{"id": 1, "full_name": "A"}\n[1, 2]\n',
            r"record 2: expected a JSON object",
        ),
        ("two.json", '{"data": []}\n{"data": []}', r"holds 2 JSON documents"),
        ("no_rows.json", '{"resultSets": [{"headers": ["ID"]}]}', r"lacks 'headers' or 'rowSet'"),
    ],
)
def test_malformed_json_is_a_clear_error(db: Path, tmp_path: Path, name, text, match) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match=match):
        DuckDBLoader(db).load("nbacom_players", [f])


def test_zip_with_two_csvs_is_refused(db: Path, tmp_path: Path) -> None:
    z = tmp_path / "two.csv.zip"
    with zipfile.ZipFile(z, "w") as archive:
        archive.writestr("a.csv", "id,full_name\n1,A\n")
        archive.writestr("b.csv", "id,full_name\n2,B\n")
    with pytest.raises(LoadError, match="exactly one CSV"):
        DuckDBLoader(db).load("nbacom_players", [z])


def test_unknown_table_and_missing_file(db: Path, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unknown raw table 'box_scores'"):
        DuckDBLoader(db).load("box_scores", [tmp_path / "x.csv"])
    with pytest.raises(LoadError, match="no such file"):
        DuckDBLoader(db).load("nbacom_players", [tmp_path / "missing.csv"])


def test_cli_load_reports_and_exits_non_zero_on_bad_input(
    db: Path, real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = str(real_data_dir / "nbacom_team_game_logs_2024-25.csv")
    assert main(["load", "nbacom_team_game_logs", src, "--database", str(db)]) == 0
    assert main(["load", "nbacom_team_game_logs", src, "--database", str(db)]) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and "2,802 rows" in out and "skipped_duplicate" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("id\n1\n", encoding="utf-8")
    assert main(["load", "nbacom_players", str(bad), "--database", str(db)]) == 2
    assert "missing required column(s) ['full_name']" in capsys.readouterr().err
