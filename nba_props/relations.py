"""Every warehouse relation the Python shell reads or writes, named once.

``schema.table`` on DuckDB; on BigQuery the schema is the dataset of the same name (the
BigQuery code qualifies it with the project). The dbt project owns the marts: a rename
there is one line here. Raw table columns live in ``nba_props.contracts``; the predictions
table's and the run log's columns in ``nba_props.predict.contract`` and
``nba_props.orchestrate.execution_log``, which take their table names from here. No
imports: any module may import this one at no cost.
"""

from __future__ import annotations

# Schemas (BigQuery datasets).
RAW = "nba_raw"
MONITORING = "nba_monitoring"
PREDICTIONS = "nba_predictions"
ANALYTICS = "nba_analytics"
PRECOMPUTE = "nba_precompute"
REFERENCE = "nba_reference"
# The datasets of the marts consumers read (`make run`'s summary lists them).
MART_SCHEMAS = (ANALYTICS, PRECOMPUTE, PREDICTIONS, REFERENCE, MONITORING)


def qualified(schema: str, table: str) -> str:
    return f"{schema}.{table}"


# Raw: the loader's bookkeeping (beside every raw table) and the raw tables Python reads.
LOAD_MANIFEST_TABLE = "_load_manifest"
REJECTED_ROWS_TABLE = "_rejected_rows"
LOAD_MANIFEST = qualified(RAW, LOAD_MANIFEST_TABLE)
REJECTED_ROWS = qualified(RAW, REJECTED_ROWS_TABLE)
RAW_PLAYER_GAME_LOGS = qualified(RAW, "nbacom_player_game_logs")
RAW_SHOT_DETAIL = qualified(RAW, "nbacom_shot_detail")
RAW_SCHEDULE = qualified(RAW, "nbacom_schedule")

# Marts the ML workers read.
FEATURE_STORE = qualified(PRECOMPUTE, "ml_feature_store_v2")
PREFERRED_LINES = qualified(REFERENCE, "player_prop_lines_preferred")
PROP_MARKETS = qualified(REFERENCE, "prop_markets")
# Versions of the game line and of each player's injury status, joined at prediction time.
GAME_LINE_VERSIONS = qualified(REFERENCE, "game_lines_preferred")
INJURY_VERSIONS = qualified(PRECOMPUTE, "injury_status_versioned")
PLAYER_GAME_SUMMARY = qualified(ANALYTICS, "player_game_summary")

# Contracted marts over the games and the outcomes (views of the intermediate models, so
# Python never reads an intermediate model by name).
PROP_OUTCOMES = qualified(ANALYTICS, "prop_outcomes")
GAMES = qualified(ANALYTICS, "games")

# Predictions: the table the workers write, and the grading mart the backtest reads.
PREDICTIONS_TABLE = "player_prop_predictions"
PREDICTIONS_RELATION = qualified(PREDICTIONS, PREDICTIONS_TABLE)
PREDICTION_ACCURACY = qualified(PREDICTIONS, "prediction_accuracy")

# Monitoring.
EXECUTION_LOG_TABLE = "processor_execution_log"
EXECUTION_LOG = qualified(MONITORING, EXECUTION_LOG_TABLE)
PREDICTION_COVERAGE = qualified(MONITORING, "prediction_coverage")
PREDICTION_COVERAGE_SLO = qualified(MONITORING, "prediction_coverage_slo")
PIPELINE_COST_DAILY = qualified(MONITORING, "pipeline_cost_daily")
DATA_QUALITY_SUMMARY = qualified(MONITORING, "data_quality_summary_mv")
GAME_BOX_SCORE_COMPLETENESS = qualified(MONITORING, "game_box_score_completeness")
RAW_DUPLICATE_ROWS = qualified(MONITORING, "raw_duplicate_rows")
UNRESOLVED_ENTITIES = qualified(REFERENCE, "unresolved_entities")
