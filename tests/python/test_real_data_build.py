"""The real 2024-25 season, loaded and built: row counts, keys, resolution, reconciliation."""

from __future__ import annotations

from tests.python.conftest import Warehouse, load_real_files


def test_build_succeeds_with_no_failed_test(real_warehouse: Warehouse) -> None:
    failed = [n.unique_id for n in real_warehouse.build.nodes if n.status in ("error", "fail")]
    assert failed == []
    assert real_warehouse.build.success
    assert real_warehouse.build.count("model", "success") >= 20


def test_player_game_summary_has_every_real_player_game(real_warehouse: Warehouse) -> None:
    assert real_warehouse.scalar("select count(*) from nba_analytics.player_game_summary") == 22124
    assert (
        real_warehouse.scalar(
            "select count(*) from (select distinct game_id, player_id "
            "from nba_analytics.player_game_summary)"
        )
        == 22124
    )


def test_game_types_are_kept_apart(real_warehouse: Warehouse) -> None:
    rows = dict(
        real_warehouse.query(
            "select game_type, count(*) from nba_analytics.team_offense_game_summary "
            "where season = '2024-25' group by 1"
        )
    )
    # 2,802 team rows in 2024-25: 1,230 regular-season games (incl. the Cup knockouts
    # played as regular-season games), playoffs, play-in, preseason, All-Star, Cup final.
    assert rows["regular_season"] == 2 * 1230
    assert rows["cup_final"] == 2
    assert rows["play_in"] == 12
    assert sum(rows.values()) == 2802
    assert (
        real_warehouse.scalar(
            "select count(distinct game_type) from nba_analytics.player_game_summary"
        )
        == 1
    )  # the player file is regular season only


def test_neutral_site_games_get_a_home_team(real_warehouse: Warehouse) -> None:
    # 0022400147 (MIA @ WAS, Mexico City) lists '@' for both teams in the team logs.
    home = real_warehouse.query(
        "select home_team_tricode, away_team_tricode, is_neutral_site "
        "from nba_intermediate.int_games_unified where game_id = '0022400147'"
    )
    assert home == [("WAS", "MIA", True)]
    assert (
        real_warehouse.scalar(
            "select count(*) from nba_analytics.player_game_summary where opponent_team_id is null"
        )
        == 0
    )


def test_at_most_one_percent_of_prop_names_unresolved(real_warehouse: Warehouse) -> None:
    total, unresolved = real_warehouse.query(
        "select count(*), count(*) filter (where resolution_status != 'resolved') "
        "from nba_intermediate.int_player_names_resolved"
    )[0]
    assert total == 362
    assert unresolved / total <= 0.01
    listed = real_warehouse.scalar(
        "select count(*) from nba_reference.unresolved_entities where entity_kind = 'player_name'"
    )
    assert listed == unresolved
    # the aliases seed resolves the spellings normalization cannot
    assert real_warehouse.query(
        "select player_id, resolution_method from nba_intermediate.int_player_names_resolved "
        "where player_name = 'Nicolas Claxton'"
    ) == [(1629651, "alias")]
    # suffix tie-break: two 'Kevin Porter's, the prop says Jr.
    assert (
        real_warehouse.scalar(
            "select player_id from nba_intermediate.int_player_names_resolved "
            "where player_name = 'Kevin Porter Jr.'"
        )
        == 1629645
    )


def test_postponed_games_are_listed_not_dropped(real_warehouse: Warehouse) -> None:
    rows = real_warehouse.query(
        "select entity_value, occurrences from nba_reference.unresolved_entities "
        "where entity_kind = 'prop_game' order by 1"
    )
    # Three 2024-25 games had lines but were postponed (LA fires, two winter storms).
    assert [r[0] for r in rows] == [
        "Charlotte Hornets @ Los Angeles Lakers on 2025-01-09",
        "Houston Rockets @ Atlanta Hawks on 2025-01-11",
        "Milwaukee Bucks @ New Orleans Pelicans on 2025-01-22",
    ]
    props = real_warehouse.scalar("select count(*) from nba_intermediate.int_player_props_resolved")
    assert props == 64567  # every prop row kept, resolved or not


def test_team_totals_are_reconciled_with_differences_reported(real_warehouse: Warehouse) -> None:
    status = dict(
        real_warehouse.query(
            "select reconciliation_status, count(*) from nba_monitoring.team_points_reconciliation "
            "where game_type = 'regular_season' and game_date >= '2024-10-01' group by 1"
        )
    )
    # The real player file is partial (about 75% of player-games): every team-game with
    # player rows either reconciles or reports its points difference.
    assert status == {"reconciled": 686, "mismatch": 1774}
    diff_ok = real_warehouse.scalar(
        "select count(*) from nba_monitoring.team_points_reconciliation "
        "where points_difference != team_points - player_points"
    )
    assert diff_ok == 0
    warned = [
        n
        for n in real_warehouse.build.nodes
        if n.unique_id.startswith("test.nba_props.team_points_reconcile")
    ]
    assert warned and warned[0].status == "warn"


def test_loading_again_and_rebuilding_changes_nothing(real_warehouse: Warehouse, tmp_path) -> None:
    before = real_warehouse.query(
        "select (select count(*) from nba_raw.nbacom_player_game_logs), "
        "(select count(*) from nba_analytics.player_game_summary), "
        "(select count(*) from nba_analytics.team_offense_game_summary)"
    )
    results = load_real_files(real_warehouse.database, tmp_path / "landing")
    assert {r.status for r in results} == {"skipped_duplicate"}
    real_warehouse.dbt("build", "--select", "player_game_summary", "team_offense_game_summary")
    after = real_warehouse.query(
        "select (select count(*) from nba_raw.nbacom_player_game_logs), "
        "(select count(*) from nba_analytics.player_game_summary), "
        "(select count(*) from nba_analytics.team_offense_game_summary)"
    )
    assert after == before
