"""The contract of ``nba_predictions.player_prop_predictions``, the table the ML workers write.

One list of columns, used to create the table (idempotently) and to write it: the one
source of truth. ``python -m nba_props.schemas generate`` writes from it the dbt source
``nba_predictions.player_prop_predictions`` (columns, types, descriptions) and the table's
columns and BigQuery layout in ``macros/schemas/table_schemas.sql``, which the on-run-start
hook ``create_predictions_source`` creates the table from; ``make lint`` checks they agree.
dbt enforces the contract through the contracted staging view
``stg_nba_predictions__player_prop_predictions``.
"""

from __future__ import annotations

import pyarrow as pa

from nba_props.relations import PREDICTIONS, PREDICTIONS_TABLE
from nba_props.schemas.table import SchemaColumn, TableSchema
from nba_props.schemas.types import BIGINT, DATE, DOUBLE, TIMESTAMP, VARCHAR

# The names are nba_props.relations' (the one module of relation names).
SCHEMA = PREDICTIONS
TABLE = PREDICTIONS_TABLE
QUALIFIED_TABLE = f"{SCHEMA}.{TABLE}"

RECOMMENDATIONS = ("OVER", "UNDER", "PASS")
RUN_MODES = ("live", "backtest")

_ARROW_TYPES = {
    VARCHAR: pa.string(),
    BIGINT: pa.int64(),
    DOUBLE: pa.float64(),
    DATE: pa.date32(),
    TIMESTAMP: pa.timestamp("us"),
}
def arrow_type(column: SchemaColumn) -> pa.DataType:
    return _ARROW_TYPES[column.type]


def _col(name: str, typ: str, description: str, nullable: bool = False) -> SchemaColumn:
    return SchemaColumn(name, typ, description, nullable)


# The contract: name, logical type, description, nullable (default: not null).
PREDICTION_COLUMNS: tuple[SchemaColumn, ...] = (
    _col("prediction_id", VARCHAR,
         "Deterministic id: sha256 of (run mode, system, system version, game, player, market)."),
    _col("run_mode", VARCHAR, "live (nba-props predict) or backtest (nba-props backtest)."),
    _col("system_id", VARCHAR,
         "Prediction system: moving_average, gradient_boosting, similarity or ensemble."),
    _col("system_version", VARCHAR,
         "Version of the system's code and settings; a re-run replaces its rows of the date."),
    _col("model_version", VARCHAR,
         "The trained model: system version, feature version, training cut-off, seed, digest."),
    _col("feature_version", VARCHAR, "Version of the ml_feature_store_v2 feature vector read."),
    _col("game_id", VARCHAR, "NBA.com game id."),
    _col("game_date", DATE, "Game date (US)."),
    _col("player_id", BIGINT, "NBA.com player id."),
    _col("market", VARCHAR, "Prop market (prop_markets seed)."),
    _col("predicted_value", DOUBLE, "Predicted stat value (>= 0)."),
    _col("prob_over", DOUBLE, "Predicted probability that the stat ends above the line."),
    _col("prob_under", DOUBLE, "Predicted probability that the stat ends below the line."),
    _col("confidence", DOUBLE,
         "0-100: the predicted probability (x100) of the side the prediction leans to."),
    _col("edge", DOUBLE,
         "Probability edge of the recommended side (or the better side for PASS) over the "
         "break-even probability of its odds."),
    _col("recommendation", VARCHAR, "OVER, UNDER or PASS (edge below the threshold)."),
    _col("edge_threshold", DOUBLE, "The edge a play needed when this prediction was made."),
    _col("line", DOUBLE, "The line used: the preferred book's line at prediction time."),
    _col("consensus_line", DOUBLE, "Median line across books at prediction time.", True),
    _col("bookmaker", VARCHAR, "Book of the line used."),
    _col("over_odds", DOUBLE, "American odds of the over at that book.", True),
    _col("under_odds", DOUBLE, "American odds of the under at that book.", True),
    _col("line_timestamp", TIMESTAMP, "When the line used was known (UTC)."),
    _col("prediction_as_of", TIMESTAMP,
         "The prediction time (UTC): lines valid at this moment were used, none later."),
    _col("training_cutoff_date", DATE,
         "The model was trained on games strictly before this date.", True),
    _col("n_training_rows", BIGINT, "Rows the model was trained on.", True),
    _col("run_id", VARCHAR, "The worker run that wrote the row."),
    _col("created_at", TIMESTAMP, "When the row was written (UTC)."),
)

PREDICTIONS = TableSchema(
    TABLE,
    "One row per prediction: system and model version, player, game and market, the "
    "predicted value and confidence, the recommendation, and the line, book, odds and line "
    "time used. A re-run of a date replaces that date's rows of the system version (delete "
    "+ insert in one transaction), so there are never duplicates.",
    PREDICTION_COLUMNS,
)
COLUMN_NAMES: tuple[str, ...] = PREDICTIONS.column_names
# What a batch of predictions is, in memory and in the Parquet a BigQuery load job reads.
ARROW_SCHEMA = pa.schema(
    [pa.field(c.name, arrow_type(c), nullable=c.nullable) for c in PREDICTION_COLUMNS]
)
# BigQuery layout: one partition per game date (a date's re-run rewrites one partition),
# clustered by what the writer's MERGE and grading filter on.
BIGQUERY_PARTITION = "game_date"
BIGQUERY_CLUSTER = ("run_mode", "system_id", "market")


def create_table_sql(if_not_exists: bool = True) -> str:
    """DuckDB DDL of the predictions table (NOT NULL where the contract says so)."""
    cols = ",\n    ".join(
        f"{c.name} {c.duckdb_type}{'' if c.nullable else ' not null'}" for c in PREDICTION_COLUMNS
    )
    guard = "if not exists " if if_not_exists else ""
    return (
        f"create table {guard}{QUALIFIED_TABLE} (\n    {cols},\n"
        "    primary key (prediction_id)\n)"
    )


def create_table_bigquery_sql(full_table_id: str) -> str:
    """BigQuery DDL of the predictions table: the same columns, partitioned and clustered."""
    cols = ",\n    ".join(
        f"{c.name} {c.bigquery_type}{'' if c.nullable else ' not null'}"
        for c in PREDICTION_COLUMNS
    )
    return (
        f"create table if not exists `{full_table_id}` (\n    {cols}\n)\n"
        f"partition by {BIGQUERY_PARTITION}\ncluster by {', '.join(BIGQUERY_CLUSTER)}"
    )
