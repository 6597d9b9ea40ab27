"""API keys: from an env var, else from GCP Secret Manager. Every value is registered with the
redactor the moment it is read, so it can never reach a log line, an error or a landed file.

Resolution for a key named ``NAME`` (``ODDS_API_KEY``, ``BALLDONTLIE_API_KEY``):

1. the env var ``NAME``;
2. the env var ``NAME_SECRET``: a full Secret Manager resource name
   (``projects/P/secrets/S/versions/latest``);
3. ``projects/$NBA_PROPS_GCP_PROJECT/secrets/NAME/versions/latest`` when
   ``NBA_PROPS_GCP_PROJECT`` is set.

``google-cloud-secret-manager`` is imported only for 2 and 3; without it the error says so.
"""

from __future__ import annotations

import os

from nba_props.scrape.errors import MissingSecretError, ScrapeError
from nba_props.scrape.logs import get_logger
from nba_props.scrape.redaction import register_secret

ODDS_API_KEY = "ODDS_API_KEY"
BALLDONTLIE_API_KEY = "BALLDONTLIE_API_KEY"
GCP_PROJECT_ENV = "NBA_PROPS_GCP_PROJECT"
_SECRET_TIMEOUT_S = 10.0

log = get_logger("secrets")


def _secret_manager_value(resource: str) -> str:
    try:
        from google.cloud import secretmanager  # type: ignore[attr-defined]
    except ImportError:
        raise MissingSecretError(
            f"reading {resource} needs google-cloud-secret-manager, which is not installed "
            "(pip install google-cloud-secret-manager), or set the key in an env var"
        ) from None
    client = secretmanager.SecretManagerServiceClient()
    failure: str | None = None
    try:
        response = client.access_secret_version(
            request={"name": resource}, timeout=_SECRET_TIMEOUT_S
        )
        value = response.payload.data.decode("utf-8").strip()
    except Exception as exc:  # noqa: BLE001 - google.api_core raises many types; re-raised below
        failure = f"{type(exc).__name__}: {exc}"
    if failure is not None:
        raise ScrapeError(f"Secret Manager could not read {resource}: {failure}")
    return value


def get_secret(name: str) -> str:
    """The value of secret ``name`` (registered with the redactor); raises if absent."""
    value = os.environ.get(name, "").strip()
    origin = f"env var {name}"
    if not value:
        resource = os.environ.get(f"{name}_SECRET", "").strip()
        project = os.environ.get(GCP_PROJECT_ENV, "").strip()
        if not resource and project:
            resource = f"projects/{project}/secrets/{name}/versions/latest"
        if not resource:
            raise MissingSecretError(
                f"{name} is not configured: set the env var {name}, or {name}_SECRET to a "
                f"Secret Manager resource name, or {GCP_PROJECT_ENV} to read secret {name}"
            )
        value = _secret_manager_value(resource)
        origin = f"Secret Manager {resource}"
    if not value:
        raise MissingSecretError(f"{name} is empty ({origin})")
    register_secret(value)
    log.debug("secret %s read from %s", name, origin)
    return value
