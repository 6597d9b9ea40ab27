"""The precompute layer on the real 2024-25 season (shot detail included): it builds, its
tests pass, and its tables have the expected shape."""

from __future__ import annotations

from pathlib import Path

import duckdb

from nba_props.load import DuckDBLoader
from tests.python.conftest import Warehouse
from tests.python.test_precompute_support import PRECOMPUTE_FACTS, copy_warehouse

PLAYER_GAMES = 22124  # competitive player-games in the real player file
MARKETS = 12  # rows of the prop_markets seed
LAYER_NODES = (
    "player_daily_cache",
    "player_shot_zone_analysis",
    "team_defense_zone_analysis",
    "player_composite_factors",
    "ml_feature_store_v2",
    "upcoming_player_game_context",
    "upcoming_team_game_context",
    "player_team_membership_snapshot",
    "injury_status_snapshot",
    "prop_line_movement_snapshot",
    "int_player_feature_spine_unioned",
    "assert_precompute_",
    "assert_feature_",
)


def test_layer_models_tests_and_snapshots_pass(real_warehouse: Warehouse) -> None:
    nodes = [n for n in real_warehouse.build.nodes if any(k in n.unique_id for k in LAYER_NODES)]
    # the layer's models, snapshots, unit tests and data tests (one column_checks per
    # model): 42 nodes on the real season
    assert len(nodes) >= 40
    checks = {n.unique_id.split(".")[2] for n in nodes if n.resource_type == "test"}
    assert {f"{m}_column_checks" for m in LAYER_NODES[:7]} <= checks
    bad = [(n.unique_id, n.status, n.message) for n in nodes if n.status not in ("success", "pass")]
    assert bad == []
    kinds = {n.resource_type for n in nodes}
    assert {"model", "test", "snapshot", "unit_test"} <= kinds


def test_one_row_per_player_game_and_market(real_warehouse: Warehouse) -> None:
    rows, keys, markets, versions = real_warehouse.query(
        "select count(*), count(distinct (player_id, game_id, market)), count(distinct market), "
        "count(distinct feature_version) from nba_precompute.ml_feature_store_v2"
    )[0]
    assert rows == keys == PLAYER_GAMES * MARKETS
    assert markets == MARKETS
    assert versions == 1
    for table in ("player_daily_cache", "player_shot_zone_analysis", "player_composite_factors"):
        assert real_warehouse.scalar(f"select count(*) from nba_precompute.{table}") == PLAYER_GAMES


def test_contract_types_are_enforced(real_warehouse: Warehouse) -> None:
    types = dict(
        real_warehouse.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'nba_precompute' and table_name = 'ml_feature_store_v2'"
        )
    )
    assert types["player_id"] == "BIGINT"
    assert types["game_id"] == "VARCHAR"
    assert types["game_date"] == "DATE"
    assert types["stat_avg_l10"] == "DOUBLE"
    assert types["is_thin_history_l10"] == "BOOLEAN"
    assert types["feature_version"] == "VARCHAR"
    assert len(types) == 64


def test_shot_detail_feeds_zone_features(real_warehouse: Warehouse) -> None:
    with_zones, rows = real_warehouse.query(
        "select count(*) filter (where has_shot_zone_history), count(*) "
        "from nba_precompute.ml_feature_store_v2 where market = 'player_points'"
    )[0]
    # Everyone has shooting history but a player's first game (and a few non-shooters).
    assert with_zones / rows > 0.97
    league_rim, teams = real_warehouse.query(
        "select avg(league_restricted_area_fg_pct), count(distinct team_id) "
        "from nba_precompute.team_defense_zone_analysis where analysis_date >= '2024-11-15'"
    )[0]
    assert 0.6 < league_rim < 0.7
    assert teams == 30
    matchups = real_warehouse.scalar(
        "select count(matchup_fg_pct_delta) from nba_precompute.player_composite_factors "
        "where game_date >= '2024-11-15'"
    )
    assert matchups > 15000


def test_thin_history_and_completeness(real_warehouse: Warehouse) -> None:
    # Opening night: nobody has a competitive game of the player file before it.
    first_night = real_warehouse.query(
        "select min(feature_completeness), max(feature_completeness), bool_and(is_thin_history_l5) "
        "from nba_precompute.ml_feature_store_v2 where game_date = '2024-10-22'"
    )[0]
    assert first_night[2] is True
    assert first_night[1] < 0.5
    late = real_warehouse.scalar(
        "select avg(feature_completeness) from nba_precompute.ml_feature_store_v2 "
        "where game_date >= '2025-01-01' and not is_thin_history_l10"
    )
    assert late > 0.99


def test_only_threes_have_lines_on_the_real_data(real_warehouse: Warehouse) -> None:
    # The shared warehouse loads the season's threes file only (the multi-market files are
    # loaded by test_quickstart): every other modelled market has a feature row and no line.
    lines = dict(
        real_warehouse.query(
            "select market, count(*) filter (where has_prop_line) "
            "from nba_precompute.ml_feature_store_v2 group by 1"
        )
    )
    assert lines["player_threes"] > 10000
    others = {m: n for m, n in lines.items() if m != "player_threes"}
    assert others == dict.fromkeys(others, 0) and len(others) == MARKETS - 1


def test_no_upcoming_rows_without_a_schedule(real_warehouse: Warehouse) -> None:
    # The real files have no schedule: as_of_date defaults to the day after the newest
    # final game (the 2025 Finals), and nothing is upcoming.
    assert str(real_warehouse.scalar(
        "select as_of_date from nba_intermediate.int_as_of_dates_resolved"
    )) == "2025-06-23"
    for table in ("upcoming_player_game_context", "upcoming_team_game_context"):
        assert real_warehouse.scalar(f"select count(*) from nba_analytics.{table}") == 0
    for table in PRECOMPUTE_FACTS:
        assert real_warehouse.scalar(
            f"select count(*) from nba_precompute.{table} where is_upcoming"
        ) == 0


def test_snapshots_hold_current_state(real_warehouse: Warehouse) -> None:
    members = real_warehouse.scalar(
        "select count(*) from nba_snapshots.player_team_membership_snapshot "
        "where dbt_valid_to is null"
    )
    assert members == real_warehouse.scalar(
        "select count(*) from nba_intermediate.int_player_team_membership_current"
    )
    # Line movement is snapshotted for the open and recent games only (as_of_date -
    # lookback_days on). The real props end in April, long before this as-of date.
    assert real_warehouse.scalar(
        "select count(*) from nba_snapshots.prop_line_movement_snapshot"
    ) == 0
    # No injury report in the real files: an empty snapshot, not a failure.
    assert real_warehouse.scalar("select count(*) from nba_snapshots.injury_status_snapshot") == 0


def test_line_snapshot_keeps_the_recent_games(real_warehouse: Warehouse, tmp_path: Path) -> None:
    """As of a date inside the props season, the line snapshot holds every current line of
    the games from as_of_date - lookback_days (3) on, and nothing older."""
    dated = copy_warehouse(real_warehouse, tmp_path / "dated")
    # run + snapshot, not build: the feature store's tests hold it to the built as-of date.
    as_of = ("--vars", "{as_of_date: '2025-03-10'}")
    dated.dbt("run", "--select", "int_as_of_dates_resolved int_prop_lines_current", *as_of)
    dated.dbt("snapshot", "--select", "prop_line_movement_snapshot", *as_of)
    current = dated.scalar("select count(*) from nba_intermediate.int_prop_lines_current")
    assert current > 100
    assert dated.scalar(
        "select count(*) from nba_snapshots.prop_line_movement_snapshot where dbt_valid_to is null"
    ) == current
    assert str(dated.scalar(
        "select min(game_date) from nba_snapshots.prop_line_movement_snapshot"
    )) == "2025-03-07"
    # Every current line of those games: the same rows the versioned lines hold open.
    assert current == dated.scalar(
        "select count(*) from nba_intermediate.int_player_prop_lines_versioned "
        "where valid_to is null and game_date >= date '2025-03-07'"
    )


def test_membership_snapshot_records_a_trade(real_warehouse: Warehouse, tmp_path: Path) -> None:
    """A later box score for another team (a trade) closes the player's membership version
    and opens a new one."""
    traded = copy_warehouse(real_warehouse, tmp_path / "traded")
    player_id, old_team, new_team, game_id, game_date = traded.query("""
        with last_games as (
            select player_id, team_id, game_date,
                row_number() over (partition by player_id order by game_date desc) as r
            from nba_analytics.player_game_summary
        )
        select l.player_id, l.team_id, t.team_id, t.game_id, t.game_date
        from last_games as l
        inner join nba_staging.stg_nbacom__team_game_logs as t
            on t.game_date > l.game_date and t.team_id != l.team_id
            and substr(t.game_id, 3, 1) = '4'
        where l.r = 1
        order by l.player_id, t.game_date, t.game_id
        limit 1
    """)[0]
    landing = tmp_path / "trade.csv"
    with duckdb.connect(str(traded.database), read_only=True) as con:
        con.execute(f"""
            copy (
                select * exclude (_load_id, _source_file, _content_hash, _row_number, _loaded_at)
                    replace ({new_team} as team_id, '{game_id}' as game_id,
                             cast('{game_date}' as date) as game_date, 'XXX vs. YYY' as matchup)
                from nba_raw.nbacom_player_game_logs
                where player_id = {player_id}
                order by game_date desc
                limit 1
            ) to '{landing}' (header)
        """)
    DuckDBLoader(traded.database).load("nbacom_player_game_logs", [landing])
    # The box-score staging is an incremental table: it takes the new load, then the
    # snapshot reads it (as a daily build orders them).
    traded.dbt("run", "--select", "stg_nbacom__player_game_logs")
    traded.dbt("snapshot", "--select", "player_team_membership_snapshot")
    versions = traded.query(
        "select team_id, dbt_valid_to is null from nba_snapshots.player_team_membership_snapshot "
        "where player_id = ? order by dbt_valid_from",
        [player_id],
    )
    assert versions == [(old_team, False), (new_team, True)]
