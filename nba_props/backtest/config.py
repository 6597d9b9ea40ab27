"""What a backtest is: its configuration, its result, and the season's calendar.

Shared by the runner (DuckDB), the BigQuery runner (nba_props.predict.bigquery_run) and
the report, which import this module, never each other's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from nba_props.orchestrate.dbt import DbtOutcome
from nba_props.predict.settings import PredictSettings
from nba_props.predict.systems import BASE_SYSTEMS, SYSTEM_IDS, EnsembleSystem
from nba_props.predict.worker import DateResult, closing_as_of


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


def pick_dates(dates: list[date], season_start: date | None,
               config: BacktestConfig) -> list[date]:
    """The dates after the warm-up (or from config.start), up to config.end."""
    if season_start is None:
        return []
    begin = config.start or season_start + timedelta(days=config.warmup_days)
    return [d for d in dates if d >= begin and (config.end is None or d <= config.end)]


def default_report_dir(season: str, markets: tuple[str, ...] | list[str]) -> Path:
    """Where `nba-props backtest` writes its report without --out."""
    return Path("reports") / f"backtest_{season}_{'_'.join(markets) or 'all_markets'}"


def system_ids(config: BacktestConfig) -> list[str]:
    return list(config.systems) or list(SYSTEM_IDS)


def system_versions(config: BacktestConfig) -> list[tuple[str, str]]:
    """(system_id, system_version) of the systems the backtest runs (current code)."""
    versions = {k: v.system_version for k, v in BASE_SYSTEMS.items()}
    versions[EnsembleSystem.system_id] = EnsembleSystem.system_version
    return [(s, versions[s]) for s in system_ids(config)]


