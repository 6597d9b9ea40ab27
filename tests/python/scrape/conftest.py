"""A real HTTP server on 127.0.0.1 (ephemeral port) serving scripted, API-shaped replies,
plus payload builders shaped like NBA.com stats, The Odds API v4 and balldontlie v1."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from nba_props.scrape import BreakerRegistry, RetryPolicy, ScrapeConfig
from nba_props.scrape.redaction import forget_secrets

ODDS_KEY = "odds-SECRET-key-7f3a9c21e4b8"
BDL_KEY = "bdl-SECRET-key-0c9e8d7f6a5b"
FIXED_NOW = datetime(2024, 10, 22, 15, 0, tzinfo=UTC)


# -- the server ---------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # Declare a longer body than sent (the connection then closes mid-body).
    content_length: int | None = None
    # Send the body in this many pieces, sleeping ``drip_delay`` before each.
    drip_chunks: int = 1
    drip_delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: str

    def q(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


Responder = Reply | Callable[[Seen], Reply]


@dataclass
class _Route:
    path: str
    match: Callable[[Seen], bool] | None
    replies: list[Responder]


class FakeServer:
    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(
        self, path: str, *replies: Responder, match: Callable[[Seen], bool] | None = None
    ) -> None:
        """Replies are served in order; the last one repeats."""
        self._routes.insert(0, _Route(path, match, list(replies)))

    def hits(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def _reply_for(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            for route in self._routes:
                if route.path == seen.path and (route.match is None or route.match(seen)):
                    responder = route.replies.pop(0) if len(route.replies) > 1 else route.replies[0]
                    break
            else:
                return Reply(404, {"message": f"no route for {seen.path}"})
        return responder(seen) if callable(responder) else responder


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            seen = Seen(parts.path, parse_qs(parts.query), dict(self.headers.items()), self.path)
            reply = server._reply_for(seen)
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.payload()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(reply.content_length or len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                step = max(1, -(-len(body) // reply.drip_chunks))
                for start in range(0, len(body), step):
                    if reply.drip_delay:
                        time.sleep(reply.drip_delay)
                    self.wfile.write(body[start : start + step])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    httpd = _Server(("127.0.0.1", 0), _handler(fake))
    fake.httpd = httpd
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)


# -- environment ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in (
        "NBA_API_PROXY",
        "NBA_API_REQUIRE_PROXY",
        "ODDS_API_KEY",
        "BALLDONTLIE_API_KEY",
        "ODDS_API_KEY_SECRET",
        "BALLDONTLIE_API_KEY_SECRET",
        "NBA_PROPS_GCP_PROJECT",
        "NBA_PROPS_LANDING_GCS",
    ):
        monkeypatch.delenv(name, raising=False)
    yield
    forget_secrets()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("ODDS_API_KEY", ODDS_KEY)
    monkeypatch.setenv("BALLDONTLIE_API_KEY", BDL_KEY)
    return {"odds": ODDS_KEY, "bdl": BDL_KEY}


def fast_config(**overrides: Any) -> ScrapeConfig:
    """Small waits, a fresh breaker registry, no GCS, a fixed clock."""
    defaults: dict[str, Any] = {
        "retry": RetryPolicy(
            max_attempts=3, base_wait_s=0.01, max_wait_s=0.05, max_total_s=10, max_retry_after_s=5
        ),
        "breakers": BreakerRegistry(failure_threshold=50, cooldown_s=60),
        "connect_timeout_s": 1.0,
        "gcs_uri": None,
        "season_types": ("Regular Season",),
        "now": lambda: FIXED_NOW,
    }
    defaults.update(overrides)
    return ScrapeConfig(**defaults)


@pytest.fixture
def config_factory() -> Callable[..., ScrapeConfig]:
    return fast_config


# -- payload builders -----------------------------------------------------------------------------
_BOX = [
    "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM", "FTA", "FT_PCT", "OREB", "DREB",
    "REB", "AST", "STL", "BLK", "TOV", "PF", "PTS", "PLUS_MINUS",
]  # fmt: skip
PLAYER_HEADERS = [
    "SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME",
    "GAME_ID", "GAME_DATE", "MATCHUP", "WL", "MIN", *_BOX, "FANTASY_PTS", "VIDEO_AVAILABLE",
]  # fmt: skip
TEAM_HEADERS = [
    "SEASON_ID", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID", "GAME_DATE",
    "MATCHUP", "WL", "MIN", *_BOX, "VIDEO_AVAILABLE",
]  # fmt: skip
PLAYER_ROWS = [
    ["22024", 1628369, "Jayson Tatum", 1610612738, "BOS", "Boston Celtics", "0022400061",
     "2024-10-22", "BOS vs. NYK", "W", 30, 14, 24, 0.583, 8, 12, 0.667, 1, 2, 0.5, 1, 9, 10,
     3, 1, 0, 2, 2, 37, 24, 60.1, 1],
    ["22024", 1626157, "Karl-Anthony Towns", 1610612752, "NYK", "New York Knicks",
     "0022400061", "2024-10-22", "NYK @ BOS", "L", 24, 5, 9, 0.556, 1, 2, 0.5, 1, 1, 1.0, 0,
     7, 7, 3, 0, 0, 0, 1, 12, -18, 25.4, 1],
]  # fmt: skip
TEAM_ROWS = [
    ["22024", 1610612738, "BOS", "Boston Celtics", "0022400061", "2024-10-22", "BOS vs. NYK",
     "W", 240, 48, 95, 0.505, 29, 61, 0.475, 7, 9, 0.778, 10, 40, 50, 33, 5, 4, 8, 13, 132,
     23.0, 1],
    ["22024", 1610612752, "NYK", "New York Knicks", "0022400061", "2024-10-22", "NYK @ BOS",
     "L", 240, 40, 85, 0.471, 12, 40, 0.3, 17, 19, 0.895, 9, 28, 37, 23, 6, 3, 10, 18, 109,
     -23.0, 1],
]  # fmt: skip


def league_game_log(player_or_team: str, rows: list[list[Any]] | None = None) -> dict[str, Any]:
    headers = PLAYER_HEADERS if player_or_team == "P" else TEAM_HEADERS
    data = rows if rows is not None else (PLAYER_ROWS if player_or_team == "P" else TEAM_ROWS)
    data = copy.deepcopy(data)
    return {
        "resource": "leaguegamelog",
        "parameters": {"PlayerOrTeam": player_or_team, "Season": "2024-25"},
        "resultSets": [{"name": "LeagueGameLog", "headers": list(headers), "rowSet": data}],
    }


def _sb_team(team_id: int, tricode: str, city: str, name: str, score: int) -> dict[str, Any]:
    return {
        "teamId": team_id, "teamName": name, "teamCity": city, "teamTricode": tricode,
        "teamSlug": name.lower(), "wins": 1, "losses": 0, "score": score, "seed": None,
        "inBonus": None, "timeoutsRemaining": 0, "periods": [],
    }  # fmt: skip


def scoreboard_v3() -> dict[str, Any]:
    return {
        "meta": {"version": 1, "request": "scoreboardv3", "time": "2024-10-23T06:00:00Z"},
        "scoreboard": {
            "gameDate": "2024-10-22",
            "leagueId": "00",
            "leagueName": "National Basketball Association",
            "games": [
                {
                    "gameId": "0022400061", "gameCode": "20241022/NYKBOS", "gameStatus": 3,
                    "gameStatusText": "Final", "period": 4, "gameClock": "",
                    "gameTimeUTC": "2024-10-22T23:30:00Z", "gameEt": "2024-10-22T19:30:00Z",
                    "regulationPeriods": 4, "seriesGameNumber": "", "gameLabel": "",
                    "gameSubLabel": "", "seriesText": "", "ifNecessary": False,
                    "seriesConference": "", "poRoundDesc": "", "gameSubtype": "",
                    "isNeutral": False,
                    "homeTeam": _sb_team(1610612738, "BOS", "Boston", "Celtics", 132),
                    "awayTeam": _sb_team(1610612752, "NYK", "New York", "Knicks", 109),
                    "gameLeaders": {}, "teamLeaders": {}, "broadcasters": {},
                },
                {
                    "gameId": "0022400062", "gameCode": "20241022/MINLAL", "gameStatus": 3,
                    "gameStatusText": "Final", "period": 4, "gameClock": "",
                    "gameTimeUTC": "2024-10-23T02:00:00Z", "gameEt": "2024-10-22T22:00:00Z",
                    "regulationPeriods": 4, "seriesGameNumber": "", "gameLabel": "",
                    "gameSubLabel": "", "seriesText": "", "ifNecessary": False,
                    "seriesConference": "", "poRoundDesc": "", "gameSubtype": "",
                    "isNeutral": False,
                    "homeTeam": _sb_team(1610612747, "LAL", "Los Angeles", "Lakers", 110),
                    "awayTeam": _sb_team(1610612750, "MIN", "Minnesota", "Timberwolves", 103),
                    "gameLeaders": {}, "teamLeaders": {}, "broadcasters": {},
                },
            ],
        },
    }  # fmt: skip


EVENT_BOS = "e912304de2b2ce35b473ce2ecd3d1502"
EVENT_LAL = "a4c7d0e5b4f1a9e9f3c1b2d3e4f5a6b7"
EVENT_NEXT_DAY = "ffffeeeeddddccccbbbbaaaa99998888"


def odds_events() -> list[dict[str, Any]]:
    base = {"sport_key": "basketball_nba", "sport_title": "NBA"}
    return [
        {**base, "id": EVENT_BOS, "commence_time": "2024-10-22T23:40:00Z",
         "home_team": "Boston Celtics", "away_team": "New York Knicks"},
        {**base, "id": EVENT_LAL, "commence_time": "2024-10-23T02:10:00Z",
         "home_team": "Los Angeles Lakers", "away_team": "Minnesota Timberwolves"},
        # 2024-10-23 19:30 ET: the next Eastern day, outside 2024-10-22's window.
        {**base, "id": EVENT_NEXT_DAY, "commence_time": "2024-10-23T23:30:00Z",
         "home_team": "Detroit Pistons", "away_team": "Indiana Pacers"},
    ]  # fmt: skip


def _outcome(side: str, player: str, price: int, point: float) -> dict[str, Any]:
    return {"name": side, "description": player, "price": price, "point": point}


def event_odds(event_id: str = EVENT_BOS) -> dict[str, Any]:
    """BOS game: 2 books; LAL game: 1 book. Over+Under pairs, one Over-only line, and one
    non Over/Under outcome (skipped)."""
    if event_id == EVENT_LAL:
        return {
            "id": EVENT_LAL, "sport_key": "basketball_nba", "sport_title": "NBA",
            "commence_time": "2024-10-23T02:10:00Z", "home_team": "Los Angeles Lakers",
            "away_team": "Minnesota Timberwolves",
            "bookmakers": [{
                "key": "fanduel", "title": "FanDuel", "last_update": "2024-10-23T02:05:00Z",
                "markets": [{
                    "key": "player_points", "last_update": "2024-10-23T02:05:00Z",
                    "outcomes": [
                        _outcome("Over", "Anthony Davis", -120, 26.5),
                        _outcome("Under", "Anthony Davis", -108, 26.5),
                    ],
                }],
            }],
        }  # fmt: skip
    return {
        "id": EVENT_BOS, "sport_key": "basketball_nba", "sport_title": "NBA",
        "commence_time": "2024-10-22T23:40:00Z", "home_team": "Boston Celtics",
        "away_team": "New York Knicks",
        "bookmakers": [
            {
                "key": "draftkings", "title": "DraftKings",
                "last_update": "2024-10-22T23:35:00Z",
                "markets": [
                    {
                        "key": "player_points", "last_update": "2024-10-22T23:35:00Z",
                        "outcomes": [
                            _outcome("Over", "Jayson Tatum", -115, 27.5),
                            _outcome("Under", "Jayson Tatum", -105, 27.5),
                            _outcome("Over", "Jalen Brunson", 100, 25.5),
                            _outcome("Under", "Jalen Brunson", -130, 25.5),
                        ],
                    },
                    {
                        "key": "player_threes", "last_update": "2024-10-22T23:30:00Z",
                        "outcomes": [
                            _outcome("Over", "Jayson Tatum", -160, 3.5),
                            _outcome("Under", "Jayson Tatum", 124, 3.5),
                            _outcome("Over", "Derrick White", 110, 2.5),
                        ],
                    },
                ],
            },
            {
                "key": "fanduel", "title": "FanDuel", "last_update": "2024-10-22T23:36:00Z",
                "markets": [{
                    "key": "player_points", "last_update": "2024-10-22T23:36:00Z",
                    "outcomes": [
                        _outcome("Over", "Jayson Tatum", -110, 27.5),
                        _outcome("Under", "Jayson Tatum", -110, 27.5),
                        {"name": "Yes", "description": "Jayson Tatum", "price": 450},
                    ],
                }],
            },
        ],
    }  # fmt: skip


def historical(data: Any, timestamp: str) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "previous_timestamp": "2024-10-22T23:25:00Z",
        "next_timestamp": "2024-10-22T23:45:00Z",
        "data": data,
    }


def _bdl_team(team_id: int, abbr: str, city: str, name: str) -> dict[str, Any]:
    return {
        "id": team_id, "conference": "East", "division": "Atlantic", "city": city,
        "name": name, "full_name": f"{city} {name}", "abbreviation": abbr,
    }  # fmt: skip


BDL_TEAMS = {
    "BOS": _bdl_team(2, "BOS", "Boston", "Celtics"),
    "NYK": _bdl_team(20, "NYK", "New York", "Knicks"),
}
BDL_GAME = {
    "id": 15907925, "date": "2024-10-22", "season": 2024, "status": "Final", "period": 4,
    "time": "Final", "postseason": False, "home_team_score": 132, "visitor_team_score": 109,
    "home_team_id": 2, "visitor_team_id": 20,
}  # fmt: skip


def bdl_stat(
    stat_id: int, first: str, last: str, team: str, minutes: str | None, pts: int | None = 10
) -> dict[str, Any]:
    return {
        "id": stat_id, "min": minutes, "fgm": 4, "fga": 9, "fg_pct": 0.444, "fg3m": 1,
        "fg3a": 3, "fg3_pct": 0.333, "ftm": 1, "fta": 2, "ft_pct": 0.5, "oreb": 1, "dreb": 4,
        "reb": 5, "ast": 3, "stl": 1, "blk": 0, "turnover": 2, "pf": 2, "pts": pts,
        "player": {"id": 1000 + stat_id, "first_name": first, "last_name": last,
                   "position": "F", "team_id": BDL_TEAMS[team]["id"]},
        "team": dict(BDL_TEAMS[team]),
        "game": dict(BDL_GAME),
    }  # fmt: skip


def bdl_page(stats: list[dict[str, Any]], next_cursor: int | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"per_page": 100}
    if next_cursor is not None:
        meta["next_cursor"] = next_cursor
    return {"data": stats, "meta": meta}


class Payloads:
    """Builders, reachable from tests through the ``payloads`` fixture."""

    Reply = Reply
    league_game_log = staticmethod(league_game_log)
    scoreboard_v3 = staticmethod(scoreboard_v3)
    odds_events = staticmethod(odds_events)
    event_odds = staticmethod(event_odds)
    historical = staticmethod(historical)
    bdl_stat = staticmethod(bdl_stat)
    bdl_page = staticmethod(bdl_page)
    PLAYER_HEADERS = PLAYER_HEADERS
    PLAYER_ROWS = PLAYER_ROWS
    EVENT_BOS = EVENT_BOS
    EVENT_LAL = EVENT_LAL
    EVENT_NEXT_DAY = EVENT_NEXT_DAY
    ODDS_KEY = ODDS_KEY
    BDL_KEY = BDL_KEY
    FIXED_NOW = FIXED_NOW


@pytest.fixture
def payloads() -> type[Payloads]:
    return Payloads


@pytest.fixture
def nbacom_routes(server: FakeServer) -> FakeServer:
    server.route("/stats/scoreboardv3", Reply(body=scoreboard_v3()))
    server.route(
        "/stats/leaguegamelog",
        Reply(body=league_game_log("P")),
        match=lambda s: s.q("PlayerOrTeam") == "P",
    )
    server.route(
        "/stats/leaguegamelog",
        Reply(body=league_game_log("T")),
        match=lambda s: s.q("PlayerOrTeam") == "T",
    )
    return server


@pytest.fixture
def odds_routes(server: FakeServer) -> FakeServer:
    root = "/v4/sports/basketball_nba"
    server.route(
        f"{root}/events", Reply(body=odds_events(), headers={"x-requests-remaining": "42"})
    )
    for event_id in (EVENT_BOS, EVENT_LAL):
        server.route(f"{root}/events/{event_id}/odds", Reply(body=event_odds(event_id)))
    return server
