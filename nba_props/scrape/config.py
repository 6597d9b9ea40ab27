"""Knobs for one scrape: retries, timeouts, circuit breakers and per-source options.

The defaults suit production; tests pass a config with small waits.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from nba_props.scrape.breaker import DEFAULT_BREAKERS, BreakerRegistry

DEFAULT_PROP_MARKETS: tuple[str, ...] = (
    "player_points",
    "player_rebounds",
    "player_assists",
    "player_threes",
    "player_blocks",
    "player_steals",
    "player_turnovers",
    "player_points_rebounds_assists",
    "player_points_rebounds",
    "player_points_assists",
    "player_rebounds_assists",
    "player_blocks_steals",
    # yes/no: landed and counted as not modelled (prop_markets_not_modelled)
    "player_double_double",
    "player_triple_double",
)
# LeagueGameLog needs one SeasonType per request; pre-season and All-Star are left out.
DEFAULT_SEASON_TYPES: tuple[str, ...] = ("Regular Season", "PlayIn", "Playoffs")
GCS_LANDING_ENV = "NBA_PROPS_LANDING_GCS"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _default_gcs_uri() -> str | None:
    return os.environ.get(GCS_LANDING_ENV, "").strip() or None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and in total time.

    The wait before retry ``n`` (1-based) is ``base * 2**(n-1)`` capped at ``max_wait_s``,
    half of it randomised; a ``Retry-After`` header raises it to at least that many seconds.
    A retry whose wait would take the request past ``max_total_s`` (since its first attempt)
    is not made, nor is one whose ``Retry-After`` is above ``max_retry_after_s``.
    """

    max_attempts: int = 5
    base_wait_s: float = 1.0
    max_wait_s: float = 30.0
    max_total_s: float = 120.0
    max_retry_after_s: float = 120.0


@dataclass(frozen=True)
class ScrapeConfig:
    retry: RetryPolicy = RetryPolicy()
    # Connect timeout; the read timeout is scrape_day's ``timeout``.
    connect_timeout_s: float = 5.0
    # Wall-clock cap on one attempt including the body download (a slow drip of bytes can
    # never hold a request open past it). None: 3 x the read timeout.
    max_attempt_s: float | None = None
    max_body_bytes: int = 64 * 1024 * 1024
    breakers: BreakerRegistry = field(default_factory=lambda: DEFAULT_BREAKERS)
    # NBA.com
    season: str | None = None  # e.g. "2024-25"; None: derived from the date
    season_types: tuple[str, ...] = DEFAULT_SEASON_TYPES
    nba_proxy: str | None = None  # None: nba_api's NBA_API_PROXY env var, if any
    # The Odds API
    odds_markets: tuple[str, ...] = DEFAULT_PROP_MARKETS
    odds_regions: str = "us"
    odds_bookmakers: tuple[str, ...] = ()
    # live: current odds of the date's events; historical: the snapshot at each tip-off;
    # auto: historical for dates before today (US Eastern), live otherwise.
    odds_mode: Literal["auto", "live", "historical"] = "auto"
    # balldontlie
    bdl_per_page: int = 100
    bdl_max_pages: int = 50
    # Also copy the landed run to gs://bucket/prefix (google-cloud-storage, imported lazily).
    gcs_uri: str | None = field(default_factory=_default_gcs_uri)
    now: Callable[[], datetime] = _utcnow

    def attempt_deadline_s(self, read_timeout: float) -> float:
        return self.max_attempt_s if self.max_attempt_s is not None else 3 * read_timeout
