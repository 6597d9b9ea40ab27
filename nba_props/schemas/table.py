"""A table's schema as the Python writers declare it: columns with types and descriptions.

The loader bookkeeping tables, the predictions table and the run log are declared as
:class:`TableSchema`; the raw tables have their own richer contract
(:mod:`nba_props.contracts`). Both feed the generated dbt files (:mod:`nba_props.schemas`).
"""

from __future__ import annotations

from dataclasses import dataclass

from nba_props.schemas.types import BIGQUERY_TYPES, DUCKDB_TYPES


@dataclass(frozen=True)
class SchemaColumn:
    name: str
    type: str
    description: str
    nullable: bool = True

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]

    @property
    def bigquery_type(self) -> str:
        return BIGQUERY_TYPES[self.type]

    @property
    def bigquery_mode(self) -> str:
        return "NULLABLE" if self.nullable else "REQUIRED"


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[SchemaColumn, ...]
    primary_key: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def typed_columns(self) -> tuple[tuple[str, str], ...]:
        """(name, logical type) in table order."""
        return tuple((c.name, c.type) for c in self.columns)

    def duckdb_columns_sql(self, separator: str = ", ") -> str:
        """The DuckDB column definitions: NOT NULL where the schema says so, and the key."""
        return separator.join(
            f"{c.name} {c.duckdb_type}"
            + (
                " primary key"
                if c.name == self.primary_key
                else ("" if c.nullable else " not null")
            )
            for c in self.columns
        )
