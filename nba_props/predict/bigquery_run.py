"""`nba-props predict` and `backtest` on BigQuery: the worker with BigQueryPredictionIO.

google-cloud-bigquery is imported by the modules this one imports: the CLI imports this
module only for ``--target bigquery``. Settings come from NBA_PROPS_BQ_* (see
nba_props.warehouse.bigquery.BigQuerySettings); the model store is a local folder or a
``gs://`` prefix (NBA_PROPS_MODEL_DIR, --model-dir). Job rows go to
``nba_monitoring.processor_execution_log`` in BigQuery.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from google.cloud import bigquery

from nba_props.backtest.runner import (
    GRADING_SELECTOR,
    BacktestConfig,
    BacktestResult,
    backtest_dates_sql,
    graded_rows_sql,
    model_notes,
    pick_dates,
    season_bounds,
    season_start_sql,
    season_start_year,
    system_ids,
    system_versions,
)
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import SCHEMA as MONITORING_DATASET
from nba_props.orchestrate.execution_log import BigQueryExecutionLog, current_run_id, job
from nba_props.predict.bigquery_io import BigQueryPredictionIO
from nba_props.predict.frame import Frame
from nba_props.predict.model_store import live_store
from nba_props.predict.settings import PredictSettings, default_retrain_days, default_training_days
from nba_props.predict.worker import DateResult, PredictionWorker
from nba_props.warehouse.bigquery import (
    BigQueryConfigError,
    BigQuerySettings,
    api_retry_policy,
    make_client,
    named_parameters,
    read_arrow,
)

log = logging.getLogger(__name__)


class BigQueryRun:
    """Settings, a client and the job log of one BigQuery command (made once)."""

    def __init__(self, settings: BigQuerySettings | None = None, client: Any = None):
        try:
            self.settings = settings or BigQuerySettings.from_env()
            self.client: bigquery.Client = client or make_client(self.settings)
        except BigQueryConfigError as exc:
            raise SystemExit(f"--target bigquery: {exc} (README, BigQuery section)") from None
        self._log: BigQueryExecutionLog | None = None

    @property
    def project(self) -> str:
        return self.client.project or self.settings.project

    def execution_log(self) -> BigQueryExecutionLog:
        """The job log in BigQuery (its dataset created if needed)."""
        if self._log is None:
            dataset = bigquery.Dataset(f"{self.project}.{MONITORING_DATASET}")
            dataset.location = self.settings.location
            self.client.create_dataset(
                dataset, exists_ok=True, retry=api_retry_policy(self.settings.api_deadline_s),
                timeout=self.settings.api_deadline_s,
            )
            self._log = BigQueryExecutionLog(self.client, self.project, MONITORING_DATASET,
                                             timeout_s=self.settings.job_timeout_s)
        return self._log

    def io(self, run_id: str | None = None) -> BigQueryPredictionIO:
        return BigQueryPredictionIO(self.client, self.settings, run_id=current_run_id(run_id))


def predict_bigquery(
    game_date: date,
    *,
    as_of: datetime | None = None,
    markets: Sequence[str] = (),
    systems: Sequence[str] = (),
    edge_threshold: float = 0.04,
    retrain_every_days: int | None = None,
    seed: int = 42,
    model_dir: Path | str | None = None,
    reuse_models: bool | None = None,
    database: Path = Path("data/nba_props.duckdb"),
    run: BigQueryRun | None = None,
    run_id: str | None = None,
    devig_method: str = "power",
    calibration: str = "platt",
) -> DateResult:
    """Predict one date (live) on BigQuery and write it (load job + one MERGE).

    The model store: ``model_dir`` (a folder or gs://...), else NBA_PROPS_MODEL_DIR, else
    ``models/`` beside ``database`` (a local path; no DuckDB file is opened).
    """
    run = run or BigQueryRun()
    settings = PredictSettings(
        markets=tuple(markets), systems=tuple(systems), run_mode="live",
        edge_threshold=edge_threshold, seed=seed,
        retrain_every_days=retrain_every_days or default_retrain_days(),
        training_days=default_training_days(), devig_method=devig_method,
        calibration=calibration,
    )
    worker = PredictionWorker(run.io(run_id), settings, run_id=current_run_id(run_id),
                              model_store=live_store(database, model_dir, reuse_models))
    return worker.predict_date(game_date, as_of or datetime.now(UTC).replace(tzinfo=None))


def predict_logged(run: BigQueryRun, game_date: date, command: str, **kwargs: Any) -> DateResult:
    """predict_bigquery with its job row in BigQuery's processor_execution_log."""
    with job(run.execution_log(), "predict", f"predict {game_date}", command=command,
             run_id=kwargs.get("run_id")) as record:
        result = predict_bigquery(game_date, run=run, **kwargs)
        record.rows_affected = result.predictions_written
        record.set_detail(skipped_reason=result.skipped_reason, warehouse="bigquery",
                          models_reused=result.models_reused)
    return result


def _query(run: BigQueryRun, sql: str, values: Sequence[object], step: str) -> Frame:
    text, params = named_parameters(sql, values)
    table = read_arrow(run.client, text, params, settings=run.settings,
                       job_labels={"component": "backtest", "step": step})
    return Frame.from_arrow(table)


def backtest_dates_bigquery(run: BigQueryRun, io: BigQueryPredictionIO,
                            config: BacktestConfig) -> list[date]:
    year = season_start_year(config.season)
    quoted = io._quoted
    bounds = season_bounds(year)
    dates = _query(run, backtest_dates_sql(len(config.markets), quoted),
                   [*bounds, year, *config.markets], "dates")
    first = _query(run, season_start_sql(quoted), [*bounds, year], "season_start")
    start = first["first_date"][0] if len(first) else None
    season_start = None if start is None or str(start) == "NaT" else _as_date(start)
    return pick_dates([_as_date(d) for d in dates["game_date"]], season_start, config)


def _as_date(value: Any) -> date:
    return date.fromisoformat(str(value)[:10])


def backtest_bigquery(
    config: BacktestConfig,
    *,
    dbt_target: str,
    run: BigQueryRun | None = None,
    grade: bool = True,
    dbt_runner: Any = run_dbt,
    run_id: str | None = None,
) -> BacktestResult:
    """Walk-forward over the season on BigQuery, grade with dbt on ``dbt_target``, and
    summarise the graded rows (the HTML report is written from DuckDB only)."""
    from nba_props.backtest.report import summarise

    started = time.monotonic()
    run = run or BigQueryRun()
    io = run.io(run_id)
    if not config.markets:
        config = replace(config, markets=tuple(io.read_markets()))
    dates = backtest_dates_bigquery(run, io, config)
    if not dates:
        raise ValueError(f"no game dates with lines for {config.season} {config.markets}")
    results: list[DateResult] = []
    with job(run.execution_log(), "predict", f"backtest {config.season}",
             command="nba-props backtest", run_id=run_id) as record:
        worker = PredictionWorker(io, config.settings(), run_id=current_run_id(run_id))
        for game_date in dates:
            results.append(worker.predict_date(game_date, config.as_of(game_date)))
        record.rows_affected = sum(r.predictions_written for r in results)
        record.set_detail(warehouse="bigquery", dates=len(dates), first=dates[0],
                          last=dates[-1])
    grading: DbtOutcome | None = None
    summary: list[dict] = []
    if grade:
        grading = dbt_runner(
            ["build", "--select", GRADING_SELECTOR, "--indirect-selection", "cautious"],
            database=None, target=dbt_target, quiet=True,
            env={"NBA_PROPS_RUN_ID": current_run_id(run_id)},
        )
        pairs = system_versions(config)
        sql = graded_rows_sql(len(config.markets), len(pairs), io._quoted)
        values: list[object] = [dates[0], dates[-1], *config.markets]
        for system_id, version in pairs:
            values += [system_id, version]
        rows = _query(run, sql, values, "graded_rows")
        summary = summarise(rows, config.markets, system_ids(config), config.devig_method)
    log.info("backtest %s on BigQuery: %d dates; %s", config.season, len(dates),
             model_notes(worker)[:1])
    return BacktestResult(config, results, grading, None, time.monotonic() - started, summary)
