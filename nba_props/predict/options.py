"""The choices the predict and backtest commands offer, in a module that imports nothing
heavy: the CLI builds its parsers from these at start, before any model library loads.
The modules that implement them (systems, devig, calibration, model_store) import the
names from here, so each is defined once."""

from __future__ import annotations

# Prediction systems, in the order they run (the ensemble last: it combines the others).
# nba_props.predict.systems checks at import that it registers exactly these.
SYSTEM_IDS: tuple[str, ...] = (
    "moving_average", "gradient_boosting", "similarity", "market_anchored", "ensemble",
)
DEVIG_METHODS: tuple[str, ...] = ("multiplicative", "power")
CALIBRATION_METHODS: tuple[str, ...] = ("platt", "isotonic", "none")

# Model store settings (nba_props.predict.model_store).
ENV_DIR = "NBA_PROPS_MODEL_DIR"
ENV_REUSE = "NBA_PROPS_MODEL_REUSE"
GCS_SCHEME = "gs://"
