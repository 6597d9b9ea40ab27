"""JSON and NDJSON files into a temp table of text columns, parsed by DuckDB.

Three shapes: records (NDJSON, one object a line; or a JSON array of objects), an NBA.com
``resultSets`` payload (``headers`` + ``rowSet`` lists), and an API object with a ``data``
list. Records are streamed: one pass finds the keys, a second reads the values with those
keys as explicit text columns, so memory does not grow with the file (a 46 MB NDJSON read
into Python objects peaked at ~0.8 GB). A ``resultSets`` or ``data`` payload is one JSON
document, which DuckDB parses whole (in its own memory, not as Python objects).

Every problem is a :class:`LoadError` naming the file and the record or row: invalid JSON
(NDJSON: the line and column), a record that is not an object, a ``rowSet`` row whose length
differs from ``headers`` (a ragged payload).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from nba_props.load.errors import LoadError
from nba_props.load.names import ROW_NUMBER, header_map, quote_ident

_REFETCH = "re-fetch or re-export it"
_MIN_DOCUMENT_SIZE = 16 * 1024 * 1024  # DuckDB's default maximum_object_size
_UNRECOGNISED = (
    "unrecognised JSON payload: expected a list of records, an NBA.com resultSets payload "
    "or an object with a 'data' list"
)


def read_json(con: duckdb.DuckDBPyConnection, path: Path, relation: str) -> list[str]:
    """Create temp table ``relation`` from a JSON or NDJSON file; return its column names."""
    if path.stat().st_size == 0:
        raise LoadError(
            f"{path}: the file is empty (0 bytes): the download or export failed; {_REFETCH}"
        )
    if path.name.lower().endswith((".ndjson", ".jsonl")):
        return _read_records(con, path, relation, "newline_delimited")
    first = _first_character(path)
    if first == "[":
        return _read_records(con, path, relation, "array")
    if first == "{":
        return _read_document(con, path, relation)
    raise LoadError(f"{path}: {_UNRECOGNISED}; check what the scraper landed")


def _first_character(path: Path) -> str:
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            text = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
            if text:
                return chr(text[0])
    return ""


# ---- records: NDJSON, or a JSON array of objects ------------------------------------------


def _read_records(
    con: duckdb.DuckDBPyConnection, path: Path, relation: str, fmt: str
) -> list[str]:
    keys = _record_keys(con, path, fmt)
    header_map(path, keys)  # the same column twice (e.g. "PTS" and "pts"): refused
    if not keys:  # no records, or objects without keys: no columns to read
        con.execute(
            f"create or replace temp table {relation} as "  # noqa: S608 - generated name
            f"select row_number() over () as {ROW_NUMBER} "
            "from read_json_objects(?, format = ?)",
            [str(path), fmt],
        )
        return []
    con.execute(
        f"create or replace temp table {relation} as "  # noqa: S608 - generated name
        f"select row_number() over () as {ROW_NUMBER}, * "
        "from read_json(?, format = ?, columns = ?)",
        [str(path), fmt, dict.fromkeys(keys, "VARCHAR")],
    )
    return keys


def _record_keys(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> list[str]:
    """Every key of the file's records: the first record's in its order, then the others
    sorted. One streaming pass, which also checks the JSON and that each record is an object
    (a non-object contributes a NULL key)."""
    source = "read_json_objects(?, format = ?)"
    try:
        counted = con.execute(
            "select k, count(*) from (select case when json_type(json) = 'OBJECT' "  # noqa: S608
            f"then json_keys(json) else [NULL] end as ks from {source}), unnest(ks) as t(k) "
            "group by k",
            [str(path), fmt],
        ).fetchall()
        first = con.execute(
            f"select json_keys(json) from {source} where json_type(json) = 'OBJECT' limit 1",  # noqa: S608
            [str(path), fmt],
        ).fetchone()
    except duckdb.Error as exc:
        raise LoadError(_malformed(path, fmt, exc)) from None
    keys = {k for k, _ in counted}
    if None in keys:
        _raise_not_an_object(con, path, source, [str(path), fmt])
    ordered = list(first[0]) if first else []
    return ordered + sorted(keys - set(ordered))


def _raise_not_an_object(
    con: duckdb.DuckDBPyConnection, path: Path, source: str, params: list[object]
) -> None:
    row = con.execute(
        f"select rn, json_type(json) from (select row_number() over () as rn, json "  # noqa: S608
        f"from {source}) where json_type(json) <> 'OBJECT' order by rn limit 1",
        params,
    ).fetchone()
    assert row is not None
    raise LoadError(
        f"{path}, record {row[0]}: expected a JSON object, got {_kind(row[1])}; every record "
        f"must be an object of column: value pairs. Fix the record, or {_REFETCH}"
    )


def _kind(json_type: str) -> str:
    """DuckDB's JSON type name as JSON calls it: 'a list', 'a number', ..."""
    if json_type in ("UBIGINT", "BIGINT", "DOUBLE"):
        return "a number"
    return {"ARRAY": "a list", "VARCHAR": "a string", "BOOLEAN": "a boolean"}.get(
        json_type, json_type.lower()
    )


def _malformed(path: Path, fmt: str, exc: duckdb.Error) -> str:
    """A message for JSON DuckDB could not parse: NDJSON gets the exact line and column."""
    if fmt == "newline_delimited":
        located = _ndjson_error(path)
        if located:
            return located
    text = str(exc)
    if "unexpected end of data" in text:
        return (
            f"{path}: malformed JSON: the file ends before the JSON is complete; it looks "
            f"truncated; {_REFETCH}"
        )
    reason = text.split(":")[-1].strip().rstrip(".") or text
    return f"{path}: malformed JSON ({reason}); fix it, or {_REFETCH}"


def _ndjson_error(path: Path) -> str | None:
    """The first NDJSON line Python's parser refuses, read line by line (error path only)."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                json.loads(raw)
            except UnicodeDecodeError:
                return f"{path}, line {lineno}: the text is not UTF-8; re-export it as UTF-8"
            except json.JSONDecodeError as exc:
                cut = not raw.endswith(b"\n") and exc.msg.startswith(
                    ("Unterminated", "Expecting")
                )
                hint = (
                    f"the last line has no newline: the file looks truncated; {_REFETCH}"
                    if cut
                    else f"fix the line, or {_REFETCH}"
                )
                return (
                    f"{path}, line {lineno}, column {exc.colno}: malformed JSON "
                    f"({exc.msg}); {hint}"
                )
    return None


# ---- one document: NBA.com resultSets, or an API {"data": [...]} ----------------------------


def _read_document(con: duckdb.DuckDBPyConnection, path: Path, relation: str) -> list[str]:
    doc = f"{relation}_doc"
    size = max(path.stat().st_size + 1, _MIN_DOCUMENT_SIZE)
    try:
        con.execute(
            f"create or replace temp table {doc} as select json "  # noqa: S608 - generated name
            "from read_json_objects(?, format = 'unstructured', maximum_object_size = ?)",
            [str(path), size],
        )
    except duckdb.Error as exc:
        raise LoadError(_malformed(path, "unstructured", exc)) from None
    try:
        documents = con.execute(f"select count(*) from {doc}").fetchone()  # noqa: S608
        assert documents is not None
        if documents[0] != 1:
            raise LoadError(
                f"{path}: holds {documents[0]} JSON documents where one was expected; a file "
                "of one record per line must be named .ndjson"
            )
        base = _result_set_path(con, doc)
        if base is not None:
            return _read_result_set(con, path, doc, base, relation)
        if _json_type(con, doc, "$.data") == "ARRAY":
            return _read_data_list(con, path, doc, relation)
        raise LoadError(f"{path}: {_UNRECOGNISED}; check what the scraper landed")
    finally:
        con.execute(f"drop table if exists {doc}")


def _json_type(con: duckdb.DuckDBPyConnection, doc: str, json_path: str) -> str | None:
    row = con.execute(f"select json_type(json, ?) from {doc}", [json_path]).fetchone()  # noqa: S608
    return None if row is None else row[0]


def _result_set_path(con: duckdb.DuckDBPyConnection, doc: str) -> str | None:
    """JSON path of the first result set (``resultSets`` list or object, or ``resultSet``)."""
    for key in ("resultSets", "resultSet"):
        kind = _json_type(con, doc, f"$.{key}")
        if kind == "OBJECT":
            return f"$.{key}"
        if kind == "ARRAY" and _json_type(con, doc, f"$.{key}[0]") == "OBJECT":
            return f"$.{key}[0]"
    return None


def _read_result_set(
    con: duckdb.DuckDBPyConnection, path: Path, doc: str, base: str, relation: str
) -> list[str]:
    label = base.removeprefix("$.")
    if (_json_type(con, doc, f"{base}.headers"), _json_type(con, doc, f"{base}.rowSet")) != (
        "ARRAY",
        "ARRAY",
    ):
        raise LoadError(
            f"{path}: {label} lacks 'headers' or 'rowSet' lists: not an NBA.com payload, or "
            f"a changed one; {_REFETCH}"
        )
    found = con.execute(
        f"select json_extract_string(json, ?) from {doc}",  # noqa: S608
        [f"{base}.headers[*]"],
    ).fetchone()
    assert found is not None
    headers = list(found[0])
    if any(h is None for h in headers):
        raise LoadError(f"{path}: {label}.headers holds a value that is not a name; {_REFETCH}")
    header_map(path, headers)
    rows = f"{relation}_rows"
    con.execute(
        f"create or replace temp table {rows} as select unnest(rs) as r, "  # noqa: S608
        f"generate_subscripts(rs, 1) as i from (select json_extract(json, ?) as rs from {doc})",
        [f"{base}.rowSet[*]"],
    )
    try:
        _check_row_lengths(con, path, label, rows, len(headers))
        values = ", ".join(
            f"json_extract_string(r, '$[{i}]') as {quote_ident(h)}" for i, h in enumerate(headers)
        )
        con.execute(
            f"create or replace temp table {relation} as "  # noqa: S608 - generated names
            f"select i as {ROW_NUMBER}, {values} from {rows}"
        )
    finally:
        con.execute(f"drop table if exists {rows}")
    return headers


def _check_row_lengths(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, rows: str, width: int
) -> None:
    """Refuse a ragged rowSet: a row that is not a list, or not as long as ``headers``."""
    bad = con.execute(
        "select count(*), min(i) from "  # noqa: S608 - generated name
        f"{rows} where json_type(r) <> 'ARRAY' or json_array_length(r) <> ?",
        [width],
    ).fetchone()
    assert bad is not None
    if not bad[0]:
        return
    first = con.execute(
        f"select json_type(r), json_array_length(r) from {rows} where i = ?",  # noqa: S608
        [bad[1]],
    ).fetchone()
    assert first is not None
    got = f"{first[1]} values" if first[0] == "ARRAY" else f"{_kind(first[0])}, not a list"
    raise LoadError(
        f"{path}, {label} row {bad[1]}: {got} for {width} headers (a ragged rowSet; "
        f"{bad[0]} such row(s)): the payload is inconsistent, nothing was loaded; {_REFETCH}"
    )


def _read_data_list(
    con: duckdb.DuckDBPyConnection, path: Path, doc: str, relation: str
) -> list[str]:
    rows = f"{relation}_rows"
    con.execute(
        f"create or replace temp table {rows} as select unnest(rs) as r, "  # noqa: S608
        "generate_subscripts(rs, 1) as i from "
        f"(select json_extract(json, '$.data[*]') as rs from {doc})"
    )
    try:
        not_object = con.execute(
            f"select i, json_type(r) from {rows} where json_type(r) <> 'OBJECT' "  # noqa: S608
            "order by i limit 1"
        ).fetchone()
        if not_object is not None:
            raise LoadError(
                f"{path}, data record {not_object[0]}: expected a JSON object, got "
                f"{_kind(not_object[1])}; {_REFETCH}"
            )
        first = con.execute(f"select json_keys(r) from {rows} where i = 1").fetchone()  # noqa: S608
        ordered = list(first[0]) if first else []
        others = {
            k
            for (k,) in con.execute(
                f"select distinct unnest(json_keys(r)) from {rows}"  # noqa: S608
            ).fetchall()
        }
        keys = ordered + sorted(others - set(ordered))
        header_map(path, keys)
        if not keys:
            con.execute(
                f"create or replace temp table {relation} as "  # noqa: S608 - generated names
                f"select i as {ROW_NUMBER} from {rows}"
            )
            return []
        pointers = ["/" + k.replace("~", "~0").replace("/", "~1") for k in keys]
        values = "".join(f", v[{i}] as {quote_ident(k)}" for i, k in enumerate(keys, start=1))
        con.execute(
            f"create or replace temp table {relation} as "  # noqa: S608 - generated names
            f"select i as {ROW_NUMBER}{values} from "
            f"(select i, json_extract_string(r, ?) as v from {rows})",
            [pointers],
        )
    finally:
        con.execute(f"drop table if exists {rows}")
    return keys
