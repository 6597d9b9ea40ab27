"""BigQuery client, credentials, retries and bounded-memory queries.

Credentials come from Application Default Credentials (``gcloud auth application-default
login`` on a laptop, the attached service account on Cloud Run / GCE / GKE) or, when
``NBA_PROPS_BQ_SECRET`` names one, from a service-account key held in Secret Manager.
A local emulator (``api_endpoint``) gets anonymous credentials. Credentials are never
logged: only where they came from.

Every query goes through :func:`run_query` / :func:`iter_arrow_batches`, which take the
values as query parameters (``QueryJobConfig(query_parameters=...)``), never as text.
Results are read as Arrow record batches, page by page, so memory stays bounded whatever
the result size; nothing here calls ``.to_dataframe()``.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import google.auth
import pyarrow as pa
from google.api_core import exceptions as api_exceptions
from google.api_core import retry as api_retry
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import DefaultCredentialsError
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY
from google.oauth2 import service_account
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

BIGQUERY_SCOPES = ("https://www.googleapis.com/auth/bigquery",)
# Job error reasons that mean "try again": the failed job wrote nothing, so a new job is safe.
# https://cloud.google.com/bigquery/docs/error-messages
TRANSIENT_JOB_REASONS = frozenset(
    {"backendError", "internalError", "rateLimitExceeded", "jobBackendError", "jobInternalError"}
)
_LABEL_RE = re.compile(r"[^a-z0-9_-]+")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,1023}$")
_PROJECT_RE = re.compile(r"^[a-z][a-z0-9.:-]{3,62}$")


class BigQueryConfigError(RuntimeError):
    """The BigQuery client cannot be set up (no project, no credentials, missing package)."""


@dataclass(frozen=True)
class BigQuerySettings:
    """Where and how to talk to BigQuery. ``from_env`` reads the NBA_PROPS_BQ_* variables."""

    project: str
    location: str = "US"
    # A local emulator, e.g. http://127.0.0.1:9050: anonymous credentials, no Google traffic.
    api_endpoint: str | None = None
    # Secret Manager resource holding a service-account key (JSON), e.g.
    # projects/my-project/secrets/nba-props-bq/versions/latest. None: use ADC.
    secret: str | None = None
    # Wall-clock limit for one job (client side; also sent to BigQuery as jobTimeoutMs).
    job_timeout_s: float = 600.0
    # Deadline for retrying one API call on transient errors (HTTP 429/5xx, connection resets).
    api_deadline_s: float = 120.0
    maximum_bytes_billed: int | None = 50_000_000_000
    # Send jobTimeoutMs so BigQuery itself cancels a runaway job (crucible-emulator refuses it).
    server_job_timeout: bool = True
    # Read query results through the BigQuery Storage Read API (Arrow streams) when the
    # google-cloud-bigquery-storage package is installed; never against an emulator.
    storage_api: bool = True
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BigQuerySettings:
        env = os.environ if env is None else env
        project = env.get("NBA_PROPS_BQ_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT")
        if not project:
            raise BigQueryConfigError(
                "no BigQuery project: set NBA_PROPS_BQ_PROJECT (or GOOGLE_CLOUD_PROJECT)"
            )
        max_bytes = env.get("NBA_PROPS_BQ_MAX_BYTES_BILLED")
        return cls(
            project=project,
            location=env.get("NBA_PROPS_BQ_LOCATION", "US"),
            api_endpoint=env.get("NBA_PROPS_BQ_API_ENDPOINT") or None,
            secret=env.get("NBA_PROPS_BQ_SECRET") or None,
            job_timeout_s=float(env.get("NBA_PROPS_BQ_JOB_TIMEOUT_S", "600")),
            maximum_bytes_billed=int(max_bytes) if max_bytes else 50_000_000_000,
            storage_api=env.get("NBA_PROPS_BQ_STORAGE_API", "1").strip().lower()
            not in ("0", "false", "no", "off"),
        )

    @property
    def use_storage_api(self) -> bool:
        """Storage Read API for results: asked for, not an emulator, and the package there."""
        return self.storage_api and not self.api_endpoint and storage_api_installed()


def sanitize_label(value: object) -> str:
    """A BigQuery label value: lower case, [a-z0-9_-], at most 63 characters."""
    text = _LABEL_RE.sub("_", str(value).lower()).strip("_")
    return text[:63] or "none"


def labels(base: Mapping[str, str] | None = None, **extra: object) -> dict[str, str]:
    merged: dict[str, object] = {"app": "nba_props", **(base or {}), **extra}
    return {sanitize_label(k): sanitize_label(v) for k, v in merged.items() if v is not None}


def check_identifier(name: str, what: str = "identifier") -> str:
    """Table, dataset and column names come from code (contracts), not input; check anyway."""
    if not _IDENT_RE.match(name):
        raise BigQueryConfigError(f"invalid BigQuery {what}: {name!r}")
    return name


def _secret_credentials(secret: str, settings: BigQuerySettings) -> Any:
    try:
        # Optional: google-cloud-secret-manager (only with NBA_PROPS_BQ_SECRET).
        from google.cloud import secretmanager  # type: ignore[attr-defined]
    except ImportError:
        raise BigQueryConfigError(
            "NBA_PROPS_BQ_SECRET is set but google-cloud-secret-manager is not installed: "
            "`pip install google-cloud-secret-manager`, or unset NBA_PROPS_BQ_SECRET to use "
            "Application Default Credentials"
        ) from None
    client = secretmanager.SecretManagerServiceClient()
    response = client.access_secret_version(
        request={"name": secret},
        timeout=settings.api_deadline_s,
        retry=api_retry.Retry(
            predicate=api_retry.if_transient_error, timeout=settings.api_deadline_s
        ),
    )
    try:
        info = json.loads(response.payload.data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # Never echo the payload: it is a private key.
        raise BigQueryConfigError(
            f"secret {secret} does not hold a service-account key in JSON"
        ) from None
    return service_account.Credentials.from_service_account_info(info, scopes=BIGQUERY_SCOPES)


def make_credentials(settings: BigQuerySettings) -> tuple[Any, str]:
    """(credentials, where they came from). The second item is safe to log."""
    if settings.api_endpoint:
        return AnonymousCredentials(), f"anonymous (emulator at {settings.api_endpoint})"
    if settings.secret:
        return _secret_credentials(settings.secret, settings), "Secret Manager service account"
    try:
        credentials, _ = google.auth.default(scopes=BIGQUERY_SCOPES)
    except DefaultCredentialsError:
        raise BigQueryConfigError(
            "no Application Default Credentials: run `gcloud auth application-default login`, "
            "attach a service account, or set NBA_PROPS_BQ_SECRET to a Secret Manager key"
        ) from None
    return credentials, "Application Default Credentials"


def make_client(settings: BigQuerySettings) -> bigquery.Client:
    if not _PROJECT_RE.match(settings.project):
        raise BigQueryConfigError(f"invalid BigQuery project id: {settings.project!r}")
    credentials, source = make_credentials(settings)
    options = {"api_endpoint": settings.api_endpoint} if settings.api_endpoint else None
    log.info("BigQuery project %s (%s), credentials: %s", settings.project, settings.location,
             source)
    return bigquery.Client(
        project=settings.project,
        location=settings.location,
        credentials=credentials,
        client_options=options,
    )


def api_retry_policy(deadline_s: float) -> api_retry.Retry:
    """google-cloud-bigquery's own predicate: transient HTTP errors and connection resets only."""
    return DEFAULT_RETRY.with_deadline(deadline_s)


def is_transient_job_error(exc: BaseException) -> bool:
    """True for a finished job that failed for a reason worth a new job (not bad data or SQL)."""
    if isinstance(exc, (api_exceptions.TooManyRequests, api_exceptions.InternalServerError,
                        api_exceptions.BadGateway, api_exceptions.ServiceUnavailable,
                        api_exceptions.GatewayTimeout)):
        return True
    errors = getattr(exc, "errors", None) or []
    reasons = {e.get("reason") for e in errors if isinstance(e, dict)}
    return bool(reasons) and reasons <= TRANSIENT_JOB_REASONS


def _parameter(
    name: str, value: object
) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    if isinstance(value, (list, tuple)):
        items = list(value)
        kind = _scalar_type(items[0]) if items else "STRING"
        return bigquery.ArrayQueryParameter(name, kind, items)
    return bigquery.ScalarQueryParameter(name, _scalar_type(value), value)


def _scalar_type(value: object) -> str:
    # bool before int: bool is an int subclass.
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, Decimal):
        return "NUMERIC"
    if isinstance(value, datetime):
        return "TIMESTAMP"
    if isinstance(value, date):
        return "DATE"
    if value is None or isinstance(value, str):
        return "STRING"
    raise TypeError(f"unsupported query parameter type {type(value).__name__}")


def query_parameters(params: Mapping[str, object]) -> list[Any]:
    return [_parameter(name, value) for name, value in params.items()]


def run_query(
    client: bigquery.Client,
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    settings: BigQuerySettings,
    job_labels: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> bigquery.QueryJob:
    """Start one query with its values as parameters; bounded by bytes billed and a timeout.

    Literal values must never be formatted into ``sql``: pass them in ``params`` and refer
    to them as ``@name``.
    """
    config = bigquery.QueryJobConfig(
        labels=labels(settings.labels, **(job_labels or {})),
        maximum_bytes_billed=settings.maximum_bytes_billed,
        use_legacy_sql=False,
    )
    if params:
        config.query_parameters = query_parameters(params)
    if settings.server_job_timeout:
        config.job_timeout_ms = int(settings.job_timeout_s * 1000)
    if dry_run:
        config.dry_run = True
    return client.query(
        sql,
        job_config=config,
        retry=api_retry_policy(settings.api_deadline_s),
        job_retry=None if dry_run else DEFAULT_JOB_RETRY.with_deadline(settings.job_timeout_s),
        timeout=settings.api_deadline_s,
    )


def iter_arrow_batches(
    client: bigquery.Client,
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    settings: BigQuerySettings,
    page_size: int = 10_000,
    job_labels: Mapping[str, str] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The result of a query as Arrow record batches of at most ``page_size`` rows.

    Only one page is held in memory at a time (REST pages; no Storage API client, so it
    also works against an emulator). Use it instead of ``.to_dataframe()``.
    """
    job = run_query(client, sql, params, settings=settings, job_labels=job_labels)
    rows = job.result(
        page_size=page_size,
        timeout=settings.job_timeout_s,
        retry=api_retry_policy(settings.api_deadline_s),
    )
    yield from rows.to_arrow_iterable(bqstorage_client=None, max_queue_size=1)


def storage_api_installed() -> bool:
    """True when google-cloud-bigquery-storage is installed (``pip install
    'nba-props[bigquery-storage]'``); without it results come through REST pages."""
    return importlib.util.find_spec("google.cloud.bigquery_storage_v1") is not None


def read_arrow(
    client: bigquery.Client,
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    settings: BigQuerySettings,
    job_labels: Mapping[str, str] | None = None,
) -> pa.Table:
    """The whole result of ONE bounded query (e.g. one date's rows) as an Arrow table.

    Through the Storage Read API (Arrow record batches, in parallel streams) when
    ``settings.use_storage_api``; else through REST pages (an emulator, or the package not
    installed). The job is waited for with a timeout; a job still running then is
    cancelled. For results too large to hold, use :func:`iter_arrow_batches`.
    """
    job = run_query(client, sql, params, settings=settings, job_labels=job_labels)
    try:
        rows = job.result(
            timeout=settings.job_timeout_s, retry=api_retry_policy(settings.api_deadline_s)
        )
    except concurrent.futures.TimeoutError:
        client.cancel_job(job.job_id, location=settings.location,
                          retry=api_retry_policy(settings.api_deadline_s),
                          timeout=settings.api_deadline_s)
        raise
    storage = settings.use_storage_api
    log.debug("query %s: %s rows through %s", job.job_id, rows.total_rows,
              "the Storage Read API" if storage else "REST pages")
    return rows.to_arrow(create_bqstorage_client=storage, progress_bar_type=None)


def named_parameters(sql: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """A ``?``-placeholder statement (DuckDB's) as BigQuery named parameters @p0, @p1, ...

    The same query text serves both engines; every value stays a parameter. ``?`` inside
    a string literal is left alone.
    """
    out: list[str] = []
    quote: str | None = None
    n = 0
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in ("'", '"', "`"):
            quote = ch
        elif ch == "?":
            out.append(f"@p{n}")
            n += 1
            continue
        out.append(ch)
    if n != len(values):
        raise ValueError(f"{n} placeholders for {len(values)} values")
    return "".join(out), {f"p{i}": v for i, v in enumerate(values)}


def retrying(attempts: int = 3, max_wait_s: float = 30.0) -> Retrying:
    """tenacity: a new job after a transient job failure (never after bad SQL or data)."""
    return Retrying(
        retry=retry_if_exception(is_transient_job_error),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=2, max=max_wait_s),
        reraise=True,
    )


def dry_run_bytes(
    client: bigquery.Client,
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    settings: BigQuerySettings,
) -> int:
    """Bytes a query would scan (a free dry run): how the cost estimate is checked for real."""
    job = run_query(client, sql, params, settings=settings, dry_run=True)
    return int(job.total_bytes_processed or 0)


def table_id(project: str, dataset: str, table: str) -> str:
    return ".".join(
        [project, check_identifier(dataset, "dataset"), check_identifier(table, "table")]
    )


def schema_fields(columns: Sequence[tuple[str, str]]) -> list[bigquery.SchemaField]:
    return [bigquery.SchemaField(check_identifier(n, "column"), t) for n, t in columns]
