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
from nba_props.predict.settings import FEATURE_STORE, PREFERRED_LINES, PROP_MARKETS, PROP_OUTCOMES

# Columns of the feature store that are keys, context or the store's own line selection
# (the workers use the preferred line valid at prediction time instead), not features.
NON_FEATURES = frozenset({
    "season_start_year", "is_upcoming", "prop_line", "prop_line_consensus",
    "prop_bookmaker_count", "line_vs_avg_l10", "has_prop_line", "actual_value",
    "over_odds", "under_odds", "line_book_count",
})
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


def with_line_features(frame: Frame) -> Frame:
    """Add the features computed from the line (both engines' readers return the same)."""
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


def prediction_rows_sql(n_markets: int, relation: Callable[[str], str] = _same) -> str:
    """The prediction read, ``?`` placeholders: (game date, *markets, as_of, as_of, game date).

    ``relation`` spells a relation for the engine (DuckDB: as is; BigQuery: qualified).
    Both tables are filtered on their partition column (game_date): BigQuery reads one
    partition of each.
    """
    markets = ", ".join("?" for _ in range(n_markets))
    return f"""
select
    features.*,
    lines.line,
    lines.consensus_line,
    lines.n_books as line_book_count,
    lines.bookmaker,
    lines.over_odds,
    lines.under_odds,
    lines.line_timestamp
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
order by features.market, features.game_id, features.player_id
"""  # noqa: S608 (relation names are constants; every value is a parameter)


def read_prediction_rows(
    con: Connection, game_date: date, as_of: datetime, markets: Sequence[str]
) -> Frame:
    """ONE query: every (player, game, market) of the date with a line valid at as_of."""
    sql = prediction_rows_sql(len(markets))
    return _frame(con, sql, prediction_values(game_date, as_of, markets))


def prediction_values(game_date: date, as_of: datetime, markets: Sequence[str]) -> list[Any]:
    """The values of prediction_rows_sql's placeholders, in order."""
    return [game_date, *markets, as_of, as_of, game_date]


def training_rows_sql(n_markets: int, relation: Callable[[str], str] = _same) -> str:
    """The training read, ``?`` placeholders: (before, since, *markets)."""
    markets = ", ".join("?" for _ in range(n_markets))
    return f"""
select
    features.*,
    outcomes.actual_value,
    lines.line,
    lines.consensus_line,
    lines.n_books as line_book_count,
    lines.over_odds,
    lines.under_odds
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
        and lines.is_closing
where
    features.game_date < ?
    and features.game_date >= ?
    and not features.is_upcoming
    and outcomes.minutes > 0
    and features.market in ({markets})
order by features.game_date, features.game_id, features.player_id, features.market
"""  # noqa: S608 (relation names are constants; every value is a parameter)


def training_since(since: date | None) -> date:
    return since or date(1900, 1, 1)


def read_training_rows(
    con: Connection, before: date, markets: Sequence[str], since: date | None = None
) -> Frame:
    """ONE query: played games strictly before `before`, with their outcome and closing line.

    Players who did not play (no box score, or zero minutes) are not training rows.
    """
    sql = training_rows_sql(len(markets))
    return _frame(con, sql, [before, training_since(since), *markets])


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
