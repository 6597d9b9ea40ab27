"""`nba-props backtest`: argparse wiring.

cli.main calls ``args.func(args)``, which returns the exit code. The walk-forward runs in
nba_props.backtest.runner (DuckDB) or nba_props.backtest.bigquery_run (``--target
bigquery``: grades with dbt on ``--dbt-target``, default prod, and prints the summary).
Both are imported when the command runs: they load duckdb, LightGBM and matplotlib.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nba_props.predict.cli import add_worker_arguments, parse_date
from nba_props.relations import PREDICTION_ACCURACY

if TYPE_CHECKING:
    from nba_props.backtest.config import BacktestConfig, BacktestResult

DEFAULT_DBT_TARGET = "prod"  # the BigQuery target of profiles.yml.example


def _is_hh_mm(text: str) -> bool:
    hour, _, minute = text.partition(":")
    return hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60


def config_from_args(args: argparse.Namespace) -> BacktestConfig:
    """The backtest's configuration from the command line (both engines)."""
    from nba_props.backtest.config import BacktestConfig  # deferred: loads the worker

    return BacktestConfig(
        season=args.season, markets=tuple(args.markets), systems=tuple(args.systems),
        start=args.start, end=args.end, retrain_every_days=args.retrain_every,
        edge_threshold=args.edge_threshold, line_as_of=args.line_as_of,
        warmup_days=args.warmup_days, seed=args.seed, devig_method=args.devig,
        calibration=args.calibration, train_at_lead=not args.train_on_closing,
    )


def _run(args: argparse.Namespace, config: BacktestConfig) -> BacktestResult:
    # Deferred on purpose (see the module docstring): the command's own libraries.
    grade = not args.no_grade
    if args.target == "bigquery":
        from nba_props.backtest.bigquery_run import backtest_bigquery

        return backtest_bigquery(config, dbt_target=args.dbt_target, grade=grade)
    from nba_props.backtest.config import default_report_dir
    from nba_props.backtest.runner import run_backtest

    out = args.out or default_report_dir(config.season, config.markets)
    return run_backtest(Path(args.database), config, out if grade else None, grade=grade)


def cmd_backtest(args: argparse.Namespace) -> int:
    if args.line_as_of != "closing" and not _is_hh_mm(args.line_as_of):
        print(f"backtest: --line-as-of must be 'closing' or HH:MM, not {args.line_as_of!r}")
        return 2
    try:
        result = _run(args, config_from_args(args))
    except ValueError as exc:  # no dates with lines in the window, bad --line-as-of
        print(f"backtest: {exc}")
        return 2
    from nba_props.backtest.report import data_origin  # loaded by the runner already

    written = sum(r.predictions_written for r in result.dates)
    # The DuckDB warehouse's load manifest says whether the data is the synthetic demo's.
    origin = data_origin(args.database) if args.target == "duckdb" else None
    if origin:
        print(f"== backtest on {origin}: the numbers below say nothing about real markets ==")
    print(f"backtest {args.season} {', '.join(result.config.markets)}: {len(result.dates)} dates, "
          f"{written:,} predictions, {result.seconds:.0f} s")
    for s in result.summary:
        line = (f"  {s['market']:<24} {s['system']:<26} MAE {s['mae']:.3f}  line MAE "
                f"{s['line_mae']:.3f}")
        if s.get("brier_skill") is not None and s["brier_skill"] == s["brier_skill"]:
            line += f"  Brier skill {s['brier_skill']:+.4f}"
        if s["plays"]:
            line += f"  plays {s['plays']:>5}  hit {s['hit_rate']:.3f}  ROI {s['roi']:+.3f}"
        print(line)
    if result.report_path:
        print(f"report: {result.report_path} (and report.html beside it)")
    elif args.target == "bigquery" and not args.no_grade:
        print(f"graded on BigQuery (dbt target {args.dbt_target}): {PREDICTION_ACCURACY}; "
              "the HTML report is written from DuckDB only")
    if result.grading is not None and not result.grading.success:
        print(f"backtest: grading failed: {result.grading.exception or 'see dbt output'}")
        return 1
    return 0


def add_backtest_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("backtest", help="walk-forward backtest over a season, with a report")
    parser.add_argument("--season", required=True, help="e.g. 2024-25")
    parser.add_argument("--start", type=parse_date, default=None,
                        help="first date (default: warm-up)")
    parser.add_argument("--end", type=parse_date, default=None)
    parser.add_argument("--warmup-days", type=int, default=21,
                        help="days after the season's first game before the first prediction")
    parser.add_argument("--line-as-of", default="closing",
                        help="'closing' (default) or HH:MM UTC on the game date")
    parser.add_argument("--train-on-closing", action="store_true",
                        help="with --line-as-of HH:MM: train on closing lines (default: on the "
                        "lines and context valid at HH:MM of each training game's date)")
    parser.add_argument("--out", type=Path, default=None, help="report folder")
    parser.add_argument("--no-grade", action="store_true",
                        help="only write predictions (no dbt grading, no report)")
    parser.add_argument("--dbt-target", default=DEFAULT_DBT_TARGET,
                        help="with --target bigquery: the dbt target that grades "
                        f"(default {DEFAULT_DBT_TARGET})")
    add_worker_arguments(parser)
    parser.set_defaults(func=cmd_backtest)
    return parser
