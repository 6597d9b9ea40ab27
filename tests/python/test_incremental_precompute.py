"""Incremental equals full: the precompute layer built day by day equals one full build.

A fresh warehouse gets the real season only up to the day before a window, built in
full; then, for each day of the window, that day's files are loaded (as a daily scrape
would land them) and the layer is rebuilt incrementally: with `--vars {start_date: d,
end_date: d}` (the backfill path) on every day but the last, and with no vars (the daily
path: the look-back window) on the last. Every precompute fact must then equal, row for
row (EXCEPT both ways), the full build of the whole season in `real_warehouse`, up to the
window's last day. Since the day-by-day build never saw a later game, this also shows that
no feature leaks a later game.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from nba_props.load import DuckDBLoader
from nba_props.orchestrate.reference import write_player_registry
from tests.python.conftest import REAL_DATA_DIR, Warehouse
from tests.python.test_precompute_support import LAYER_SELECTION, facts_identical

WINDOW = [date(2025, 1, 27) + timedelta(days=i) for i in range(4)]

# raw table -> (file, SQL date of a row over the all-varchar columns of the file)
DATED_FILES: dict[str, tuple[str, str]] = {
    "nbacom_player_game_logs": ("nbacom_player_game_logs_2024-25.csv", "cast(GAME_DATE as date)"),
    "nbacom_team_game_logs": ("nbacom_team_game_logs_2024-25.csv", "cast(GAME_DATE as date)"),
    "nbacom_shot_detail": (
        "nbacom_shot_detail_2024-25.csv",
        "cast(strptime(GAME_DATE, '%m-%d-%Y') as date)",
    ),
    "odds_api_player_props": (
        "odds_api_player_threes_2024-25.csv",
        "cast(cast(replace(game_time, 'Z', '') as timestamp) - interval 6 hour as date)",
    ),
    "odds_api_game_lines": ("game_lines_2023-24_2024-25.csv", "cast(date as date)"),
}


def _write_slice(source: Path, row_date: str, condition: str, out: Path) -> int:
    """Write the rows of `source` whose date meets `condition`, as read (all text)."""
    with duckdb.connect() as con:
        rows = con.execute(
            f"select count(*) from read_csv(?, all_varchar = true, header = true) "
            f"where {row_date} {condition}",
            [str(source)],
        ).fetchone()[0]
        if rows:
            con.execute(
                f"copy (select * from read_csv('{source}', all_varchar = true, header = true) "
                f"where {row_date} {condition}) to '{out}' (header)"
            )
    return rows


def _load_slice(
    loader: DuckDBLoader, sources: Path, landing: Path, name: str, condition: str
) -> None:
    for raw_table, (file_name, row_date) in DATED_FILES.items():
        out = landing / f"{raw_table}_{name}.csv"
        if _write_slice(sources / file_name, row_date, condition, out):
            assert [r.status for r in loader.load(raw_table, [out])] == ["loaded"]


@pytest.fixture(scope="module")
def daily_warehouse(real_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("daily")
    sources, landing = root / "sources", root / "landing"
    sources.mkdir()
    landing.mkdir()
    for raw_table, (file_name, _) in DATED_FILES.items():
        if raw_table == "nbacom_shot_detail":
            with zipfile.ZipFile(REAL_DATA_DIR / "nbacom_shot_detail_2024-25.csv.zip") as zf:
                member = next(m for m in zf.namelist() if m.endswith(".csv"))
                with zf.open(member) as src, (sources / file_name).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        else:
            shutil.copyfile(REAL_DATA_DIR / file_name, sources / file_name)

    warehouse = Warehouse(
        root / "daily.duckdb", real_warehouse.build, root / "target", root / "logs"
    )
    loader = DuckDBLoader(warehouse.database)
    loader.load("nbacom_players", [write_player_registry(landing)])
    loader.load("nbacom_team_game_logs", [REAL_DATA_DIR / "nbacom_team_game_logs_2023-24.csv"])
    _load_slice(loader, sources, landing, "initial", f"< '{WINDOW[0]}'")
    warehouse.dbt("seed")
    warehouse.dbt("run", *LAYER_SELECTION)

    # Daily runs rebuild the tables of the layer and upstream of it; views (staging,
    # intermediate) already exist and always read the newest raw rows.
    daily = (*LAYER_SELECTION, "--exclude", "config.materialized:view")
    runs = []
    for day in WINDOW:
        _load_slice(loader, sources, landing, day.isoformat(), f"= '{day}'")
        if day == WINDOW[-1]:
            outcome = warehouse.dbt("run", *daily)
        else:
            window = json.dumps({"start_date": day.isoformat(), "end_date": day.isoformat()})
            outcome = warehouse.dbt("run", *daily, "--vars", window)
        runs.append(outcome)
    return {"warehouse": warehouse, "runs": runs}


@pytest.mark.slow
def test_day_by_day_build_equals_full_build(
    daily_warehouse: dict, real_warehouse: Warehouse
) -> None:
    warehouse: Warehouse = daily_warehouse["warehouse"]
    assert all(run.success for run in daily_warehouse["runs"])
    last = WINDOW[-1]
    result = facts_identical(
        warehouse.database, real_warehouse.database, [("*", f"{{col}} <= '{last}'")]
    )
    for table, (rows, only_daily, only_full) in result.items():
        assert rows > 0, table
        assert (only_daily, only_full) == (0, 0), f"{table}: {result[table]}"
    # Every window day with games has its rows, built by its own incremental run.
    played = set(warehouse.query(
        "select distinct game_date from nba_staging.stg_nbacom__player_game_logs "
        "where game_date >= ?",
        [WINDOW[0]],
    ))
    stored = set(warehouse.query(
        "select distinct game_date from nba_precompute.ml_feature_store_v2 where game_date >= ?",
        [WINDOW[0]],
    ))
    assert stored == played and len(stored) >= 4
