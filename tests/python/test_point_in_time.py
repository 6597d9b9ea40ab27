"""Point-in-time correctness of the feature store.

1. Features of sampled rows, recomputed here straight from the raw tables (newest load of
   each record, competitive games only) with only the games dated strictly before the
   row's game date, equal what dbt built.
2. Correcting a later game's stats (a newer load of the same records) and rebuilding the
   layer from scratch leaves every feature dated on or before that game untouched.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from nba_props.load import DuckDBLoader
from tests.python.conftest import Warehouse
from tests.python.test_precompute_support import (
    LAYER_SELECTION,
    PRECOMPUTE_FACTS,
    copy_warehouse,
    facts_identical,
)

COMPETITIVE_TYPES = ("2", "4", "5", "6")  # 3rd digit of the game id
STAT_OF_MARKET = {
    "player_points": lambda g: g["pts"],
    "player_rebounds": lambda g: g["reb"],
    "player_assists": lambda g: g["ast"],
    "player_threes": lambda g: g["fg3m"],
    "player_steals": lambda g: g["stl"],
    "player_blocks": lambda g: g["blk"],
    "player_turnovers": lambda g: g["tov"],
    "player_points_rebounds_assists": lambda g: g["pts"] + g["reb"] + g["ast"],
    "player_points_rebounds": lambda g: g["pts"] + g["reb"],
    "player_points_assists": lambda g: g["pts"] + g["ast"],
    "player_rebounds_assists": lambda g: g["reb"] + g["ast"],
    "player_blocks_steals": lambda g: g["blk"] + g["stl"],
}
ZONES = {
    "Restricted Area": "restricted_area",
    "In The Paint (Non-RA)": "paint",
    "Mid-Range": "mid_range",
    "Left Corner 3": "corner_three",
    "Right Corner 3": "corner_three",
    "Above the Break 3": "above_break_three",
}
SAMPLE_PER_MARKET = 10
CORRECTED_DATE = date(2025, 2, 10)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _raw_history(database: Path) -> dict:
    """Raw box scores, team logs and shots: newest load per record, competitive games."""
    with duckdb.connect(str(database), read_only=True) as con:
        newest = (
            "lpad(game_id, 10, '0') as gid, row_number() over "
            "(partition by {key} order by _loaded_at desc, _row_number desc) as r"
        )
        player_games = _rows(con, f"""
            select * from (
                select *, {newest.format(key='player_id, game_id')}
                from nba_raw.nbacom_player_game_logs
            ) where r = 1 and substr(gid, 3, 1) in {COMPETITIVE_TYPES}
        """)
        team_games = _rows(con, f"""
            select * from (
                select *, {newest.format(key='team_id, game_id')}
                from nba_raw.nbacom_team_game_logs
            ) where r = 1 and substr(gid, 3, 1) in {COMPETITIVE_TYPES}
        """)
        shots = _rows(con, f"""
            with s as (select *, lpad(game_id, 10, '0') as gid from nba_raw.nbacom_shot_detail),
            newest as (select gid, max(_load_id) as load_id from s group by gid)
            select s.player_id, s.gid, s.game_date, s.basic_zone
            from s join newest on s.gid = newest.gid and s._load_id = newest.load_id
            where substr(s.gid, 3, 1) in {COMPETITIVE_TYPES}
        """)
    by_player = defaultdict(list)
    for g in player_games:
        by_player[g["player_id"]].append(g)
    for games in by_player.values():
        games.sort(key=lambda g: (g["game_date"], g["gid"]))
    team_by_key = {(t["team_id"], t["gid"]): t for t in team_games}
    teams_of_game = defaultdict(list)
    for t in team_games:
        teams_of_game[t["gid"]].append(t)
    team_by_team = defaultdict(list)
    for t in team_games:
        team_by_team[t["team_id"]].append(t)
    for games in team_by_team.values():
        games.sort(key=lambda t: (t["game_date"], t["gid"]))
    shot_games = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    shot_dates = {}
    for s in shots:
        zone = ZONES.get(s["basic_zone"])
        if zone:
            shot_games[s["player_id"]][s["gid"]][zone] += 1
            shot_dates[s["gid"]] = s["game_date"]
    return {
        "player": by_player,
        "team_by_key": team_by_key,
        "teams_of_game": teams_of_game,
        "team": team_by_team,
        "shots": shot_games,
        "shot_dates": shot_dates,
    }


def _possessions(t: dict) -> float:
    return t["fga"] - t["oreb"] + t["tov"] + 0.44 * t["fta"]


def _pace(raw: dict, team_id: int, gid: str) -> float:
    team = raw["team_by_key"][(team_id, gid)]
    opponent = next(t for t in raw["teams_of_game"][gid] if t["team_id"] != team_id)
    return 48 * (_possessions(team) + _possessions(opponent)) / 2 / (team["min"] / 5)


def _season(gid: str) -> int:
    return 2000 + int(gid[3:5])


def _expected(raw: dict, row: dict, leak_one_day: bool = False) -> dict:
    """The features of one row, from raw games strictly before its game date (or, for the
    negative control, up to and including it)."""
    season = _season(row["game_id"])
    day = row["game_date"] + timedelta(days=1) if leak_one_day else row["game_date"]
    stat = STAT_OF_MARKET[row["market"]]
    prior = [g for g in raw["player"][row["player_id"]] if g["game_date"] < day]
    this_season = [g for g in prior if _season(g["gid"]) == season]
    l5, l10 = prior[-5:], prior[-10:]
    out: dict = {
        "games_played_total": len(prior),
        "games_played_season": len(this_season),
        "stat_last_game": stat(prior[-1]) if prior else None,
        "stat_avg_l5": statistics.fmean(map(stat, l5)) if l5 else None,
        "stat_avg_l10": statistics.fmean(map(stat, l10)) if l10 else None,
        "stat_std_l10": statistics.stdev(map(stat, l10)) if len(l10) > 1 else None,
        "stat_avg_season": statistics.fmean(map(stat, this_season)) if this_season else None,
        "stat_per36_l10": (
            36 * sum(map(stat, l10)) / sum(g["min"] for g in l10)
            if l10 and sum(g["min"] for g in l10) else None
        ),
        "minutes_avg_l10": statistics.fmean(g["min"] for g in l10) if l10 else None,
        "fga_avg_l10": statistics.fmean(g["fga"] for g in l10) if l10 else None,
        "days_rest": (day - prior[-1]["game_date"]).days - 1 if this_season else None,
        "games_last_7_days": sum(1 for g in prior if g["game_date"] >= day - timedelta(days=7)),
    }
    if l10:
        teams = [raw["team_by_key"][(g["team_id"], g["gid"])] for g in l10]
        used = sum(_plays(g) * t["min"] / 5 for g, t in zip(l10, teams, strict=True))
        available = sum(g["min"] * _plays(t) for g, t in zip(l10, teams, strict=True))
        out["usage_rate_l10"] = used / available if available else None
    else:
        out["usage_rate_l10"] = None
    team_prior = [t for t in raw["team"][row["team_id"]] if t["game_date"] < day][-10:]
    out["team_pace_l10"] = (
        statistics.fmean(_pace(raw, row["team_id"], t["gid"]) for t in team_prior)
        if team_prior else None
    )
    shooting = sorted(
        (gid for gid in raw["shots"][row["player_id"]] if raw["shot_dates"][gid] < day),
        key=lambda gid: (raw["shot_dates"][gid], gid),
    )[-10:]
    attempts = defaultdict(int)
    for gid in shooting:
        for zone, n in raw["shots"][row["player_id"]][gid].items():
            attempts[zone] += n
    total = sum(attempts.values())
    for zone in ("restricted_area", "above_break_three"):
        out[f"{zone}_fga_share_l10"] = attempts[zone] / total if total else None
    return out


def _plays(box: dict) -> float:
    """Plays used (the usage-rate numerator): shots, trips to the line, turnovers."""
    return box["fga"] + 0.44 * box["fta"] + box["tov"]


def _close(a: object, b: object) -> bool:
    """Equal up to the layer's fixed-point precision: fractional per-game values (pace,
    0.44 * FTA) are summed as decimal(18, 6) so rolling sums are exact (nba_props.type_exact)."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)


def test_sampled_features_match_a_recomputation_from_raw_tables(
    real_warehouse: Warehouse,
) -> None:
    raw = _raw_history(real_warehouse.database)
    columns = list(_expected(raw, {
        "game_date": date(2025, 1, 1), "game_id": "0022400500", "market": "player_points",
        "player_id": next(iter(raw["player"])), "team_id": 1610612738,
    }))
    with duckdb.connect(str(real_warehouse.database), read_only=True) as con:
        sample = _rows(con, f"""
            select player_id, game_id, market, game_date, team_id, {', '.join(columns)}
            from (
                select *, row_number() over (
                    partition by market
                    order by md5(cast(player_id as varchar) || game_id || market)
                ) as pick
                from nba_precompute.ml_feature_store_v2
                where not is_upcoming
            ) where pick <= {SAMPLE_PER_MARKET}
        """)
    assert len(sample) == SAMPLE_PER_MARKET * len(STAT_OF_MARKET)
    mismatches = []
    for row in sample:
        expected = _expected(raw, row)
        for column in columns:
            if not _close(row[column], expected[column]):
                mismatches.append((row["player_id"], row["game_id"], row["market"], column,
                                   row[column], expected[column]))
    assert mismatches == []
    # Negative control: the same comparison with the game's own date let in fails, so a
    # leak of that kind could not pass unnoticed.
    leaked = sum(
        1
        for row in sample
        if not _close(row["stat_avg_l10"], _expected(raw, row, leak_one_day=True)["stat_avg_l10"])
    )
    assert leaked >= 0.8 * len(sample)
    # the sample is not trivial: 50 different player-games, most with a real history
    assert len({(r["player_id"], r["game_id"]) for r in sample}) == len(sample)
    assert sum(1 for r in sample if r["games_played_total"] >= 10) >= 25


def _write_corrections(database: Path, out: Path) -> dict[str, Path]:
    """Corrected copies of every box score (player and team) of CORRECTED_DATE, and a
    re-export of one of its games' shots with every shot made: new files, newer loads."""
    out.mkdir(parents=True, exist_ok=True)
    day = CORRECTED_DATE.isoformat()
    files = {
        "nbacom_player_game_logs": out / "player_logs_corrected.csv",
        "nbacom_team_game_logs": out / "team_logs_corrected.csv",
        "nbacom_shot_detail": out / "shots_reexport.csv",
    }
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute(f"""
            copy (
                select * exclude (_load_id, _source_file, _content_hash, _row_number, _loaded_at)
                    replace (pts + 10 as pts, fgm + 5 as fgm, fga + 5 as fga,
                             reb + 3 as reb, ast + 2 as ast)
                from nba_raw.nbacom_player_game_logs where game_date = '{day}'
            ) to '{files["nbacom_player_game_logs"]}' (header)
        """)
        con.execute(f"""
            copy (
                select * exclude (_load_id, _source_file, _content_hash, _row_number, _loaded_at)
                    replace (fga + 10 as fga, tov + 3 as tov)
                from nba_raw.nbacom_team_game_logs where game_date = '{day}'
            ) to '{files["nbacom_team_game_logs"]}' (header)
        """)
        game = con.execute(
            f"select min(game_id) from nba_raw.nbacom_shot_detail where game_date = '{day}'"
        ).fetchone()[0]
        con.execute(f"""
            copy (
                select * exclude (_load_id, _source_file, _content_hash, _row_number, _loaded_at)
                    replace (strftime(game_date, '%m-%d-%Y') as game_date, true as shot_made)
                from nba_raw.nbacom_shot_detail where game_id = '{game}'
            ) to '{files["nbacom_shot_detail"]}' (header)
        """)
    return files


@pytest.mark.slow
def test_correcting_a_later_game_leaves_earlier_features_unchanged(
    real_warehouse: Warehouse, tmp_path: Path
) -> None:
    corrected = copy_warehouse(real_warehouse, tmp_path / "corrected")
    files = _write_corrections(corrected.database, tmp_path / "landing")
    loader = DuckDBLoader(corrected.database)
    for raw_table, path in files.items():
        assert [r.status for r in loader.load(raw_table, [path])] == ["loaded"]

    # Rebuild the whole layer from scratch on the corrected data.
    corrected.dbt("run", *LAYER_SELECTION, "--full-refresh")

    # The corrections reached the box scores...
    bumped = corrected.scalar(
        "select count(*) from nba_staging.stg_nbacom__player_game_logs "
        "where game_date = ? and points >= 10 and load_id = ("
        "  select max(_load_id) from nba_raw.nbacom_player_game_logs)",
        [CORRECTED_DATE],
    )
    assert bumped > 50
    # ...every feature dated on or before the corrected date is unchanged...
    on_or_before = facts_identical(
        corrected.database, real_warehouse.database, [("*", f"{{col}} <= '{CORRECTED_DATE}'")]
    )
    for table, (rows, only_corrected, only_original) in on_or_before.items():
        assert rows > 0, table
        assert (only_corrected, only_original) == (0, 0), f"{table}: {on_or_before[table]}"
    # ...and features after it did move (the test would be empty otherwise).
    after = facts_identical(
        corrected.database, real_warehouse.database, [("*", f"{{col}} > '{CORRECTED_DATE}'")]
    )
    for table in PRECOMPUTE_FACTS:
        rows, only_corrected, only_original = after[table]
        assert only_corrected > 0 and only_corrected == only_original, table


BACKTEST_AS_OF = date(2025, 1, 15)


@pytest.mark.slow
def test_upcoming_rows_equal_training_rows_and_see_nothing_later(
    real_warehouse: Warehouse, tmp_path: Path
) -> None:
    """A backtest as of 2025-01-15: the games from that day on become upcoming rows.

    An upcoming row for a game ON the as-of date must equal, column for column, the
    training row of the same game in the normal build (same cut-off: training/serving
    parity). Upcoming rows of later games are computed as of the same date, so they see
    no game played after it.
    """
    backtest = copy_warehouse(real_warehouse, tmp_path / "backtest")
    backtest.dbt(
        "run", "--select", "path:models/features",
        "--full-refresh", "--vars", json.dumps({"as_of_date": BACKTEST_AS_OF.isoformat()}),
    )
    upcoming, first, last, as_of = backtest.query(
        "select count(*), min(game_date), max(game_date), max(feature_as_of_date) "
        "from nba_precompute.ml_feature_store_v2 where is_upcoming"
    )[0]
    assert upcoming > 1000
    assert (first, as_of) == (BACKTEST_AS_OF, BACKTEST_AS_OF)
    assert last < BACKTEST_AS_OF + timedelta(days=7)
    assert backtest.scalar(
        "select max(game_date) from nba_precompute.ml_feature_store_v2 where not is_upcoming"
    ) < BACKTEST_AS_OF
    for table in ("upcoming_player_game_context", "upcoming_team_game_context"):
        assert backtest.scalar(f"select count(*) from nba_analytics.{table}") > 0

    with duckdb.connect(str(backtest.database), read_only=True) as con:
        con.execute(f"attach '{real_warehouse.database}' as normal_db (read_only)")
        con.execute(f"""
            create temp table same_day_keys as
            select player_id, game_id, market from nba_precompute.ml_feature_store_v2
            where is_upcoming and game_date = '{BACKTEST_AS_OF}'
            intersect
            select player_id, game_id, market from normal_db.nba_precompute.ml_feature_store_v2
            where game_date = '{BACKTEST_AS_OF}'
        """)
        rows = (
            "select t.* exclude (is_upcoming) from {db}nba_precompute.ml_feature_store_v2 as t "
            "semi join same_day_keys using (player_id, game_id, market)"
        )
        compared = con.execute("select count(*) from same_day_keys").fetchone()[0]
        differing = con.execute(
            f"select count(*) from ({rows.format(db='')} except all "
            f"{rows.format(db='normal_db.')})"
        ).fetchone()[0]
        # Every projected player of a later game is computed as of the as-of date: his
        # games_played_total is the same in all his upcoming games.
        moving = con.execute("""
            select count(*) from (
                select player_id
                from nba_precompute.ml_feature_store_v2
                where is_upcoming
                group by player_id
                having count(distinct games_played_total) > 1
            )
        """).fetchone()[0]
    assert compared > 500
    assert differing == 0
    assert moving == 0
