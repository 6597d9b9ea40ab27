"""Compare every table of two DuckDB warehouses row for row (a refactor must not change data).

    .venv/bin/python scripts/compare_warehouses.py BEFORE.duckdb AFTER.duckdb \
        [--rename nba_intermediate.old=nba_analytics.new] [--ignore-column run_id] [--json out.json]

For each relation (table or view) outside the system schemas:
- present in both: the columns common to both are compared as multisets of rows
  (`EXCEPT ALL` both ways, so duplicates count); columns added or dropped are listed;
- only in BEFORE: a difference (a relation was lost), unless `--rename` maps it to one in AFTER;
- only in AFTER: listed as added (not a difference).

Columns that differ between any two builds of the same data (load ids, load and run
timestamps, run ids, model-file paths) are left out by name: `--ignore-column` adds more,
and the report lists what was left out. Exit code 0 when nothing differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

SYSTEM_SCHEMAS = ("information_schema", "pg_catalog", "main_elementary", "elementary")
# Columns that carry a run's time or id, not data: two builds of the same files differ here.
VOLATILE_COLUMNS = (
    "_load_id", "load_id", "_loaded_at", "loaded_at", "run_id", "pipeline_run_id", "invocation_id",
    "created_at", "updated_at", "predicted_at", "started_at", "finished_at", "ended_at",
    "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_scd_id", "_dbt_loaded_at",
    "model_path", "model_file", "source_file", "duration_seconds", "rejected_at",
    "prediction_id", "built_at", "_built_at", "generated_at", "run_started_at", "logged_at",
    # the execution log's free-text detail carries timings and paths
    "nba_monitoring.processor_execution_log.detail",
)
# ... and any column whose name says it is a load time, a duration or a lag behind a load
VOLATILE_SUFFIXES = ("_loaded_at", "_seconds", "_lag_hours")


def _is_ignored(relation: str, column: str, ignored: set[str]) -> bool:
    name = column.lower()
    return (
        name in ignored
        or f"{relation.lower()}.{name}" in ignored
        or name.endswith(VOLATILE_SUFFIXES)
    )


@dataclass
class RelationResult:
    before: str
    after: str | None
    status: str  # same | differs | missing | added | error
    rows_before: int | None = None
    rows_after: int | None = None
    only_before: int = 0
    only_after: int = 0
    columns_dropped: list[str] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_ignored: list[str] = field(default_factory=list)
    error: str | None = None


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    """Qualified relation name -> [(column, type)] of one attached database."""
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns"
        " where table_catalog = ? order by table_schema, table_name, ordinal_position",
        [catalog],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, dtype in rows:
        if schema.lower() in SYSTEM_SCHEMAS or schema.lower().endswith("_elementary"):
            continue
        out.setdefault(f"{schema}.{table}", []).append((column, dtype))
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(catalog: str, relation: str) -> str:
    schema, table = relation.split(".", 1)
    return f"{_quote(catalog)}.{_quote(schema)}.{_quote(table)}"


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    """Rows of a relation or subquery built from quoted identifiers only (no values)."""
    return con.execute(f"select count(*) from {relation}").fetchone()[0]  # noqa: S608


def _except_all(select_list: str, left: str, right: str) -> str:
    """Rows of left not in right, duplicates counted (quoted identifiers only)."""
    return f"(select {select_list} from {left} except all select {select_list} from {right})"  # noqa: S608


def compare_relation(
    con: duckdb.DuckDBPyConnection,
    before: str,
    after: str,
    cols_before: list[tuple[str, str]],
    cols_after: list[tuple[str, str]],
    ignored: set[str],
) -> RelationResult:
    names_before = [c for c, _ in cols_before]
    names_after = {c for c, _ in cols_after}
    common = [c for c in names_before if c in names_after and not _is_ignored(before, c, ignored)]
    result = RelationResult(
        before=before,
        after=after,
        status="same",
        columns_dropped=[c for c in names_before if c not in names_after],
        columns_added=sorted(names_after - set(names_before)),
        columns_ignored=[
            c for c in names_before if c in names_after and _is_ignored(before, c, ignored)
        ],
    )
    rel_b, rel_a = _qualified("before", before), _qualified("after", after)
    select_list = ", ".join(_quote(c) for c in common)
    try:
        result.rows_before = _count(con, rel_b)
        result.rows_after = _count(con, rel_a)
        if common:
            result.only_before = _count(con, _except_all(select_list, rel_b, rel_a))
            result.only_after = _count(con, _except_all(select_list, rel_a, rel_b))
    except duckdb.Error as exc:
        result.status, result.error = "error", str(exc).splitlines()[0]
        return result
    row_diff = result.rows_before != result.rows_after or result.only_before or result.only_after
    if row_diff or result.columns_dropped:
        result.status = "differs"
    return result


def compare(
    before_path: Path, after_path: Path, renames: dict[str, str], ignored: set[str]
) -> list[RelationResult]:
    con = duckdb.connect()
    con.execute(f"attach '{before_path}' as before (read_only)")
    con.execute(f"attach '{after_path}' as after (read_only)")
    rel_before = _relations(con, "before")
    rel_after = _relations(con, "after")
    matched_after: set[str] = set()
    results: list[RelationResult] = []
    for name, cols in rel_before.items():
        target = renames.get(name, name)
        if target not in rel_after:
            results.append(RelationResult(before=name, after=None, status="missing"))
            continue
        matched_after.add(target)
        results.append(compare_relation(con, name, target, cols, rel_after[target], ignored))
    for name in sorted(set(rel_after) - matched_after):
        results.append(RelationResult(before=name, after=name, status="added"))
    return results


def render(results: list[RelationResult]) -> str:
    lines = []
    for r in results:
        label = r.before if r.after in (None, r.before) else f"{r.before} -> {r.after}"
        if r.status == "same":
            extra = f" (not compared: {', '.join(r.columns_ignored)})" if r.columns_ignored else ""
            added = f" (+columns {', '.join(r.columns_added)})" if r.columns_added else ""
            lines.append(f"same     {label}: {r.rows_before} rows{added}{extra}")
        elif r.status == "differs":
            lines.append(
                f"DIFFERS  {label}: rows {r.rows_before} -> {r.rows_after}, only before"
                f" {r.only_before}, only after {r.only_after}"
                + (f", columns dropped {r.columns_dropped}" if r.columns_dropped else "")
            )
        elif r.status == "missing":
            lines.append(f"MISSING  {label}: not in the second warehouse")
        elif r.status == "added":
            lines.append(f"added    {label}")
        else:
            lines.append(f"ERROR    {label}: {r.error}")
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    lines.append("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                        help="schema.table in BEFORE that is schema.table in AFTER")
    parser.add_argument("--ignore-column", action="append", default=[],
                        help="a further column (name, or schema.table.name) to leave out")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not path.exists():
            parser.error(f"{path} does not exist")
    renames = dict(item.split("=", 1) for item in args.rename)
    ignored = {c.lower() for c in (*VOLATILE_COLUMNS, *args.ignore_column)}
    results = compare(args.before, args.after, renames, ignored)
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    bad = [r for r in results if r.status in ("differs", "missing", "error")]
    if not any(r.status != "added" for r in results):
        print("nothing compared: the first warehouse has no relations", file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
