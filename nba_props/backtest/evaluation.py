"""The backtest's betting evaluation: probability scores, closing-line value, ROI with a
confidence interval, staking policies, reliability, de-vig methods and the promotion gate.

Everything is computed from the graded rows (nba_predictions.prediction_accuracy), per
system and market, and returned as table rows for the report (nba_props.backtest.report).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from nba_props.backtest.metrics import (
    compare_devig,
    probability_scores,
    reliability,
    roi_interval,
)
from nba_props.backtest.staking import POLICIES, Plays, net_payout, simulate
from nba_props.predict.devig import no_vig_over
from nba_props.predict.frame import Frame
from nba_props.predict.systems.base import GateResult

# Per retraining cut-off, per system, per market: the gate the worker applied.
Gates = Mapping[date, Mapping[str, Mapping[str, GateResult]]]

SCORE_HEADER = [
    "market", "system", "scored", "Brier", "market Brier", "Brier skill (power)",
    "Brier skill (mult.)", "log-loss", "market log-loss", "plays", "ROI (95% CI)",
    "CLV line (n)", "CLV prob (n)", "gate: models promoted / with lines",
]
STAKING_HEADER = ["system", "markets", "policy", "plays", "staked", "ROI", "max drawdown",
                  "log growth"]
DEVIG_HEADER = ["market", "method", "rows", "Brier", "log-loss", "mean fair P(over)",
                "observed over rate", "calibration error (x1000)"]


@dataclass
class Evaluation:
    scores: list[list[str]] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    staking: list[list[str]] = field(default_factory=list)
    devig: list[list[str]] = field(default_factory=list)
    devig_verdict: str = ""
    gate: list[str] = field(default_factory=list)
    reliability: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)


def _fmt(value: float, digits: int = 4, signed: bool = False, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if pct:
        return f"{100 * value:+.1f}%" if signed else f"{100 * value:.1f}%"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _probabilities(rows: Frame, devig: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(system P(over | no push), market's fair P(over), outcome); NaN outside graded rows
    that settled over or under."""
    po, pu = rows["prob_over"], rows["prob_under"]
    with np.errstate(invalid="ignore", divide="ignore"):
        model = np.where(po + pu > 0, po / (po + pu), np.nan)
    market = no_vig_over(rows["over_odds"], rows["under_odds"], devig)
    market = np.where(np.isnan(rows["over_odds"]) | np.isnan(rows["under_odds"]), np.nan,
                      market)
    outcome = np.where(rows["line_outcome"] == "over", 1.0,
                       np.where(rows["line_outcome"] == "under", 0.0, np.nan))
    return model, market, outcome


def _plays(rows: Frame, mask: np.ndarray) -> Plays:
    sel = mask & np.isin(rows["bet_result"], ["win", "loss", "push"])
    order = np.flatnonzero(sel)
    return Plays(
        day=rows["game_date"][order],
        game=rows["game_id"][order],
        kelly=rows["kelly_fraction"][order],
        payout=net_payout(rows["bet_odds"][order]),
        result=rows["bet_result"][order],
    )


def _gate_summary(gates: Gates, system: str, market: str) -> tuple[int, int, list[float]]:
    """(models promoted, models whose holdout had priced rows of the market, their
    held-out skills)."""
    promoted, total, skills = 0, 0, []
    for by_system in gates.values():
        gate = by_system.get(system, {}).get(market)
        if gate is None or gate.n_rows == 0:
            continue
        total += 1
        promoted += int(gate.promoted)
        if math.isfinite(gate.skill):
            skills.append(gate.skill)
    return promoted, total, skills


def evaluate(rows: Frame, markets: Sequence[str], systems: Sequence[str],
             gates: Gates, devig: str = "power") -> Evaluation:
    out = Evaluation()
    model_p, market_p, outcome = _probabilities(rows, devig)
    _, market_mult, _ = _probabilities(rows, "multiplicative")
    for market in markets:
        for system in systems:
            mask = (rows["market"] == market) & (rows["system_id"] == system)
            if not mask.any():
                continue
            out.summary.append(_score_row(rows, mask, system, market, model_p, market_p,
                                          market_mult, outcome, gates))
            out.scores.append(_score_cells(out.summary[-1]))
            out.gate.append(_gate_line(out.summary[-1]))
        first = (rows["market"] == market) & (rows["system_id"] == systems[0]) \
            if systems else np.zeros(len(rows), dtype=bool)
        if first.any():
            header, table = _reliability_table(model_p, outcome, rows, market, systems)
            out.reliability[market] = (header, table)
    _staking(rows, systems, out)
    _devig(rows, markets, systems, outcome, out)
    return out


def _score_row(rows: Frame, mask: np.ndarray, system: str, market: str,
               model_p: np.ndarray, market_p: np.ndarray, market_mult: np.ndarray,
               outcome: np.ndarray, gates: Gates) -> dict[str, Any]:
    scores = probability_scores(model_p[mask], market_p[mask], outcome[mask])
    scores_mult = probability_scores(model_p[mask], market_mult[mask], outcome[mask])
    played = mask & np.isin(rows["bet_result"], ["win", "loss", "push"])
    profit = np.nan_to_num(rows["profit_units"][played])
    staked = rows["units_staked"][played]
    roi = float(profit.sum() / staked.sum()) if staked.sum() > 0 else math.nan
    low, high = roi_interval(profit, staked, rows["game_date"][played])
    clv_line = rows["clv_line"][played]
    clv_prob = rows["clv_probability"][played]
    promoted, total, skills = _gate_summary(gates, system, market)
    return {
        "market": market, "system": system, "scored": scores.n, "brier": scores.brier,
        "market_brier": scores.market_brier, "brier_skill": scores.skill,
        "brier_skill_multiplicative": scores_mult.skill, "log_loss": scores.log_loss,
        "market_log_loss": scores.market_log_loss, "plays": int(played.sum()), "roi": roi,
        "roi_low": low, "roi_high": high,
        "clv_line": float(np.nanmean(clv_line)) if np.isfinite(clv_line).any() else math.nan,
        "clv_line_n": int(np.isfinite(clv_line).sum()),
        "clv_probability": float(np.nanmean(clv_prob)) if np.isfinite(clv_prob).any()
        else math.nan,
        "clv_probability_n": int(np.isfinite(clv_prob).sum()),
        "models_promoted": promoted, "models_gated": total, "gate_skills": skills,
    }


def _score_cells(s: Mapping[str, Any]) -> list[str]:
    if not math.isfinite(s["roi"]):
        roi = "-"
    elif not math.isfinite(s["roi_low"]):
        roi = f"{_fmt(s['roi'], signed=True, pct=True)} (plays on < 5 dates)"
    else:
        roi = (f"{_fmt(s['roi'], signed=True, pct=True)} "
               f"({_fmt(s['roi_low'], signed=True, pct=True)} .. "
               f"{_fmt(s['roi_high'], signed=True, pct=True)})")
    return [
        s["market"], s["system"], str(s["scored"]), _fmt(s["brier"]), _fmt(s["market_brier"]),
        _fmt(s["brier_skill"], signed=True), _fmt(s["brier_skill_multiplicative"], signed=True),
        _fmt(s["log_loss"]), _fmt(s["market_log_loss"]), str(s["plays"]), roi,
        f"{_fmt(s['clv_line'], 3, signed=True)} ({s['clv_line_n']})",
        f"{_fmt(s['clv_probability'], 4, signed=True)} ({s['clv_probability_n']})",
        f"{s['models_promoted']} of {s['models_gated']}",
    ]


def _gate_line(s: Mapping[str, Any]) -> str:
    skills = s["gate_skills"]
    held = (f"held-out Brier skill {min(skills):+.4f} .. {max(skills):+.4f}" if skills
            else "too few held-out priced rows to measure a Brier skill")
    walk = s["brier_skill"]
    verdict = ("walk-forward Brier skill over the backtest "
               f"{_fmt(walk, signed=True)} on {s['scored']} rows")
    if not (math.isfinite(walk) and walk > 0):
        verdict += ": not above 0, so this system has no edge in this market and should make"
        verdict += " no plays in it"
    else:
        verdict += ": above 0"
    return (f"{s['system']} / {s['market']}: promoted in {s['models_promoted']} of the "
            f"{s['models_gated']} models whose holdout had its lines ({held}); {verdict}; "
            f"plays made: {s['plays']}.")


def _reliability_table(model_p: np.ndarray, outcome: np.ndarray, rows: Frame, market: str,
                       systems: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Per probability bin and system: rows, mean predicted P(over) and observed rate."""
    header = ["P(over) bin"] + [f"{s}: n, predicted -> observed" for s in systems]
    per_system = {}
    for system in systems:
        mask = (rows["market"] == market) & (rows["system_id"] == system)
        per_system[system] = reliability(model_p[mask], outcome[mask])
    table = []
    for b in range(10):
        cells = [f"{b / 10:.1f}-{(b + 1) / 10:.1f}"]
        for system in systems:
            bin_ = per_system[system][b]
            cells.append("0" if not bin_.n else
                         f"{bin_.n}, {bin_.mean_predicted:.3f} -> {bin_.observed:.3f}")
        table.append(cells)
    return header, table


def _staking(rows: Frame, systems: Sequence[str], out: Evaluation) -> None:
    for system in systems:
        mask = rows["system_id"] == system
        plays = _plays(rows, mask)
        if not len(plays.day):
            continue
        for policy in POLICIES:
            r = simulate(plays, policy)
            out.staking.append([
                system, "all", policy, str(r.plays), f"{r.staked:.1f}",
                _fmt(r.roi, signed=True, pct=True), _fmt(r.max_drawdown, pct=True),
                _fmt(r.log_growth, 4, signed=True),
            ])


def _devig(rows: Frame, markets: Sequence[str], systems: Sequence[str], outcome: np.ndarray,
           out: Evaluation) -> None:
    """Each de-vig method on one row per (player, game, market): the first system's."""
    if not systems:
        return
    pooled: dict[str, list[float]] = {}
    for market in markets:
        mask = (rows["market"] == market) & (rows["system_id"] == systems[0])
        if not mask.any():
            continue
        for score in compare_devig(rows["over_odds"][mask], rows["under_odds"][mask],
                                   outcome[mask]):
            if not score.n:
                continue
            out.devig.append([
                market, score.method, str(score.n), _fmt(score.brier), _fmt(score.log_loss),
                _fmt(score.mean_predicted, 3), _fmt(score.observed, 3),
                _fmt(1000 * score.calibration_error, 2),
            ])
            pooled.setdefault(score.method, []).extend(
                [score.n * score.log_loss, score.n * score.brier, score.n])
    if pooled:
        totals = {m: (v[0::3], v[1::3], v[2::3]) for m, v in pooled.items()}
        means = {m: (sum(ll) / sum(n), sum(b) / sum(n)) for m, (ll, b, n) in totals.items()}
        best = min(means, key=lambda m: means[m][0])
        parts = ", ".join(f"{m}: log-loss {ll:.5f}, Brier {b:.5f}"
                          for m, (ll, b) in sorted(means.items()))
        out.devig_verdict = (f"Pooled over markets ({parts}): {best} is the better "
                             "calibrated de-vig method on these rows.")
