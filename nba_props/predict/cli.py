"""`nba-props predict`: argparse wiring, and the arguments it shares with `backtest`.

cli.main calls ``args.func(args)``, which returns the exit code. The work is done by
nba_props.predict.service.predict (DuckDB) or nba_props.predict.bigquery_run (``--target
bigquery``: settings from NBA_PROPS_BQ_*, job rows to BigQuery's processor_execution_log).
Both are imported when the command runs: they load duckdb, LightGBM and scipy (seconds),
and the parsers are built at start from nba_props.predict.options without them.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from nba_props.predict.options import (
    CALIBRATION_METHODS,
    DEVIG_METHODS,
    ENV_DIR,
    ENV_REUSE,
    GCS_SCHEME,
    SYSTEM_IDS,
)

DEFAULT_DATABASE = Path("data/nba_props.duckdb")


def model_location(text: str) -> Path | str:
    """A folder, or a gs:// prefix kept as text (Path would fold its '//')."""
    return text if text.startswith(GCS_SCHEME) else Path(text)


def parse_date(text: str) -> date:
    return date.fromisoformat(text)


def parse_timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the ML worker, shared by `predict` and `backtest`."""
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
        devig_method=args.devig, calibration=args.calibration,
    )
    # Deferred on purpose (see the module docstring): the command's own libraries.
    if args.target == "bigquery":
        from nba_props.predict.bigquery_run import BigQueryRun, predict_logged

        result = predict_logged(BigQueryRun(), args.date, "nba-props predict",
                                database=args.database, **options)
    else:
        from nba_props.predict.service import predict

        result = predict(args.database, args.date, **options)
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


def add_predict_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("predict", help="predict one date with every system (ML worker)")
    parser.add_argument("--date", type=parse_date, required=True, help="game date, YYYY-MM-DD")
    parser.add_argument("--as-of", type=parse_timestamp, default=None,
                        help="prediction time, ISO (UTC if no offset); default: now")
    parser.add_argument("--model-dir", type=model_location, default=None,
                        help=f"where fitted models are kept: a folder or gs://bucket/prefix "
                        f"(default: env {ENV_DIR}, else models/ beside the database)")
    parser.add_argument("--no-model-cache", action="store_true",
                        help=f"always fit the models, save none (also env {ENV_REUSE}=0)")
    add_worker_arguments(parser)
    parser.set_defaults(func=cmd_predict)
    return parser
