"""processor_execution_log: one row per Python job (scrape, load, predict) of a pipeline run.

dbt writes one row per node into the same table (the on-run-end hook ``log_dbt_results``,
macros/monitoring/execution_log.sql); the columns are declared once, in ``EXECUTION_LOG``
below, and ``python -m nba_props.schemas generate`` writes the dbt source
(``models/staging/nba_monitoring/_nba_monitoring__sources.yml``) and the hooks' column list
(``macros/schemas/table_schemas.sql``) from it (``make lint`` checks they agree).

One run id ties scrape -> load -> dbt -> predict together: ``NBA_PROPS_RUN_ID``; a CLI
process without one generates it and exports it (:func:`ensure_run_id`), so every dbt
command it starts logs the same id.

Usage::

    log = DuckDBExecutionLog(database)
    with job(log, "load", "load.nbacom_player_game_logs", resource_type="file") as rec:
        result = loader.load(raw_table, [path])[0]
        rec.rows_affected = result.rows_loaded

Inserts are parameterized on both engines.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from nba_props.load import DuckDBLoader, LoadResult
from nba_props.relations import EXECUTION_LOG_TABLE, MONITORING
from nba_props.schemas.table import SchemaColumn, TableSchema
from nba_props.schemas.types import BIGINT, DOUBLE, TIMESTAMP, VARCHAR

log = logging.getLogger(__name__)

RUN_ID_ENV = "NBA_PROPS_RUN_ID"
SCHEMA = MONITORING
TABLE = EXECUTION_LOG_TABLE
JOB_TYPES = ("scrape", "load", "predict", "export", "alert")
# LoadResult.status -> the log's status (loaded -> success).
LOAD_STATUS = {"skipped_duplicate": "skipped", "loaded_with_rejects": "warn", "empty": "warn"}


# The table: the one declaration of its columns (python -m nba_props.schemas generate writes
# the dbt source and the hooks' column list from it).
EXECUTION_LOG = TableSchema(
    TABLE,
    "One row per dbt node run (written by the on-run-end hook log_dbt_results) and per "
    "Python job: scrape, load (one row per file), predict (written by "
    "nba_props.orchestrate.execution_log). One run id ties scrape -> load -> dbt -> "
    "predict together. The on-run-start hook create_execution_log and the Python writer "
    "create the table from the same columns.",
    (
        SchemaColumn(
            "run_id", VARCHAR,
            "Pipeline run id: NBA_PROPS_RUN_ID (the nba-props CLI sets it once per run and "
            "passes it to dbt), or dbt's invocation id when dbt runs on its own.",
        ),
        SchemaColumn(
            "job_type", VARCHAR,
            "dbt, scrape, load, predict, export or alert (a delivery of the run's alert).",
        ),
        SchemaColumn(
            "job_name", VARCHAR,
            "The dbt node's unique id, or the Python job (e.g. load.nbacom_player_game_logs).",
        ),
        SchemaColumn(
            "resource_type", VARCHAR,
            "dbt resource type (model, test, seed, snapshot, source, unit_test); the job's "
            "subject for Python jobs (file, date).",
        ),
        SchemaColumn(
            "status", VARCHAR,
            "dbt: success, error, skipped (models, seeds, snapshots), pass, warn, fail "
            "(tests), pass, warn, error, runtime error (source freshness). Python: success, "
            "warn (a scrape with warnings), skipped, error.",
        ),
        SchemaColumn(
            "rows_affected", BIGINT,
            "Rows written (dbt models, as the adapter reports them; loads, rows loaded).",
        ),
        SchemaColumn("failures", BIGINT, "Failing rows of a test."),
        SchemaColumn(
            "bytes_processed", BIGINT,
            "Bytes the warehouse processed (BigQuery reports it; DuckDB does not, so null).",
        ),
        SchemaColumn("started_at", TIMESTAMP, "Start (UTC)."),
        SchemaColumn("finished_at", TIMESTAMP, "End (UTC)."),
        SchemaColumn("duration_seconds", DOUBLE, "Duration in seconds."),
        SchemaColumn("error_message", VARCHAR, "The error or failure message (null on success)."),
        SchemaColumn(
            "invocation_id", VARCHAR, "dbt invocation id, or the Python process's own id."
        ),
        SchemaColumn("command", VARCHAR, 'e.g. "dbt build", "nba-props load".'),
        SchemaColumn(
            "target_name", VARCHAR,
            "dbt target, or the Python writer's target (duckdb, bigquery).",
        ),
        SchemaColumn(
            "detail", VARCHAR,
            "The relation a dbt node wrote, or JSON with a Python job's details (file, load id).",
        ),
        SchemaColumn("logged_at", TIMESTAMP, "When the row was written (UTC)."),
    ),
)
# (column, type in DuckDB terms) in table order.
COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (c.name, c.duckdb_type) for c in EXECUTION_LOG.columns
)
# BigQuery layout (the dbt hook's is generated from it): one partition per day of runs,
# clustered by run id (the usual filter).
BIGQUERY_PARTITION = "timestamp_trunc(logged_at, day)"
BIGQUERY_CLUSTER = ("run_id", "job_type")
# One id per Python process, like dbt's invocation id.
PROCESS_INVOCATION_ID = uuid.uuid4().hex


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


# The run id of a process that was given none: generated once, so its jobs share it.
_PROCESS_RUN_ID = new_run_id()


def current_run_id(run_id: str | None = None) -> str:
    """``run_id`` if given, else NBA_PROPS_RUN_ID, else this process's own run id."""
    return run_id or os.environ.get(RUN_ID_ENV) or _PROCESS_RUN_ID


def ensure_run_id(run_id: str | None = None) -> str:
    """For a CLI process: resolve the run id and export it as NBA_PROPS_RUN_ID, so every
    dbt command the process starts logs the same id (dbt reads it in its hooks)."""
    run_id = current_run_id(run_id)
    os.environ[RUN_ID_ENV] = run_id
    return run_id


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class JobRecord:
    """One row of the log. Mutable while its job runs (see :func:`job`)."""

    job_type: str
    job_name: str
    run_id: str = field(default_factory=current_run_id)
    resource_type: str | None = None
    status: str = "running"
    rows_affected: int | None = None
    failures: int | None = None
    bytes_processed: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_seconds: float | None = None
    error_message: str | None = None
    invocation_id: str = PROCESS_INVOCATION_ID
    command: str | None = None
    target_name: str | None = None
    detail: str | None = None
    logged_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.job_type not in JOB_TYPES:
            raise ValueError(f"job_type must be one of {JOB_TYPES}, got {self.job_type!r}")

    def set_detail(self, **values: Any) -> None:
        self.detail = json.dumps(values, sort_keys=True, default=str)

    def values(self) -> list[Any]:
        row = asdict(self)
        return [row[name] for name, _ in COLUMNS]


class ExecutionLog(Protocol):
    target_name: str

    def write(self, records: Sequence[JobRecord]) -> None: ...


class DuckDBExecutionLog:
    """Writes to ``nba_monitoring.processor_execution_log`` in a DuckDB file."""

    target_name = "duckdb"

    def __init__(self, database: Path | str, schema: str = SCHEMA):
        self.database = str(database)
        self.schema = schema

    def ensure_table(self, con: duckdb.DuckDBPyConnection) -> None:
        cols = ", ".join(f"{name} {typ}" for name, typ in COLUMNS)
        con.execute(f"create schema if not exists {self.schema}")
        con.execute(f"create table if not exists {self.schema}.{TABLE} ({cols})")

    def write(self, records: Sequence[JobRecord]) -> None:
        if not records:
            return
        names = ", ".join(name for name, _ in COLUMNS)
        marks = ", ".join("?" for _ in COLUMNS)
        with duckdb.connect(self.database) as con:
            self.ensure_table(con)
            con.executemany(
                f"insert into {self.schema}.{TABLE} ({names}) values ({marks})",  # noqa: S608 - fixed names
                [r.values() for r in records],
            )


class BigQueryExecutionLog:
    """Writes to ``<project>.<dataset>.processor_execution_log`` with one parameterized insert."""

    target_name = "bigquery"

    def __init__(self, client: Any, project: str, dataset: str = SCHEMA, timeout_s: float = 120.0):
        self.client = client
        self.table = f"`{project}.{dataset}.{TABLE}`"
        self.timeout_s = timeout_s

    def ensure_table(self) -> None:
        cols = ", ".join(f"{c.name} {c.bigquery_type}" for c in EXECUTION_LOG.columns)
        sql = (
            f"create table if not exists {self.table} ({cols}) "
            f"partition by {BIGQUERY_PARTITION} cluster by {', '.join(BIGQUERY_CLUSTER)}"
        )
        self.client.query(sql, timeout=self.timeout_s).result(timeout=self.timeout_s)

    def statement(self, records: Sequence[JobRecord]) -> tuple[str, list[Any]]:
        """The insert and its parameters (@<column>_<row>); no value is formatted into SQL."""
        from google.cloud import bigquery

        names = ", ".join(name for name, _ in COLUMNS)
        rows, params = [], []
        for i, record in enumerate(records):
            rows.append("(" + ", ".join(f"@{name}_{i}" for name, _ in COLUMNS) + ")")
            for column, value in zip(EXECUTION_LOG.columns, record.values(), strict=True):
                params.append(
                    bigquery.ScalarQueryParameter(
                        f"{column.name}_{i}", column.bigquery_type, value
                    )
                )
        sql = f"insert into {self.table} ({names}) values " + ", ".join(rows)  # noqa: S608
        return sql, params

    def write(self, records: Sequence[JobRecord]) -> None:
        from google.cloud import bigquery

        if not records:
            return
        self.ensure_table()
        sql, params = self.statement(records)
        config = bigquery.QueryJobConfig(query_parameters=params)
        self.client.query(sql, job_config=config, timeout=self.timeout_s).result(
            timeout=self.timeout_s
        )


@contextmanager
def job(
    execution_log: ExecutionLog | None,
    job_type: str,
    job_name: str,
    *,
    resource_type: str | None = None,
    command: str | None = None,
    run_id: str | None = None,
) -> Iterator[JobRecord]:
    """Time a job and write its row when it ends: success (or the status the job set),
    or error with the message, and the exception re-raised. ``execution_log=None`` times
    the job without writing (a caller with no warehouse)."""
    record = JobRecord(
        job_type,
        job_name,
        run_id=current_run_id(run_id),
        resource_type=resource_type,
        command=command,
    )
    record.target_name = execution_log.target_name if execution_log else None
    record.started_at = _utcnow()
    start = time.perf_counter()
    try:
        yield record
    except BaseException as exc:
        record.status = "error"
        record.error_message = f"{type(exc).__name__}: {exc}"[:4000]
        _finish(execution_log, record, start, failed=True)
        raise
    else:
        if record.status == "running":
            record.status = "success"
        _finish(execution_log, record, start, failed=False)


def _finish(
    execution_log: ExecutionLog | None, record: JobRecord, start: float, failed: bool
) -> None:
    record.finished_at = _utcnow()
    record.duration_seconds = round(time.perf_counter() - start, 6)
    record.logged_at = record.finished_at
    if execution_log is None:
        return
    if not failed:
        execution_log.write([record])
        return
    # The job's own error is what the caller must see: a failed log write is reported
    # in the log, and the job's exception is re-raised by job().
    try:
        execution_log.write([record])
    except Exception as exc:  # noqa: BLE001 - reported here; the job's error is re-raised
        log.error("could not log the failed job %s to %s: %s", record.job_name, TABLE, exc)


def load_files(
    loader: DuckDBLoader,
    raw_table: str,
    files: Sequence[Path | str],
    execution_log: ExecutionLog | None,
    *,
    command: str = "nba-props load",
    run_id: str | None = None,
) -> list[LoadResult]:
    """Load files one by one, one log row per file: success (rows), warn (rows set aside in
    _rejected_rows, or a file without rows), skipped (same content loaded before) or error
    (the LoadError's message, then re-raised)."""
    results: list[LoadResult] = []
    for path in files:
        with job(
            execution_log,
            "load",
            f"load.{raw_table}",
            resource_type="file",
            command=command,
            run_id=run_id or loader.run_id,
        ) as record:
            record.set_detail(source_file=str(path))
            result = loader.load(raw_table, [path])[0]
            record.rows_affected = result.rows_loaded
            # A file that loaded with rows set aside, or loaded nothing, is not a plain success.
            record.status = LOAD_STATUS.get(result.status, "success")
            record.set_detail(
                source_file=str(path),
                load_id=result.load_id,
                load_status=result.status,
                rows_in_file=result.rows_in_file,
                ignored_columns=result.ignored_columns,
                rows_rejected=result.rows_rejected,
                rejects_by_reason=result.rejects_by_reason,
                warnings=result.warnings,
            )
        results.append(result)
    return results
