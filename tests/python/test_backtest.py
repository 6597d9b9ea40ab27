"""Backtest smoke test: a one-week walk-forward window, graded by dbt, with its report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nba_props.backtest import BacktestConfig, run_backtest
from nba_props.backtest.report import ANCHOR_REFERENCE, MARKET_REFERENCE
from nba_props.predict.systems import SYSTEM_IDS
from tests.python.ml_warehouse import SEASON, MLWarehouse, build_once


@pytest.fixture(scope="session")
def ml_warehouse(tmp_path_factory: pytest.TempPathFactory) -> MLWarehouse:
    return build_once(tmp_path_factory.getbasetemp() / "ml_warehouse")


def test_backtest_smoke_small_window(ml_warehouse: MLWarehouse, tmp_path: Path) -> None:
    database = ml_warehouse.copy("backtest")
    config = BacktestConfig(
        season=SEASON, markets=("player_points",),
        start=date(2026, 2, 2), end=date(2026, 2, 6), retrain_every_days=3,
    )
    result = run_backtest(database, config, tmp_path / "report",
                          target_path=ml_warehouse.target_path,
                          log_path=ml_warehouse.log_path)
    assert result.grading is not None and result.grading.success
    assert len(result.dates) >= 4
    assert all(r.predictions_written > 0 for r in result.dates)
    cutoffs = sorted({r.training_cutoff for r in result.dates})
    assert len(cutoffs) >= 2  # retrained within the window (every 3 days)
    assert all(r.training_cutoff <= r.game_date for r in result.dates)

    summary = {(s["market"], s["system"]): s for s in result.summary}
    anchor = ANCHOR_REFERENCE.format(config.devig_method)
    assert set(summary) == {(m, s) for m in config.markets
                            for s in (*SYSTEM_IDS, MARKET_REFERENCE, anchor)}
    for s in summary.values():
        assert s["graded"] > 0 and s["mae"] > 0 and s["line_mae"] > 0
        assert s["plays"] == s["wins"] + s["losses"] + s["pushes"]
    # The line MAE is the same for every system: they predict the same rows, same lines.
    for market in config.markets:
        assert len({round(summary[(market, s)]["line_mae"], 9) for s in SYSTEM_IDS}) == 1
    # Probability scores per system, and a gate per retraining for every system.
    for system in SYSTEM_IDS:
        scored = summary[("player_points", system)]
        assert scored["scored"] > 0 and -1 < scored["brier_skill"] < 1
        assert scored["plays"] == 0 or scored["models_promoted"] > 0  # no gate, no plays
    assert set(result.gates) == set(cutoffs)
    assert all(set(by_system) == set(SYSTEM_IDS) for by_system in result.gates.values())

    report = result.report_path
    assert report is not None and report.is_file()
    text = report.read_text()
    assert "| market | system |" in text and "line MAE" in text
    for section in ("## Probabilities, closing-line value and ROI", "## Promotion gate",
                    "## De-vig methods", "Reliability of P(over | no push)"):
        assert section in text
    pngs = sorted(p.name for p in report.parent.glob("*.png"))
    for kind in ("daily_mae", "hit_rate", "calibration", "vs_line", "profit"):
        assert f"{kind}_player_points.png" in pngs
    assert (report.parent / "report.html").is_file()
