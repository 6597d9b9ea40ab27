"""`nba-props`: the thin shell around the dbt project."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from nba_props.contracts import RAW_TABLES
from nba_props.load import DuckDBLoader, LoadError
from nba_props.orchestrate.dbt import DbtError

DEFAULT_DATABASE = Path("data/nba_props.duckdb")
DEFAULT_LANDING = Path("data/landing")


def _cmd_load(args: argparse.Namespace) -> int:
    loader = DuckDBLoader(
        args.database, run_id=args.run_id, allow_extra_columns=args.allow_extra_columns
    )
    results = loader.load(args.raw_table, args.files)
    for r in results:
        extra = f" (ignored columns: {', '.join(r.ignored_columns)})" if r.ignored_columns else ""
        print(f"{r.status:<18} {r.rows_loaded:>9,} rows  {r.raw_table} <- {r.source_file}{extra}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from nba_props.demo import generate_demo

    result = generate_demo(args.out, seasons=args.seasons, last_season=args.last_season)
    for raw_table, paths in sorted(result.files.items()):
        for path in paths:
            print(f"{raw_table:<26} {path}")
    print(f"SYNTHETIC demo data: {result.player_games:,} player-games, {result.shots:,} shots")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from nba_props.orchestrate.pipeline import run_local_pipeline

    result = run_local_pipeline(
        args.database, args.landing, seasons=args.seasons, dbt_args=args.dbt_args
    )
    loaded = sum(r.rows_loaded for r in result.loads)
    skipped = sum(1 for r in result.loads if r.status == "skipped_duplicate")
    print(
        f"loaded {loaded:,} new rows from {len(result.loads) - skipped} files "
        f"({skipped} files already loaded, skipped)"
    )
    print(result.summary.render())
    if not result.dbt.success:
        print(
            f"\ndbt build failed: {result.dbt.exception or 'see the failures above'}",
            file=sys.stderr,
        )
        return 1
    return 0


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
    load.set_defaults(func=_cmd_load)

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
        "dbt_args",
        nargs=argparse.REMAINDER,
        help="extra dbt build arguments after --, e.g. -- --full-refresh",
    )
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except LoadError as exc:
        print(f"load error: {exc}", file=sys.stderr)
        return 2
    except DbtError as exc:
        print(f"dbt error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
