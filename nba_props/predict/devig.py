"""Removing the bookmaker's margin (the vig) from a two-way price: the fair P(over).

A book prices both sides so that their implied probabilities (1 / decimal odds) add up to
more than 1. Two ways to take the margin out:

- multiplicative: scale both sides by the same factor, p_over / (p_over + p_under);
- power: raise both to the power k that makes them add to 1, p_over**k with
  p_over**k + p_under**k = 1 (k > 1). It takes more margin from the long shot than from
  the favourite, which matches the favourite-longshot bias of betting markets.

On a balanced price (-110/-110) both give 0.5. The fair probability is P(over | no push):
a push refunds the stake, so the two-way market says nothing about it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from nba_props.predict.options import DEVIG_METHODS

DevigMethod = Literal["multiplicative", "power"]
DEFAULT_AMERICAN_ODDS = -110.0


def implied_probability(american_odds: np.ndarray) -> np.ndarray:
    """The win probability at which a bet at these odds breaks even (vig included).

    Missing or invalid odds (|odds| < 100) count as -110.
    """
    odds = np.asarray(american_odds, dtype=np.float64)
    odds = np.where(np.isnan(odds) | (np.abs(odds) < 100), DEFAULT_AMERICAN_ODDS, odds)
    magnitude = np.abs(odds)
    return np.where(odds < 0, magnitude / (100.0 + magnitude), 100.0 / (magnitude + 100.0))


def decimal_odds(american_odds: np.ndarray) -> np.ndarray:
    """American -> decimal odds (stake included); missing odds count as -110."""
    return 1.0 / implied_probability(american_odds)


def no_vig_over(over_odds: np.ndarray, under_odds: np.ndarray,
                method: str = "multiplicative") -> np.ndarray:
    """The fair P(over | no push) of a two-way price, by `method` (see the module doc)."""
    p_over = implied_probability(over_odds)
    p_under = implied_probability(under_odds)
    if method == "multiplicative":
        return p_over / (p_over + p_under)
    if method == "power":
        k = power_exponent(p_over, p_under)
        return p_over ** k
    raise ValueError(f"unknown de-vig method {method!r}; choose from {DEVIG_METHODS}")


def power_exponent(p_over: np.ndarray, p_under: np.ndarray) -> np.ndarray:
    """k with p_over**k + p_under**k = 1, by Newton's method from k = 1.

    f(k) = a**k + b**k - 1 is convex and decreasing in k for 0 < a, b < 1, so Newton from
    the left of the root (f(1) = a + b - 1 >= 0 when the book takes a margin) converges
    monotonically. A price with no margin (a + b <= 1) keeps k = 1.
    """
    a = np.clip(np.asarray(p_over, dtype=np.float64), 1e-9, 1 - 1e-9)
    b = np.clip(np.asarray(p_under, dtype=np.float64), 1e-9, 1 - 1e-9)
    k = np.ones_like(a)
    overround = a + b > 1.0
    log_a, log_b = np.log(a), np.log(b)
    for _ in range(30):
        f = a ** k + b ** k - 1.0
        slope = a ** k * log_a + b ** k * log_b
        step = np.where(overround, f / slope, 0.0)
        k = k - step
        if np.all(np.abs(step) < 1e-12):
            break
    return k
