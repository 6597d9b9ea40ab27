"""Write a staged (validated, typed) DuckDB relation to a load file for BigQuery.

The rows never pass through Python: DuckDB writes them straight to Parquet (production) or
CSV (emulators that only take CSV), so memory stays bounded by DuckDB's streaming writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from nba_props.contracts import BOOLEAN, TIMESTAMP

PARQUET = "PARQUET"
CSV = "CSV"


def _select_expr(name: str, typ: str, source_format: str) -> str:
    if typ == TIMESTAMP:
        if source_format == CSV:
            # BigQuery's CSV timestamp spelling; naive values are UTC.
            return f"strftime({name}, '%Y-%m-%d %H:%M:%S.%f') || ' UTC' as {name}"
        # Parquet TIMESTAMP(isAdjustedToUTC=true) loads into a BigQuery TIMESTAMP as is.
        return f"cast({name} as timestamptz) as {name}"
    if typ == BOOLEAN and source_format == CSV:
        return f"case when {name} then 'true' when not {name} then 'false' end as {name}"
    return name


def export_rows(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: Sequence[tuple[str, str]],
    destination: Path,
    source_format: str,
) -> Path:
    """COPY ``relation``'s ``columns`` (name, logical type), in order, to ``destination``."""
    con.execute("set TimeZone = 'UTC'")
    select = ", ".join(_select_expr(n, t, source_format) for n, t in columns)
    query = f"select {select} from {relation} order by _row_number"  # noqa: S608 - contract names
    target = str(destination).replace("'", "''")
    if source_format == PARQUET:
        con.execute(f"copy ({query}) to '{target}' (format parquet, compression zstd)")
    elif source_format == CSV:
        con.execute(f"copy ({query}) to '{target}' (format csv, header true)")
    else:
        raise ValueError(f"unsupported load format {source_format!r}")
    return destination
