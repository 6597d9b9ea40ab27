"""`nba-props predict` and `nba-props backtest`: functions and argparse wiring.

Wire them into nba_props/cli.py's build_parser():

    from nba_props.predict.cli_commands import add_backtest_parser, add_predict_parser
    add_predict_parser(sub)
    add_backtest_parser(sub)

Each sub-parser sets `func`, which returns the exit code (cli.main calls args.func(args)).
With ``--target bigquery`` both run on BigQuery (nba_props.predict.bigquery_run, imported
only then): settings from NBA_PROPS_BQ_*, job rows to BigQuery's processor_execution_log;
backtest grades with dbt on ``--dbt-target`` (default prod) and prints the summary.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from nba_props.predict.options import (
    CALIBRATION_METHODS,
    DEVIG_METHODS,
    ENV_DIR,
    ENV_REUSE,
    GCS_SCHEME,
    SYSTEM_IDS,
)

if TYPE_CHECKING:
    from nba_props.predict.worker import DateResult

log = logging.getLogger(__name__)

DEFAULT_DATABASE = Path("data/nba_props.duckdb")
DEFAULT_DBT_TARGET = "prod"  # the BigQuery target of profiles.yml.example


def predict(
    database: Path,
    game_date: date,
    *,
    as_of: datetime | None = None,
    markets: Sequence[str] = (),
    systems: Sequence[str] = (),
    edge_threshold: float = 0.04,
    retrain_every_days: int | None = None,
    seed: int = 42,
    model_dir: Path | str | None = None,
    reuse_models: bool | None = None,
    devig_method: str = "power",
    calibration: str = "platt",
) -> DateResult:
    """Predict one date (live run mode) and write the predictions; returns what was done.

    as_of is the prediction time (UTC): the lines valid then are used (default: now).
    Fitted models are saved to model_dir (default: env NBA_PROPS_MODEL_DIR, else models/
    beside the database) and reused by later runs with the same training set;
    reuse_models=False (or env NBA_PROPS_MODEL_REUSE=0) always fits and saves nothing.
    """
    # Deferred on purpose: the worker loads LightGBM and scipy (seconds); the CLI builds
    # its parsers from nba_props.predict.options without them.
    import duckdb

    from nba_props.predict.model_store import live_store
    from nba_props.predict.settings import (
        PredictSettings,
        default_retrain_days,
        default_training_days,
    )
    from nba_props.predict.worker import PredictionWorker

    settings = PredictSettings(
        markets=tuple(markets), systems=tuple(systems), run_mode="live",
        edge_threshold=edge_threshold, seed=seed,
        retrain_every_days=retrain_every_days or default_retrain_days(),
        training_days=default_training_days(), devig_method=devig_method,
        calibration=calibration,
    )
    with duckdb.connect(str(database)) as con:
        worker = PredictionWorker(con, settings,
                                  model_store=live_store(database, model_dir, reuse_models))
        return worker.predict_date(game_date, as_of or datetime.now(UTC).replace(tzinfo=None))


def backtest(
    database: Path,
    season: str,
    markets: Sequence[str],
    *,
    out_dir: Path | None = None,
    systems: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    retrain_every_days: int | None = None,
    edge_threshold: float = 0.04,
    line_as_of: str = "closing",
    warmup_days: int = 21,
    seed: int = 42,
    grade: bool = True,
    devig_method: str = "power",
    calibration: str = "platt",
    train_at_lead: bool = True,
):
    """Walk-forward backtest over a season; writes report.md/report.html + PNGs to out_dir."""
    from nba_props.backtest import BacktestConfig, run_backtest

    config = BacktestConfig(
        season=season, markets=tuple(markets), systems=tuple(systems), start=start, end=end,
        retrain_every_days=retrain_every_days, edge_threshold=edge_threshold,
        line_as_of=line_as_of, warmup_days=warmup_days, seed=seed, devig_method=devig_method,
        calibration=calibration, train_at_lead=train_at_lead,
    )
    out = out_dir or Path("reports") / f"backtest_{season}_{'_'.join(markets) or 'all_markets'}"
    return run_backtest(Path(database), config, out if grade else None, grade=grade)


def _is_hh_mm(text: str) -> bool:
    hour, _, minute = text.partition(":")
    return hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60


def _model_location(text: str) -> Path | str:
    """A folder, or a gs:// prefix kept as text (Path would fold its '//')."""
    return text if text.startswith(GCS_SCHEME) else Path(text)


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--market", dest="markets", action="append", default=[],
                        help="prop market (repeat); default: every market of prop_markets")
    parser.add_argument("--system", dest="systems", action="append", default=[],
                        choices=SYSTEM_IDS, help="prediction system (repeat); default: all")
    parser.add_argument("--edge-threshold", type=float, default=0.04,
                        help="probability edge over break-even needed for OVER/UNDER")
    parser.add_argument("--retrain-every", type=int, default=None, metavar="DAYS",
                        help="walk-forward cadence (default: var ml_retrain_cadence_days)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--devig", choices=DEVIG_METHODS, default="power",
                        help="how the market's fair probability is read from a price")
    parser.add_argument("--calibration", choices=CALIBRATION_METHODS, default="platt",
                        help="recalibration of P(over) per market on held-out predictions")
    parser.add_argument("--target", choices=["duckdb", "bigquery"], default="duckdb",
                        help="warehouse: duckdb (--database), or bigquery (NBA_PROPS_BQ_*)")


def cmd_predict(args: argparse.Namespace) -> int:
    options = dict(
        as_of=args.as_of, markets=args.markets, systems=args.systems,
        edge_threshold=args.edge_threshold, retrain_every_days=args.retrain_every,
        seed=args.seed, model_dir=args.model_dir,
        reuse_models=False if args.no_model_cache else None,
    )
    if args.target == "bigquery":
        from nba_props.predict.bigquery_run import BigQueryRun, predict_logged

        result = predict_logged(BigQueryRun(), args.date, "nba-props predict",
                                database=args.database, **options, devig_method=args.devig,
                                calibration=args.calibration)
    else:
        result = predict(args.database, args.date, **options, devig_method=args.devig,
                         calibration=args.calibration)
    if result.skipped_reason:
        print(f"{result.game_date}: no predictions ({result.skipped_reason})")
        return 0 if result.skipped_reason == "no lines" else 1
    print(f"{result.game_date}: {result.rows_read} player-markets with a line at "
          f"{result.as_of:%Y-%m-%d %H:%M} UTC -> {result.predictions_written} predictions "
          f"(models {'reused' if result.models_reused else 'trained'} on games before "
          f"{result.training_cutoff})")
    for system_id, version in sorted(result.model_versions.items()):
        print(f"  {system_id:<18} {version}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    if args.line_as_of != "closing" and not _is_hh_mm(args.line_as_of):
        print(f"backtest: --line-as-of must be 'closing' or HH:MM, not {args.line_as_of!r}")
        return 2
    try:
        if args.target == "bigquery":
            result = _backtest_bigquery(args)
        else:
            result = backtest(
                args.database, args.season, args.markets, out_dir=args.out,
                systems=args.systems, start=args.start, end=args.end,
                retrain_every_days=args.retrain_every, edge_threshold=args.edge_threshold,
                line_as_of=args.line_as_of, warmup_days=args.warmup_days, seed=args.seed,
                grade=not args.no_grade, devig_method=args.devig,
                calibration=args.calibration, train_at_lead=not args.train_on_closing,
            )
    except ValueError as exc:  # no dates with lines in the window, bad --line-as-of
        print(f"backtest: {exc}")
        return 2
    from nba_props.backtest.report import data_origin

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
        print(f"graded on BigQuery (dbt target {args.dbt_target}): nba_predictions."
              "prediction_accuracy; the HTML report is written from DuckDB only")
    if result.grading is not None and not result.grading.success:
        print(f"backtest: grading failed: {result.grading.exception or 'see dbt output'}")
        return 1
    return 0


def _backtest_bigquery(args: argparse.Namespace):
    from nba_props.backtest import BacktestConfig
    from nba_props.predict.bigquery_run import backtest_bigquery

    config = BacktestConfig(
        season=args.season, markets=tuple(args.markets), systems=tuple(args.systems),
        start=args.start, end=args.end, retrain_every_days=args.retrain_every,
        edge_threshold=args.edge_threshold, line_as_of=args.line_as_of,
        warmup_days=args.warmup_days, seed=args.seed, devig_method=args.devig,
        calibration=args.calibration, train_at_lead=not args.train_on_closing,
    )
    return backtest_bigquery(config, dbt_target=args.dbt_target, grade=not args.no_grade)


def add_predict_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("predict", help="predict one date with every system (ML worker)")
    parser.add_argument("--date", type=_date, required=True, help="game date, YYYY-MM-DD")
    parser.add_argument("--as-of", type=_timestamp, default=None,
                        help="prediction time, ISO (UTC if no offset); default: now")
    parser.add_argument("--model-dir", type=_model_location, default=None,
                        help=f"where fitted models are kept: a folder or gs://bucket/prefix "
                        f"(default: env {ENV_DIR}, else models/ beside the database)")
    parser.add_argument("--no-model-cache", action="store_true",
                        help=f"always fit the models, save none (also env {ENV_REUSE}=0)")
    _common(parser)
    parser.set_defaults(func=cmd_predict)
    return parser


def add_backtest_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("backtest", help="walk-forward backtest over a season, with a report")
    parser.add_argument("--season", required=True, help="e.g. 2024-25")
    parser.add_argument("--start", type=_date, default=None, help="first date (default: warm-up)")
    parser.add_argument("--end", type=_date, default=None)
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
    _common(parser)
    parser.set_defaults(func=cmd_backtest)
    return parser
