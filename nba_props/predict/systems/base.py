"""The interface every prediction system implements, and the training set they share."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import numpy as np

from nba_props.predict.frame import Frame

# Dispersion (variance / mean) used when a market has too few held-out rows to estimate it.
DEFAULT_DISPERSION = 1.5
MIN_ROWS_FOR_DISPERSION = 50


@dataclass
class TrainingSet:
    """Rows of games strictly before `cutoff`, with their outcome (target)."""

    frame: Frame
    target: np.ndarray
    cutoff: date
    feature_version: str
    features: list[str]
    # The latest dates: systems fit on the rest first, to size models, estimate the
    # dispersion and weigh the ensemble on games they have not seen.
    holdout: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.holdout) != len(self.target):
            self.holdout = holdout_mask(self.frame["game_date"])
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


def holdout_mask(dates: np.ndarray, share: float = 0.15, min_days: int = 7) -> np.ndarray:
    """True for rows on the latest dates: max(min_days, share of the distinct dates)."""
    if len(dates) == 0:
        return np.zeros(0, dtype=bool)
    distinct = np.unique(dates.astype("datetime64[D]"))
    n = min(len(distinct) - 1, max(min_days, round(share * len(distinct))))
    if n <= 0:
        return np.zeros(len(dates), dtype=bool)
    return dates.astype("datetime64[D]") >= distinct[-n]


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

    def __init__(self, seed: int = 42):
        self.seed = seed
        self.model_version: str | None = None
        self.dispersion: dict[str, float] = {}
        self.holdout_predictions: np.ndarray | None = None
        self.training_cutoff: date | None = None
        self.n_training_rows: int = 0

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
        self.model_version = self.expected_model_version(data)

    def expected_model_version(self, data: TrainingSet) -> str:
        """The model version a fit on `data` gives (a stored model is checked against it)."""
        digest = hashlib.sha256(
            f"{data.fingerprint()}|{self.params()}|{self.seed}".encode()
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


def by_market(frame: Frame) -> dict[str, np.ndarray]:
    """Row indices of each market, in a stable order."""
    markets = frame["market"]
    return {str(m): np.flatnonzero(markets == m) for m in sorted({str(x) for x in markets})}
