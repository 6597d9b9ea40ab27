"""Scrape errors. Every message is passed through the secret redactor when the error is built."""

from __future__ import annotations

from nba_props.scrape.redaction import redact


class ScrapeError(RuntimeError):
    """Base class: a scrape failed. ``str(err)`` never contains a registered secret."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class MissingSecretError(ScrapeError):
    """An API key is configured nowhere (env var, Secret Manager)."""


class HttpError(ScrapeError):
    """A request failed with a non-retryable status (4xx other than 408/429)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(ScrapeError):
    """A retryable failure: timeout, connection error, 429 or 5xx."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RetriesExhaustedError(ScrapeError):
    """Retries ran out (attempts or total wait) on a transient failure."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CircuitOpenError(ScrapeError):
    """The host's circuit breaker is open: the call failed fast, nothing was sent."""


class SchemaDriftError(ScrapeError):
    """A payload did not match its model: bad JSON, a missing field, a wrong type."""

    def __init__(self, source: str, endpoint: str, field: str, problem: str) -> None:
        super().__init__(f"schema drift in {source} {endpoint}: field {field!r}: {problem}")
        self.source = source
        self.endpoint = endpoint
        self.field = field
        self.problem = redact(problem)
