"""The interface every prediction system implements, and the training set they share."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import numpy as np

from nba_props.predict.calibration import (
    MIN_CALIBRATION_ROWS,
    Calibrator,
    brier,
    fit_calibrator,
)
from nba_props.predict.devig import no_vig_over
from nba_props.predict.distribution import conditional_over, side_probabilities
from nba_props.predict.frame import Frame

# Dispersion (variance / mean) used when a market has too few held-out rows to estimate it.
DEFAULT_DISPERSION = 1.5
MIN_ROWS_FOR_DISPERSION = 50
# The training set's latest dates are held out: the evaluation window (the latest
# max(HOLDOUT_MIN_DAYS, HOLDOUT_SHARE of the dates)) and, before it, the early-stopping
# window (max(STOPPING_MIN_DAYS, STOPPING_SHARE)). Models are fitted on the dates before
# both, stop early on the stopping window, and predict the evaluation window; those
# predictions, of games no fitted model saw or stopped on, fit the dispersion, the ensemble
# weights and the calibration, and decide the promotion gate.
HOLDOUT_SHARE = 0.2
HOLDOUT_MIN_DAYS = 7
STOPPING_SHARE = 0.1
STOPPING_MIN_DAYS = 5
MIN_TRAINING_DAYS = 5
# A market needs this many held-out priced rows (no push) for its Brier skill to count.
MIN_GATE_ROWS = MIN_CALIBRATION_ROWS


@dataclass
class TrainingSet:
    """Rows of games strictly before `cutoff`, with their outcome (target)."""

    frame: Frame
    target: np.ndarray
    cutoff: date
    feature_version: str
    features: list[str]
    # The latest dates (the evaluation window): systems fit without them, then predict
    # them, to estimate the dispersion, weigh the ensemble and calibrate on games they
    # have not seen.
    holdout: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # The dates just before the holdout: early stopping only (never the holdout's jobs).
    stopping: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.holdout) != len(self.target):
            self.stopping, self.holdout = split_masks(self.frame["game_date"])
        elif len(self.stopping) != len(self.target):
            self.stopping = np.zeros(len(self.target), dtype=bool)
        dates = self.frame["game_date"]
        if len(dates) and dates.max() >= np.datetime64(self.cutoff, "D"):
            raise ValueError(f"training rows must be dated before {self.cutoff}")

    @property
    def markets(self) -> list[str]:
        return sorted({str(m) for m in self.frame["market"]})

    def fingerprint(self) -> str:
        """A digest of the rows and targets (same data -> same digest -> same model version).

        Computed once per training set (every system's fit and the model store use it).
        """
        if self._fingerprint is None:
            self._fingerprint = self._digest()
        return self._fingerprint

    def _digest(self) -> str:
        h = hashlib.sha256()
        h.update(str(len(self.target)).encode())
        h.update(np.ascontiguousarray(self.target, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(self.frame["game_date"].astype("int64")).tobytes())
        h.update("|".join(self.features).encode())
        h.update(np.nan_to_num(self.frame.matrix(self.features), nan=-1e9).tobytes())
        return h.hexdigest()


def holdout_mask(dates: np.ndarray, share: float = HOLDOUT_SHARE,
                 min_days: int = HOLDOUT_MIN_DAYS) -> np.ndarray:
    """True for rows on the latest dates: max(min_days, share of the distinct dates)."""
    return split_masks(dates, share, min_days, 0.0, 0)[1]


def split_masks(
    dates: np.ndarray,
    holdout_share: float = HOLDOUT_SHARE,
    holdout_min_days: int = HOLDOUT_MIN_DAYS,
    stopping_share: float = STOPPING_SHARE,
    stopping_min_days: int = STOPPING_MIN_DAYS,
) -> tuple[np.ndarray, np.ndarray]:
    """(stopping, holdout): the early-stopping window and, after it, the holdout.

    Holdout: the latest max(holdout_min_days, holdout_share of the distinct dates);
    stopping: the max(stopping_min_days, stopping_share) dates before it. With few dates
    both shrink so that MIN_TRAINING_DAYS dates (at least one) stay for fitting.
    """
    none = np.zeros(len(dates), dtype=bool)
    if len(dates) == 0:
        return none, none.copy()
    days = dates.astype("datetime64[D]")
    distinct = np.unique(days)
    n = len(distinct)
    n_hold = max(holdout_min_days, round(holdout_share * n))
    n_stop = max(stopping_min_days, round(stopping_share * n)) if stopping_share > 0 else 0
    spare = n - min(n - 1, MIN_TRAINING_DAYS)  # dates the two windows may take
    n_hold = min(n_hold, max(spare, 0))
    n_stop = min(n_stop, max(spare - n_hold, 0))
    if n_hold <= 0:
        return none, none.copy()
    holdout = days >= distinct[n - n_hold]
    if n_stop <= 0:
        return none, holdout
    stopping = (days >= distinct[n - n_hold - n_stop]) & ~holdout
    return stopping, holdout


def estimate_dispersion(y: np.ndarray, mu: np.ndarray) -> float:
    """phi = sum (y - mu)^2 / sum mu: the variance-to-mean ratio of a quasi-Poisson model."""
    ok = ~(np.isnan(y) | np.isnan(mu))
    if ok.sum() < MIN_ROWS_FOR_DISPERSION:
        return DEFAULT_DISPERSION
    mu_ok = np.clip(mu[ok], 1e-6, None)
    phi = float(np.sum((y[ok] - mu_ok) ** 2) / np.sum(mu_ok))
    return float(np.clip(phi, 1.0, 25.0))


class PredictionSystem(ABC):
    """Fit on games before a cut-off; predict a non-negative mean per row.

    After fit: `model_version` names the trained model, `dispersion` maps each market to
    its variance-to-mean ratio (for over/under probabilities), and `holdout_predictions`
    holds the predictions for the training set's holdout rows made by a model that did
    not see them (the ensemble weighs systems with these).
    """

    system_id: ClassVar[str]
    system_version: ClassVar[str]

    def __init__(self, seed: int = 42, devig: str = "power", calibration: str = "platt"):
        self.seed = seed
        # How the market's fair probability is read from a price (nba_props.predict.devig),
        # and how probabilities are recalibrated (nba_props.predict.calibration).
        self.devig = devig
        self.calibration_method = calibration
        self.model_version: str | None = None
        self.dispersion: dict[str, float] = {}
        self.holdout_predictions: np.ndarray | None = None
        self.training_cutoff: date | None = None
        self.n_training_rows: int = 0
        self.calibrators: dict[str, Calibrator] = {}
        self.gate: dict[str, GateResult] = {}

    @abstractmethod
    def _fit(self, data: TrainingSet) -> None: ...

    @abstractmethod
    def _predict(self, frame: Frame) -> np.ndarray: ...

    def params(self) -> str:
        """The settings that change predictions (part of the model version)."""
        return ""

    def fit(self, data: TrainingSet) -> None:
        self._fit(data)
        self.training_cutoff = data.cutoff
        self.n_training_rows = len(data.target)
        self._estimate_dispersion(data)
        self._calibrate(data)
        self.model_version = self.expected_model_version(data)

    def settings_key(self) -> str:
        """The de-vig and calibration choices (part of the model version)."""
        return f"devig={self.devig}|calibration={self.calibration_method}"

    def expected_model_version(self, data: TrainingSet) -> str:
        """The model version a fit on `data` gives (a stored model is checked against it)."""
        digest = hashlib.sha256(
            f"{data.fingerprint()}|{self.params()}|{self.settings_key()}|{self.seed}".encode()
        ).hexdigest()[:10]
        return (
            f"{self.system_id}-{self.system_version}-fs{data.feature_version}"
            f"-cut{data.cutoff:%Y%m%d}-s{self.seed}-{digest}"
        )

    def predict(self, frame: Frame) -> np.ndarray:
        if self.model_version is None:
            raise RuntimeError(f"{self.system_id} is not fitted")
        if len(frame) == 0:
            return np.zeros(0)
        mu = np.asarray(self._predict(frame), dtype=np.float64)
        return np.clip(np.nan_to_num(mu, nan=0.0), 0.0, None)

    def dispersion_of(self, markets: np.ndarray) -> np.ndarray:
        return np.array([self.dispersion.get(str(m), DEFAULT_DISPERSION) for m in markets])

    def raw_probabilities(self, frame: Frame, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(over), P(under)) of each row's line from the predictive distribution."""
        return side_probabilities(mu, frame["line"], self.dispersion_of(frame["market"]))

    def probabilities(self, frame: Frame, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated (P(over), P(under)): P(over | no push) goes through the market's
        calibrator; the push probability of the distribution is kept."""
        p_over, p_under = self.raw_probabilities(frame, mu)
        no_push = p_over + p_under
        conditional = conditional_over(p_over, p_under)
        calibrated = conditional.copy()
        for market, rows in by_market(frame).items():
            calibrator = self.calibrators.get(market)
            if calibrator is not None:
                calibrated[rows] = calibrator.apply(conditional[rows])
        return calibrated * no_push, (1.0 - calibrated) * no_push

    def promoted(self, markets: np.ndarray) -> np.ndarray:
        """True where the system may play the market: its held-out Brier skill against the
        no-vig market probability is above 0 (see GateResult)."""
        return np.array([self.gate.get(str(m), GateResult()).promoted for m in markets],
                        dtype=bool)

    def _estimate_dispersion(self, data: TrainingSet) -> None:
        if self.holdout_predictions is None:
            return
        markets = data.frame["market"][data.holdout]
        y = data.target[data.holdout]
        for market in data.markets:
            rows = markets == market
            self.dispersion[market] = estimate_dispersion(
                y[rows], self.holdout_predictions[rows]
            )

    def _calibrate(self, data: TrainingSet) -> None:
        """Per market: a calibrator and the promotion gate, from the holdout predictions.

        Rows: held-out games with a priced line, settled over or under (pushes carry no
        outcome). The gate's Brier skill is cross-fitted: the calibrator applied to each
        half of the holdout dates is fitted on the other half, so the skill is measured on
        predictions the calibration did not see. The calibrator kept is fitted on all rows.
        """
        self.calibrators, self.gate = {}, {}
        if self.holdout_predictions is None:
            return
        held = data.frame.take(np.flatnonzero(data.holdout))
        y = data.target[data.holdout]
        mu = self.holdout_predictions
        line = held.get("line")
        over_odds, under_odds = held.get("over_odds"), held.get("under_odds")
        usable = ~(np.isnan(line) | np.isnan(mu) | np.isnan(y)) & (y != line)
        usable &= ~(np.isnan(over_odds) | np.isnan(under_odds))
        outcome = (y > line).astype(np.float64)
        raw = np.full(len(y), np.nan)
        market_p = np.full(len(y), np.nan)
        if usable.any():
            idx = np.flatnonzero(usable)
            raw[idx] = conditional_over(*self.raw_probabilities(held.take(idx), mu[idx]))
            market_p[idx] = no_vig_over(over_odds[idx], under_odds[idx], self.devig)
        days = held["game_date"].astype("datetime64[D]")
        for market in data.markets:
            rows = np.flatnonzero(usable & (held["market"] == market))
            self.calibrators[market] = fit_calibrator(raw[rows], outcome[rows],
                                                      self.calibration_method)
            self.gate[market] = self._gate(raw[rows], market_p[rows], outcome[rows],
                                           days[rows])

    def _gate(self, raw: np.ndarray, market_p: np.ndarray, outcome: np.ndarray,
              days: np.ndarray) -> GateResult:
        if len(raw) < MIN_GATE_ROWS:
            return GateResult(n_rows=len(raw))
        distinct = np.unique(days)
        if len(distinct) < 2:
            return GateResult(n_rows=len(raw))
        second = days >= distinct[len(distinct) // 2]
        crossed = np.empty(len(raw))
        for fold in (second, ~second):
            calibrator = fit_calibrator(raw[~fold], outcome[~fold], self.calibration_method,
                                        min_rows=MIN_GATE_ROWS // 2)
            crossed[fold] = calibrator.apply(raw[fold])
        model_brier = brier(crossed, outcome)
        market_brier = brier(market_p, outcome)
        return GateResult(n_rows=len(raw), brier=model_brier, market_brier=market_brier)


@dataclass(frozen=True)
class GateResult:
    """A market's held-out Brier score of P(over | no push) against the market's no-vig
    probability. Promoted (allowed to make plays) only when the skill is measured on
    enough rows and is above 0."""

    n_rows: int = 0
    brier: float = float("nan")
    market_brier: float = float("nan")

    @property
    def skill(self) -> float:
        if not (self.market_brier > 0):
            return float("nan")
        return 1.0 - self.brier / self.market_brier

    @property
    def promoted(self) -> bool:
        return self.n_rows >= MIN_GATE_ROWS and bool(self.skill > 0)


def by_market(frame: Frame) -> dict[str, np.ndarray]:
    """Row indices of each market, in a stable order."""
    markets = frame["market"]
    return {str(m): np.flatnonzero(markets == m) for m in sorted({str(x) for x in markets})}
