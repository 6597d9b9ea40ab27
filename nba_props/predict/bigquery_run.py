"""`nba-props predict` on BigQuery: the worker with BigQueryPredictionIO.

google-cloud-bigquery is imported by the modules this one imports: the CLI imports this
module only for ``--target bigquery``. Settings come from NBA_PROPS_BQ_* (see
nba_props.warehouse.bigquery.BigQuerySettings); the model store is a local folder or a
``gs://`` prefix (NBA_PROPS_MODEL_DIR, --model-dir). Job rows go to
``nba_monitoring.processor_execution_log`` in BigQuery.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from google.cloud import bigquery

from nba_props.orchestrate.execution_log import BigQueryExecutionLog, current_run_id, job
from nba_props.predict.bigquery_io import BigQueryPredictionIO
from nba_props.predict.live_store import live_store
from nba_props.predict.settings import PredictSettings
from nba_props.predict.worker import DateResult, PredictionWorker
from nba_props.relations import MONITORING as MONITORING_DATASET
from nba_props.warehouse.bigquery import (
    BigQueryConfigError,
    BigQuerySettings,
    api_retry_policy,
    make_client,
)

log = logging.getLogger(__name__)


class BigQueryRun:
    """Settings, a client and the job log of one BigQuery command (made once)."""

    def __init__(self, settings: BigQuerySettings | None = None, client: Any = None):
        try:
            self.settings = settings or BigQuerySettings.from_env()
            self.client: bigquery.Client = client or make_client(self.settings)
        except BigQueryConfigError as exc:
            raise SystemExit(f"--target bigquery: {exc} (README, BigQuery section)") from None
        self._log: BigQueryExecutionLog | None = None

    @property
    def project(self) -> str:
        return self.client.project or self.settings.project

    def execution_log(self) -> BigQueryExecutionLog:
        """The job log in BigQuery (its dataset created if needed)."""
        if self._log is None:
            dataset = bigquery.Dataset(f"{self.project}.{MONITORING_DATASET}")
            dataset.location = self.settings.location
            self.client.create_dataset(
                dataset, exists_ok=True, retry=api_retry_policy(self.settings.api_deadline_s),
                timeout=self.settings.api_deadline_s,
            )
            self._log = BigQueryExecutionLog(self.client, self.project, MONITORING_DATASET,
                                             timeout_s=self.settings.job_timeout_s)
        return self._log

    def io(self, run_id: str | None = None) -> BigQueryPredictionIO:
        return BigQueryPredictionIO(self.client, self.settings, run_id=current_run_id(run_id))


def predict_bigquery(
    game_date: date,
    *,
    as_of: datetime | None = None,
    markets: Sequence[str] = (),
    systems: Sequence[str] = (),
    edge_threshold: float = 0.04,
    retrain_every_days: int | None = None,
    seed: int = 42,
    model_dir: Path | str | None = None,
    reuse_models: bool | None = None,
    database: Path = Path("data/nba_props.duckdb"),
    run: BigQueryRun | None = None,
    run_id: str | None = None,
    devig_method: str = "power",
    calibration: str = "platt",
) -> DateResult:
    """Predict one date (live) on BigQuery and write it (load job + one MERGE).

    The model store: ``model_dir`` (a folder or gs://...), else NBA_PROPS_MODEL_DIR, else
    ``models/`` beside ``database`` (a local path; no DuckDB file is opened).
    """
    run = run or BigQueryRun()
    settings = PredictSettings.live(
        markets=markets, systems=systems, edge_threshold=edge_threshold,
        retrain_every_days=retrain_every_days, seed=seed, devig_method=devig_method,
        calibration=calibration,
    )
    worker = PredictionWorker(run.io(run_id), settings, run_id=current_run_id(run_id),
                              model_store=live_store(database, model_dir, reuse_models))
    return worker.predict_date(game_date, as_of or datetime.now(UTC).replace(tzinfo=None))


def predict_logged(run: BigQueryRun, game_date: date, command: str, **kwargs: Any) -> DateResult:
    """predict_bigquery with its job row in BigQuery's processor_execution_log."""
    with job(run.execution_log(), "predict", f"predict {game_date}", command=command,
             run_id=kwargs.get("run_id")) as record:
        result = predict_bigquery(game_date, run=run, **kwargs)
        record.rows_affected = result.predictions_written
        record.set_detail(skipped_reason=result.skipped_reason, warehouse="bigquery",
                          models_reused=result.models_reused)
    return result
