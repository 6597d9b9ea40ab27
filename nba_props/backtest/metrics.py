"""Scores of a backtest's probabilities and plays, as the betting field judges them.

- Brier score and log-loss of P(over | no push), against the no-vig market probability
  (Brier skill score = 1 - Brier / market Brier, > 0 when the system beats the market);
- reliability: predicted against observed over rate in probability bins, with counts;
- ROI with a confidence interval from a bootstrap over game dates (plays on one date
  share games and news, so dates, not plays, are resampled);
- de-vig methods compared on the same rows: how well each method's fair probability is
  calibrated against the outcomes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nba_props.predict.calibration import brier, log_loss
from nba_props.predict.devig import DEVIG_METHODS, no_vig_over

BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20
# Fewer dates than this with plays: no interval (resampling 1-4 days says nothing).
MIN_BOOTSTRAP_DAYS = 5


@dataclass(frozen=True)
class ProbabilityScores:
    n: int
    brier: float
    market_brier: float
    log_loss: float
    market_log_loss: float

    @property
    def skill(self) -> float:
        """Brier skill score against the market (NaN without rows)."""
        if not self.n or not self.market_brier > 0:
            return math.nan
        return 1.0 - self.brier / self.market_brier


def probability_scores(p_model: np.ndarray, p_market: np.ndarray,
                       outcome: np.ndarray) -> ProbabilityScores:
    """Scores on the rows where both probabilities and the outcome are known."""
    ok = ~(np.isnan(p_model) | np.isnan(p_market) | np.isnan(outcome))
    if not ok.any():
        nan = math.nan
        return ProbabilityScores(0, nan, nan, nan, nan)
    p, m, y = p_model[ok], p_market[ok], outcome[ok]
    return ProbabilityScores(int(ok.sum()), brier(p, y), brier(m, y), log_loss(p, y),
                             log_loss(m, y))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    n: int
    mean_predicted: float
    observed: float


def reliability(p: np.ndarray, outcome: np.ndarray, bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width probability bins: count, mean prediction and observed rate per bin."""
    ok = ~(np.isnan(p) | np.isnan(outcome))
    p, y = p[ok], outcome[ok]
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        sel = index == b
        n = int(sel.sum())
        out.append(ReliabilityBin(
            float(edges[b]), float(edges[b + 1]), n,
            float(p[sel].mean()) if n else math.nan,
            float(y[sel].mean()) if n else math.nan,
        ))
    return out


def roi_interval(profit: np.ndarray, staked: np.ndarray, days: np.ndarray,
                 level: float = 0.95, samples: int = BOOTSTRAP_SAMPLES,
                 seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap interval of sum(profit) / sum(staked), resampling days (NaN
    with plays on fewer than MIN_BOOTSTRAP_DAYS dates)."""
    if not len(days) or np.nansum(staked) <= 0:
        return math.nan, math.nan
    distinct, inverse = np.unique(days, return_inverse=True)
    if len(distinct) < MIN_BOOTSTRAP_DAYS:
        return math.nan, math.nan
    day_profit = np.bincount(inverse, weights=np.nan_to_num(profit), minlength=len(distinct))
    day_staked = np.bincount(inverse, weights=np.nan_to_num(staked), minlength=len(distinct))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(distinct), size=(samples, len(distinct)))
    total_staked = day_staked[draws].sum(axis=1)
    ratio = day_profit[draws].sum(axis=1) / np.where(total_staked > 0, total_staked, np.nan)
    alpha = (1.0 - level) / 2.0
    low, high = np.nanquantile(ratio, [alpha, 1.0 - alpha])
    return float(low), float(high)


@dataclass(frozen=True)
class DevigScore:
    method: str
    n: int
    brier: float
    log_loss: float
    mean_predicted: float
    observed: float
    # Squared calibration error by decile, weighted by counts (lower = better calibrated).
    calibration_error: float


def compare_devig(over_odds: np.ndarray, under_odds: np.ndarray,
                  outcome: np.ndarray) -> list[DevigScore]:
    """Each de-vig method's fair P(over | no push) scored on the same priced rows."""
    ok = ~(np.isnan(over_odds) | np.isnan(under_odds) | np.isnan(outcome))
    y = outcome[ok]
    out = []
    for method in DEVIG_METHODS:
        p = no_vig_over(over_odds[ok], under_odds[ok], method)
        bins = reliability(p, y)
        n = max(len(y), 1)
        error = sum(b.n * (b.mean_predicted - b.observed) ** 2 for b in bins if b.n) / n
        out.append(DevigScore(
            method, len(y), brier(p, y) if len(y) else math.nan,
            log_loss(p, y) if len(y) else math.nan,
            float(np.mean(p)) if len(y) else math.nan,
            float(np.mean(y)) if len(y) else math.nan, float(error),
        ))
    return out
