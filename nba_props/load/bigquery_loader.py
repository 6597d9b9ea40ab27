"""Load landed files into the BigQuery raw dataset: idempotent, atomic per file, schema-checked.

Same interface and guarantees as :class:`~nba_props.load.duckdb_loader.DuckDBLoader`:

- every file is validated locally first, by the same DuckDB staging code
  (:func:`nba_props.load.staging.stage_file`): required columns, every value's type, a clear
  error naming the file, row and column; nothing reaches BigQuery unless the whole file is valid;
- the typed rows (plus ``_load_id``, ``_source_file``, ``_content_hash``, ``_row_number``,
  ``_loaded_at``) go to BigQuery in ONE load job with an explicit schema from the contract,
  ``WRITE_APPEND`` into a raw table partitioned by the contract's date column (or by
  ``_loaded_at`` day), with labels, a job timeout, and retries on transient errors only.
  A load job is atomic: the file lands whole or not at all;
- ``<dataset>._load_manifest`` records each file's content hash, so a file whose content was
  loaded before is skipped whatever its name.

Crash safety without multi-statement transactions: a row in ``<dataset>._load_attempts``
naming the load job's id is written before the job, the manifest row after it. If the process
dies in between, the next run finds the attempt without a manifest row, asks BigQuery for
that job's outcome (job ids are kept for months), and records the file as loaded or loads it
again. Both tables are read through ``tabledata.list`` (free, page by page), so the loader
runs no SQL query with values at all; the only SQL it sends is DDL built from the contracts.
"""

from __future__ import annotations

import concurrent.futures
import logging
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from nba_props.contracts import (
    BIGINT,
    BOOLEAN,
    DATE,
    DOUBLE,
    LOAD_METADATA_COLUMNS,
    RAW_TABLES,
    TIMESTAMP,
    VARCHAR,
    RawTable,
)
from nba_props.load.bq_export import CSV, PARQUET, export_rows
from nba_props.load.result import LoadResult
from nba_props.load.staging import LoadError, contract_for, stage_file
from nba_props.warehouse.bigquery import (
    BigQuerySettings,
    api_retry_policy,
    check_identifier,
    is_transient_job_error,
    labels,
    make_client,
    run_query,
    schema_fields,
    table_id,
)

log = logging.getLogger(__name__)

BQ_TYPES = {
    VARCHAR: "STRING",
    BIGINT: "INT64",
    DOUBLE: "FLOAT64",
    DATE: "DATE",
    TIMESTAMP: "TIMESTAMP",
    BOOLEAN: "BOOL",
}
# Types BigQuery can cluster on (FLOAT64 cannot).
_CLUSTERABLE = {VARCHAR, BIGINT, DATE, TIMESTAMP, BOOLEAN}
MANIFEST = "_load_manifest"
# One row per loaded file: the same columns as the DuckDB loader's manifest (a dbt source).
MANIFEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_id", VARCHAR),
    ("raw_table", VARCHAR),
    ("source_file", VARCHAR),
    ("content_hash", VARCHAR),
    ("rows_loaded", BIGINT),
    ("ignored_columns", VARCHAR),
    ("run_id", VARCHAR),
    ("loaded_at", TIMESTAMP),
)
ATTEMPTS = "_load_attempts"
# One row per load job submitted, written BEFORE the job: what a crashed run left behind.
ATTEMPT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_id", VARCHAR),
    ("raw_table", VARCHAR),
    ("source_file", VARCHAR),
    ("content_hash", VARCHAR),
    ("job_id", VARCHAR),
    ("run_id", VARCHAR),
    ("started_at", TIMESTAMP),
)


@dataclass(frozen=True)
class LoadOptions:
    """How load jobs are sent. The defaults are production BigQuery's."""

    source_format: str = PARQUET
    # The raw tables are created (partitioned, clustered) by ensure_tables, never by a load.
    create_disposition: str = bigquery.CreateDisposition.CREATE_NEVER
    # Send jobTimeoutMs with each job (BigQuery cancels a job that runs longer).
    server_job_timeout: bool = True
    # Attempts of one file's load job when it fails for a transient reason.
    attempts: int = 3
    # Check the job's outputRows against the file's rows (a mismatch fails the load).
    verify_output_rows: bool = True

    @classmethod
    def for_emulator(cls, kind: str) -> LoadOptions:
        """What each emulator cannot do (docs/bigquery.md):

        crucible-emulator takes CSV only, with CREATE_IF_NEEDED and no jobTimeoutMs;
        bqemulator reports the table's total rows as a job's outputRows.
        """
        if kind == "crucible":
            return cls(CSV, bigquery.CreateDisposition.CREATE_IF_NEEDED, False)
        if kind == "bqemulator":
            return cls(verify_output_rows=False)
        return cls()


def raw_columns(contract: RawTable) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in contract.columns] + list(LOAD_METADATA_COLUMNS)


def partition_column(contract: RawTable) -> str:
    """The contract's required DATE column, else ``_loaded_at`` (daily partitions either way)."""
    return next((c.name for c in contract.columns if c.type == DATE and c.required), "_loaded_at")


def cluster_columns(contract: RawTable) -> list[str]:
    """Up to four natural-key columns BigQuery can cluster on."""
    by_name = {c.name: c for c in contract.columns}
    keys = [k for k in contract.key if by_name[k].type in _CLUSTERABLE]
    return keys[:4]


def _ddl_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _options_ddl(table_labels: Mapping[str, str], description: str) -> str:
    pairs = ", ".join(f'("{k}", "{v}")' for k, v in table_labels.items())
    return f"options (labels = [{pairs}], description = {_ddl_string(description)})"


def create_table_ddl(
    full_id: str,
    columns: Iterable[tuple[str, str]],
    partition: str,
    partition_type: str,
    cluster: list[str],
    table_labels: Mapping[str, str],
    description: str,
) -> str:
    cols = ",\n    ".join(f"{check_identifier(n, 'column')} {BQ_TYPES[t]}" for n, t in columns)
    check_identifier(partition, "column")
    part = (
        f"partition by {partition}"
        if partition_type == DATE
        else f"partition by timestamp_trunc({partition}, day)"
    )
    cluster_sql = f"\ncluster by {', '.join(cluster)}" if cluster else ""
    return (
        f"create table if not exists `{full_id}` (\n    {cols}\n)\n{part}{cluster_sql}\n"
        f"{_options_ddl(table_labels, description)}"
    )


class BigQueryLoader:
    """Loads files into ``<project>.<dataset>.<raw_table>``; the DuckDBLoader's interface."""

    def __init__(
        self,
        client: bigquery.Client | None = None,
        *,
        settings: BigQuerySettings | None = None,
        dataset: str = "nba_raw",
        run_id: str | None = None,
        allow_extra_columns: bool = False,
        options: LoadOptions | None = None,
    ):
        self.settings = settings or BigQuerySettings.from_env()
        self._client = client
        self.dataset = check_identifier(dataset, "dataset")
        self.run_id = run_id
        self.allow_extra_columns = allow_extra_columns
        self.options = options or LoadOptions()
        self._tables_ready = False

    @property
    def client(self) -> bigquery.Client:
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    @property
    def project(self) -> str:
        return self.client.project or self.settings.project

    def _table_id(self, table: str) -> str:
        return table_id(self.project, self.dataset, table)

    def _labels(self, **extra: object) -> dict[str, str]:
        return labels(self.settings.labels, component="loader", run_id=self.run_id, **extra)

    # --- set-up ------------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        """Create the raw dataset, every raw table and the manifest; add new contract columns."""
        dataset = bigquery.Dataset(f"{self.project}.{self.dataset}")
        dataset.location = self.settings.location
        dataset.labels = labels(self.settings.labels, layer="raw")
        self.client.create_dataset(
            dataset, exists_ok=True, retry=self._retry(), timeout=self.settings.api_deadline_s
        )
        for contract in RAW_TABLES.values():
            self._ensure_table(
                contract.name,
                raw_columns(contract),
                partition_column(contract),
                cluster_columns(contract),
                f"{contract.description} Natural key: ({', '.join(contract.key)}).",
            )
        self._ensure_table(
            MANIFEST,
            list(MANIFEST_COLUMNS),
            "loaded_at",
            ["raw_table", "content_hash"],
            "One row per loaded file (nba_props.load): content hash, rows, run id.",
        )
        self._ensure_table(
            ATTEMPTS,
            list(ATTEMPT_COLUMNS),
            "started_at",
            ["raw_table", "content_hash"],
            "One row per load job submitted, written before the job (crash recovery).",
        )
        self._tables_ready = True

    def _ensure_table(
        self,
        name: str,
        columns: list[tuple[str, str]],
        partition: str,
        cluster: list[str],
        description: str,
    ) -> None:
        full_id = self._table_id(name)
        types = dict(columns)
        ddl = create_table_ddl(
            full_id,
            columns,
            partition,
            types[partition],
            cluster,
            labels(self.settings.labels, layer="raw", table=name),
            description,
        )
        run_query(
            self.client, ddl, settings=self.settings, job_labels=self._labels(step="ddl")
        ).result(timeout=self.settings.job_timeout_s, retry=self._retry())
        table = self.client.get_table(full_id, retry=self._retry(),
                                      timeout=self.settings.api_deadline_s)
        existing = {f.name for f in table.schema}
        missing = [(n, t) for n, t in columns if n not in existing]
        if missing:
            log.info("%s: adding contract column(s) %s", full_id, [n for n, _ in missing])
            table.schema = [*table.schema, *schema_fields([(n, BQ_TYPES[t]) for n, t in missing])]
            self.client.update_table(table, ["schema"], retry=self._retry(),
                                     timeout=self.settings.api_deadline_s)

    def _retry(self):
        return api_retry_policy(self.settings.api_deadline_s)

    # --- manifest ------------------------------------------------------------------------------
    def _read(self, table: str, raw_table: str) -> dict[str, list[dict[str, object]]]:
        """content_hash -> rows of one raw table in ``table``, page by page (tabledata.list)."""
        found: dict[str, list[dict[str, object]]] = {}
        rows = self.client.list_rows(
            self._table_id(table),
            page_size=5_000,
            retry=self._retry(),
            timeout=self.settings.api_deadline_s,
        )
        for batch in rows.to_arrow_iterable(bqstorage_client=None, max_queue_size=1):
            for rec in batch.to_pylist():
                if rec["raw_table"] == raw_table:
                    found.setdefault(str(rec["content_hash"]), []).append(rec)
        return found

    def _append_row(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        columns: tuple[tuple[str, str], ...],
        values: dict[str, object],
        workdir: Path,
    ) -> None:
        """One bookkeeping row, through a load job like the data (no DML, no streaming buffer)."""
        duck_types = {VARCHAR: "varchar", BIGINT: "bigint", TIMESTAMP: "timestamp"}
        con.execute(
            "create or replace temp table _bookkeeping_row as select "
            + ", ".join(f"cast(? as {duck_types[t]}) as {n}" for n, t in columns)
            + ", 1 as _row_number",
            [values.get(n) for n, _ in columns],
        )
        ext = "parquet" if self.options.source_format == PARQUET else "csv"
        path = export_rows(con, "_bookkeeping_row", columns, workdir / f"{table}.{ext}",
                           self.options.source_format)
        # A fresh job id per row written (a retried upload of the SAME call still conflicts
        # on it, so a row is never appended twice by one call).
        job_id = f"nba_props{table}_{values['load_id']}_{uuid.uuid4().hex[:8]}"
        self._run_load_job(path, table, columns, job_id, table)

    # --- loading ---------------------------------------------------------------------------------
    def load(self, raw_table: str, files: Iterable[Path | str]) -> list[LoadResult]:
        contract = contract_for(raw_table)
        if not self._tables_ready:
            self.ensure_tables()
        results: list[LoadResult] = []
        with duckdb.connect(":memory:") as con, tempfile.TemporaryDirectory(
            prefix="nba_props_bq_"
        ) as tmp:
            manifest = self._read(MANIFEST, contract.name)
            attempts = self._read(ATTEMPTS, contract.name)
            for file in files:
                for attempt in Retrying(
                    retry=retry_if_exception(is_transient_job_error),
                    stop=stop_after_attempt(self.options.attempts),
                    wait=wait_exponential(multiplier=2, max=30),
                    reraise=True,
                ):
                    with attempt:
                        result = self._load_one(
                            con, contract, Path(file), manifest, attempts, Path(tmp)
                        )
                results.append(result)
        return results

    def _recovered_load(self, attempts: list[dict[str, object]], path: Path) -> str | None:
        """The load id of an earlier attempt whose job succeeded but was never recorded."""
        for entry in attempts:
            job_id = str(entry.get("job_id") or "")
            if not job_id:
                continue
            try:
                job = self.client.get_job(job_id, location=self.settings.location,
                                          retry=self._retry(),
                                          timeout=self.settings.api_deadline_s)
            except api_exceptions.NotFound:
                continue  # the job was never created: nothing was loaded
            if job.state != "DONE":
                try:
                    job.result(timeout=self.settings.job_timeout_s, retry=self._retry())
                except api_exceptions.GoogleAPICallError:
                    continue  # that attempt failed: nothing was loaded
                except concurrent.futures.TimeoutError:
                    raise LoadError(
                        f"{path}: an earlier load job {job_id} is still running; "
                        "try again when it has finished"
                    ) from None
            if job.error_result is None:
                log.warning("%s: an earlier run loaded this content as %s (job %s) but did not "
                            "record it; recording it now", path, entry["load_id"], job_id)
                return str(entry["load_id"])
        return None

    def _load_one(
        self,
        con: duckdb.DuckDBPyConnection,
        contract: RawTable,
        path: Path,
        manifest: dict[str, list[dict[str, object]]],
        attempts: dict[str, list[dict[str, object]]],
        workdir: Path,
    ) -> LoadResult:
        staged = stage_file(con, contract.name, path, self.allow_extra_columns)
        try:
            done = manifest.get(staged.content_hash)
            previous = str(done[0]["load_id"]) if done else None
            if previous is None:
                previous = self._recovered_load(attempts.get(staged.content_hash, []), path)
                if previous is not None:
                    self._manifest_row(con, workdir, contract, path, staged.content_hash,
                                       previous, staged.rows, staged.ignored_columns, manifest)
            if previous is not None:
                log.info("skip %s: same content already loaded as %s", path, previous)
                return LoadResult(contract.name, str(path), previous, "skipped_duplicate", 0,
                                  staged.rows, staged.ignored_columns)

            now = datetime.now(UTC).replace(tzinfo=None)
            load_id = f"{now:%Y%m%dT%H%M%S%f}-{staged.content_hash[:12]}"
            job_id = sanitize_job_id(f"nba_props_load_{contract.name}_{load_id}")
            attempt = {"load_id": load_id, "raw_table": contract.name, "source_file": str(path),
                       "content_hash": staged.content_hash, "job_id": job_id,
                       "run_id": self.run_id, "started_at": now}
            self._append_row(con, ATTEMPTS, ATTEMPT_COLUMNS, attempt, workdir)
            attempts.setdefault(staged.content_hash, []).append(dict(attempt))
            con.execute(
                "create or replace temp table _load_rows as select * exclude (_row_number), "  # noqa: S608
                "cast(? as varchar) as _load_id, cast(? as varchar) as _source_file, "
                "cast(? as varchar) as _content_hash, cast(_row_number as bigint) as _row_number, "
                f"cast(? as timestamp) as _loaded_at from {staged.relation}",
                [load_id, str(path), staged.content_hash, now],
            )
            ext = "parquet" if self.options.source_format == PARQUET else "csv"
            file = export_rows(con, "_load_rows", raw_columns(contract),
                               workdir / f"{load_id}.{ext}", self.options.source_format)
            job = self._run_load_job(file, contract.name, raw_columns(contract), job_id,
                                     contract.name)
            file.unlink(missing_ok=True)
            rows = staged.rows
            if self.options.verify_output_rows and job.output_rows is not None:
                rows = int(job.output_rows)
            if rows != staged.rows:
                raise LoadError(f"{path}: BigQuery loaded {rows} rows, the file has {staged.rows}")
            self._manifest_row(con, workdir, contract, path, staged.content_hash, load_id, rows,
                               staged.ignored_columns, manifest, now)
        finally:
            con.execute(f"drop table if exists {staged.relation}")
            con.execute("drop table if exists _load_rows")
        if staged.ignored_columns:
            log.warning("%s: columns not in the %s contract were not loaded: %s",
                        path, contract.name, staged.ignored_columns)
        return LoadResult(contract.name, str(path), load_id, "loaded", rows, staged.rows,
                          staged.ignored_columns)

    def _manifest_row(
        self,
        con: duckdb.DuckDBPyConnection,
        workdir: Path,
        contract: RawTable,
        path: Path,
        content_hash: str,
        load_id: str,
        rows: int,
        ignored: list[str],
        manifest: dict[str, list[dict[str, object]]],
        when: datetime | None = None,
    ) -> None:
        row: dict[str, object] = {
            "load_id": load_id,
            "raw_table": contract.name,
            "source_file": str(path),
            "content_hash": content_hash,
            "rows_loaded": rows,
            "ignored_columns": ",".join(ignored) or None,
            "run_id": self.run_id,
            "loaded_at": when or datetime.now(UTC).replace(tzinfo=None),
        }
        self._append_row(con, MANIFEST, MANIFEST_COLUMNS, row, workdir)
        manifest.setdefault(content_hash, []).append(row)

    def _run_load_job(
        self,
        file: Path,
        table: str,
        columns: Iterable[tuple[str, str]],
        job_id: str,
        label_table: str,
    ) -> bigquery.LoadJob:
        config = bigquery.LoadJobConfig(
            schema=schema_fields([(n, BQ_TYPES[t]) for n, t in columns]),
            source_format=self.options.source_format,
            write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
            create_disposition=self.options.create_disposition,
            labels=self._labels(step="load", raw_table=label_table),
        )
        if self.options.source_format == CSV:
            config.skip_leading_rows = 1
        if self.options.server_job_timeout:
            config.job_timeout_ms = int(self.settings.job_timeout_s * 1000)
        with file.open("rb") as fh:
            try:
                job = self.client.load_table_from_file(
                    fh,
                    self._table_id(table),
                    job_id=sanitize_job_id(job_id),
                    job_config=config,
                    # No size: always a resumable upload (chunked, each chunk retried).
                    num_retries=6,
                    location=self.settings.location,
                    timeout=self.settings.api_deadline_s,
                )
            except api_exceptions.Conflict:
                # The upload was retried after BigQuery had already created the job.
                job = self.client.get_job(sanitize_job_id(job_id), location=self.settings.location,
                                          retry=self._retry(),
                                          timeout=self.settings.api_deadline_s)
        self._wait(job)
        return job

    def _wait(self, job: bigquery.LoadJob) -> None:
        try:
            job.result(timeout=self.settings.job_timeout_s, retry=self._retry())
        except concurrent.futures.TimeoutError:
            self.client.cancel_job(job.job_id, location=self.settings.location,
                                   retry=self._retry(), timeout=self.settings.api_deadline_s)
            raise LoadError(
                f"load job {job.job_id} did not finish within {self.settings.job_timeout_s:.0f}s "
                "and was cancelled"
            ) from None
        except api_exceptions.GoogleAPICallError as exc:
            if is_transient_job_error(exc):
                raise
            details = "; ".join(e.get("message", "") for e in (job.errors or [])[:5])
            raise LoadError(f"load job {job.job_id} failed: {details or exc.message}") from None


def sanitize_job_id(job_id: str) -> str:
    """Job ids allow [A-Za-z0-9_-], up to 1,024 characters."""
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in job_id)[:1024]
