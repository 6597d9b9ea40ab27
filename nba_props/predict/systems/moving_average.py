"""Baseline: a weighted moving average of the player's recent values of the market's stat."""

from __future__ import annotations

import numpy as np

from nba_props.predict.frame import Frame
from nba_props.predict.systems.base import PredictionSystem, TrainingSet, by_market

# (feature, weight): last 5 games, last 10 games, season to date. Missing ones are
# dropped and the remaining weights renormalised; no history -> the market's mean.
WEIGHTS: tuple[tuple[str, float], ...] = (
    ("stat_avg_l5", 0.4),
    ("stat_avg_l10", 0.3),
    ("stat_avg_season", 0.3),
)


def moving_average(frame: Frame) -> np.ndarray:
    """The weighted average of the available windows (NaN when the player has none)."""
    total = np.zeros(len(frame))
    weight = np.zeros(len(frame))
    for name, w in WEIGHTS:
        values = frame.get(name)
        ok = ~np.isnan(values)
        total[ok] += w * values[ok]
        weight[ok] += w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / np.where(weight > 0, weight, 1.0), np.nan)


class MovingAverageSystem(PredictionSystem):
    system_id = "moving_average"
    system_version = "v2"

    def __init__(self, seed: int = 42, **kwargs: str):
        super().__init__(seed, **kwargs)
        self.market_mean: dict[str, float] = {}

    def params(self) -> str:
        return repr(WEIGHTS)

    def _fit(self, data: TrainingSet) -> None:
        self.market_mean = {
            m: float(np.mean(data.target[rows])) for m, rows in by_market(data.frame).items()
        }
        # Nothing is learnt beyond the market means, so the holdout is predicted directly.
        self.holdout_predictions = self._predict(data.frame.take(data.holdout))

    def _predict(self, frame: Frame) -> np.ndarray:
        mu = moving_average(frame)
        fallback = np.array([self.market_mean.get(str(m), 0.0) for m in frame["market"]])
        return np.where(np.isnan(mu), fallback, mu)
