"""Hardened scrapers: NBA.com (nba_api), The Odds API and balldontlie -> the landing zone.

Public API::

    scrape_day(source, game_date, landing_dir, run_id, *, base_url=None, timeout=10.0,
               config=None) -> ScrapeResult
    find_landed(landing_dir, game_date, *, sources=None, latest_only=False)
        -> dict[raw_table, list[Path]]          # replay mode: no key, no network
    configure_logging(level, stream)            # JSON lines with the run id, secrets masked

Module map: ``http`` (timeouts, tenacity retries, Retry-After, circuit breaker via
``breaker``), ``secrets`` + ``redaction`` (keys from env or Secret Manager, masked
everywhere), ``validation`` (pydantic -> SchemaDriftError), ``landing`` (run folders,
quarantine, manifest, GCS copy), ``nbacom`` / ``odds_api`` / ``balldontlie`` (one source
each), ``runner`` (``scrape_day``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from nba_props._lazy import lazy_exports

# Names are imported from their module on first use (PEP 562), so that importing one
# submodule (the CLI's logging, the errors) does not import every scraper.
_EXPORTS: dict[str, str] = {
    "BreakerRegistry": "nba_props.scrape.breaker",
    "CircuitBreaker": "nba_props.scrape.breaker",
    "RetryPolicy": "nba_props.scrape.config",
    "ScrapeConfig": "nba_props.scrape.config",
    "CircuitOpenError": "nba_props.scrape.errors",
    "HttpError": "nba_props.scrape.errors",
    "MissingSecretError": "nba_props.scrape.errors",
    "RetriesExhaustedError": "nba_props.scrape.errors",
    "SchemaDriftError": "nba_props.scrape.errors",
    "ScrapeError": "nba_props.scrape.errors",
    "TransientError": "nba_props.scrape.errors",
    "find_landed": "nba_props.scrape.landing",
    "configure_logging": "nba_props.scrape.logs",
    "SCRAPERS": "nba_props.scrape.runner",
    "ScrapeResult": "nba_props.scrape.runner",
    "Source": "nba_props.scrape.runner",
    "scrape_day": "nba_props.scrape.runner",
}

if TYPE_CHECKING:
    from nba_props.scrape.breaker import BreakerRegistry, CircuitBreaker
    from nba_props.scrape.config import RetryPolicy, ScrapeConfig
    from nba_props.scrape.errors import (
        CircuitOpenError,
        HttpError,
        MissingSecretError,
        RetriesExhaustedError,
        SchemaDriftError,
        ScrapeError,
        TransientError,
    )
    from nba_props.scrape.landing import find_landed
    from nba_props.scrape.logs import configure_logging
    from nba_props.scrape.runner import SCRAPERS, ScrapeResult, Source, scrape_day

    SOURCES: tuple[str, ...]


def _sources() -> tuple[str, ...]:
    return tuple(import_module("nba_props.scrape.runner").SCRAPERS)


__getattr__ = lazy_exports(__name__, _EXPORTS, {"SOURCES": _sources})


__all__ = [
    "SCRAPERS",
    "SOURCES",
    "BreakerRegistry",
    "CircuitBreaker",
    "CircuitOpenError",
    "HttpError",
    "MissingSecretError",
    "RetriesExhaustedError",
    "RetryPolicy",
    "SchemaDriftError",
    "ScrapeConfig",
    "ScrapeError",
    "ScrapeResult",
    "Source",
    "TransientError",
    "configure_logging",
    "find_landed",
    "scrape_day",
]
