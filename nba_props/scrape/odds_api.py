"""The Odds API v4: NBA player props for one game date, flattened to odds_api_player_props.

live mode:        GET /v4/sports/basketball_nba/events            (the date's events)
                  GET /v4/sports/basketball_nba/events/{id}/odds  (one request per event)
historical mode:  GET /v4/historical/sports/basketball_nba/events?date=<start of the day>
                  GET /v4/historical/sports/basketball_nba/events/{id}/odds?date=<tip-off>
                  (payloads wrapped in {timestamp, previous_timestamp, next_timestamp, data})

The game date is the US Eastern calendar day. The key goes in the ``apiKey`` query parameter,
which the redactor masks in every URL, log line and error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, RootModel

from nba_props.scrape.context import Row, RunContext, SourceOutput
from nba_props.scrape.errors import HttpError, ScrapeError
from nba_props.scrape.http import HttpResponse
from nba_props.scrape.logs import get_logger
from nba_props.scrape.secrets import ODDS_API_KEY, get_secret
from nba_props.scrape.validation import load_json, validate

# Yes/no player markets (no line): Yes lands as the over of 0.5, No as the under.
YES_NO_MARKETS = frozenset({
    "player_double_double", "player_triple_double", "player_first_basket",
    "player_first_team_basket",
})
YES_NO_SIDES = {"yes": "over", "no": "under"}
YES_NO_LINE = 0.5
SOURCE = "odds_api"
DEFAULT_BASE_URL = "https://api.the-odds-api.com"
SPORT = "basketball_nba"
PROPS_TABLE = "odds_api_player_props"
EASTERN = ZoneInfo("America/New_York")
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_QUOTA_HEADERS = ("x-requests-remaining", "x-requests-used", "x-requests-last")
log = get_logger("odds_api")


# -- payload models -------------------------------------------------------------------------
class Event(BaseModel):
    id: str
    sport_key: str
    commence_time: AwareDatetime
    home_team: str
    away_team: str


class EventList(RootModel[list[Event]]):
    pass


class Outcome(BaseModel):
    name: str
    description: str | None = None
    price: float
    point: float | None = None


class Market(BaseModel):
    key: str
    last_update: AwareDatetime | None = None
    outcomes: list[Outcome]


class Bookmaker(BaseModel):
    key: str
    title: str | None = None
    last_update: AwareDatetime | None = None
    markets: list[Market]


class EventOdds(Event):
    bookmakers: list[Bookmaker]


class _Snapshot(BaseModel):
    timestamp: AwareDatetime
    previous_timestamp: AwareDatetime | None = None
    next_timestamp: AwareDatetime | None = None


class HistoricalEvents(_Snapshot):
    data: list[Event]


class HistoricalEventOdds(_Snapshot):
    data: EventOdds


# -- helpers ----------------------------------------------------------------------------------
def day_window(game_date: date) -> tuple[datetime, datetime]:
    """The US Eastern calendar day ``game_date`` as a UTC [start, end) window."""
    start = datetime.combine(game_date, time(0), EASTERN)
    end = datetime.combine(game_date + timedelta(days=1), time(0), EASTERN)
    return start.astimezone(UTC), end.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _side_and_line(market_key: str, name: str, point: float | None) -> tuple[str, float] | None:
    """Over/Under with a line; or Yes/No of a yes/no market, landed as over/under 0.5 (the
    count of the event is at least one), so its lines land and are counted downstream."""
    side = name.strip().lower()
    if side in ("over", "under") and point is not None:
        return side, point
    if market_key in YES_NO_MARKETS and point is None and side in YES_NO_SIDES:
        return YES_NO_SIDES[side], YES_NO_LINE
    return None


def flatten(odds: EventOdds, snapshot_time: datetime | None) -> tuple[list[Row], int]:
    """One row per (player, bookmaker, market, line) with the Over and Under prices.

    Returns the rows and the number of outcomes skipped (not Over/Under or the Yes/No of a
    yes/no market, or no player or no line)."""
    game = f"{odds.away_team} @ {odds.home_team}"
    rows: dict[tuple[str, str, str, float], Row] = {}
    skipped = 0
    for book in odds.bookmakers:
        for market in book.markets:
            for outcome in market.outcomes:
                player = (outcome.description or "").strip()
                side_line = _side_and_line(market.key, outcome.name, outcome.point)
                if side_line is None or not player:
                    skipped += 1
                    continue
                side, line = side_line
                key = (player, book.key, market.key, line)
                row = rows.setdefault(
                    key,
                    {
                        "player": player,
                        "game": game,
                        "game_time": odds.commence_time,
                        "market": market.key,
                        "line": line,
                        "bookmaker": book.key,
                        "over_odds": None,
                        "under_odds": None,
                        "bookmaker_last_update": book.last_update,
                        "market_last_update": market.last_update,
                        "event_id": odds.id,
                        "snapshot_time": snapshot_time,
                    },
                )
                row[f"{side}_odds"] = outcome.price
    return list(rows.values()), skipped


def _mode(ctx: RunContext) -> str:
    mode = ctx.config.odds_mode
    if mode != "auto":
        return mode
    today = ctx.config.now().astimezone(EASTERN).date()
    return "historical" if ctx.game_date < today else "live"


def _log_quota(response: HttpResponse) -> None:
    quota = {h.replace("-", "_"): response.headers.get(h) for h in _QUOTA_HEADERS}
    if any(quota.values()):
        log.info("odds api quota %s", quota, extra={"event": "quota"})


# -- scrape -----------------------------------------------------------------------------------
class _OddsRun:
    def __init__(self, ctx: RunContext, mode: str) -> None:
        self.ctx = ctx
        self.mode = mode
        self.key = get_secret(ODDS_API_KEY)
        prefix = "/v4/historical" if mode == "historical" else "/v4"
        self.root = f"{ctx.base_url.rstrip('/')}{prefix}/sports/{SPORT}"

    def get(self, endpoint: str, path: str, params: dict[str, str]) -> HttpResponse:
        response = self.ctx.client.get(
            endpoint, f"{self.root}{path}", params={"apiKey": self.key, **params}
        )
        _log_quota(response)
        return response

    def events(self, start: datetime, end: datetime) -> list[Event]:
        params = {
            "dateFormat": "iso",
            "commenceTimeFrom": iso_z(start),
            "commenceTimeTo": iso_z(end - timedelta(seconds=1)),
        }
        if self.mode == "historical":
            params["date"] = iso_z(start)
            response = self.get("historical_events", "/events", params)
            return self.ctx.checked(
                "historical_events",
                response,
                lambda b: self._parse(HistoricalEvents, "historical_events", b).data,
            )
        response = self.get("events", "/events", params)
        return self.ctx.checked(
            "events", response, lambda b: self._parse(EventList, "events", b).root
        )

    def event_odds(self, event: Event) -> tuple[EventOdds, datetime] | None:
        if not _EVENT_ID.fullmatch(event.id):
            raise ScrapeError(f"{SOURCE}: refusing unsafe event id {event.id!r}")
        params = {
            "regions": self.ctx.config.odds_regions,
            "markets": ",".join(self.ctx.config.odds_markets),
            "oddsFormat": "american",
            "dateFormat": "iso",
        }
        if self.ctx.config.odds_bookmakers:
            params["bookmakers"] = ",".join(self.ctx.config.odds_bookmakers)
        endpoint = "historical_event_odds" if self.mode == "historical" else "event_odds"
        if self.mode == "historical":
            params["date"] = iso_z(event.commence_time)
        requested_at = self.ctx.config.now()
        try:
            response = self.get(endpoint, f"/events/{event.id}/odds", params)
        except HttpError as exc:
            if exc.status != 404:
                raise
            self.ctx.warn(f"{SOURCE}: no odds for event {event.id} (HTTP 404); skipped")
            return None
        name = f"{endpoint}-{event.id}"
        if self.mode == "historical":
            snap = self.ctx.checked(
                name, response, lambda b: self._parse(HistoricalEventOdds, endpoint, b)
            )
            return snap.data, snap.timestamp
        odds = self.ctx.checked(name, response, lambda b: self._parse(EventOdds, endpoint, b))
        return odds, requested_at

    @staticmethod
    def _parse(model: Any, endpoint: str, content: bytes) -> Any:
        return validate(model, load_json(SOURCE, endpoint, content), SOURCE, endpoint)


def scrape(ctx: RunContext) -> SourceOutput:
    run = _OddsRun(ctx, _mode(ctx))
    start, end = day_window(ctx.game_date)
    events = [e for e in run.events(start, end) if start <= e.commence_time < end]
    rows: list[Row] = []
    skipped = 0
    for event in events:
        got = run.event_odds(event)
        if got is None:
            continue
        odds, snapshot_time = got
        event_rows, event_skipped = flatten(odds, snapshot_time)
        rows.extend(event_rows)
        skipped += event_skipped
    if skipped:
        ctx.warn(f"{SOURCE}: {skipped} outcome(s) without Over/Under, player or line skipped")
    log.info(
        "odds api: %d event(s), %d prop row(s), mode %s",
        len(events),
        len(rows),
        run.mode,
        extra={"event": "flattened"},
    )
    return SourceOutput(tables={PROPS_TABLE: rows})
