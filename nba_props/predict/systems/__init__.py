"""Prediction systems under one interface (PredictionSystem): fit before a cut-off, predict."""

from __future__ import annotations

from collections.abc import Sequence

from nba_props.predict.systems.base import PredictionSystem, TrainingSet
from nba_props.predict.systems.ensemble import EnsembleSystem
from nba_props.predict.systems.gradient_boosting import GradientBoostingSystem
from nba_props.predict.systems.moving_average import MovingAverageSystem
from nba_props.predict.systems.similarity import SimilaritySystem

BASE_SYSTEMS: dict[str, type[PredictionSystem]] = {
    MovingAverageSystem.system_id: MovingAverageSystem,
    GradientBoostingSystem.system_id: GradientBoostingSystem,
    SimilaritySystem.system_id: SimilaritySystem,
}
SYSTEM_IDS: tuple[str, ...] = (*BASE_SYSTEMS, EnsembleSystem.system_id)


def build_systems(
    names: Sequence[str] = (), seed: int = 42
) -> tuple[list[PredictionSystem], list[PredictionSystem]]:
    """(systems to fit in order, systems whose predictions are written).

    The ensemble needs every base system; they are fitted even when not written.
    """
    wanted = list(names) or list(SYSTEM_IDS)
    unknown = sorted(set(wanted) - set(SYSTEM_IDS))
    if unknown:
        raise ValueError(f"unknown systems {unknown}; choose from {list(SYSTEM_IDS)}")
    base_names = list(BASE_SYSTEMS) if EnsembleSystem.system_id in wanted else [
        n for n in BASE_SYSTEMS if n in wanted]
    base = [BASE_SYSTEMS[n](seed=seed) for n in base_names]
    fitted: list[PredictionSystem] = list(base)
    if EnsembleSystem.system_id in wanted:
        fitted.append(EnsembleSystem(base, seed=seed))
    written = [s for s in fitted if s.system_id in wanted]
    return fitted, written


__all__ = [
    "BASE_SYSTEMS",
    "SYSTEM_IDS",
    "EnsembleSystem",
    "GradientBoostingSystem",
    "MovingAverageSystem",
    "PredictionSystem",
    "SimilaritySystem",
    "TrainingSet",
    "build_systems",
]
