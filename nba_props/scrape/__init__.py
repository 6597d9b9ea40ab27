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

SOURCES: tuple[str, ...] = tuple(SCRAPERS)

__all__ = [
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
