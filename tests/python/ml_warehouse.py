"""A small SYNTHETIC warehouse for the ML-worker, grading and backtest tests, built once.

One synthetic season (nba_props.demo) loaded through the loader, then `dbt run` of what the
workers read (feature store, preferred lines, prop outcomes) and of the grading marts.
Shared by test_predict_*.py, test_backtest*.py and test_grading*.py through build_once().
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from nba_props.orchestrate.dbt import DbtOutcome, run_dbt

SEASON = "2025-26"
MODELS = (
    "+ml_feature_store_v2 +player_prop_lines_preferred +game_lines_preferred "
    "+prop_outcomes "
    "+system_performance_rolling"
)

_lock = threading.Lock()
_built: dict[str, MLWarehouse] = {}


@dataclass
class MLWarehouse:
    root: Path
    database: Path
    target_path: Path
    log_path: Path

    def dbt(self, *args: str, raise_on_failure: bool = True) -> DbtOutcome:
        return run_dbt(
            list(args), database=self.database, target_path=self.target_path,
            log_path=self.log_path, quiet=True, raise_on_failure=raise_on_failure,
        )

    def copy(self, name: str) -> Path:
        """A private copy of the built database (tests that write predictions use one)."""
        path = self.root / f"{name}.duckdb"
        shutil.copyfile(self.database, path)
        return path


def build_once(root: Path) -> MLWarehouse:
    with _lock:
        if "wh" in _built:
            return _built["wh"]
        from nba_props.demo import generate_demo
        from nba_props.orchestrate.pipeline import load_all
        from nba_props.orchestrate.reference import write_player_registry

        root.mkdir(parents=True, exist_ok=True)
        database = root / "ml.duckdb"
        demo = generate_demo(root / "landing" / "synthetic", seasons=1)
        files = {k: list(v) for k, v in demo.files.items()}
        files.setdefault("nbacom_players", []).append(write_player_registry(root / "landing"))
        load_all(database, files)
        wh = MLWarehouse(root, database, root / "target", root / "logs")
        wh.dbt("seed")
        wh.dbt("run", "--select", MODELS)
        _built["wh"] = wh
        return wh
