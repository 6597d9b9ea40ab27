"""ML workers: read the feature store, predict with several systems, write predictions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nba_props._lazy import lazy_exports

# Imported on first use (PEP 562): the worker loads LightGBM and scipy, and the CLI imports
# nba_props.predict.options at start.
_EXPORTS: dict[str, str] = {
    "PredictSettings": "nba_props.predict.settings",
    "DateResult": "nba_props.predict.worker",
    "PredictionWorker": "nba_props.predict.worker",
    "closing_as_of": "nba_props.predict.worker",
}

if TYPE_CHECKING:
    from nba_props.predict.settings import PredictSettings
    from nba_props.predict.worker import DateResult, PredictionWorker, closing_as_of


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = ["DateResult", "PredictSettings", "PredictionWorker", "closing_as_of"]
