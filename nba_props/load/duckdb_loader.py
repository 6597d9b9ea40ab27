"""Load landed files into the DuckDB raw schema: idempotent, atomic, schema-checked.

Rows that cannot be loaded (a bad value, an empty key, a duplicate key: see
:mod:`nba_props.load.quarantine`) are set aside in ``<schema>._rejected_rows`` with the
reason and the raw row, in the same transaction as the file's good rows, and reported
(status ``loaded_with_rejects``, ``rows_rejected``, a log warning). Never silently.

Whole-file failures (a :class:`LoadError`, nothing loaded) stay for what is not a row's
fault: an unreadable or truncated file, missing or unknown columns; and, for bad rows, when
``on_bad_rows="fail"`` or when more than ``max_rejected_fraction`` of the file's rows are
defective (then it is a format change or the wrong file, not a few bad rows). Exact
duplicate rows are always reduced to one, whatever the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from nba_props.contracts import (
    LOAD_MANIFEST,
    LOAD_METADATA_COLUMNS,
    RAW_TABLES,
    REJECTED_ROWS,
    RawTable,
)
from nba_props.load.errors import LoadError
from nba_props.load.names import ROW_NUMBER
from nba_props.load.quarantine import (
    DEFAULT_MAX_REJECTED_FRACTION,
    FAIL,
    ON_BAD_ROWS,
    QUARANTINE,
    REJECTED,
    Rejects,
    check_policy,
    find_rejects,
    good_rows_filter,
    load_result,
    refuse_defects,
    rejected_rows_sql,
)
from nba_props.load.result import SKIPPED_DUPLICATE, LoadResult
from nba_props.load.staging import ValidatedFile, content_hash, contract_for, prepare_file
from nba_props.relations import RAW
from nba_props.schemas.types import DUCKDB_TYPES

log = logging.getLogger(__name__)

MANIFEST = LOAD_MANIFEST.name
# The policy and the rejected-rows table are shared with the BigQuery loader (quarantine.py).
__all__ = [
    "DEFAULT_MAX_REJECTED_FRACTION",
    "FAIL",
    "MANIFEST",
    "ON_BAD_ROWS",
    "QUARANTINE",
    "REJECTED",
    "DuckDBLoader",
]

# The DuckDB DDL of the bookkeeping tables, from their schemas (nba_props.contracts).
_MANIFEST_DDL = LOAD_MANIFEST.duckdb_columns_sql()
_REJECTED_DDL = REJECTED_ROWS.duckdb_columns_sql()


def _columns(contract: RawTable) -> list[tuple[str, str]]:
    cols = [(c.name, c.type) for c in contract.columns]
    return cols + list(LOAD_METADATA_COLUMNS)


class DuckDBLoader:
    """Loads files into ``<schema>.<raw_table>`` in one DuckDB file.

    ``on_bad_rows``: ``"quarantine"`` (default) loads a file's good rows and sets the bad
    ones aside in ``_rejected_rows``; ``"fail"`` refuses the whole file at its first bad
    row, naming the file, row and column. ``max_rejected_fraction``: in quarantine mode, a
    file with a larger share of defective rows (bad values, empty keys, conflicting
    duplicates) fails whole.
    """

    def __init__(
        self,
        database: Path | str,
        schema: str = RAW,
        run_id: str | None = None,
        allow_extra_columns: bool = False,
        on_bad_rows: str = QUARANTINE,
        max_rejected_fraction: float = DEFAULT_MAX_REJECTED_FRACTION,
    ):
        check_policy(on_bad_rows, max_rejected_fraction)
        self.database = str(database)
        self.allow_extra_columns = allow_extra_columns
        self.schema = schema
        self.run_id = run_id
        self.on_bad_rows = on_bad_rows
        self.max_rejected_fraction = max_rejected_fraction
        if self.database != ":memory:":
            Path(self.database).parent.mkdir(parents=True, exist_ok=True)

    def ensure_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the raw schema, every raw table, the manifest and the rejected-rows table;
        add new contract (and manifest) columns to tables made by an older version."""
        con.execute(f"create schema if not exists {self.schema}")
        existing = self._existing_columns(con)
        for contract in RAW_TABLES.values():
            self._ensure_table(con, contract, existing.get(contract.name))
        con.execute(f"create table if not exists {self.schema}.{MANIFEST} ({_MANIFEST_DDL})")
        if MANIFEST in existing and "rows_rejected" not in existing[MANIFEST]:
            con.execute(f"alter table {self.schema}.{MANIFEST} add column rows_rejected bigint")
        con.execute(f"create table if not exists {self.schema}.{REJECTED} ({_REJECTED_DDL})")

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
            cols = ", ".join(f"{n} {DUCKDB_TYPES[t]}" for n, t in _columns(contract))
            con.execute(f"create table if not exists {table} ({cols})")
            return
        for name, typ in _columns(contract):
            if name not in existing:
                con.execute(f"alter table {table} add column {name} {DUCKDB_TYPES[typ]}")

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
            raise LoadError(f"{path}: no such file; check the path")
        digest = content_hash(path)
        seen = self._loaded_as(con, contract.name, digest)
        if seen is not None:  # cheap check first: no parsing for a file loaded before
            log.info("skip %s: same content already loaded as %s", path, seen)
            return LoadResult(contract.name, str(path), seen, SKIPPED_DUPLICATE, 0, 0)
        staged: ValidatedFile | None = None
        rejects: Rejects | None = None
        try:
            staged = prepare_file(con, contract.name, path, self.allow_extra_columns, digest)
            rejects = find_rejects(con, contract, staged)
            self._refuse_defects(con, staged, rejects)
            return self._write(con, contract, staged, rejects)
        except duckdb.Error as exc:
            raise LoadError(f"{path}: load into {contract.name} failed: {exc}") from exc
        finally:
            for table in (staged and staged.source, rejects and rejects.relation):
                if table:
                    con.execute(f"drop table if exists {table}")

    def _refuse_defects(
        self, con: duckdb.DuckDBPyConnection, staged: ValidatedFile, rejects: Rejects
    ) -> None:
        """Fail the whole file when the policy says so (``fail``, or too many bad rows)."""
        refuse_defects(con, staged, rejects, self.on_bad_rows, self.max_rejected_fraction)

    def _write(
        self,
        con: duckdb.DuckDBPyConnection,
        contract: RawTable,
        staged: ValidatedFile,
        rejects: Rejects,
    ) -> LoadResult:
        """The good rows, the rejected ones and the manifest row: one transaction."""
        path = staged.path
        con.execute("begin transaction")
        try:
            seen = self._loaded_as(con, contract.name, staged.content_hash)
            if seen is not None:  # loaded by a concurrent run meanwhile
                con.execute("rollback")
                return LoadResult(
                    contract.name, str(path), seen, SKIPPED_DUPLICATE, 0, staged.rows,
                    staged.ignored_columns,
                )
            now = datetime.now(UTC).replace(tzinfo=None)
            load_id = f"{now:%Y%m%dT%H%M%S%f}-{staged.content_hash[:12]}"
            loaded = self._insert_rows(con, contract, staged, rejects, load_id, now)
            if rejects.rows:
                self._insert_rejects(con, staged, rejects, load_id, now)
            con.execute(
                f"insert into {self.schema}.{MANIFEST} (load_id, raw_table, source_file, "  # noqa: S608
                "content_hash, rows_loaded, ignored_columns, run_id, loaded_at, rows_rejected) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    contract.name,
                    str(path),
                    staged.content_hash,
                    loaded,
                    ",".join(staged.ignored_columns) or None,
                    self.run_id,
                    now,
                    rejects.rows,
                ],
            )
            con.execute("commit")
        except (duckdb.Error, LoadError) as exc:
            con.execute("rollback")
            raise LoadError(
                f"{path}: load into {contract.name} failed and was rolled back: {exc}"
            ) from exc
        return self._result(contract, staged, rejects, load_id, loaded)

    def _result(
        self,
        contract: RawTable,
        staged: ValidatedFile,
        rejects: Rejects,
        load_id: str,
        loaded: int,
    ) -> LoadResult:
        result = load_result(
            contract.name, staged, rejects, load_id, loaded, f"{self.schema}.{REJECTED}"
        )
        for warning in result.warnings:
            log.warning("%s", warning)
        return result

    def _insert_rows(
        self,
        con: duckdb.DuckDBPyConnection,
        contract: RawTable,
        staged: ValidatedFile,
        rejects: Rejects,
        load_id: str,
        now: datetime,
    ) -> int:
        """Type the file's good rows straight into the raw table, with the load metadata."""
        data_cols = ", ".join(staged.columns)
        where = good_rows_filter(rejects)
        inserted = con.execute(
            f"insert into {self.schema}.{contract.name} "  # noqa: S608
            f"({data_cols}, _load_id, _source_file, _content_hash, _row_number, _loaded_at) "
            f"select {staged.typed_columns()}, ?, ?, ?, {ROW_NUMBER}, ? "
            f"from {staged.source}{where}",
            [load_id, str(staged.path), staged.content_hash, now],
        ).fetchone()
        expected = staged.rows - rejects.rows
        if inserted is None or inserted[0] != expected:
            raise LoadError(
                f"{staged.path}: inserted {inserted} rows where {expected} were expected"
            )
        return expected

    def _insert_rejects(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: ValidatedFile,
        rejects: Rejects,
        load_id: str,
        now: datetime,
    ) -> None:
        """Each rejected row with its reason and the file's row as JSON text (as read)."""
        rows_sql, params = rejected_rows_sql(staged, rejects)
        con.execute(
            f"insert into {self.schema}.{REJECTED} (load_id, raw_table, source_file, "  # noqa: S608
            "row_number, column_name, reason, detail, raw_row, run_id, rejected_at) "
            "select ?, ?, ?, q.row_number, q.column_name, q.reason, q.detail, q.raw_row, ?, ? "
            f"from ({rows_sql}) q",
            [load_id, staged.raw_table, str(staged.path), self.run_id, now, *params],
        )

    def _loaded_as(self, con: duckdb.DuckDBPyConnection, raw_table: str, digest: str) -> str | None:
        row = con.execute(
            f"select load_id from {self.schema}.{MANIFEST} "  # noqa: S608
            "where raw_table = ? and content_hash = ?",
            [raw_table, digest],
        ).fetchone()
        return None if row is None else str(row[0])
