"""Cost and slowness watched (issue 21), on DuckDB: the cost marts from the execution log,
and the tests that flag a day over budget, a day's job time that jumps (z-score) and a
model or step that runs well above its recent median (slowdown).

A warehouse whose execution log holds 15 days of a pipeline's runs, then a day on which one
model takes 200 s instead of about 20 s. Every dbt build here reads only that log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from nba_props.alerts import RunOutcome, build_alert
from nba_props.alerts.config import Thresholds
from nba_props.alerts.facts import WarehouseFacts, read_flagged_rows
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import COLUMNS, DuckDBExecutionLog

FIRST = date(2026, 3, 1)
HISTORY_DAYS = 15
NEWEST = FIRST + timedelta(days=HISTORY_DAYS)
SLOW_MODEL_SECONDS = 200.0
# (job_type, job_name, resource_type, usual seconds, seconds on the newest day, rows)
JOBS = (
    ("dbt", "model.nba_props.int_slowing_down", "model", 20.0, SLOW_MODEL_SECONDS, 1000),
    ("dbt", "model.nba_props.int_tiny", "model", 0.1, 0.9, 10),  # 9x, but 0.8 s: quiet
    ("dbt", "model.nba_props.int_steady", "model", 30.0, 30.0, 500),
    ("dbt", "test.nba_props.unique_int_steady_id.0a1b2c", "test", 1.0, 1.0, None),
    ("dbt", "model.nba_props.int_skipped", "model", 0.0, 0.0, None),
    ("load", "load.nbacom_player_game_logs", "file", 2.0, 2.0, 300),
    ("predict", "predict 2026-03-16", "date", 5.0, 5.0, 120),
)


def log_rows() -> list[list[object]]:
    """One run a day: every job, with a little day-to-day noise (so the stddev is not 0)."""
    rows = []
    for offset in range(HISTORY_DAYS + 1):
        day = FIRST + timedelta(days=offset)
        newest = day == NEWEST
        start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
        for job_type, name, resource, usual, today, rows_affected in JOBS:
            seconds = today if newest else usual * (1 + 0.02 * (offset % 3))
            status = "skipped" if name.endswith("int_skipped") else (
                "pass" if resource == "test" else "success")
            values = {
                "run_id": f"RUN-{day:%Y%m%d}", "job_type": job_type, "job_name": name,
                "resource_type": resource, "status": status, "rows_affected": rows_affected,
                "started_at": start, "finished_at": start + timedelta(seconds=seconds),
                "duration_seconds": seconds, "invocation_id": f"inv-{day:%Y%m%d}",
                "command": "dbt build" if job_type == "dbt" else "nba-props daily",
                "target_name": "duckdb", "logged_at": start + timedelta(seconds=seconds),
            }
            rows.append([values.get(column) for column, _ in COLUMNS])
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DbtOutcome]]:
    work = tmp_path_factory.mktemp("cost_marts")
    database = work / "costs.duckdb"
    execution_log = DuckDBExecutionLog(database)
    names = ", ".join(c for c, _ in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    with duckdb.connect(str(database)) as con:
        execution_log.ensure_table(con)
        con.executemany(
            f"insert into nba_monitoring.processor_execution_log ({names}) values ({marks})",
            log_rows(),
        )
    outcome = run_dbt(
        ["build", "--select", "pipeline_job_costs+",
         "--vars", "{daily_duration_budget_seconds: 200}"],
        database=database, target_path=work / "target", log_path=work / "logs", quiet=True,
        raise_on_failure=False, env={"NBA_PROPS_RUN_ID": "cost-test-1"},
    )
    yield database, outcome


def statuses(outcome: DbtOutcome) -> dict[str, tuple[str, int | None]]:
    return {n.unique_id.split(".")[2]: (n.status, n.failures) for n in outcome.nodes
            if n.resource_type == "test"}


def test_cost_marts_build_on_duckdb_from_the_execution_log(
    built: tuple[Path, DbtOutcome]
) -> None:
    database, outcome = built
    assert outcome.success, outcome.exception
    models = {n.unique_id.split(".")[2] for n in outcome.nodes if n.resource_type == "model"}
    assert models == {"pipeline_job_costs", "pipeline_model_costs_daily",
                      "pipeline_step_costs_daily", "pipeline_cost_daily"}
    with duckdb.connect(str(database), read_only=True) as con:
        jobs = con.execute(
            "select count(*), count(distinct job_date), min(cost_source), max(cost_source) "
            "from nba_monitoring.pipeline_job_costs").fetchone()
        newest = con.execute(
            "select pipeline_step, model_name, runs, duration_per_run_seconds, rows_affected, "
            "bytes_billed from nba_monitoring.pipeline_model_costs_daily where cost_date = ? "
            "order by pipeline_step, model_name", [NEWEST]).fetchall()
        steps = dict(con.execute(
            "select pipeline_step, duration_per_run_seconds "
            "from nba_monitoring.pipeline_step_costs_daily where cost_date = ?",
            [NEWEST]).fetchall())
        day = con.execute(
            "select jobs, runs, duration_seconds, estimated_cost_usd, is_over_budget, "
            "is_newest_day from nba_monitoring.pipeline_cost_daily where cost_date = ?",
            [NEWEST]).fetchone()
        over = con.execute(
            "select count(*) from nba_monitoring.pipeline_cost_daily where is_over_budget"
        ).fetchone()[0]
    assert jobs == (len(JOBS) * (HISTORY_DAYS + 1), HISTORY_DAYS + 1,
                    "execution_log", "execution_log")
    # per model and step: load.<table> -> the raw table, predict <date> -> predict; skipped out
    assert newest == [
        ("dbt_model", "int_slowing_down", 1, SLOW_MODEL_SECONDS, 1000, None),
        ("dbt_model", "int_steady", 1, 30.0, 500, None),
        ("dbt_model", "int_tiny", 1, 0.9, 10, None),
        ("dbt_test", "unique_int_steady_id", 1, 1.0, None, None),
        ("load", "nbacom_player_game_logs", 1, 2.0, 300, None),
        ("predict", "predict", 1, 5.0, 120, None),
    ]
    assert steps == {"dbt_model": 230.9, "dbt_test": 1.0, "load": 2.0, "predict": 5.0}
    # 7 jobs (the skipped one counts as a job, with no time), one run, 238.9 s of job time,
    # no bytes billed on DuckDB: over the 200 s budget of this build, the days before are not
    assert day == (7, 1, pytest.approx(238.9), None, True, True)
    assert over == 1


def test_a_slow_model_and_step_and_a_costly_day_are_flagged(
    built: tuple[Path, DbtOutcome]
) -> None:
    _, outcome = built
    tests = statuses(outcome)
    assert tests["pipeline_model_duration_slowdown"] == ("warn", 1)  # int_slowing_down only
    assert tests["pipeline_step_duration_slowdown"] == ("warn", 1)  # dbt_model
    assert tests["pipeline_daily_duration_jump"] == ("warn", 1)  # the newest day
    # DuckDB bills nothing: the bytes and dollar checks have no values to judge
    assert tests["pipeline_model_bytes_jump"] == ("pass", 0)
    assert tests["pipeline_daily_cost_jump"] == ("pass", 0)
    assert tests["pipeline_cost_within_daily_budget"] == ("warn", 1)  # the newest day
    # The run's alert carries them: one cost finding, one anomaly finding with three checks,
    # each with the rows it flagged (read from the warehouse: which model, how slow).
    database = built[0]
    rows = read_flagged_rows(database, database.parent / "target", [
        "pipeline_model_duration_slowdown", "pipeline_step_duration_slowdown",
        "pipeline_daily_duration_jump"])
    alert = build_alert(RunOutcome("run", "cost-test-1", dbt=[outcome]), 0, Thresholds(),
                        WarehouseFacts(flagged_rows=rows))
    assert alert is not None and alert.severity == "degraded"
    cost, anomaly = alert.findings
    assert cost.kind == "cost_budget" and cost.count == 1
    assert anomaly.kind == "anomaly" and anomaly.count == 3
    slow = anomaly.items.index("pipeline_model_duration_slowdown (test warn, 1 rows)")
    assert anomaly.items[slow + 1] == (
        "  dbt_model / int_slowing_down on 2026-03-16: 200 against a median of 20.4 and a "
        "mean of 20.4 (x9.8, z 176, 15 earlier days)")


def flagged(target: Path, database: Path, test: str) -> list[tuple]:
    """The failing rows of a test: its compiled SQL run on the warehouse."""
    sql = (target / "compiled" / "nba_props" / "models" / "marts" / "monitoring"
           / "_monitoring__models.yml" / f"{test}.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_flagged_rows_carry_the_value_and_its_baseline(
    built: tuple[Path, DbtOutcome]
) -> None:
    database, _ = built
    target = database.parent / "target"
    (slow,) = flagged(target, database, "pipeline_model_duration_slowdown")
    assert (slow["pipeline_step"], slow["model_name"], slow["metric_date"]) == (
        "dbt_model", "int_slowing_down", NEWEST)
    assert slow["metric_value"] == SLOW_MODEL_SECONDS and slow["training_points"] == 15
    assert slow["baseline_median"] == pytest.approx(20.4)
    assert slow["ratio_to_median"] == pytest.approx(200 / 20.4)
    (day,) = flagged(target, database, "pipeline_daily_duration_jump")
    assert day["metric_date"] == NEWEST and day["training_points"] == 15
    assert day["zscore"] > 3 and day["metric_value"] == pytest.approx(238.9)


def test_every_dbt_query_carries_the_run_id_in_its_comment(
    built: tuple[Path, DbtOutcome]
) -> None:
    """The query comment (BigQuery: the job labels the cost mart groups by) names the run."""
    database, _ = built
    text = (database.parent / "logs" / "dbt.log").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if '/* {"app": "nba_props"' in line]
    assert comments and all('"run_id": "cost-test-1"' in line for line in comments)
    assert any('"dbt_node": "pipeline_job_costs"' in line for line in comments)
