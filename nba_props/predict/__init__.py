"""ML workers: read the feature store, predict with several systems, write predictions."""

from nba_props.predict.settings import PredictSettings
from nba_props.predict.worker import DateResult, PredictionWorker, closing_as_of

__all__ = ["DateResult", "PredictSettings", "PredictionWorker", "closing_as_of"]
