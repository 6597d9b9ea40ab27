"""Settings of the ML workers, with defaults from the dbt project's vars where they exist."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Relations the workers read (DuckDB schema names; BigQuery datasets of the same names).
FEATURE_STORE = "nba_precompute.ml_feature_store_v2"
PREFERRED_LINES = "nba_reference.player_prop_lines_preferred"
PROP_OUTCOMES = "nba_analytics.prop_outcomes"
PROP_MARKETS = "nba_reference.prop_markets"
# Versions of the game line and of each player's injury status, joined at prediction time.
GAME_LINE_VERSIONS = "nba_reference.game_lines_preferred"
INJURY_VERSIONS = "nba_precompute.injury_status_versioned"

# Walk-forward retraining is anchored on a fixed Monday, so the model used for a date is
# the same whichever day a backtest or a live run starts on.
RETRAIN_EPOCH = date(2000, 1, 3)


@functools.cache
def dbt_vars() -> dict[str, Any]:
    """The vars block of dbt_project.yml (empty when the project file is not there)."""
    path = PROJECT_DIR / "dbt_project.yml"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as fh:
        project = yaml.safe_load(fh) or {}
    return dict(project.get("vars") or {})


def default_retrain_days() -> int:
    return int(dbt_vars().get("ml_retrain_cadence_days", 7))


def default_training_days() -> int | None:
    """Days of history the live workers train on (var ml_training_window_days; 0 = all)."""
    days = int(dbt_vars().get("ml_training_window_days", 0) or 0)
    return days or None


@dataclass(frozen=True)
class PredictSettings:
    """How a worker predicts. Every field is part of what makes a run reproducible."""

    # Markets to predict; empty = every market of the prop_markets seed.
    markets: tuple[str, ...] = ()
    # Systems to run (see nba_props.predict.systems.SYSTEM_IDS); empty = all.
    systems: tuple[str, ...] = ()
    run_mode: str = "live"
    # A play needs this probability edge over the break-even probability of its odds.
    edge_threshold: float = 0.04
    # No play (PASS) for players with fewer season games than this before the game.
    min_games_for_play: int = 5
    retrain_every_days: int = field(default_factory=default_retrain_days)
    # Days of history the models train on (None = everything before the cut-off).
    training_days: int | None = None
    min_training_rows: int = 500
    seed: int = 42
    # How the market's fair probability is read from a price: 'power' or 'multiplicative'
    # (nba_props.predict.devig); and how each system's P(over) is recalibrated on its
    # held-out predictions: 'platt', 'isotonic' or 'none' (nba_props.predict.calibration).
    devig_method: str = "power"
    calibration: str = "platt"
    # Training rows take their line, game line and injury status as of this many minutes
    # after 00:00 UTC of each game's date (a lead-time backtest's clock); None: the closing
    # line and the tip-off context.
    training_line_minute: float | None = None

    def system_options(self) -> dict[str, Any]:
        """The keyword arguments of nba_props.predict.systems.build_systems."""
        return {"seed": self.seed, "devig": self.devig_method, "calibration": self.calibration}

    def training_cutoff(self, game_date: date) -> date:
        """The model for game_date is trained on games strictly before this date (<= game_date)."""
        every = max(1, int(self.retrain_every_days))
        return game_date - timedelta(days=(game_date - RETRAIN_EPOCH).days % every)
