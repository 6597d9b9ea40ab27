"""Matchup / similarity: how players in the most similar situations beat their baseline.

For each row, find the K most similar player-games of the same market in the training
history (standardised context: the player's form, minutes and role, the opponent's
defence and pace, the matchup against the player's shot profile, rest, home court and
the game line), and add their average residual over the moving-average baseline to this
row's baseline. Similar situations where players out- or under-performed their recent
form move the prediction; with nothing to learn it stays at the baseline.
"""

from __future__ import annotations

import numpy as np

from nba_props.predict.frame import Frame
from nba_props.predict.systems.base import PredictionSystem, TrainingSet, by_market
from nba_props.predict.systems.moving_average import moving_average

# (feature, weight) of the similarity space.
CONTEXT: tuple[tuple[str, float], ...] = (
    ("stat_avg_l10", 2.0),
    ("stat_avg_season", 1.0),
    ("stat_per36_l10", 1.0),
    ("stat_std_l10", 0.5),
    ("minutes_avg_l5", 1.0),
    ("usage_rate_l10", 1.0),
    ("fg3a_avg_l10", 0.5),
    ("opponent_defensive_rating_vs_league", 1.0),
    ("pace_factor", 1.0),
    ("matchup_points_per_shot_delta", 1.0),
    ("is_home", 0.5),
    ("days_rest", 0.5),
    ("team_spread", 0.5),
    ("game_total", 0.5),
    ("play_probability", 0.5),
)
K = 75
# The most recent training rows per market kept as the neighbour bank (bounded cost).
MAX_BANK = 30_000
CHUNK = 256


class _Bank:
    def __init__(self, x: np.ndarray, residual: np.ndarray, center: np.ndarray,
                 scale: np.ndarray):
        self.x = x
        self.residual = residual
        self.center = center
        self.scale = scale


def _standardise(raw: np.ndarray, center: np.ndarray, scale: np.ndarray,
                 weights: np.ndarray) -> np.ndarray:
    filled = np.where(np.isnan(raw), center, raw)
    return (filled - center) / scale * weights


class SimilaritySystem(PredictionSystem):
    system_id = "similarity"
    system_version = "v2"

    def __init__(self, seed: int = 42, k: int = K, **kwargs: str):
        super().__init__(seed, **kwargs)
        self.k = k
        self.banks: dict[str, _Bank] = {}
        self.market_mean: dict[str, float] = {}
        self.names = [n for n, _ in CONTEXT]
        self.weights = np.array([w for _, w in CONTEXT])

    def params(self) -> str:
        return repr((CONTEXT, self.k, MAX_BANK))

    def _banks(self, frame: Frame, target: np.ndarray) -> dict[str, _Bank]:
        banks: dict[str, _Bank] = {}
        baseline = moving_average(frame)
        raw_all = frame.matrix(self.names)
        for market, rows in by_market(frame).items():
            rows = rows[-MAX_BANK:]  # rows are in date order: keep the most recent
            raw = raw_all[rows]
            center = np.nanmedian(np.where(np.isnan(raw).all(axis=0), 0.0, raw), axis=0)
            center = np.nan_to_num(center)
            scale = np.nanstd(raw, axis=0)
            scale = np.where(np.isnan(scale) | (scale < 1e-9), 1.0, scale)
            base = baseline[rows]
            fallback = float(np.mean(target[rows]))
            residual = target[rows] - np.where(np.isnan(base), fallback, base)
            banks[market] = _Bank(_standardise(raw, center, scale, self.weights), residual,
                                  center, scale)
        return banks

    def _fit(self, data: TrainingSet) -> None:
        self.market_mean = {
            m: float(np.mean(data.target[rows])) for m, rows in by_market(data.frame).items()
        }
        # Holdout: neighbours from the earlier rows only.
        early = ~data.holdout
        self.banks = self._banks(data.frame.take(early), data.target[early])
        self.holdout_predictions = self._predict(data.frame.take(data.holdout))
        self.banks = self._banks(data.frame, data.target)

    def _predict(self, frame: Frame) -> np.ndarray:
        baseline = moving_average(frame)
        fallback = np.array([self.market_mean.get(str(m), 0.0) for m in frame["market"]])
        baseline = np.where(np.isnan(baseline), fallback, baseline)
        adjustment = np.zeros(len(frame))
        raw_all = frame.matrix(self.names)
        for market, rows in by_market(frame).items():
            bank = self.banks.get(market)
            if bank is None or len(bank.residual) == 0:
                continue
            x = _standardise(raw_all[rows], bank.center, bank.scale, self.weights)
            k = min(self.k, len(bank.residual))
            out = np.empty(len(rows))
            for start in range(0, len(rows), CHUNK):
                block = x[start:start + CHUNK]
                d2 = (
                    (block ** 2).sum(axis=1)[:, None]
                    - 2.0 * block @ bank.x.T
                    + (bank.x ** 2).sum(axis=1)[None, :]
                )
                # argpartition is deterministic: the same inputs give the same neighbours.
                nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
                out[start:start + CHUNK] = bank.residual[nearest].mean(axis=1)
            adjustment[rows] = out
        return baseline + adjustment
