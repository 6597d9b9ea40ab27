"""Logical column types and their spelling on each engine: the one type map of the project.

Contracts (raw tables, loader bookkeeping, predictions, the run log) declare columns in these
logical types; the loaders, the writers and the generated dbt files spell them per engine
through :data:`DUCKDB_TYPES` and :data:`BIGQUERY_TYPES`.
"""

from __future__ import annotations

VARCHAR = "VARCHAR"
BIGINT = "BIGINT"
DOUBLE = "DOUBLE"
DATE = "DATE"
TIMESTAMP = "TIMESTAMP"
BOOLEAN = "BOOLEAN"

# DuckDB spelling (also the spelling of ``data_type`` in the sources YAML).
DUCKDB_TYPES: dict[str, str] = {
    VARCHAR: "varchar",
    BIGINT: "bigint",
    DOUBLE: "double",
    DATE: "date",
    TIMESTAMP: "timestamp",
    BOOLEAN: "boolean",
}
# BigQuery standard-SQL spelling (DDL, load-job schemas, query parameters).
BIGQUERY_TYPES: dict[str, str] = {
    VARCHAR: "STRING",
    BIGINT: "INT64",
    DOUBLE: "FLOAT64",
    DATE: "DATE",
    TIMESTAMP: "TIMESTAMP",
    BOOLEAN: "BOOL",
}
# Types BigQuery can cluster on (FLOAT64 cannot).
BIGQUERY_CLUSTERABLE = frozenset({VARCHAR, BIGINT, DATE, TIMESTAMP, BOOLEAN})
