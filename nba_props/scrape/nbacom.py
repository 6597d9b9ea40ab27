"""NBA.com stats through nba_api, on our hardened HTTP client and a configurable host.

nba_api builds each request (endpoint name, parameters, headers, parameter order) and parses
``resultSets``; :class:`HostedStatsHTTP` is nba_api's ``NBAStatsHTTP`` with an instance
``base_url`` (so the host is configurable without touching the class attribute other code
shares) and a session adapter that routes the GET through :class:`HttpClient`.

Endpoints: ``LeagueGameLog`` (PlayerOrTeam=P and T, one request per season type) for the
game logs, and ``ScoreboardV3`` (one date, not deprecated, unlike ``ScoreboardV2``) for the
schedule.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from typing import Any

from nba_api.stats.endpoints import LeagueGameLog, ScoreboardV3
from nba_api.stats.library.http import STATS_HEADERS, NBAStatsHTTP, NBAStatsResponse
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from nba_props.scrape.context import Row, RunContext, SourceOutput
from nba_props.scrape.errors import SchemaDriftError, ScrapeError
from nba_props.scrape.http import HttpClient, HttpResponse
from nba_props.scrape.validation import load_json, validate

SOURCE = "nbacom"
DEFAULT_BASE_URL = "https://stats.nba.com"
PLAYER_TABLE = "nbacom_player_game_logs"
TEAM_TABLE = "nbacom_team_game_logs"
SCHEDULE_TABLE = "nbacom_schedule"


def season_for(day: date) -> str:
    """NBA season of a date, e.g. 2025-01-15 -> "2024-25" (seasons start in October).
    Pass ``ScrapeConfig.season`` for the odd exception (the 2020 bubble ran into October)."""
    start = day.year if day.month >= 10 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def stats_headers() -> dict[str, str]:
    headers = dict(STATS_HEADERS)
    headers.pop("Host", None)  # requests sets it from the URL, whatever the host
    if importlib.util.find_spec("brotli") is None:
        headers["Accept-Encoding"] = "gzip, deflate"  # br would arrive undecodable
    return headers


# -- nba_api on a configurable host ---------------------------------------------------------
class _SessionAdapter:
    """Quacks like the ``requests.Session`` nba_api calls ``.get`` on."""

    def __init__(self, client: HttpClient, endpoint: str) -> None:
        self.client = client
        self.endpoint = endpoint
        self.last: HttpResponse | None = None

    def get(
        self,
        url: str,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        timeout: Any = None,
        **_: Any,
    ) -> HttpResponse:
        # ``timeout`` from nba_api is ignored: the client's (connect, read) timeout applies.
        self.last = self.client.get(
            self.endpoint, url, params=params, headers=headers, proxies=proxies
        )
        return self.last


class HostedStatsHTTP(NBAStatsHTTP):
    def __init__(self, base_url: str, adapter: _SessionAdapter) -> None:
        self.base_url = f"{base_url.rstrip('/')}/stats/{{endpoint}}"
        self._adapter = adapter

    def get_session(self) -> _SessionAdapter:  # type: ignore[override]
        return self._adapter


def send(ctx: RunContext, endpoint: Any) -> tuple[NBAStatsResponse, HttpResponse]:
    """Send an nba_api endpoint object (built with ``get_request=False``) through our client."""
    adapter = _SessionAdapter(ctx.client, endpoint.endpoint)
    nba_response = HostedStatsHTTP(ctx.base_url, adapter).send_api_request(
        endpoint=endpoint.endpoint,
        parameters=endpoint.parameters,
        proxy=ctx.config.nba_proxy,
        headers=stats_headers(),
        timeout=ctx.client.timeout,
    )
    if adapter.last is None:  # nba_api answered from its debug cache: not allowed here
        raise ScrapeError(f"{SOURCE} {endpoint.endpoint}: nba_api sent no HTTP request")
    endpoint.nba_response = nba_response
    return nba_response, adapter.last


# -- payload models -------------------------------------------------------------------------
class ResultSet(BaseModel):
    name: str
    headers: list[str]
    rowSet: list[list[Any]]

    @field_validator("rowSet")
    @classmethod
    def _rows_match_headers(cls, rows: list[list[Any]], info: ValidationInfo) -> list[list[Any]]:
        headers = info.data.get("headers")
        if headers is not None:
            for i, row in enumerate(rows):
                if len(row) != len(headers):
                    raise ValueError(
                        f"rowSet[{i}] has {len(row)} values for {len(headers)} headers"
                    )
        return rows


class StatsPayload(BaseModel):
    resultSets: list[ResultSet]

    def result_set(self, name: str) -> ResultSet | None:
        return next((r for r in self.resultSets if r.name == name), None)


class _Row(BaseModel):
    """A resultSets row: fields are the contract's column names, aliases NBA.com's headers.
    Nullable fields have no default, so their header must still be there."""

    model_config = ConfigDict(alias_generator=str.upper, populate_by_name=True, extra="ignore")


class _BoxStats(_Row):
    fgm: int
    fga: int
    fg_pct: float | None
    fg3m: int
    fg3a: int
    fg3_pct: float | None
    ftm: int
    fta: int
    ft_pct: float | None
    oreb: int
    dreb: int
    reb: int
    ast: int
    stl: int
    blk: int
    tov: int
    pf: int
    pts: int
    plus_minus: float | None
    video_available: int | None = None  # optional in the contract: its header may go


class PlayerGameLogRow(_BoxStats):
    season_id: str
    player_id: int
    player_name: str
    team_id: int
    team_abbreviation: str
    team_name: str | None
    game_id: str
    game_date: date
    matchup: str
    wl: str | None
    min: float


class TeamGameLogRow(_BoxStats):
    season_id: str
    team_id: int
    team_abbreviation: str
    team_name: str | None
    game_id: str
    game_date: date
    matchup: str
    wl: str | None
    min: float | None


class ScoreboardTeam(BaseModel):
    teamId: int
    teamTricode: str


class ScoreboardGame(BaseModel):
    gameId: str
    gameStatus: int
    gameTimeUTC: datetime | None
    homeTeam: ScoreboardTeam
    awayTeam: ScoreboardTeam


class Scoreboard(BaseModel):
    gameDate: date
    games: list[ScoreboardGame]


class ScoreboardPayload(BaseModel):
    scoreboard: Scoreboard


# -- parsing --------------------------------------------------------------------------------
def parse_game_log(content: bytes, endpoint: Any, model: type[_Row]) -> list[Row]:
    """LeagueGameLog body -> validated rows (contract column names).

    pydantic checks the envelope (result set present, every row as long as the headers) and
    then every row; nba_api's own ``load_response`` does the headers/rowSet parse between.
    """
    name = endpoint.endpoint
    payload = validate(StatsPayload, load_json(SOURCE, name, content), SOURCE, name)
    result = payload.result_set("LeagueGameLog")
    if result is None:
        names = [r.name for r in payload.resultSets]
        raise SchemaDriftError(SOURCE, name, "resultSets.LeagueGameLog", f"absent (got {names})")
    aliases = {f.alias or n for n, f in model.model_fields.items() if f.is_required()}
    missing = sorted(aliases - set(result.headers))
    if missing:
        raise SchemaDriftError(
            SOURCE, name, f"LeagueGameLog.headers.{missing[0]}", f"missing header(s) {missing}"
        )
    endpoint.load_response()
    data_set = endpoint.league_game_log.get_dict()
    rows: list[Row] = []
    for i, raw in enumerate(data_set["data"]):
        record = dict(zip(data_set["headers"], raw, strict=True))
        row = validate(model, record, SOURCE, name, prefix=f"LeagueGameLog.rowSet[{i}]")
        rows.append(row.model_dump())
    return rows


def _game_logs(ctx: RunContext, season: str, player_or_team: str) -> list[Row]:
    day = ctx.game_date.strftime("%m/%d/%Y")
    model = PlayerGameLogRow if player_or_team == "P" else TeamGameLogRow
    rows: list[Row] = []
    for season_type in ctx.config.season_types:
        endpoint = LeagueGameLog(
            player_or_team_abbreviation=player_or_team,
            season=season,
            season_type_all_star=season_type,
            date_from_nullable=day,
            date_to_nullable=day,
            get_request=False,
        )
        _, response = send(ctx, endpoint)
        label = f"leaguegamelog-{player_or_team}-{season_type}"
        rows.extend(
            ctx.checked(label, response, partial(parse_game_log, endpoint=endpoint, model=model))
        )
    return rows


def parse_scoreboard(content: bytes) -> list[Row]:
    payload = validate(
        ScoreboardPayload, load_json(SOURCE, "scoreboardv3", content), SOURCE, "scoreboardv3"
    )
    board = payload.scoreboard
    season = season_for(board.gameDate)
    return [
        {
            "game_id": g.gameId,
            "game_date": board.gameDate,
            "game_time_utc": g.gameTimeUTC,
            "season": season,
            "home_team_id": g.homeTeam.teamId,
            "home_team_tricode": g.homeTeam.teamTricode,
            "away_team_id": g.awayTeam.teamId,
            "away_team_tricode": g.awayTeam.teamTricode,
            "game_status": str(g.gameStatus),
            "arena_name": None,  # ScoreboardV3 has no arena
        }
        for g in board.games
    ]


def scrape(ctx: RunContext) -> SourceOutput:
    season = ctx.config.season or season_for(ctx.game_date)
    endpoint = ScoreboardV3(game_date=ctx.game_date.isoformat(), get_request=False)
    _, response = send(ctx, endpoint)
    schedule = ctx.checked("scoreboardv3", response, parse_scoreboard)
    players = _game_logs(ctx, season, "P")
    teams = [{**row, "season": season} for row in _game_logs(ctx, season, "T")]
    for row in players:
        row["start_position"] = None  # not in LeagueGameLog
    return SourceOutput(tables={PLAYER_TABLE: players, TEAM_TABLE: teams, SCHEDULE_TABLE: schedule})
