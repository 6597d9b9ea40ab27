"""Recalibration of P(over | no push), per market, on held-out predictions.

Two methods:
- Platt: logit(p') = a + b * logit(p), fitted by maximum likelihood (Newton's method)
  with a small ridge pulling (a, b) to the identity (0, 1), so a thin sample moves the
  probabilities little;
- isotonic: the monotone step function that minimises the squared error (pool adjacent
  violators), interpolated linearly between the fitted points and kept away from 0 and 1.

A calibrator is fitted only on predictions for games before the training cut-off, by
models that had not seen those games (the training set's holdout, see
nba_props.predict.systems.base): nothing dated on or after the games it calibrates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import special

from nba_props.predict.options import CALIBRATION_METHODS

CalibrationMethod = Literal["platt", "isotonic", "none"]
MIN_CALIBRATION_ROWS = 100
_EPS = 1e-4
_RIDGE = 1.0


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(p / (1.0 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return special.expit(np.asarray(z, dtype=np.float64))


@dataclass
class Calibrator:
    """A fitted map p -> p' (the identity when method is 'none')."""

    method: str = "none"
    n_rows: int = 0
    a: float = 0.0
    b: float = 1.0
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def apply(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=np.float64)
        if self.method == "platt":
            return sigmoid(self.a + self.b * logit(p))
        if self.method == "isotonic" and len(self.x):
            return np.clip(np.interp(p, self.x, self.y), _EPS, 1 - _EPS)
        return p


def fit_platt(p: np.ndarray, outcome: np.ndarray, ridge: float = _RIDGE) -> tuple[float, float]:
    """(a, b) maximising sum log-likelihood - ridge/2 * (a^2 + (b - 1)^2)."""
    z = logit(p)
    y = np.asarray(outcome, dtype=np.float64)
    theta = np.array([0.0, 1.0])
    prior = np.array([0.0, 1.0])
    design = np.column_stack([np.ones_like(z), z])
    for _ in range(50):
        q = sigmoid(design @ theta)
        grad = design.T @ (y - q) - ridge * (theta - prior)
        w = q * (1.0 - q)
        hess = -(design.T * w) @ design - ridge * np.eye(2)
        step = np.linalg.solve(hess, grad)
        theta = theta - step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(theta[0]), float(theta[1])


def fit_isotonic(p: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool adjacent violators on (p, outcome) sorted by p: (block mean p, block rate)."""
    order = np.argsort(p, kind="stable")
    xs = np.asarray(p, dtype=np.float64)[order]
    ys = np.asarray(outcome, dtype=np.float64)[order]
    # Blocks of pooled neighbours: sums of y and x, and counts.
    sums_y: list[float] = []
    sums_x: list[float] = []
    counts: list[int] = []
    for xv, yv in zip(xs, ys, strict=True):
        sums_y.append(yv)
        sums_x.append(xv)
        counts.append(1)
        while len(counts) > 1 and sums_y[-2] / counts[-2] >= sums_y[-1] / counts[-1]:
            last_y, last_x, last_n = sums_y.pop(), sums_x.pop(), counts.pop()
            sums_y[-1] += last_y
            sums_x[-1] += last_x
            counts[-1] += last_n
    n = np.array(counts, dtype=np.float64)
    return np.array(sums_x) / n, np.clip(np.array(sums_y) / n, _EPS, 1 - _EPS)


def fit_calibrator(p: np.ndarray, outcome: np.ndarray, method: str = "platt",
                   min_rows: int = MIN_CALIBRATION_ROWS) -> Calibrator:
    """A calibrator of `method` on (p, outcome) rows; the identity with too few rows."""
    if method not in CALIBRATION_METHODS:
        raise ValueError(f"unknown calibration {method!r}; choose from {CALIBRATION_METHODS}")
    ok = ~(np.isnan(p) | np.isnan(outcome))
    n = int(ok.sum())
    if method == "none" or n < min_rows:
        return Calibrator("none", n)
    if method == "platt":
        a, b = fit_platt(p[ok], outcome[ok])
        return Calibrator("platt", n, a=a, b=b)
    x, y = fit_isotonic(p[ok], outcome[ok])
    return Calibrator("isotonic", n, x=x, y=y)


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared error of a probability against a 0/1 outcome."""
    return float(np.mean((np.asarray(p) - np.asarray(outcome)) ** 2))


def log_loss(p: np.ndarray, outcome: np.ndarray, eps: float = _EPS) -> float:
    """Mean negative log-likelihood (probabilities clipped to [eps, 1 - eps])."""
    q = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    y = np.asarray(outcome, dtype=np.float64)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def brier_skill(p: np.ndarray, reference: np.ndarray, outcome: np.ndarray) -> float:
    """1 - Brier(p) / Brier(reference): > 0 when p beats the reference probability."""
    ref = brier(reference, outcome)
    return 1.0 - brier(p, outcome) / ref if ref > 0 else float("nan")
