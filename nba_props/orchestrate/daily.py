"""`nba-props daily` and `backfill`: scrape (or replay) -> load -> dbt build -> predict -> grade.

Every step is idempotent: the loader skips content it has loaded, incremental models
replace their window, predictions replace their date. So a day can be run again, and an
interrupted backfill can be run again, without losing or duplicating anything.

Two warehouses: DuckDB (the default) and BigQuery (``warehouse="bigquery"``: the landed
files go to BigQuery's ``nba_raw`` through the BigQuery loader, the job rows to
``nba_monitoring.processor_execution_log`` there, dbt runs with a BigQuery target, and
the ML workers read and write BigQuery: nba_props.predict.bigquery_io).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from nba_props.load import DuckDBLoader, LoadResult
from nba_props.orchestrate.dbt import DbtOutcome, run_dbt
from nba_props.orchestrate.execution_log import (
    DuckDBExecutionLog,
    ExecutionLog,
    ensure_run_id,
    job,
    load_files,
)
from nba_props.orchestrate.outcome import BUILT, DONE, MISSING, NO_GAMES, PENDING
from nba_props.orchestrate.reference import reference_files
from nba_props.orchestrate.schedule import check_day, warehouse_games
from nba_props.orchestrate.scrapes import landed_warnings, require_keys, scrape_logged
from nba_props.relations import MONITORING as MONITORING_DATASET
from nba_props.scrape import find_landed

if TYPE_CHECKING:  # google-cloud-bigquery is imported only when BigQuery is used
    from nba_props.load.bigquery_loader import LoadOptions
    from nba_props.warehouse.bigquery import BigQuerySettings

log = logging.getLogger("nba_props.orchestrate")

SOURCES = ("nbacom", "odds_api")
# What grades the ML workers' predictions: built after they wrote.
GRADING = "source:nba_predictions+"
# Unit tests check the models' SQL on fixed inputs, not the day's data: `make test`, CI and a
# plain `dbt build` run them; the daily and backfill builds leave them out.
DATA_BUILD = ("build", "--exclude-resource-type", "unit_test")
KEY_ENV = {"odds_api": "ODDS_API_KEY"}
WAREHOUSES = ("duckdb", "bigquery")


class Loader(Protocol):
    """What load_files needs: DuckDBLoader and BigQueryLoader both have it."""

    run_id: str | None

    def load(self, raw_table: str, files: Iterable[Path | str]) -> list[LoadResult]: ...


DbtRunner = Callable[..., DbtOutcome]


@dataclass
class DailyConfig:
    database: Path
    landing: Path
    target: str | None = None  # dbt target; None = the profile's default (DuckDB)
    warehouse: str = "duckdb"  # where the loader and the job log write: duckdb | bigquery
    mode: str = "auto"  # auto | live | replay
    lookback_days: int = 3
    predict: bool = True
    run_id: str = field(default_factory=ensure_run_id)
    target_path: Path | None = None
    log_path: Path | None = None
    # BigQuery only: settings (None: NBA_PROPS_BQ_* from the environment), a client made
    # from them (None: made here), and how load jobs are sent (None: production's).
    bigquery: BigQuerySettings | None = None
    bigquery_client: Any = None
    load_options: LoadOptions | None = None
    # Runs one dbt command (run_dbt's signature); replaceable where dbt cannot run.
    dbt_runner: DbtRunner = run_dbt
    # Per source, extra scrape_day arguments (base_url, timeout, config): tests point the
    # scrapers at a local server.
    scrape_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.warehouse not in WAREHOUSES:
            raise ValueError(f"warehouse must be one of {WAREHOUSES}, got {self.warehouse!r}")

    @property
    def can_predict(self) -> bool:
        """Predictions on (both warehouses have a prediction writer)."""
        return self.predict


@dataclass
class StepTiming:
    step: str
    seconds: float
    detail: str = ""


@dataclass
class DayResult:
    day: date
    run_id: str
    mode: str
    loads: list[LoadResult] = field(default_factory=list)
    dbt: list[DbtOutcome] = field(default_factory=list)
    predictions: int = 0
    day_files: int = 0  # landed files for the day itself (reference files not counted)
    steps: list[StepTiming] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # steps skipped, and why
    # built | no_games | missing (outcome.py); pending while the day's build has not run
    outcome: str = PENDING
    message: str = ""  # why a day is no_games or missing, and what to do
    warnings: list[str] = field(default_factory=list)  # from the scrapes / landed runs

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.loads)

    def render(self) -> str:
        """One line for the day, then one per warning. Only a built day counts models."""
        head = f"{self.day} [{self.mode}] run {self.run_id}: "
        notes = "".join(f"; {n}" for n in self.notes)
        if self.outcome == MISSING:
            line = f"{head}FAILED, missing data: {self.message}{notes}"
        elif self.outcome == NO_GAMES:
            line = f"{head}no_games, nothing to build ({self.message}){notes}"
        else:
            line = self._render_built()
        return "\n".join([line, *(f"warning: {w}" for w in self.warnings)])

    def _render_built(self) -> str:
        models = sum(o.count("model", "success") for o in self.dbt)
        tests = [
            (
                o.count("test", "pass"),
                o.count("test", "warn"),
                o.count("test", "fail") + o.count("test", "error"),
            )
            for o in self.dbt
        ]
        passed, warned, failed = (sum(t[i] for t in tests) for i in range(3))
        steps = ", ".join(f"{s.step} {s.seconds:.1f}s" for s in self.steps)
        notes = "".join(f"; {n}" for n in self.notes)
        return (
            f"{self.day} [{self.mode}] run {self.run_id}: {self.rows_loaded:,} rows loaded, "
            f"{models} models, tests {passed} passed / {warned} warned / {failed} failed, "
            f"{self.predictions:,} predictions ({steps}){notes}"
        )


def _warehouse(cfg: DailyConfig) -> tuple[Loader, ExecutionLog]:
    """The loader and the job log of the configured warehouse."""
    if cfg.warehouse == "duckdb":
        return DuckDBLoader(cfg.database, run_id=cfg.run_id), DuckDBExecutionLog(cfg.database)
    return _bigquery_warehouse(cfg)


def _bigquery_warehouse(cfg: DailyConfig) -> tuple[Loader, ExecutionLog]:
    # Deferred: google-cloud-bigquery, only for the BigQuery warehouse.
    from google.cloud import bigquery

    from nba_props.load.bigquery_loader import BigQueryLoader
    from nba_props.orchestrate.execution_log import BigQueryExecutionLog
    from nba_props.warehouse.bigquery import BigQuerySettings, api_retry_policy, make_client

    settings = cfg.bigquery or BigQuerySettings.from_env()
    client = cfg.bigquery_client or make_client(settings)
    loader = BigQueryLoader(client, settings=settings, run_id=cfg.run_id, options=cfg.load_options)
    project = client.project or settings.project
    # The job log's dataset is a fixed dbt source (nba_monitoring on every target); dbt's
    # on-run-start hook creates it too, but the loads are logged before dbt first runs.
    dataset = bigquery.Dataset(f"{project}.{MONITORING_DATASET}")
    dataset.location = settings.location
    client.create_dataset(
        dataset,
        exists_ok=True,
        retry=api_retry_policy(settings.api_deadline_s),
        timeout=settings.api_deadline_s,
    )
    execution_log = BigQueryExecutionLog(
        client, project, MONITORING_DATASET, timeout_s=settings.job_timeout_s
    )
    return loader, execution_log


def _timed(result: DayResult, step: str, fn: Callable[[], object], detail: str = "") -> object:
    start = time.perf_counter()
    try:
        return fn()
    finally:
        result.steps.append(StepTiming(step, time.perf_counter() - start, detail))


@dataclass
class Acquired:
    """One day's files: scraped now (live) or found in the landing zone (replay)."""

    mode: str
    day_files: dict[str, list[Path]]  # the day's own files
    files: dict[str, list[Path]]  # the day's files and the reference files: what loads
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(p) for p in self.day_files.values())


def resolve_mode(cfg: DailyConfig) -> tuple[str, list[str]]:
    """live or replay, and a note when auto chose replay. Live needs every API key: without
    one it is an error (MissingSecretError) before anything is scraped, never a replay."""
    mode, notes = cfg.mode, []
    if mode == "auto":
        unset = [v for v in KEY_ENV.values() if not os.environ.get(v)]
        mode = "replay" if unset else "live"
        if unset:
            notes.append(
                f"mode auto chose replay (landed files only): {', '.join(unset)} not set; "
                "set it to scrape, or pass --mode live|replay"
            )
            log.warning("%s", notes[-1])
    if mode == "live":
        require_keys(KEY_ENV)
    return mode, notes


def acquire(day: date, cfg: DailyConfig) -> tuple[str, dict[str, list[Path]], int]:
    """The day's landed files with the reference files every run loads, and how many
    files belong to the day itself (see acquire_day, which also logs the scrapes)."""
    mode, _ = resolve_mode(cfg)
    got = acquire_day(day, cfg, mode, None, command="nba-props daily")
    return got.mode, got.files, got.count


def acquire_day(
    day: date, cfg: DailyConfig, mode: str, execution_log: ExecutionLog | None, *, command: str
) -> Acquired:
    if mode == "replay":
        day_files = find_landed(cfg.landing, day)
        warnings = landed_warnings(p for paths in day_files.values() for p in paths)
    else:
        day_files, warnings = _scrape_day(day, cfg, execution_log, command)
    log.debug(
        "%s [%s]: %d landed file(s) for the day: %s",
        day, mode, sum(len(p) for p in day_files.values()), sorted(day_files),
    )
    files = {t: list(p) for t, p in day_files.items()}
    for table, paths in reference_files(cfg.landing).items():
        files[table] = [*paths, *files.get(table, [])]
    return Acquired(mode, day_files, files, warnings)


def _scrape_day(
    day: date, cfg: DailyConfig, execution_log: ExecutionLog | None, command: str
) -> tuple[dict[str, list[Path]], list[str]]:
    """Scrape every source (one execution-log row each); a ScrapeError stops the run."""
    files: dict[str, list[Path]] = {}
    warnings: list[str] = []
    for source in SOURCES:
        scraped = scrape_logged(
            source, day, cfg.landing, cfg.run_id, execution_log, command=command,
            **cfg.scrape_options.get(source, {}),
        )
        warnings += scraped.warnings
        for table, paths in scraped.outputs.items():
            files.setdefault(table, []).extend(paths)
    return files, warnings


def _check(result: DayResult, got: Acquired, cfg: DailyConfig) -> bool:
    """Classify the day from its landed schedule: True for a day with games (load and build
    it); False for a no_games day (nothing to load: its schedule file has no rows) and for a
    missing day (not loaded: what landed, if anything, is incomplete)."""
    lookup = warehouse_games(cfg.database) if cfg.warehouse == "duckdb" else None
    check = check_day(result.day, got.day_files, lookup)
    if check.kind == "missing":
        result.outcome, result.message = MISSING, check.message
        log.error("day %s failed: %s", result.day, check.message)
        return False
    if check.kind == "no_games":
        result.outcome, result.message = NO_GAMES, check.message
        log.info("%s", check.message)
        return False
    if check.message:
        result.warnings.append(check.message)
    log.info("%s: %s game(s) in the landed schedule", result.day, check.games)
    return True


def _dbt(cfg: DailyConfig, args: Sequence[str], window: tuple[date, date]) -> DbtOutcome:
    # Open-ended window: everything from the start is rebuilt, so rows dated after the
    # day (upcoming games, computed as of the previous day) are replaced too. It goes in
    # the environment (macro incremental_window_bound), not --vars: new vars make dbt
    # re-parse the whole project, a new environment value only the files that read it.
    return cfg.dbt_runner(
        list(args),
        # NBA_PROPS_DUCKDB for the DuckDB profile; a BigQuery target does not read it.
        database=cfg.database if cfg.warehouse == "duckdb" else None,
        target=cfg.target,
        target_path=cfg.target_path,
        log_path=cfg.log_path,
        env={"NBA_PROPS_RUN_ID": cfg.run_id, "NBA_PROPS_START_DATE": window[0].isoformat()},
        quiet=True,
    )


def _predict(cfg: DailyConfig, day: date, execution_log: ExecutionLog) -> int:
    """Run the ML workers for the day's games (one feature query, one batched write)."""
    # Deferred: the worker loads LightGBM and scipy; the CLI imports this module at start.
    from nba_props.predict.service import predict

    with job(
        execution_log,
        "predict",
        f"predict {day}",
        command="nba-props daily",
        run_id=cfg.run_id,
    ) as record:
        result = _predict_on_warehouse(cfg, day) if cfg.warehouse == "bigquery" else (
            predict(cfg.database, day))
        record.rows_affected = result.predictions_written
        record.set_detail(skipped_reason=result.skipped_reason)
    if result.skipped_reason:
        log.info("no predictions for %s: %s", day, result.skipped_reason)
    return int(result.predictions_written)


def _predict_on_warehouse(cfg: DailyConfig, day: date) -> Any:
    """The BigQuery worker: the day's features read in one query, one MERGE written."""
    # Deferred: the worker (LightGBM) and google-cloud-bigquery.
    from nba_props.predict.bigquery_run import BigQueryRun, predict_bigquery

    run = BigQueryRun(cfg.bigquery, cfg.bigquery_client)
    return predict_bigquery(day, database=cfg.database, run=run, run_id=cfg.run_id)


def build_args(can_predict: bool) -> list[str]:
    """The day's build. With predictions on, the grading marts are built once, after the
    workers wrote (grading_args); otherwise everything is built once."""
    return [*DATA_BUILD, "--exclude", GRADING] if can_predict else list(DATA_BUILD)


def grading_args() -> list[str]:
    return [*DATA_BUILD, "--select", GRADING]


def run_day(day: date, cfg: DailyConfig) -> DayResult:
    """Scrape or replay the day, then load and build it, unless the landed schedule says
    it has no games (outcome no_games) or nothing landed for it (outcome missing)."""
    loader, execution_log = _warehouse(cfg)
    mode, notes = resolve_mode(cfg)
    log.info("daily %s [%s]: landing %s, warehouse %s", day, mode, cfg.landing, cfg.warehouse)
    got = acquire_day(day, cfg, mode, execution_log, command="nba-props daily")
    files = got.files
    result = DayResult(
        day=day, run_id=cfg.run_id, mode=mode, day_files=got.count, notes=notes,
        warnings=list(got.warnings),
    )
    if not _check(result, got, cfg):
        return result
    for table in sorted(files):
        result.loads += _timed(
            result,
            f"load {table}",
            lambda t=table: load_files(
                loader, t, files[t], execution_log, command="nba-props daily", run_id=cfg.run_id
            ),
        )
    window = (day - timedelta(days=cfg.lookback_days), day)
    build = build_args(cfg.can_predict)
    result.dbt.append(_timed(result, "dbt build", lambda: _dbt(cfg, build, window)))
    if cfg.can_predict:
        result.predictions = _timed(result, "predict", lambda: _predict(cfg, day, execution_log))
        result.dbt.append(_timed(result, "grade", lambda: _dbt(cfg, grading_args(), window)))
    result.outcome = BUILT
    log.info("%s built: %d rows loaded", day, result.rows_loaded)
    return result


def days_between(start: date, end: date) -> Iterable[date]:
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


def _state_dir(cfg: DailyConfig) -> Path:
    root = cfg.landing.parent / "state"
    if cfg.warehouse == "duckdb":
        return root / "days"
    # A day done on DuckDB is not done on BigQuery (nor on another BigQuery target).
    return root / cfg.warehouse / (cfg.target or "default") / "days"


def _is_done(cfg: DailyConfig, day: date) -> bool:
    """Marked built or no_games. A mark from before outcomes were recorded counts only if
    it loaded or predicted something: those runs also marked days that had no data."""
    path = _state_dir(cfg) / f"{day.isoformat()}.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except ValueError:
        log.warning("unreadable state file %s: the day is redone", path)
        return False
    if "outcome" in state:
        return state["outcome"] in DONE
    return bool(state.get("rows_loaded") or state.get("predictions"))


def _mark_done(cfg: DailyConfig, result: DayResult) -> None:
    if result.outcome not in DONE:
        raise ValueError(f"{result.day} is {result.outcome}: only a done day is marked done")
    path = _state_dir(cfg) / f"{result.day.isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                "day": result.day.isoformat(),
                "outcome": result.outcome,
                "run_id": result.run_id,
                "rows_loaded": result.rows_loaded,
                "predictions": result.predictions,
            }
        ),
        encoding="utf-8",
    )
    tmp.replace(path)  # atomic: a day is either marked done or not


def backfill(
    start: date,
    end: date,
    cfg: DailyConfig,
    *,
    chunk_days: int = 31,
    force: bool = False,
    progress: bool = True,
) -> list[DayResult]:
    """Load every day from start to end (a progress bar per day), build once per chunk.

    Resumable: a day is marked done only after its chunk's dbt build succeeded (built), or
    when its landed schedule lists no games (no_games); a day with nothing landed is
    missing: not loaded, not marked, reported, and the other days go on. A new run skips
    days marked done (unless ``force``). Re-running an interrupted chunk is safe: files
    already loaded are skipped and the build replaces its window.
    """
    from tqdm import tqdm  # deferred: 10 ms at every command's start, for backfill only

    if end < start:
        raise ValueError(f"backfill end {end} is before start {start}")
    pending = [d for d in days_between(start, end) if force or not _is_done(cfg, d)]
    skipped = (end - start).days + 1 - len(pending)
    if skipped:
        log.info("resuming: %d day(s) already done are skipped", skipped)
    results: list[DayResult] = []
    loader, execution_log = _warehouse(cfg)
    mode, notes = resolve_mode(cfg) if pending else (cfg.mode, [])
    log.info("backfill %s..%s [%s]: %d day(s) to do", start, end, mode, len(pending))
    for offset in range(0, len(pending), chunk_days):
        chunk = pending[offset : offset + chunk_days]
        chunk_results: list[DayResult] = []
        for day in tqdm(chunk, desc="backfill", unit="day", disable=not progress):
            got = acquire_day(day, cfg, mode, execution_log, command="nba-props backfill")
            files = got.files
            result = DayResult(
                day=day, run_id=cfg.run_id, mode=mode, day_files=got.count, notes=list(notes),
                warnings=list(got.warnings),
            )
            chunk_results.append(result)
            if not _check(result, got, cfg):
                continue
            for table in sorted(files):
                result.loads += load_files(
                    loader,
                    table,
                    files[table],
                    execution_log,
                    command="nba-props backfill",
                    run_id=cfg.run_id,
                )
        window = (chunk[0] - timedelta(days=cfg.lookback_days), chunk[-1])
        # Build even when every file was loaded before: an interrupted run may have
        # loaded a chunk without building it.
        game_days = [r for r in chunk_results if r.outcome == PENDING]
        if game_days:
            game_days[-1].dbt.append(_dbt(cfg, build_args(cfg.can_predict), window))
            if cfg.can_predict:
                for result in game_days:
                    result.predictions = _predict(cfg, result.day, execution_log)
                game_days[-1].dbt.append(_dbt(cfg, grading_args(), window))
            for result in game_days:
                result.outcome = BUILT
        for result in chunk_results:
            if result.outcome in DONE:
                _mark_done(cfg, result)
        results += chunk_results
    return results
