"""Reads for the ML workers: one query for a date's features, one per retraining.

Every read is a single parameterized statement. The prediction read joins the feature
store to the preferred line valid at the prediction time (player_prop_lines_preferred),
so each row carries the line, book, odds and line time it will be graded against, and
nothing known later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np

from nba_props.predict.frame import Frame
from nba_props.predict.probability import implied_mean
from nba_props.relations import (
    FEATURE_STORE,
    GAME_LINE_VERSIONS,
    INJURY_VERSIONS,
    PREFERRED_LINES,
    PROP_MARKETS,
    PROP_OUTCOMES,
)

# Columns of the feature store that are keys, context or the store's own line selection
# (the workers use the preferred line valid at prediction time instead), not features.
NON_FEATURES = frozenset({
    "season_start_year", "is_upcoming", "prop_line", "prop_line_consensus",
    "prop_bookmaker_count", "line_vs_avg_l10", "has_prop_line", "actual_value",
    "over_odds", "under_odds", "line_book_count",
    # The market's reading (nba_props.predict.market), for the market-anchored system.
    "min_line", "max_line", "opening_line", "opening_over_odds", "opening_under_odds",
    "opening_consensus_line",
})
# Line-version columns both reads pass through (besides line, consensus, book and odds).
MARKET_COLUMNS = (
    "min_line", "max_line", "book_lines", "book_over_odds", "book_under_odds",
    "opening_line", "opening_over_odds", "opening_under_odds", "opening_consensus_line",
)
# Context the feature store takes at tip-off for played games; the reads also join the
# versions valid at the prediction time (as_of_*), and with_context_as_of puts those in
# place, so a 16:00 prediction never sees the closing spread or a later injury report.
CONTEXT_AS_OF = ("as_of_home_spread", "as_of_game_total", "as_of_has_game_line",
                 "as_of_injury_status", "as_of_play_probability")
# Line features, from the line valid at prediction time (training: the closing line). The
# implied mean turns the line and both prices into the mean the market expects.
LINE_FEATURES = ("line", "consensus_line", "line_minus_stat_avg_l10", "line_implied_mean")


class Connection(Protocol):
    """A DuckDB connection, or anything that forwards to one (tests count its queries)."""

    def sql(self, query: str, *, params: Sequence[Any] | None = ...) -> Any: ...

    def execute(self, query: str, parameters: Sequence[Any] | None = ...) -> Any: ...


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _frame(con: Connection, sql: str, params: list[Any]) -> Frame:
    return with_line_features(Frame.from_arrow(con.sql(sql, params=params).to_arrow_table()))


def with_context_as_of(frame: Frame) -> Frame:
    """Replace the store's tip-off game line and injury status with those valid at the
    prediction time (the as_of_* columns of the read), and drop the as_of_* columns."""
    if "as_of_has_game_line" not in frame:
        return frame
    has_line = frame["as_of_has_game_line"]
    home_spread = frame["as_of_home_spread"]
    team_spread = np.where(frame.get("is_home") > 0, home_spread, -home_spread)
    total = frame["as_of_game_total"]
    columns = {k: v for k, v in frame.columns.items() if k not in CONTEXT_AS_OF}
    columns.update({
        "team_spread": team_spread,
        "game_total": total,
        "implied_team_total": total / 2.0 - team_spread / 2.0,
        "has_game_line": has_line,
        "injury_status": frame["as_of_injury_status"],
        "play_probability": np.where(np.isnan(frame["as_of_play_probability"]), 1.0,
                                     frame["as_of_play_probability"]),
    })
    return Frame(columns, frame.numeric - set(CONTEXT_AS_OF))


def with_line_features(frame: Frame) -> Frame:
    """Add the features computed from the line (both engines' readers return the same),
    after putting the context valid at the prediction time in place."""
    frame = with_context_as_of(frame)
    if "line" in frame and "stat_avg_l10" in frame:
        frame = frame.with_columns(
            {"line_minus_stat_avg_l10": frame["line"] - frame["stat_avg_l10"]}
        )
    if "line" in frame and "over_odds" in frame and "under_odds" in frame:
        frame = frame.with_columns({
            "line_implied_mean": implied_mean(frame["line"], frame["over_odds"],
                                              frame["under_odds"])
        })
    return frame


def _same(name: str) -> str:
    return name


def _market_columns(alias: str) -> str:
    return ",\n".join(f"    {alias}.{c}" for c in MARKET_COLUMNS)


def _context_joins(relation: Callable[[str], str], rows: str, valid: Callable[[str], str]) -> str:
    """Left joins of the game-line and injury versions valid at the read's time."""
    return f"""
left join {relation(GAME_LINE_VERSIONS)} as context_lines
    on
        {rows}.game_id = context_lines.game_id
        and {valid("context_lines")}
left join {relation(INJURY_VERSIONS)} as context_injuries
    on
        {rows}.player_id = context_injuries.player_id
        and {rows}.game_date = context_injuries.game_date
        and {valid("context_injuries")}"""


_CONTEXT_SELECT = """
    context_lines.home_spread as as_of_home_spread,
    context_lines.game_total as as_of_game_total,
    context_lines.game_id is not null as as_of_has_game_line,
    context_injuries.injury_status as as_of_injury_status,
    context_injuries.play_probability as as_of_play_probability"""


def _valid_at(alias: str) -> str:
    return f"{alias}.valid_from <= ? and ({alias}.valid_to is null or {alias}.valid_to > ?)"


def _valid_at_minute(alias: str) -> str:
    return (f"{alias}.valid_from_minute <= ? and ({alias}.valid_to_minute is null "
            f"or {alias}.valid_to_minute > ?)")


def _current(alias: str) -> str:
    return f"{alias}.valid_to is null"


def prediction_rows_sql(n_markets: int, relation: Callable[[str], str] = _same) -> str:
    """The prediction read; its ``?`` values: prediction_values().

    ``relation`` spells a relation for the engine (DuckDB: as is; BigQuery: qualified).
    The features and lines tables are filtered on their partition column (game_date):
    BigQuery reads one partition of each. The game line and injury status are the
    versions valid at the prediction time too (as_of_*, see with_context_as_of).
    """
    markets = ", ".join("?" for _ in range(n_markets))
    return f"""
select
    base.*,{_CONTEXT_SELECT}
from (
select
    features.*,
    lines.line,
    lines.consensus_line,
    lines.n_books as line_book_count,
    lines.bookmaker,
    lines.over_odds,
    lines.under_odds,
    lines.line_timestamp,
{_market_columns("lines")}
from {relation(FEATURE_STORE)} as features
inner join {relation(PREFERRED_LINES)} as lines
    on
        features.game_id = lines.game_id
        and features.player_id = lines.player_id
        and features.market = lines.market
where
    features.game_date = ?
    and features.market in ({markets})
    and lines.valid_from <= ?
    and (lines.valid_to is null or lines.valid_to > ?)
    and lines.game_date = ?
) as base{_context_joins(relation, "base", _valid_at)}
order by base.market, base.game_id, base.player_id
"""  # noqa: S608 (relation names are constants; every value is a parameter)


def read_prediction_rows(
    con: Connection, game_date: date, as_of: datetime, markets: Sequence[str]
) -> Frame:
    """ONE query: every (player, game, market) of the date with a line valid at as_of."""
    sql = prediction_rows_sql(len(markets))
    return _frame(con, sql, prediction_values(game_date, as_of, markets))


def prediction_values(game_date: date, as_of: datetime, markets: Sequence[str]) -> list[Any]:
    """The values of prediction_rows_sql's placeholders, in order."""
    return [game_date, *markets, as_of, as_of, game_date, as_of, as_of, as_of, as_of]


def training_rows_sql(n_markets: int, relation: Callable[[str], str] = _same,
                      lead: bool = False) -> str:
    """The training read; its ``?`` values: training_values().

    Closing (default): each training game's closing line and the store's tip-off context.
    ``lead``: the line, game line and injury status valid at the same clock time on each
    training game's date as the predictions (``HH:MM`` backtests), in minutes after 00:00
    UTC, so the models learn from what was known at that lead time.
    """
    markets = ", ".join("?" for _ in range(n_markets))
    line_valid = _valid_at_minute("lines") if lead else "lines.is_closing"
    context = ""
    context_select = ""
    if lead:
        context = _context_joins(relation, "features", _valid_at_minute)
        context_select = "," + _CONTEXT_SELECT
    return f"""
select
    features.*,
    outcomes.actual_value,
    lines.line,
    lines.consensus_line,
    lines.n_books as line_book_count,
    lines.over_odds,
    lines.under_odds,
{_market_columns("lines")}{context_select}
from {relation(FEATURE_STORE)} as features
inner join {relation(PROP_OUTCOMES)} as outcomes
    on
        features.game_id = outcomes.game_id
        and features.player_id = outcomes.player_id
        and features.market = outcomes.market
left join {relation(PREFERRED_LINES)} as lines
    on
        features.game_id = lines.game_id
        and features.player_id = lines.player_id
        and features.market = lines.market
        and {line_valid}{context}
where
    features.game_date < ?
    and features.game_date >= ?
    and not features.is_upcoming
    and outcomes.minutes > 0
    and features.market in ({markets})
order by features.game_date, features.game_id, features.player_id, features.market
"""  # noqa: S608 (relation names are constants; every value is a parameter)


def training_values(before: date, since: date | None, markets: Sequence[str],
                    lead_minute: float | None = None) -> list[Any]:
    """The values of training_rows_sql's placeholders (lead = lead_minute is not None)."""
    lead = [] if lead_minute is None else [lead_minute] * 6
    return [*lead, before, training_since(since), *markets]


def training_since(since: date | None) -> date:
    return since or date(1900, 1, 1)


def read_training_rows(
    con: Connection, before: date, markets: Sequence[str], since: date | None = None,
    lead_minute: float | None = None,
) -> Frame:
    """ONE query: played games strictly before `before`, with their outcome and closing line
    (or, with lead_minute, the line and context valid at that minute of each game's date).

    Players who did not play (no box score, or zero minutes) are not training rows.
    """
    sql = training_rows_sql(len(markets), lead=lead_minute is not None)
    return _frame(con, sql, training_values(before, since, markets, lead_minute))


MARKETS_SQL = "select market from {} order by market"


def read_markets(con: Connection) -> list[str]:
    rows = con.execute(MARKETS_SQL.format(PROP_MARKETS)).fetchall()
    return [r[0] for r in rows]


def feature_columns(frame: Frame) -> list[str]:
    """The model features of a frame: its numeric columns minus keys and non-features."""
    names = [
        n for n in frame.columns
        if n in frame.numeric and n not in NON_FEATURES and n not in LINE_FEATURES
    ]
    return sorted(names) + [n for n in LINE_FEATURES if n in frame]


def feature_version(frame: Frame) -> str:
    if "feature_version" not in frame or len(frame) == 0:
        return "unknown"
    versions = sorted({str(v) for v in frame["feature_version"]})
    return "+".join(versions)


def dates_of(frame: Frame) -> np.ndarray:
    return frame["game_date"].astype("datetime64[D]")
