"""Prediction systems under one interface (PredictionSystem): fit before a cut-off, predict."""

from __future__ import annotations

from collections.abc import Sequence

from nba_props.predict.options import SYSTEM_IDS
from nba_props.predict.systems.base import PredictionSystem, TrainingSet
from nba_props.predict.systems.ensemble import EnsembleSystem
from nba_props.predict.systems.gradient_boosting import GradientBoostingSystem
from nba_props.predict.systems.market_anchored import MarketAnchoredSystem
from nba_props.predict.systems.moving_average import MovingAverageSystem
from nba_props.predict.systems.similarity import SimilaritySystem

BASE_SYSTEMS: dict[str, type[PredictionSystem]] = {
    MovingAverageSystem.system_id: MovingAverageSystem,
    GradientBoostingSystem.system_id: GradientBoostingSystem,
    SimilaritySystem.system_id: SimilaritySystem,
    MarketAnchoredSystem.system_id: MarketAnchoredSystem,
}
if (*BASE_SYSTEMS, EnsembleSystem.system_id) != SYSTEM_IDS:  # the CLI's choices
    raise ImportError(f"nba_props.predict.options.SYSTEM_IDS {SYSTEM_IDS} does not match the "
                      f"registered systems {(*BASE_SYSTEMS, EnsembleSystem.system_id)}")


def build_systems(
    names: Sequence[str] = (), seed: int = 42, devig: str = "power",
    calibration: str = "platt",
) -> tuple[list[PredictionSystem], list[PredictionSystem]]:
    """(systems to fit in order, systems whose predictions are written).

    The ensemble needs every base system; they are fitted even when not written.
    `devig` and `calibration` choose how every system reads the market's fair probability
    (its promotion gate, and the market-anchored system's anchor) and recalibrates its own.
    """
    wanted = list(names) or list(SYSTEM_IDS)
    unknown = sorted(set(wanted) - set(SYSTEM_IDS))
    if unknown:
        raise ValueError(f"unknown systems {unknown}; choose from {list(SYSTEM_IDS)}")
    base_names = list(BASE_SYSTEMS) if EnsembleSystem.system_id in wanted else [
        n for n in BASE_SYSTEMS if n in wanted]
    options = {"devig": devig, "calibration": calibration}
    base = [BASE_SYSTEMS[n](seed=seed, **options) for n in base_names]
    fitted: list[PredictionSystem] = list(base)
    if EnsembleSystem.system_id in wanted:
        fitted.append(EnsembleSystem(base, seed=seed, **options))
    written = [s for s in fitted if s.system_id in wanted]
    return fitted, written


__all__ = [
    "BASE_SYSTEMS",
    "SYSTEM_IDS",
    "EnsembleSystem",
    "GradientBoostingSystem",
    "MarketAnchoredSystem",
    "MovingAverageSystem",
    "PredictionSystem",
    "SimilaritySystem",
    "TrainingSet",
    "build_systems",
]
