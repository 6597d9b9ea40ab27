"""Secret redaction: one registry of known secret values, masked everywhere text leaves us.

Every API key read through :mod:`nba_props.scrape.secrets` is registered here. ``redact`` masks
the registered values (raw, URL-encoded and JSON-escaped) and, independently of the registry,
the value of any ``apiKey=``-style query parameter, so a key the registry does not know
still never appears in a logged URL.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET_LEN = 4
_QUERY_SECRET = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?token|token|key|secret|password)=([^&\s\"'#<>]+)"
)
_AUTH_HEADER = re.compile(r"(?i)(['\"]?authorization['\"]?\s*[:=]\s*['\"]?)([^'\",\s}]+)")

STANDARD_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))
) | {"message", "asctime", "taskName"}

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that :func:`redact` masks it from now on."""
    if not value or len(value) < _MIN_SECRET_LEN:
        return
    variants = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    with _lock:
        _secrets.update(v for v in variants if len(v) >= _MIN_SECRET_LEN)


def forget_secrets() -> None:
    """Clear the registry (tests)."""
    with _lock:
        _secrets.clear()


def redact(text: object) -> str:
    """``text`` as a string with every known secret and every ``apiKey=`` value masked."""
    out = str(text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in out:
            out = out.replace(secret, MASK)
    out = _QUERY_SECRET.sub(rf"\1={MASK}", out)
    return _AUTH_HEADER.sub(rf"\1{MASK}", out)


class RedactingFilter(logging.Filter):
    """Rewrites a record in place so no handler (ours, pytest's caplog, a root handler) sees
    a secret: the message is rendered and redacted, and an attached exception is formatted
    now and redacted into ``exc_text``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError) as exc:
            message = f"{record.msg!r} (unformattable args: {exc})"
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in STANDARD_RECORD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


REDACTING_FILTER = RedactingFilter()
