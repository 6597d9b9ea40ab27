"""The predictive distribution of a count stat, and the mean a market price implies under it.

A stat is negative binomial with mean mu and variance phi * mu (phi, the dispersion, per
market), or Poisson when phi <= 1. For a line L:
P(over) = P(X > L) = sf(floor(L)), P(under) = P(X < L) = cdf(ceil(L) - 1); an integer line
leaves P(X = L), the push. The two-way market prices P(over | no push).

Computed with the regularized incomplete gamma / beta functions (Poisson: P(X <= k) =
Q(k + 1, mu); negative binomial with n = mu / (phi - 1), p = 1 / phi: P(X <= k) =
I_p(n, k + 1)): the same numbers as scipy.stats, without its per-call overhead.
"""

from __future__ import annotations

import numpy as np
from scipy import special

POISSON_PHI = 1.0 + 1e-9
_BISECTION_STEPS = 60


def count_cdf(k: np.ndarray, mu: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(X <= k) (0 for k < 0)."""
    k, mu, phi = np.broadcast_arrays(
        np.asarray(k, dtype=np.float64),
        np.clip(np.asarray(mu, dtype=np.float64), 1e-9, None),
        np.asarray(phi, dtype=np.float64),
    )
    out = np.zeros(k.shape)
    ok = k >= 0
    poisson = ok & (phi <= POISSON_PHI)
    nb = ok & ~poisson
    out[poisson] = special.gammaincc(k[poisson] + 1.0, mu[poisson])
    if nb.any():
        n = mu[nb] / (phi[nb] - 1.0)
        out[nb] = special.betainc(n, k[nb] + 1.0, 1.0 / phi[nb])
    return np.clip(out, 0.0, 1.0)


def side_probabilities(mu: np.ndarray, line: np.ndarray,
                       phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P(over), P(under)) of the line; they add to 1 - P(push)."""
    line = np.asarray(line, dtype=np.float64)
    p_over = 1.0 - count_cdf(np.floor(line), mu, phi)
    p_under = count_cdf(np.ceil(line) - 1.0, mu, phi)
    return np.clip(p_over, 0.0, 1.0), np.clip(p_under, 0.0, 1.0)


def conditional_over(p_over: np.ndarray, p_under: np.ndarray) -> np.ndarray:
    """P(over | no push) = P(over) / (P(over) + P(under)); 0.5 when both are 0."""
    p_over = np.asarray(p_over, dtype=np.float64)
    total = p_over + np.asarray(p_under, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, p_over / np.where(total > 0, total, 1.0), 0.5)


def implied_mean(line: np.ndarray, fair_over: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """The mean mu at which P(over | no push) of the line equals `fair_over`, under the
    count distribution with dispersion `phi`. NaN where the line or probability is missing.

    Lines, probabilities and dispersions repeat, so each distinct triple is solved once
    (bisection: P(over | no push) increases with mu).
    """
    line, fair_over, phi = (np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(
        line, fair_over, phi))
    out = np.full(line.shape, np.nan)
    ok = ~(np.isnan(line) | np.isnan(fair_over) | np.isnan(phi))
    if not ok.any():
        return out
    triples = np.column_stack([line[ok], np.clip(fair_over[ok], 1e-4, 1 - 1e-4), phi[ok]])
    distinct, inverse = np.unique(triples, axis=0, return_inverse=True)
    d_line, d_target, d_phi = distinct[:, 0], distinct[:, 1], distinct[:, 2]
    low = np.full(len(distinct), 1e-4)
    high = np.maximum(3.0 * d_line + 10.0, 1.0)
    for _ in range(_BISECTION_STEPS):
        mid = (low + high) / 2.0
        below = conditional_over(*side_probabilities(mid, d_line, d_phi)) < d_target
        low = np.where(below, mid, low)
        high = np.where(below, high, mid)
    out[ok] = ((low + high) / 2.0)[inverse.reshape(-1)]
    return out
