"""Ensemble: a per-market weighted average of the other systems.

The weights are fitted by non-negative least squares on the component systems'
predictions for the training holdout (games none of them was fitted on), normalised
to sum to one; with too few holdout rows the components are weighted equally.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import nnls

from nba_props.predict.frame import Frame
from nba_props.predict.systems.base import PredictionSystem, TrainingSet, by_market

MIN_HOLDOUT_ROWS = 100


class EnsembleSystem(PredictionSystem):
    system_id = "ensemble"
    system_version = "v3"

    def __init__(self, components: Sequence[PredictionSystem], seed: int = 42,
                 **kwargs: str):
        super().__init__(seed, **kwargs)
        if not components:
            raise ValueError("the ensemble needs at least one component system")
        self.components = list(components)
        self.weights: dict[str, np.ndarray] = {}

    def params(self) -> str:
        return "|".join(f"{c.model_version}" for c in self.components)

    def _fit(self, data: TrainingSet) -> None:
        """Components must already be fitted on the same training set."""
        for component in self.components:
            if component.holdout_predictions is None or component.training_cutoff != data.cutoff:
                raise RuntimeError(f"fit {component.system_id} on this training set first")
        stacked = np.column_stack([c.holdout_predictions for c in self.components])
        markets = data.frame["market"][data.holdout]
        y = data.target[data.holdout]
        equal = np.full(len(self.components), 1.0 / len(self.components))
        for market in data.markets:
            rows = (markets == market) & ~np.isnan(stacked).any(axis=1)
            weights = equal
            if rows.sum() >= MIN_HOLDOUT_ROWS:
                solved, _ = nnls(stacked[rows], y[rows])
                if solved.sum() > 0:
                    weights = solved / solved.sum()
            self.weights[market] = weights
        self.holdout_predictions = self._combine(stacked, markets)

    def _combine(self, stacked: np.ndarray, markets: np.ndarray) -> np.ndarray:
        equal = np.full(stacked.shape[1], 1.0 / stacked.shape[1])
        out = np.empty(len(stacked))
        for i, market in enumerate(markets):
            out[i] = float(stacked[i] @ self.weights.get(str(market), equal))
        return out

    def _predict(self, frame: Frame) -> np.ndarray:
        stacked = np.column_stack([c.predict(frame) for c in self.components])
        out = np.empty(len(frame))
        equal = np.full(stacked.shape[1], 1.0 / stacked.shape[1])
        for market, rows in by_market(frame).items():
            out[rows] = stacked[rows] @ self.weights.get(market, equal)
        return out

    def describe_weights(self) -> dict[str, dict[str, float]]:
        return {
            market: {c.system_id: float(w) for c, w in zip(self.components, weights, strict=True)}
            for market, weights in self.weights.items()
        }
