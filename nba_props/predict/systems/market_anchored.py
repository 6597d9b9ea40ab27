"""Market-anchored: start from the mean the market implies, learn only the residual.

The anchor of a row is the preferred book's implied mean: the Poisson mean at which its
line has the de-vigged P(over | no push) of its prices (`devig`: multiplicative or power;
nba_props.predict.market). Poisson, not the wider negative binomial: on the 2024-25 closing
lines the Poisson reading has the lower absolute and squared error in every market (the
prices move less than a wide distribution would imply). One LightGBM model, pooled over markets
(the market is a categorical feature), learns a multiplicative correction:
log(mu) = log(anchor) + f(x), Poisson objective with log(anchor) as the initial score,
from features scaled to the anchor:
- the player's history against the anchor (last 5 / 10 / season averages, last game,
  per-36 rate times recent minutes), its spread, minutes and usage trends, rest;
- team and game context (spread, total, implied team total, pace, opponent defence,
  matchup) and availability (play probability from the injury report);
- the market itself: consensus of the books' implied means and their spread, the number
  of books, movement from the first line version (line and mean), how far the price is
  from even.
Rows are weighted by 1 / sqrt(1 + anchor), so that the high-mean markets (points, PRA) do
not swamp the loss. The number of trees is chosen by early stopping on the training
set's stopping window, and may be 0: then the system is the market's own mean. Rows
without a priced line (only in training) are not used; a prediction row without one
(never read by the worker, which joins the line) falls back to the moving average.

Probabilities start from the market too: P(over | no push) = the market's fair probability
plus the change the predicted mean makes to it under the predictive distribution (negative
binomial, dispersion per market from the held-out residuals), F(mu) - F(anchor). With no
residual the system gives the market's own probability; the calibration and the promotion
gate then judge what the residual adds.
"""

from __future__ import annotations

import json
import logging

import lightgbm as lgb
import numpy as np

from nba_props.predict.distribution import conditional_over, side_probabilities
from nba_props.predict.frame import Frame
from nba_props.predict.market import MarketView, market_view
from nba_props.predict.systems.base import PredictionSystem, TrainingSet, by_market
from nba_props.predict.systems.moving_average import moving_average

log = logging.getLogger(__name__)

PARAMS: dict[str, object] = {
    "objective": "poisson",
    "learning_rate": 0.03,
    "num_leaves": 7,
    "min_data_in_leaf": 80,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "max_bin": 63,
    "cat_smooth": 20.0,
    "deterministic": True,
    "force_col_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
MAX_ROUNDS = 400
EARLY_STOPPING = 40
MIN_ROWS = 300
# Store features read as they are (names of ml_feature_store_v2 columns).
CONTEXT = (
    "minutes_avg_l5", "usage_rate_l10", "usage_trend", "days_rest", "is_back_to_back",
    "is_home", "games_played_season", "team_spread", "game_total", "implied_team_total",
    "pace_factor", "opponent_defensive_rating_vs_league", "matchup_points_per_shot_delta",
    "play_probability", "fatigue_score",
)
# History of the market's stat, as (value - anchor) / sqrt(anchor).
HISTORY = ("stat_avg_l5", "stat_avg_l10", "stat_avg_season", "stat_last_game")
DERIVED = (
    "projection_per36", "stat_std_l10_scaled", "minutes_l5_minus_season",
    "consensus_gap", "book_spread", "n_books", "mean_move", "line_move", "fair_move",
    "fair_over_minus_half", "line_gap", "log_anchor", "market_code",
)
FEATURES = tuple(f"{h}_vs_anchor" for h in HISTORY) + CONTEXT + DERIVED


class MarketAnchoredSystem(PredictionSystem):
    system_id = "market_anchored"
    system_version = "v1"

    def __init__(self, seed: int = 42, **kwargs: str):
        super().__init__(seed, **kwargs)
        self.market_codes: dict[str, int] = {}
        self.booster: lgb.Booster | None = None
        self.rounds = 0
        self.market_mean: dict[str, float] = {}

    def params(self) -> str:
        return json.dumps({**PARAMS, "max_rounds": MAX_ROUNDS, "features": FEATURES},
                          sort_keys=True)

    def _lgb_params(self) -> dict[str, object]:
        return {**PARAMS, "seed": self.seed, "bagging_seed": self.seed,
                "feature_fraction_seed": self.seed, "data_random_seed": self.seed}

    # --- the market's reading -------------------------------------------------------------
    def _view(self, frame: Frame) -> MarketView:
        return market_view(frame, np.ones(len(frame)), self.devig)

    def raw_probabilities(self, frame: Frame, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The market's fair P(over | no push) moved by F(mu) - F(anchor); the push
        probability from the distribution at mu. Rows without a price: the distribution."""
        phi = self.dispersion_of(frame["market"])
        p_over, p_under = side_probabilities(mu, frame["line"], phi)
        view = self._view(frame)
        anchored = np.isfinite(view.fair_over) & np.isfinite(view.implied_mean) \
            & (view.implied_mean > 0)
        if not anchored.any():
            return p_over, p_under
        idx = np.flatnonzero(anchored)
        at_anchor = conditional_over(*side_probabilities(
            view.implied_mean[idx], frame["line"][idx], phi[idx]))
        moved = np.clip(view.fair_over[idx] + conditional_over(p_over[idx], p_under[idx])
                        - at_anchor, 1e-4, 1 - 1e-4)
        no_push = p_over[idx] + p_under[idx]
        p_over, p_under = p_over.copy(), p_under.copy()
        p_over[idx] = moved * no_push
        p_under[idx] = (1.0 - moved) * no_push
        return p_over, p_under

    # --- features ---------------------------------------------------------------------------
    def _matrix(self, frame: Frame, view: MarketView) -> np.ndarray:
        anchor = view.implied_mean
        scale = np.sqrt(np.clip(anchor, 0.0, None) + 0.25)
        cols: list[np.ndarray] = [(frame.get(h) - anchor) / scale for h in HISTORY]
        cols += [frame.get(c) for c in CONTEXT]
        minutes = frame.get("minutes_avg_l5")
        codes = np.array([self.market_codes.get(str(m), np.nan) for m in frame["market"]],
                         dtype=np.float64)
        derived = {
            "projection_per36": (frame.get("stat_per36_l10") * minutes / 36.0 - anchor) / scale,
            "stat_std_l10_scaled": frame.get("stat_std_l10") / scale,
            "minutes_l5_minus_season": minutes - frame.get("minutes_avg_season"),
            "consensus_gap": (view.consensus_mean - anchor) / scale,
            "book_spread": view.book_spread / scale,
            "n_books": view.n_books,
            "mean_move": (anchor - view.opening_mean) / scale,
            "line_move": view.line_move / scale,
            "fair_move": view.fair_move,
            "fair_over_minus_half": view.fair_over - 0.5,
            "line_gap": (frame.get("line") - anchor) / scale,
            "log_anchor": np.log(np.clip(anchor, 1e-3, None)),
            "market_code": codes,
        }
        cols += [derived[name] for name in DERIVED]
        return np.column_stack(cols).astype(np.float64)

    def _dataset(self, x: np.ndarray, y: np.ndarray, anchor: np.ndarray,
                 reference: lgb.Dataset | None = None) -> lgb.Dataset:
        return lgb.Dataset(
            x, y, weight=1.0 / np.sqrt(1.0 + anchor), init_score=np.log(anchor),
            feature_name=list(FEATURES), categorical_feature=["market_code"],
            reference=reference, free_raw_data=False,
        )

    # --- fit and predict ----------------------------------------------------------------
    def _fit(self, data: TrainingSet) -> None:
        frame, y = data.frame, data.target
        self.market_codes = {m: i for i, m in enumerate(data.markets)}
        self.market_mean = {m: float(np.mean(y[rows])) for m, rows in by_market(frame).items()}
        priced = _priced(frame)
        fit_rows = priced & ~(data.holdout | data.stopping)
        view = self._view(frame)
        anchor = view.implied_mean
        priced &= np.isfinite(anchor) & (anchor > 0)
        fit_rows &= priced
        x = self._matrix(frame, view)
        stop_rows = priced & data.stopping
        rounds, inner = self._choose_rounds(x, y, anchor, fit_rows, stop_rows)
        holdout_pred = np.full(int(data.holdout.sum()), np.nan)
        held = np.flatnonzero(data.holdout)
        held_priced = priced[held]
        if held_priced.any():
            rows = held[held_priced]
            correction = inner.predict(x[rows], num_iteration=rounds) \
                if inner is not None and rounds > 0 else np.ones(len(rows))
            holdout_pred[held_priced] = anchor[rows] * correction
        self.holdout_predictions = holdout_pred
        # The model kept: the same number of trees refit on every priced row.
        keep = priced
        self.rounds = rounds
        self.booster = None
        if rounds > 0 and keep.sum() >= MIN_ROWS:
            self.booster = lgb.train(self._lgb_params(),
                                     self._dataset(x[keep], y[keep], anchor[keep]),
                                     num_boost_round=rounds)
        log.info("%s: %d trees on %d priced rows", self.system_id,
                 rounds if self.booster else 0, int(keep.sum()))

    def _choose_rounds(self, x: np.ndarray, y: np.ndarray, anchor: np.ndarray,
                       fit_rows: np.ndarray,
                       stop_rows: np.ndarray) -> tuple[int, lgb.Booster | None]:
        """Trees by early stopping on the stopping window; 0 when the anchor alone is as
        good there (or there are too few rows to tell)."""
        if fit_rows.sum() < MIN_ROWS or stop_rows.sum() < MIN_ROWS // 3:
            return 0, None
        train = self._dataset(x[fit_rows], y[fit_rows], anchor[fit_rows])
        valid = self._dataset(x[stop_rows], y[stop_rows], anchor[stop_rows], reference=train)
        booster = lgb.train(
            self._lgb_params(), train, num_boost_round=MAX_ROUNDS, valid_sets=[valid],
            callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)],
        )
        rounds = int(booster.best_iteration or 0)
        if rounds <= 0:
            return 0, None
        ys, a = y[stop_rows], anchor[stop_rows]
        w = 1.0 / np.sqrt(1.0 + a)
        boosted = a * booster.predict(x[stop_rows], num_iteration=rounds)
        if _deviance(ys, boosted, w) >= _deviance(ys, a, w):
            return 0, None
        return rounds, booster

    def _predict(self, frame: Frame) -> np.ndarray:
        view = self._view(frame)
        anchor = view.implied_mean
        mu = anchor.copy()
        ok = np.isfinite(anchor) & (anchor > 0)
        if self.booster is not None and ok.any():
            x = self._matrix(frame, view)
            mu[ok] = anchor[ok] * self.booster.predict(x[ok])
        missing = ~np.isfinite(mu)
        if missing.any():
            fallback = moving_average(frame)
            means = np.array([self.market_mean.get(str(m), 0.0) for m in frame["market"]])
            mu[missing] = np.where(np.isnan(fallback), means, fallback)[missing]
        return mu

    def feature_importance(self) -> dict[str, float]:
        """Gain importance of the residual model (empty when it has no trees)."""
        if self.booster is None:
            return {}
        gains = self.booster.feature_importance("gain").tolist()
        return dict(zip(FEATURES, gains, strict=True))


def _priced(frame: Frame) -> np.ndarray:
    return ~(np.isnan(frame.get("line")) | np.isnan(frame.get("over_odds"))
             | np.isnan(frame.get("under_odds")))


def _deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    """Weighted mean Poisson deviance."""
    mu = np.clip(mu, 1e-9, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return float(np.sum(w * 2.0 * term) / np.sum(w))
