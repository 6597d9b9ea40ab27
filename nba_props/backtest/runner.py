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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import duckdb

from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.predict.reader import read_markets
from nba_props.predict.settings import FEATURE_STORE, PREFERRED_LINES, PredictSettings
from nba_props.predict.worker import DateResult, PredictionWorker, closing_as_of

log = logging.getLogger(__name__)

GRADING_SELECTOR = "stg_nba_predictions__player_prop_predictions+"
ACCURACY = "nba_predictions.prediction_accuracy"


def season_start_year(season: str | int) -> int:
    """'2024-25' or 2024 -> 2024."""
    text = str(season)
    return int(text.split("-")[0])


@dataclass(frozen=True)
class BacktestConfig:
    season: str
    markets: tuple[str, ...] = ()  # empty: every market of the prop_markets seed
    systems: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    retrain_every_days: int | None = None
    edge_threshold: float = 0.04
    # 'closing' (the last pre-game line) or 'HH:MM' (UTC, on the game date).
    line_as_of: str = "closing"
    # Days after the season's first game before the first prediction (history to learn from).
    warmup_days: int = 21
    min_training_rows: int = 500
    seed: int = 42
    devig_method: str = "power"
    calibration: str = "platt"
    # With line_as_of 'HH:MM': train on the lines and context valid at that clock time of
    # each training game's date (else on closing lines: a train/predict mismatch).
    train_at_lead: bool = True

    def settings(self) -> PredictSettings:
        kwargs: dict[str, object] = {}
        if self.retrain_every_days is not None:
            kwargs["retrain_every_days"] = self.retrain_every_days
        if self.line_as_of != "closing" and self.train_at_lead:
            hour, minute = (int(x) for x in self.line_as_of.split(":"))
            kwargs["training_line_minute"] = float(hour * 60 + minute)
        return PredictSettings(
            markets=tuple(self.markets), systems=tuple(self.systems), run_mode="backtest",
            edge_threshold=self.edge_threshold, min_training_rows=self.min_training_rows,
            seed=self.seed, devig_method=self.devig_method, calibration=self.calibration,
            **kwargs,
        )

    def as_of(self, game_date: date) -> datetime:
        if self.line_as_of == "closing":
            return closing_as_of(game_date)
        hour, minute = (int(x) for x in self.line_as_of.split(":"))
        return datetime.combine(game_date, dtime(hour, minute))


@dataclass
class BacktestResult:
    config: BacktestConfig
    dates: list[DateResult]
    grading: DbtOutcome | None
    report_path: Path | None
    seconds: float
    summary: list[dict] = field(default_factory=list)
    # Per retraining cut-off, per system and market: the promotion gate applied.
    gates: dict = field(default_factory=dict)


def season_bounds(year: int) -> tuple[date, date]:
    """The dates a season's games fall in (July 1 to June 30): a partition filter for
    BigQuery, whose large facts require one (require_partition_filter)."""
    return date(year, 7, 1), date(year + 1, 6, 30)


def backtest_dates_sql(n_markets: int, relation: Callable[[str], str] = str) -> str:
    """Game dates of a season with a line in the markets (``?``: the season's bounds,
    season year, *markets)."""
    markets = ", ".join("?" for _ in range(n_markets))
    return f"""
select distinct features.game_date
from {relation(FEATURE_STORE)} as features
inner join {relation(PREFERRED_LINES)} as lines
    on
        features.game_id = lines.game_id
        and features.player_id = lines.player_id
        and features.market = lines.market
where
    features.game_date between ? and ?
    and features.season_start_year = ?
    and features.market in ({markets})
order by features.game_date
"""  # noqa: S608


def season_start_sql(relation: Callable[[str], str] = str) -> str:
    """The season's first game date (``?``: the season's bounds, season year)."""
    return (f"select min(game_date) as first_date from {relation(FEATURE_STORE)} "  # noqa: S608
            "where game_date between ? and ? and season_start_year = ?")


def pick_dates(dates: list[date], season_start: date | None,
               config: BacktestConfig) -> list[date]:
    """The dates after the warm-up (or from config.start), up to config.end."""
    if season_start is None:
        return []
    begin = config.start or season_start + timedelta(days=config.warmup_days)
    return [d for d in dates if d >= begin and (config.end is None or d <= config.end)]


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
        from nba_props.backtest.report import write_report

        report_path, summary = write_report(
            Path(database), config, Path(out_dir), dates=dates, date_results=results,
            seconds=time.monotonic() - started, notes=notes, gates=gates,
        )
    return BacktestResult(config, results, grading, report_path, time.monotonic() - started,
                          summary, gates)


def graded_rows_sql(n_markets: int, n_systems: int,
                    relation: Callable[[str], str] = str) -> str:
    """Graded backtest rows of the markets and (system_id, system_version)s, in a window."""
    markets = ", ".join("?" for _ in range(n_markets))
    systems = " or ".join("(system_id = ? and system_version = ?)" for _ in range(n_systems))
    return f"""
select *
from {relation(ACCURACY)}
where run_mode = 'backtest'
    and game_date between ? and ?
    and market in ({markets})
    and ({systems})
order by system_id, market, game_date, game_id, player_id
"""  # noqa: S608


def system_ids(config: BacktestConfig) -> list[str]:
    from nba_props.predict.systems import SYSTEM_IDS

    return list(config.systems) or list(SYSTEM_IDS)


def system_versions(config: BacktestConfig) -> list[tuple[str, str]]:
    """(system_id, system_version) of the systems the backtest runs (current code)."""
    from nba_props.predict.systems import BASE_SYSTEMS, EnsembleSystem

    versions = {k: v.system_version for k, v in BASE_SYSTEMS.items()}
    versions[EnsembleSystem.system_id] = EnsembleSystem.system_version
    return [(s, versions[s]) for s in system_ids(config)]


def model_notes(worker: PredictionWorker) -> list[str]:
    """What the last models learnt: ensemble weights and the strongest boosted-tree features."""
    from nba_props.predict.systems import (
        EnsembleSystem,
        GradientBoostingSystem,
        MarketAnchoredSystem,
    )

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
