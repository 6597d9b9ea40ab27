"""Load landed files into the DuckDB raw schema: idempotent, atomic, schema-checked."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nba_props.contracts import LOAD_METADATA_COLUMNS, RAW_TABLES, RawTable
from nba_props.load.result import LoadResult
from nba_props.load.staging import (
    LoadError,
    ValidatedFile,
    content_hash,
    contract_for,
    validate_file,
)

log = logging.getLogger(__name__)

_DUCK_TYPES = {
    "VARCHAR": "varchar",
    "BIGINT": "bigint",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
}
MANIFEST = "_load_manifest"


def _columns(contract: RawTable) -> list[tuple[str, str]]:
    cols = [(c.name, c.type) for c in contract.columns]
    return cols + list(LOAD_METADATA_COLUMNS)


class DuckDBLoader:
    """Loads files into ``<schema>.<raw_table>`` in one DuckDB file."""

    def __init__(
        self,
        database: Path | str,
        schema: str = "nba_raw",
        run_id: str | None = None,
        allow_extra_columns: bool = False,
    ):
        self.database = str(database)
        self.allow_extra_columns = allow_extra_columns
        self.schema = schema
        self.run_id = run_id
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)

    def ensure_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the raw schema, every raw table and the manifest; add new contract columns."""
        con.execute(f"create schema if not exists {self.schema}")
        existing = self._existing_columns(con)
        for contract in RAW_TABLES.values():
            self._ensure_table(con, contract, existing.get(contract.name))
        con.execute(
            f"create table if not exists {self.schema}.{MANIFEST} ("
            "load_id varchar primary key, raw_table varchar not null, source_file varchar not null,"
            " content_hash varchar not null, rows_loaded bigint not null,"
            " ignored_columns varchar, run_id varchar, loaded_at timestamp not null)"
        )

    def _existing_columns(self, con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
        """Table -> its columns, for every table in the raw schema (one catalog query)."""
        existing: dict[str, set[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = ?",
            [self.schema],
        ).fetchall():
            existing.setdefault(table, set()).add(column)
        return existing

    def _ensure_table(
        self, con: duckdb.DuckDBPyConnection, contract: RawTable, existing: set[str] | None
    ) -> None:
        """Create the table, or add the contract columns it lacks (``existing``: its columns)."""
        table = f"{self.schema}.{contract.name}"
        if existing is None:
            cols = ", ".join(f"{n} {_DUCK_TYPES[t]}" for n, t in _columns(contract))
            con.execute(f"create table if not exists {table} ({cols})")
            return
        for name, typ in _columns(contract):
            if name not in existing:
                con.execute(f"alter table {table} add column {name} {_DUCK_TYPES[typ]}")

    def load(self, raw_table: str, files: Iterable[Path | str]) -> list[LoadResult]:
        contract = contract_for(raw_table)
        results: list[LoadResult] = []
        with duckdb.connect(self.database) as con:
            self.ensure_tables(con)
            for file in files:
                results.append(self._load_one(con, contract, Path(file)))
        return results

    def _load_one(
        self, con: duckdb.DuckDBPyConnection, contract: RawTable, path: Path
    ) -> LoadResult:
        if not path.is_file():
            raise LoadError(f"{path}: no such file")
        digest = content_hash(path)
        seen = self._loaded_as(con, contract.name, digest)
        if seen is not None:  # cheap check first: no parsing for a file loaded before
            log.info("skip %s: same content already loaded as %s", path, seen)
            return LoadResult(contract.name, str(path), seen, "skipped_duplicate", 0, 0)
        staged = validate_file(con, contract.name, path, self.allow_extra_columns, digest)
        try:
            con.execute("begin transaction")
            seen = self._loaded_as(con, contract.name, digest)
            if seen is not None:  # loaded by a concurrent run meanwhile
                con.execute("rollback")
                return LoadResult(
                    contract.name,
                    str(path),
                    seen,
                    "skipped_duplicate",
                    0,
                    staged.rows,
                    staged.ignored_columns,
                )
            now = datetime.now(UTC).replace(tzinfo=None)
            load_id = f"{now:%Y%m%dT%H%M%S%f}-{digest[:12]}"
            self._insert_rows(con, contract, staged, load_id, now)
            con.execute(
                f"insert into {self.schema}.{MANIFEST} values (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                [
                    load_id,
                    contract.name,
                    str(path),
                    digest,
                    staged.rows,
                    ",".join(staged.ignored_columns) or None,
                    self.run_id,
                    now,
                ],
            )
            con.execute("commit")
        except (duckdb.Error, LoadError) as exc:
            con.execute("rollback")
            raise LoadError(
                f"{path}: load into {contract.name} failed and was rolled back: {exc}"
            ) from exc
        finally:
            con.execute(f"drop table if exists {staged.source}")
        if staged.ignored_columns:
            log.warning(
                "%s: columns not in the %s contract were not loaded: %s",
                path,
                contract.name,
                staged.ignored_columns,
            )
        return LoadResult(
            contract.name,
            str(path),
            load_id,
            "loaded",
            staged.rows,
            staged.rows,
            staged.ignored_columns,
        )

    def _insert_rows(
        self,
        con: duckdb.DuckDBPyConnection,
        contract: RawTable,
        staged: ValidatedFile,
        load_id: str,
        now: datetime,
    ) -> None:
        """Type the validated rows straight into the raw table, with the load metadata."""
        data_cols = ", ".join(staged.columns)
        inserted = con.execute(
            f"insert into {self.schema}.{contract.name} "  # noqa: S608
            f"({data_cols}, _load_id, _source_file, _content_hash, _row_number, _loaded_at) "
            f"select {staged.typed_columns()}, ?, ?, ?, _row_number, ? from {staged.source}",
            [load_id, str(staged.path), staged.content_hash, now],
        ).fetchone()
        if inserted is None or inserted[0] != staged.rows:
            raise LoadError(f"{staged.path}: inserted {inserted} rows, the file has {staged.rows}")

    def _loaded_as(self, con: duckdb.DuckDBPyConnection, raw_table: str, digest: str) -> str | None:
        row = con.execute(
            f"select load_id from {self.schema}.{MANIFEST} "  # noqa: S608
            "where raw_table = ? and content_hash = ?",
            [raw_table, digest],
        ).fetchone()
        return None if row is None else str(row[0])
