"""Raw-table contracts: the columns every landed file must carry, with their types.

One source of truth for the loader (DuckDB and BigQuery), the demo-data generator and the
dbt sources (``models/staging/*/_*__sources.yml`` document the same columns).
Column names are the lower-cased file headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Logical types, mapped to each engine by the loaders.
VARCHAR = "VARCHAR"
BIGINT = "BIGINT"
DOUBLE = "DOUBLE"
DATE = "DATE"
TIMESTAMP = "TIMESTAMP"
BOOLEAN = "BOOLEAN"

LOAD_METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", VARCHAR),
    ("_source_file", VARCHAR),
    ("_content_hash", VARCHAR),
    ("_row_number", BIGINT),
    ("_loaded_at", TIMESTAMP),
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str = VARCHAR
    required: bool = True
    # strptime format for DATE/TIMESTAMP columns that are not ISO-8601.
    fmt: str | None = None


@dataclass(frozen=True)
class RawTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    # Natural key of one record; used by staging dedup and documented in the sources.
    key: tuple[str, ...] = field(default_factory=tuple)
    # True: one file holds each key once; the loader quarantines a repeated key (an exact
    # copy of a row, or a conflicting version). False: rows may repeat the key, even whole
    # rows (two shots in the same second and spot are real); only null keys are refused.
    # Either way the key's required columns may not be null.
    key_unique: bool = True

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(spec: str, required: bool = True, fmt: str | None = None) -> Column:
    name, _, typ = spec.partition(":")
    return Column(name, typ or VARCHAR, required, fmt)


_BOX_STATS = [
    _c("fgm:BIGINT"), _c("fga:BIGINT"), _c("fg_pct:DOUBLE", False),
    _c("fg3m:BIGINT"), _c("fg3a:BIGINT"), _c("fg3_pct:DOUBLE", False),
    _c("ftm:BIGINT"), _c("fta:BIGINT"), _c("ft_pct:DOUBLE", False),
    _c("oreb:BIGINT"), _c("dreb:BIGINT"), _c("reb:BIGINT"), _c("ast:BIGINT"),
    _c("stl:BIGINT"), _c("blk:BIGINT"), _c("tov:BIGINT"), _c("pf:BIGINT"),
]

RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in [
        RawTable(
            "nbacom_player_game_logs",
            "NBA.com LeagueGameLog, PlayerOrTeam=P: one row per player per game.",
            (
                _c("season_id"), _c("player_id:BIGINT"), _c("player_name"),
                _c("team_id:BIGINT"), _c("team_abbreviation"), _c("team_name", False),
                _c("game_id"), _c("game_date:DATE"), _c("matchup"), _c("wl", False),
                _c("min:DOUBLE"), *_BOX_STATS, _c("pts:BIGINT"),
                _c("plus_minus:DOUBLE", False), _c("start_position", False),
                _c("video_available:BIGINT", False),
            ),
            ("player_id", "game_id"),
        ),
        RawTable(
            "nbacom_team_game_logs",
            "NBA.com LeagueGameLog, PlayerOrTeam=T: two rows per game (one per team).",
            (
                _c("season_id"), _c("team_id:BIGINT"), _c("team_abbreviation"),
                _c("team_name", False), _c("game_id"), _c("game_date:DATE"),
                _c("matchup"), _c("wl", False), _c("min:DOUBLE", False), _c("pts:BIGINT"),
                *_BOX_STATS, _c("plus_minus:DOUBLE", False), _c("season", False),
                _c("video_available:BIGINT", False),
            ),
            ("team_id", "game_id"),
        ),
        RawTable(
            "nbacom_schedule",
            "NBA.com league schedule: one row per game, including games not yet played.",
            (
                _c("game_id"), _c("game_date:DATE"), _c("game_time_utc:TIMESTAMP", False),
                _c("season", False), _c("home_team_id:BIGINT"), _c("home_team_tricode"),
                _c("away_team_id:BIGINT"), _c("away_team_tricode"),
                _c("game_status", False), _c("arena_name", False),
            ),
            ("game_id",),
        ),
        RawTable(
            "odds_api_player_props",
            "The Odds API player props, flattened: one row per game, player, bookmaker, "
            "market and line.",
            (
                _c("player"), _c("game"), _c("game_time:TIMESTAMP"), _c("market"),
                _c("line:DOUBLE"), _c("bookmaker"), _c("over_odds:DOUBLE", False),
                _c("under_odds:DOUBLE", False),
                _c("bookmaker_last_update:TIMESTAMP", False),
                _c("market_last_update:TIMESTAMP", False),
                _c("event_id", False), _c("snapshot_time:TIMESTAMP", False),
            ),
            # One line at one snapshot: files of line snapshots repeat the other columns.
            ("game", "game_time", "player", "market", "bookmaker", "line", "snapshot_time"),
        ),
        RawTable(
            "odds_api_game_lines",
            "Closing game lines (spread, total, moneyline) with ESPN-style team codes.",
            (
                _c("season:BIGINT"), _c("date:DATE"), _c("regular:BOOLEAN", False),
                _c("playoffs:BOOLEAN", False), _c("away"), _c("home"),
                _c("score_away:BIGINT", False), _c("score_home:BIGINT", False),
                _c("whos_favored", False), _c("spread:DOUBLE", False),
                _c("total:DOUBLE", False), _c("moneyline_away:DOUBLE", False),
                _c("moneyline_home:DOUBLE", False),
                *(_c(f"{q}_{side}:BIGINT", False)
                  for side in ("away", "home") for q in ("q1", "q2", "q3", "q4", "ot")),
                _c("h2_spread:DOUBLE", False), _c("h2_total:DOUBLE", False),
                _c("id_spread:BIGINT", False), _c("id_total:BIGINT", False),
                _c("bookmaker", False),
                _c("snapshot_time:TIMESTAMP", False),
            ),
            ("date", "away", "home", "snapshot_time"),
        ),
        RawTable(
            "nbacom_injury_report",
            "NBA.com official injury report: one row per player per report time.",
            (
                _c("report_time:TIMESTAMP"), _c("game_date:DATE"), _c("team"),
                _c("player_name"), _c("player_id:BIGINT", False), _c("status"),
                _c("reason", False),
            ),
            ("report_time", "team", "player_name"),
        ),
        RawTable(
            "nbacom_shot_detail",
            "NBA.com shot chart detail: one row per field-goal attempt.",
            (
                _c("season_1", False), _c("season_2", False), _c("team_id:BIGINT"),
                _c("team_name", False), _c("player_id:BIGINT"), _c("player_name", False),
                _c("game_date:DATE", fmt="%m-%d-%Y"), _c("game_id"), _c("home_team"),
                _c("away_team"), _c("event_type", False), _c("shot_made:BOOLEAN"),
                _c("action_type", False), _c("shot_type"), _c("basic_zone"),
                _c("zone_name", False), _c("zone_abb", False), _c("zone_range", False),
                _c("loc_x:DOUBLE", False), _c("loc_y:DOUBLE", False),
                _c("shot_distance:BIGINT"), _c("quarter:BIGINT", False),
                _c("mins_left:BIGINT", False), _c("secs_left:BIGINT", False),
            ),
            ("game_id", "player_id", "quarter", "mins_left", "secs_left", "loc_x", "loc_y"),
            key_unique=False,  # staging replaces a game's shots by its newest export
        ),
        RawTable(
            "nbacom_players",
            "NBA.com player list (nba_api.stats.static.players): the player registry.",
            (
                _c("id:BIGINT"), _c("full_name"), _c("first_name", False),
                _c("last_name", False), _c("is_active:BOOLEAN", False),
            ),
            ("id",),
        ),
        RawTable(
            "player_aliases",
            "Hand-kept sportsbook spellings of player names, mapped to NBA.com ids.",
            (_c("alias_name"), _c("player_id:BIGINT"), _c("source", False), _c("note", False)),
            ("alias_name",),
        ),
    ]
}
