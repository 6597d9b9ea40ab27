"""Load landed files into the BigQuery raw dataset: idempotent, atomic per file, and safe when
several runs load the same file at the same time.

Same interface, checks and quarantine as :class:`~nba_props.load.duckdb_loader.DuckDBLoader`,
by the same code, so a file is judged the same on either engine:

1. **Locally, nothing sent yet.** DuckDB reads and types the file
   (:func:`nba_props.load.staging.prepare_file`); :mod:`nba_props.load.quarantine` finds the
   rows that cannot load (bad values, empty keys, duplicate rows, conflicting duplicate keys)
   and applies the policy (``on_bad_rows``, ``max_rejected_fraction``); a whole-file problem
   is a :class:`LoadError` naming the file. The good rows (plus ``_load_id``,
   ``_source_file``, ``_content_hash``, ``_row_number``, ``_loaded_at``), the rejected rows
   and the file's manifest row are written to Parquet (CSV for crucible-emulator).
2. **Staging.** Each goes by ONE load job, with an explicit schema from the contract and
   ``WRITE_TRUNCATE``, into a staging table of this load alone
   (``<dataset>._stage_load_<table>_<token>_{rows,rejects,manifest}``, expiring after a day
   if a crash leaves it). Repeating a staging load changes nothing, so a transient failure
   there is simply retried.
3. **ONE commit.** One query job, a multi-statement transaction, inserts the staged rows into
   the raw table, the rejects into ``_rejected_rows`` and the row into ``_load_manifest``,
   each only if the manifest has no row for (``raw_table``, ``content_hash``) yet. It commits
   all three or nothing: a file is never half loaded, and never loaded twice.
4. **One commit per content at a time.** Snapshot isolation alone would let two concurrent
   INSERT-only transactions both pass that check. So the commit job's id is derived from the
   content: ``nba_props_commit_<dataset>_<table>_<sha256>_<n>``, and BigQuery refuses a second
   job with an existing id (409). A run that loses the race waits for the winner's job and
   then reads the manifest; ``n`` moves on only once job ``n`` has finished without recording
   the file (it failed, and its transaction was rolled back).
5. **Outcomes are read, never assumed.** An API error while starting or waiting for the
   commit job is followed by a look at the job itself (``jobs.get``: does it exist, is it
   done, did it fail) and then at the manifest, whose row says which load holds the file:
   this one (``loaded``), or a concurrent run's (``skipped_duplicate``). A process that dies
   after submitting the commit leaves a job that finishes (or rolls back) on its own; the
   next run reads the manifest.

Every API call has a timeout and a bounded retry (google-api-core's, on transient HTTP errors
and connection resets), every job a timeout (cancelled at the deadline), and each step is
retried with tenacity on transient job errors only (``backendError``, 5xx, rate limits). No SQL
the loader sends carries a value: the values travel in the staging tables' files, and the
manifest is read through ``tabledata.list`` (free); the SQL is DDL and the commit, built from
the contracts' names.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import requests
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery
from tenacity import (
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from nba_props.contracts import (
    DATE,
    LOAD_MANIFEST,
    LOAD_METADATA_COLUMNS,
    RAW_TABLES,
    REJECTED_ROWS,
    RawTable,
)
from nba_props.load.bq_export import CSV, PARQUET, export_rows
from nba_props.load.quarantine import (
    DEFAULT_MAX_REJECTED_FRACTION,
    QUARANTINE,
    REJECTED,
    REJECTED_COLUMNS,
    Rejects,
    check_policy,
    find_rejects,
    good_rows_filter,
    load_result,
    refuse_defects,
    rejected_rows_sql,
)
from nba_props.load.result import SKIPPED_DUPLICATE, LoadResult
from nba_props.load.staging import (
    LoadError,
    ValidatedFile,
    content_hash,
    contract_for,
    prepare_file,
)
from nba_props.relations import RAW
from nba_props.schemas.types import BIGQUERY_CLUSTERABLE, BIGQUERY_TYPES, DUCKDB_TYPES
from nba_props.warehouse.bigquery import (
    TRANSIENT_JOB_REASONS,
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

# The project's one BigQuery type map (nba_props.schemas.types), under its old name.
BQ_TYPES = BIGQUERY_TYPES
MANIFEST = LOAD_MANIFEST.name
# One row per loaded file: the same columns as the DuckDB loader's manifest (a dbt source).
MANIFEST_COLUMNS: tuple[tuple[str, str], ...] = LOAD_MANIFEST.typed_columns
STAGE_PREFIX = "_stage_load"
STAGE_EXPIRY = timedelta(days=1)
# Commit jobs of one content: n = 0, 1, ... (a new n only after job n failed and rolled back).
MAX_COMMIT_JOBS = 20
_CONNECTION_ERRORS = (
    ConnectionError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
)


@dataclass(frozen=True)
class LoadOptions:
    """How load jobs are sent. The defaults are production BigQuery's."""

    source_format: str = PARQUET
    # The raw tables are created (partitioned, clustered) by ensure_tables, the staging tables
    # by the loader (with an expiry), never by a load job; CREATE_IF_NEEDED (crucible-emulator)
    # lets the staging load create its table.
    create_disposition: str = bigquery.CreateDisposition.CREATE_NEVER
    # Send jobTimeoutMs with each job (BigQuery cancels a job that runs longer).
    server_job_timeout: bool = True
    # Attempts of each step (staging loads, the commit) when it fails for a transient reason.
    attempts: int = 3
    # Check each staging load job's outputRows against the rows written.
    verify_output_rows: bool = True
    # Wrap the commit in BEGIN/COMMIT TRANSACTION (always, on BigQuery).
    transactions: bool = True

    @classmethod
    def for_emulator(cls, kind: str) -> LoadOptions:
        """What each emulator cannot do (docs/bigquery.md):

        crucible-emulator takes CSV only, with CREATE_IF_NEEDED, no jobTimeoutMs and no
        transactions (its commit runs statement by statement: not atomic there);
        bqemulator reports the table's total rows as a job's outputRows.
        """
        if kind == "crucible":
            return cls(
                CSV,
                bigquery.CreateDisposition.CREATE_IF_NEEDED,
                server_job_timeout=False,
                transactions=False,
            )
        if kind == "bqemulator":
            return cls(verify_output_rows=False)
        return cls()


@dataclass(frozen=True)
class ManifestEntry:
    """The manifest row of one content: which load holds it."""

    load_id: str
    rows_loaded: int
    rows_rejected: int


@dataclass(frozen=True)
class Stage:
    """One staging table of a load and the local file that fills it."""

    part: str  # rows, rejects or manifest
    table_id: str
    columns: tuple[tuple[str, str], ...]
    file: Path
    rows: int


class _CommitRolledBack(LoadError):
    """Our commit job failed for a transient reason and was rolled back: commit again (and
    when the attempts run out, a LoadError like any other)."""


def raw_columns(contract: RawTable) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in contract.columns] + list(LOAD_METADATA_COLUMNS)


def partition_column(contract: RawTable) -> str:
    """The contract's required DATE column, else ``_loaded_at`` (daily partitions either way)."""
    return next((c.name for c in contract.columns if c.type == DATE and c.required), "_loaded_at")


def cluster_columns(contract: RawTable) -> list[str]:
    """Up to four natural-key columns BigQuery can cluster on."""
    by_name = {c.name: c for c in contract.columns}
    keys = [k for k in contract.key if by_name[k].type in BIGQUERY_CLUSTERABLE]
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


def commit_sql(
    raw: str,
    rejected: str,
    manifest: str,
    rows_stage: Stage | None,
    rejects_stage: Stage | None,
    manifest_stage: Stage,
    transaction: bool = True,
) -> str:
    """The transaction that lands one file: rows, rejects and manifest row, or nothing.

    Each insert runs only while the manifest has no row for the staged (raw_table,
    content_hash): a commit repeated after an unknown outcome, or a concurrent run's, adds
    nothing. No values: table and column names from the contracts only.
    """
    recorded = (
        f"exists (select 1 from `{manifest}` m join `{manifest_stage.table_id}` s "  # noqa: S608
        "on m.raw_table = s.raw_table and m.content_hash = s.content_hash)"
    )
    statements = ["begin transaction;"] if transaction else []
    for target, stage in ((raw, rows_stage), (rejected, rejects_stage)):
        if stage is not None:
            cols = ", ".join(check_identifier(n, "column") for n, _ in stage.columns)
            statements.append(
                f"insert into `{target}` ({cols})\nselect {cols} from `{stage.table_id}`\n"
                f"where not {recorded};"
            )
    cols = ", ".join(n for n, _ in manifest_stage.columns)
    statements.append(
        f"insert into `{manifest}` ({cols})\nselect {cols} from `{manifest_stage.table_id}` s\n"  # noqa: S608
        f"where not exists (select 1 from `{manifest}` m "
        "where m.raw_table = s.raw_table and m.content_hash = s.content_hash);"
    )
    if transaction:
        statements.append("commit transaction;")
    return "\n".join(statements)


def commit_job_id(dataset: str, raw_table: str, digest: str, n: int) -> str:
    """The id of the n-th commit job of one content: the same for every run (the lock)."""
    return sanitize_job_id(f"nba_props_commit_{dataset}_{raw_table}_{digest}_{n}")


def _transient(exc: BaseException) -> bool:
    return is_transient_job_error(exc) or isinstance(exc, _CONNECTION_ERRORS)


class BigQueryLoader:
    """Loads files into ``<project>.<dataset>.<raw_table>``; the DuckDBLoader's interface.

    ``on_bad_rows`` and ``max_rejected_fraction``: as for the DuckDB loader (quarantine by
    default; rejected rows go to ``<dataset>._rejected_rows``).
    """

    def __init__(
        self,
        client: bigquery.Client | None = None,
        *,
        settings: BigQuerySettings | None = None,
        dataset: str = RAW,
        run_id: str | None = None,
        allow_extra_columns: bool = False,
        options: LoadOptions | None = None,
        on_bad_rows: str = QUARANTINE,
        max_rejected_fraction: float = DEFAULT_MAX_REJECTED_FRACTION,
    ):
        check_policy(on_bad_rows, max_rejected_fraction)
        self.settings = settings or BigQuerySettings.from_env()
        self._client = client
        self.dataset = check_identifier(dataset, "dataset")
        self.run_id = run_id
        self.allow_extra_columns = allow_extra_columns
        self.options = options or LoadOptions()
        self.on_bad_rows = on_bad_rows
        self.max_rejected_fraction = max_rejected_fraction
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

    def _retry(self) -> Any:
        return api_retry_policy(self.settings.api_deadline_s)

    def _retrying(self, retry: Any) -> Retrying:
        return Retrying(
            retry=retry,
            stop=stop_after_attempt(self.options.attempts),
            wait=wait_exponential(multiplier=2, max=30),
            reraise=True,
        )

    # --- set-up ------------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        """Create the raw dataset, every raw table, the manifest and the rejected-rows table;
        add new contract (and manifest) columns to tables made by an older version."""
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
                contract.documentation,
            )
        self._ensure_table(
            MANIFEST,
            list(MANIFEST_COLUMNS),
            "loaded_at",
            ["raw_table", "content_hash"],
            LOAD_MANIFEST.description,
        )
        self._ensure_table(
            REJECTED,
            list(REJECTED_COLUMNS),
            "rejected_at",
            ["raw_table", "load_id"],
            REJECTED_ROWS.description,
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
        table = self.client.get_table(
            full_id, retry=self._retry(), timeout=self.settings.api_deadline_s
        )
        existing = {f.name for f in table.schema}
        missing = [(n, t) for n, t in columns if n not in existing]
        if missing:
            log.info("%s: adding column(s) %s", full_id, [n for n, _ in missing])
            table.schema = [*table.schema, *schema_fields([(n, BQ_TYPES[t]) for n, t in missing])]
            self.client.update_table(
                table, ["schema"], retry=self._retry(), timeout=self.settings.api_deadline_s
            )

    # --- the manifest --------------------------------------------------------------------------
    def _read_manifest(self, raw_table: str) -> dict[str, ManifestEntry]:
        """content_hash -> the manifest row of each of one raw table's files, read now.

        Through tabledata.list (free, page by page, no SQL); the first row of a content wins
        (a manifest written by an older loader may hold two)."""
        first: dict[str, tuple[Any, ManifestEntry]] = {}
        for attempt in self._retrying(retry_if_exception(_transient)):
            with attempt:
                first.clear()
                rows = self.client.list_rows(
                    self._table_id(MANIFEST),
                    page_size=5_000,
                    retry=self._retry(),
                    timeout=self.settings.api_deadline_s,
                )
                for batch in rows.to_arrow_iterable(bqstorage_client=None, max_queue_size=1):
                    for rec in batch.to_pylist():
                        if rec["raw_table"] != raw_table:
                            continue
                        digest = str(rec["content_hash"])
                        entry = ManifestEntry(
                            str(rec["load_id"]),
                            int(rec["rows_loaded"] or 0),
                            int(rec.get("rows_rejected") or 0),
                        )
                        order = (rec["loaded_at"], entry.load_id)
                        if digest not in first or order < first[digest][0]:
                            first[digest] = (order, entry)
        return {digest: entry for digest, (_, entry) in first.items()}

    def _manifest_entry(self, raw_table: str, digest: str) -> ManifestEntry | None:
        """The manifest row of one content, read now: which load holds it, if any."""
        return self._read_manifest(raw_table).get(digest)

    # --- loading -------------------------------------------------------------------------------
    def load(self, raw_table: str, files: Iterable[Path | str]) -> list[LoadResult]:
        contract = contract_for(raw_table)
        if not self._tables_ready:
            self.ensure_tables()
        results: list[LoadResult] = []
        with (
            duckdb.connect(":memory:") as con,
            tempfile.TemporaryDirectory(prefix="nba_props_bq_") as tmp,
        ):
            known = self._read_manifest(contract.name)
            for file in files:
                results.append(self._load_one(con, contract, Path(file), known, Path(tmp)))
        return results

    def _load_one(
        self,
        con: duckdb.DuckDBPyConnection,
        contract: RawTable,
        path: Path,
        known: dict[str, ManifestEntry],
        workdir: Path,
    ) -> LoadResult:
        if not path.is_file():
            raise LoadError(f"{path}: no such file; check the path")
        digest = content_hash(path)
        if digest in known:  # cheap check first: no parsing for a file loaded before
            seen = known[digest].load_id
            log.info("skip %s: same content already loaded as %s", path, seen)
            return LoadResult(contract.name, str(path), seen, SKIPPED_DUPLICATE, 0, 0)
        vf: ValidatedFile | None = None
        rejects: Rejects | None = None
        stages: list[Stage] = []
        try:
            vf = prepare_file(con, contract.name, path, self.allow_extra_columns, digest)
            rejects = find_rejects(con, contract, vf)
            refuse_defects(con, vf, rejects, self.on_bad_rows, self.max_rejected_fraction)
            now = datetime.now(UTC).replace(tzinfo=None)
            load_id = f"{now:%Y%m%dT%H%M%S%f}-{digest[:12]}"
            stages = self._write_stage_files(con, contract, vf, rejects, load_id, now, workdir)
            entry = self._land(contract, path, digest, stages)
        except duckdb.Error as exc:
            raise LoadError(f"{path}: load into {contract.name} failed: {exc}") from exc
        finally:
            for table in (
                vf and vf.source,
                rejects and rejects.relation,
                "_load_rows",
                "_load_rejects",
                "_load_manifest_row",
            ):
                if table:
                    con.execute(f"drop table if exists {table}")
            for stage in stages:
                stage.file.unlink(missing_ok=True)
        known[digest] = entry
        if entry.load_id != load_id:
            log.info("skip %s: a concurrent run loaded the same content as %s", path, entry.load_id)
            return LoadResult(
                contract.name,
                str(path),
                entry.load_id,
                SKIPPED_DUPLICATE,
                0,
                vf.rows,
                vf.ignored_columns,
            )
        result = load_result(
            contract.name, vf, rejects, load_id, entry.rows_loaded, f"{self.dataset}.{REJECTED}"
        )
        for warning in result.warnings:
            log.warning("%s", warning)
        return result

    def _write_stage_files(
        self,
        con: duckdb.DuckDBPyConnection,
        contract: RawTable,
        vf: ValidatedFile,
        rejects: Rejects,
        load_id: str,
        now: datetime,
        workdir: Path,
    ) -> list[Stage]:
        """The good rows, the rejected rows and the manifest row, each as a local file (rows
        and rejects only when there are any), with the staging table each goes to."""
        token = f"{contract.name}_{uuid.uuid4().hex}"
        ext = "parquet" if self.options.source_format == PARQUET else "csv"
        loaded = vf.rows - rejects.rows

        def stage(relation: str, columns: Iterable[tuple[str, str]], part: str, rows: int) -> Stage:
            cols = tuple(columns)
            file = export_rows(
                con, relation, cols, workdir / f"{token}_{part}.{ext}", self.options.source_format
            )
            name = check_identifier(f"{STAGE_PREFIX}_{token}_{part}", "table")
            return Stage(part, self._table_id(name), cols, file, rows)

        stages: list[Stage] = []
        if loaded:
            con.execute(
                "create or replace temp table _load_rows as "  # noqa: S608 - contract names
                f"select {vf.typed_columns()}, cast(? as varchar) as _load_id, "
                "cast(? as varchar) as _source_file, cast(? as varchar) as _content_hash, "
                "cast(_row_number as bigint) as _row_number, cast(? as timestamp) as _loaded_at "
                f"from {vf.source}{good_rows_filter(rejects)}",
                [load_id, str(vf.path), vf.content_hash, now],
            )
            written = con.execute("select count(*) from _load_rows").fetchone()
            if written is None or written[0] != loaded:
                raise LoadError(f"{vf.path}: staged {written} rows where {loaded} were expected")
            stages.append(stage("_load_rows", raw_columns(contract), "rows", loaded))
        if rejects.rows:
            rows_sql, params = rejected_rows_sql(vf, rejects)
            con.execute(
                "create or replace temp table _load_rejects as select "  # noqa: S608
                "cast(? as varchar) as load_id, cast(? as varchar) as raw_table, "
                "cast(? as varchar) as source_file, q.row_number, q.column_name, q.reason, "
                "q.detail, q.raw_row, cast(? as varchar) as run_id, "
                "cast(? as timestamp) as rejected_at, q.row_number as _row_number "
                f"from ({rows_sql}) q",
                [load_id, contract.name, str(vf.path), self.run_id, now, *params],
            )
            stages.append(stage("_load_rejects", REJECTED_COLUMNS, "rejects", rejects.rows))
        manifest_row: dict[str, object] = {
            "load_id": load_id,
            "raw_table": contract.name,
            "source_file": str(vf.path),
            "content_hash": vf.content_hash,
            "rows_loaded": loaded,
            "ignored_columns": ",".join(vf.ignored_columns) or None,
            "run_id": self.run_id,
            "loaded_at": now,
            "rows_rejected": rejects.rows,
        }
        con.execute(
            "create or replace temp table _load_manifest_row as select "
            + ", ".join(f"cast(? as {DUCKDB_TYPES[t]}) as {n}" for n, t in MANIFEST_COLUMNS)
            + ", 1 as _row_number",
            [manifest_row[n] for n, _ in MANIFEST_COLUMNS],
        )
        stages.append(stage("_load_manifest_row", MANIFEST_COLUMNS, "manifest", 1))
        return stages

    def _land(
        self, contract: RawTable, path: Path, digest: str, stages: list[Stage]
    ) -> ManifestEntry:
        """Stage the files, then commit them: the manifest entry that holds the content."""
        try:
            for attempt in self._retrying(retry_if_exception(_transient)):
                with attempt:
                    for stage in stages:
                        self._load_stage(stage, contract.name)
            by_part = {s.part: s for s in stages}
            sql = commit_sql(
                self._table_id(contract.name),
                self._table_id(REJECTED),
                self._table_id(MANIFEST),
                by_part.get("rows"),
                by_part.get("rejects"),
                by_part["manifest"],
                self.options.transactions,
            )
            return self._commit(path, contract.name, digest, sql, by_part["manifest"].table_id)
        finally:
            for stage in stages:
                self._drop_stage(stage)

    def _load_stage(self, stage: Stage, raw_table: str) -> None:
        """ONE load job into a fresh staging table of this load (WRITE_TRUNCATE: repeatable)."""
        if self.options.create_disposition == bigquery.CreateDisposition.CREATE_NEVER:
            table = bigquery.Table(
                stage.table_id, schema=schema_fields([(n, BQ_TYPES[t]) for n, t in stage.columns])
            )
            table.expires = datetime.now(UTC) + STAGE_EXPIRY  # dropped after the commit
            table.labels = self._labels(step="stage", raw_table=raw_table)
            self.client.create_table(
                table, exists_ok=True, retry=self._retry(), timeout=self.settings.api_deadline_s
            )
        # else (crucible-emulator, which creates no table with labels): the load creates it.
        job_id = f"nba_props_stage_{stage.table_id.rsplit('.', 1)[1]}_{uuid.uuid4().hex[:8]}"
        job = self._run_load_job(stage.file, stage.table_id, stage.columns, job_id, raw_table)
        output = job.output_rows
        if self.options.verify_output_rows and output is not None and output != stage.rows:
            raise LoadError(
                f"{stage.file.name}: BigQuery staged {output} rows in "
                f"{stage.table_id}, the file has {stage.rows}"
            )

    def _drop_stage(self, stage: Stage) -> None:
        try:
            self.client.delete_table(
                stage.table_id,
                not_found_ok=True,
                retry=self._retry(),
                timeout=self.settings.api_deadline_s,
            )
        except (api_exceptions.GoogleAPICallError, *_CONNECTION_ERRORS) as exc:
            log.warning(
                "could not drop staging table %s (it expires by itself within %s): %s",
                stage.table_id,
                STAGE_EXPIRY,
                exc,
            )

    # --- the commit ----------------------------------------------------------------------------
    def _commit(
        self, path: Path, raw_table: str, digest: str, sql: str, marker: str
    ) -> ManifestEntry:
        """Run the commit as job n = 0, 1, ... until the manifest holds the content.

        ``marker``: a staging table of this load, named in its commit SQL (how a job found
        under a commit id is recognised as this load's own)."""
        numbers = itertools.count()
        entry: ManifestEntry | None = None
        for attempt in self._retrying(retry_if_exception_type(_CommitRolledBack)):
            with attempt:
                entry = self._commit_once(path, raw_table, digest, sql, marker, numbers)
        assert entry is not None
        return entry

    def _commit_once(
        self,
        path: Path,
        raw_table: str,
        digest: str,
        sql: str,
        marker: str,
        numbers: Iterator[int],
    ) -> ManifestEntry:
        for n in numbers:
            if n >= MAX_COMMIT_JOBS:
                raise LoadError(
                    f"{path}: {MAX_COMMIT_JOBS} commit jobs of this content failed or ended "
                    f"without recording it; see jobs nba_props_commit_*_{digest[:12]}* in "
                    "INFORMATION_SCHEMA.JOBS"
                )
            job_id = commit_job_id(self.dataset, raw_table, digest, n)
            job = self._start_commit(job_id, sql, raw_table)
            ours = marker in (getattr(job, "query", None) or "")
            failure = self._settle(job, ours, path)
            entry = self._manifest_entry(raw_table, digest)
            if entry is not None:
                return entry
            if not ours:
                # Another run's commit of this content, finished without recording it (it
                # failed, or its manifest row was deleted since): commit this load as n + 1.
                log.info(
                    "%s: commit job %s (another run's) did not record the file; "
                    "committing this load as the next job",
                    path,
                    job_id,
                )
                continue
            if failure is None:
                raise LoadError(
                    f"{path}: commit job {job_id} succeeded but {self.dataset}.{MANIFEST} has "
                    "no row for the file; check the manifest table"
                )
            message = failure.get("message") or failure.get("reason")
            if failure.get("reason") in TRANSIENT_JOB_REASONS:
                log.warning(
                    "%s: commit job %s failed (%s) and was rolled back; committing again",
                    path,
                    job_id,
                    message,
                )
                raise _CommitRolledBack(
                    f"{path}: commit job {job_id} failed ({message}) and was rolled back, "
                    "nothing was loaded; load the file again"
                )
            raise LoadError(
                f"{path}: commit job {job_id} failed and was rolled back, nothing was loaded: "
                f"{message}"
            )
        raise AssertionError("unreachable")  # pragma: no cover - itertools.count is endless

    def _start_commit(self, job_id: str, sql: str, raw_table: str) -> Any:
        """Create the commit job, or find the one that holds ``job_id`` already."""
        config = bigquery.QueryJobConfig(
            labels=self._labels(step="commit", raw_table=raw_table),
            maximum_bytes_billed=self.settings.maximum_bytes_billed,
            use_legacy_sql=False,
        )
        if self.settings.server_job_timeout:
            config.job_timeout_ms = int(self.settings.job_timeout_s * 1000)
        for attempt in self._retrying(retry_if_exception(_transient)):
            with attempt:
                try:
                    return self.client.query(
                        sql,
                        job_config=config,
                        job_id=job_id,
                        location=self.settings.location,
                        retry=self._retry(),
                        job_retry=None,  # a new job would need a new id: see _commit
                        timeout=self.settings.api_deadline_s,
                    )
                except api_exceptions.Conflict:
                    # The id is taken: a concurrent run's commit of this content, or ours
                    # whose creation answered with an error. The job says which.
                    return self._get_job(job_id)
                except (api_exceptions.GoogleAPICallError, *_CONNECTION_ERRORS) as exc:
                    # The request failed, but the job may exist: never assume it does not.
                    try:
                        return self._get_job(job_id)
                    except api_exceptions.NotFound:
                        raise exc from None
        raise AssertionError("unreachable")  # pragma: no cover - reraise=True

    def _get_job(self, job_id: str) -> Any:
        return self.client.get_job(
            job_id,
            location=self.settings.location,
            retry=self._retry(),
            timeout=self.settings.api_deadline_s,
        )

    def _settle(self, job: Any, ours: bool, path: Path) -> dict[str, Any] | None:
        """Wait for a commit job to finish; its error result, or None when it succeeded.

        An exception from the wait can be the job's failure or the API's: the job's own
        state (jobs.get) decides, never the exception."""
        deadline = time.monotonic() + self.settings.job_timeout_s
        while True:
            try:
                job.result(
                    timeout=max(deadline - time.monotonic(), 1.0),
                    retry=self._retry(),
                    job_retry=None,
                )
                return None
            except concurrent.futures.TimeoutError:
                return self._timed_out(job, ours, path)
            except (api_exceptions.GoogleAPICallError, *_CONNECTION_ERRORS) as exc:
                job = self._job_state(job.job_id, exc)
                if job.state == "DONE":
                    return job.error_result  # None: done without error; the API had failed
                if time.monotonic() >= deadline:
                    return self._timed_out(job, ours, path)
                log.warning(
                    "%s: reading commit job %s failed (%s); it is still %s, waiting",
                    path,
                    job.job_id,
                    exc,
                    job.state,
                )

    def _job_state(self, job_id: str, cause: BaseException) -> Any:
        try:
            for attempt in self._retrying(retry_if_exception(_transient)):
                with attempt:
                    return self._get_job(job_id)
        except (api_exceptions.GoogleAPICallError, *_CONNECTION_ERRORS) as exc:
            raise LoadError(
                f"commit job {job_id}: its outcome is unknown ({cause}; reading it: {exc}). "
                "Load the file again: the commit records it at most once"
            ) from exc
        raise AssertionError("unreachable")  # pragma: no cover - reraise=True

    def _timed_out(self, job: Any, ours: bool, path: Path) -> dict[str, Any] | None:
        timeout = self.settings.job_timeout_s
        if not ours:
            raise LoadError(
                f"{path}: another run is loading the same content (commit job {job.job_id} "
                f"still running after {timeout:.0f}s); try again when it has finished"
            )
        self.client.cancel_job(
            job.job_id,
            location=self.settings.location,
            retry=self._retry(),
            timeout=self.settings.api_deadline_s,
        )
        raise LoadError(
            f"{path}: commit job {job.job_id} did not finish within {timeout:.0f}s and was "
            "cancelled (a cancelled transaction is rolled back); load the file again"
        )

    # --- load jobs -----------------------------------------------------------------------------
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
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
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
                    table,
                    job_id=sanitize_job_id(job_id),
                    job_config=config,
                    # No size: always a resumable upload (chunked, each chunk retried).
                    num_retries=6,
                    location=self.settings.location,
                    timeout=self.settings.api_deadline_s,
                )
            except api_exceptions.Conflict:
                # The upload was retried after BigQuery had already created the job.
                job = self._get_job(sanitize_job_id(job_id))
        self._wait(job)
        return job

    def _wait(self, job: bigquery.LoadJob) -> None:
        try:
            job.result(timeout=self.settings.job_timeout_s, retry=self._retry())
        except concurrent.futures.TimeoutError:
            self.client.cancel_job(
                job.job_id,
                location=self.settings.location,
                retry=self._retry(),
                timeout=self.settings.api_deadline_s,
            )
            raise LoadError(
                f"load job {job.job_id} did not finish within {self.settings.job_timeout_s:.0f}s "
                "and was cancelled"
            ) from None
        except api_exceptions.GoogleAPICallError as exc:
            if _transient(exc):
                raise
            details = "; ".join(e.get("message", "") for e in (job.errors or [])[:5])
            raise LoadError(f"load job {job.job_id} failed: {details or exc.message}") from None


def sanitize_job_id(job_id: str) -> str:
    """Job ids allow [A-Za-z0-9_-], up to 1,024 characters."""
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in job_id)[:1024]


__all__ = [
    "BQ_TYPES",
    "MANIFEST",
    "MANIFEST_COLUMNS",
    "REJECTED",
    "REJECTED_COLUMNS",
    "BigQueryLoader",
    "LoadOptions",
    "ManifestEntry",
    "cluster_columns",
    "commit_job_id",
    "commit_sql",
    "create_table_ddl",
    "partition_column",
    "raw_columns",
    "sanitize_job_id",
]
