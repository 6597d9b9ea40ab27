"""Predict one date on DuckDB: the service `nba-props predict`, `daily` and `run` call.

The BigQuery twin is nba_props.predict.bigquery_run.predict_bigquery; both build their
settings with PredictSettings.live. The CLI wiring is in nba_props.predict.cli.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from nba_props.predict.live_store import live_store
from nba_props.predict.settings import PredictSettings
from nba_props.predict.worker import DateResult, PredictionWorker


def predict(
    database: Path,
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
    devig_method: str = "power",
    calibration: str = "platt",
) -> DateResult:
    """Predict one date (live run mode) and write the predictions; returns what was done.

    as_of is the prediction time (UTC): the lines valid then are used (default: now).
    Fitted models are saved to model_dir (default: env NBA_PROPS_MODEL_DIR, else models/
    beside the database) and reused by later runs with the same training set;
    reuse_models=False (or env NBA_PROPS_MODEL_REUSE=0) always fits and saves nothing.
    """
    settings = PredictSettings.live(
        markets=markets, systems=systems, edge_threshold=edge_threshold,
        retrain_every_days=retrain_every_days, seed=seed, devig_method=devig_method,
        calibration=calibration,
    )
    with duckdb.connect(str(database)) as con:
        worker = PredictionWorker(con, settings,
                                  model_store=live_store(database, model_dir, reuse_models))
        return worker.predict_date(game_date, as_of or datetime.now(UTC).replace(tzinfo=None))
