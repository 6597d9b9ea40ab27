"""Grading in dbt: the unit tests of the grading logic, and grading of real worker output."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from nba_props.predict.contract import QUALIFIED_TABLE
from nba_props.predict.settings import PredictSettings
from nba_props.predict.worker import PredictionWorker, closing_as_of
from tests.python.ml_warehouse import MLWarehouse, build_once

DAY = date(2026, 1, 13)
UNIT_TESTS = {
    "grading_over_under_push_void_pending_pass",
    "daily_performance_odds_to_roi",
    "preferred_line_picks_priority_book_and_median_as_of",
    "grading_probability_scores_kelly_and_clv",
    "daily_performance_brier_skill_and_clv",
    "game_line_versions_as_of",
    "injury_versions_stop_at_tip_off",
}


@pytest.fixture(scope="session")
def ml_warehouse(tmp_path_factory: pytest.TempPathFactory) -> MLWarehouse:
    return build_once(tmp_path_factory.getbasetemp() / "ml_warehouse")


def test_grading_unit_tests_pass(ml_warehouse: MLWarehouse) -> None:
    outcome = ml_warehouse.dbt(
        "test", "--select",
        "prediction_accuracy,test_type:unit system_daily_performance,test_type:unit "
        "player_prop_lines_preferred,test_type:unit game_lines_preferred,test_type:unit "
        "injury_status_versioned,test_type:unit",
    )
    unit = {n.unique_id.split(".")[-1]: n.status for n in outcome.nodes
            if n.resource_type == "unit_test"}
    assert set(unit) >= UNIT_TESTS, unit
    assert set(unit.values()) == {"pass"}, unit


def test_worker_predictions_are_graded_with_voids_kept(ml_warehouse: MLWarehouse) -> None:
    database = ml_warehouse.copy("grading")
    with duckdb.connect(str(database)) as con:
        worker = PredictionWorker(con, PredictSettings(
            markets=("player_points", "player_threes"), run_mode="backtest"))
        worker.predict_date(DAY, closing_as_of(DAY))
        # A prediction for a player with a line who has no box score in the final game
        # (copied from a real one): the grading must void it and keep the row.
        con.execute(
            f"""
            insert into {QUALIFIED_TABLE}
            select * replace (
                'void-check' as prediction_id, 999999999 as player_id, 'OVER' as recommendation)
            from {QUALIFIED_TABLE}
            where system_id = 'moving_average'
            limit 1
            """
        )
        n_predictions = con.execute(f"select count(*) from {QUALIFIED_TABLE}").fetchone()[0]
    wh = MLWarehouse(ml_warehouse.root, database, ml_warehouse.target_path,
                     ml_warehouse.log_path)
    outcome = wh.dbt("build", "--select", "stg_nba_predictions__player_prop_predictions+",
                     "--indirect-selection", "cautious", "--exclude", "test_type:unit")
    assert outcome.success
    with duckdb.connect(str(database), read_only=True) as con:
        graded = con.execute(
            "select count(*), count(*) filter (where grade_status = 'graded'),"
            " count(*) filter (where grade_status = 'void')"
            " from nba_predictions.prediction_accuracy").fetchone()
        assert graded[0] == n_predictions  # no row dropped
        assert graded[1] == n_predictions - 1 and graded[2] == 1
        void = con.execute(
            "select bet_result, actual_value, units_staked, profit_units"
            " from nba_predictions.prediction_accuracy where prediction_id = 'void-check'"
        ).fetchone()
        assert void == ("void", None, 0.0, None)
        # Win/loss/push agree with the actual value and the recorded line.
        mismatches = con.execute(
            """
            select count(*)
            from nba_predictions.prediction_accuracy
            where grade_status = 'graded' and recommendation != 'PASS' and not (
                (bet_result = 'push' and actual_value = line)
                or (bet_result = 'win' and ((recommendation = 'OVER' and actual_value > line)
                    or (recommendation = 'UNDER' and actual_value < line)))
                or (bet_result = 'loss' and ((recommendation = 'OVER' and actual_value < line)
                    or (recommendation = 'UNDER' and actual_value > line))))
            """
        ).fetchone()[0]
        assert mismatches == 0
        daily = con.execute(
            "select sum(n_predictions), sum(n_void), sum(units_staked),"
            " sum(n_wins + n_losses + n_pushes) from nba_predictions.system_daily_performance"
        ).fetchone()
        assert daily[0] == n_predictions and daily[1] == 1 and daily[2] == daily[3]
        rolling = con.execute(
            "select distinct window_days from nba_predictions.system_performance_rolling"
            " order by 1").fetchall()
        assert rolling == [(7,), (30,)]
