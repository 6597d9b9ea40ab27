"""What a source scraper gets (one run's client, landing and config) and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from nba_props.scrape.config import ScrapeConfig
from nba_props.scrape.errors import SchemaDriftError
from nba_props.scrape.http import HttpClient, HttpResponse
from nba_props.scrape.landing import RunLanding
from nba_props.scrape.logs import get_logger
from nba_props.scrape.redaction import redact

T = TypeVar("T")
Row = dict[str, Any]
log = get_logger("run")


@dataclass
class SourceOutput:
    """Rows per raw table, plus rows that could not be mapped (kept for review, not loaded)."""

    tables: dict[str, list[Row]]
    rejected: dict[str, tuple[list[str], list[Row]]] = field(default_factory=dict)


@dataclass
class RunContext:
    source: str
    game_date: date
    run_id: str
    base_url: str
    client: HttpClient
    landing: RunLanding
    config: ScrapeConfig
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str, **extra: Any) -> None:
        message = redact(message)
        self.warnings.append(message)
        log.warning(message, extra={"event": "warning", **extra})

    def checked(self, name: str, response: HttpResponse, check: Callable[[bytes], T]) -> T:
        """Run ``check`` (parse + validate) on a body; land it in raw/ if it passes, else
        quarantine it and re-raise the :class:`SchemaDriftError`."""
        failure: SchemaDriftError | None = None
        try:
            value = check(response.content)
        except SchemaDriftError as exc:
            failure = exc
        if failure is not None:
            self.landing.quarantine(name, response.content, failure)
            raise failure
        self.landing.land_raw(name, response.content)
        return value
