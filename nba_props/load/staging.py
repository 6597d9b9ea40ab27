"""Read one landed file into a typed, validated DuckDB relation.

Both loaders (DuckDB and BigQuery) stage files here first, so every file is checked the same
way: required columns, types, and a clear error naming the file, row and column.
DuckDB does the parsing, so validation is vectorized (no Python loop per row).
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from nba_props.contracts import (
    BIGINT,
    BOOLEAN,
    DATE,
    DOUBLE,
    RAW_TABLES,
    TIMESTAMP,
    VARCHAR,
    RawTable,
)

SUPPORTED_SUFFIXES = (".csv", ".csv.zip", ".zip", ".ndjson", ".jsonl", ".json")


class LoadError(ValueError):
    """A file that cannot be loaded. The message names the file, and the row and column."""


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


def quote_ident(name: str) -> str:
    """Quote a column name that came from a file header (never interpolate it raw)."""
    return '"' + name.replace('"', '""') + '"'


def normalize_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


@contextmanager
def _csv_path(path: Path) -> Iterator[Path]:
    """Yield a readable CSV path: the file itself, or the CSV member of a zip."""
    if not path.name.lower().endswith(".zip"):
        yield path
        return
    with zipfile.ZipFile(path) as archive:
        members = [
            m
            for m in archive.namelist()
            if m.lower().endswith(".csv") and not m.startswith("__MACOSX/")
        ]
        if len(members) != 1:
            raise LoadError(f"{path}: a zip must hold exactly one CSV file, found {members}")
        with tempfile.TemporaryDirectory(prefix="nba_props_zip_") as tmp:
            yield Path(archive.extract(members[0], tmp))


def _json_records(path: Path) -> list[dict[str, object]]:
    """Records from NDJSON, a JSON array, or an NBA.com ``resultSets`` / API ``data`` payload."""
    text = path.read_text(encoding="utf-8")
    name = path.name.lower()
    try:
        if name.endswith((".ndjson", ".jsonl")):
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            payload = json.loads(text)
            records = _records_from_payload(payload)
    except json.JSONDecodeError as exc:
        raise LoadError(
            f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            raise LoadError(f"{path}, record {i}: expected a JSON object, got {type(rec).__name__}")
    return records


def _records_from_payload(payload: object) -> list[dict[str, object]]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        result_sets = payload.get("resultSets") or payload.get("resultSet")
        if isinstance(result_sets, dict):
            result_sets = [result_sets]
        if isinstance(result_sets, list) and result_sets:
            first = result_sets[0]
            headers, rows = first.get("headers"), first.get("rowSet")
            if not isinstance(headers, list) or not isinstance(rows, list):
                raise LoadError("resultSets[0] lacks 'headers' or 'rowSet'")
            return [dict(zip(headers, row, strict=True)) for row in rows]
        if isinstance(payload.get("data"), list):
            return payload["data"]
    raise LoadError(
        "unrecognised JSON payload: expected a list of records, an NBA.com "
        "resultSets payload or an object with a 'data' list"
    )


def _scalar_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _read_varchar(con: duckdb.DuckDBPyConnection, path: Path, relation: str) -> None:
    """Create temp table ``relation`` with every column as VARCHAR plus ``_row_number``."""
    name = path.name.lower()
    if name.endswith((".json", ".ndjson", ".jsonl")):
        records = _json_records(path)
        if not records:
            raise LoadError(f"{path}: no records")
        columns: dict[str, None] = {}
        for rec in records:
            columns.update(dict.fromkeys(rec))
        arrays = {c: [_scalar_text(r.get(c)) for r in records] for c in columns}
        arrow = pa.table({c: pa.array(v, type=pa.string()) for c, v in arrays.items()})
        con.register("_json_src", arrow)
        try:
            con.execute(
                f"create or replace temp table {relation} as "  # noqa: S608 - generated name
                "select row_number() over () as _row_number, * from _json_src"
            )
        finally:
            con.unregister("_json_src")
        return
    if not name.endswith((".csv", ".zip")):
        raise LoadError(f"{path}: unsupported file type; supported: {SUPPORTED_SUFFIXES}")
    with _csv_path(path) as csv_file:
        try:
            con.execute(
                f"create or replace temp table {relation} as "  # noqa: S608 - generated name
                "select row_number() over () as _row_number, * from read_csv(?, "
                "all_varchar = true, header = true, sample_size = -1, strict_mode = true)",
                [str(csv_file)],
            )
        except duckdb.Error as exc:
            raise LoadError(f"{path}: not a readable CSV file: {exc}") from None


def _cast_expr(col: str, typ: str, fmt: str | None) -> tuple[str, str]:
    """(typed expression, validity check) for one VARCHAR column."""
    raw = f"nullif(trim({quote_ident(col)}), '')"
    if fmt:
        func = "try_strptime"
        expr = f"{func}({raw}, '{fmt}')"
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


def stage_file(
    con: duckdb.DuckDBPyConnection, raw_table: str, path: Path, allow_extra_columns: bool = False
) -> StagedFile:
    """Parse and validate ``path`` into a typed temp table laid out like the raw table.

    Columns the contract does not know are an error (schema drift, or a file sent to the
    wrong table) unless ``allow_extra_columns``; then they are skipped and reported.
    """
    contract = contract_for(raw_table)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    digest = content_hash(path)
    src = f"_src_{digest[:16]}"
    _read_varchar(con, path, src)

    header = [r[0] for r in con.execute(f"describe {src}").fetchall()][1:]
    normalized: dict[str, str] = {}
    for original in header:
        norm = normalize_header(original)
        if norm in normalized:
            raise LoadError(f"{path}: column {original!r} appears twice (as {norm!r})")
        normalized[norm] = original
    missing = [c.name for c in contract.required if c.name not in normalized]
    if missing:
        raise LoadError(
            f"{path}: missing required column(s) {missing} for {raw_table} "
            f"(schema drift?); found columns: {sorted(normalized)}"
        )
    known = {c.name for c in contract.columns}
    ignored = sorted(c for c in normalized if c not in known and not c.startswith("_"))
    if ignored and not allow_extra_columns:
        con.execute(f"drop table {src}")
        raise LoadError(
            f"{path}: column(s) {ignored} are not in the {raw_table} contract (schema drift, "
            "or the wrong table?); pass allow_extra_columns to skip them"
        )

    selects: list[str] = []
    for col in contract.columns:
        if col.name not in normalized:
            selects.append(f"null as {col.name}")
            continue
        original = normalized[col.name]
        expr, check = _cast_expr(original, col.type, col.fmt)
        if col.type != VARCHAR:
            bad = con.execute(
                f"select _row_number, {quote_ident(original)} from {src} "  # noqa: S608
                f"where nullif(trim({quote_ident(original)}), '') is not null "
                f"and ({check}) is null order by _row_number limit 1"
            ).fetchone()
            if bad is not None:
                raise LoadError(
                    f"{path}, row {bad[0]}, column {col.name!r}: value {bad[1]!r} "
                    f"is not a valid {col.type}" + (f" in format {col.fmt}" if col.fmt else "")
                )
        selects.append(f"{expr} as {col.name}")

    relation = f"_typed_{digest[:16]}"
    con.execute(
        f"create or replace temp table {relation} as select "  # noqa: S608
        + ", ".join(selects)
        + f", _row_number from {src}"
    )
    con.execute(f"drop table {src}")
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]  # noqa: S608
    return StagedFile(raw_table, path, digest, relation, rows, ignored)
