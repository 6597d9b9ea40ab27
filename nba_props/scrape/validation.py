"""Turn a response body into a validated pydantic model, or a :class:`SchemaDriftError` that
names the source, the endpoint and the first offending field.

Errors are built from pydantic's error locations and types only, never from the input
values, and are raised outside the ``except`` block so no upstream exception is chained.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from nba_props.scrape.errors import SchemaDriftError

M = TypeVar("M", bound=BaseModel)
BODY = "(body)"


def load_json(source: str, endpoint: str, content: bytes) -> Any:
    """Decode and parse a JSON body; truncated or malformed JSON is schema drift."""
    problem: str | None = None
    data: Any = None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = ""
        problem = f"body is not UTF-8 (byte {exc.start})"
    if problem is None and not text.strip():
        problem = "empty body"
    if problem is None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated")
            kind = "truncated" if ends_early else "malformed"
            problem = (
                f"{kind} JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}, "
                f"char {exc.pos} of {len(text)})"
            )
    if problem is not None:
        raise SchemaDriftError(source, endpoint, BODY, problem)
    return data


def describe_validation_error(exc: ValidationError, prefix: str = "") -> tuple[str, str]:
    """(field path, problem) of the first error; the problem never quotes the input."""
    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    loc = ".".join(str(part) for part in first["loc"])
    field = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or BODY)
    problem = f"{first['msg']} [{first['type']}]"
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more error(s))"
    return field, problem


def validate(model: type[M], data: Any, source: str, endpoint: str, prefix: str = "") -> M:
    """``model`` validated from ``data``, or :class:`SchemaDriftError`."""
    failure: tuple[str, str] | None = None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        failure = describe_validation_error(exc, prefix)
    raise SchemaDriftError(source, endpoint, *failure)


def parse(model: type[M], content: bytes, source: str, endpoint: str) -> M:
    """JSON body -> validated ``model``."""
    return validate(model, load_json(source, endpoint, content), source, endpoint)
