"""Helpers shared by the precompute-layer tests (no tests here).

The precompute tests reuse the session fixture ``real_warehouse`` of conftest.py (the real
2024-25 files loaded with the loader and built once with ``dbt build`` through dbtRunner, in
a temp DuckDB file with its own target and log paths). Tests that change data work on a
copy of that database, so the shared one stays as built.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

from tests.python.conftest import Warehouse

# The incremental facts of the layer and the date column each one is partitioned on.
PRECOMPUTE_FACTS: dict[str, str] = {
    "player_daily_cache": "cache_date",
    "player_shot_zone_analysis": "analysis_date",
    "team_defense_zone_analysis": "analysis_date",
    "player_composite_factors": "game_date",
    "ml_feature_store_v2": "game_date",
}

# The dbt selection that (re)builds the layer and everything upstream of it.
LAYER_SELECTION = ("--select", "+path:models/features")


def copy_warehouse(source: Warehouse, root: Path) -> Warehouse:
    """A copy of a built warehouse, with its own database file, target and log paths."""
    root.mkdir(parents=True, exist_ok=True)
    database = root / "warehouse.duckdb"
    shutil.copyfile(source.database, database)
    wal = source.database.with_name(source.database.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, database.with_name(database.name + ".wal"))
    return Warehouse(database, source.build, root / "target", root / "logs")


def table_differences(
    database: Path,
    other: Path,
    table: str,
    where: str = "true",
    schema: str = "nba_precompute",
) -> tuple[int, int, int]:
    """(rows, rows only in `database`, rows only in `other`) of one table, EXCEPT both ways."""
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute(f"attach '{other}' as other_db (read_only)")
        mine = f"(select * from {schema}.{table} where {where})"
        theirs = f"(select * from other_db.{schema}.{table} where {where})"
        rows = con.execute(f"select count(*) from {mine}").fetchone()[0]
        only_mine = con.execute(
            f"select count(*) from (select * from {mine} except all select * from {theirs})"
        ).fetchone()[0]
        only_theirs = con.execute(
            f"select count(*) from (select * from {theirs} except all select * from {mine})"
        ).fetchone()[0]
    return rows, only_mine, only_theirs


def facts_identical(
    database: Path, other: Path, where_by_column: Iterable[tuple[str, str]] = ()
) -> dict[str, tuple[int, int, int]]:
    """table_differences for every precompute fact; `where_by_column` maps a date column to a
    condition template with `{col}`."""
    conditions = dict(where_by_column)
    out = {}
    for table, column in PRECOMPUTE_FACTS.items():
        template = conditions.get(column, conditions.get("*", "true"))
        out[table] = table_differences(database, other, table, template.format(col=column))
    return out
