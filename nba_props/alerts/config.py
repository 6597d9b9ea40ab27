"""Where alerts go and when a run deserves one: channels from the environment, targets from
dbt_project.yml.

Channels (none configured: nothing is sent, and the CLI says so at DEBUG):

- webhook: ``NBA_PROPS_ALERT_WEBHOOK_URL`` (a Slack incoming webhook, or any URL that takes
  a JSON POST), or ``NBA_PROPS_ALERT_WEBHOOK_URL_SECRET`` naming a GCP Secret Manager version;
  ``NBA_PROPS_ALERT_WEBHOOK_FORMAT`` = ``auto`` (Slack's ``{"text": ...}`` for
  hooks.slack.com, else the full JSON alert), ``slack`` or ``json``.
- email: ``NBA_PROPS_ALERT_SMTP_HOST``, ``_PORT`` (587), ``_SECURITY`` (``starttls``,
  ``ssl`` or ``none``), ``_USER``, ``_PASSWORD`` (or ``_PASSWORD_SECRET``), ``_FROM``, ``_TO``
  (comma-separated).

Both secrets (the webhook URL, whose path is its token, and the SMTP password) are read
through :func:`nba_props.scrape.secrets.get_secret`, which registers them with the redactor:
no log line, error or alert carries them. Secret Manager is asked only when the ``_SECRET``
variable names a version (an unset alert channel never costs a network call).

Delivery: ``NBA_PROPS_ALERT_TIMEOUT_S`` (10 s per attempt), ``NBA_PROPS_ALERT_RETRIES``
(2 retries after the first attempt), ``NBA_PROPS_ALERT_BACKOFF_S`` (1 s, doubled per retry).
Thresholds: ``NBA_PROPS_ALERT_WARN_MIN_ROWS`` (10): a warning test alerts from that many
failing rows. The SLO target and the budget are dbt vars (``prediction_coverage_slo``,
``daily_cost_budget_usd``, ``daily_duration_budget_seconds``), read from dbt_project.yml so
that the tests and the alerts share one number. Sent alerts are remembered per run in
``NBA_PROPS_ALERT_STATE_DIR`` (default ``data/state/alerts``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from nba_props.paths import PROJECT_DIR
from nba_props.scrape.errors import ScrapeError
from nba_props.scrape.redaction import REDACTING_FILTER, redact, register_secret
from nba_props.scrape.secrets import get_secret

log = logging.getLogger("nba_props.alerts")
log.addFilter(REDACTING_FILTER)


WEBHOOK_URL = "NBA_PROPS_ALERT_WEBHOOK_URL"
WEBHOOK_FORMAT = "NBA_PROPS_ALERT_WEBHOOK_FORMAT"
SMTP_HOST = "NBA_PROPS_ALERT_SMTP_HOST"
SMTP_PORT = "NBA_PROPS_ALERT_SMTP_PORT"
SMTP_SECURITY = "NBA_PROPS_ALERT_SMTP_SECURITY"
SMTP_USER = "NBA_PROPS_ALERT_SMTP_USER"
SMTP_PASSWORD = "NBA_PROPS_ALERT_SMTP_PASSWORD"  # noqa: S105 - the variable's name
SMTP_FROM = "NBA_PROPS_ALERT_SMTP_FROM"
SMTP_TO = "NBA_PROPS_ALERT_SMTP_TO"
TIMEOUT = "NBA_PROPS_ALERT_TIMEOUT_S"
RETRIES = "NBA_PROPS_ALERT_RETRIES"
BACKOFF = "NBA_PROPS_ALERT_BACKOFF_S"
WARN_MIN_ROWS = "NBA_PROPS_ALERT_WARN_MIN_ROWS"
STATE_DIR = "NBA_PROPS_ALERT_STATE_DIR"

WEBHOOK_FORMATS = ("auto", "slack", "json")
SMTP_SECURITIES = ("starttls", "ssl", "none")
DEFAULT_STATE_DIR = Path("data/state/alerts")
MAX_RETRIES = 5  # bounded whatever the environment says


class AlertConfigError(ValueError):
    """An alert setting is present but unusable (its message names the variable)."""


@dataclass(frozen=True)
class WebhookSettings:
    url: str = field(repr=False)
    fmt: str = "auto"

    @property
    def payload_format(self) -> str:
        if self.fmt != "auto":
            return self.fmt
        return "slack" if urlsplit(self.url).hostname == "hooks.slack.com" else "json"

    def __repr__(self) -> str:  # the URL is the secret: never printed
        return f"WebhookSettings(url=***, fmt={self.fmt!r})"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Thresholds:
    """When a run deserves an alert beyond a failure."""

    warn_min_rows: int = 10  # a warning test alerts from this many failing rows
    coverage_slo: float = 0.95  # dbt var prediction_coverage_slo
    budget_usd: float = 5.0  # dbt var daily_cost_budget_usd
    budget_seconds: float = 3600.0  # dbt var daily_duration_budget_seconds
    usd_per_tib: float = 6.25  # dbt var bq_usd_per_tib


@dataclass(frozen=True)
class AlertConfig:
    webhook: WebhookSettings | None = None
    smtp: SmtpSettings | None = None
    timeout_s: float = 10.0
    retries: int = 2
    backoff_s: float = 1.0
    thresholds: Thresholds = field(default_factory=Thresholds)
    state_dir: Path = DEFAULT_STATE_DIR
    problems: tuple[str, ...] = ()  # settings that were present but unusable

    @property
    def channel_names(self) -> list[str]:
        return [name for name, on in (("webhook", self.webhook), ("email", self.smtp)) if on]

    @classmethod
    def from_env(cls, project_dir: Path = PROJECT_DIR) -> AlertConfig:
        """The channels and settings of this process's environment. An unusable channel is
        left out and said in ``problems`` (and logged): alerting never stops a run."""
        problems: list[str] = []
        webhook = _guarded(_webhook_from_env, problems)
        smtp = _guarded(_smtp_from_env, problems)
        try:
            timeout_s = _positive_float(TIMEOUT, 10.0)
            retries = min(int(_positive_float(RETRIES, 2, allow_zero=True)), MAX_RETRIES)
            backoff_s = _positive_float(BACKOFF, 1.0, allow_zero=True)
            warn_min_rows = int(_positive_float(WARN_MIN_ROWS, 10))
        except AlertConfigError as exc:
            problems.append(str(exc))
            log.error("alert settings: %s (defaults used)", exc)
            timeout_s, retries, backoff_s, warn_min_rows = 10.0, 2, 1.0, 10
        return cls(
            webhook=webhook,
            smtp=smtp,
            timeout_s=timeout_s,
            retries=retries,
            backoff_s=backoff_s,
            thresholds=thresholds_from_dbt(project_dir, warn_min_rows),
            state_dir=Path(os.environ.get(STATE_DIR) or DEFAULT_STATE_DIR),
            problems=tuple(problems),
        )


def thresholds_from_dbt(project_dir: Path = PROJECT_DIR, warn_min_rows: int = 10) -> Thresholds:
    """The SLO target and the budget from dbt_project.yml's vars (the tests use the same)."""
    defaults = Thresholds(warn_min_rows=warn_min_rows)
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        log.warning("alert thresholds: cannot read dbt_project.yml (%s): defaults used", exc)
        return defaults
    dbt_vars: dict[str, Any] = (project or {}).get("vars") or {}

    def number(name: str, default: float) -> float:
        try:
            return float(dbt_vars.get(name, default))
        except (TypeError, ValueError):
            log.warning("alert thresholds: var %s is not a number: %r", name, dbt_vars.get(name))
            return default

    return Thresholds(
        warn_min_rows=warn_min_rows,
        coverage_slo=number("prediction_coverage_slo", defaults.coverage_slo),
        budget_usd=number("daily_cost_budget_usd", defaults.budget_usd),
        budget_seconds=number("daily_duration_budget_seconds", defaults.budget_seconds),
        usd_per_tib=number("bq_usd_per_tib", defaults.usd_per_tib),
    )


def _guarded(read: Any, problems: list[str]) -> Any:
    try:
        return read()
    except (AlertConfigError, ScrapeError) as exc:  # ScrapeError: the secrets helper's
        message = redact(exc)
        problems.append(message)
        log.error("alert channel left out: %s", message)
        return None


def _configured(name: str) -> bool:
    return bool(os.environ.get(name, "").strip() or os.environ.get(f"{name}_SECRET", "").strip())


def _read_secret(name: str) -> str:
    """The env var, else the Secret Manager version its ``_SECRET`` twin names; registered
    with the redactor either way."""

    return get_secret(name)


def _webhook_from_env() -> WebhookSettings | None:
    if not _configured(WEBHOOK_URL):
        return None
    url = _read_secret(WEBHOOK_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertConfigError(f"{WEBHOOK_URL} is not an http(s) URL")
    # The token is the path (Slack: /services/T.../B.../<token>) or the query: mask those
    # wherever they show up alone (urllib3 logs the request line without the host).
    register_secret(parts.path if len(parts.path) > 1 else None)
    register_secret(parts.query or None)
    fmt = os.environ.get(WEBHOOK_FORMAT, "auto").strip().lower() or "auto"
    if fmt not in WEBHOOK_FORMATS:
        raise AlertConfigError(f"{WEBHOOK_FORMAT} must be one of {WEBHOOK_FORMATS}, not {fmt!r}")
    return WebhookSettings(url=url, fmt=fmt)


def _smtp_from_env() -> SmtpSettings | None:
    host = os.environ.get(SMTP_HOST, "").strip()
    if not host:
        return None
    security = os.environ.get(SMTP_SECURITY, "starttls").strip().lower() or "starttls"
    if security not in SMTP_SECURITIES:
        raise AlertConfigError(
            f"{SMTP_SECURITY} must be one of {SMTP_SECURITIES}, not {security!r}"
        )
    default_port = 465 if security == "ssl" else 587
    port = int(_positive_float(SMTP_PORT, default_port))
    recipients = tuple(a.strip() for a in os.environ.get(SMTP_TO, "").split(",") if a.strip())
    if not recipients:
        raise AlertConfigError(f"{SMTP_HOST} is set but {SMTP_TO} names no recipient")
    sender = os.environ.get(SMTP_FROM, "").strip()
    if not sender:
        raise AlertConfigError(f"{SMTP_HOST} is set but {SMTP_FROM} is not")
    user = os.environ.get(SMTP_USER, "").strip() or None
    password = _read_secret(SMTP_PASSWORD) if _configured(SMTP_PASSWORD) else None
    if password and not user:
        raise AlertConfigError(f"{SMTP_PASSWORD} is set but {SMTP_USER} is not")
    return SmtpSettings(
        host=host,
        port=port,
        sender=sender,
        recipients=recipients,
        security=security,
        user=user,
        password=password,
    )


def _positive_float(name: str, default: float, allow_zero: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise AlertConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise AlertConfigError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, not {raw!r}")
    return value
