"""The walk-forward backtest on a week of the REAL 2024-25 player_threes closing lines."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from nba_props.backtest import BacktestConfig, run_backtest
from nba_props.predict.systems import SYSTEM_IDS


@pytest.mark.slow
def test_backtest_on_a_week_of_real_threes(real_warehouse, tmp_path: Path) -> None:
    database = tmp_path / "real_backtest.duckdb"
    shutil.copyfile(real_warehouse.database, database)  # keep the shared warehouse as built
    config = BacktestConfig(season="2024-25", markets=("player_threes",),
                            start=date(2025, 1, 13), end=date(2025, 1, 19))
    result = run_backtest(database, config, tmp_path / "report",
                          target_path=tmp_path / "target", log_path=tmp_path / "logs")
    assert result.grading is not None and result.grading.success
    assert len(result.dates) == 7 and not [r for r in result.dates if r.skipped_reason]
    assert {r.training_cutoff for r in result.dates} == {date(2025, 1, 13)}

    with duckdb.connect(str(database), read_only=True) as con:
        checks = con.execute(
            """
            select
                count(distinct system_id),
                count(*) filter (where grade_status = 'graded'),
                bool_and(line_timestamp <= prediction_as_of),
                bool_and(bookmaker in (select bookmaker from nba_reference.bookmaker_priority)),
                bool_and(training_cutoff_date <= game_date)
            from nba_predictions.prediction_accuracy
            where run_mode = 'backtest'
            """
        ).fetchone()
    assert checks[0] == len(SYSTEM_IDS) and checks[1] > 300 and all(checks[2:])
    by_system = {s["system"]: s for s in result.summary}
    for system in SYSTEM_IDS:
        assert 0.5 < by_system[system]["mae"] < 2.0  # threes: about one made three
    assert result.report_path is not None and result.report_path.is_file()
