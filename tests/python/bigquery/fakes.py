"""An in-memory stand-in for google.cloud.bigquery.Client: records every call the loader makes.

It stores what load jobs deliver (Parquet or CSV, read back with pyarrow) so tests can check
rows, schema, job configuration, idempotency and crash recovery without a warehouse.
"""

from __future__ import annotations

import concurrent.futures
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery


@dataclass
class FakeJob:
    job_id: str
    kind: str
    config: Any = None
    sql: str | None = None
    destination: str | None = None
    state: str = "DONE"
    error_result: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None
    output_rows: int | None = None
    fail_with: BaseException | None = None
    hang: bool = False
    result_calls: list[dict[str, Any]] = field(default_factory=list)

    def result(self, **kwargs: Any) -> FakeJob:
        self.result_calls.append(kwargs)
        if self.hang:
            raise concurrent.futures.TimeoutError()
        if self.fail_with is not None:
            raise self.fail_with
        return self


class FakeRowIterator:
    def __init__(self, table: pa.Table | None, page_size: int):
        self.table = table
        self.page_size = page_size

    def to_arrow_iterable(self, **_: Any) -> Iterator[pa.RecordBatch]:
        if self.table is None:
            return iter([])
        return iter(self.table.to_batches(max_chunksize=self.page_size))


class FakeClient:
    project = "nba-props-test"

    def __init__(self) -> None:
        self.tables: dict[str, pa.Table | None] = {}
        self.schemas: dict[str, list[bigquery.SchemaField]] = {}
        self.jobs: dict[str, FakeJob] = {}
        self.queries: list[tuple[str, Any]] = []
        self.loads: list[FakeJob] = []
        self.cancelled: list[str] = []
        self.datasets: list[Any] = []
        # Called for each data load job before it runs: may set fail_with / hang / state.
        self.on_load: Callable[[FakeJob], None] | None = None

    # --- datasets, tables, queries ---------------------------------------------------------
    def create_dataset(self, dataset: Any, **_: Any) -> Any:
        self.datasets.append(dataset)
        return dataset

    def query(self, sql: str, job_config: Any = None, **_: Any) -> FakeJob:
        self.queries.append((sql, job_config))
        if sql.lstrip().lower().startswith("create table if not exists"):
            name = sql.split("`")[1]
            self.tables.setdefault(name, None)
            if name not in self.schemas:
                body = sql[sql.index("(") + 1 : sql.index("\n)")]
                self.schemas[name] = [
                    bigquery.SchemaField(*line.strip().rstrip(",").split()[:2])
                    for line in body.strip().splitlines()
                ]
        job = FakeJob(f"query_{len(self.queries)}", "query", job_config, sql)
        self.jobs[job.job_id] = job
        return job

    def get_table(self, table_id: str, **_: Any) -> bigquery.Table:
        table = bigquery.Table(table_id, schema=self.schemas[table_id])
        return table

    def update_table(self, table: bigquery.Table, fields: list[str], **_: Any) -> bigquery.Table:
        assert fields == ["schema"]
        self.schemas[f"{table.project}.{table.dataset_id}.{table.table_id}"] = list(table.schema)
        return table

    def list_rows(self, table_id: str, page_size: int = 0, **_: Any) -> FakeRowIterator:
        return FakeRowIterator(self.tables.get(table_id), page_size or 1000)

    # --- jobs -------------------------------------------------------------------------------
    def load_table_from_file(
        self, fh: io.BufferedReader, destination: str, job_id: str, job_config: Any, **_: Any
    ) -> FakeJob:
        if job_id in self.jobs:
            raise api_exceptions.Conflict(f"Already Exists: Job {job_id}")
        data = fh.read()
        if job_config.source_format == "PARQUET":
            rows = pq.read_table(io.BytesIO(data))
        else:
            rows = pacsv.read_csv(io.BytesIO(data))
        job = FakeJob(job_id, "load", job_config, destination=destination,
                      output_rows=rows.num_rows)
        self.jobs[job_id] = job
        self.loads.append(job)
        if self.on_load is not None and not destination.endswith(("_load_manifest",
                                                                  "_load_attempts")):
            self.on_load(job)
        if job.fail_with is None and not job.hang and job.error_result is None:
            current = self.tables.get(destination)
            self.tables[destination] = (
                rows if current is None else pa.concat_tables([current, rows.cast(current.schema)])
            )
        return job

    def get_job(self, job_id: str, **_: Any) -> FakeJob:
        if job_id not in self.jobs:
            raise api_exceptions.NotFound(f"Not found: Job {job_id}")
        return self.jobs[job_id]

    def cancel_job(self, job_id: str, **_: Any) -> FakeJob:
        self.cancelled.append(job_id)
        return self.jobs[job_id]

    # --- helpers for assertions ----------------------------------------------------------------
    def rows(self, table: str) -> pa.Table | None:
        return self.tables.get(f"{self.project}.nba_raw.{table}")

    def data_loads(self) -> list[FakeJob]:
        return [j for j in self.loads
                if not j.destination.endswith(("_load_manifest", "_load_attempts"))]
