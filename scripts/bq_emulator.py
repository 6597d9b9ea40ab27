"""Run the BigQuery target end to end against a local emulator (no Google account, no network).

    .venv/bin/python scripts/bq_emulator.py [--emulator crucible|bqemulator] [--quick]

1. creates ``.venv-bqemu-<emulator>`` from PyPI (once) and starts the emulator on a free
   port of 127.0.0.1;
2. loads the real files from ../shared/data/nba through ``BigQueryLoader`` (twice: the second
   load must skip every file by content hash);
3. ``dbt seed`` and ``dbt build`` for the ``emulator`` BigQuery target (``api_endpoint``);
4. ``dbt build`` again: every fact runs as an incremental MERGE, pruned to the partitions of
   its new rows; row counts must not change (idempotent);
5. ``dbt run`` of the facts with a ``start_date``/``end_date`` window (the daily run), and a
   window with no games at all (an empty run);
6. writes a JSON report (what built, what the emulator refused and why) and stops the
   emulator.

--quick loads only the two game-log files (a smoke test, about a minute).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nba_props.load.bigquery_loader import BigQueryLoader, LoadOptions  # noqa: E402
from nba_props.orchestrate.reference import write_player_registry  # noqa: E402
from nba_props.warehouse.bigquery import BigQuerySettings  # noqa: E402
from nba_props.warehouse.emulator import (  # noqa: E402
    EMULATOR_PROJECT,
    emulator_profile,
    running_emulator,
)
from scripts.bq_checks import DbtRun, dbt_bigquery  # noqa: E402

log = logging.getLogger("bq_emulator")
DATA = ROOT.parent / "shared" / "data" / "nba"
REAL_FILES: dict[str, list[str]] = {
    "nbacom_team_game_logs": [
        "nbacom_team_game_logs_2023-24.csv",
        "nbacom_team_game_logs_2024-25.csv",
    ],
    "nbacom_player_game_logs": ["nbacom_player_game_logs_2024-25.csv"],
    "odds_api_game_lines": ["game_lines_2023-24_2024-25.csv"],
    "odds_api_player_props": ["odds_api_player_threes_2024-25.csv"],
    "nbacom_shot_detail": ["nbacom_shot_detail_2024-25.csv.zip"],
}
QUICK_FILES = {k: REAL_FILES[k] for k in ("nbacom_team_game_logs", "nbacom_player_game_logs")}
FACTS = "player_game_summary team_offense_game_summary team_defense_game_summary"
# Incremental staging tables (macros/incremental/staging_config.sql): re-run with the facts, so
# their pre-hook delete and insert run on the emulator too.
STAGING = "stg_nbacom__player_game_logs stg_nbacom__team_game_logs stg_nbacom__shot_detail"
# Models an emulator cannot finish in reasonable time (and their children): excluded by
# default, listed in the report. bqemulator ran team_defense_zone_analysis for more than
# 10 minutes without an answer (the query over 200k shots through its SQL translation).
SLOW: dict[str, list[str]] = {
    "bqemulator": ["team_defense_zone_analysis+", "upcoming_team_game_context+"],
    "crucible": [],
}
_STATUS = re.compile(r"\d+ of \d+ (OK|ERROR|PASS|WARN|FAIL|SKIP)\b(.*?)(?:\s\.{3,}|\s+\[)")


def statuses_from_output(output: str) -> dict[str, dict[str, Any]]:
    """Per-node status from dbt's console lines (when dbt was stopped before run_results)."""
    names = {"OK": "success", "ERROR": "error", "PASS": "pass", "WARN": "warn", "FAIL": "fail",
             "SKIP": "skipped"}
    out: dict[str, dict[str, Any]] = {}
    for line in re.sub(r"\x1b\[[0-9;]*m", "", output).splitlines():
        match = _STATUS.search(line)
        if match and match.group(2).split():
            name = match.group(2).split()[-1]
            out[name] = {"status": names[match.group(1)], "message": line[-200:]}
    return out


def node_statuses(run_results: Path) -> dict[str, dict[str, Any]]:
    if not run_results.is_file():
        return {}
    data = json.loads(run_results.read_text())
    return {
        r["unique_id"]: {"status": r["status"], "message": (r.get("message") or "")[:500]}
        for r in data.get("results", [])
    }


def summarize(statuses: dict[str, dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in statuses.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def count_rows(client: Any, dataset: str, table: str) -> int | None:
    sql = f"select count(*) as n from `{EMULATOR_PROJECT}.{dataset}.{table}`"  # noqa: S608
    try:
        return int(next(iter(client.query(sql).result())).n)
    except Exception:  # noqa: BLE001 - a missing table is reported as None
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", choices=["crucible", "bqemulator"], default="crucible")
    parser.add_argument("--quick", action="store_true", help="game logs only, fewer steps")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "target_bq" / "emulator")
    parser.add_argument("--project-dir", type=Path, default=ROOT)
    parser.add_argument("--step-timeout", type=float, default=2400,
                        help="seconds one dbt step may take before it is stopped")
    parser.add_argument("--exclude", nargs="*", default=None,
                        help="dbt selectors to leave out (default: the emulator's SLOW list)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    work: Path = args.work_dir / args.emulator
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"emulator": args.emulator, "steps": {}}
    files = QUICK_FILES if args.quick else REAL_FILES
    # crucible-emulator refuses OPTIONS(require_partition_filter = TRUE) (it cannot enforce it).
    dbt_vars = {"bq_require_partition_filter": "false"} if args.emulator == "crucible" else {}
    exclude = SLOW[args.emulator] if args.exclude is None else args.exclude
    report["excluded"] = exclude
    excluded = ["--exclude", *exclude] if exclude else []

    with running_emulator(args.emulator, work / "logs") as emu:
        report["endpoint"] = emu.endpoint
        settings = BigQuerySettings(
            project=EMULATOR_PROJECT,
            api_endpoint=emu.endpoint,
            server_job_timeout=args.emulator != "crucible",
            job_timeout_s=1800,
            # crucible-emulator parses a CSV upload while answering its last chunk: minutes
            # for the 220k shot rows. Real BigQuery answers at once and runs the job after.
            api_deadline_s=1800,
        )
        loader = BigQueryLoader(settings=settings, options=LoadOptions.for_emulator(args.emulator),
                                run_id="emulator-e2e")
        loads: dict[str, Any] = {}
        started = time.monotonic()
        # The player registry (nba_api's static list), as the DuckDB pipeline loads it.
        paths = {"nbacom_players": [write_player_registry(work / "landing")]}
        paths.update({t: [DATA / n for n in names] for t, names in files.items()})
        for raw_table, items in paths.items():
            for path in items:
                t0 = time.monotonic()
                result = loader.load(raw_table, [path])[0]
                loads[path.name] = {"status": result.status, "rows": result.rows_loaded,
                                    "seconds": round(time.monotonic() - t0, 1)}
        reloads = {
            path.name: loader.load(raw_table, [path])[0].status
            for raw_table, items in paths.items() for path in items
        }
        report["steps"]["load"] = {"files": loads, "reload": reloads,
                                   "seconds": round(time.monotonic() - started, 1)}

        profiles = work / "profiles"
        profiles.mkdir(exist_ok=True)
        (profiles / "profiles.yml").write_text(emulator_profile(emu.endpoint))

        def dbt(step: str, dbt_args: list[str], extra_vars: dict[str, str] | None = None) -> DbtRun:
            t0 = time.monotonic()
            tpath = work / f"target_{step}"
            (tpath / "run_results.json").unlink(missing_ok=True)
            run = dbt_bigquery(dbt_args, profiles_dir=profiles, target="emulator",
                               target_path=tpath, log_path=work / "logs",
                               dbt_vars={**dbt_vars, **(extra_vars or {})},
                               project_dir=args.project_dir, timeout_s=args.step_timeout)
            statuses = node_statuses(tpath / "run_results.json") or statuses_from_output(
                run.output)
            report["steps"][step] = {
                "success": run.success,
                "seconds": round(time.monotonic() - t0, 1),
                "counts": summarize(statuses),
                "not_ok": {k: v for k, v in statuses.items()
                           if v["status"] not in ("success", "pass")},
            }
            (work / f"{step}.log").write_text(run.output)
            log.info("%s: success=%s %s", step, run.success, summarize(statuses))
            return run

        dbt("seed", ["seed"])
        dbt("build", ["build", *excluded])
        client = loader.client
        def counts() -> dict[str, int | None]:
            return {
                **{f: count_rows(client, "nba_analytics", f) for f in FACTS.split()},
                **{t: count_rows(client, "nba_staging", t) for t in STAGING.split()},
            }

        report["rows_after_build"] = counts()
        dbt("build_incremental", ["run", "--select", *STAGING.split(), *FACTS.split()])
        report["rows_after_incremental"] = counts()
        merge_sql = work / "target_build_incremental" / "run" / "nba_props" / "models" / "marts"
        merges = {p.stem: p.read_text() for p in merge_sql.rglob("*.sql")}
        report["merge_predicates"] = {
            name: re.findall(r"DBT_INTERNAL_DEST\.\w+ between [^\n]+?\)", text)[:1]
            for name, text in merges.items() if "merge into" in text.lower()
        }
        if not args.quick:
            dbt("daily_window", ["run", "--select", FACTS],
                {"start_date": "2025-01-10", "end_date": "2025-01-13"})
            dbt("empty_window", ["run", "--select", FACTS],
                {"start_date": "2025-08-01", "end_date": "2025-08-03"})
            report["rows_after_windows"] = {
                f: count_rows(client, "nba_analytics", f) for f in FACTS.split()
            }
    out = work / "report.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({k: v for k, v in report.items() if k != "steps"}, indent=2, default=str))
    for step, info in report["steps"].items():
        print(step, {k: v for k, v in info.items() if k != "not_ok" and k != "files"})
    print(f"report: {out}")
    ok = all(v.get("success", True) for k, v in report["steps"].items() if k != "load")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
