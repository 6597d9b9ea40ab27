"""Raw-table contracts: the columns every landed file must carry, with their types.

The one source of truth for the raw schema: the loader (DuckDB and BigQuery) creates and
enforces it, the demo-data generator writes it, and ``python -m nba_props.schemas generate``
writes the dbt sources (``models/staging/<source>/_<source>__sources.yml``: column names,
types and descriptions, and each table's description) from it; ``make lint`` checks they
agree. The loader's bookkeeping tables (``_load_manifest``, ``_rejected_rows``) are declared
here too. Column names are the lower-cased file headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nba_props.relations import LOAD_MANIFEST_TABLE, REJECTED_ROWS_TABLE
from nba_props.schemas.table import SchemaColumn, TableSchema
from nba_props.schemas.types import BIGINT, BOOLEAN, DATE, DOUBLE, TIMESTAMP, VARCHAR

__all__ = [
    "BIGINT",
    "BOOLEAN",
    "DATE",
    "DOUBLE",
    "LOAD_MANIFEST",
    "LOAD_METADATA",
    "LOAD_METADATA_COLUMNS",
    "RAW_TABLES",
    "REJECTED_ROWS",
    "TIMESTAMP",
    "VARCHAR",
    "Column",
    "RawTable",
]

# The loader's columns on every raw row (after the contract's columns).
LOAD_METADATA: tuple[SchemaColumn, ...] = (
    SchemaColumn("_load_id", VARCHAR, "Loader: one id per loaded file."),
    SchemaColumn("_source_file", VARCHAR, "Loader: path of the landed file."),
    SchemaColumn(
        "_content_hash", VARCHAR,
        "Loader: sha256 of the file; the same content is never loaded twice.",
    ),
    SchemaColumn("_row_number", BIGINT, "Loader: row number in the file."),
    SchemaColumn("_loaded_at", TIMESTAMP, "Loader: load time (UTC)."),
)
LOAD_METADATA_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.name, c.type) for c in LOAD_METADATA)


@dataclass(frozen=True)
class Column:
    name: str
    type: str = VARCHAR
    required: bool = True
    # strptime format for DATE/TIMESTAMP columns that are not ISO-8601.
    fmt: str | None = None
    # What the column holds (the dbt source documents it, with "Optional." when not required).
    description: str = ""


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
    # The dbt source that declares the table (models/staging/<source>/_<source>__sources.yml).
    source: str = "nbacom"

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @property
    def documentation(self) -> str:
        """The table's description with its natural key (dbt source, BigQuery table)."""
        return f"{self.description} Natural key: ({', '.join(self.key)})."

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


# What each raw column holds: one entry per column name (the same name means the same
# thing in every raw table).
_DOCS: dict[str, str] = {
    "season_id": (
        "NBA.com season id: game-type digit + start year, e.g. 22024 (regular season "
        "2024-25)."
    ),
    "player_id": "NBA.com player id.",
    "player_name": "Player name as NBA.com spells it.",
    "team_id": "NBA.com team id (1610612xxx).",
    "team_abbreviation": "NBA.com team tri-code, e.g. BOS.",
    "team_name": "Team full name.",
    "game_id": "NBA.com game id, 10 characters with leading zeros; 3rd digit is the game type.",
    "game_date": "Game date (US local).",
    "matchup": "'AAA @ HHH' for the away team, 'HHH vs. AAA' for the home team.",
    "wl": "W or L; null for games not finished.",
    "min": "Minutes played (decimal).",
    "fgm": "Field goals made.",
    "fga": "Field goals attempted.",
    "fg_pct": "Field-goal percentage as published.",
    "fg3m": "Three-pointers made.",
    "fg3a": "Three-pointers attempted.",
    "fg3_pct": "Three-point percentage as published.",
    "ftm": "Free throws made.",
    "fta": "Free throws attempted.",
    "ft_pct": "Free-throw percentage as published.",
    "oreb": "Offensive rebounds.",
    "dreb": "Defensive rebounds.",
    "reb": "Total rebounds.",
    "ast": "Assists.",
    "stl": "Steals.",
    "blk": "Blocks.",
    "tov": "Turnovers.",
    "pf": "Personal fouls.",
    "pts": "Points.",
    "plus_minus": "Plus-minus.",
    "start_position": (
        "Starting position (G/F/C) for starters, empty for bench players; absent from "
        "LeagueGameLog."
    ),
    "video_available": "NBA.com video flag (1/0).",
    "season": "Season label.",
    "game_time_utc": "Scheduled tip-off time, UTC.",
    "home_team_id": "Home team NBA.com id.",
    "home_team_tricode": "Home team tri-code.",
    "away_team_id": "Away team NBA.com id.",
    "away_team_tricode": "Away team tri-code.",
    "game_status": "Scheduled, In Progress or Final.",
    "arena_name": "Arena.",
    "report_time": "Injury report publication time (UTC).",
    "team": "Team tri-code.",
    "status": "Out, Doubtful, Questionable, Probable or Available.",
    "reason": "Injury or reason text.",
    "season_1": "Season end year.",
    "season_2": "Season label, e.g. 2024-25.",
    "home_team": "Home team tri-code.",
    "away_team": "Away team tri-code.",
    "event_type": "'Made Shot' or 'Missed Shot'.",
    "shot_made": "True if the shot went in.",
    "action_type": "Shot action, e.g. Jump Shot.",
    "shot_type": "'2PT Field Goal' or '3PT Field Goal'.",
    "basic_zone": (
        "Court zone (Restricted Area, In The Paint (Non-RA), Mid-Range, Left/Right Corner 3, "
        "Above the Break 3, Backcourt)."
    ),
    "zone_name": "Zone side.",
    "zone_abb": "Zone abbreviation.",
    "zone_range": "Distance band.",
    "loc_x": "Court x (feet).",
    "loc_y": "Court y (feet).",
    "shot_distance": "Shot distance (feet).",
    "quarter": "Period.",
    "mins_left": "Minutes left in the period.",
    "secs_left": "Seconds left in the minute.",
    "id": "NBA.com player id.",
    "full_name": "Full name.",
    "first_name": "First name.",
    "last_name": "Last name.",
    "is_active": "Active per nba_api static list.",
    "player": "Player name in sportsbook spelling (resolved to an NBA.com id in staging).",
    "game": "'Away Team @ Home Team' with full team names.",
    "game_time": "Tip-off time, UTC.",
    "market": "The Odds API market key, e.g. player_points, player_threes.",
    "line": "Over/under line (the point).",
    "bookmaker": "The Odds API bookmaker key.",
    "over_odds": "American odds of the over.",
    "under_odds": "American odds of the under.",
    "bookmaker_last_update": "When the bookmaker last updated (UTC).",
    "market_last_update": "When the market last updated (UTC).",
    "event_id": "The Odds API event id, when known.",
    "snapshot_time": "Time of the odds snapshot (UTC), when known; null for closing-line exports.",
    "date": "Game date.",
    "regular": "True for regular-season games.",
    "playoffs": "True for playoff games.",
    "away": "Away team, ESPN-style lower-case code (gs, ny, no, sa, utah, wsh, ...).",
    "home": "Home team, ESPN-style code.",
    "score_away": "Final away score.",
    "score_home": "Final home score.",
    "whos_favored": "'home' or 'away': the side the unsigned spread favours.",
    "spread": "Point spread, unsigned (see whos_favored).",
    "total": "Game total (over/under points).",
    "moneyline_away": "Away moneyline (American).",
    "moneyline_home": "Home moneyline (American).",
    "q1_away": "Q1 points, away.",
    "q2_away": "Q2 points, away.",
    "q3_away": "Q3 points, away.",
    "q4_away": "Q4 points, away.",
    "ot_away": "OT points, away.",
    "q1_home": "Q1 points, home.",
    "q2_home": "Q2 points, home.",
    "q3_home": "Q3 points, home.",
    "q4_home": "Q4 points, home.",
    "ot_home": "OT points, home.",
    "h2_spread": "Second-half spread.",
    "h2_total": "Second-half total.",
    "id_spread": "Source flag for the spread.",
    "id_total": "Source flag for the total.",
    "alias_name": "Name as a sportsbook spells it.",
    "source": "Where the alias was seen.",
    "note": "Why the alias exists.",
}


def _c(spec: str, required: bool = True, fmt: str | None = None) -> Column:
    name, _, typ = spec.partition(":")
    return Column(name, typ or VARCHAR, required, fmt, _DOCS.get(name, ""))


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
            source="odds_api",
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
            source="odds_api",
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
            source="reference",
        ),
    ]
}


def _s(name: str, typ: str, description: str, nullable: bool = True) -> SchemaColumn:
    return SchemaColumn(name, typ, description, nullable)


# <raw schema>._load_manifest: one row per loaded file (dbt source loader.load_manifest).
LOAD_MANIFEST = TableSchema(
    LOAD_MANIFEST_TABLE,
    "One row per loaded file: raw table, file, content hash, rows, columns skipped as "
    "unknown (loaded with allow_extra_columns), pipeline run id. Files skipped as already "
    "loaded are not listed here; they appear in processor_execution_log.",
    (
        _s("load_id", VARCHAR, "One id per loaded file (also in every raw row as _load_id)."),
        _s("raw_table", VARCHAR, "The raw table the file went to.", False),
        _s("source_file", VARCHAR, "Path of the landed file.", False),
        _s("content_hash", VARCHAR, "sha256 of the file.", False),
        _s("rows_loaded", BIGINT, "Rows loaded from the file.", False),
        _s("ignored_columns", VARCHAR,
           "Comma-separated columns the contract does not know (skipped, not loaded)."),
        _s("run_id", VARCHAR,
           "Pipeline run id (NBA_PROPS_RUN_ID) when the load was part of a run."),
        _s("loaded_at", TIMESTAMP, "Load time (UTC).", False),
        _s("rows_rejected", BIGINT, "Rows of the file set aside in _rejected_rows."),
    ),
    primary_key="load_id",
)

# <raw schema>._rejected_rows: one row per row of a file the loader set aside
# (nba_props.load.quarantine; dbt source loader.rejected_rows).
REJECTED_ROWS = TableSchema(
    REJECTED_ROWS_TABLE,
    "Rows the loader set aside instead of loading (nba_props.load.quarantine), written in "
    "the same transaction as their file's good rows: null_key (a key column empty), "
    "duplicate_row (an exact copy: the first copy loads), conflicting_duplicate_key (one "
    "key with different values in one file: none loads), bad_value (not the contract "
    "type).",
    (
        _s("load_id", VARCHAR, "The load (nba_raw._load_manifest) the row came with.", False),
        _s("raw_table", VARCHAR, "The raw table the row was meant for.", False),
        _s("source_file", VARCHAR, "Path of the landed file.", False),
        _s("row_number", BIGINT, "Row of the file (1 = first data row).", False),
        _s("column_name", VARCHAR, "The column at fault (null for whole-row reasons)."),
        _s("reason", VARCHAR,
           "null_key, duplicate_row, conflicting_duplicate_key or bad_value.", False),
        _s("detail", VARCHAR, "What was wrong, e.g. the value that did not cast."),
        _s("raw_row", VARCHAR, "The row as the file had it (JSON text).", False),
        _s("run_id", VARCHAR, "Pipeline run id (NBA_PROPS_RUN_ID), when known."),
        _s("rejected_at", TIMESTAMP, "When the row was set aside (UTC).", False),
    ),
)
