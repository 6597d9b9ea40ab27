"""Estimate the bytes BigQuery scans for a daily run and for a full refresh.

    .venv/bin/python scripts/bq_estimate_bytes.py --duckdb data/bq_duck.duckdb \
        --manifest target_bq/checks/target_prod [--lookback-days 3]

Inputs: a DuckDB file built from the real data (the same rows BigQuery would hold) and the
BigQuery manifest + compiled SQL from `python scripts/bq_checks.py --work-dir ...`.

Model of BigQuery on-demand billing used here:
- a query bills the logical bytes of the columns it references in every table it reads
  (views expanded); INT64, FLOAT64, DATE, TIMESTAMP 8 bytes, BOOL 1, STRING 2 + UTF-8 bytes;
- a partition filter on a constant skips whole partitions, but only if it reaches the
  table: it does not cross a window function or GROUP BY that does not partition by the
  filtered column (scripts/bq_checks.py reports where each filter stops);
- every query bills at least 10 MB per table it references (and 10 MB at least).

Each materialized model (table, incremental, materialized view) is one query in a build; data
tests are more queries (counted separately). The daily run rebuilds the same table models, and
merges the incremental facts with a window of lookback_days + 1 days.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
MIN_PER_TABLE = 10 * 1024 * 1024
FIXED = {"BIGINT": 8, "INTEGER": 8, "DOUBLE": 8, "FLOAT": 8, "DATE": 8, "TIMESTAMP": 8,
         "TIMESTAMP WITH TIME ZONE": 8, "BOOLEAN": 1, "DECIMAL": 16, "HUGEINT": 16}


def column_bytes(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, int]:
    """BigQuery logical bytes of each column of a DuckDB table."""
    cols = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]  # noqa: S608
    out: dict[str, int] = {}
    for name, typ in cols:
        base = re.sub(r"\(.*\)", "", typ).upper()
        if base in FIXED:
            out[name] = FIXED[base] * rows
        else:
            q = f'select coalesce(sum(2 + strlen(cast("{name}" as varchar))), 0) from "{schema}"."{table}"'  # noqa: E501, S608
            out[name] = int(con.execute(q).fetchone()[0])
    return out


def partitions(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> int:
    q = f'select count(distinct cast("{column}" as date)) from "{schema}"."{table}"'  # noqa: S608
    return int(con.execute(q).fetchone()[0] or 0)


def base_relations(manifest: dict[str, Any], uid: str) -> set[str]:
    """Tables/sources/seeds a query on ``uid`` reads, views and ephemerals expanded."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    out: set[str] = set()
    stack = list(nodes[uid]["depends_on"]["nodes"]) if "depends_on" in nodes[uid] else []
    while stack:
        dep = stack.pop()
        node = nodes.get(dep)
        if node is None:
            continue
        if node["resource_type"] == "model" and node["config"].get("materialized") in (
            "view", "ephemeral"
        ):
            stack += node["depends_on"]["nodes"]
        else:
            out.add(dep)
    return out


def referenced_columns(manifest: dict[str, Any], compiled_root: Path, uid: str,
                       base: str, all_cols: set[str]) -> set[str]:
    """Columns of ``base`` named anywhere in the compiled SQL of ``uid`` and its views."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    text = []
    stack, seen = [uid], set()
    while stack:
        cur = stack.pop()
        if cur in seen or cur not in nodes:
            continue
        seen.add(cur)
        node = nodes[cur]
        compiled = node.get("compiled_path")
        path = compiled_root.parent / compiled if compiled else None
        if path is not None and not path.is_file():
            path = compiled_root / "compiled" / "nba_props" / node.get("original_file_path", "")
        expands = node["resource_type"] == "model" and node["config"].get("materialized") in (
            "view", "ephemeral")
        if (cur == uid or expands) and path is not None and path.is_file():
            text.append(path.read_text().lower())
        if cur == uid or node["config"].get("materialized") in ("view", "ephemeral"):
            stack += node.get("depends_on", {}).get("nodes", [])
    words = set(re.findall(r"[a-z_][a-z0-9_]*", " ".join(text)))
    if "*" in " ".join(text) and not words & all_cols:
        return all_cols
    return {c for c in all_cols if c in words} or all_cols


def mb(n: float) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", type=Path, default=ROOT / "data" / "bq_duck.duckdb")
    parser.add_argument("--manifest", type=Path, default=ROOT / "target_bq" / "checks" /
                        "target_prod")
    parser.add_argument("--lookback-days", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    manifest = json.loads((args.manifest / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}
    window_days = args.lookback_days + 1

    con = duckdb.connect(str(args.duckdb), read_only=True)
    existing = {(s, t) for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables").fetchall()}
    sizes: dict[str, dict[str, int]] = {}
    parts: dict[str, int] = {}
    for uid, node in nodes.items():
        if node["resource_type"] not in ("source", "seed", "model"):
            continue
        ident = node.get("identifier") or node.get("alias") or node["name"]
        key = (node["schema"], ident)
        if key not in existing:
            continue
        sizes[uid] = column_bytes(con, *key)
        part = (node.get("config", {}).get("partition_by") or {}).get("field")
        if node["resource_type"] == "source":
            date_cols = [c for c in ("game_date", "date", "game_time") if c in sizes[uid]]
            part = date_cols[0] if date_cols else "_loaded_at"
        if part and part in sizes[uid]:
            parts[uid] = partitions(con, *key, part)

    queries = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "test") or node["package_name"] != "nba_props":
            continue
        mat = node["config"].get("materialized")
        if node["resource_type"] == "test":
            mat = "test"
        elif mat in ("view", "ephemeral"):
            continue
        elif mat == "incremental":
            meta = node["config"].get("meta") or {}
            mat = "incremental_features" if meta.get("nba_props_newest_where") else "incremental"
        scanned, billed, tables = 0, 0, []
        for base in sorted(base_relations(manifest, uid)):
            if base not in sizes:
                continue
            cols = referenced_columns(manifest, args.manifest, uid, base, set(sizes[base]))
            b = sum(sizes[base][c] for c in cols)
            scanned += b
            billed += max(b, MIN_PER_TABLE)
            tables.append((nodes[base]["name"], b))
        own = sum(sizes.get(uid, {}).values())
        queries.append({"model": node["name"], "materialized": mat, "scanned": scanned,
                        "billed": max(billed, MIN_PER_TABLE), "inputs": tables,
                        "own_bytes": own, "own_partitions": parts.get(uid, 0)})

    # A materialized view is not rebuilt by a run (the materialization keeps it when it is
    # unchanged); BigQuery refreshes it on its own schedule, billed like its query.
    per_run = [q for q in queries if q["materialized"] != "nba_materialized_view"]
    mvs = [q for q in queries if q["materialized"] == "nba_materialized_view"]

    def total(items: list[dict[str, Any]], key: str) -> int:
        return int(sum(q[key] for q in items))

    by_kind: dict[str, dict[str, int]] = {}
    for q in queries:
        kind = by_kind.setdefault(q["materialized"], {"queries": 0, "scanned": 0, "billed": 0})
        kind["queries"] += 1
        kind["scanned"] += q["scanned"]
        kind["billed"] += q["billed"]
    full_scanned, full_billed = total(per_run, "scanned"), total(per_run, "billed")
    # Daily: the same reads as a full refresh (the window filters stop before the raw tables:
    # see bq_checks' pushdown report), plus each incremental fact's MERGE reading the window's
    # partitions of its own table and of its temp table, and the bounds query.
    merge_extra = merge_extra_billed = 0.0
    for q in per_run:
        if q["materialized"].startswith("incremental") and q["own_partitions"]:
            window = q["own_bytes"] * window_days / q["own_partitions"]
            merge_extra += 2 * window
            merge_extra_billed += 2 * max(window, MIN_PER_TABLE) + MIN_PER_TABLE
    daily_scanned = full_scanned + merge_extra
    daily_billed = full_billed + merge_extra_billed
    # If the window reached the raw partitions (staging dedup partitioned by the date): the
    # analytics facts (not the feature models, which read full history by design) would read
    # window_days / partitions of each raw table.
    raw = {uid: sum(v.values()) for uid, v in sizes.items()
           if nodes[uid]["resource_type"] == "source"}
    raw_by_name = {nodes[u]["name"]: u for u in raw}
    saved = 0.0
    for q in per_run:
        if q["materialized"] != "incremental":
            continue
        for name, b in q["inputs"]:
            uid = raw_by_name.get(name)
            if uid and parts.get(uid):
                saved += b * (1 - min(1.0, window_days / parts[uid]))
    result = {
        "lookback_days": args.lookback_days,
        "window_days": window_days,
        "raw_tables": {nodes[u]["name"]: {"bytes": b, "partitions": parts.get(u)}
                       for u, b in raw.items()},
        "by_kind": by_kind,
        "full_refresh": {"scanned": full_scanned, "billed_with_minimums": full_billed},
        "daily_run": {"scanned": daily_scanned, "billed_with_minimums": daily_billed},
        "daily_if_window_reached_raw": {"scanned": daily_scanned - saved},
        "materialized_view_refresh": {"scanned": total(mvs, "scanned"),
                                      "billed_with_minimums": total(mvs, "billed")},
        "per_model": sorted(queries, key=lambda q: -q["scanned"]),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print("raw tables (logical bytes of every column, daily partitions):")
    for name, info in sorted(result["raw_tables"].items(), key=lambda x: -x[1]["bytes"]):
        print(f"  {name:28} {mb(info['bytes']):>10}  {info['partitions']} partitions")
    print("queries of one `dbt build`, by kind (scanned / billed with 10 MB minimums):")
    for kind, info in sorted(by_kind.items()):
        print(f"  {kind:24} {info['queries']:4} queries {mb(info['scanned']):>11} "
              f"{mb(info['billed']):>11}")
    print(f"full refresh (`dbt build --full-refresh`): scans {mb(full_scanned)}, "
          f"bills {mb(full_billed)}")
    print(f"daily run (`dbt build`, lookback {args.lookback_days}): scans {mb(daily_scanned)}, "
          f"bills {mb(daily_billed)}")
    print("daily run if the window filter reached the raw partitions: scans "
          f"{mb(result['daily_if_window_reached_raw']['scanned'])}")
    print(f"materialized views, per refresh: {mb(total(mvs, 'scanned'))}")
    print("largest queries:")
    for q in result["per_model"][:12]:
        print(f"  {q['model'][:60]:60} {q['materialized']:22} {mb(q['scanned']):>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
