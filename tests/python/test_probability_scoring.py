"""De-vig, the predictive distribution, calibration, scores, Kelly and staking on
hand-computed cases (no warehouse)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy import stats

from nba_props.backtest.metrics import compare_devig, probability_scores, reliability, roi_interval
from nba_props.backtest.staking import Plays, kelly_fraction, net_payout, simulate, stake_fractions
from nba_props.predict.calibration import (
    Calibrator,
    brier,
    brier_skill,
    fit_calibrator,
    fit_isotonic,
    fit_platt,
    log_loss,
)
from nba_props.predict.devig import no_vig_over, power_exponent
from nba_props.predict.distribution import conditional_over, implied_mean, side_probabilities
from nba_props.predict.systems.base import GateResult, split_masks


def test_devig_methods_on_hand_computed_prices() -> None:
    even = no_vig_over(np.array([-110.0]), np.array([-110.0]), "power")
    assert even[0] == pytest.approx(0.5)
    # +100 / -300: implied 0.5 and 0.75 (1.25 in all). Multiplicative: 0.5 / 1.25 = 0.4.
    over, under = np.array([100.0]), np.array([-300.0])
    assert no_vig_over(over, under, "multiplicative")[0] == pytest.approx(0.4)
    # Power: k with 0.5^k + 0.75^k = 1 (k = 1.50713); the long shot keeps 0.5^k = 0.35181,
    # less than multiplicative's 0.4: the margin comes more from the long shot.
    k = power_exponent(np.array([0.5]), np.array([0.75]))[0]
    assert 0.5 ** k + 0.75 ** k == pytest.approx(1.0, abs=1e-12)
    assert k == pytest.approx(1.50713, abs=1e-5)
    assert no_vig_over(over, under, "power")[0] == pytest.approx(0.35181, abs=1e-5)
    with pytest.raises(ValueError, match="de-vig"):
        no_vig_over(over, under, "shin")


def test_distribution_matches_scipy_and_implied_mean_inverts_it() -> None:
    mu = np.array([0.4, 2.3, 15.2, 22.0])
    line = np.array([0.5, 2.0, 14.5, 22.0])
    phi = np.array([1.0, 1.7, 2.5, 3.0])
    p_over, p_under = side_probabilities(mu, line, phi)
    assert p_over[0] == pytest.approx(stats.poisson.sf(0, 0.4))
    n, p = 2.3 / 0.7, 1 / 1.7
    assert p_over[1] == pytest.approx(stats.nbinom.sf(2, n, p))
    assert p_under[1] == pytest.approx(stats.nbinom.cdf(1, n, p))  # X < 2: the push is 2
    target = np.array([0.4, 0.55, 0.5, 0.5])
    means = implied_mean(line, target, phi)
    assert conditional_over(*side_probabilities(means, line, phi)) == pytest.approx(target,
                                                                                    abs=1e-6)
    assert np.isnan(implied_mean(np.array([np.nan]), np.array([0.5]), 1.0))[0]


def test_isotonic_pools_adjacent_violators() -> None:
    x, y = fit_isotonic(np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.0, 1.0, 0.0, 1.0]))
    assert x == pytest.approx([0.1, 0.25, 0.4])
    assert y == pytest.approx([1e-4, 0.5, 1 - 1e-4])
    calibrator = Calibrator("isotonic", 4, x=x, y=y)
    assert calibrator.apply(np.array([0.25, 0.325]))[0] == pytest.approx(0.5)


def test_platt_recovers_a_known_miscalibration_and_thin_samples_stay_identity() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.2, 0.8, 20_000)
    truth = 1 / (1 + np.exp(-(0.3 + 0.5 * np.log(p / (1 - p)))))
    y = (rng.random(len(p)) < truth).astype(float)
    a, b = fit_platt(p, y)
    assert a == pytest.approx(0.3, abs=0.05) and b == pytest.approx(0.5, abs=0.05)
    thin = fit_calibrator(p[:50], y[:50], "platt")
    assert thin.method == "none" and thin.apply(np.array([0.3]))[0] == 0.3


def test_brier_log_loss_and_skill_by_hand() -> None:
    p, y = np.array([0.75, 1 / 3]), np.array([1.0, 0.0])
    assert brier(p, y) == pytest.approx((0.0625 + 1 / 9) / 2)
    assert log_loss(p, y) == pytest.approx((-math.log(0.75) - math.log(2 / 3)) / 2)
    market = np.array([0.5, 0.75])  # Brier (0.25 + 0.5625) / 2
    assert brier_skill(p, market, y) == pytest.approx(1 - (0.0625 + 1 / 9) / (0.25 + 0.5625))
    scores = probability_scores(np.array([0.75, np.nan]), np.array([0.5, 0.5]),
                                np.array([1.0, 0.0]))
    assert scores.n == 1 and scores.skill == pytest.approx(1 - 0.0625 / 0.25)


def test_reliability_counts_each_bin() -> None:
    bins = reliability(np.array([0.05, 0.12, 0.18, 0.55]), np.array([0.0, 1.0, 0.0, 1.0]))
    assert [b.n for b in bins] == [1, 2, 0, 0, 0, 1, 0, 0, 0, 0]
    assert bins[1].mean_predicted == pytest.approx(0.15) and bins[1].observed == 0.5


def test_power_devig_is_better_calibrated_when_long_shots_lose_more() -> None:
    # Every price +100 / -300; the over (the long shot) wins 35% of the time: the power
    # method's 0.352 is right, multiplicative's 0.4 is not.
    rng = np.random.default_rng(1)
    n = 4000
    outcome = (rng.random(n) < 0.35).astype(float)
    scores = {s.method: s for s in compare_devig(np.full(n, 100.0), np.full(n, -300.0),
                                                 outcome)}
    assert scores["power"].brier < scores["multiplicative"].brier
    assert scores["power"].calibration_error < scores["multiplicative"].calibration_error


def test_kelly_fraction_by_hand() -> None:
    # b = 1, p = 0.6, q = 0.4: 0.2. +150 (b = 1.5), p = 0.5, q = 0.3 (0.2 push): 0.375.
    assert kelly_fraction(np.array([0.6, 0.5, 0.4]), np.array([0.4, 0.3, 0.6]),
                          net_payout(np.array([100.0, 150.0, -110.0]))) == pytest.approx(
        [0.2, 0.375, 0.0])
    assert net_payout(np.array([-125.0]))[0] == pytest.approx(0.8)


def _plays(kelly: list[float], results: list[str], days: list[int],
           games: list[str]) -> Plays:
    return Plays(day=np.array([date(2025, 1, d) for d in days]), game=np.array(games),
                 kelly=np.array(kelly), payout=np.ones(len(kelly)), result=np.array(results))


def test_staking_policies_by_hand() -> None:
    plays = _plays([0.1, 0.08, 0.3], ["win", "loss", "win"], [1, 1, 2], ["a", "a", "b"])
    flat = simulate(plays, "flat")
    assert (flat.staked, flat.profit, flat.final_bankroll) == (3.0, 1.0, 101.0)
    # Quarter-Kelly: day 1 stakes 2.5 (win) and 2.0 (loss) of 100 -> 100.5; day 2 stakes
    # 0.075 x 100.5 = 7.5375 and wins -> 108.0375.
    quarter = simulate(plays, "quarter_kelly")
    assert quarter.final_bankroll == pytest.approx(108.0375)
    assert quarter.roi == pytest.approx(8.0375 / 12.0375)
    assert quarter.log_growth == pytest.approx(math.log(1.080375))
    # Capped: 2% a play; day 1: 2 and 2 (4% of one game, under the 5% cap) -> 100; day 2: 2.
    capped = simulate(plays, "capped_kelly")
    assert capped.staked == pytest.approx(6.0) and capped.final_bankroll == pytest.approx(102.0)


def test_same_game_exposure_is_capped_and_drawdown_measured() -> None:
    plays = _plays([0.03, 0.03, 0.03], ["loss", "loss", "win"], [1, 1, 1], ["g", "g", "g"])
    fractions = stake_fractions(plays, "capped_kelly")
    assert fractions == pytest.approx([0.05 / 3] * 3)  # 3 x 2% = 6% > 5%: scaled down
    losing = simulate(_plays([0.1, 0.1, 0.1], ["loss", "loss", "win"], [1, 2, 3],
                             ["a", "b", "c"]), "flat")
    assert losing.max_drawdown == pytest.approx(0.02)  # 100 -> 99 -> 98 -> 99
    assert losing.log_growth == pytest.approx(math.log(0.99))


def test_roi_interval_resamples_days() -> None:
    same = roi_interval(np.array([0.5, -0.25] * 5), np.ones(10), np.repeat(np.arange(5), 2))
    assert same == pytest.approx((0.125, 0.125))  # every day returns 0.25 on 2 units
    low, high = roi_interval(np.array([1.0, -1.0] * 4), np.ones(8), np.arange(8))
    assert low < 0 < high
    few = roi_interval(np.array([1.0, -1.0, 0.5]), np.ones(3), np.array([1, 2, 3]))
    assert all(math.isnan(x) for x in few)  # plays on 3 dates: no interval


def test_holdout_and_stopping_windows_are_disjoint_and_ordered() -> None:
    dates = np.repeat(np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-01-31")), 3)
    stopping, holdout = split_masks(dates)
    days = dates.astype("datetime64[D]")
    assert len(np.unique(days[holdout])) == 7 and len(np.unique(days[stopping])) == 5
    assert not (stopping & holdout).any()
    assert days[stopping].max() < days[holdout].min()
    assert days[~(stopping | holdout)].max() < days[stopping].min()
    stopping, holdout = split_masks(dates[:30])  # 10 dates: no room for a stopping window
    assert holdout.any() and not stopping.any()


def test_gate_promotes_only_a_measured_positive_skill() -> None:
    assert GateResult(200, brier=0.24, market_brier=0.25).promoted
    assert not GateResult(200, brier=0.25, market_brier=0.25).promoted  # 0 is not above 0
    assert not GateResult(20, brier=0.20, market_brier=0.25).promoted  # too few rows
    assert not GateResult().promoted
