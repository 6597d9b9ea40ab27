"""The local pipeline behind `make run`: demo data -> loader -> dbt build -> summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nba_props.load import DuckDBLoader, LoadResult
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import (
    RUN_ID_ENV,
    DuckDBExecutionLog,
    current_run_id,
    load_files,
)
from nba_props.orchestrate.reference import write_player_registry
from nba_props.orchestrate.summary import RunSummary, summarize

log = logging.getLogger(__name__)

# Load order: the registry first, then facts; the order does not change the result.
LOAD_ORDER = (
    "nbacom_players",
    "player_aliases",
    "nbacom_schedule",
    "nbacom_team_game_logs",
    "nbacom_player_game_logs",
    "nbacom_shot_detail",
    "nbacom_injury_report",
    "odds_api_game_lines",
    "odds_api_player_props",
)


@dataclass
class PipelineResult:
    loads: list[LoadResult]
    dbt: DbtOutcome
    summary: RunSummary
    predictions: dict[str, int]


def predict_recent_days(database: Path, played_days: int = 7) -> dict[str, int]:
    """Predict the last played days (graded at once) and the upcoming ones (pending).

    Each date uses models trained only on games before it (walk-forward), one feature
    query per date, one batched write; re-running replaces the same rows.
    """
    import duckdb

    from nba_props.predict.cli_commands import predict

    with duckdb.connect(str(database), read_only=True) as con:
        days = [r[0] for r in con.execute(
            "with days as (select distinct game_date, game_status"
            " from nba_intermediate.int_games_unified"
            " where game_status in ('final', 'scheduled') and game_type = 'regular_season'),"
            " ranked as (select *, row_number() over (partition by game_status"
            " order by game_date desc) as recency from days)"
            " select game_date from ranked"
            " where game_status = 'scheduled' or recency <= ? order by game_date",
            [played_days],
        ).fetchall()]
    written: dict[str, int] = {}
    for day in days:
        result = predict(database, day)
        written[day.isoformat()] = result.predictions_written
    return written


def load_all(
    database: Path, files: Mapping[str, Sequence[Path]], run_id: str | None = None
) -> list[LoadResult]:
    loader = DuckDBLoader(database, run_id=run_id)
    execution_log = DuckDBExecutionLog(database)  # one processor_execution_log row per file
    results: list[LoadResult] = []
    for raw_table in sorted(files, key=lambda t: LOAD_ORDER.index(t) if t in LOAD_ORDER else 99):
        if files[raw_table]:
            results += load_files(loader, raw_table, files[raw_table], execution_log)
    return results


def run_local_pipeline(
    database: Path,
    landing_dir: Path,
    *,
    seasons: int = 1,
    extra_files: Mapping[str, Sequence[Path]] | None = None,
    dbt_args: Sequence[str] = (),
    run_id: str | None = None,
) -> PipelineResult:
    """Generate (deterministic) demo data, load it, build every model and test."""
    from nba_props.demo import generate_demo  # numpy-heavy: import only when used

    demo = generate_demo(landing_dir / "synthetic", seasons=seasons)
    files: dict[str, list[Path]] = {k: list(v) for k, v in demo.files.items()}
    files.setdefault("nbacom_players", []).append(write_player_registry(landing_dir))
    for raw_table, extra in (extra_files or {}).items():
        files.setdefault(raw_table, []).extend(extra)
    run_id = current_run_id(run_id)  # the loads and dbt's hooks log the same run id
    loads = load_all(database, files, run_id=run_id)
    env = {RUN_ID_ENV: run_id}
    outcome = run_dbt(["build", *dbt_args], database=database, env=env, raise_on_failure=False)
    predictions: dict[str, int] = {}
    if outcome.success:
        predictions = predict_recent_days(database)
        grading = run_dbt(["build", "--select", "source:nba_predictions+"], database=database,
                          env=env, raise_on_failure=False)
        outcome.nodes += grading.nodes
        outcome.success = grading.success
        outcome.exception = grading.exception
    freshness = run_dbt(["source", "freshness"], database=database, env=env, raise_on_failure=False)
    summary = summarize(database, outcome, data_label="SYNTHETIC demo data", freshness=freshness)
    return PipelineResult(loads, outcome, summary, predictions)
