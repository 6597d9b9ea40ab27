"""Read one landed file into a typed, validated DuckDB relation.

Both loaders (DuckDB and BigQuery) stage files here first, so every file is checked the same
way: readable (:mod:`nba_props.load.readers`), required columns, types, and a clear error
naming the file, row and column. DuckDB does the parsing, so validation is vectorized (no
Python loop per row). :func:`prepare_file` reads and types a file without judging its values;
:func:`validate_file` (and :func:`stage_file`) also refuse the file at its first bad value.
The DuckDB loader quarantines bad rows instead (:mod:`nba_props.load.quarantine`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nba_props.contracts import (
    BIGINT,
    BOOLEAN,
    DATE,
    DOUBLE,
    RAW_TABLES,
    TIMESTAMP,
    VARCHAR,
    Column,
    RawTable,
)
from nba_props.load.errors import LoadError
from nba_props.load.names import ROW_NUMBER, header_map, normalize_header, quote_ident
from nba_props.load.readers import SUPPORTED_SUFFIXES, SourceFile, read_varchar

# Imported from here by other modules (bench, replay, the BigQuery loader).
__all__ = [
    "SUPPORTED_SUFFIXES",
    "LoadError",
    "StagedFile",
    "ValidatedFile",
    "ValueCheck",
    "bad_value_message",
    "column_sql",
    "content_hash",
    "contract_for",
    "normalize_header",
    "prepare_file",
    "quote_ident",
    "stage_file",
    "text_value",
    "validate_file",
]


@dataclass
class StagedFile:
    raw_table: str
    path: Path
    content_hash: str
    relation: str  # name of the temp table holding the typed rows
    rows: int
    ignored_columns: list[str] = field(default_factory=list)


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def contract_for(raw_table: str) -> RawTable:
    try:
        return RAW_TABLES[raw_table]
    except KeyError:
        known = ", ".join(sorted(RAW_TABLES))
        raise LoadError(f"unknown raw table {raw_table!r}; known tables: {known}") from None


def text_value(ident: str) -> str:
    """``nullif(trim(x), '')`` without trimming values that cannot need it (nearly all).

    trim() strips Unicode space separators; the only ASCII one is the space, so a value that
    neither starts nor ends with a space and is all ASCII (as many bytes as characters) is
    already trimmed.
    """
    return (
        f"case when {ident} like ' %' or {ident} like '% ' or strlen({ident}) <> length({ident}) "
        f"then nullif(trim({ident}), '') else nullif({ident}, '') end"
    )


def _cast_expr(raw: str, typ: str, fmt: str | None) -> tuple[str, str]:
    """(typed expression, validity check) for the text SQL expression ``raw``."""
    if fmt:
        expr = f"try_strptime({raw}, '{fmt}')"
        if typ == DATE:
            expr = f"cast({expr} as date)"
        return expr, expr
    if typ == BIGINT:
        expr = f"try_cast({raw} as bigint)"
        check = f"case when try_cast({raw} as double) = {expr} then {expr} end"
        return expr, check
    if typ == DATE:
        # Accept ISO dates and ISO timestamps at midnight, nothing else.
        expr = f"try_cast({raw} as date)"
        return expr, expr
    if typ in (DOUBLE, TIMESTAMP, BOOLEAN):
        sql_type = {DOUBLE: "double", TIMESTAMP: "timestamp", BOOLEAN: "boolean"}[typ]
        expr = f"try_cast({raw} as {sql_type})"
        return expr, expr
    return raw, raw


@dataclass(frozen=True)
class ColumnSql:
    """SQL over the VARCHAR staging table for one contract column."""

    value: str  # the typed value (VARCHAR: trimmed, '' as null)
    # _row_number where the text is not empty but not a valid value, else null; None: no check
    bad_row: str | None


def column_sql(ident: str, typ: str, fmt: str | None) -> ColumnSql:
    """The typed value of quoted column ``ident`` and the check that finds a bad one.

    Same result as casting ``nullif(trim(x), '')``, but the cast is tried on the untrimmed text
    first: DuckDB's casts skip surrounding whitespace, so a cast that succeeds on the text
    gives the value the trimmed text would; trim() (costly) runs only where it fails.
    """
    trimmed = f"nullif(trim({ident}), '')"
    if typ == VARCHAR:
        return ColumnSql(text_value(ident), None)
    value, check = _cast_expr(trimmed, typ, fmt)
    bad = f"when {trimmed} is not null and ({check}) is null then _row_number"
    if fmt:  # strptime does not skip whitespace: always trim
        return ColumnSql(value, f"case {bad} end")
    fast_value, fast_check = _cast_expr(ident, typ, None)
    return ColumnSql(
        f"case when {fast_value} is not null then {fast_value} else {value} end",
        f"case when {fast_check} is not null then null {bad} end",
    )


@dataclass(frozen=True)
class ValueCheck:
    """The check of one contract column's values in the staged text."""

    column: Column
    original: str  # the file's name for the column
    bad_row: str  # SQL: _row_number where the text is not empty but not a valid value


@dataclass
class ValidatedFile:
    """A file read into a VARCHAR temp table, with the SQL that types and checks it."""

    raw_table: str
    path: Path
    content_hash: str
    source: str  # temp table: the file's columns as VARCHAR, plus _row_number
    columns: dict[str, str]  # contract column -> typed SQL expression over ``source``
    rows: int
    ignored_columns: list[str] = field(default_factory=list)
    checks: list[ValueCheck] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the file's column names, file order
    warnings: list[str] = field(default_factory=list)
    file_columns: dict[str, str] = field(default_factory=dict)  # contract column -> file's name

    def typed_columns(self) -> str:
        """``<expr> as <column>, ...`` in contract order."""
        return ", ".join(f"{expr} as {name}" for name, expr in self.columns.items())

    def select_sql(self) -> str:
        """The typed rows laid out like the raw table, plus ``_row_number``."""
        return f"select {self.typed_columns()}, {ROW_NUMBER} from {self.source}"  # noqa: S608


def _check_columns(
    path: Path,
    contract: RawTable,
    normalized: dict[str, str],
    allow_extra_columns: bool,
    truncated_hint: str,
) -> list[str]:
    """Refuse missing required columns and (unless allowed) unknown ones; return the ignored."""
    missing = [c.name for c in contract.required if c.name not in normalized]
    if missing:
        raise LoadError(
            f"{path}: missing required column(s) {missing} for {contract.name} "
            f"(schema drift?); found columns: {sorted(normalized)}{truncated_hint}. "
            "Check the feed's columns, or the table you load it into"
        )
    known = {c.name for c in contract.columns}
    ignored = sorted(c for c in normalized if c not in known and not c.startswith("_"))
    if ignored and not allow_extra_columns:
        raise LoadError(
            f"{path}: column(s) {ignored} are not in the {contract.name} contract (schema drift, "
            "or the wrong table?); pass allow_extra_columns to skip them"
        )
    return ignored


def bad_value_message(
    con: duckdb.DuckDBPyConnection, vf: ValidatedFile, check: ValueCheck, row: int
) -> str:
    """``<file>, row <n>, column '<c>': value '<v>' is not a valid <TYPE>``."""
    value = con.execute(
        f"select {quote_ident(check.original)} from {vf.source} "  # noqa: S608
        f"where {ROW_NUMBER} = ?",
        [row],
    ).fetchone()
    assert value is not None
    col = check.column
    return (
        f"{vf.path}, row {row}, column {col.name!r}: value {value[0]!r} "
        f"is not a valid {col.type}" + (f" in format {col.fmt}" if col.fmt else "")
    )


def _check_values(con: duckdb.DuckDBPyConnection, vf: ValidatedFile) -> None:
    """Check every value in one scan; raise on the first bad one (by row, then column order)."""
    if not vf.checks:
        return
    firsts = ", ".join(f"min({c.bad_row})" for c in vf.checks)
    found = con.execute(f"select {firsts} from {vf.source}").fetchone()  # noqa: S608
    assert found is not None
    bad_rows = [(row, i) for i, row in enumerate(found) if row is not None]
    if bad_rows:
        row, i = min(bad_rows)
        raise LoadError(
            f"{bad_value_message(con, vf, vf.checks[i], row)}. Nothing was loaded: fix the "
            "value (or re-export the file) and load it again"
        )


def prepare_file(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    path: Path,
    allow_extra_columns: bool = False,
    digest: str | None = None,
) -> ValidatedFile:
    """Read ``path`` into a VARCHAR temp table, check its columns and build the typing SQL.

    The values are not judged here (see :func:`validate_file` and the quarantine). Columns
    the contract does not know are an error (schema drift, or a file sent to the wrong
    table) unless ``allow_extra_columns``; then they are skipped and reported. ``digest``:
    the file's content hash when the caller has it already. On a LoadError the temp table
    is dropped.
    """
    contract = contract_for(raw_table)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    digest = digest or content_hash(path)
    source = read_varchar(con, path, f"_src_{digest[:16]}")
    try:
        return _prepare(contract, path, digest, source, allow_extra_columns)
    except LoadError:
        con.execute(f"drop table if exists {source.relation}")
        raise


def _prepare(
    contract: RawTable,
    path: Path,
    digest: str,
    source: SourceFile,
    allow_extra_columns: bool,
) -> ValidatedFile:
    warnings = list(source.warnings)
    normalized = header_map(path, source.header)
    if not source.header and not source.rows:  # JSON without records: no columns to check
        warnings.append(f"{path}: no records; the columns could not be checked")
        ignored: list[str] = []
    else:
        hint = "" if source.rows else "; the file has no data rows: a header cut short?"
        ignored = _check_columns(path, contract, normalized, allow_extra_columns, hint)
    columns: dict[str, str] = {}
    checks: list[ValueCheck] = []
    for col in contract.columns:
        if col.name not in normalized:
            columns[col.name] = "null"
            continue
        original = normalized[col.name]
        sql = column_sql(quote_ident(original), col.type, col.fmt)
        columns[col.name] = sql.value
        if sql.bad_row is not None:
            checks.append(ValueCheck(col, original, sql.bad_row))
    return ValidatedFile(
        contract.name,
        path,
        digest,
        source.relation,
        columns,
        source.rows,
        ignored,
        checks,
        list(source.header),
        warnings,
        {c: normalized[c] for c in columns if c in normalized},
    )


def validate_file(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    path: Path,
    allow_extra_columns: bool = False,
    digest: str | None = None,
) -> ValidatedFile:
    """:func:`prepare_file`, then refuse the whole file at its first bad value, naming the
    file, the row and the column. On a LoadError the temp table is dropped."""
    validated = prepare_file(con, raw_table, path, allow_extra_columns, digest)
    try:
        _check_values(con, validated)
    except LoadError:
        con.execute(f"drop table if exists {validated.source}")
        raise
    return validated


def stage_file(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    path: Path,
    allow_extra_columns: bool = False,
    digest: str | None = None,
) -> StagedFile:
    """Parse and validate ``path`` into a typed temp table laid out like the raw table.

    See :func:`validate_file`; the typed rows are then materialized in ``relation``.
    """
    validated = validate_file(con, raw_table, path, allow_extra_columns, digest)
    relation = f"_typed_{validated.content_hash[:16]}"
    con.execute(f"create or replace temp table {relation} as {validated.select_sql()}")
    con.execute(f"drop table {validated.source}")
    return StagedFile(
        raw_table,
        path,
        validated.content_hash,
        relation,
        validated.rows,
        validated.ignored_columns,
    )
