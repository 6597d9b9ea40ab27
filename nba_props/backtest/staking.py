"""Staking policies on a backtest's plays, side by side: how a bankroll would have fared.

Every play of a day is sized from the bankroll at the start of that day (the day's games
run at once), then settled at its recorded odds: a win pays stake x net payout, a loss
costs the stake, a push returns it. The bankroll starts at 100 units.

- flat: 1 unit a play, whatever the bankroll;
- quarter_kelly: a quarter of the Kelly fraction of the bankroll;
- capped_kelly: the Kelly fraction, at most `play_cap` of the bankroll a play and at most
  `game_cap` on one game (the game's stakes scaled down together).

The Kelly fraction of a play is (b p - q) / (b (p + q)) for a win probability p, a loss
probability q (the rest pushes) and net payout b (see prediction_accuracy.kelly_fraction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

INITIAL_BANKROLL = 100.0
POLICIES: tuple[str, ...] = ("flat", "quarter_kelly", "capped_kelly")
PLAY_CAP = 0.02
GAME_CAP = 0.05


@dataclass(frozen=True)
class Plays:
    """Settled plays in date order: day, game, Kelly fraction, net payout, result."""

    day: np.ndarray
    game: np.ndarray
    kelly: np.ndarray
    payout: np.ndarray
    result: np.ndarray  # 'win', 'loss' or 'push'


@dataclass(frozen=True)
class StakingResult:
    policy: str
    plays: int
    staked: float
    profit: float
    final_bankroll: float
    max_drawdown: float  # largest fall from a running peak, as a share of that peak
    log_growth: float  # ln(final bankroll / initial bankroll)

    @property
    def roi(self) -> float:
        return self.profit / self.staked if self.staked > 0 else math.nan


def kelly_fraction(p_win: np.ndarray, p_loss: np.ndarray, payout: np.ndarray) -> np.ndarray:
    """(b p - q) / (b (p + q)), 0 without positive expectation."""
    p, q, b = (np.asarray(a, dtype=np.float64) for a in (p_win, p_loss, payout))
    edge = b * p - q
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(edge > 0, edge / (b * (p + q)), 0.0)


def net_payout(american_odds: np.ndarray) -> np.ndarray:
    """Net payout of one unit won: +150 -> 1.5, -125 -> 0.8 (NaN for missing odds)."""
    odds = np.asarray(american_odds, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(odds > 0, odds / 100.0, np.where(odds < 0, 100.0 / -odds, np.nan))


def stake_fractions(plays: Plays, policy: str, play_cap: float = PLAY_CAP,
                    game_cap: float = GAME_CAP) -> np.ndarray:
    """The bankroll fraction each play stakes (flat: NaN, sized in units instead)."""
    kelly = np.clip(np.nan_to_num(plays.kelly, nan=0.0), 0.0, 1.0)
    if policy == "flat":
        return np.full(len(kelly), np.nan)
    if policy == "quarter_kelly":
        return 0.25 * kelly
    if policy != "capped_kelly":
        raise ValueError(f"unknown staking policy {policy!r}; choose from {POLICIES}")
    fractions = np.minimum(kelly, play_cap)
    for key in {(d, g) for d, g in zip(plays.day, plays.game, strict=True)}:
        same = (plays.day == key[0]) & (plays.game == key[1])
        total = fractions[same].sum()
        if total > game_cap:
            fractions[same] *= game_cap / total
    return fractions


def simulate(plays: Plays, policy: str, play_cap: float = PLAY_CAP,
             game_cap: float = GAME_CAP) -> StakingResult:
    """Run the bankroll through the plays, one day at a time."""
    fractions = stake_fractions(plays, policy, play_cap, game_cap)
    bankroll = INITIAL_BANKROLL
    peak = bankroll
    drawdown = 0.0
    staked_total = 0.0
    profit_total = 0.0
    win = plays.result == "win"
    loss = plays.result == "loss"
    for day in _ordered_unique(plays.day):
        rows = np.flatnonzero(plays.day == day)
        stakes = np.ones(len(rows)) if policy == "flat" else fractions[rows] * bankroll
        gain = np.where(win[rows], stakes * plays.payout[rows],
                        np.where(loss[rows], -stakes, 0.0))
        staked_total += float(stakes.sum())
        profit_total += float(np.nansum(gain))
        bankroll += float(np.nansum(gain))
        peak = max(peak, bankroll)
        if peak > 0:
            drawdown = max(drawdown, (peak - bankroll) / peak)
    growth = math.log(bankroll / INITIAL_BANKROLL) if bankroll > 0 else -math.inf
    return StakingResult(policy, len(plays.day), staked_total, profit_total, bankroll,
                         drawdown, growth)


def _ordered_unique(values: np.ndarray) -> list:
    seen: dict = {}
    for v in values:
        seen.setdefault(v, None)
    return sorted(seen)
