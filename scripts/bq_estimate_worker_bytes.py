"""Estimate what the ML worker's queries bill on BigQuery for one date (and a backtest day).

    .venv/bin/python scripts/bq_estimate_worker_bytes.py --duckdb data/bq_duck.duckdb \
        --date 2025-01-15 [--markets player_points player_threes]

Input: a DuckDB file built from the real data (the rows BigQuery would hold). The worker
really runs on it for the date (so the predictions written are real), then each BigQuery
statement of nba_props.predict.bigquery_io is priced with the model of
scripts/bq_estimate_bytes.py: the logical bytes of the columns a query references in the
partitions it reads (INT64, FLOAT64, DATE, TIMESTAMP 8 bytes, BOOL 1, STRING 2 + UTF-8
bytes), and at least 10 MB per table referenced. Load jobs are free. Check against BigQuery
with a dry run: nba_props.warehouse.bigquery.dry_run_bytes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nba_props.predict.contract import QUALIFIED_TABLE  # noqa: E402
from nba_props.predict.settings import PredictSettings, default_training_days  # noqa: E402
from nba_props.predict.worker import PredictionWorker, closing_as_of  # noqa: E402
from nba_props.relations import FEATURE_STORE, PREFERRED_LINES  # noqa: E402

MIN_PER_TABLE = 10 * 1024 * 1024
FIXED = {"BIGINT": 8, "INTEGER": 8, "DOUBLE": 8, "FLOAT": 8, "DATE": 8, "TIMESTAMP": 8,
         "TIMESTAMP WITH TIME ZONE": 8, "BOOLEAN": 1, "DECIMAL": 16, "HUGEINT": 16}
LINE_COLUMNS = ("game_id", "player_id", "market", "line", "consensus_line", "n_books",
                "bookmaker", "over_odds", "under_odds", "line_timestamp", "valid_from",
                "valid_to", "game_date")
TRAINING_LINE_COLUMNS = ("game_id", "player_id", "market", "line", "consensus_line",
                         "n_books", "over_odds", "under_odds", "is_closing")


def logical_bytes(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str] | None,
                  where: str = "true", params: list[object] | None = None) -> int:
    """BigQuery logical bytes of ``columns`` (None: all) of the rows matching ``where``."""
    schema, table = relation.split(".")
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ?", [schema, table]).fetchall())
    names = list(types) if columns is None else [c for c in columns if c in types]
    parts = []
    for name in names:
        base = re.sub(r"\(.*\)", "", types[name]).upper()
        if base in FIXED:
            parts.append(f"{FIXED[base]} * count(*)")
        else:
            parts.append(f'coalesce(sum(2 + strlen(cast("{name}" as varchar))), 0)')
    sql = f"select {' + '.join(parts) or '0'} from {relation} where {where}"  # noqa: S608
    return int(con.execute(sql, params or []).fetchone()[0])


def billed(*tables: int) -> int:
    return max(MIN_PER_TABLE, sum(max(MIN_PER_TABLE, t) for t in tables))


def mb(n: float) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", type=Path, required=True)
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--markets", nargs="*", default=[])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "wh.duckdb"
        shutil.copyfile(args.duckdb, copy)  # the worker writes predictions: not to the input
        with duckdb.connect(str(copy)) as con:
            settings = PredictSettings(markets=tuple(args.markets),
                                       training_days=default_training_days())
            result = PredictionWorker(con, settings, run_id="estimate").predict_date(
                args.date, closing_as_of(args.date))
            cutoff = settings.training_cutoff(args.date)
            since = (cutoff - timedelta(days=settings.training_days)
                     if settings.training_days else date(1900, 1, 1))
            day = [args.date]
            features_day = logical_bytes(con, FEATURE_STORE, None, "game_date = ?", day)
            lines_day = logical_bytes(con, PREFERRED_LINES, list(LINE_COLUMNS),
                                      "game_date = ?", day)
            features_hist = logical_bytes(con, FEATURE_STORE, None,
                                          "game_date < ? and game_date >= ?", [cutoff, since])
            outcomes = logical_bytes(con, "nba_analytics.player_game_summary", None)
            lines_all = logical_bytes(con, PREFERRED_LINES, list(TRAINING_LINE_COLUMNS))
            predictions = logical_bytes(con, QUALIFIED_TABLE, None, "game_date = ?", day)
    rows = [
        ("markets (prop_markets seed)", 1, billed(1)),
        ("read the date: features + line at prediction time (1 partition each)",
         features_day + lines_day, billed(features_day, lines_day)),
        ("training read (new cut-off only): features before the cut-off, outcomes, "
         "closing lines", features_hist + outcomes + lines_all,
         billed(features_hist, outcomes, lines_all)),
        ("load job into the staging table", 0, 0),
        ("MERGE: staging table + the date's partition of the target",
         2 * predictions, billed(predictions, predictions)),
    ]
    print(f"{args.date}: {result.rows_read} player-markets read, "
          f"{result.predictions_written} predictions, cut-off {cutoff}")
    print("| step | scanned | billed |\n|---|---:|---:|")
    for name, scanned, bill in rows:
        print(f"| {name} | {mb(scanned)} | {mb(bill)} |")
    day_total = sum(r[2] for r in rows if not r[0].startswith("training"))
    print(f"one date without retraining: {mb(day_total)} billed; "
          f"with retraining: {mb(day_total + rows[2][2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
