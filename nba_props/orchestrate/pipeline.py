"""The local pipeline behind `make run`: demo data -> loader -> dbt build -> summary."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from nba_props.demo import generate_demo
from nba_props.load import DuckDBLoader, LoadResult
from nba_props.monitoring import elementary
from nba_props.orchestrate.dbt import DbtError, DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import (
    RUN_ID_ENV,
    DuckDBExecutionLog,
    current_run_id,
    load_files,
)
from nba_props.orchestrate.reference import write_player_registry
from nba_props.orchestrate.summary import RunSummary, summarize
from nba_props.predict.service import predict
from nba_props.relations import GAMES

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


# The last played days of the regular season and the scheduled ones (? = played days).
RECENT_DAYS_SQL = (
    "with days as (select distinct game_date, game_status"  # noqa: S608 - constant relation
    f" from {GAMES}"
    " where game_status in ('final', 'scheduled') and game_type = 'regular_season'),"
    " ranked as (select *, row_number() over (partition by game_status"
    " order by game_date desc) as recency from days)"
    " select game_date from ranked"
    " where game_status = 'scheduled' or recency <= ? order by game_date"
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
    with duckdb.connect(str(database), read_only=True) as con:
        days = [r[0] for r in con.execute(
            RECENT_DAYS_SQL,
            [played_days],
        ).fetchall()]
    written: dict[str, int] = {}
    for day in days:
        result = predict(database, day)
        written[day.isoformat()] = result.predictions_written
    return written


def _check_elementary(dbt_args: Sequence[str]) -> None:
    if not elementary.is_installed():
        raise DbtError(
            f"--elementary: Elementary {elementary.ELEMENTARY_VERSION} is not installed in "
            "dbt_packages/ (run make elementary-on)"
        )
    if any(a == "--vars" or a.startswith("--vars=") for a in dbt_args):
        raise DbtError("--elementary sets dbt's --vars itself (elementary_enabled, "
                       "custom_run_started_at): drop --vars from the dbt arguments")


def elementary_clock(database: Path, dbt_args: Sequence[str] = ()) -> list[str]:
    """The dbt arguments of a demo build with Elementary on: its anomaly tests enabled, on
    the demo's clock. Elementary's buckets end at ``custom_run_started_at`` (the wall clock
    by default), months after the demo season ends: every window would be empty and every
    anomaly test would pass on nothing. So the demo's raw rows are stamped as a daily
    pipeline would have loaded them, and the clock is set to the demo's "today" (the day
    after its last game, at noon): nba_props.monitoring.elementary.set_demo_clock."""
    clock = elementary.set_demo_clock(database)
    log.info(
        "Elementary on the demo's clock: custom_run_started_at %s; raw rows stamped as "
        "daily loads: %s", clock.as_of.isoformat(),
        ", ".join(f"{t} {n:,}" for t, n in clock.stamped.items()),
    )
    args = ["--vars", elementary.dbt_vars(clock.as_of)]
    if clock.rebuild_staging and "--full-refresh" not in dbt_args:
        log.info("staging built on wall-clock load times, rebuilt once (--full-refresh): %s",
                 ", ".join(clock.rebuild_staging))
        args.append("--full-refresh")
    return args


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
    elementary: bool = False,
) -> PipelineResult:
    """Generate (deterministic) demo data, load it, build every model and test.

    ``elementary`` (``nba-props run --elementary``; ``make run`` passes it once ``make
    elementary-on`` has installed the package): the anomaly tests run, on the demo's clock
    (``elementary_clock``)."""

    if elementary:
        _check_elementary(dbt_args)
    demo = generate_demo(landing_dir / "synthetic", seasons=seasons)
    files: dict[str, list[Path]] = {k: list(v) for k, v in demo.files.items()}
    files.setdefault("nbacom_players", []).append(write_player_registry(landing_dir))
    for raw_table, extra in (extra_files or {}).items():
        files.setdefault(raw_table, []).extend(extra)
    run_id = current_run_id(run_id)  # the loads and dbt's hooks log the same run id
    loads = load_all(database, files, run_id=run_id)
    env = {RUN_ID_ENV: run_id}
    build_args = [*dbt_args]
    if elementary:
        build_args += elementary_clock(database, dbt_args)
    outcome = run_dbt(["build", *build_args], database=database, env=env, raise_on_failure=False)
    predictions: dict[str, int] = {}
    if outcome.success:
        predictions = predict_recent_days(database)
        grading = run_dbt(["build", "--select", "source:nba_predictions+"], database=database,
                          env=env, raise_on_failure=False)
        outcome.nodes += grading.nodes
        outcome.success = grading.success
        outcome.exception = grading.exception
    # dbt source freshness compares _loaded_at with the wall clock; on the demo clock the
    # loads are stamped on the demo's days, months ago, and Elementary's freshness
    # anomalies judge them instead (the summary says "not checked").
    freshness = None
    if not elementary:
        freshness = run_dbt(["source", "freshness"], database=database, env=env,
                            raise_on_failure=False)
    summary = summarize(database, outcome, data_label="SYNTHETIC demo data", freshness=freshness)
    return PipelineResult(loads, outcome, summary, predictions)
