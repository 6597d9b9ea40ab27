"""The backtest's SQL: its dates, the season's first game, the graded rows, and the dbt
selector that grades. Relation names from nba_props.relations; ``relation`` qualifies
them per engine (identity on DuckDB, ``project.dataset.table`` on BigQuery)."""

from __future__ import annotations

from collections.abc import Callable

from nba_props.relations import FEATURE_STORE, PREDICTION_ACCURACY, PREFERRED_LINES

GRADING_SELECTOR = "stg_nba_predictions__player_prop_predictions+"


def backtest_dates_sql(n_markets: int, relation: Callable[[str], str] = str) -> str:
    """Game dates of a season with a line in the markets (``?``: the season's bounds,
    season year, *markets)."""
    markets = ", ".join("?" for _ in range(n_markets))
    return f"""
select distinct features.game_date
from {relation(FEATURE_STORE)} as features
inner join {relation(PREFERRED_LINES)} as lines
    on
        features.game_id = lines.game_id
        and features.player_id = lines.player_id
        and features.market = lines.market
where
    features.game_date between ? and ?
    and features.season_start_year = ?
    and features.market in ({markets})
order by features.game_date
"""  # noqa: S608


def season_start_sql(relation: Callable[[str], str] = str) -> str:
    """The season's first game date (``?``: the season's bounds, season year)."""
    return (f"select min(game_date) as first_date from {relation(FEATURE_STORE)} "  # noqa: S608
            "where game_date between ? and ? and season_start_year = ?")


def graded_rows_sql(n_markets: int, n_systems: int,
                    relation: Callable[[str], str] = str) -> str:
    """Graded backtest rows of the markets and (system_id, system_version)s, in a window."""
    markets = ", ".join("?" for _ in range(n_markets))
    systems = " or ".join("(system_id = ? and system_version = ?)" for _ in range(n_systems))
    return f"""
select *
from {relation(PREDICTION_ACCURACY)}
where run_mode = 'backtest'
    and game_date between ? and ?
    and market in ({markets})
    and ({systems})
order by system_id, market, game_date, game_id, player_id
"""  # noqa: S608


