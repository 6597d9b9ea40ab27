"""Structured logging for the scrapers: JSON lines carrying the run id, secrets redacted.

Every scrape module logs through :func:`get_logger`, whose loggers carry the redacting filter
and a filter that stamps the current run id and source (set with :func:`log_context`) on each
record. :func:`configure_logging` puts one JSON-lines handler on the root logger, so every
module's records (scrape, load, orchestrate, predict) go out the same way; the CLI calls it
once, at start.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO

from nba_props.scrape.redaction import REDACTING_FILTER, STANDARD_RECORD_ATTRS, redact

ROOT_LOGGER = "nba_props.scrape"
# urllib3 logs request lines (with query strings) at DEBUG: mask those too.
_THIRD_PARTY_LOGGERS = ("urllib3", "urllib3.connectionpool", "urllib3.util.retry", "tenacity")

_context: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "nba_props_scrape_log_context", default=()
)


class ContextFilter(logging.Filter):
    """Stamps ``run_id`` and ``source`` from the current :func:`log_context` on a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


CONTEXT_FILTER = ContextFilter()


@contextlib.contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Within the block, every scrape log record carries ``fields`` (e.g. run_id, source)."""
    merged = {**dict(_context.get()), **fields}
    token = _context.set(tuple(merged.items()))
    try:
        yield
    finally:
        _context.reset(token)


def _install_filters(logger: logging.Logger) -> None:
    for flt in (CONTEXT_FILTER, REDACTING_FILTER):
        if flt not in logger.filters:
            logger.addFilter(flt)


def get_logger(name: str) -> logging.Logger:
    """A logger under ``nba_props.scrape`` with the context and redacting filters."""
    full = name if name.startswith(ROOT_LOGGER) else f"{ROOT_LOGGER}.{name}"
    logger = logging.getLogger(full)
    _install_filters(logger)
    for other in _THIRD_PARTY_LOGGERS:
        _install_filters(logging.getLogger(other))
    return logger


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, run_id, source and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_RECORD_ATTRS and not key.startswith("_"):
                payload[key] = value if isinstance(value, int | float | bool) else redact(value)
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            payload["exc"] = redact(record.exc_text)
        return json.dumps(payload, default=str)


def configure_logging(level: int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record at ``level`` or above to ``stream`` (stderr) as JSON lines with
    the run id, secrets masked; returns the handler.

    It replaces the root logger's handlers, as ``logging.basicConfig(force=True)`` does: a
    dependency (dbt's snowplow tracker) calls ``logging.basicConfig()`` at import, which
    turns any later plain ``basicConfig`` into a no-op. Calling it again replaces it.
    """
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._nba_props_json = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CONTEXT_FILTER)
    handler.addFilter(REDACTING_FILTER)
    root.addHandler(handler)
    root.setLevel(level)
    get_logger(ROOT_LOGGER).setLevel(logging.NOTSET)  # the scrapers follow the root's level
    return handler
