"""An in-memory BigQuery client that runs the loader's SQL, with BigQuery's job-id rule.

:class:`~tests.python.bigquery.fakes.FakeClient` records queries without running them. The
loader now lands a file through staging tables and one commit transaction, so this fake keeps
its tables in DuckDB and runs the statements it is sent (backquoted ``project.dataset.table``
names and ``@name`` parameters turned into DuckDB's spelling), each query under one lock and in
one DuckDB transaction (a failing statement rolls the query back, as BigQuery does). Like
BigQuery, it refuses a second job with an id that exists (409 Conflict), unless
``unique_job_ids=False`` (as bqemulator, which runs the job again).

Hooks simulate what goes wrong: ``on_job(job)`` runs before a job does (set ``fail_with`` and
``error_result`` for a job that fails and changes nothing, set ``hang``, or change
``job.sql``); ``after_job(job)`` runs after it (raise there for a response lost after the job
ran, or append to ``job.result_errors`` for a wait that fails while the job succeeded).
"""

from __future__ import annotations

import concurrent.futures
import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery

from tests.python.bigquery.fakes import FakeClient, FakeJob, FakeRowIterator

DUCK_TYPES = {
    "STRING": "varchar",
    "INT64": "bigint",
    "INTEGER": "bigint",
    "FLOAT64": "double",
    "FLOAT": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamptz",
    "BOOL": "boolean",
    "BOOLEAN": "boolean",
}
_TABLE_RE = re.compile(r"`([^`]+)`")
_PARAM_RE = re.compile(r"@(\w+)")


@dataclass
class SqlJob(FakeJob):
    rows: list[dict[str, Any]] = field(default_factory=list)
    # Raised by result(), one per call, before the job's own outcome: a wait that failed.
    result_errors: list[BaseException] = field(default_factory=list)

    @property
    def query(self) -> str | None:
        return self.sql

    def result(self, **kwargs: Any) -> Any:
        self.result_calls.append(kwargs)
        if self.result_errors:
            raise self.result_errors.pop(0)
        if self.hang:
            raise concurrent.futures.TimeoutError()
        if self.fail_with is not None:
            raise self.fail_with
        return self.rows if self.kind == "query" else self


def _quoted(table_id: str) -> str:
    return '"' + table_id.replace('"', '""') + '"'


class SqlFakeClient(FakeClient):
    def __init__(self, unique_job_ids: bool = True) -> None:
        super().__init__()
        self.unique_job_ids = unique_job_ids
        self.lock = threading.RLock()
        self.db = duckdb.connect()
        self.db.execute("set TimeZone = 'UTC'")
        self.expires: dict[str, Any] = {}
        self.dropped: list[str] = []
        self.on_job: Callable[[SqlJob], None] | None = None
        self.after_job: Callable[[SqlJob], None] | None = None

    # --- tables ---------------------------------------------------------------------------
    def _create(self, table_id: str, schema: list[bigquery.SchemaField]) -> None:
        cols = ", ".join(f'"{f.name}" {DUCK_TYPES[f.field_type]}' for f in schema)
        self.db.execute(f"create table if not exists {_quoted(table_id)} ({cols})")
        self.schemas.setdefault(table_id, list(schema))

    def create_table(self, table: bigquery.Table, exists_ok: bool = False, **_: Any) -> Any:
        table_id = f"{table.project}.{table.dataset_id}.{table.table_id}"
        with self.lock:
            if table_id in self.schemas and not exists_ok:
                raise api_exceptions.Conflict(f"Already Exists: Table {table_id}")
            self._create(table_id, list(table.schema))
            self.expires[table_id] = table.expires
        return table

    def delete_table(self, table: Any, not_found_ok: bool = False, **_: Any) -> None:
        table_id = str(table)
        with self.lock:
            if table_id not in self.schemas:
                if not_found_ok:
                    return
                raise api_exceptions.NotFound(f"Not found: Table {table_id}")
            self.db.execute(f"drop table {_quoted(table_id)}")
            del self.schemas[table_id]
            self.dropped.append(table_id)

    def update_table(self, table: bigquery.Table, fields: list[str], **_: Any) -> bigquery.Table:
        table_id = f"{table.project}.{table.dataset_id}.{table.table_id}"
        with self.lock:
            have = {f.name for f in self.schemas[table_id]}
            for f in table.schema:
                if f.name not in have:
                    self.db.execute(
                        f'alter table {_quoted(table_id)} add column "{f.name}" '
                        f"{DUCK_TYPES[f.field_type]}"
                    )
        return super().update_table(table, fields)

    def arrow(self, table_id: str) -> pa.Table:
        with self.lock:
            return self.db.sql(f"select * from {_quoted(table_id)}").to_arrow_table()

    def list_rows(self, table_id: str, page_size: int = 0, **_: Any) -> FakeRowIterator:
        return FakeRowIterator(self.arrow(str(table_id)), page_size or 1000)

    # --- jobs ---------------------------------------------------------------------------------
    def _new_job(self, job: SqlJob) -> None:
        if job.job_id in self.jobs and self.unique_job_ids:
            raise api_exceptions.Conflict(f"Already Exists: Job {job.job_id}")
        self.jobs[job.job_id] = job

    def load_table_from_file(
        self, fh: io.BufferedReader, destination: Any, job_id: str, job_config: Any, **_: Any
    ) -> SqlJob:
        destination = str(destination)
        data = fh.read()
        with self.lock:
            job = SqlJob(job_id, "load", job_config, destination=destination)
            self._new_job(job)
            self.loads.append(job)
            if self.on_job is not None:
                self.on_job(job)
            if job.fail_with is None and not job.hang and job.error_result is None:
                if job_config.source_format == "PARQUET":
                    rows = pq.read_table(io.BytesIO(data))
                else:
                    rows = pacsv.read_csv(io.BytesIO(data))
                if destination not in self.schemas:
                    if job_config.create_disposition != "CREATE_IF_NEEDED":
                        raise api_exceptions.NotFound(f"Not found: Table {destination}")
                    self._create(destination, list(job_config.schema))
                if job_config.write_disposition == "WRITE_TRUNCATE":
                    self.db.execute(f"delete from {_quoted(destination)}")
                self.db.register("_incoming", rows)
                try:
                    self.db.execute(
                        f"insert into {_quoted(destination)} by name select * from _incoming"
                    )
                finally:
                    self.db.unregister("_incoming")
                job.output_rows = rows.num_rows
        if self.after_job is not None:
            self.after_job(job)
        return job

    def query(self, sql: str, job_config: Any = None, job_id: str | None = None,
              **_: Any) -> SqlJob:
        with self.lock:
            self.queries.append((sql, job_config))
            job = SqlJob(job_id or f"query_{len(self.queries)}", "query", job_config, sql)
            self._new_job(job)
            if sql.lstrip().lower().startswith("create table if not exists"):
                name = sql.split("`")[1]
                body = sql[sql.index("(") + 1 : sql.index("\n)")]
                self._create(name, [
                    bigquery.SchemaField(*line.strip().rstrip(",").split()[:2])
                    for line in body.strip().splitlines()
                ])
                return job
            if self.on_job is not None:
                self.on_job(job)
            if job.fail_with is None and not job.hang and job.error_result is None:
                self._run(job, job.sql or sql, job_config)
        if self.after_job is not None:
            self.after_job(job)
        return job

    def _run(self, job: SqlJob, sql: str, job_config: Any) -> None:
        params = {p.name: p.value for p in getattr(job_config, "query_parameters", None) or []}
        text = _PARAM_RE.sub(r"$\1", _TABLE_RE.sub(lambda m: _quoted(m.group(1)), sql))
        statements = [s.strip() for s in text.split(";") if s.strip()]
        self.db.execute("begin transaction")
        try:
            for statement in statements:
                low = statement.lower()
                if low in ("begin transaction", "commit transaction"):
                    continue
                used = {k: v for k, v in params.items() if f"${k}" in statement}
                cursor = self.db.execute(statement, used or None)
                if low.startswith("select") and cursor.description:
                    names = [d[0] for d in cursor.description]
                    job.rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
            self.db.execute("commit")
        except duckdb.Error as exc:
            self.db.execute("rollback")
            job.error_result = {"reason": "invalidQuery", "message": str(exc)}
            job.fail_with = api_exceptions.BadRequest(str(exc), errors=[job.error_result])

    # --- helpers for assertions ---------------------------------------------------------------
    def table(self, table: str, dataset: str = "nba_raw") -> pa.Table:
        return self.arrow(f"{self.project}.{dataset}.{table}")

    def stage_loads(self) -> list[SqlJob]:
        return [j for j in self.loads if "._stage_load_" in (j.destination or "")]

    def commit_jobs(self) -> list[SqlJob]:
        return [j for j in self.jobs.values() if j.job_id.startswith("nba_props_commit_")]

    def stages_left(self) -> list[str]:
        return [t for t in self.schemas if "._stage_load_" in t]
