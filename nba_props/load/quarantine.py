"""Which rows of a staged file cannot be loaded, and why: the quarantine at load.

A row is set aside, never dropped silently, when

- ``bad_value``: a value is not of its contract type (``'twelve'`` as points);
- ``null_key``: a required natural-key column is empty (it could never be deduplicated
  or joined; staging would merge such rows into one);
- ``duplicate_row``: an exact copy of an earlier row of the same file (the first is loaded);
- ``conflicting_duplicate_key``: the key is on several rows of the file with different
  values. No row of that key is loaded: the file itself cannot say which version is right.

Duplicates are looked for only in tables whose key is unique per file
(``RawTable.key_unique``). The rows found go to a temp table (``_row_number, reason,
column_name, detail``) that the loader writes to ``<schema>._rejected_rows`` in the same
transaction as the good rows. Everything is one or two scans of the staged text in DuckDB.

Both loaders (DuckDB and BigQuery) use what follows, so a file is judged the same on either
engine: :func:`find_rejects`, the policy (:func:`refuse_defects`), the rows that load
(:func:`good_rows_filter`), the rejected rows as written (:func:`rejected_rows_sql`,
``REJECTED_COLUMNS``) and the result with its warnings (:func:`load_result`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from nba_props.contracts import REJECTED_ROWS, RawTable
from nba_props.load.errors import LoadError
from nba_props.load.names import ROW_NUMBER, quote_ident, sql_string
from nba_props.load.result import EMPTY, LOADED, LOADED_WITH_REJECTS, LoadResult
from nba_props.load.staging import ValidatedFile, ValueCheck, bad_value_message, text_value

BAD_VALUE = "bad_value"
NULL_KEY = "null_key"
DUPLICATE_ROW = "duplicate_row"
CONFLICTING_KEY = "conflicting_duplicate_key"
# Reasons that mean a row is wrong (an exact duplicate row is only redundant).
DEFECTS = (BAD_VALUE, NULL_KEY, CONFLICTING_KEY)

QUARANTINE = "quarantine"  # bad rows go to _rejected_rows, the others load
FAIL = "fail"  # the first bad row fails the whole file (file, row, column)
ON_BAD_ROWS = (QUARANTINE, FAIL)
# Above this share of defective rows a file fails whole: a format change, not a few rows.
DEFAULT_MAX_REJECTED_FRACTION = 0.1

REJECTED = REJECTED_ROWS.name
# <schema>._rejected_rows on every engine: one row per rejected row of a file (the columns are
# declared in nba_props.contracts.REJECTED_ROWS).
REJECTED_COLUMNS: tuple[tuple[str, str], ...] = REJECTED_ROWS.typed_columns


@dataclass(frozen=True)
class Rejects:
    """The rows of one file set aside, in temp table ``relation``."""

    relation: str
    by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.by_reason.values())

    @property
    def defects(self) -> int:
        return sum(n for reason, n in self.by_reason.items() if reason in DEFECTS)


def find_rejects(
    con: duckdb.DuckDBPyConnection, contract: RawTable, vf: ValidatedFile
) -> Rejects:
    """Fill temp table ``_rej_<hash>`` with the rows of ``vf`` that cannot be loaded."""
    relation = f"_rej_{vf.content_hash[:16]}"
    con.execute(
        f"create or replace temp table {relation} ({ROW_NUMBER} bigint primary key, "
        "reason varchar not null, column_name varchar, detail varchar)"
    )
    if vf.rows:
        _row_defects(con, contract, vf, relation)
        if contract.key_unique and contract.key:
            _duplicates(con, contract, vf, relation)
    counted = con.execute(
        f"select reason, count(*) from {relation} group by reason order by reason"  # noqa: S608
    ).fetchall()
    return Rejects(relation, {str(reason): int(n) for reason, n in counted})


def _null_key_columns(contract: RawTable) -> list[str]:
    """Key columns that must hold a value: the required ones (present in every file)."""
    required = {c.name for c in contract.required}
    return [k for k in contract.key if k in required]


def _bad_value_detail(check: ValueCheck) -> str:
    """SQL: ``column 'pts': value "twelve" is not a valid BIGINT`` for the row at hand."""
    col = check.column
    fmt = f" in format {col.fmt}" if col.fmt else ""
    return (
        f"{sql_string(f'column {col.name!r}: value ')} || "
        f"coalesce(to_json({quote_ident(check.original)})::varchar, 'null') || "
        f"{sql_string(f' is not a valid {col.type}{fmt}')}"
    )


def _row_defects(
    con: duckdb.DuckDBPyConnection, contract: RawTable, vf: ValidatedFile, relation: str
) -> None:
    """One scan: rows with a bad value (all their bad columns named) or a null key."""
    keys = _null_key_columns(contract)
    if not vf.checks and not keys:
        return
    # Empty as text: a typed key is otherwise null only where its text is a bad value,
    # which is reported as bad_value first (and the text test is cheaper than the cast).
    empty = {k: f"{text_value(quote_ident(vf.file_columns[k]))} is null" for k in keys}
    bad_cols = ", ".join(
        f"case when ({c.bad_row}) is not null then {sql_string(c.column.name)} end"
        for c in vf.checks
    )
    first_bad = " ".join(
        f"when ({c.bad_row}) is not null then {_bad_value_detail(c)}" for c in vf.checks
    )
    null_keys = ", ".join(f"case when {empty[k]} then {sql_string(k)} end" for k in keys)
    found = " or ".join([f"({c.bad_row}) is not null" for c in vf.checks] + list(empty.values()))
    con.execute(
        f"insert into {relation} "  # noqa: S608 - generated names, contract literals
        f"select {ROW_NUMBER}, "
        f"case when len(bad) > 0 then '{BAD_VALUE}' else '{NULL_KEY}' end, "
        "array_to_string(case when len(bad) > 0 then bad else nulls end, ','), "
        "case when len(bad) > 0 then first_bad else "
        "'natural key column(s) ' || array_to_string(nulls, ', ') || ' empty' end "
        f"from (select {ROW_NUMBER}, "
        f"[x for x in [{bad_cols}] if x is not null] as bad, "
        f"{f'case {first_bad} end' if first_bad else 'null'} as first_bad, "
        f"[x for x in [{null_keys}] if x is not null] as nulls "
        f"from {vf.source} where {found})"
    )


def _not_rejected(relation: str) -> str:
    return f"{ROW_NUMBER} not in (select {ROW_NUMBER} from {relation})"  # noqa: S608


def _duplicates(
    con: duckdb.DuckDBPyConnection, contract: RawTable, vf: ValidatedFile, relation: str
) -> None:
    """Rows whose key repeats in the file: exact copies, and conflicting versions.

    A first pass groups the key's hash (cheaper than grouping the typed key columns); a
    hash collision only makes a few more candidates, which the exact pass sorts out."""
    key_hash = f"hash({', '.join(vf.columns[k] for k in contract.key)})"
    remaining = f" and {_not_rejected(relation)}" if _has_rows(con, relation) else ""
    repeated = f"_dupkeys_{vf.content_hash[:16]}"
    con.execute(
        f"create or replace temp table {repeated} as select {key_hash} as h "  # noqa: S608
        f"from {vf.source} where true{remaining} group by h having count(*) > 1"
    )
    try:
        candidates = f"{key_hash} in (select h from {repeated}){remaining}"  # noqa: S608
        if _has_rows(con, repeated):
            _classify_duplicates(con, contract, vf, relation, candidates)
    finally:
        con.execute(f"drop table if exists {repeated}")


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute(f"select exists (select 1 from {table})").fetchone() == (True,)  # noqa: S608


def _classify_duplicates(
    con: duckdb.DuckDBPyConnection,
    contract: RawTable,
    vf: ValidatedFile,
    relation: str,
    candidates: str,
) -> None:
    """Among the ``candidates`` rows (SQL condition): copies of an earlier row ->
    duplicate_row; every row of a key with two or more versions -> conflicting_duplicate_key."""
    key = ", ".join(contract.key)
    present = [c for c, expr in vf.columns.items() if expr != "null"]
    typed = ", ".join(f"{vf.columns[c]} as {c}" for c in present)
    every_column = ", ".join(present)
    key_label = sql_string(f"key ({key})")
    con.execute(
        f"insert into {relation} "  # noqa: S608 - generated names, contract identifiers
        f"with keyed as (select {ROW_NUMBER}, {typed} from {vf.source} where {candidates}), "
        f"copies as (select {ROW_NUMBER}, {key}, "
        f"row_number() over (partition by {every_column} order by {ROW_NUMBER}) as copy_no, "
        f"min({ROW_NUMBER}) over (partition by {every_column}) as first_copy from keyed), "
        f"versions as (select *, "
        f"count(*) filter (where copy_no = 1) over (partition by {key}) as n_versions, "
        f"count(*) over (partition by {key}) as n_rows, "
        f"min({ROW_NUMBER}) over (partition by {key}) as first_row from copies) "
        f"select {ROW_NUMBER}, "
        f"case when n_versions > 1 then '{CONFLICTING_KEY}' else '{DUPLICATE_ROW}' end, "
        f"{sql_string(','.join(contract.key))}, "
        f"case when n_versions > 1 then {key_label} || ' is on ' || n_rows || "
        "' rows of the file (first: row ' || first_row || ') in ' || n_versions || "
        "' different versions; none of them loaded' "
        "else 'an exact copy of row ' || first_copy || ' (that row is loaded)' end "
        "from versions where n_versions > 1 or copy_no > 1"
    )


# --- what both loaders do with the rejects ---------------------------------------------------


def check_policy(on_bad_rows: str, max_rejected_fraction: float) -> None:
    """Refuse a policy the loaders do not know (a ValueError, at construction)."""
    if on_bad_rows not in ON_BAD_ROWS:
        raise ValueError(f"on_bad_rows must be one of {ON_BAD_ROWS}, not {on_bad_rows!r}")
    if not 0 <= max_rejected_fraction <= 1:
        raise ValueError(f"max_rejected_fraction must be in [0, 1]: {max_rejected_fraction}")


def refuse_defects(
    con: duckdb.DuckDBPyConnection,
    vf: ValidatedFile,
    rejects: Rejects,
    on_bad_rows: str,
    max_rejected_fraction: float,
) -> None:
    """Fail the whole file when the policy says so (``fail``, or too many bad rows)."""
    if not rejects.defects:
        return
    first = first_defect(con, vf, rejects)
    counts = ", ".join(f"{r}: {n}" for r, n in rejects.by_reason.items() if r in DEFECTS)
    if on_bad_rows == FAIL:
        raise LoadError(
            f"{first}. {rejects.defects} row(s) cannot be loaded ({counts}). Nothing was "
            "loaded (on_bad_rows='fail'): fix the file and load it again, or load it with "
            "on_bad_rows='quarantine' to set those rows aside"
        )
    share = rejects.defects / vf.rows
    if share > max_rejected_fraction:
        raise LoadError(
            f"{first}. {rejects.defects} of {vf.rows} rows ({share:.1%}) cannot be "
            f"loaded ({counts}): more than the {max_rejected_fraction:.0%} the loader "
            "sets aside, so a format change or the wrong file? Nothing was loaded: fix "
            "the file and load it again, or raise max_rejected_fraction to load the "
            "other rows"
        )


def first_defect(con: duckdb.DuckDBPyConnection, vf: ValidatedFile, rejects: Rejects) -> str:
    """The earliest defective row, described as the strict loader always did."""
    row = con.execute(
        f"select {ROW_NUMBER}, reason, column_name, detail from {rejects.relation} "  # noqa: S608
        f"where reason in ({', '.join('?' for _ in DEFECTS)}) order by {ROW_NUMBER} limit 1",
        list(DEFECTS),
    ).fetchone()
    assert row is not None
    number, reason, column, detail = row
    if reason == BAD_VALUE:
        check = next(c for c in vf.checks if c.column.name == column.split(",")[0])
        return bad_value_message(con, vf, check, number)
    return f"{vf.path}, row {number}: {detail}"


def good_rows_filter(rejects: Rejects) -> str:
    """`` where <not rejected>`` (or nothing) for a select over the staged file."""
    return f" where {_not_rejected(rejects.relation)}" if rejects.rows else ""


def rejected_rows_sql(vf: ValidatedFile, rejects: Rejects) -> tuple[str, list[object]]:
    """SQL (and its parameters): ``row_number, column_name, reason, detail, raw_row`` of each
    rejected row, ``raw_row`` being the file's row as JSON text (its own column names)."""
    pairs = ", ".join(f"?, s.{quote_ident(h)}" for h in vf.header)
    raw_row = f"json_object({pairs})::varchar" if pairs else "'{}'"
    sql = (
        f"select r.{ROW_NUMBER} as row_number, r.column_name, r.reason, r.detail, "  # noqa: S608
        f"{raw_row} as raw_row "
        f"from {rejects.relation} r join {vf.source} s using ({ROW_NUMBER})"
    )
    return sql, list(vf.header)


def load_result(
    raw_table: str,
    vf: ValidatedFile,
    rejects: Rejects,
    load_id: str,
    loaded: int,
    rejected_table: str,
) -> LoadResult:
    """The result of a file written under ``load_id``, with its warnings (for the log)."""
    path = vf.path
    warnings = list(vf.warnings)
    if vf.ignored_columns:
        warnings.append(
            f"{path}: columns not in the {raw_table} contract were not loaded: "
            f"{vf.ignored_columns}"
        )
    status = LOADED
    if rejects.rows:
        status = LOADED_WITH_REJECTS
        reasons = ", ".join(f"{r}: {n}" for r, n in rejects.by_reason.items())
        warnings.append(
            f"{path}: {rejects.rows} of {vf.rows} rows not loaded ({reasons}); they "
            f"are in {rejected_table} with load_id {load_id!r}: review them, "
            "fix the source and load the corrected file"
        )
    elif not vf.rows:
        status = EMPTY
        warnings.append(f"{path}: the file has no data rows; nothing was loaded")
    return LoadResult(
        raw_table,
        str(path),
        load_id,
        status,
        loaded,
        vf.rows,
        vf.ignored_columns,
        rejects.rows,
        dict(rejects.by_reason),
        warnings,
    )
