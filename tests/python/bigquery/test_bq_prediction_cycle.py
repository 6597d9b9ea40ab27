"""One prediction cycle on bqemulator, compared row by row with DuckDB.

The first 10 days of the SYNTHETIC season are loaded into both warehouses (each through its
own loader) and the worker's inputs are built on both by dbt: on the emulator that is
ml_feature_store_v2, player_prop_lines_preferred, prop_outcomes and every model
upstream of them. Then, for one date, on each engine: read (one query) -> predict -> write
(DuckDB: one transaction; BigQuery: a load job into a staging table and one MERGE) ->
grade (dbt: prediction_accuracy and its children). The predictions must agree within float
tolerance and the grades exactly. Finally `run_day` with ``warehouse="bigquery"`` runs the
whole day against the emulator (load, dbt build, predict, grade, job log).

Runs in `make test` (NBA_PROPS_BQ_EMULATOR=bqemulator); a few minutes on two cores.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nba_props.predict.contract import COLUMN_NAMES, QUALIFIED_TABLE
from nba_props.predict.settings import PredictSettings
from nba_props.predict.systems import SYSTEM_IDS
from nba_props.predict.worker import DateResult, PredictionWorker, closing_as_of
from nba_props.warehouse.emulator import EMULATOR_PROJECT, emulator_profile, running_emulator
from tests.python.bigquery.emulator_slice import (
    DAYS,
    FIRST_DAY,
    GRADING,
    NEVER_BUILT_BEFORE,
    WORKER_INPUTS,
    EmulatorDbt,
    build_duckdb,
    land_slice,
)

KIND = os.environ.get("NBA_PROPS_BQ_EMULATOR", "")
pytestmark = [
    pytest.mark.bq_emulator,
    pytest.mark.skipif(KIND != "bqemulator",
                       reason="set NBA_PROPS_BQ_EMULATOR=bqemulator (as `make test` does)"),
]
DAY = FIRST_DAY + timedelta(days=DAYS - 1)  # the slice's last day: played, so graded
MARKETS = ("player_points", "player_threes")
SETTINGS = PredictSettings(markets=MARKETS, run_mode="live", retrain_every_days=1,
                           min_training_rows=200, seed=42)
# Written by the run, not by the model: never compared. model_version is compared without
# its digest (see _versions).
VOLATILE = {"run_id", "created_at", "model_version"}
GRADE_COLUMNS = ("prediction_id", "system_id", "market", "game_status", "grade_status",
                 "actual_value", "absolute_error", "line_outcome", "lean_result",
                 "bet_result", "bet_odds", "units_staked")


@dataclass
class Emulator:
    settings: Any  # BigQuerySettings
    client: Any  # google.cloud.bigquery.Client
    dbt: EmulatorDbt
    landing: Path
    built: set[str]  # models the fixture built on the emulator

    def rows(self, sql: str, **params: object) -> list[dict[str, Any]]:
        from google.cloud import bigquery

        from nba_props.warehouse.bigquery import query_parameters

        config = bigquery.QueryJobConfig(query_parameters=query_parameters(params))
        return [dict(r.items()) for r in self.client.query(sql, job_config=config).result(
            timeout=120)]

    def table(self, name: str) -> str:
        return f"`{EMULATOR_PROJECT}.{name}`"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bq_cycle")


@pytest.fixture(scope="module")
def sliced(work: Path) -> tuple[Path, dict[str, list[Path]]]:
    return land_slice(work)


@pytest.fixture(scope="module")
def duck(work: Path, sliced: tuple[Path, dict[str, list[Path]]]) -> Path:
    database = work / "duck.duckdb"
    build_duckdb(database, sliced[1], work / "duck")
    return database


@pytest.fixture(scope="module")
def emulator(work: Path, sliced: tuple[Path, dict[str, list[Path]]]) -> Iterator[Emulator]:
    from nba_props.load.bigquery_loader import BigQueryLoader, LoadOptions
    from nba_props.warehouse.bigquery import BigQuerySettings, make_client

    landing, files = sliced
    with running_emulator(KIND, work / "emu") as emu:
        settings = BigQuerySettings(project=EMULATOR_PROJECT, api_endpoint=emu.endpoint,
                                    job_timeout_s=300)
        client = make_client(settings)
        loader = BigQueryLoader(client, settings=settings,
                                options=LoadOptions.for_emulator(KIND), run_id="cycle")
        for table, paths in files.items():
            loader.load(table, paths)
        profiles = work / "profiles"
        profiles.mkdir(exist_ok=True)
        (profiles / "profiles.yml").write_text(emulator_profile(emu.endpoint))
        dbt = EmulatorDbt(profiles, work / "emu_dbt", [])
        dbt(["seed"])
        run = dbt(["run", "--select", WORKER_INPUTS])
        built = {n.unique_id.split(".")[-1] for n in run.nodes if n.status == "success"}
        assert {"player_game_summary", "player_daily_cache", "player_shot_zone_analysis",
                "player_composite_factors", "ml_feature_store_v2"} <= built
        assert all(n.status == "success" for n in run.nodes)
        yield Emulator(settings, client, dbt, landing, built)


def _duckdb_rows(database: Path, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with duckdb.connect(str(database), read_only=True) as con:
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# Features agree to 1e-6 (relative, or absolute near 0): the engines sum and divide in their
# own order (shot-zone shares differ in the 8th digit). The fitted models carry that noise
# into the predicted values: the similarity system's nearest neighbours (and the ensemble
# that averages it) move most, up to 4.2e-4 relative seen (2026-12-02, 188 of 1,400
# values differ at all); the per-market recalibration of P(over), fitted on the slice's
# thin held-out window, carries it further into the probabilities and confidence (up to
# 1.3e-3 relative seen; 1.5e-4 on 2026-11-30, so it moves between runs of the emulator),
# so those agree to 2e-3, absolute near 0 (edges are differences of probabilities).
# Strings (recommendations), ids and dates must be equal.
FEATURE_TOL = 1e-6
PREDICTION_TOL = 2e-3


def _same(a: Any, b: Any, tol: float = FEATURE_TOL) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol)
    if hasattr(a, "tzinfo") and getattr(b, "tzinfo", None) is not None:
        b = b.replace(tzinfo=None)  # BigQuery TIMESTAMP (UTC) vs DuckDB naive UTC
    return bool(a == b)


def _diff(left: list[dict[str, Any]], right: list[dict[str, Any]], key: str,
          tol: float = FEATURE_TOL) -> list[str]:
    assert [r[key] for r in left] == [r[key] for r in right]
    return [f"{row[key]}.{c}: {row[c]!r} != {other[c]!r}"
            for row, other in zip(left, right, strict=True) for c in row
            if c in other and not _same(row[c], other[c], tol)]


def _pop_close(ours: dict[str, Any], theirs: dict[str, Any], column: str, tol: float,
               label: object) -> None:
    """Take ``column`` out of both rows, asserting both are null or within ``tol``
    (absolute): for values checked on another scale than _diff's relative one."""
    pair = ours.pop(column), theirs.pop(column)
    assert (pair[0] is None) == (pair[1] is None), (label, column)
    if pair[0] is not None:
        assert abs(pair[0] - pair[1]) <= tol, (label, column, pair)


def test_the_feature_store_is_the_same_on_both_engines(duck: Path, emulator: Emulator) -> None:
    """ml_feature_store_v2 built on bqemulator equals DuckDB's, for the predicted day."""
    sql = "select * from {} where game_date = {} order by market, game_id, player_id"
    ours = _duckdb_rows(duck, sql.format("nba_precompute.ml_feature_store_v2", "?"), [DAY])
    theirs = emulator.rows(sql.format(emulator.table("nba_precompute.ml_feature_store_v2"),
                                      "@day"), day=DAY)
    assert len(ours) == len(theirs) > 100
    keyed = [{**r, "key": f"{r['market']}|{r['game_id']}|{r['player_id']}"} for r in ours]
    other = [{**r, "key": f"{r['market']}|{r['game_id']}|{r['player_id']}"} for r in theirs]
    assert set(ours[0]) == set(theirs[0])
    assert _diff(keyed, other, "key") == []
    counts = "select count(*) as n, count(distinct game_date) as days from {}"
    assert _duckdb_rows(duck, counts.format("nba_precompute.ml_feature_store_v2"), []) == (
        emulator.rows(counts.format(emulator.table("nba_precompute.ml_feature_store_v2"))))


def _keyed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "key": f"{r['run_mode']}|{r['system_id']}|{r['market']}"} for r in rows]


def _versions(result: DateResult) -> dict[str, str]:
    return {k: v.rsplit("-", 1)[0] for k, v in result.model_versions.items()}


def _predict_duckdb(database: Path) -> DateResult:
    with duckdb.connect(str(database)) as con:
        return PredictionWorker(con, SETTINGS, run_id="duck").predict_date(
            DAY, closing_as_of(DAY))


def _predict_bigquery(emulator: Emulator, run_id: str) -> DateResult:
    from nba_props.predict.bigquery_io import BigQueryPredictionIO

    io = BigQueryPredictionIO(emulator.client, emulator.settings, run_id=run_id)
    return PredictionWorker(io, SETTINGS, run_id=run_id).predict_date(DAY, closing_as_of(DAY))


def test_one_cycle_matches_duckdb(duck: Path, emulator: Emulator, work: Path) -> None:
    """read -> predict -> write -> grade, for one date, on both engines."""
    from nba_props.orchestrate.dbt import run_dbt

    ours = _predict_duckdb(duck)
    theirs = _predict_bigquery(emulator, "bq-1")
    assert ours.rows_read == theirs.rows_read > 50
    assert theirs.predictions_written == ours.predictions_written == (
        ours.rows_read * len(SYSTEM_IDS))
    assert theirs.training_cutoff == ours.training_cutoff == DAY
    # Same systems, feature version, cut-off and seed; the digest at the end hashes the
    # training set's exact bits, which differ where the engines' floats do (8th digit).
    assert _versions(theirs) == _versions(ours)

    # Written: the same rows, values within float tolerance (all but run id and time).
    columns = [c for c in COLUMN_NAMES if c not in VOLATILE]
    select = f"select {', '.join(columns)} from {{}} where game_date = {{}} order by prediction_id"
    duck_rows = _duckdb_rows(duck, select.format(QUALIFIED_TABLE, "?"), [DAY])
    bq_rows = emulator.rows(select.format(emulator.table(QUALIFIED_TABLE), "@day"), day=DAY)
    assert len(bq_rows) == len(duck_rows) == ours.predictions_written
    assert _diff(duck_rows, bq_rows, "prediction_id", PREDICTION_TOL) == []

    # Idempotent: a second run replaces the date's rows (one MERGE), never duplicates.
    again = _predict_bigquery(emulator, "bq-2")
    assert again.predictions_written == theirs.predictions_written
    runs = emulator.rows(
        f"select run_id, count(*) as n from {emulator.table(QUALIFIED_TABLE)} "
        "where game_date = @day group by run_id", day=DAY)
    assert runs == [{"run_id": "bq-2", "n": theirs.predictions_written}]
    stages = emulator.rows(
        f"select count(*) as n from `{EMULATOR_PROJECT}.nba_predictions.INFORMATION_SCHEMA"
        ".TABLES` where starts_with(table_name, '_stage_')")
    assert stages == [{"n": 0}]  # every staging table dropped

    # Graded by dbt on each engine: the same grade for every prediction.
    run_dbt(list(GRADING), database=duck, target_path=work / "duck" / "target",
            log_path=work / "duck" / "logs", quiet=True)
    emulator.dbt(list(GRADING))
    grades = (f"select {', '.join(GRADE_COLUMNS)} from {{}} where game_date = {{}} "
              "order by prediction_id")
    duck_grades = _duckdb_rows(duck, grades.format("nba_predictions.prediction_accuracy", "?"),
                               [DAY])
    bq_grades = emulator.rows(
        grades.format(emulator.table("nba_predictions.prediction_accuracy"), "@day"), day=DAY)
    assert len(bq_grades) == len(duck_grades) == ours.predictions_written
    # The absolute error differs between engines by at most the predicted values' own
    # difference (within PREDICTION_TOL of the value, compared above): checked on that
    # scale, since relative to a small error the same gap looks large.
    predicted = {r["prediction_id"]: r["predicted_value"] for r in duck_rows}
    for ours_grade, their_grade in zip(duck_grades, bq_grades, strict=True):
        scale = PREDICTION_TOL * max(abs(predicted[ours_grade["prediction_id"]]), 1.0)
        _pop_close(ours_grade, their_grade, "absolute_error", scale,
                   ours_grade["prediction_id"])
    assert _diff(duck_grades, bq_grades, "prediction_id", PREDICTION_TOL) == []
    assert {g["grade_status"] for g in bq_grades} <= {"graded", "void"}
    assert sum(g["grade_status"] == "graded" for g in bq_grades) > len(bq_grades) // 2
    daily = ("select * from {} where game_date = {} "
             "order by run_mode, system_id, system_version, market")
    duck_daily = _keyed(_duckdb_rows(
        duck, daily.format("nba_predictions.system_daily_performance", "?"), [DAY]))
    bq_daily = _keyed(emulator.rows(
        daily.format(emulator.table("nba_predictions.system_daily_performance"), "@day"),
        day=DAY))
    assert len(duck_daily) == len(bq_daily) == len(SYSTEM_IDS) * len(MARKETS)
    # Signed errors cancel in a sum, so their gap is checked on the scale of the predicted
    # values behind them (PREDICTION_TOL of the group's total), like the absolute error.
    totals: dict[str, float] = {}
    for r in duck_rows:
        key = f"{r['run_mode']}|{r['system_id']}|{r['market']}"
        totals[key] = totals.get(key, 0.0) + abs(r["predicted_value"] or 0.0)
    for ours_day, their_day in zip(duck_daily, bq_daily, strict=True):
        scale = PREDICTION_TOL * max(totals.get(ours_day["key"], 0.0), 1.0)
        n = max(ours_day["n_graded"] or 0, 1)
        _pop_close(ours_day, their_day, "sum_signed_error", scale, ours_day["key"])
        _pop_close(ours_day, their_day, "bias", scale / n, ours_day["key"])
    assert _diff(duck_daily, bq_daily, "key", PREDICTION_TOL) == []


def test_daily_on_bigquery_predicts_and_grades(emulator: Emulator, work: Path) -> None:
    """`nba-props daily --target bigquery` on the emulator: load, build, predict, grade."""
    from nba_props.load.bigquery_loader import LoadOptions
    from nba_props.orchestrate.daily import DailyConfig, run_day

    day = DAY + timedelta(days=1)  # not in the slice yet: its files load now
    cfg = DailyConfig(
        database=work / "never-written.duckdb", landing=emulator.landing, target="emulator",
        warehouse="bigquery", mode="replay", lookback_days=1, run_id="bq-daily",
        bigquery=emulator.settings, bigquery_client=emulator.client,
        load_options=LoadOptions.for_emulator(KIND), dbt_runner=emulator.dbt,
    )
    result = run_day(day, cfg)
    assert result.outcome == "built" and result.rows_loaded > 0
    assert [s.step for s in result.steps if not s.step.startswith("load ")] == [
        "dbt build", "predict", "grade"]
    assert result.predictions > 0 and not result.notes
    # The whole project was built on the emulator (all but EMULATOR_EXCLUDE), models and
    # data tests, among them the models no emulator had built before.
    build = result.dbt[0]
    models = {n.unique_id.split(".")[-1] for n in build.nodes if n.resource_type == "model"}
    assert {n.status for n in build.nodes if n.resource_type == "model"} == {"success"}
    assert set(NEVER_BUILT_BEFORE) <= models | emulator.built
    assert build.count("test", "pass") > 100 and build.count("test", "fail") == 0
    players = emulator.rows("select count(*) as n from "
                            f"{emulator.table('nba_reference.current_season_players_mv')}")
    assert players[0]["n"] > 100
    assert emulator.dbt.calls[-2][:3] == ["build", "--exclude-resource-type", "unit_test"]
    assert "source:nba_predictions+" in emulator.dbt.calls[-1]

    written = emulator.rows(
        f"select count(*) as n from {emulator.table(QUALIFIED_TABLE)} "
        "where game_date = @day and run_id = @run", day=day, run="bq-daily")
    assert written == [{"n": result.predictions}]
    graded = emulator.rows(
        "select count(*) as n, countif(grade_status = 'graded') as graded from "
        f"{emulator.table('nba_predictions.prediction_accuracy')} where game_date = @day",
        day=day)
    assert graded[0]["n"] == result.predictions and graded[0]["graded"] > 0
    jobs = emulator.rows(
        "select job_type, status, rows_affected, target_name from "
        f"{emulator.table('nba_monitoring.processor_execution_log')} "
        "where run_id = @run and job_type = 'predict'", run="bq-daily")
    assert jobs == [{"job_type": "predict", "status": "success",
                     "rows_affected": result.predictions, "target_name": "bigquery"}]
    dbt_rows = emulator.rows(
        "select count(*) as n from "
        f"{emulator.table('nba_monitoring.processor_execution_log')} "
        "where run_id = @run and job_type not in ('load', 'predict', 'scrape')", run="bq-daily")
    assert dbt_rows[0]["n"] > 0  # dbt's on-run-end hook logged its nodes there too


def test_the_worker_reads_one_query_per_date(emulator: Emulator) -> None:
    """The prediction read is ONE parameterized query (a training read only on a new
    cut-off), visible as jobs labelled by step."""
    from nba_props.predict.bigquery_io import BigQueryPredictionIO

    io = BigQueryPredictionIO(emulator.client, emulator.settings, run_id="count")
    calls: list[str] = []
    original = emulator.client.query

    def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
        config = kwargs.get("job_config")
        calls.append((config.labels or {}).get("step", "?") if config else "?")
        assert config is None or "@" not in sql or config.query_parameters
        return original(sql, *args, **kwargs)

    emulator.client.query = counting  # type: ignore[method-assign]
    try:
        worker = PredictionWorker(io, SETTINGS, run_id="count")
        worker.predict_date(DAY, closing_as_of(DAY))
        first = list(calls)
        calls.clear()
        worker.predict_date(DAY, closing_as_of(DAY))  # same cut-off: no training read
    finally:
        emulator.client.query = original  # type: ignore[method-assign]
    assert first.count("read_features") == 1 and first.count("read_training") == 1
    assert first.count("merge") == 1
    assert calls.count("read_features") == 1 and "read_training" not in calls
    assert date.fromisoformat(str(DAY)) == DAY


def test_nba_props_predict_on_bigquery(emulator: Emulator, work: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`nba-props predict --target bigquery`: settings from NBA_PROPS_BQ_*, the predictions
    and the job row in the emulator, models saved and then reused from --model-dir."""
    from nba_props import cli

    monkeypatch.setenv("NBA_PROPS_BQ_PROJECT", EMULATOR_PROJECT)
    monkeypatch.setenv("NBA_PROPS_BQ_API_ENDPOINT", emulator.settings.api_endpoint)
    monkeypatch.setenv("NBA_PROPS_RUN_ID", "bq-cli")
    models = work / "cli_models"
    argv = ["predict", "--date", DAY.isoformat(), "--as-of", closing_as_of(DAY).isoformat(),
            "--target", "bigquery", "--model-dir", str(models),
            "--market", MARKETS[0], "--system", "moving_average"]
    assert cli.main(argv) == 0
    assert "models trained" in capsys.readouterr().out
    assert cli.main(argv) == 0
    assert "models reused" in capsys.readouterr().out
    assert len(list(models.glob("*.models"))) == 1
    rows = emulator.rows(
        f"select count(*) as n from {emulator.table(QUALIFIED_TABLE)} where game_date = @day "
        "and run_id = @run and system_id = 'moving_average' and market = @market",
        day=DAY, run="bq-cli", market=MARKETS[0])
    assert rows[0]["n"] > 20
    jobs = emulator.rows(
        "select status, rows_affected, command from "
        f"{emulator.table('nba_monitoring.processor_execution_log')} "
        "where run_id = @run and job_type = 'predict'", run="bq-cli")
    assert jobs == [{"status": "success", "rows_affected": rows[0]["n"],
                     "command": "nba-props predict"}] * 2


def test_backtest_on_bigquery(emulator: Emulator) -> None:
    """`nba-props backtest --target bigquery`: walk-forward on BigQuery, graded by dbt on
    the emulator target, summarised from BigQuery's prediction_accuracy."""
    from nba_props.backtest import BacktestConfig
    from nba_props.backtest.bigquery_run import backtest_bigquery
    from nba_props.predict.bigquery_run import BigQueryRun

    config = BacktestConfig(season="2025-26", markets=MARKETS, systems=("moving_average",),
                            start=DAY - timedelta(days=1), end=DAY, retrain_every_days=1,
                            min_training_rows=200)
    result = backtest_bigquery(config, dbt_target="emulator",
                               run=BigQueryRun(emulator.settings, emulator.client),
                               dbt_runner=emulator.dbt, run_id="bq-backtest")
    days = [r.game_date for r in result.dates]
    assert DAY in days and set(days) <= {DAY - timedelta(days=1), DAY}
    written = sum(r.predictions_written for r in result.dates)
    assert written > 0 and result.grading is not None and result.grading.success
    graded = emulator.rows(
        "select count(*) as n from "
        f"{emulator.table('nba_predictions.prediction_accuracy')} "
        "where run_mode = 'backtest' and game_date between @first and @last",
        first=days[0], last=days[-1])
    assert graded == [{"n": written}]
    assert {(s["market"], s["system"]) for s in result.summary} >= {
        (m, "moving_average") for m in MARKETS}
    jobs = emulator.rows(
        "select job_name, rows_affected from "
        f"{emulator.table('nba_monitoring.processor_execution_log')} "
        "where run_id = @run and job_type = 'predict'", run="bq-backtest")
    assert jobs == [{"job_name": "backtest 2025-26", "rows_affected": written}]
