"""Offline proof that the dbt project is correct for BigQuery, with no Google account.

    .venv/bin/python scripts/bq_checks.py          # parse, compile, SQL, partition filters
    .venv/bin/python scripts/bq_checks.py --json   # the same, as JSON

Dev tooling, not the product: the tests import it as ``scripts.bq_checks``.

What it does (docs/bigquery.md explains each step):

1. writes a CI profile with a dummy project (``prod`` and ``bq_dev`` BigQuery targets; the
   ``oauth-secrets`` method with a dummy token builds a client without touching Google);
2. ``dbt parse`` for both BigQuery targets, and checks the dataset of every model (prod:
   nba_analytics, nba_precompute, ...; dev: prefixed with the developer's dataset);
3. ``dbt --no-populate-cache compile --no-introspect`` of every model, with the window vars
   ``start_date``/``end_date`` set so the incremental models need no look at their target;
4. parses every compiled statement with sqlglot's BigQuery dialect and flags functions
   BigQuery does not have (DuckDB spellings that would parse but fail there);
5. checks that every incremental model filters its large inputs by the window on its
   partition column, and reports, per input, whether BigQuery can push that filter down to
   the raw table's partitions (views with window functions or aggregates not partitioned by
   the date stop it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

if __package__ in (None, ""):  # run as a script: the project root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nba_props import relations
from nba_props.paths import PROJECT_DIR

CI_PROJECT = "nba-props-ci"
CI_DEV_DATASET = "dbt_ci"
WINDOW_VARS = {"start_date": "2025-01-10", "end_date": "2025-01-13"}
PROD_DATASETS = {
    "analytics": relations.ANALYTICS,
    "precompute": relations.PRECOMPUTE,
    "predictions": relations.PREDICTIONS,
    "monitoring": relations.MONITORING,
    "reference": relations.REFERENCE,
}

# Functions BigQuery has that sqlglot parses as "anonymous" (no typed node of its own).
BIGQUERY_ANONYMOUS_OK = {
    "SAFE_DIVIDE", "NORMALIZE", "REGEXP_REPLACE", "FORMAT_DATE", "PARSE_DATE", "TIMESTAMP_SUB",
    "TIMESTAMP_ADD", "DATE_ADD", "DATE_SUB", "DATE_DIFF", "LPAD", "RPAD", "SPLIT", "SAFE_CAST",
    "APPROX_QUANTILES", "COUNTIF", "LOGICAL_AND", "LOGICAL_OR", "IFNULL", "IF", "FARM_FINGERPRINT",
    "GENERATE_DATE_ARRAY", "TO_JSON_STRING", "PARSE_TIMESTAMP", "FORMAT_TIMESTAMP", "DIV",
    "IEEE_DIVIDE", "STARTS_WITH", "ENDS_WITH", "BYTE_LENGTH", "CHAR_LENGTH", "ARRAY_LENGTH",
    "TIMESTAMP_DIFF", "DATETIME_DIFF", "EXTRACT", "REGEXP_CONTAINS", "REGEXP_EXTRACT",
    "STRING_AGG", "ARRAY_AGG", "ANY_VALUE", "PERCENTILE_CONT", "NTILE", "CURRENT_DATE",
    "CURRENT_TIMESTAMP", "GREATEST", "LEAST", "SIGN", "ROUND", "TRUNC", "MOD", "POW", "POWER",
    "SQRT", "EXP", "LN", "LOG", "LOG10", "ABS", "CEIL", "FLOOR", "CONCAT", "UPPER", "LOWER",
    "TRIM", "LTRIM", "RTRIM", "SUBSTR", "SUBSTRING", "LENGTH", "REPLACE", "STRPOS", "REVERSE",
    "DATE_TRUNC", "TIMESTAMP_TRUNC", "DATE", "TIMESTAMP", "DATETIME", "UNIX_DATE",
    "UNIX_SECONDS", "UNIX_MILLIS", "JSON_VALUE", "JSON_EXTRACT_SCALAR", "CORR", "COVAR_POP",
    "COVAR_SAMP", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VAR_POP", "VAR_SAMP",
    "PERCENT_RANK", "CUME_DIST", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "LEAD", "LAG",
    "EDIT_DISTANCE", "SOUNDEX", "INITCAP", "TRANSLATE", "LEFT", "RIGHT", "INSTR",
    "RANGE_BUCKET", "GENERATE_ARRAY", "ARRAY_CONCAT", "ARRAY_TO_STRING", "OFFSET", "ORDINAL",
    "SAFE_OFFSET", "SAFE_ORDINAL", "BIT_COUNT", "IS_INF", "IS_NAN", "SAFE_ADD",
    "SAFE_SUBTRACT", "SAFE_MULTIPLY", "SAFE_NEGATE", "LAST_DAY", "DATE_FROM_UNIX_DATE",
}
# DuckDB spellings that sqlglot's BigQuery reader accepts but BigQuery rejects.
DUCKDB_ONLY_PATTERNS = {
    r"\btry_cast\s*\(": "try_cast (BigQuery: safe_cast)",
    r"\bstrip_accents\s*\(": "strip_accents",
    r"::": "'::' cast",
    r"\bilike\b": "ilike",
    r"\bstrftime\s*\(": "strftime (BigQuery: format_date/format_timestamp)",
    r"\bstrptime\s*\(": "strptime (BigQuery: parse_date/parse_timestamp)",
    r"\blist_\w+\s*\(": "list_* functions",
    r"\bepoch_ms\s*\(": "epoch_ms",
    r"date_diff\s*\(\s*'": "date_diff('part', a, b) (BigQuery: date_diff(b, a, part))",
    r"\bdouble\b": "type double (BigQuery: float64)",
    r"\bvarchar\b": "type varchar (BigQuery: string)",
    r"\bhugeint\b": "type hugeint",
    r"'\s*,\s*'g'\s*\)": "regexp_replace flag 'g'",
}

# Inputs an incremental model reads in full on purpose (rolling features need the history),
# with the reason. A new unfiltered large input fails the check until it is filtered or
# listed here.
_NAME_LOOKUP = "a lookup with one row per distinct name or code, whatever the dates"
FULL_HISTORY_INPUTS: dict[str, dict[str, str]] = {
    "int_player_props_resolved": {
        "int_player_names_resolved": _NAME_LOOKUP,
        "int_team_codes_unioned": _NAME_LOOKUP,
    },
}
# Inputs that are small whatever the date range: seeds and reference lists.
SMALL_RESOURCE_TYPES = {"seed"}


@dataclass
class Finding:
    check: str
    node: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    pushdown: list[dict[str, Any]] = field(default_factory=list)
    datasets: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, check: str, node: str, ok: bool, detail: str = "") -> None:
        self.findings.append(Finding(check, node, ok, detail))

    def failures(self, check: str | None = None) -> list[Finding]:
        return [f for f in self.findings if not f.ok and (check is None or f.check == check)]


# --- profiles and dbt ------------------------------------------------------------------------
def ci_profiles_text(project: str = CI_PROJECT, dev_dataset: str = CI_DEV_DATASET) -> str:
    """BigQuery targets that build a client without credentials and never reach Google."""
    common = (
        "      type: bigquery\n"
        "      method: oauth-secrets\n"
        "      token: offline-ci-dummy-token\n"
        f"      project: {project}\n"
        "      location: US\n"
        "      threads: 4\n"
        "      job_retries: 0\n"
        "      job_execution_timeout_seconds: 60\n"
    )
    return (
        "nba_props:\n  target: prod\n  outputs:\n"
        f"    prod:\n{common}      dataset: nba_analytics\n"
        f"    bq_dev:\n{common}      dataset: {dev_dataset}\n"
    )


def write_ci_profiles(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "profiles.yml").write_text(ci_profiles_text())
    return directory


@dataclass
class DbtRun:
    success: bool
    output: str


def dbt_bigquery(
    args: list[str],
    *,
    profiles_dir: Path,
    target: str,
    target_path: Path,
    log_path: Path,
    dbt_vars: dict[str, str] | None = None,
    global_flags: Iterable[str] = (),
    project_dir: Path = PROJECT_DIR,
    extra_env: dict[str, str] | None = None,
    timeout_s: float = 600,
) -> DbtRun:
    """One dbt command in a fresh process (dbt keeps adapter state between in-process runs)."""
    dbt = Path(sys.executable).with_name("dbt")
    cli = [str(dbt), *global_flags, *args, "--project-dir", str(project_dir),
           "--profiles-dir", str(profiles_dir), "--target", target,
           "--target-path", str(target_path), "--log-path", str(log_path)]
    if dbt_vars:
        cli += ["--vars", json.dumps(dbt_vars)]
    env = {
        **os.environ,
        # Never let an offline check pick up real credentials from the environment.
        "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/nba-props-offline.json",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    try:
        proc = subprocess.run(  # noqa: S603 - our own dbt executable and arguments
            cli, capture_output=True, text=True, timeout=timeout_s, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return DbtRun(False, partial + f"\nTIMEOUT: dbt stopped after {timeout_s:.0f}s")
    return DbtRun(proc.returncode == 0, proc.stdout + proc.stderr)


def load_manifest(target_path: Path) -> dict[str, Any]:
    return json.loads((target_path / "manifest.json").read_text())


def models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["package_name"] == "nba_props"
    }


# --- checks ------------------------------------------------------------------------------------
def check_datasets(manifest: dict[str, Any], target: str, report: Report) -> None:
    """Marts land in the datasets consumers know (prod) or prefixed ones (dev)."""
    seen: dict[str, str] = {}
    for node in models(manifest).values():
        seen[node["name"]] = node["schema"]
        parts = Path(node["original_file_path"]).parts
        if len(parts) > 2 and parts[1] == "marts" and parts[2] in PROD_DATASETS:
            expected = PROD_DATASETS[parts[2]]
            if parts[2] == "precompute" and "upcoming" in parts:
                expected = relations.ANALYTICS
            if parts[2] == "lines":
                expected = relations.REFERENCE
            if target != "prod":
                expected = f"{CI_DEV_DATASET}_{expected}"
            ok = node["schema"] == expected
            report.add(f"dataset_{target}", node["name"], ok,
                       f"{node['schema']} (expected {expected})")
    report.datasets[target] = seen


def compiled_file(target_path: Path, node: dict[str, Any]) -> Path | None:
    """The compiled SQL file of a model or test (tests live under their YAML's path)."""
    candidates = []
    if node.get("compiled_path"):
        compiled = Path(node["compiled_path"])
        candidates += [compiled, PROJECT_DIR / compiled, target_path.parent / compiled]
    candidates.append(target_path / "compiled" / "nba_props" / node["original_file_path"])
    return next((c for c in candidates if c.is_file()), None)


def compiled_sql(target_path: Path, node: dict[str, Any]) -> str | None:
    path = target_path / "compiled" / "nba_props" / node["original_file_path"]
    return path.read_text() if path.is_file() else None


def check_sql(name: str, sql: str, report: Report) -> list[exp.Expr]:
    """Parse as BigQuery; flag unknown functions and DuckDB-only spellings."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    except sqlglot.errors.ParseError as exc:
        report.add("bigquery_parse", name, False, str(exc).splitlines()[0][:300])
        return []
    report.add("bigquery_parse", name, True, f"{len(statements)} statement(s)")
    unknown = sorted({
        f.name.upper()
        for s in statements
        for f in s.find_all(exp.Anonymous)
        if f.name.upper() not in BIGQUERY_ANONYMOUS_OK
    })
    stripped = re.sub(r"'(?:[^'\\]|\\.)*'", "''", re.sub(r"--[^\n]*", "", sql))
    duck = [
        label for pattern, label in DUCKDB_ONLY_PATTERNS.items()
        if re.search(pattern, sql if "regexp" in label else stripped, re.IGNORECASE)
    ]
    problems = [f"function {u} is not BigQuery" for u in unknown] + duck
    report.add("bigquery_functions", name, not problems, "; ".join(problems))
    return statements


def _relation_index(manifest: dict[str, Any]) -> dict[str, str]:
    """`project.dataset.table` (lower case, no quotes) -> unique_id, for models/seeds/sources."""
    index: dict[str, str] = {}
    for uid, node in [*manifest["nodes"].items(), *manifest["sources"].items()]:
        if node["resource_type"] not in ("model", "seed", "source", "snapshot"):
            continue
        ident = node.get("alias") or node.get("identifier") or node["name"]
        index[f"{node['database']}.{node['schema']}.{ident}".lower()] = uid
    return index


def _table_key(table: exp.Table) -> str:
    return ".".join(p for p in (table.catalog, table.db, table.name) if p).lower()


def _date_literal(node: exp.Expr) -> str | None:
    """'2025-01-10' for cast('2025-01-10' as date) / date '2025-01-10', also cast again (the
    window's start on a timestamp column: cast(cast('2025-01-10' as date) as timestamp))."""
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return str(node.this.this)
    if isinstance(node, exp.Cast):
        return _date_literal(node.this)
    if isinstance(node, (exp.Date, exp.DateStrToDate, exp.TsOrDsToDate)) and isinstance(
        node.this, exp.Literal
    ):
        return str(node.this.this)
    if isinstance(node, exp.Literal) and node.is_string:
        return str(node.this)
    return None


def _window_predicates(where: exp.Expr | None, start: str) -> list[str]:
    """Columns compared `>= start` (or `between start and ...`) in a WHERE clause."""
    if where is None:
        return []
    columns = []
    for cmp in where.find_all(exp.GTE, exp.Between):
        col = cmp.this
        bound = cmp.expression if isinstance(cmp, exp.GTE) else cmp.args.get("low")
        if isinstance(col, exp.Column) and bound is not None and _date_literal(bound) == start:
            columns.append(col.name)
    return columns


def check_incremental_filters(
    manifest: dict[str, Any], target_path: Path, report: Report, skip: set[str] | None = None
) -> None:
    """Every large input of every incremental model is filtered by the window's start.

    Models in `skip` need a connection to compile: only their partition config is checked
    here (the emulator run compiles and builds them).
    """
    index = _relation_index(manifest)
    nodes = {**manifest["nodes"], **manifest["sources"]}
    start = WINDOW_VARS["start_date"]
    for node in models(manifest).values():
        if node["config"].get("materialized") != "incremental":
            continue
        partition = (node["config"].get("partition_by") or {}).get("field")
        report.add("partition_config", node["name"], bool(partition),
                   f"partition_by={partition} cluster_by={node['config'].get('cluster_by')} "
                   f"require_partition_filter={node['config'].get('require_partition_filter')}")
        if node["name"] in (skip or set()):
            continue
        sql = compiled_sql(target_path, node)
        if sql is None:
            report.add("window_filter", node["name"], False, "not compiled")
            continue
        tree = sqlglot.parse_one(sql, read="bigquery")
        filtered: dict[str, list[str]] = {}
        for select in tree.find_all(exp.Select):
            cols = _window_predicates(select.args.get("where"), start)
            from_ = select.args.get("from_") or select.args.get("from")
            tables = [t for t in (from_.find_all(exp.Table) if from_ else [])]
            for join in select.args.get("joins") or []:
                tables += list(join.find_all(exp.Table))
            for table in tables:
                key = _table_key(table)
                if key in index:
                    filtered.setdefault(index[key], [])
                    if cols and not select.find(exp.Join):
                        filtered[index[key]] += cols
        window_cols = sorted({
            c for sel in tree.find_all(exp.Select)
            for c in _window_predicates(sel.args.get("where"), start)
        })
        report.add("window_filter", node["name"], bool(window_cols),
                   f"`>= {start}` on {window_cols}" if window_cols else
                   f"no `>= {start}` filter anywhere")
        # A feature model's window starts at its newest played date (fact_config newest_where).
        full_history = bool((node["config"].get("meta") or {}).get("nba_props_newest_where"))
        for input_id, cols in sorted(filtered.items()):
            upstream = nodes.get(input_id, {})
            if upstream.get("resource_type") in SMALL_RESOURCE_TYPES:
                continue
            name = upstream.get("name", input_id)
            reason = FULL_HISTORY_INPUTS.get(node["name"], {}).get(name)
            if cols:
                detail = f"{name} filtered on {sorted(set(cols))}"
                detail += "; " + pushdown_path(manifest, target_path, input_id, cols[0])
                report.add("large_input_filtered", f"{node['name']} <- {name}", True, detail)
                report.pushdown.append({"model": node["name"], "input": name,
                                        "column": cols[0], "detail": detail})
            else:
                if reason is None and full_history:
                    reason = ("read in full by design: a feature model computes its window's "
                              "rows from the whole history (nba_props.incremental_window)")
                report.add("large_input_filtered", f"{node['name']} <- {name}", reason is not None,
                           f"{name}: {reason}" if reason else
                           f"{name} is read without a window filter")


def pushdown_path(manifest: dict[str, Any], target_path: Path, uid: str, column: str) -> str:
    """Where a `column >= start` filter on ``uid`` stops on its way down to the raw tables.

    BigQuery pushes a filter through a view into its query, but not past a window function
    or an aggregate whose PARTITION BY / GROUP BY lacks the column (the rows it would drop
    change the result), nor through a column renamed on the way (it follows the rename).
    """
    nodes = {**manifest["nodes"], **manifest["sources"]}
    node = nodes.get(uid)
    if node is None:
        return "unknown input"
    if node["resource_type"] == "source":
        return f"reaches raw {node['schema']}.{node['name']} (partition column {column})"
    if node["config"].get("materialized") not in ("view", "ephemeral"):
        part = (node["config"].get("partition_by") or {}).get("field")
        state = "pruned" if part == column else f"not its partition column ({part})"
        return f"stops at table {node['name']}: {state}"
    sql = compiled_sql(target_path, node)
    if sql is None:
        return f"stops at {node['name']}: not compiled"
    tree = sqlglot.parse_one(sql, read="bigquery")
    for window in tree.find_all(exp.Window):
        parts = {c.name for p in window.args.get("partition_by") or []
                 for c in p.find_all(exp.Column)}
        if column not in parts:
            fn = window.this.sql("bigquery")[:40]
            return (f"stops at view {node['name']}: {fn} over (partition by "
                    f"{', '.join(sorted(parts)) or 'nothing'}) does not partition by {column}")
    for group in tree.find_all(exp.Group):
        cols = {c.name for c in group.find_all(exp.Column)}
        if column not in cols and cols:
            return f"stops at view {node['name']}: group by {', '.join(sorted(cols))}"
    upstream = [u for u in node["depends_on"]["nodes"]
                if nodes.get(u, {}).get("resource_type") in ("model", "source")]
    paths = [pushdown_path(manifest, target_path, u, column) for u in upstream]
    return " | ".join(paths) if paths else f"{node['name']} has no upstream"


_NEEDS_CONNECTION = re.compile(r"(?:Runtime|Compilation) Error in model (\w+) ")


# Folders whose models all read the catalog while compiling (the raw_keys models hash the
# raw table's columns): the first one found excludes the whole folder, one compile instead
# of one per model.
_INTROSPECTIVE_FOLDERS = ("models/staging/raw_keys/",)


def _folder_siblings(tpath: Path, name: str, folders: tuple[str, ...]) -> set[str]:
    """The models in the same listed folder as model ``name`` (none if it is in no such folder)."""
    nodes = list(models(load_manifest(tpath)).values())
    paths = {n["name"]: n["original_file_path"] for n in nodes}
    folder = next((f for f in folders if paths.get(name, "").startswith(f)), None)
    if folder is None:
        return set()
    return {n for n, path in paths.items() if path.startswith(folder)}


def compile_offline(
    profiles: Path, tpath: Path, log_path: Path, report: Report, project_dir: Path = PROJECT_DIR
) -> set[str]:
    """Compile every model with no connection; returns the models that need one.

    A model whose SQL is generated from the warehouse (adapter.get_columns_in_relation,
    run_query) cannot compile offline: it is excluded, reported, and compiled by the
    emulator run instead (scripts/bq_emulator.sh).
    """
    excluded: set[str] = set()
    for _ in range(10):
        args = ["compile", "--no-introspect"]
        if excluded:
            args += ["--exclude", *sorted(excluded)]
        compiled = dbt_bigquery(
            args, profiles_dir=profiles, target="prod", target_path=tpath, log_path=log_path,
            dbt_vars=WINDOW_VARS, global_flags=["--no-populate-cache"], project_dir=project_dir,
        )
        if compiled.success:
            break
        text = compiled.output
        match = _NEEDS_CONNECTION.search(text)
        if match is None or match.group(1) in excluded or not (
            "connection never acquired" in text or "introspect" in text.lower()
        ):
            report.add("dbt_compile", "prod", False, text[-3000:])
            return excluded
        excluded.add(match.group(1))
        excluded |= _folder_siblings(tpath, match.group(1), _INTROSPECTIVE_FOLDERS)
    report.add("dbt_compile", "prod", True,
               f"every model compiled offline except {sorted(excluded)} (they read the "
               "warehouse's catalog at compile time: compiled by the emulator run)"
               if excluded else "every model compiled offline")
    for name in sorted(excluded):
        report.add("needs_connection", name, True, "compiled by the emulator run only")
    return excluded


def check_required_partition_filters(
    manifest: dict[str, Any], target_path: Path, report: Report, skip: set[str]
) -> None:
    """Every query on a table with require_partition_filter filters its partition column.

    BigQuery rejects the query otherwise. Checked on every compiled model and data test
    (generic tests get the filter from bigquery__get_where_subquery). The window filter of
    an incremental model counts: on a full build it becomes `(col is null or col is not
    null)`, which BigQuery also accepts.
    """
    index = _relation_index(manifest)
    required = {
        uid: (n["config"].get("partition_by") or {}).get("field")
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["config"].get("require_partition_filter")
    }
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "test") or node["name"] in skip:
            continue
        path = compiled_file(target_path, node)
        if path is None:
            continue
        try:
            tree = sqlglot.parse_one(path.read_text(), read="bigquery")
        except sqlglot.errors.ParseError:
            continue  # reported by bigquery_parse
        for table in tree.find_all(exp.Table):
            target = index.get(_table_key(table))
            if target not in required or target == uid:
                continue
            column = required[target]
            select = table.find_ancestor(exp.Select)
            where = select.args.get("where") if select is not None else None
            ok = where is not None and any(c.name == column for c in where.find_all(exp.Column))
            name = manifest["nodes"][target]["name"]
            report.add("partition_filter_required", f"{node['name']} -> {name}", ok,
                       f"filters {column}" if ok else
                       f"reads {name} without a filter on {column}: BigQuery rejects it "
                       "(require_partition_filter)")


def check_materialized_views(manifest: dict[str, Any], report: Report) -> None:
    nodes = manifest["nodes"]
    for node in models(manifest).values():
        if node["config"].get("materialized") != "nba_materialized_view":
            continue
        bad = []
        for uid in node["depends_on"]["nodes"]:
            up = nodes.get(uid)
            if up and up["resource_type"] == "model" and up["config"].get("materialized") in (
                "view", "ephemeral", "nba_materialized_view"
            ):
                bad.append(f"{up['name']} ({up['config']['materialized']})")
        report.add("mv_base_tables", node["name"], not bad,
                   "reads base tables only" if not bad else
                   "BigQuery MVs read base tables only, not: " + ", ".join(bad))


# --- driver --------------------------------------------------------------------------------------
def run_checks(work_dir: Path | None = None, project_dir: Path = PROJECT_DIR) -> Report:
    report = Report()
    owned = work_dir is None
    work = Path(tempfile.mkdtemp(prefix="nba_props_bq_checks_")) if owned else work_dir
    work = work.resolve()  # dbt records compiled paths relative to the target path given
    try:
        profiles = write_ci_profiles(work / "profiles")
        for target in ("prod", "bq_dev"):
            tpath = work / f"target_{target}"
            parsed = dbt_bigquery(["parse"], profiles_dir=profiles, target=target,
                                  target_path=tpath, log_path=work / "logs",
                                  project_dir=project_dir)
            report.add("dbt_parse", target, parsed.success,
                       "" if parsed.success else parsed.output[-2000:])
            if parsed.success:
                check_datasets(load_manifest(tpath), target, report)
        tpath = work / "target_prod"
        introspective = compile_offline(profiles, tpath, work / "logs", report, project_dir)
        manifest = load_manifest(tpath)
        for node in models(manifest).values():
            if node["name"] in introspective:
                continue
            sql = compiled_sql(tpath, node)
            if sql is None:
                report.add("bigquery_parse", node["name"], False, "no compiled SQL")
                continue
            check_sql(node["name"], sql, report)
        check_incremental_filters(manifest, tpath, report, introspective)
        check_required_partition_filters(manifest, tpath, report, introspective)
        check_materialized_views(manifest, report)
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--work-dir", type=Path, help="keep profiles, target and logs here")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    args = parser.parse_args(argv)
    report = run_checks(args.work_dir, args.project_dir.resolve())
    if args.json:
        print(json.dumps({"findings": [asdict(f) for f in report.findings],
                          "pushdown": report.pushdown}, indent=2))
    else:
        for f in report.findings:
            if not f.ok or f.check in ("dbt_parse", "dbt_compile", "window_filter",
                                       "large_input_filtered", "mv_base_tables"):
                print(f"{'ok  ' if f.ok else 'FAIL'} {f.check:22} {f.node}: {f.detail}")
        counts: dict[str, list[int]] = {}
        for f in report.findings:
            counts.setdefault(f.check, [0, 0])[0 if f.ok else 1] += 1
        for check, (ok, bad) in counts.items():
            print(f"{check:22} {ok} ok, {bad} failed")
    return 1 if report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
