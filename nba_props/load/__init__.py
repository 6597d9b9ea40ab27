"""Loaders: landed files -> raw tables (DuckDB by default, BigQuery in production)."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from nba_props.load.errors import LoadError
from nba_props.load.result import LoadResult

# The DuckDB loader imports duckdb: loaded on first use (PEP 562), so the CLI starts at once.
_EXPORTS: dict[str, str] = {"DuckDBLoader": "nba_props.load.duckdb_loader"}

if TYPE_CHECKING:
    from nba_props.load.duckdb_loader import DuckDBLoader


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


__all__ = ["DuckDBLoader", "LoadError", "LoadResult"]
