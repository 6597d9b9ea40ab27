"""Loaders: landed files -> raw tables (DuckDB by default, BigQuery in production)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nba_props._lazy import lazy_exports
from nba_props.load.errors import LoadError
from nba_props.load.result import LoadResult

# The DuckDB loader imports duckdb: loaded on first use (PEP 562), so the CLI starts at once.
_EXPORTS: dict[str, str] = {"DuckDBLoader": "nba_props.load.duckdb_loader"}

if TYPE_CHECKING:
    from nba_props.load.duckdb_loader import DuckDBLoader


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = ["DuckDBLoader", "LoadError", "LoadResult"]
