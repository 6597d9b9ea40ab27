"""Gradient-boosted trees (LightGBM), one model per market.

Why LightGBM: it trains in well under a second on a season of one market on a CPU, handles
the feature store's missing values (thin history, no shot data, no game line) natively
instead of needing imputation, has a Poisson objective for count stats (predictions are
positive by construction), and is bit-for-bit reproducible with a fixed seed,
`deterministic=True` and a fixed thread count. It is a small wheel already used in this
environment; XGBoost would do the same job with a larger footprint, and scikit-learn's
HistGradientBoosting would add scikit-learn for no gain.

The number of trees is chosen by early stopping on the training set's stopping window
(the dates just before its holdout), on a model fitted without either window; that model
predicts the holdout (for the dispersion, the ensemble weights and the calibration). The
model kept is refit on every training row with that many trees.
"""

from __future__ import annotations

import json
import logging

import lightgbm as lgb
import numpy as np

from nba_props.predict.frame import Frame
from nba_props.predict.systems.base import PredictionSystem, TrainingSet, by_market

log = logging.getLogger(__name__)

PARAMS: dict[str, object] = {
    "objective": "poisson",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 60,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "max_bin": 63,
    "deterministic": True,
    "force_col_wise": True,
    # One thread: reproducible, and immune to OpenMP slow-downs on a busy machine.
    "num_threads": 1,
    "verbose": -1,
}
MAX_ROUNDS = 500
# Trees when the training set is too short for an early-stopping window.
DEFAULT_ROUNDS = 200
EARLY_STOPPING = 40
MIN_ROWS = 200


class GradientBoostingSystem(PredictionSystem):
    system_id = "gradient_boosting"
    system_version = "v3"

    def __init__(self, seed: int = 42, **kwargs: str):
        super().__init__(seed, **kwargs)
        self.models: dict[str, lgb.Booster] = {}
        self.features: list[str] = []
        self.fallback: dict[str, float] = {}

    def params(self) -> str:
        return json.dumps({**PARAMS, "max_rounds": MAX_ROUNDS}, sort_keys=True)

    def _params(self) -> dict[str, object]:
        return {**PARAMS, "seed": self.seed, "bagging_seed": self.seed,
                "feature_fraction_seed": self.seed, "data_random_seed": self.seed}

    def _fit(self, data: TrainingSet) -> None:
        self.features = list(data.features)
        x_all = data.frame.matrix(self.features)
        holdout_pred = np.full(int(data.holdout.sum()), np.nan)
        holdout_index = np.cumsum(data.holdout) - 1  # row -> position among holdout rows
        for market, rows in by_market(data.frame).items():
            y = data.target[rows]
            self.fallback[market] = float(np.mean(y))
            if len(rows) < MIN_ROWS:
                log.warning("%s: %d training rows for %s; predicting its mean", self.system_id,
                            len(rows), market)
                holdout_pred[holdout_index[rows[data.holdout[rows]]]] = self.fallback[market]
                continue
            x = x_all[rows]
            is_holdout = data.holdout[rows]
            is_stopping = data.stopping[rows]
            fit_rows = ~(is_holdout | is_stopping)
            rounds = DEFAULT_ROUNDS
            if fit_rows.sum() >= MIN_ROWS:
                # Fitted without the holdout and stopped on the stopping window only, so
                # its holdout predictions are of games it neither fitted nor stopped on.
                booster, rounds = self._train(x, y, fit_rows, is_stopping)
                if is_holdout.any():
                    holdout_pred[holdout_index[rows[is_holdout]]] = booster.predict(
                        x[is_holdout], num_iteration=rounds)
            elif is_holdout.any() and not is_holdout.all():
                holdout_pred[holdout_index[rows[is_holdout]]] = float(np.mean(y[~is_holdout]))
            full = lgb.Dataset(x, y, feature_name=self.features, free_raw_data=False)
            self.models[market] = lgb.train(self._params(), full, num_boost_round=rounds)
        self.holdout_predictions = holdout_pred

    def _train(self, x: np.ndarray, y: np.ndarray, fit_rows: np.ndarray,
               stopping: np.ndarray) -> tuple[lgb.Booster, int]:
        """A model on fit_rows, early-stopped on the stopping rows when there are any
        (else DEFAULT_ROUNDS trees), and its number of trees."""
        train = lgb.Dataset(x[fit_rows], y[fit_rows], feature_name=self.features,
                            free_raw_data=False)
        if not stopping.any():
            return lgb.train(self._params(), train, num_boost_round=DEFAULT_ROUNDS), \
                DEFAULT_ROUNDS
        valid = lgb.Dataset(x[stopping], y[stopping], reference=train)
        booster = lgb.train(
            self._params(), train, num_boost_round=MAX_ROUNDS, valid_sets=[valid],
            callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)],
        )
        return booster, max(50, booster.best_iteration or MAX_ROUNDS)

    def _predict(self, frame: Frame) -> np.ndarray:
        mu = np.full(len(frame), np.nan)
        x_all = frame.matrix(self.features)
        for market, rows in by_market(frame).items():
            model = self.models.get(market)
            if model is None:
                mu[rows] = self.fallback.get(market, 0.0)
            else:
                mu[rows] = model.predict(x_all[rows])
        return mu

    def feature_importance(self) -> dict[str, dict[str, float]]:
        """Gain importance per market (for the backtest report)."""
        return {
            market: dict(zip(self.features, model.feature_importance("gain").tolist(),
                             strict=True))
            for market, model in self.models.items()
        }
