"""`nba-props backtest --target bigquery`: the walk-forward on BigQuery, graded by dbt.

The worker writes through nba_props.predict.bigquery_run's BigQueryRun (settings from
NBA_PROPS_BQ_*, the job row in BigQuery's processor_execution_log); the dates and the
graded rows are read with the DuckDB runner's SQL (nba_props.backtest.queries), qualified
for BigQuery. The HTML report is written from DuckDB only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from nba_props.backtest.config import (
    BacktestConfig,
    BacktestResult,
    pick_dates,
    season_bounds,
    season_start_year,
    system_ids,
    system_versions,
)
from nba_props.backtest.queries import (
    GRADING_SELECTOR,
    backtest_dates_sql,
    graded_rows_sql,
    season_start_sql,
)
from nba_props.backtest.report import summarise
from nba_props.backtest.runner import model_notes
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import current_run_id, job
from nba_props.predict.bigquery_io import BigQueryPredictionIO
from nba_props.predict.bigquery_run import BigQueryRun
from nba_props.predict.frame import Frame
from nba_props.predict.worker import DateResult, PredictionWorker
from nba_props.warehouse.bigquery import named_parameters, read_arrow

log = logging.getLogger(__name__)


def _query(run: BigQueryRun, sql: str, values: Sequence[object], step: str) -> Frame:
    text, params = named_parameters(sql, values)
    table = read_arrow(run.client, text, params, settings=run.settings,
                       job_labels={"component": "backtest", "step": step})
    return Frame.from_arrow(table)


def backtest_dates_bigquery(run: BigQueryRun, io: BigQueryPredictionIO,
                            config: BacktestConfig) -> list[date]:
    year = season_start_year(config.season)
    quoted = io.relation
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
        sql = graded_rows_sql(len(config.markets), len(pairs), io.relation)
        values: list[object] = [dates[0], dates[-1], *config.markets]
        for system_id, version in pairs:
            values += [system_id, version]
        rows = _query(run, sql, values, "graded_rows")
        summary = summarise(rows, config.markets, system_ids(config), config.devig_method)
    log.info("backtest %s on BigQuery: %d dates; %s", config.season, len(dates),
             model_notes(worker)[:1])
    return BacktestResult(config, results, grading, None, time.monotonic() - started, summary)
