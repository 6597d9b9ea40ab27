"""Loaders: landed files -> raw tables (DuckDB by default, BigQuery in production)."""

from nba_props.load.duckdb_loader import DuckDBLoader
from nba_props.load.errors import LoadError
from nba_props.load.result import LoadResult

__all__ = ["DuckDBLoader", "LoadError", "LoadResult"]
