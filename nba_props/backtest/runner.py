"""Run the ML worker walk-forward over a season, grade with dbt, and write a report.

For every game date of the season (after a warm-up) the production worker predicts as of
the prediction time (closing lines by default, or a fixed UTC time on the game date), with
models trained only on games before their walk-forward cut-off. Predictions are written
with run_mode = 'backtest' (they never replace live predictions), graded by the dbt
grading marts, and summarised per system and market against the line itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from nba_props.backtest.config import (
    BacktestConfig,
    BacktestResult,
    pick_dates,
    season_bounds,
    season_start_year,
)
from nba_props.backtest.queries import GRADING_SELECTOR, backtest_dates_sql, season_start_sql
from nba_props.backtest.report import write_report
from nba_props.orchestrate.dbt import run_dbt
from nba_props.predict.reader import read_markets
from nba_props.predict.systems import EnsembleSystem, GradientBoostingSystem, MarketAnchoredSystem
from nba_props.predict.worker import DateResult, PredictionWorker

log = logging.getLogger(__name__)


def backtest_dates(con: duckdb.DuckDBPyConnection, config: BacktestConfig) -> list[date]:
    """Game dates of the season with at least one line in the markets, after the warm-up."""
    year = season_start_year(config.season)
    sql = backtest_dates_sql(len(config.markets))
    bounds = season_bounds(year)
    dates = [r[0] for r in con.execute(sql, [*bounds, year, *config.markets]).fetchall()]
    first = con.execute(season_start_sql(), [*bounds, year]).fetchone()
    return pick_dates(dates, first[0] if first and first[0] else None, config)


def run_backtest(
    database: Path,
    config: BacktestConfig,
    out_dir: Path | None = None,
    *,
    grade: bool = True,
    target_path: Path | None = None,
    log_path: Path | None = None,
) -> BacktestResult:
    """Walk-forward over the season, grade with dbt, and (with out_dir) write the report."""
    started = time.monotonic()
    results: list[DateResult] = []
    with duckdb.connect(str(database)) as con:
        if not config.markets:
            config = replace(config, markets=tuple(read_markets(con)))
        dates = backtest_dates(con, config)
        if not dates:
            raise ValueError(f"no game dates with lines for {config.season} {config.markets}")
        worker = PredictionWorker(con, config.settings())
        gates: dict = {}
        log.info("backtest %s: %d dates, markets %s", config.season, len(dates),
                 ", ".join(config.markets))
        for n, game_date in enumerate(dates, start=1):
            result = worker.predict_date(game_date, config.as_of(game_date))
            results.append(result)
            if result.training_cutoff and result.training_cutoff not in gates:
                gates[result.training_cutoff] = {s.system_id: dict(s.gate)
                                                 for s in worker.fitted_systems}
            log.info("%s (%d of %d): %d rows, %d predictions", game_date, n, len(dates),
                     result.rows_read, result.predictions_written)
        notes = model_notes(worker)
    grading = None
    if grade:
        out = Path(out_dir) if out_dir else Path(database).parent
        grading = run_dbt(
            ["build", "--select", GRADING_SELECTOR, "--indirect-selection", "cautious"],
            database=Path(database),
            target_path=target_path or out / "_dbt" / "target",
            log_path=log_path or out / "_dbt" / "logs",
            quiet=True,
        )
    report_path = None
    summary: list[dict] = []
    if grade and out_dir is not None:
        report_path, summary = write_report(
            Path(database), config, Path(out_dir), dates=dates, date_results=results,
            seconds=time.monotonic() - started, notes=notes, gates=gates,
        )
    return BacktestResult(config, results, grading, report_path, time.monotonic() - started,
                          summary, gates)


def model_notes(worker: PredictionWorker) -> list[str]:
    """What the last models learnt: ensemble weights and the strongest boosted-tree features."""
    notes = []
    for system in worker.fitted_systems:
        if isinstance(system, MarketAnchoredSystem):
            gains = system.feature_importance()
            total = sum(gains.values()) or 1.0
            top = sorted(gains.items(), key=lambda kv: -kv[1])[:6]
            parts = ", ".join(f"{k} {v / total:.0%}" for k, v in top) or "none"
            notes.append(f"market_anchored, last model: {system.rounds} residual trees "
                         f"(0 = the market's own mean); top residual features: {parts}")
        if isinstance(system, EnsembleSystem):
            for market, weights in system.describe_weights().items():
                parts = ", ".join(f"{k} {v:.2f}" for k, v in weights.items())
                notes.append(f"ensemble weights of the last model, {market}: {parts}")
        if isinstance(system, GradientBoostingSystem):
            for market, gains in system.feature_importance().items():
                total = sum(gains.values()) or 1.0
                top = sorted(gains.items(), key=lambda kv: -kv[1])[:6]
                parts = ", ".join(f"{k} {v / total:.0%}" for k, v in top)
                notes.append(f"gradient_boosting top features (gain), {market}: {parts}")
    return notes
