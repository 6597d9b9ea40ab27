"""Shared fixtures: the real 2024-25 data in ../shared/data/nba, loaded and built once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from nba_props.load import DuckDBLoader
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.reference import write_player_registry
from nba_props.paths import PROJECT_DIR

REAL_DATA_DIR = PROJECT_DIR.parent / "shared" / "data" / "nba"

REAL_FILES: dict[str, list[str]] = {
    "nbacom_player_game_logs": ["nbacom_player_game_logs_2024-25.csv"],
    "nbacom_team_game_logs": [
        "nbacom_team_game_logs_2023-24.csv",
        "nbacom_team_game_logs_2024-25.csv",
    ],
    "odds_api_player_props": ["odds_api_player_threes_2024-25.csv"],
    "odds_api_game_lines": ["game_lines_2023-24_2024-25.csv"],
    "nbacom_shot_detail": ["nbacom_shot_detail_2024-25.csv.zip"],
}


@pytest.fixture(scope="session", autouse=True)
def model_store_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Model files are signed with a key; the tests keep theirs in a temporary file (the
    default is a private file in the user's home) and pass it on to the CLIs they run."""
    key_file = tmp_path_factory.mktemp("model-store-key") / "model_store.key"
    previous = os.environ.get("NBA_PROPS_MODEL_KEY_FILE")
    os.environ["NBA_PROPS_MODEL_KEY_FILE"] = str(key_file)
    yield
    if previous is None:
        os.environ.pop("NBA_PROPS_MODEL_KEY_FILE", None)
    else:
        os.environ["NBA_PROPS_MODEL_KEY_FILE"] = previous


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    if not REAL_DATA_DIR.is_dir():
        pytest.fail(f"real data not found at {REAL_DATA_DIR}: ../shared must sit beside the repo")
    return REAL_DATA_DIR


def load_real_files(database: Path, landing: Path) -> list:
    loader = DuckDBLoader(database)
    results = loader.load("nbacom_players", [write_player_registry(landing)])
    for raw_table, names in REAL_FILES.items():
        results += loader.load(raw_table, [REAL_DATA_DIR / n for n in names])
    return results


@dataclass
class Warehouse:
    database: Path
    build: DbtOutcome
    target_path: Path
    log_path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self.query(sql, params)[0][0]

    def dbt(self, *args: str, raise_on_failure: bool = True) -> DbtOutcome:
        return run_dbt(
            list(args),
            database=self.database,
            target_path=self.target_path,
            log_path=self.log_path,
            quiet=True,
            raise_on_failure=raise_on_failure,
        )


@pytest.fixture(scope="session")
def real_warehouse(
    real_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    """The real 2024-25 files loaded through the loader and built with `dbt build`."""
    root = tmp_path_factory.mktemp("real")
    database = root / "real.duckdb"
    load_real_files(database, root / "landing")
    target_path, log_path = root / "target", root / "logs"
    build = run_dbt(
        ["build"],
        database=database,
        target_path=target_path,
        log_path=log_path,
        quiet=True,
        raise_on_failure=False,
    )
    yield Warehouse(database, build, target_path, log_path)
