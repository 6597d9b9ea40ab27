"""Issue 17: a backtest report built on the SYNTHETIC demo data says so in every title: the
Markdown and HTML reports and each plot (figure title and PNG Title metadata). The origin
comes from the warehouse's load manifest, where the demo's files are named synthetic_*.

The graded rows are a small hand-made frame (the grading itself is tested in
test_backtest.py); the warehouse is a DuckDB file with one loaded schedule file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nba_props.backtest import report
from nba_props.backtest.config import BacktestConfig
from nba_props.load import DuckDBLoader
from nba_props.predict.frame import Frame

MARKET = "player_points"
CONFIG = BacktestConfig(season="2025-26", markets=(MARKET,),
                        systems=("moving_average", "gradient_boosting"))
DATES = [date(2026, 1, 5), date(2026, 1, 6)]
SCHEDULE = (
    "game_id,game_date,game_time_utc,season,home_team_id,home_team_tricode,away_team_id,"
    "away_team_tricode,game_status,arena_name\n"
    "0022500500,2026-01-05,2026-01-06T00:30:00Z,2025-26,1610612738,BOS,1610612752,NYK,"
    "Final,TD Garden\n"
)


def graded_rows(n: int = 80) -> Frame:
    rng = np.random.default_rng(7)
    actual = rng.poisson(20, n).astype(float)
    line = np.round(actual + rng.normal(0, 4, n)) + 0.5
    predicted = line + rng.normal(0, 2, n)
    over = actual > line
    bet = np.where(rng.random(n) < 0.5, np.where(over, "win", "loss"), "none")
    columns = {
        "market": np.array([MARKET] * n, dtype=object),
        "system_id": np.array(["moving_average", "gradient_boosting"] * (n // 2), dtype=object),
        "game_date": np.array([DATES[i % 2] for i in range(n)], dtype="datetime64[D]"),
        "grade_status": np.array(["graded"] * n, dtype=object),
        "actual_value": actual,
        "line": line,
        "over_odds": np.full(n, -110.0),
        "under_odds": np.full(n, -110.0),
        "absolute_error": np.abs(predicted - actual),
        "line_absolute_error": np.abs(line - actual),
        "signed_error": predicted - actual,
        "bet_result": bet.astype(object),
        "units_staked": (bet != "none").astype(float),
        "profit_units": np.where(bet == "win", 0.909, np.where(bet == "loss", -1.0, 0.0)),
        "lean_result": np.where(over == (predicted > line), "win", "loss").astype(object),
        "prob_over": np.clip(0.5 + (predicted - line) / 10, 0.01, 0.99),
        "prob_under": 1 - np.clip(0.5 + (predicted - line) / 10, 0.01, 0.99),
        "line_outcome": np.where(over, "over", "under").astype(object),
        # the betting columns prediction_accuracy carries (closing-line value, stake sizing)
        "game_id": np.array([f"002250000{i % 5}" for i in range(n)], dtype=object),
        "bet_odds": np.where(bet == "none", np.nan, -110.0),
        "clv_line": np.where(bet == "none", np.nan, 0.0),
        "clv_probability": np.where(bet == "none", np.nan, 0.0),
        "kelly_fraction": np.where(bet == "none", 0.0, 0.02),
    }
    numeric = {k for k, v in columns.items() if v.dtype == float}
    return Frame(columns, frozenset(numeric))


def warehouse(tmp_path: Path, file_name: str) -> Path:
    source = tmp_path / file_name
    source.write_text(SCHEDULE, encoding="utf-8")
    database = tmp_path / "wh.duckdb"
    DuckDBLoader(database).load("nbacom_schedule", [source])
    return database


def write(database: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(report, "_rows", lambda *_: graded_rows())
    md_path, _ = report.write_report(
        database, CONFIG, out_dir, dates=DATES, date_results=[], seconds=1.0
    )
    return md_path


def png_titles(out_dir: Path) -> dict[str, str]:
    titles = {}
    for path in sorted(out_dir.glob("*.png")):
        with Image.open(path) as image:
            titles[path.name] = image.text.get("Title", "")
    return titles


def test_a_report_on_synthetic_data_says_so_in_every_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = warehouse(tmp_path, "synthetic_nbacom_schedule.csv")
    assert report.data_origin(database) == "SYNTHETIC demo data"
    md_path = write(database, tmp_path / "report", monkeypatch)

    md = md_path.read_text(encoding="utf-8")
    assert md.splitlines()[0] == f"# Backtest: 2025-26, {MARKET} (SYNTHETIC demo data)"
    assert "not real games, players or lines" in md
    page = (md_path.parent / "report.html").read_text(encoding="utf-8")
    assert "<title>Backtest: 2025-26, player_points (SYNTHETIC demo data)</title>" in page
    assert "<h1>Backtest: 2025-26, player_points (SYNTHETIC demo data)</h1>" in page
    titles = png_titles(md_path.parent)
    assert len(titles) == 5
    assert all(t.endswith("(SYNTHETIC demo data)") for t in titles.values()), titles


def test_a_report_on_real_files_has_no_synthetic_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = warehouse(tmp_path, "nbacom_schedule_2025-26.csv")
    # The demo's aliases in the reference data do not make the games synthetic.
    aliases = tmp_path / "synthetic_player_aliases.csv"
    aliases.write_text("alias_name,player_id,source\nMike Porter,1629008,synthetic_demo\n")
    DuckDBLoader(database).load("player_aliases", [aliases])
    assert report.data_origin(database) is None
    md_path = write(database, tmp_path / "report", monkeypatch)
    assert "SYNTHETIC" not in md_path.read_text(encoding="utf-8")
    assert "SYNTHETIC" not in (md_path.parent / "report.html").read_text(encoding="utf-8")
    assert not any("SYNTHETIC" in t for t in png_titles(md_path.parent).values())
