"""Data quality on the real 2024-25 season: the marts' tests and contract, completeness,
the raw duplicate monitor, the run log, the daily summary and the run summary."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from nba_props.load import DuckDBLoader, LoadError
from nba_props.orchestrate import execution_log as xlog
from nba_props.orchestrate.dbt import run_dbt
from nba_props.orchestrate.summary import summarize
from tests.python.conftest import Warehouse


def _statuses(warehouse: Warehouse) -> dict[str, tuple[str, int | None]]:
    return {
        n.unique_id.split(".")[2]: (n.status, n.failures)
        for n in warehouse.build.nodes
        if n.resource_type == "test"
    }


def test_named_data_quality_checks_on_the_real_season(real_warehouse: Warehouse) -> None:
    tests = _statuses(real_warehouse)
    assert tests["raw_rows_have_keys"] == ("pass", 0)
    assert tests["raw_files_are_not_redundant"] == ("pass", 0)
    # A real wart: the 2023-24 team file has NYK's preseason game 0012300036 twice (a full
    # row and a 3-minute, 0-point row). The loader sets both aside (conflicting versions of
    # one key: it cannot tell which is right), so raw holds no duplicate, the rejects are
    # counted, and the game is one team log short (warned, not fatal).
    assert tests["raw_files_have_no_duplicate_keys"] == ("pass", 0)
    assert tests["loader_rejected_rows_are_only_exact_copies"] == ("warn", 2)
    assert tests["final_games_have_both_team_box_scores"] == ("warn", 1)
    assert tests["raw_loads_kept_every_column"] == ("pass", 0)
    assert tests["assert_dq_unresolved_name_share"] == ("pass", 0)
    assert tests["assert_dq_box_score_team_codes_known"] == ("pass", 0)
    assert tests["team_offense_made_le_attempted"] == ("pass", 0)
    # The three postponed prop games are reported, not dropped.
    assert tests["unmatched_prop_games"] == ("warn", 3)


def test_player_game_summary_contract_is_enforced(real_warehouse: Warehouse) -> None:
    constraints = real_warehouse.query(
        "select constraint_type, constraint_column_names from duckdb_constraints() "
        "where schema_name = 'nba_analytics' and table_name = 'player_game_summary' "
        "order by 1, 2"
    )
    assert ("PRIMARY KEY", ["game_id", "player_id"]) in constraints
    assert {tuple(c) for t, c in constraints if t == "NOT NULL"} >= {
        ("game_id",), ("player_id",), ("game_date",)
    }
    manifest = json.loads((real_warehouse.target_path / "manifest.json").read_text())
    node = manifest["nodes"]["model.nba_props.player_game_summary"]
    assert node["contract"]["enforced"] is True
    columns = [r[0] for r in real_warehouse.query("describe nba_analytics.player_game_summary")]
    assert list(node["columns"]) == columns  # every column declared, in order, with a type
    assert all(c["data_type"] for c in node["columns"].values())


def test_every_final_game_has_both_team_box_scores(real_warehouse: Warehouse) -> None:
    rows = dict(
        real_warehouse.query(
            "select completeness_status, count(*) from nba_monitoring.game_box_score_completeness "
            "group by 1"
        )
    )
    # both seasons' team logs: 1,399 + 1,401 games minus 2; NYK's preseason game 0012300036
    # lost its two conflicting rows to the loader's quarantine
    assert rows == {"complete": 2797, "missing_one_team": 1}


def test_the_real_duplicate_is_set_aside_by_the_loader(real_warehouse: Warehouse) -> None:
    rejected = real_warehouse.query(
        "select raw_table, source_file, reason, json_extract_string(raw_row, '$.GAME_ID'), "
        "json_extract_string(raw_row, '$.MIN') from nba_raw._rejected_rows order by row_number"
    )
    assert [(r[0], r[2], r[3]) for r in rejected] == [
        ("nbacom_team_game_logs", "conflicting_duplicate_key", "0012300036")
    ] * 2
    assert all(r[1].endswith("nbacom_team_game_logs_2023-24.csv") for r in rejected)
    assert sorted(r[4] for r in rejected) == ["236", "3"]  # the full row and the stub
    # so the raw-duplicate monitor, which reads what loaded, finds none
    assert real_warehouse.scalar(
        "select count(*) from nba_monitoring.raw_duplicate_rows "
        "where duplicates_are_errors and duplicate_key_rows > 0"
    ) == 0


def test_game_day_quality_follows_the_schedule(real_warehouse: Warehouse) -> None:
    day = real_warehouse.query(
        "select games_final, player_rows, player_rows_per_game, prop_games, "
        "games_missing_box_score from nba_monitoring.game_day_data_quality "
        "where game_date = '2025-01-15'"
    )[0]
    assert day[0] > 0 and day[1] > 0 and day[3] > 0 and day[4] == 0
    assert 10 < day[2] < 30  # player rows per game (the real player file is partial)


def test_current_season_players(real_warehouse: Warehouse) -> None:
    count, seasons, players = real_warehouse.query(
        "select count(*), count(distinct season), count(distinct player_id) "
        "from nba_reference.current_season_players_mv"
    )[0]
    assert seasons == 1 and count == players
    assert players == real_warehouse.scalar(
        "select count(distinct player_id) from nba_analytics.player_game_summary "
        "where season = '2024-25'"
    )


# ---- processor_execution_log ----------------------------------------------------------


def test_every_dbt_node_of_the_build_is_logged(real_warehouse: Warehouse) -> None:
    nodes = [n for n in real_warehouse.build.nodes if n.resource_type != "operation"]
    statuses = {n.unique_id: n.status for n in nodes}
    logged = real_warehouse.query(
        "select job_name, status, run_id, invocation_id, rows_affected, duration_seconds "
        "from nba_monitoring.processor_execution_log where command = 'dbt build' "
        "and invocation_id = (select invocation_id from nba_monitoring.processor_execution_log "
        "where command = 'dbt build' order by logged_at limit 1)"
    )
    assert {r[0]: r[1] for r in logged} == statuses
    assert len({r[2] for r in logged}) == 1  # one run id for the whole invocation
    by_name = {r[0]: r for r in logged}
    summary = by_name["model.nba_props.player_game_summary"]
    assert summary[4] == 22124  # DuckDB reports no rows: the hook counts the table
    assert summary[5] > 0
    # every table, seed and snapshot is counted (in one query); views and tests are not
    assert by_name["seed.nba_props.nba_teams"][4] == 30
    assert by_name["model.nba_props.int_games_unified"][4] == real_warehouse.scalar(
        "select count(*) from nba_intermediate.int_games_unified"
    )
    assert by_name["model.nba_props.int_player_games_joined"][4] is None  # a view
    assert all(r[4] is None for r in logged if r[0].startswith("test."))


def test_the_dbt_hook_creates_the_table_the_python_writer_would(
    real_warehouse: Warehouse,
) -> None:
    # Both take the columns from nba_props.orchestrate.execution_log.EXECUTION_LOG (the hook
    # through macros/schemas/table_schemas.sql, generated and checked by nba_props.schemas).
    table = [
        (name, typ.lower())
        for name, typ, *_ in real_warehouse.query(
            "describe nba_monitoring.processor_execution_log"
        )
    ]
    assert table == list(xlog.COLUMNS)  # the table dbt's hook created, as Python would


def test_load_jobs_are_logged_with_the_run_id(tmp_path: Path, real_data_dir: Path) -> None:
    database = tmp_path / "log.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("season_id,team_id\n1,x\n", encoding="utf-8")
    loader = DuckDBLoader(database, run_id="run-42")
    log = xlog.DuckDBExecutionLog(database)
    good = real_data_dir / "nbacom_team_game_logs_2024-25.csv"
    xlog.load_files(loader, "nbacom_team_game_logs", [good, good], log)
    with pytest.raises(LoadError):
        xlog.load_files(loader, "nbacom_team_game_logs", [bad], log)
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select run_id, job_type, job_name, resource_type, status, rows_affected, "
            "error_message, detail from nba_monitoring.processor_execution_log "
            "order by started_at"
        ).fetchall()
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows] == [
        ("run-42", "load", "load.nbacom_team_game_logs", "success", 2802),
        ("run-42", "load", "load.nbacom_team_game_logs", "skipped", 0),
        ("run-42", "load", "load.nbacom_team_game_logs", "error", None),
    ]
    assert "missing required column" in rows[2][6]
    assert json.loads(rows[0][7])["load_id"]


def test_a_pipeline_run_id_reaches_dbt_rows(tmp_path: Path, real_warehouse: Warehouse) -> None:
    database = tmp_path / "copy.duckdb"
    shutil.copyfile(real_warehouse.database, database)
    run_dbt(
        ["run", "--select", "game_day_data_quality"],
        database=database, env={xlog.RUN_ID_ENV: "pipeline-7"},
        target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
    )
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select job_name, status from nba_monitoring.processor_execution_log "
            "where run_id = 'pipeline-7'"
        ).fetchall()
    assert rows == [("model.nba_props.game_day_data_quality", "success")]


class _FakeJob:
    def result(self, timeout: float) -> None:
        assert timeout > 0


class _FakeBigQuery:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def query(self, sql: str, job_config: object = None, timeout: float | None = None):
        assert timeout is not None
        self.calls.append((sql, job_config))
        return _FakeJob()


def test_bigquery_writer_uses_parameters_only() -> None:
    client = _FakeBigQuery()
    record = xlog.JobRecord("predict", "predict.2025-01-15", run_id="r'; drop table x; --")
    record.status, record.rows_affected = "success", 412
    xlog.BigQueryExecutionLog(client, "proj", "nba_monitoring").write([record, record])
    ddl, insert = client.calls
    assert ddl[0].startswith(
        "create table if not exists `proj.nba_monitoring.processor_execution_log`"
    )
    sql, config = insert
    assert "drop table" not in sql and "412" not in sql
    params = {p.name: (p.type_, p.value) for p in config.query_parameters}
    assert len(params) == 2 * len(xlog.COLUMNS)
    assert params["run_id_0"] == ("STRING", "r'; drop table x; --")
    assert params["rows_affected_1"] == ("INT64", 412)
    assert params["bytes_processed_0"] == ("INT64", None)


# ---- the daily summary and the run summary ---------------------------------------------


def test_data_quality_summary_counts_the_days_checks(
    tmp_path: Path, real_warehouse: Warehouse
) -> None:
    database = tmp_path / "copy.duckdb"
    shutil.copyfile(real_warehouse.database, database)
    kwargs = {
        "database": database,
        "target_path": tmp_path / "target",
        "log_path": tmp_path / "logs",
        "quiet": True,
        "raise_on_failure": False,
    }
    tested = run_dbt(["test", "--select", "game_box_score_completeness"], **kwargs)
    fresh = run_dbt(["source", "freshness"], **kwargs)
    today = datetime.now(UTC).date()
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            "select tests_run, tests_passed, tests_warned, tests_failed, sources_checked, "
            "sources_stale_error from nba_monitoring.data_quality_summary_mv "
            "where summary_date = ?",
            [today],
        ).fetchone()
        game_day = con.execute(
            "select games_final, games_missing_box_score from "
            "nba_monitoring.data_quality_summary_mv where summary_date = '2025-01-15'"
        ).fetchone()
    tests = [n for n in tested.nodes if n.resource_type == "test"]
    sources = [n for n in fresh.nodes if n.resource_type == "source"]
    assert row[0] == len(tests) and row[1] == sum(n.status == "pass" for n in tests)
    assert row[4] == len(sources)
    # schedule and injury report were never loaded: past their error SLA
    assert row[5] == sum(n.status in ("error", "runtime error") for n in sources) >= 2
    assert game_day[0] > 0 and game_day[1] == 0


def test_prediction_coverage_warns_below_95_percent(
    tmp_path: Path, real_warehouse: Warehouse
) -> None:
    database = tmp_path / "copy.duckdb"
    shutil.copyfile(real_warehouse.database, database)
    with duckdb.connect(str(database)) as con:
        # Live predictions for every player with a line on 2025-01-15, and for 90% on 01-16.
        con.execute(
            "insert into nba_predictions.player_prop_predictions "
            "(prediction_id, run_mode, system_id, game_id, game_date, player_id, market, "
            " predicted_value, created_at) "
            "select md5(game_id || player_id || market), 'live', 'moving_average', game_id, "
            "game_date, player_id, market, 1.5, now() "
            "from (select distinct game_id, game_date, player_id, market "
            "      from nba_intermediate.int_player_props_resolved "
            "      where resolution_status = 'resolved' "
            "      and game_date in ('2025-01-15', '2025-01-16')) "
            "where game_date = '2025-01-15' or hash(player_id) % 10 != 0"
        )
    outcome = run_dbt(
        ["build", "--select", "prediction_coverage"], database=database,
        target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True,
        raise_on_failure=False,
    )
    check = next(
        n
        for n in outcome.nodes
        if n.unique_id.split(".")[2] == "prediction_coverage_at_least_95_percent"
    )
    assert (check.status, check.failures) == ("warn", 1)
    with duckdb.connect(str(database), read_only=True) as con:
        coverage = dict(
            con.execute(
                "select cast(game_date as varchar), coverage "
                "from nba_monitoring.prediction_coverage"
            ).fetchall()
        )
    assert coverage["2025-01-15"] == 1.0 and coverage["2025-01-16"] < 0.95


def test_run_summary_has_a_data_quality_section(real_warehouse: Warehouse, tmp_path: Path) -> None:
    database = tmp_path / "copy.duckdb"
    shutil.copyfile(real_warehouse.database, database)
    fresh = run_dbt(
        ["source", "freshness"], database=database, target_path=tmp_path / "target",
        log_path=tmp_path / "logs", quiet=True, raise_on_failure=False,
    )
    text = summarize(database, real_warehouse.build, "real 2024-25", freshness=fresh).render()
    assert "== data quality ==" in text
    assert "warned: loader_rejected_rows_are_only_exact_copies (2 rows)" in text
    assert "missing games:   1 final games without both team box scores" in text
    assert "0 player names, 0 team codes, 3 prop games" in text
    assert "0 unknown markets, 0 markets not modelled" in text
    assert "loader rejects:  2 rows set aside (2 conflicting_duplicate_key)" in text
    assert "error: nbacom.nbacom_schedule (newest row loaded never; warn after 48 hour" in text
    assert "nba_monitoring.processor_execution_log" in text
    assert "elementary:      off" in text or "elementary:      anomaly tests" in text
