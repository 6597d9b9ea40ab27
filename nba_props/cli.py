"""`nba-props`: the thin shell around the dbt project."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from nba_props.backtest.cli import add_backtest_parser
from nba_props.contracts import RAW_TABLES
from nba_props.load import DuckDBLoader, LoadError, LoadResult
from nba_props.orchestrate.daily import DailyConfig, DayResult, backfill, run_day
from nba_props.orchestrate.dbt import DbtError
from nba_props.orchestrate.execution_log import DuckDBExecutionLog, ensure_run_id, load_files
from nba_props.orchestrate.outcome import (
    DONE,
    EXIT_DBT,
    EXIT_LOAD,
    EXIT_MISSING,
    EXIT_SCRAPE,
    EXIT_WARNINGS,
    exit_code,
    render_backfill,
)
from nba_props.orchestrate.reference import REFERENCE_TABLES, load_reference
from nba_props.orchestrate.scrapes import scrape_logged
from nba_props.paths import PROJECT_DIR
from nba_props.predict.cli import add_predict_parser
from nba_props.relations import REJECTED_ROWS
from nba_props.scrape import ScrapeError
from nba_props.scrape.logs import configure_logging, log_context

if TYPE_CHECKING:  # google-cloud-bigquery is imported only for --target bigquery
    from google.cloud import bigquery

    from nba_props.load.bigquery_loader import LoadOptions
    from nba_props.warehouse.bigquery import BigQuerySettings

DEFAULT_DATABASE = Path("data/nba_props.duckdb")
DEFAULT_LANDING = Path("data/landing")
DEFAULT_DBT_TARGET = "prod"  # the BigQuery target of profiles.yml.example
DBT_PROFILE = "nba_props"


def _print_loads(results: Sequence[LoadResult]) -> None:
    for r in results:
        extra = f" (ignored columns: {', '.join(r.ignored_columns)})" if r.ignored_columns else ""
        if r.rows_rejected:
            reasons = ", ".join(f"{n} {k}" for k, n in sorted(r.rejects_by_reason.items()))
            extra += f" ({r.rows_rejected:,} rejected: {reasons}; see {REJECTED_ROWS})"
        print(f"{r.status:<19} {r.rows_loaded:>9,} rows  {r.raw_table} <- {r.source_file}{extra}")


def _cmd_load(args: argparse.Namespace) -> int:

    loader = DuckDBLoader(
        args.database,
        run_id=ensure_run_id(args.run_id),
        allow_extra_columns=args.allow_extra_columns,
        on_bad_rows=args.on_bad_rows,
        max_rejected_fraction=args.max_rejected_fraction,
    )
    execution_log = DuckDBExecutionLog(args.database)
    if args.raw_table not in REFERENCE_TABLES:
        # The reference data every build needs (the player registry) comes first, so a
        # user's own files resolve without a step to know. Skipped once loaded.
        _print_loads(
            [r for r in load_reference(loader, args.landing, execution_log)
             if r.status != "skipped_duplicate"]
        )
    # One processor_execution_log row per file (loaded, skipped or failed).
    _print_loads(load_files(loader, args.raw_table, args.files, execution_log))
    return 0


def _cmd_init(args: argparse.Namespace) -> int:

    loader = DuckDBLoader(args.database, run_id=ensure_run_id(args.run_id))
    results = load_reference(loader, args.landing, DuckDBExecutionLog(args.database),
                             command="nba-props init")
    _print_loads(results)
    print(f"reference data ready in {args.database}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from nba_props.demo import generate_demo  # deferred: numpy and the demo's tables

    result = generate_demo(args.out, seasons=args.seasons, last_season=args.last_season)
    for raw_table, paths in sorted(result.files.items()):
        for path in paths:
            print(f"{raw_table:<26} {path}")
    print(f"SYNTHETIC demo data: {result.player_games:,} player-games, {result.shots:,} shots")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    # Deferred: the pipeline predicts (LightGBM, scipy) and builds (dbt).
    from nba_props.orchestrate.pipeline import run_local_pipeline

    result = run_local_pipeline(
        args.database,
        args.landing,
        seasons=args.seasons,
        dbt_args=args.dbt_args,
        run_id=ensure_run_id(),
        elementary=args.elementary,
    )
    args.outcome.dbt.append(result.dbt)  # for the run's alert
    loaded = sum(r.rows_loaded for r in result.loads)
    skipped = sum(1 for r in result.loads if r.status == "skipped_duplicate")
    print(
        f"loaded {loaded:,} new rows from {len(result.loads) - skipped} files "
        f"({skipped} files already loaded, skipped)"
    )
    if result.predictions:
        days = ", ".join(f"{d} {n:,}" for d, n in result.predictions.items())
        print(f"predictions written (walk-forward, every system and market): {days}")
    print(result.summary.render())
    if not result.dbt.success:
        print(
            f"\ndbt build failed: {result.dbt.exception or 'see the failures above'}",
            file=sys.stderr,
        )
        return 1
    return 0


def _daily_config(args: argparse.Namespace) -> DailyConfig:
    if args.target == "duckdb":
        if args.dbt_target:
            raise SystemExit("--dbt-target names a BigQuery dbt target: use it with "
                             "--target bigquery")
        return DailyConfig(
            database=args.database,
            landing=args.landing,
            target=None,
            mode=args.mode,
            lookback_days=args.lookback_days,
            predict=not args.no_predict,
        )
    dbt_target = args.dbt_target or DEFAULT_DBT_TARGET
    settings, client, options = _bigquery_setup()
    # run_dbt reads the profiles.yml beside dbt_project.yml (--profiles-dir).
    check_bigquery_profile(dbt_target, PROJECT_DIR / "profiles.yml")
    return DailyConfig(
        database=args.database,
        landing=args.landing,
        target=dbt_target,
        warehouse="bigquery",
        mode=args.mode,
        lookback_days=args.lookback_days,
        predict=not args.no_predict,
        bigquery=settings,
        bigquery_client=client,
        load_options=options,
    )


def check_bigquery_profile(dbt_target: str, profiles: Path) -> None:
    """Stop with a clear message unless ``profiles`` has ``dbt_target`` as a BigQuery target."""
    import yaml  # deferred: only --target bigquery reads the profile

    hint = ("copy the BigQuery targets of profiles.yml.example into profiles.yml "
            "(README, BigQuery section)")
    try:
        text = profiles.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SystemExit(f"--target bigquery: {profiles} not found: {hint}") from None
    try:
        outputs = (yaml.safe_load(text) or {}).get(DBT_PROFILE, {}).get("outputs") or {}
    except (yaml.YAMLError, AttributeError) as exc:
        raise SystemExit(f"--target bigquery: cannot read {profiles}: {exc}") from None
    output = outputs.get(dbt_target)
    if not isinstance(output, dict):
        raise SystemExit(
            f"--target bigquery: dbt target {dbt_target!r} is not in {profiles} "
            f"(targets: {', '.join(sorted(outputs)) or 'none'}): {hint}, or pass --dbt-target"
        )
    if output.get("type") != "bigquery":
        raise SystemExit(
            f"--target bigquery: dbt target {dbt_target!r} in {profiles} is of type "
            f"{output.get('type')!r}, not bigquery: pass --dbt-target with a BigQuery target"
        )


def _bigquery_setup() -> tuple[BigQuerySettings, bigquery.Client, LoadOptions | None]:
    """Settings from NBA_PROPS_BQ_*, a client (credentials found now, not after the first
    file), and the load options: an emulator's when NBA_PROPS_BQ_EMULATOR names one and
    NBA_PROPS_BQ_API_ENDPOINT points at it. Stops with a clear message when not set up."""
    # Deferred: google-cloud-bigquery, only for --target bigquery.
    from nba_props.load.bigquery_loader import LoadOptions
    from nba_props.warehouse.bigquery import BigQueryConfigError, BigQuerySettings, make_client

    try:
        settings = BigQuerySettings.from_env()
        client = make_client(settings)
    except BigQueryConfigError as exc:
        raise SystemExit(f"--target bigquery: {exc} (README, BigQuery section)") from None
    emulator = os.environ.get("NBA_PROPS_BQ_EMULATOR", "")
    options = LoadOptions.for_emulator(emulator) if settings.api_endpoint and emulator else None
    return settings, client, options


def _cmd_daily(args: argparse.Namespace) -> int:
    cfg = _daily_config(args)
    with log_context(run_id=cfg.run_id):
        result = run_day(args.date, cfg)
    args.outcome.days = [result]  # for the run's alert
    print(result.render())
    return _report_exit([result])


def _report_exit(results: Sequence[DayResult]) -> int:
    """The exit code of daily / backfill (nba_props/orchestrate/outcome.py), said on stderr."""
    code = exit_code(results)
    if code == EXIT_MISSING:
        failed = [r for r in results if r.outcome not in DONE]
        days = ", ".join(str(r.day) for r in failed[:5]) + (", ..." if len(failed) > 5 else "")
        print(f"missing data: {len(failed)} day(s) failed ({days}), listed above (exit {code})",
              file=sys.stderr)
    elif code == EXIT_WARNINGS:
        warned = sum(len(r.warnings) for r in results)
        print(f"completed with warnings: {warned} warning(s), listed above (exit {code})",
              file=sys.stderr)
    return code


def _cmd_backfill(args: argparse.Namespace) -> int:
    cfg = _daily_config(args)
    with log_context(run_id=cfg.run_id):
        results = backfill(
            args.start,
            args.end,
            cfg,
            chunk_days=args.chunk_days,
            force=args.force,
            progress=not args.no_progress,
        )
    args.outcome.days = results  # for the run's alert
    notes = list(dict.fromkeys(n for r in results for n in r.notes))
    print(render_backfill(args.start, args.end, results, cfg.run_id, notes))
    return _report_exit(results)


def _cmd_land_demo(args: argparse.Namespace) -> int:
    from nba_props.demo import generate_demo  # deferred: numpy and the demo's tables
    from nba_props.orchestrate.replay import land_by_day  # deferred: land-demo only

    demo = generate_demo(args.out, seasons=args.seasons, last_season=args.last_season)
    landed = land_by_day(demo.files, args.landing)
    for table, rows in sorted(landed.items()):
        print(f"{table:<26} {rows:>10,} rows landed by day under {args.landing}")
    return 0


def _cmd_scrape(args: argparse.Namespace) -> int:

    run_id = ensure_run_id()
    with log_context(run_id=run_id):
        # One processor_execution_log row (status, rows, requests, warnings), as in daily.
        result = scrape_logged(
            args.source,
            args.date,
            args.landing,
            run_id,
            DuckDBExecutionLog(args.database),
            command="nba-props scrape",
            base_url=args.base_url,
            timeout=args.timeout,
        )
    for table, paths in sorted(result.outputs.items()):
        for path in paths:
            print(f"{table:<26} {path}")
    print(f"{result.requests} requests, {result.retries} retries (run {run_id})")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return EXIT_WARNINGS if result.warnings else 0


def _add_daily_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    p.add_argument("--landing", type=Path, default=DEFAULT_LANDING)
    p.add_argument(
        "--target",
        choices=["duckdb", "bigquery"],
        default="duckdb",
        help="warehouse: duckdb (the default profile), or bigquery (settings from "
        "NBA_PROPS_BQ_*: load, dbt build, predict and grade all on BigQuery)",
    )
    p.add_argument(
        "--dbt-target",
        default=None,
        help=f"with --target bigquery: the dbt target in profiles.yml (default "
        f"{DEFAULT_DBT_TARGET})",
    )
    p.add_argument(
        "--mode",
        choices=["auto", "live", "replay"],
        default="auto",
        help="auto: scrape when API keys are set, else replay the landing zone",
    )
    p.add_argument("--lookback-days", type=int, default=3)
    p.add_argument("--no-predict", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nba-props", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", help="load landed files into a raw table")
    load.add_argument("raw_table", choices=sorted(RAW_TABLES))
    load.add_argument("files", nargs="+", type=Path)
    load.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    load.add_argument("--run-id", default=None, help="ties this load to a pipeline run")
    load.add_argument(
        "--allow-extra-columns",
        action="store_true",
        help="skip (and report) columns the contract does not know",
    )
    load.add_argument(
        "--on-bad-rows", choices=["quarantine", "fail"], default="quarantine",
        help=f"quarantine: set bad rows aside in {REJECTED_ROWS} and load the rest "
        "(default); fail: refuse the file at its first bad row",
    )
    load.add_argument(
        "--max-rejected-fraction", type=float, default=0.1,
        help="refuse the whole file when more than this share of its rows is bad",
    )
    load.add_argument(
        "--landing", type=Path, default=DEFAULT_LANDING,
        help="landing zone: where the player registry file is written before it loads",
    )
    load.set_defaults(func=_cmd_load)

    init = sub.add_parser(
        "init",
        help="load the reference data a build needs (player registry from nba_api, aliases "
        "in <landing>/reference); `load`, `daily` and `backfill` do it too",
    )
    init.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    init.add_argument("--landing", type=Path, default=DEFAULT_LANDING)
    init.add_argument("--run-id", default=None, help="ties this load to a pipeline run")
    init.set_defaults(func=_cmd_init)

    demo = sub.add_parser("demo", help="write deterministic SYNTHETIC demo data files")
    demo.add_argument("--out", type=Path, default=DEFAULT_LANDING / "synthetic")
    demo.add_argument("--seasons", type=int, default=1)
    demo.add_argument("--last-season", type=int, default=2025, help="start year of the last")
    demo.set_defaults(func=_cmd_demo)

    run = sub.add_parser("run", help="demo data -> load -> dbt build -> summary (offline)")
    run.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    run.add_argument("--landing", type=Path, default=DEFAULT_LANDING)
    run.add_argument("--seasons", type=int, default=1)
    run.add_argument(
        "--elementary",
        action="store_true",
        help="run Elementary's anomaly tests, on the demo's clock (needs make elementary-on)",
    )
    run.add_argument(
        "dbt_args",
        nargs=argparse.REMAINDER,
        help="extra dbt build arguments after --, e.g. -- --full-refresh",
    )
    run.set_defaults(func=_cmd_run)

    daily = sub.add_parser("daily", help="scrape/replay -> load -> dbt build -> predict -> grade")
    daily.add_argument("--date", type=date.fromisoformat, required=True)
    _add_daily_options(daily)
    daily.set_defaults(func=_cmd_daily)

    back = sub.add_parser("backfill", help="run a range of days; resumable and idempotent")
    back.add_argument("--start", type=date.fromisoformat, required=True)
    back.add_argument("--end", type=date.fromisoformat, required=True)
    back.add_argument("--chunk-days", type=int, default=31, help="days per dbt build")
    back.add_argument("--force", action="store_true", help="redo days already done")
    back.add_argument("--no-progress", action="store_true")
    _add_daily_options(back)
    back.set_defaults(func=_cmd_backfill)

    land = sub.add_parser("land-demo", help="write SYNTHETIC demo data to the landing zone by day")
    land.add_argument("--out", type=Path, default=DEFAULT_LANDING / "synthetic")
    land.add_argument("--landing", type=Path, default=DEFAULT_LANDING)
    land.add_argument("--seasons", type=int, default=1)
    land.add_argument("--last-season", type=int, default=2025)
    land.set_defaults(func=_cmd_land_demo)

    scrape = sub.add_parser("scrape", help="scrape one source for one day into the landing zone")
    scrape.add_argument("source", choices=["nbacom", "odds_api", "balldontlie"])
    scrape.add_argument("--date", type=date.fromisoformat, required=True)
    scrape.add_argument("--landing", type=Path, default=DEFAULT_LANDING)
    scrape.add_argument("--database", type=Path, default=DEFAULT_DATABASE,
                        help="DuckDB file whose processor_execution_log records the scrape")
    scrape.add_argument("--base-url", default=None, help="override the API host (tests)")
    scrape.add_argument("--timeout", type=float, default=10.0)
    scrape.set_defaults(func=_cmd_scrape)

    add_predict_parser(sub)
    add_backtest_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    # JSON lines on stderr, every record stamped with the run id; replaces whatever handler
    # an imported library put on the root logger (a plain basicConfig would be a no-op).
    configure_logging(logging.DEBUG if args.verbose else logging.INFO)
    # Deferred on purpose (requests, duckdb): after parsing, so that --help starts at once.
    from nba_props.alerts import notify_run, outcome_for

    run_id = ensure_run_id(getattr(args, "run_id", None))
    with log_context(run_id=run_id):
        logging.getLogger("nba_props.cli").debug("nba-props %s, run %s", args.command, run_id)
        args.outcome = outcome_for(args, run_id)
        code = _run(args)
        # daily / backfill / run: one alert if the run failed or degraded, through the
        # configured channels (README, Alerts); never changes the exit code.
        notify_run(args.outcome, code)
        return code


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except LoadError as exc:
        print(f"load error: {exc}", file=sys.stderr)
        args.outcome.failed("load error", exc)
        return EXIT_LOAD
    except DbtError as exc:
        print(f"dbt error: {exc}", file=sys.stderr)
        args.outcome.failed("dbt error", exc)
        return EXIT_DBT
    except ScrapeError as exc:  # messages are redacted by the scrapers
        print(f"scrape error: {exc}", file=sys.stderr)
        args.outcome.failed("scrape error", exc)
        return EXIT_SCRAPE


if __name__ == "__main__":
    sys.exit(main())
