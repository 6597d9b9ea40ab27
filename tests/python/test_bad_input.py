"""Bad input, on copies of the real 2024-25 files: every kind is caught by a named dbt test
or a loader error, never dropped silently; each test asserts which check caught it.

Each scenario loads the real files (one of them replaced by a corrupted copy, or an extra
corrupted copy added) into its own DuckDB file in a tmp dir, builds only the models and
tests the check needs, and reads the named test's status and failure count.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from nba_props.load import DuckDBLoader, LoadError, LoadResult
from nba_props.orchestrate.dbt import DbtOutcome, NodeOutcome, run_dbt
from nba_props.orchestrate.execution_log import DuckDBExecutionLog, load_files
from nba_props.orchestrate.reference import write_player_registry
from tests.python.conftest import REAL_DATA_DIR, REAL_FILES

# The shot chart is not needed by any check here; leaving it out keeps each load short.
FILES = {t: names for t, names in REAL_FILES.items() if t != "nbacom_shot_detail"}

PLAYER_LOGS = "nbacom_player_game_logs_2024-25.csv"
TEAM_LOGS = "nbacom_team_game_logs_2024-25.csv"
PROPS = "odds_api_player_threes_2024-25.csv"
GAME_LINES = "game_lines_2023-24_2024-25.csv"

Rows = list[dict[str, str]]


def read_csv(name: str) -> tuple[list[str], Rows]:
    with (REAL_DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: Sequence[str], rows: Rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header))
        writer.writeheader()
        writer.writerows(rows)
    return path


def corrupted_copy(
    tmp: Path, name: str, edit: Callable[[list[str], Rows], tuple[list[str], Rows]]
) -> Path:
    header, rows = read_csv(name)
    header, rows = edit(header, rows)
    return write_csv(tmp / "landing" / f"corrupted_{name}", header, rows)


@dataclass
class Scenario:
    database: Path
    loads: list[LoadResult]
    build: DbtOutcome | None

    def test(self, name: str) -> NodeOutcome:
        """The dbt test named ``name`` (custom name, or generated name prefix)."""
        found = [
            n
            for n in (self.build.nodes if self.build else [])
            if n.resource_type == "test"
            and (n.unique_id.split(".")[2] == name or n.unique_id.split(".")[2].startswith(name))
        ]
        assert len(found) == 1, f"{name}: {[n.unique_id for n in found]}"
        return found[0]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def broken_rules(self, target: Path, name: str) -> list[tuple]:
        """A column_checks test's failing rows (column, rule, rows), by re-running the SQL
        dbt compiled for it."""
        compiled = list((target / "compiled").rglob(f"{name}.sql"))
        assert len(compiled) == 1, compiled
        return sorted(self.query(compiled[0].read_text()))


def run_scenario(
    tmp: Path,
    select: Sequence[str],
    *,
    replace: dict[str, Path] | None = None,
    extra: dict[str, list[Path]] | None = None,
) -> Scenario:
    """Load the real files (``replace`` swaps one real file for a corrupted copy, ``extra``
    adds files after them), then build ``select`` with the tests whose parents it holds."""
    database = tmp / "scenario.duckdb"
    loader = DuckDBLoader(database)
    execution_log = DuckDBExecutionLog(database)
    loads = load_files(loader, "nbacom_players", [write_player_registry(tmp / "landing")], None)
    for raw_table, names in FILES.items():
        paths = [
            (replace or {}).get(name, REAL_DATA_DIR / name)
            for name in names
        ]
        loads += load_files(loader, raw_table, paths, execution_log)
    for raw_table, paths in (extra or {}).items():
        loads += load_files(loader, raw_table, paths, execution_log)
    build = None
    if select:
        build = run_dbt(
            ["build", "--select", *select, "--indirect-selection", "cautious"],
            database=database,
            target_path=tmp / "target",
            log_path=tmp / "logs",
            quiet=True,
            raise_on_failure=False,
        )
        assert build.exception is None, build.exception
        broken = [
            n.unique_id for n in build.nodes if n.resource_type != "test" and n.status == "error"
        ]
        assert broken == [], broken
    return Scenario(database, loads, build)


# ---- duplicated files and duplicated rows ----------------------------------------------


def test_same_file_twice_is_skipped_by_the_loader_and_logged(tmp_path: Path) -> None:
    database = tmp_path / "dup.duckdb"
    copy = tmp_path / "landing" / "renamed_copy.csv"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(REAL_DATA_DIR / TEAM_LOGS, copy)
    results = load_files(
        DuckDBLoader(database), "nbacom_team_game_logs", [REAL_DATA_DIR / TEAM_LOGS, copy],
        DuckDBExecutionLog(database), run_id="dup-run",
    )
    # Caught by: the loader (same content hash: skipped, nothing loaded), and logged.
    assert [r.status for r in results] == ["loaded", "skipped_duplicate"]
    with duckdb.connect(str(database), read_only=True) as con:
        raw_rows = con.execute("select count(*) from nba_raw.nbacom_team_game_logs").fetchone()[0]
        assert raw_rows == 2802
        logged = con.execute(
            "select status, rows_affected, detail from nba_monitoring.processor_execution_log "
            "where run_id = 'dup-run' order by started_at"
        ).fetchall()
    assert [(s, n) for s, n, _ in logged] == [("success", 2802), ("skipped", 0)]
    assert json.loads(logged[1][2])["load_status"] == "skipped_duplicate"


def test_refetched_file_with_the_same_rows_is_reported_redundant(tmp_path: Path) -> None:
    # The same rows in another order: new bytes, so the loader takes it; staging keeps one
    # row per key, and raw_duplicate_rows shows the whole file was a re-delivery.
    reordered = corrupted_copy(tmp_path, TEAM_LOGS, lambda h, rows: (h, rows[::-1]))
    s = run_scenario(
        tmp_path,
        ["+raw_duplicate_rows", "stg_nbacom__team_game_logs"],
        extra={"nbacom_team_game_logs": [reordered]},
    )
    assert s.loads[-1].status == "loaded"
    check = s.test("raw_files_are_not_redundant")
    assert (check.status, check.failures) == ("warn", 1)
    assert s.query(
        "select rows_in_load, rows_redelivered, is_redundant_file from "
        "nba_monitoring.raw_duplicate_rows where source_file like '%corrupted_%'"
    ) == [(2802, 2802, True)]
    # 2,793 + 2,802: the 2023-24 file's conflicting NYK pair was quarantined at load.
    assert s.query("select count(*) from nba_staging.stg_nbacom__team_game_logs")[0][0] == 5595


def test_duplicated_rows_in_a_file_are_quarantined_at_load(tmp_path: Path) -> None:
    # Seven rows sent twice (exact copies) and two rows sent again with corrected points.
    def duplicate_rows(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        corrected = [dict(r, PTS=str(int(r["PTS"]) + 1)) for r in rows[200:202]]
        return header, rows + rows[100:107] + corrected

    corrupted = corrupted_copy(tmp_path, TEAM_LOGS, duplicate_rows)
    s = run_scenario(
        tmp_path,
        ["+raw_duplicate_rows", "stg_nbacom__team_game_logs"],
        replace={TEAM_LOGS: corrupted},
    )
    # Caught by: the loader. Copies: one row loads, the others are set aside; conflicting
    # versions: none loads (the file cannot say which is right). The real 2023-24 file's
    # NYK preseason game 0012300036 (a full row and a 3-minute row) is such a conflict.
    by_file = {Path(r.source_file).name: r for r in s.loads}
    loaded = by_file[corrupted.name]
    assert (loaded.status, loaded.rows_in_file, loaded.rows_loaded) == (
        "loaded_with_rejects", 2811, 2800
    )
    assert loaded.rejects_by_reason == {"conflicting_duplicate_key": 4, "duplicate_row": 7}
    assert by_file["nbacom_team_game_logs_2023-24.csv"].rejects_by_reason == {
        "conflicting_duplicate_key": 2
    }
    assert s.query(
        "select reason, count(*) from nba_raw._rejected_rows where source_file = ? group by 1 "
        "order by 1", [str(corrupted)]
    ) == [("conflicting_duplicate_key", 4), ("duplicate_row", 7)]
    # Nothing duplicated reached raw: the dbt monitor finds no duplicate key any more.
    check = s.test("raw_files_have_no_duplicate_keys")
    assert (check.status, check.failures) == ("pass", 0)
    assert s.query(
        "select duplicate_key_rows from nba_monitoring.raw_duplicate_rows "
        "where source_file like '%corrupted_%'"
    ) == [(0,)]
    assert s.query("select count(*) from nba_staging.stg_nbacom__team_game_logs")[0][0] == (
        2793 + 2800
    )


def test_duplicate_profile_incremental_run_matches_a_full_refresh(tmp_path: Path) -> None:
    # A later file re-delivers 50 rows of the 2024-25 team logs: 48 identical, two with
    # corrected points, plus 3 new rows. The incremental run must re-profile the older file
    # too (its 50 rows are now superseded), and give what a full refresh gives.
    header, rows = read_csv(TEAM_LOGS)
    resent = [dict(r) for r in rows[:50]]
    for row in resent[:2]:
        row["PTS"] = str(int(row["PTS"]) + 1)
    fresh = [dict(r, GAME_ID=f"99{r['GAME_ID'][2:]}") for r in rows[50:53]]
    late = write_csv(tmp_path / "landing" / "late_team_logs.csv", header, resent + fresh)
    s = run_scenario(tmp_path, ["+raw_duplicate_rows"])
    columns = (
        "raw_table, load_id, source_file, loaded_at, rows_in_load, distinct_keys, "
        "duplicate_key_rows, null_key_rows, rows_in_other_loads, rows_redelivered, "
        "rows_superseded, is_redundant_file"
    )
    before = s.query(f"select {columns} from nba_monitoring.raw_duplicate_rows")
    load_files(DuckDBLoader(s.database), "nbacom_team_game_logs", [late], None)
    for extra in ([], ["--full-refresh"]):
        outcome = run_dbt(
            ["run", "--select", "+raw_duplicate_rows", *extra], database=s.database,
            target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
        )
        # The mart and its nine key models (models/staging/raw_keys).
        assert outcome.count("model", "success") == 10
        if not extra:
            incremental = s.query(f"select {columns} from nba_monitoring.raw_duplicate_rows")
    full = s.query(f"select {columns} from nba_monitoring.raw_duplicate_rows")
    assert sorted(incremental, key=str) == sorted(full, key=str)
    assert len(full) == len(before) + 1
    by_file = {Path(r[2]).name: r[4:] for r in full if r[0] == "nbacom_team_game_logs"}
    # rows, keys, in-file duplicates, null keys, in other loads, re-delivered, superseded
    assert by_file["late_team_logs.csv"][:7] == (53, 53, 0, 0, 50, 48, 0)
    assert by_file[TEAM_LOGS][4:7] == (50, 0, 50)
    assert by_file["nbacom_team_game_logs_2023-24.csv"][4:7] == (0, 0, 0)


def test_corrected_props_in_a_windowed_run_replace_the_old_lines(tmp_path: Path) -> None:
    # A later file corrects the prices of 5 lines of the season's last game day and of 5
    # lines two weeks earlier. A run with a window that holds only the last day dedups only
    # that window's lines (the tip-off is part of the key): the last day's 5 lines take the
    # new prices, with no row added or lost; the earlier lines change on a full refresh.
    header, rows = read_csv(PROPS)
    last_day = max(r["game_time"][:10] for r in rows)
    early_day = (date.fromisoformat(last_day) - timedelta(days=14)).isoformat()
    late_rows = [dict(r) for r in rows if r["game_time"].startswith(last_day)][:5]
    early_rows = [dict(r) for r in rows if r["game_time"].startswith(early_day)][:5]
    assert len(late_rows) == len(early_rows) == 5
    for row in late_rows + early_rows:
        row["over_odds"] = "777"
    correction = write_csv(tmp_path / "landing" / "props_correction.csv", header,
                           late_rows + early_rows)
    s = run_scenario(tmp_path, ["+int_player_props_resolved"])
    count_sql = (
        "select count(*), count(case when over_odds = 777 then 1 end) "
        "from nba_intermediate.int_player_props_resolved where commence_time_utc >= ?"
    )
    late_start = f"{last_day} 00:00:00"
    early_window = f"{early_day} 00:00:00"
    rows_late, corrected_late = s.query(count_sql, [late_start])[0]
    rows_all = s.query(count_sql, [early_window])[0][0]
    assert corrected_late == 0
    load_files(DuckDBLoader(s.database), "odds_api_player_props", [correction], None)
    window_start = date.fromisoformat(last_day) - timedelta(days=1)
    window = {"NBA_PROPS_START_DATE": window_start.isoformat()}
    run_dbt(["run", "--select", "int_player_props_resolved"], database=s.database, env=window,
            target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True)
    assert s.query(count_sql, [late_start])[0] == (rows_late, 5)
    assert s.query(count_sql, [early_window])[0] == (rows_all, 5)  # earlier lines untouched
    run_dbt(["run", "--full-refresh", "--select", "int_player_props_resolved"],
            database=s.database, target_path=tmp_path / "target", log_path=tmp_path / "logs",
            quiet=True)
    assert s.query(count_sql, [late_start])[0] == (rows_late, 5)
    assert s.query(count_sql, [early_window])[0] == (rows_all, 10)


STAGED = ["stg_nbacom__player_game_logs", "stg_nbacom__team_game_logs", "stg_nbacom__shot_detail"]
SHOTS = REAL_DATA_DIR / REAL_FILES["nbacom_shot_detail"][0]


def read_shots() -> tuple[list[str], Rows]:
    with zipfile.ZipFile(SHOTS) as archive, archive.open("NBA_2025_Shots.csv") as fh:
        reader = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8"))
        return list(reader.fieldnames or []), list(reader)


def test_incremental_staging_takes_later_loads_as_a_full_refresh_does(tmp_path: Path) -> None:
    # The box-score and shot staging tables are incremental: a run reads only the keys a
    # newer load delivered. A later file corrects the points of 5 player-games, and one
    # game's shots are re-exported without its first shot (a game's shots come from its
    # newest export only). (Null keys never reach staging: the loader quarantines them.)
    s = run_scenario(tmp_path, STAGED, extra={"nbacom_shot_detail": [SHOTS]})
    header, rows = read_csv(PLAYER_LOGS)
    resent = [dict(r, PTS=str(int(r["PTS"]) + 100)) for r in rows[:5]]
    late_logs = write_csv(tmp_path / "landing" / "late_player_logs.csv", header, resent)
    shot_header, shots = read_shots()
    game = shots[0]["GAME_ID"]
    reexport = [r for r in shots if r["GAME_ID"] == game][1:]
    late_shots = write_csv(tmp_path / "landing" / "late_shots.csv", shot_header, reexport)
    table = {m: f"nba_staging.{m}" for m in STAGED}
    before = {m: s.query(f"select count(*) from {table[m]}")[0][0] for m in STAGED}
    assert before["stg_nbacom__player_game_logs"] == len(rows)
    assert before["stg_nbacom__shot_detail"] == len(shots)

    loader = DuckDBLoader(s.database)
    load_files(loader, "nbacom_player_game_logs", [late_logs], None)
    load_files(loader, "nbacom_shot_detail", [late_shots], None)

    def build(*extra: str) -> dict[str, list[tuple]]:
        outcome = run_dbt(["run", "--select", *STAGED, *extra], database=s.database,
                          target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True)
        assert outcome.count("model", "success") == len(STAGED)
        return {m: sorted(s.query(f"select * from {table[m]}"), key=str) for m in STAGED}

    incremental = build()
    assert incremental == build()  # a run with no new load changes nothing
    logs = "nba_staging.stg_nbacom__player_game_logs"
    assert s.query(f"select count(*) from {logs}")[0][0] == len(rows)  # replaced, not added
    corrected = s.query(f"select player_id, points from {logs} where points >= 100")
    assert len(corrected) == 5
    assert sorted(p for _, p in corrected) == sorted(int(r["PTS"]) for r in resent)
    shot_table = "nba_staging.stg_nbacom__shot_detail"
    game_rows = s.query(
        f"select count(*), count(distinct load_id) from {shot_table} where game_id = ?",
        [game.zfill(10)],
    )
    assert game_rows == [(len(reexport), 1)]
    assert s.query(f"select count(*) from {shot_table}")[0][0] == len(shots) - 1
    assert incremental == build("--full-refresh")


# ---- null keys, negative points ----------------------------------------------------------


def test_null_keys_are_quarantined_before_staging(tmp_path: Path) -> None:
    def blank_player_ids(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        for row in rows[10:13]:
            row["PLAYER_ID"] = ""
        return header, rows

    corrupted = corrupted_copy(tmp_path, PLAYER_LOGS, blank_player_ids)
    s = run_scenario(
        tmp_path,
        ["+raw_duplicate_rows", "stg_nbacom__player_game_logs"],
        replace={PLAYER_LOGS: corrupted},
    )
    # Caught by: the loader. The three rows (of one game) used to load, and staging's dedup
    # on (player_id, game_id) merged them into one null-key row that only a test noticed.
    load = s.loads[1]
    assert (load.status, load.rows_loaded, load.rejects_by_reason) == (
        "loaded_with_rejects", 22121, {"null_key": 3}
    )
    assert s.query(
        "select row_number, column_name, reason from nba_raw._rejected_rows "
        "where load_id = ? order by 1", [load.load_id]
    ) == [(11, "player_id", "null_key"), (12, "player_id", "null_key"),
          (13, "player_id", "null_key")]
    for name in ("raw_rows_have_keys", "stg_nbacom__player_game_logs_column_checks"):
        check = s.test(name)
        assert (check.status, check.failures) == ("pass", 0), name
    assert s.query("select count(*), count(player_id) from nba_staging.stg_nbacom__player_game_logs"
                   ) == [(22121, 22121)]


def test_negative_points_fail_the_build(tmp_path: Path) -> None:
    def negative_points(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        rows[0]["PTS"] = "-12"
        return header, rows

    corrupted = corrupted_copy(tmp_path, PLAYER_LOGS, negative_points)
    s = run_scenario(tmp_path, ["+player_game_summary"], replace={PLAYER_LOGS: corrupted})
    check = s.test("stg_nbacom__player_game_logs_column_checks")
    assert (check.status, check.failures) == ("fail", 1)
    assert s.broken_rules(tmp_path / "target", "stg_nbacom__player_game_logs_column_checks") == [
        ("points", "between", 1)
    ]
    # dbt build stops the bad row at staging: the mart is not rebuilt from it.
    mart = next(n for n in s.build.nodes if n.unique_id == "model.nba_props.player_game_summary")
    assert mart.status == "skipped"
    # Run without the gate (dbt run, then dbt test), the mart's own tests catch it too.
    run_dbt(
        ["run", "--select", "+player_game_summary"], database=s.database,
        target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
    )
    tested = run_dbt(
        ["test", "--select", "player_game_summary"], database=s.database,
        target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
        raise_on_failure=False,
    )
    for name in ("player_game_summary_column_checks", "player_game_summary_points_identity"):
        check = Scenario(s.database, [], tested).test(name)
        assert (check.status, check.failures) == ("fail", 1), name
    assert s.broken_rules(tmp_path / "target", "player_game_summary_column_checks") == [
        ("points", "between", 1)
    ]


# ---- unknown team codes and player names -------------------------------------------------


def test_unknown_team_code_in_props_is_listed_and_warned(tmp_path: Path) -> None:
    def rename_team(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        game, game_time = rows[0]["game"], rows[0]["game_time"]
        for row in rows:
            if (row["game"], row["game_time"]) == (game, game_time):
                away = game.split(" @ ")[0]
                row["game"] = f"{away} @ Seattle SuperSonics"
        return header, rows

    corrupted = corrupted_copy(tmp_path, PROPS, rename_team)
    s = run_scenario(tmp_path, ["+unresolved_entities"], replace={PROPS: corrupted})
    check = s.test("unresolved_team_codes")
    assert (check.status, check.failures) == ("warn", 1)
    listed = s.query(
        "select entity_value, occurrences from nba_reference.unresolved_entities "
        "where entity_kind = 'team_code'"
    )
    assert len(listed) == 1 and "Seattle SuperSonics" in listed[0][0] and listed[0][1] > 0
    # every prop row is still there, with its reason
    assert s.query(
        "select count(*) from nba_intermediate.int_player_props_resolved "
        "where resolution_status = 'unknown_team'"
    )[0][0] == listed[0][1]


def test_unknown_team_in_box_scores_fails_the_build(tmp_path: Path) -> None:
    def unknown_team(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        row = next(r for r in rows if r["GAME_ID"].startswith("00224"))  # a regular-season game
        row["TEAM_ID"], row["TEAM_ABBREVIATION"] = "1610612999", "SEA"
        return header, rows

    corrupted = corrupted_copy(tmp_path, TEAM_LOGS, unknown_team)
    s = run_scenario(
        tmp_path, ["+team_offense_game_summary", "nba_teams"], replace={TEAM_LOGS: corrupted}
    )
    check = s.test("assert_dq_box_score_team_codes_known")
    assert (check.status, check.failures) == ("fail", 1)
    # dbt build stops there: the check reads int_games_unified, whose marts are skipped.
    mart = next(
        n for n in s.build.nodes if n.unique_id == "model.nba_props.team_offense_game_summary"
    )
    assert mart.status == "skipped"
    # Run without the gate (dbt run, then dbt test), the mart's relationship test catches it.
    run_dbt(
        ["run", "--select", "+team_offense_game_summary"], database=s.database,
        target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
    )
    tested = run_dbt(
        ["test", "--select", "team_offense_game_summary"], database=s.database,
        target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
        raise_on_failure=False,
    )
    relationship = Scenario(s.database, [], tested).test(
        "relationships_team_offense_game_summary_team_id"
    )
    assert (relationship.status, relationship.failures) == ("fail", 1)


@pytest.mark.parametrize(
    ("unknown_names", "share_status"),
    [(1, "pass"), (5, "warn"), (100, "fail")],
    ids=["one-name-warns", "five-names-warn-above-1pct", "hundred-names-fail-above-20pct"],
)
def test_unknown_player_names_are_listed_warned_and_capped(
    tmp_path: Path, unknown_names: int, share_status: str
) -> None:
    def rename_players(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        names = sorted({r["player"] for r in rows})[:unknown_names]
        for row in rows:
            if row["player"] in names:
                row["player"] = f"Zz Unknown {names.index(row['player'])}"
        return header, rows

    corrupted = corrupted_copy(tmp_path, PROPS, rename_players)
    s = run_scenario(tmp_path, ["+unresolved_entities"], replace={PROPS: corrupted})
    assert s.test("assert_dq_unresolved_name_share").status == share_status
    assert s.query(
        "select count(*) from nba_intermediate.int_player_names_resolved "
        "where resolution_status = 'unmatched' and player_name like 'Zz Unknown %'"
    )[0][0] == unknown_names
    check = s.test("unresolved_player_names")
    if share_status != "fail":
        # Up to 20% of the names (362 in the file) the day is built: the names are listed
        # with counts and a warning names them; above 1% the share check warns too.
        assert (check.status, check.failures) == ("warn", unknown_names)
        assert s.query(
            "select count(*) from nba_reference.unresolved_entities "
            "where entity_kind = 'player_name' and entity_value like 'Zz Unknown %'"
        )[0][0] == unknown_names
    else:
        # Above 20% name resolution is broken: the build fails at the share check and goes
        # no further.
        assert check.status == "skipped"


# ---- schema drift ------------------------------------------------------------------------


def _rename(old: str, new: str) -> Callable[[list[str], Rows], tuple[list[str], Rows]]:
    def edit(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        return [new if c == old else c for c in header], [
            {(new if k == old else k): v for k, v in r.items()} for r in rows
        ]

    return edit


def _drop(column: str) -> Callable[[list[str], Rows], tuple[list[str], Rows]]:
    def edit(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        return [c for c in header if c != column], [
            {k: v for k, v in r.items() if k != column} for r in rows
        ]

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_rename("PTS", "POINTS"), "missing required column(s) ['pts']"),
        (_drop("MIN"), "missing required column(s) ['min']"),
        (
            _rename("PLUS_MINUS", "PLUSMINUS"),
            "column(s) ['plusminus'] are not in the nbacom_player_game_logs contract",
        ),
    ],
    ids=["required-column-renamed", "required-column-missing", "optional-column-renamed"],
)
def test_schema_drift_is_a_loader_error_and_logged(tmp_path: Path, edit, message: str) -> None:
    database = tmp_path / "drift.duckdb"
    corrupted = corrupted_copy(tmp_path, PLAYER_LOGS, edit)
    with pytest.raises(LoadError) as caught:
        load_files(
            DuckDBLoader(database), "nbacom_player_game_logs", [corrupted],
            DuckDBExecutionLog(database), run_id="drift-run",
        )
    assert message in str(caught.value)
    with duckdb.connect(str(database), read_only=True) as con:
        raw_rows = con.execute("select count(*) from nba_raw.nbacom_player_game_logs").fetchone()[0]
        assert raw_rows == 0
        status, error = con.execute(
            "select status, error_message from nba_monitoring.processor_execution_log "
            "where run_id = 'drift-run'"
        ).fetchone()
    assert status == "error" and message in error


def test_renamed_optional_column_loaded_anyway_is_warned(tmp_path: Path) -> None:
    corrupted = corrupted_copy(tmp_path, PLAYER_LOGS, _rename("PLUS_MINUS", "PLUSMINUS"))
    database = tmp_path / "scenario.duckdb"
    loaded = DuckDBLoader(database, allow_extra_columns=True).load(
        "nbacom_player_game_logs", [corrupted]
    )
    assert loaded[0].ignored_columns == ["plusminus"]
    build = run_dbt(
        ["build", "--select", "source:loader"],
        database=database, target_path=tmp_path / "target", log_path=tmp_path / "logs",
        quiet=True, raise_on_failure=False,
    )
    check = Scenario(database, loaded, build).test("raw_loads_kept_every_column")
    assert (check.status, check.failures) == ("warn", 1)


# ---- a game with no box score -------------------------------------------------------------


def test_final_game_without_box_scores_is_caught(tmp_path: Path) -> None:
    # A regular-season game whose box scores never arrived (team and player logs), while its
    # closing line with the final score did.
    _, team_rows = read_csv(TEAM_LOGS)
    game_id = next(r["GAME_ID"] for r in team_rows if r["GAME_ID"].startswith("00224"))

    def drop_game(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        return header, [r for r in rows if r["GAME_ID"] != game_id]

    team_copy = corrupted_copy(tmp_path, TEAM_LOGS, drop_game)
    player_copy = corrupted_copy(tmp_path, PLAYER_LOGS, drop_game)
    s = run_scenario(
        tmp_path,
        ["+game_box_score_completeness", "+unresolved_entities"],
        replace={TEAM_LOGS: team_copy, PLAYER_LOGS: player_copy},
    )
    check = s.test("final_games_have_both_team_box_scores")
    # error above 10 games. The second game: NYK's preseason 0012300036, whose two
    # conflicting NYK rows the loader quarantined (only MIN's row is left).
    assert (check.status, check.failures) == ("warn", 2)
    assert s.query(
        "select final_evidence, completeness_status, game_id is null "
        "from nba_monitoring.game_box_score_completeness where completeness_status != 'complete' "
        "order by 1"
    ) == [
        ("game_line_final_score", "missing_both_teams", True),
        ("team_box_score", "missing_one_team", False),
    ]
    assert s.test("unmatched_game_line_games").status == "warn"
