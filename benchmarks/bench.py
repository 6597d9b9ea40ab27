"""`make bench`: the pipeline on synthetic history of 1, 5 and 20 seasons.

Each scale: generate the demo seasons, hold back the newest played game day, load the
history (loader rows/s), measure dbt's fixed start-up, the full build (wall time and peak
memory, in a child process), then load the held-back day and run the daily incremental
build, predict the day (batched feature loading against per-player queries) and grade.
Then `nba-props daily` runs the same held-back day as a user runs it (its own process, on a
copy of the warehouse as it stood before the day), and the floor (benchmarks/floor.sql: the
core transformations as plain DuckDB SQL, no dbt) runs on the same raw tables into a fresh
file-backed database.
Ratios are measured in the same run, so a noisy machine moves both sides together.

Results: benchmarks/results.json and benchmarks/RESULTS.md (summarized in the README).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from nba_props.load.readers import csv_path
from nba_props.load.staging import normalize_header, quote_ident
from nba_props.orchestrate.daily import build_args, grading_args
from nba_props.orchestrate.replay import DAY_EXPRESSIONS, land_by_day
from nba_props.paths import PROJECT_DIR

OUT_DIR = PROJECT_DIR / "benchmarks"
FLOOR_SQL = OUT_DIR / "floor.sql"


def _child(step: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one step in a fresh interpreter; returns its timing and its own peak memory."""
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "benchmarks.bench", "--child", step, json.dumps(payload)],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_DIR,
        timeout=3600,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"bench step {step} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _run_child_step(step: str, payload: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    extra: dict[str, Any] = {}
    if step == "dbt":
        from nba_props.orchestrate.dbt import run_dbt

        outcome = run_dbt(
            payload["args"],
            database=Path(payload["database"]),
            quiet=True,
            target_path=Path(payload["target_path"]),
            log_path=Path(payload["target_path"]) / "logs",
            env=payload.get("env"),
        )
        extra = {
            "models": outcome.count("model", "success"),
            "tests": outcome.count("test", "pass") + outcome.count("test", "warn"),
            "node_seconds": round(sum(n.execution_time for n in outcome.nodes), 2),
        }
    elif step == "load":
        from nba_props.load import DuckDBLoader

        loader = DuckDBLoader(payload["database"])
        rows = csv_rows = 0
        csv_seconds = 0.0
        for table, files in payload["files"].items():
            t0 = time.perf_counter()
            results = loader.load(table, [Path(f) for f in files])
            n = sum(r.rows_loaded for r in results)
            rows += n
            if all(str(f).endswith(".csv") for f in files):
                csv_rows += n
                csv_seconds += time.perf_counter() - t0
        extra = {"rows": rows, "csv_rows": csv_rows, "csv_seconds": round(csv_seconds, 3)}
    elif step == "predict":
        from nba_props.predict.service import predict

        result = predict(Path(payload["database"]), date.fromisoformat(payload["day"]))
        extra = {
            "predictions": result.predictions_written,
            "skipped": result.skipped_reason,
            "models_reused": result.models_reused,
        }
    elif step == "floor":
        extra = run_floor(Path(payload["raw_database"]), Path(payload["database"]))
    else:
        raise ValueError(f"unknown bench step {step}")
    times = os.times()
    return {
        "seconds": round(time.perf_counter() - start, 3),
        # CPU time of the step's whole process (every thread; DuckDB's too), imports included
        "cpu_seconds": round(times.user + times.system, 2),
        "max_rss_mb": _peak_rss_mb(),
        **extra,
    }


def floor_statements(sql: str) -> list[str]:
    """The floor's statements: separated by a line holding only `;`."""
    return [part.strip() for part in sql.split("\n;\n") if part.strip()]


def run_floor(raw_database: Path, database: Path) -> dict[str, Any]:
    """Run benchmarks/floor.sql on the raw tables of `raw_database` (attached read-only)
    into a fresh file-backed `database`; returns the seconds and rows of each table."""
    database.unlink(missing_ok=True)
    tables: dict[str, dict[str, float]] = {}
    with duckdb.connect(str(database)) as con:
        con.execute("attach ? as raw (read_only)", [str(raw_database)])
        for statement in floor_statements(FLOOR_SQL.read_text(encoding="utf-8")):
            name = statement.split("create or replace table ", 1)[1].split()[0]
            t0 = time.perf_counter()
            con.execute(statement)
            # the name comes from our own file, not from input
            rows = con.execute(f"select count(*) from {name}").fetchone()[0]  # noqa: S608
            tables[name] = {"seconds": round(time.perf_counter() - t0, 3), "rows": rows}
        con.execute("checkpoint")
    if not tables or not tables.get("graded", {}).get("rows"):
        raise RuntimeError(f"the floor graded nothing: {tables}")
    return {"tables": tables}


def _daily_process(
    database: Path, landing: Path, held: dict[str, list[str]], day: date
) -> dict[str, Any]:
    """`nba-props daily` as a user runs it: its own process, replaying the held-back day
    from a landing zone, on `database` (a copy of the warehouse before the day)."""
    land_by_day({table: [Path(f) for f in files] for table, files in held.items()}, landing)
    cli = str(Path(sys.executable).with_name("nba-props"))
    t0 = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [cli, "daily", "--date", day.isoformat(), "--database", str(database),
         "--landing", str(landing), "--mode", "replay"],
        capture_output=True, text=True, check=False, cwd=PROJECT_DIR, timeout=3600,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"nba-props daily failed ({proc.returncode}):\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return {"seconds": round(seconds, 2), "exit_code": proc.returncode}


def _work_ratio(
    daily: dict[str, Any], full: dict[str, Any], startup: dict[str, Any], measure: str
) -> float:
    """daily / full of one measure (wall or CPU seconds), each less dbt's start-up."""
    work = max(daily[measure] - startup[measure], 0)
    return round(work / max(full[measure] - startup[measure], 1e-6), 3)


def _peak_rss_mb() -> float:
    """This process's own peak resident memory. Linux: VmHWM, which starts afresh at exec
    (ru_maxrss carries the forking parent's peak over, here the data generator's)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _split_day(files: dict[str, list[Path]], day: date, out: Path) -> tuple[dict, dict]:
    """Split each raw file into history (other days) and the held-back day."""
    history: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    with duckdb.connect() as con:
        for table, paths in files.items():
            if table not in DAY_EXPRESSIONS:
                history[table] = [str(p) for p in paths]
                continue
            for i, path in enumerate(paths):
                with csv_path(path) as csv_file:
                    con.execute(
                        "create or replace temp table f as select * from read_csv(?, "
                        "all_varchar = true, header = true, sample_size = -1)",
                        [str(csv_file)],
                    )
                cols = [r[0] for r in con.execute("describe f").fetchall()]
                lowered = ", ".join(f"{quote_ident(c)} as {normalize_header(c)}" for c in cols)
                con.execute(f"create or replace temp table g as select {lowered} from f")  # noqa: S608
                expr = DAY_EXPRESSIONS[table]
                for name, cond, bucket in (("history", "!=", history), ("day", "=", held)):
                    target = out / name / f"{table}_{i}.csv"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    con.execute(
                        f"copy (select * from g where {expr} {cond} ?) to '{target}' "  # noqa: S608
                        "(format csv, header true)",
                        [day],
                    )
                    bucket.setdefault(table, []).append(str(target))
    return history, held


def _feature_loading(database: Path, day: date) -> dict[str, Any]:
    """One slate: every player's features in one query, against one query per player."""
    with duckdb.connect(str(database), read_only=True) as con:
        slate_day = con.execute(
            "select game_date from nba_precompute.ml_feature_store_v2 where game_date <= ? "
            "group by 1 order by count(distinct player_id) desc, 1 desc limit 1",
            [day],
        ).fetchone()[0]
        players = [
            r[0]
            for r in con.execute(
                "select distinct player_id from nba_precompute.ml_feature_store_v2 "
                "where game_date = ? order by 1",
                [slate_day],
            ).fetchall()
        ]
        t0 = time.perf_counter()
        batched = con.sql(
            "select * from nba_precompute.ml_feature_store_v2 where game_date = ?",
            params=[slate_day],
        ).to_arrow_table()
        batched_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = 0
        for player_id in players:
            rows += len(
                con.execute(
                    "select * from nba_precompute.ml_feature_store_v2 "
                    "where game_date = ? and player_id = ?",
                    [slate_day, player_id],
                ).fetchall()
            )
        per_player_s = time.perf_counter() - t0
    assert rows == batched.num_rows, "per-player and batched reads disagree"
    return {
        "slate_date": slate_day.isoformat(),
        "players": len(players),
        "rows": rows,
        "batched_seconds": round(batched_s, 4),
        "per_player_seconds": round(per_player_s, 4),
        "speedup": round(per_player_s / max(batched_s, 1e-6), 1),
    }


def bench_scale(seasons: int, work: Path) -> dict[str, Any]:
    from nba_props.demo import generate_demo
    from nba_props.orchestrate.reference import write_player_registry

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    demo = generate_demo(work / "files", seasons=seasons)
    generate_s = time.perf_counter() - t0
    files = {k: list(v) for k, v in demo.files.items()}
    files["nbacom_players"] = [write_player_registry(work / "landing")]
    with duckdb.connect() as con:
        day = con.execute(
            "select max(cast(game_date as date)) from read_csv(?)",
            [[str(p) for p in files["nbacom_player_game_logs"]]],
        ).fetchone()[0]
    history, held = _split_day(files, day, work / "split")
    database = work / "bench.duckdb"
    target = work / "target"
    common = {"database": str(database), "target_path": str(target)}
    # As `nba-props daily` runs it: the window in the environment, the grading marts built
    # once after the predictions were written.
    window = {"NBA_PROPS_START_DATE": (day - timedelta(days=3)).isoformat()}

    load = _child("load", {"database": str(database), "files": history})
    # dbt's fixed start-up: a build that selects nothing. The first one parses the whole
    # project (cold); the second, with the daily window in the environment, re-parses only
    # the files that read it, as the full and the daily build below each do.
    no_op = ["build", "--select", "tag:bench_no_such_tag"]
    startup_cold = _child("dbt", {**common, "args": no_op})
    startup = _child("dbt", {**common, "args": no_op, "env": window})
    full = _child("dbt", {**common, "args": ["build", "--full-refresh"]})
    before_day = work / "before_day.duckdb"
    shutil.copyfile(database, before_day)
    load_day = _child("load", {"database": str(database), "files": held})
    daily = _child("dbt", {**common, "args": build_args(True), "env": window})
    # The first predict fits the models of the day's cut-off (a retrain day, 1 in
    # ml_retrain_cadence_days); running it again reuses them, as the other days do.
    predict = _child("predict", {"database": str(database), "day": day.isoformat()})
    predict_warm = _child("predict", {"database": str(database), "day": day.isoformat()})
    grade = _child("dbt", {**common, "args": grading_args(), "env": window})
    features = _feature_loading(database, day)
    # The same day as a user runs it: `nba-props daily`, its own process, on the copy of the
    # warehouse taken before the day (it loads, builds, predicts and grades).
    daily_process = _daily_process(before_day, work / "daily_landing", held, day)
    # The floor: the core transformations as plain SQL on the same raw tables.
    floor = _child("floor", {"raw_database": str(database), "database": str(work / "floor.duckdb")})
    pipeline_s = load_day["seconds"] + daily["seconds"] + predict["seconds"] + grade["seconds"]
    pipeline_warm_s = pipeline_s - predict["seconds"] + predict_warm["seconds"]
    with duckdb.connect(str(database), read_only=True) as con:
        player_games = con.execute(
            "select count(*) from nba_analytics.player_game_summary"
        ).fetchone()[0]
        shots = con.execute("select count(*) from nba_raw.nbacom_shot_detail").fetchone()[0]
    return {
        "seasons": seasons,
        "player_games": player_games,
        "shots": shots,
        "held_back_day": day.isoformat(),
        "generate_seconds": round(generate_s, 2),
        "load": {
            **load,
            "csv_rows_per_second": round(load["csv_rows"] / max(load["csv_seconds"], 1e-6)),
        },
        "dbt_startup_seconds": startup["seconds"],
        "dbt_startup_cold_parse_seconds": startup_cold["seconds"],
        "dbt_startup": startup,
        "full_build": full,
        "full_build_work_seconds": round(full["seconds"] - startup["seconds"], 2),
        "daily_build": daily,
        "daily_vs_full": round(daily["seconds"] / full["seconds"], 3),
        "daily_work_vs_full_work": _work_ratio(daily, full, startup, "seconds"),
        "daily_cpu_work_vs_full_cpu_work": _work_ratio(daily, full, startup, "cpu_seconds"),
        "predict": predict,
        "predict_models_reused": predict_warm,
        "grade": grade,
        "daily_pipeline_seconds": round(pipeline_s, 2),
        "daily_pipeline_models_reused_seconds": round(pipeline_warm_s, 2),
        "daily_pipeline_process": daily_process,
        "feature_loading": features,
        "floor": floor,
        "full_build_vs_floor": round(full["seconds"] / max(floor["seconds"], 1e-6), 1),
    }


def _wall(argv: list[str], runs: int = 3) -> float:
    """Median wall time of a command run as a user runs it: its own process."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, cwd=PROJECT_DIR, timeout=600)  # noqa: S603 - fixed argv, no shell
        times.append(time.perf_counter() - t0)
    return round(sorted(times)[len(times) // 2], 2)


def bench_cli(work: Path, source_csv: Path, rows: int = 5_000) -> dict[str, Any]:
    """The CLI as a user meets it: `nba-props --help`, and `nba-props load` of a 5,000-row
    CSV into a warehouse whose player registry is loaded (the first load of a fresh one
    also loads the registry: reported beside it)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cli = str(Path(sys.executable).with_name("nba-props"))
    with source_csv.open(encoding="utf-8") as fh:
        header, *body = [next(fh) for _ in range(3 * rows + 1)]
    parts = []
    for n in range(3):
        part = work / f"player_logs_{n}.csv"
        part.write_text(header + "".join(body[n * rows:(n + 1) * rows]), encoding="utf-8")
        parts.append(part)
    database, landing = work / "cli.duckdb", work / "landing"

    def load(part: Path) -> list[str]:
        return [cli, "load", "--database", str(database), "--landing", str(landing),
                "nbacom_player_game_logs", str(part)]

    first = _wall(load(parts[0]), runs=1)  # a fresh warehouse: the registry loads first
    loads = [_wall(load(part), runs=1) for part in parts[1:]]
    return {
        "help_seconds": _wall([cli, "--help"]),
        "load_5000_rows_seconds": round(sorted(loads)[0], 2),
        "load_5000_rows_fresh_warehouse_seconds": first,
    }


def render_markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Benchmarks ({results['when']}, {results['machine']})",
        "",
        "| seasons | player-games | shots | loader CSV rows/s | dbt start-up s (cold parse) "
        "| full build s "
        "| full build peak MB | daily build s | daily/full (wall) | daily/full (work) "
        "| daily/full (CPU work) "
        "| daily pipeline s (models reused) | daily pipeline s (retrain day) "
        "| `nba-props daily` s (own process) | batched vs per-player "
        "| floor s (plain SQL) | full build / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["scales"]:
        lines.append(
            f"| {r['seasons']} | {r['player_games']:,} | {r['shots']:,} "
            f"| {r['load']['csv_rows_per_second']:,} | {r['dbt_startup_seconds']:.1f} "
            f"({r['dbt_startup_cold_parse_seconds']:.1f}) "
            f"| {r['full_build']['seconds']:.1f} | {r['full_build']['max_rss_mb']:,.0f} "
            f"| {r['daily_build']['seconds']:.1f} | {r['daily_vs_full']:.2f} "
            f"| {r['daily_work_vs_full_work']:.2f} "
            f"| {r['daily_cpu_work_vs_full_cpu_work']:.2f} "
            f"| {r['daily_pipeline_models_reused_seconds']:.1f} "
            f"| {r['daily_pipeline_seconds']:.1f} "
            f"| {r['daily_pipeline_process']['seconds']:.1f} "
            f"| {r['feature_loading']['speedup']:.0f}x "
            f"({r['feature_loading']['players']} players) "
            f"| {r['floor']['seconds']:.1f} | {r['full_build_vs_floor']:.1f}x |"
        )
    cli = results.get("cli")
    if cli:
        lines += [
            "",
            f"CLI start-up: `nba-props --help` {cli['help_seconds']:.2f} s; `nba-props load` of a",
            f"5,000-row CSV {cli['load_5000_rows_seconds']:.2f} s "
            f"({cli['load_5000_rows_fresh_warehouse_seconds']:.2f} s into a fresh warehouse,",
            "which loads the player registry first). Each is its own process, as a user runs it.",
        ]
    lines += [
        "",
        "Work = wall time minus dbt's fixed start-up (imports, partial parse, connection, run",
        "hooks), measured by a build that selects nothing, with the daily window in the",
        "environment (the cold parse of a fresh checkout in brackets). CPU work: the same on",
        "the processes' CPU time (user + system, every thread). The daily build leaves the",
        "unit tests out. Daily pipeline = load the day + dbt build + predict + grade. The live",
        "models are retrained every ml_retrain_cadence_days (7): on the other days predict",
        "reuses the stored models of the cut-off (nba_props.predict.model_store).",
        "`nba-props daily`: the same held-back day run as a user runs it, one process that",
        "replays the landing zone, loads, builds, predicts and grades (on a copy of the",
        "warehouse before the day). Floor: benchmarks/floor.sql, the core transformations",
        "(rolling player windows, team defence, shot zones, the props line selection with its",
        "consensus, the feature join, the grading join) as plain DuckDB SQL on the same raw",
        "tables, into a fresh file-backed database; full build / floor is the wall-time ratio.",
        "Full numbers: `benchmarks/results.json`.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench")
    parser.add_argument("--seasons", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--work", type=Path, default=PROJECT_DIR / "data" / "bench")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PAYLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_run_child_step(args.child[0], json.loads(args.child[1]))))
        return 0
    results = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
        ),
        "scales": [],
    }
    print("bench: CLI start-up...", flush=True)
    from nba_props.demo import generate_demo

    sample = generate_demo(args.work / "cli_sample", seasons=1)
    results["cli"] = bench_cli(
        args.work / "cli", sample.files["nbacom_player_game_logs"][0]
    )
    for seasons in args.seasons:
        print(f"bench: {seasons} season(s)...", flush=True)
        results["scales"].append(bench_scale(seasons, args.work / f"s{seasons}"))
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        (args.out / "RESULTS.md").write_text(render_markdown(results), encoding="utf-8")
    print(render_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
