"""Which dbt file documents which Python-defined table: the map the generator works from.

Every table a Python writer creates and dbt reads is declared once, in Python:

- the raw tables and the loader's bookkeeping (``_load_manifest``, ``_rejected_rows``):
  :mod:`nba_props.contracts`;
- the predictions table: :mod:`nba_props.predict.contract`;
- the run log ``processor_execution_log``: :mod:`nba_props.orchestrate.execution_log`.

:func:`source_files` says which ``*__sources.yml`` declares each as a dbt source, and
:func:`hook_tables` which tables the dbt hooks create (``macros/schemas/table_schemas.sql``).
The definitions are imported here, lazily: ``nba_props.schemas`` itself stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

from nba_props.schemas.table import TableSchema
from nba_props.schemas.types import DUCKDB_TYPES

CONTRACTS = "nba_props/contracts.py"
PREDICTIONS = "nba_props/predict/contract.py"
EXECUTION_LOG = "nba_props/orchestrate/execution_log.py"
TABLE_SCHEMAS_MACRO = "macros/schemas/table_schemas.sql"


@dataclass(frozen=True)
class DocColumn:
    """A column as the sources YAML documents it (``data_type`` None: not written)."""

    name: str
    data_type: str | None
    description: str


@dataclass(frozen=True)
class DocTable:
    """A source table: dbt name, the warehouse identifier when it differs, the columns."""

    name: str
    description: str
    columns: tuple[DocColumn, ...]
    identifier: str | None = None


@dataclass(frozen=True)
class SourceFile:
    """One ``*__sources.yml``: the dbt source it declares and the Python that defines it."""

    path: str
    source: str
    definition: str
    tables: tuple[DocTable, ...]


@dataclass(frozen=True)
class HookTable:
    """A table the dbt on-run-start hooks create, with its BigQuery layout."""

    schema: TableSchema
    definition: str
    bigquery_partition: str
    bigquery_cluster: tuple[str, ...]


def _typed(table: TableSchema, typed: bool = True, name: str | None = None) -> DocTable:
    columns = tuple(
        DocColumn(c.name, DUCKDB_TYPES[c.type] if typed else None, c.description)
        for c in table.columns
    )
    dbt_name = name or table.name
    identifier = table.name if dbt_name != table.name else None
    return DocTable(dbt_name, table.description, columns, identifier)


def raw_doc_table(name: str) -> DocTable:
    """A raw table as its source documents it: typed contract columns (``Optional.`` when not
    required), then the loader's columns (untyped), and the natural key in the description."""
    from nba_props.contracts import LOAD_METADATA, RAW_TABLES

    contract = RAW_TABLES[name]
    columns = [
        DocColumn(
            c.name,
            DUCKDB_TYPES[c.type],
            c.description + ("" if c.required else " Optional."),
        )
        for c in contract.columns
    ]
    columns += [DocColumn(c.name, None, c.description) for c in LOAD_METADATA]
    return DocTable(contract.name, contract.documentation, tuple(columns))


def source_files() -> list[SourceFile]:
    """Every generated sources YAML, in a stable order."""
    from nba_props.contracts import LOAD_MANIFEST, RAW_TABLES, REJECTED_ROWS
    from nba_props.orchestrate.execution_log import EXECUTION_LOG as LOG_TABLE
    from nba_props.predict.contract import PREDICTIONS as PREDICTIONS_TABLE

    raw_sources: dict[str, list[str]] = {}
    for table in RAW_TABLES.values():
        raw_sources.setdefault(table.source, []).append(table.name)
    files = [
        SourceFile(
            f"models/staging/{source}/_{source}__sources.yml",
            source,
            CONTRACTS,
            tuple(raw_doc_table(name) for name in names),
        )
        for source, names in raw_sources.items()
    ]
    files.append(
        SourceFile(
            "models/staging/loader/_loader__sources.yml",
            "loader",
            CONTRACTS,
            (
                _typed(LOAD_MANIFEST, typed=False, name="load_manifest"),
                _typed(REJECTED_ROWS, typed=False, name="rejected_rows"),
            ),
        )
    )
    files.append(
        SourceFile(
            "models/staging/nba_predictions/_nba_predictions__sources.yml",
            "nba_predictions",
            PREDICTIONS,
            (_typed(PREDICTIONS_TABLE),),
        )
    )
    files.append(
        SourceFile(
            "models/staging/nba_monitoring/_nba_monitoring__sources.yml",
            "nba_monitoring",
            EXECUTION_LOG,
            (_typed(LOG_TABLE),),
        )
    )
    return sorted(files, key=lambda f: f.path)


def hook_tables() -> list[HookTable]:
    """The tables dbt's on-run-start hooks create (the same DDL as the Python writers')."""
    from nba_props.orchestrate import execution_log
    from nba_props.predict import contract

    return [
        HookTable(
            contract.PREDICTIONS,
            PREDICTIONS,
            contract.BIGQUERY_PARTITION,
            contract.BIGQUERY_CLUSTER,
        ),
        HookTable(
            execution_log.EXECUTION_LOG,
            EXECUTION_LOG,
            execution_log.BIGQUERY_PARTITION,
            execution_log.BIGQUERY_CLUSTER,
        ),
    ]
