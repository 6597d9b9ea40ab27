"""From a predicted mean to over/under probabilities, a recommendation and a confidence.

The stat is modelled as a count: negative binomial with mean mu and variance phi * mu
(phi, the dispersion, is estimated per market on held-out training games), or Poisson
when phi <= 1. For a line L: P(over) = P(X > L), P(under) = P(X < L); an integer line
leaves P(X = L) as the push.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

DEFAULT_AMERICAN_ODDS = -110.0


def side_probabilities(
    mu: np.ndarray, line: np.ndarray, phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    mu = np.clip(np.asarray(mu, dtype=np.float64), 1e-6, None)
    line = np.asarray(line, dtype=np.float64)
    phi = np.broadcast_to(np.asarray(phi, dtype=np.float64), mu.shape)
    over_k = np.floor(line)  # P(X > L) = sf(floor(L))
    under_k = np.ceil(line) - 1.0  # P(X < L) = cdf(ceil(L) - 1)
    p_over = np.empty_like(mu)
    p_under = np.empty_like(mu)
    poisson = phi <= 1.0 + 1e-9
    if poisson.any():
        p_over[poisson] = stats.poisson.sf(over_k[poisson], mu[poisson])
        p_under[poisson] = stats.poisson.cdf(under_k[poisson], mu[poisson])
    nb = ~poisson
    if nb.any():
        p = 1.0 / phi[nb]
        n = mu[nb] / (phi[nb] - 1.0)
        p_over[nb] = stats.nbinom.sf(over_k[nb], n, p)
        p_under[nb] = stats.nbinom.cdf(under_k[nb], n, p)
    return np.clip(p_over, 0.0, 1.0), np.clip(p_under, 0.0, 1.0)


def break_even_probability(american_odds: np.ndarray) -> np.ndarray:
    """The win probability at which a bet at these odds breaks even (vig included)."""
    odds = np.asarray(american_odds, dtype=np.float64)
    odds = np.where(np.isnan(odds) | (np.abs(odds) < 100), DEFAULT_AMERICAN_ODDS, odds)
    magnitude = np.abs(odds)
    return np.where(odds < 0, magnitude / (100.0 + magnitude), 100.0 / (magnitude + 100.0))


def recommend(
    p_over: np.ndarray,
    p_under: np.ndarray,
    over_odds: np.ndarray,
    under_odds: np.ndarray,
    edge_threshold: float,
    eligible: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(recommendation, edge, confidence) per row.

    edge: the larger of the two sides' edges (probability minus break-even probability);
    OVER/UNDER when that edge reaches the threshold (and the row is eligible), else PASS.
    confidence: 100 x the predicted probability of the side the prediction leans to.
    """
    edge_over = p_over - break_even_probability(over_odds)
    edge_under = p_under - break_even_probability(under_odds)
    over_side = edge_over >= edge_under
    edge = np.where(over_side, edge_over, edge_under)
    play = edge >= edge_threshold
    if eligible is not None:
        play &= eligible
    recommendation = np.where(play, np.where(over_side, "OVER", "UNDER"), "PASS").astype(object)
    confidence = 100.0 * np.maximum(p_over, p_under)
    return recommendation, edge, np.clip(confidence, 0.0, 100.0)


def implied_mean(line: np.ndarray, over_odds: np.ndarray, under_odds: np.ndarray) -> np.ndarray:
    """The mean the market implies: the Poisson mean whose P(X > line) equals the over's
    de-vigged probability (break-even probabilities of both sides, normalised to sum 1).

    Missing odds count as -110 on both sides (the line itself then sets the mean).
    Lines and prices repeat (half points, a few dozen prices), so the mean is solved once
    per distinct (line, target probability) and spread back to every row.
    """
    line = np.asarray(line, dtype=np.float64)
    p_over = break_even_probability(over_odds)
    p_under = break_even_probability(under_odds)
    target = p_over / (p_over + p_under)
    out = np.full(line.shape, np.nan)
    priced = ~np.isnan(line)  # no line, no mean
    distinct, inverse = np.unique(
        np.column_stack([line[priced], target[priced]]), axis=0, return_inverse=True
    )
    out[priced] = _poisson_mean_for(distinct[:, 0], distinct[:, 1])[inverse.reshape(-1)]
    return out


def _poisson_mean_for(line: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Bisection: the Poisson mean whose P(X > line) is target."""
    k = np.floor(line)
    low = np.full(line.shape, 1e-4)
    high = np.maximum(2.0 * line + 10.0, 1.0)
    for _ in range(50):  # bisection: sf(k, mu) increases with mu
        mid = (low + high) / 2.0
        below = stats.poisson.sf(k, mid) < target
        low = np.where(below, mid, low)
        high = np.where(below, high, mid)
    return (low + high) / 2.0
