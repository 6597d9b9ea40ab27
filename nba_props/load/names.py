"""Column names as files spell them: normalized for the contract, quoted for SQL."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from nba_props.load.errors import LoadError

# The loader's own column in every staged file; a file may not bring one of that name.
ROW_NUMBER = "_row_number"


def quote_ident(name: str) -> str:
    """Quote a column name that came from a file header (never interpolate it raw)."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A SQL string literal, for text the contract defines (never for file content)."""
    return "'" + text.replace("'", "''") + "'"


def normalize_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def header_map(path: Path, header: Sequence[str]) -> dict[str, str]:
    """Normalized name -> the file's own name, in file order.

    Refuses a header with an unnamed column, a column named twice (after normalizing:
    ``PTS`` and ``pts`` are the same column) or the loader's own ``_row_number``.
    """
    normalized: dict[str, str] = {}
    for position, original in enumerate(header, start=1):
        norm = normalize_header(original)
        if not norm:
            raise LoadError(
                f"{path}: column {position} of the header has no name ({original!r}); "
                "fix the header line or re-export the file"
            )
        if original.lower() == ROW_NUMBER:  # DuckDB names are case-insensitive
            raise LoadError(
                f"{path}: column {original!r} is reserved for the loader's row number; "
                "rename or drop it"
            )
        if norm in normalized:
            raise LoadError(
                f"{path}: column {original!r} appears twice (as {norm!r}); "
                "drop or rename one of them"
            )
        normalized[norm] = original
    return normalized
