"""The market-anchored system and the held-out windows, on small hand-made training sets."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from nba_props.predict.devig import no_vig_over
from nba_props.predict.distribution import conditional_over, side_probabilities
from nba_props.predict.frame import Frame
from nba_props.predict.systems import (
    EnsembleSystem,
    GradientBoostingSystem,
    MarketAnchoredSystem,
    MovingAverageSystem,
    TrainingSet,
)

CUTOFF = date(2025, 3, 1)


def _american(p: np.ndarray) -> np.ndarray:
    return np.where(p >= 0.5, -100.0 * p / (1 - p), 100.0 * (1 - p) / p)


def _training_set(effect: float, seed: int = 0, n_days: int = 40,
                  per_day: int = 120) -> tuple[TrainingSet, np.ndarray]:
    """Rows whose true mean is the market's Poisson mean times exp(effect * usage_trend)."""
    rng = np.random.default_rng(seed)
    n = n_days * per_day
    days = np.repeat(np.datetime64(CUTOFF) - np.arange(n_days, 0, -1), per_day)
    market_mean = rng.uniform(0.8, 4.0, n)
    line = np.floor(market_mean) + 0.5
    fair = 1.0 - np.array([np.exp(-m) * sum(m ** k / np.prod(range(1, k + 1)) for k in
                                            range(int(lo) + 1)) for m, lo in
                           zip(market_mean, line, strict=True)])
    trend = rng.normal(0.0, 1.0, n)
    truth = market_mean * np.exp(effect * trend)
    y = rng.poisson(truth).astype(float)
    columns = {
        "game_date": days.astype("datetime64[D]"),
        "market": np.array(["player_threes"] * n, dtype=object),
        "line": line,
        "over_odds": _american(np.clip(fair + 0.02, 0.05, 0.95)),
        "under_odds": _american(np.clip(1 - fair + 0.02, 0.05, 0.95)),
        "usage_trend": trend,
        "stat_avg_l5": market_mean + rng.normal(0, 0.5, n),
        "stat_avg_l10": market_mean + rng.normal(0, 0.4, n),
        "stat_avg_season": market_mean + rng.normal(0, 0.3, n),
        "games_played_season": np.full(n, 20.0),
    }
    numeric = frozenset(k for k, v in columns.items() if v.dtype.kind == "f")
    frame = Frame(columns, numeric)
    features = ["usage_trend", "stat_avg_l5", "stat_avg_l10", "stat_avg_season", "line"]
    return TrainingSet(frame=frame, target=y, cutoff=CUTOFF, feature_version="t",
                       features=features), truth


def test_without_a_residual_the_system_gives_the_markets_own_probability() -> None:
    data, _ = _training_set(effect=0.0)
    system = MarketAnchoredSystem(devig="power")
    system.fit(data)
    frame = data.frame.take(np.arange(200))
    view = system._view(frame)
    p_over, p_under = system.raw_probabilities(frame, view.implied_mean)
    fair = no_vig_over(frame["over_odds"], frame["under_odds"], "power")
    assert conditional_over(p_over, p_under) == pytest.approx(fair, abs=1e-9)
    # ... and the anchor is the Poisson mean at which the line has that probability.
    at_anchor = conditional_over(*side_probabilities(view.implied_mean, frame["line"], 1.0))
    assert at_anchor == pytest.approx(fair, abs=1e-6)


def test_the_residual_model_learns_what_the_market_left_out() -> None:
    data, _ = _training_set(effect=0.35)
    system = MarketAnchoredSystem(devig="power")
    system.fit(data)
    assert system.rounds > 0 and system.feature_importance()["usage_trend"] > 0
    fresh, truth = _training_set(effect=0.35, seed=7, n_days=3)
    mu = system.predict(fresh.frame)
    anchor = system._view(fresh.frame).implied_mean
    assert np.mean(np.abs(mu - truth)) < 0.7 * np.mean(np.abs(anchor - truth))
    # Held-out predictions exist for every holdout row (all priced here), none elsewhere.
    assert system.holdout_predictions is not None
    assert len(system.holdout_predictions) == int(data.holdout.sum())
    assert np.isfinite(system.holdout_predictions).all()


def test_early_stopping_never_sees_the_holdout_that_fits_dispersion_and_weights() -> None:
    data, _ = _training_set(effect=0.35)
    changed_target = data.target.copy()
    changed_target[data.holdout] = changed_target[data.holdout] * 3 + 2
    changed = TrainingSet(frame=data.frame, target=changed_target, cutoff=CUTOFF,
                          feature_version="t", features=data.features)
    first, second = GradientBoostingSystem(), GradientBoostingSystem()
    first.fit(data)
    second.fit(changed)
    # The holdout predictions come from a model fitted and stopped without the holdout...
    assert np.array_equal(first.holdout_predictions, second.holdout_predictions)
    # ...while the dispersion is fitted on the holdout (so it moves with its outcomes).
    assert first.dispersion["player_threes"] != second.dispersion["player_threes"]
    # The ensemble weighs the components on the same holdout predictions.
    base = [MovingAverageSystem(), GradientBoostingSystem()]
    for system in base:
        system.fit(data)
    ensemble = EnsembleSystem(base)
    ensemble.fit(data)
    assert sum(ensemble.weights["player_threes"]) == pytest.approx(1.0)
