"""balldontlie (fallback box scores): ``GET /v1/stats?dates[]=D&per_page=100&cursor=C`` with
``Authorization: <key>``, following ``meta.next_cursor``, flattened to the
``nbacom_player_game_logs`` shape.

balldontlie's player, team and game ids are not NBA.com's. The ids are mapped, not copied:

* ``player_id``: the NBA.com id found by name in ``nba_api.stats.static.players`` (accents
  and punctuation ignored, Jr/Sr/II/III suffix optional, active players preferred; see
  :func:`nba_player_id`);
* ``team_id``: NBA.com's id of the team abbreviation (``nba_api.stats.static.teams``);
* ``game_id``: the NBA.com id from the newest landed ``nbacom_schedule`` for the date
  (home and away tricodes), else ``bdl-<balldontlie game id>``, which can never collide with
  an NBA.com id.

Rows that cannot be mapped (unknown or ambiguous name, unknown team, a played row with a null
count) are written to ``flat/_rejected_balldontlie_stats.csv`` with the reason, never loaded,
and counted in a warning. Rows of players who did not play (no minutes) are left out, as
NBA.com's LeagueGameLog does.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

from nba_api.stats.static import players as static_players
from nba_api.stats.static import teams as static_teams
from pydantic import BaseModel, field_validator

from nba_props.scrape.context import Row, RunContext, SourceOutput
from nba_props.scrape.errors import ScrapeError
from nba_props.scrape.landing import find_landed
from nba_props.scrape.logs import get_logger
from nba_props.scrape.secrets import BALLDONTLIE_API_KEY, get_secret
from nba_props.scrape.validation import load_json, validate

SOURCE = "balldontlie"
DEFAULT_BASE_URL = "https://api.balldontlie.io"
PLAYER_TABLE = "nbacom_player_game_logs"
ENDPOINT = "stats"
REJECTED = "balldontlie_stats"
REJECTED_COLUMNS = [
    "reason",
    "bdl_stat_id",
    "bdl_player_id",
    "player_name",
    "team_abbreviation",
    "bdl_game_id",
    "game_date",
]
_COUNTS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl")
_COUNTS_2 = ("blk", "turnover", "pf", "pts")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
log = get_logger("balldontlie")


# -- payload models -------------------------------------------------------------------------
class BdlPlayer(BaseModel):
    id: int
    first_name: str
    last_name: str


class BdlTeam(BaseModel):
    id: int
    abbreviation: str


class BdlGame(BaseModel):
    id: int
    date: date
    season: int
    postseason: bool = False
    status: str | None = None
    home_team_id: int
    visitor_team_id: int
    home_team_score: int | None = None
    visitor_team_score: int | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_part(cls, value: Any) -> Any:
        # Older payloads send "2024-01-15T00:00:00.000Z".
        return value[:10] if isinstance(value, str) else value


class BdlStat(BaseModel):
    id: int
    min: str | None
    fgm: int | None
    fga: int | None
    fg_pct: float | None
    fg3m: int | None
    fg3a: int | None
    fg3_pct: float | None
    ftm: int | None
    fta: int | None
    ft_pct: float | None
    oreb: int | None
    dreb: int | None
    reb: int | None
    ast: int | None
    stl: int | None
    blk: int | None
    turnover: int | None
    pf: int | None
    pts: int | None
    player: BdlPlayer
    team: BdlTeam
    game: BdlGame

    @field_validator("min", mode="before")
    @classmethod
    def _min_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


class BdlMeta(BaseModel):
    next_cursor: int | None = None
    per_page: int | None = None


class BdlPage(BaseModel):
    data: list[BdlStat]
    meta: BdlMeta


# -- id mapping -----------------------------------------------------------------------------
def normalize_name(name: str, *, keep_suffix: bool = False) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[.'’`]", "", text).replace("-", " ")
    return " ".join(t for t in text.split() if keep_suffix or t not in _SUFFIXES)


@lru_cache(maxsize=2)
def _player_index(keep_suffix: bool) -> dict[str, list[tuple[int, bool]]]:
    index: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for p in static_players.get_players():
        key = normalize_name(p["full_name"], keep_suffix=keep_suffix)
        index[key].append((int(p["id"]), bool(p["is_active"])))
    return dict(index)


def nba_player_id(full_name: str) -> tuple[int | None, str]:
    """(NBA.com id, "") or (None, reason).

    An exact match (suffix kept) on an active player wins; otherwise the suffix-free name
    narrowed to active players (balldontlie is a fallback for current games, so "Jabari
    Smith" is today's Jabari Smith Jr.); otherwise a unique exact match, active or not."""
    exact = _player_index(True).get(normalize_name(full_name, keep_suffix=True), [])
    active_exact = [c for c in exact if c[1]]
    if len(active_exact) == 1:
        return active_exact[0][0], ""
    loose = _player_index(False).get(normalize_name(full_name), [])
    active_loose = [c for c in loose if c[1]]
    if len(active_loose) == 1:
        return active_loose[0][0], ""
    if len(exact) == 1:
        return exact[0][0], ""
    if len(active_loose) > 1 or len(exact) > 1 or len(loose) > 1:
        return None, "ambiguous player name"
    if len(loose) == 1:
        return loose[0][0], ""
    return None, "unknown player name"


@lru_cache(maxsize=1)
def _team_ids() -> dict[str, int]:
    return {t["abbreviation"]: int(t["id"]) for t in static_teams.get_teams()}


def parse_minutes(value: str | None) -> float | None:
    """Minutes as a number: "34:12" -> 34.2, "34" -> 34.0; None for no minutes (did not play)."""
    if value is None or not value.strip():
        return None
    mins, _, secs = value.strip().partition(":")
    try:
        minutes = float(mins) + (float(secs) / 60 if secs else 0.0)
    except ValueError:
        raise ScrapeError(f"{SOURCE} {ENDPOINT}: unreadable minutes value {value!r}") from None
    return round(minutes, 2) if minutes > 0 else None


def _landed_game_ids(ctx: RunContext) -> dict[tuple[str, str], str]:
    """(home tricode, away tricode) -> NBA.com game id, from a landed NBA.com schedule."""
    files = find_landed(ctx.landing.root, ctx.game_date, sources=["nbacom"], latest_only=True)
    ids: dict[tuple[str, str], str] = {}
    for path in files.get("nbacom_schedule", []):
        with path.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                ids[(rec["home_team_tricode"], rec["away_team_tricode"])] = rec["game_id"]
    return ids


# -- flattening -----------------------------------------------------------------------------
def flatten(
    stats: list[BdlStat], game_ids: dict[tuple[str, str], str]
) -> tuple[list[Row], list[Row]]:
    """(rows in nbacom_player_game_logs shape, rejected rows with a reason)."""
    abbreviation = {s.team.id: s.team.abbreviation for s in stats}
    rows: list[Row] = []
    rejected: list[Row] = []
    for s in stats:
        minutes = parse_minutes(s.min)
        if minutes is None:
            continue
        name = f"{s.player.first_name} {s.player.last_name}".strip()
        game = s.game
        home = game.home_team_id == s.team.id
        opponent = abbreviation.get(game.visitor_team_id if home else game.home_team_id)
        player_id, reason = nba_player_id(name)
        team_id = _team_ids().get(s.team.abbreviation)
        if team_id is None:
            reason = reason or "unknown team abbreviation"
        if opponent is None:
            reason = reason or "opponent team not in the payload"
        null_counts = [c for c in (*_COUNTS, *_COUNTS_2) if getattr(s, c) is None]
        if null_counts:
            reason = reason or f"null count(s) {null_counts}"
        if reason:
            rejected.append(
                {
                    "reason": reason,
                    "bdl_stat_id": s.id,
                    "bdl_player_id": s.player.id,
                    "player_name": name,
                    "team_abbreviation": s.team.abbreviation,
                    "bdl_game_id": game.id,
                    "game_date": game.date,
                }
            )
            continue
        home_abbr, away_abbr = (
            (s.team.abbreviation, opponent) if home else (opponent, s.team.abbreviation)
        )
        own, other = (
            (game.home_team_score, game.visitor_team_score)
            if home
            else (game.visitor_team_score, game.home_team_score)
        )
        final = (game.status or "").lower().startswith("final")
        rows.append(
            {
                "season_id": f"{4 if game.postseason else 2}{game.season}",
                "player_id": player_id,
                "player_name": name,
                "team_id": team_id,
                "team_abbreviation": s.team.abbreviation,
                "team_name": None,
                "game_id": game_ids.get((home_abbr, away_abbr), f"bdl-{game.id}"),
                "game_date": game.date,
                "matchup": f"{s.team.abbreviation} {'vs.' if home else '@'} {opponent}",
                "wl": ("W" if own > other else "L")
                if final and own is not None and other is not None and own != other
                else None,
                "min": minutes,
                **{c: getattr(s, c) for c in _COUNTS},
                "fg_pct": s.fg_pct,
                "fg3_pct": s.fg3_pct,
                "ft_pct": s.ft_pct,
                "blk": s.blk,
                "tov": s.turnover,
                "pf": s.pf,
                "pts": s.pts,
                "plus_minus": None,
                "start_position": None,
            }
        )
    return rows, rejected


# -- scrape ---------------------------------------------------------------------------------
def fetch_stats(ctx: RunContext) -> list[BdlStat]:
    key = get_secret(BALLDONTLIE_API_KEY)
    url = f"{ctx.base_url.rstrip('/')}/v1/stats"
    stats: list[BdlStat] = []
    cursor: int | None = None
    seen: set[int] = set()
    for page in range(1, ctx.config.bdl_max_pages + 1):
        params: list[tuple[str, Any]] = [
            ("dates[]", ctx.game_date.isoformat()),
            ("per_page", ctx.config.bdl_per_page),
        ]
        if cursor is not None:
            params.append(("cursor", cursor))
        response = ctx.client.get(ENDPOINT, url, params=params, headers={"Authorization": key})
        body = ctx.checked(
            f"stats-page{page}",
            response,
            lambda b: validate(BdlPage, load_json(SOURCE, ENDPOINT, b), SOURCE, ENDPOINT),
        )
        stats.extend(body.data)
        cursor = body.meta.next_cursor
        if cursor is None:
            return stats
        if cursor in seen:
            raise ScrapeError(f"{SOURCE} {ENDPOINT}: cursor {cursor} repeated; stopping")
        seen.add(cursor)
    raise ScrapeError(
        f"{SOURCE} {ENDPOINT}: more than {ctx.config.bdl_max_pages} pages for "
        f"{ctx.game_date}; raise ScrapeConfig.bdl_max_pages"
    )


def scrape(ctx: RunContext) -> SourceOutput:
    stats = fetch_stats(ctx)
    game_ids = _landed_game_ids(ctx)
    if not game_ids:
        ctx.warn(f"{SOURCE}: no landed nbacom_schedule for {ctx.game_date}; game ids are bdl-<id>")
    rows, rejected = flatten(stats, game_ids)
    if rejected:
        ctx.warn(f"{SOURCE}: {len(rejected)} row(s) could not be mapped to NBA.com ids")
    log.info(
        "balldontlie: %d stat row(s), %d played, %d rejected",
        len(stats),
        len(rows),
        len(rejected),
        extra={"event": "flattened"},
    )
    return SourceOutput(
        tables={PLAYER_TABLE: rows}, rejected={REJECTED: (REJECTED_COLUMNS, rejected)}
    )
