"""The ML worker on BigQuery: the same reads as on DuckDB, and a load job + MERGE write.

Reads: each is ONE query with every value a query parameter: the SQL text is the
DuckDB reader's (nba_props.predict.reader), its ``?`` placeholders turned into named
parameters and its relations qualified with the project. Results come back as Arrow:
through the Storage Read API where installed, else REST pages (the emulator).

Write, per date (``replace_predictions``):

1. the batch, cast to the contract's Arrow schema, is written as Parquet and loaded by ONE
   load job with the contract's explicit BigQuery schema into a staging table of its own
   (``nba_predictions._stage_<table>_<run>_<date>_<n>``, expiring after a day);
2. ONE ``MERGE`` replaces the target's rows in scope: the date, run mode, (system,
   version)s and markets written. Rows of the batch are inserted or updated by
   ``prediction_id``; rows in scope that the batch no longer has are deleted. A MERGE is
   one atomic statement: a reader sees the date's old rows or its new ones, never a mix,
   and a re-run replaces what it wrote (idempotent);
3. the staging table is dropped.

A date with nothing to write runs one scoped ``DELETE`` instead. Every job has a timeout
(``BigQuerySettings.job_timeout_s``), every API call a retry deadline, and each step is
retried on transient job errors only (tenacity); each step is idempotent, so a retry is
safe.
"""

from __future__ import annotations

import concurrent.futures
import io
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from google.cloud import bigquery

from nba_props.predict.contract import (
    ARROW_SCHEMA,
    COLUMN_NAMES,
    PREDICTION_COLUMNS,
    SCHEMA,
    TABLE,
    create_table_bigquery_sql,
)
from nba_props.predict.warehouse_io import SqlPredictionReads
from nba_props.warehouse.bigquery import (
    BigQuerySettings,
    api_retry_policy,
    check_identifier,
    labels,
    named_parameters,
    read_arrow,
    retrying,
    run_query,
)

log = logging.getLogger(__name__)

STAGE_PREFIX = f"_stage_{TABLE}"
STAGE_EXPIRY = timedelta(days=1)
_ATTEMPTS = 3


def merge_sql(target: str, stage: str) -> str:
    """The one statement that replaces a date's rows in scope (parameters: @game_date,
    @run_mode, @system_keys ['system_id|system_version', ...], @markets)."""
    updates = ",\n        ".join(
        f"{c} = source.{c}" for c in COLUMN_NAMES if c != "prediction_id"
    )
    columns = ", ".join(COLUMN_NAMES)
    values = ", ".join(f"source.{c}" for c in COLUMN_NAMES)
    return f"""merge `{target}` as target
using `{stage}` as source
on target.prediction_id = source.prediction_id and target.game_date = @game_date
when matched then update set
        {updates}
when not matched by target then
    insert ({columns})
    values ({values})
when not matched by source
    and {_scope("target")}
    then delete"""  # noqa: S608 (names are checked identifiers; values are parameters)


def delete_sql(target: str) -> str:
    """A date's rows in scope, deleted (a date with nothing to write)."""
    return f"delete from `{target}` as target where {_scope('target')}"  # noqa: S608


def _scope(alias: str) -> str:
    return (
        f"{alias}.game_date = @game_date\n    and {alias}.run_mode = @run_mode\n"
        f"    and concat({alias}.system_id, '|', {alias}.system_version) in unnest(@system_keys)"
        f"\n    and {alias}.market in unnest(@markets)"
    )


def schema_fields() -> list[bigquery.SchemaField]:
    """The load job's explicit schema: the contract's columns, types and nullability."""
    return [
        bigquery.SchemaField(c.name, c.bigquery_type, mode=c.bigquery_mode,
                             description=c.description[:1024])
        for c in PREDICTION_COLUMNS
    ]


def parquet_bytes(batch: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(batch, sink, compression="snappy")
    return sink.getvalue()


def check_scope(batch: pa.Table, game_date: date, run_mode: str,
                systems: Sequence[tuple[str, str]], markets: Sequence[str]) -> None:
    """Every row of the batch inside the scope the MERGE replaces (else a later re-run
    could not remove it)."""
    if batch.num_rows == 0:
        return
    keys = {f"{s}|{v}" for s, v in systems}
    row_keys = pc.binary_join_element_wise(batch["system_id"], batch["system_version"], "|")
    problems = []
    if set(batch["game_date"].to_pylist()) != {game_date}:
        problems.append("game_date")
    if set(batch["run_mode"].to_pylist()) != {run_mode}:
        problems.append("run_mode")
    if not set(row_keys.to_pylist()) <= keys:
        problems.append("system")
    if not set(batch["market"].to_pylist()) <= set(markets):
        problems.append("market")
    if problems:
        raise ValueError(f"predictions outside the written scope ({', '.join(problems)})")


class BigQueryPredictionIO(SqlPredictionReads):
    """The worker's reads and its atomic per-date write on BigQuery."""

    engine = "bigquery"

    def __init__(self, client: bigquery.Client, settings: BigQuerySettings, *,
                 run_id: str | None = None, attempts: int = _ATTEMPTS):
        self.client = client
        self.settings = settings
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.attempts = attempts
        self._stages = 0

    @property
    def project(self) -> str:
        return self.client.project or self.settings.project

    @property
    def target(self) -> str:
        return self.qualified(f"{SCHEMA}.{TABLE}")

    def qualified(self, name: str) -> str:
        """``dataset.table`` -> ``project.dataset.table`` (checked identifiers)."""
        dataset, table = name.split(".")
        return ".".join([self.project, check_identifier(dataset, "dataset"),
                         check_identifier(table, "table")])

    def relation(self, name: str) -> str:
        """How the shared SQL names a relation on BigQuery: quoted, with the project."""
        return f"`{self.qualified(name)}`"

    def _labels(self, step: str) -> dict[str, str]:
        return {"component": "predict", "step": step, "run_id": self.run_id}

    def _retry(self) -> Any:
        return retrying(self.attempts)

    # --- reads (the SQL of SqlPredictionReads, qualified for BigQuery) -------------------
    def _table(self, sql: str, values: Sequence[object], step: str) -> pa.Table:
        text, params = named_parameters(sql, values)
        for attempt in self._retry():
            with attempt:
                table = read_arrow(self.client, text, params, settings=self.settings,
                                   job_labels=self._labels(step))
        return table

    # --- write ---------------------------------------------------------------------------------
    def ensure_table(self) -> None:
        """The dataset and the table (from the contract), then a check of its columns."""
        api = api_retry_policy(self.settings.api_deadline_s)
        dataset = bigquery.Dataset(f"{self.project}.{SCHEMA}")
        dataset.location = self.settings.location
        self.client.create_dataset(dataset, exists_ok=True, retry=api,
                                   timeout=self.settings.api_deadline_s)
        self._run(create_table_bigquery_sql(self.target), None, "ddl")
        table = self.client.get_table(self.target, retry=api,
                                      timeout=self.settings.api_deadline_s)
        existing = [f.name for f in table.schema]
        if existing != list(COLUMN_NAMES):
            raise RuntimeError(
                f"{self.target} does not match the contract: has {existing}, "
                f"expected {list(COLUMN_NAMES)}"
            )

    def replace_predictions(
        self,
        game_date: date,
        run_mode: str,
        systems: Sequence[tuple[str, str]],
        markets: Sequence[str],
        batch: pa.Table,
    ) -> int:
        """Replace the date's rows of these (system, version)s and markets in ONE statement."""
        batch = batch.select(list(COLUMN_NAMES)).cast(ARROW_SCHEMA)
        if not systems or not markets:
            if batch.num_rows:
                raise ValueError("predictions to write but no systems or markets to scope them")
            return 0
        check_scope(batch, game_date, run_mode, systems, markets)
        params: dict[str, object] = {
            "game_date": game_date,
            "run_mode": run_mode,
            "system_keys": [f"{s}|{v}" for s, v in systems],
            "markets": list(markets),
        }
        if batch.num_rows == 0:
            job = self._run(delete_sql(self.target), params, "delete")
            log.info("no predictions for %s (%s): %s old row(s) deleted", game_date, run_mode,
                     job.num_dml_affected_rows)
            return 0
        stage = self._create_stage(game_date)
        try:
            self._load_stage(stage, batch)
            job = self._run(merge_sql(self.target, stage), params, "merge")
        finally:
            self.client.delete_table(stage, not_found_ok=True,
                                     retry=api_retry_policy(self.settings.api_deadline_s),
                                     timeout=self.settings.api_deadline_s)
        log.info("wrote %d predictions for %s (%s) to %s: MERGE affected %s rows",
                 batch.num_rows, game_date, run_mode, self.target, job.num_dml_affected_rows)
        return batch.num_rows

    def _run(self, sql: str, params: dict[str, object] | None, step: str) -> Any:
        for attempt in self._retry():
            with attempt:
                job = run_query(self.client, sql, params, settings=self.settings,
                                job_labels=self._labels(step))
                self._wait(job)
        return job

    def _wait(self, job: Any) -> None:
        try:
            job.result(timeout=self.settings.job_timeout_s,
                       retry=api_retry_policy(self.settings.api_deadline_s))
        except concurrent.futures.TimeoutError:
            self.client.cancel_job(job.job_id, location=self.settings.location,
                                   retry=api_retry_policy(self.settings.api_deadline_s),
                                   timeout=self.settings.api_deadline_s)
            raise TimeoutError(
                f"BigQuery job {job.job_id} did not finish within "
                f"{self.settings.job_timeout_s:.0f}s and was cancelled"
            ) from None

    def _create_stage(self, game_date: date) -> str:
        self._stages += 1
        name = check_identifier(
            f"{STAGE_PREFIX}_{_safe(self.run_id)}_{game_date:%Y%m%d}_{self._stages}", "table"
        )
        stage_id = f"{self.project}.{SCHEMA}.{name}"
        stage = bigquery.Table(stage_id, schema=schema_fields())
        stage.expires = datetime.now(UTC) + STAGE_EXPIRY  # dropped below; expiry if we crash
        stage.labels = labels(self.settings.labels, component="predict", step="stage")
        self.client.create_table(stage, exists_ok=True,
                                 retry=api_retry_policy(self.settings.api_deadline_s),
                                 timeout=self.settings.api_deadline_s)
        return stage_id

    def _load_stage(self, stage: str, batch: pa.Table) -> None:
        """ONE load job: the batch as Parquet, the contract's schema, replacing the stage."""
        config = bigquery.LoadJobConfig(
            schema=schema_fields(),
            source_format=bigquery.SourceFormat.PARQUET,
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
            create_disposition=bigquery.CreateDisposition.CREATE_NEVER,
            labels=labels(self.settings.labels, **self._labels("load")),
        )
        if self.settings.server_job_timeout:
            config.job_timeout_ms = int(self.settings.job_timeout_s * 1000)
        data = parquet_bytes(batch)
        for attempt in self._retry():
            with attempt:
                job = self.client.load_table_from_file(
                    io.BytesIO(data), stage, job_config=config, num_retries=6,
                    location=self.settings.location, timeout=self.settings.api_deadline_s,
                )
                self._wait(job)


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)[:40]
