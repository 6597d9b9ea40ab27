"""Everything a prediction uses is known at its prediction time (synthetic season).

- The game line and the injury status are the versions valid at the prediction time, not
  the tip-off ones of the feature store (a 16:00 prediction never sees the closing spread
  or the 22:30 injury report).
- A played game's feature row never takes an injury report published after tip-off.
- A lead-time run trains on the lines valid at the same clock time.
- Changing every outcome from the training cut-off on changes no prediction (features,
  models, dispersion, calibration and the promotion gate use only earlier games).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from nba_props.load import DuckDBLoader
from nba_props.predict import reader
from nba_props.predict.settings import PredictSettings
from nba_props.predict.worker import PredictionWorker
from tests.python.ml_warehouse import MLWarehouse, build_once

DAY = date(2026, 1, 13)  # a Tuesday: the weekly model is cut on Monday 2026-01-12
EARLY = datetime(2026, 1, 13, 16, 0)  # after the 15:00 opening props, before any tip-off
MARKETS = ("player_points", "player_threes")


@pytest.fixture(scope="session")
def ml_warehouse(tmp_path_factory: pytest.TempPathFactory) -> MLWarehouse:
    return build_once(tmp_path_factory.getbasetemp() / "ml_warehouse")


@pytest.fixture
def db(ml_warehouse: MLWarehouse, request: pytest.FixtureRequest) -> Path:
    return ml_warehouse.copy(request.node.name)


def _store(con: duckdb.DuckDBPyConnection, game_date: date) -> dict[tuple, tuple]:
    rows = con.execute(
        "select game_id, player_id, market, team_spread, game_total, injury_status,"
        " play_probability"
        " from nba_precompute.ml_feature_store_v2 where game_date = ?", [game_date]
    ).fetchall()
    return {(g, p, m): rest for g, p, m, *rest in rows}


def test_game_line_is_the_version_valid_at_the_prediction_time(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        game_id, tip = con.execute(
            "select game_id, valid_from from nba_reference.game_lines_preferred"
            " where game_date = ? order by game_id limit 1", [DAY]).fetchone()
        # A book's line for one game from 14:00 until tip-off (then the closing one).
        con.execute(
            "insert into nba_reference.game_lines_preferred (game_id, game_date, valid_from,"
            " valid_to, bookmaker, home_spread, game_total, valid_from_minute,"
            " valid_to_minute) values (?, ?, ?, ?, 'draftkings', -7.5, 230.5, 840, ?)",
            [game_id, DAY, datetime(2026, 1, 13, 14), tip,
             (tip - datetime(2026, 1, 13)).total_seconds() / 60])
        early = reader.read_prediction_rows(con, DAY, EARLY, MARKETS)
        late = reader.read_prediction_rows(con, DAY, datetime(2026, 1, 14, 12), MARKETS)
        store = _store(con, DAY)
    assert len(early) > 50
    in_game = early["game_id"] == game_id
    assert in_game.any() and (~in_game).any()
    # The 16:00 version for that game; the other games had no line yet at 16:00 (their
    # lines in this data are stamped at tip-off): unknown, not the closing one.
    home = early["is_home"][in_game] > 0
    assert early["team_spread"][in_game] == pytest.approx(np.where(home, -7.5, 7.5))
    assert early["game_total"][in_game] == pytest.approx(np.full(in_game.sum(), 230.5))
    assert early["implied_team_total"][in_game] == pytest.approx(
        230.5 / 2 - early["team_spread"][in_game] / 2)
    assert np.isnan(early["team_spread"][~in_game]).all()
    assert (early["has_game_line"][~in_game] == 0).all()
    # After tip-off the closing version: the feature store's.
    for i in range(len(late)):
        key = (late["game_id"][i], int(late["player_id"][i]), late["market"][i])
        assert late["team_spread"][i] == pytest.approx(store[key][0])
        assert late["game_total"][i] == pytest.approx(store[key][1])


def test_injury_status_is_the_report_known_at_the_prediction_time(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        store = _store(con, DAY)
        early = reader.read_prediction_rows(con, DAY, EARLY, MARKETS)
        late = reader.read_prediction_rows(con, DAY, datetime(2026, 1, 14, 12), MARKETS)
    reported = [i for i in range(len(late)) if late["injury_status"][i] is not None]
    assert reported, "no player with a line was on the day's injury report"
    for i in range(len(late)):  # after tip-off: the last pre-tip report, the store's
        key = (late["game_id"][i], int(late["player_id"][i]), late["market"][i])
        assert late["injury_status"][i] == store[key][2]
        assert late["play_probability"][i] == store[key][3]
    # The reports of this data come two hours before tip-off: none is known at 16:00.
    assert all(s is None for s in early["injury_status"])
    assert (early["play_probability"] == 1.0).all()


def _late_report(db: Path, out: Path, game_date: date) -> tuple[int, str]:
    """A player who played on game_date, reported 'out' two hours after his tip-off."""
    with duckdb.connect(str(db), read_only=True) as con:
        player_id, game_id, tip, team = con.execute(
            """
            select f.player_id, f.game_id, g.game_time_utc,
                case when f.is_home then g.home_team_tricode else g.away_team_tricode end
            from nba_precompute.ml_feature_store_v2 as f
            inner join nba_intermediate.int_games_unified as g on f.game_id = g.game_id
            where f.game_date = ? and f.market = 'player_points' and f.injury_status is null
                and g.game_time_utc is not null
            order by f.player_id limit 1
            """, [game_date]).fetchone()
        name = con.execute("select player_name from nba_raw.nbacom_injury_report limit 1"
                           ).fetchone()[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["report_time", "game_date", "team", "player_name", "player_id",
                         "status", "reason"])
        writer.writerow([(tip + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         game_date.isoformat(), team, name, player_id, "Out", "Injury"])
    return int(player_id), str(game_id)


def test_a_report_after_tip_off_never_reaches_a_played_games_features(
    ml_warehouse: MLWarehouse, db: Path, tmp_path: Path
) -> None:
    played = DAY - timedelta(days=1)
    player_id, game_id = _late_report(db, tmp_path / "landing" / "late_report.csv", played)
    loaded = DuckDBLoader(db).load("nbacom_injury_report", [tmp_path / "landing" /
                                                            "late_report.csv"])
    assert [r.status for r in loaded] == ["loaded"]
    wh = MLWarehouse(ml_warehouse.root, db, tmp_path / "target", tmp_path / "logs")
    window = f'{{"start_date": "{played}", "end_date": "{played}"}}'
    wh.dbt("run", "--select", "stg_nbacom__injury_report+,+ml_feature_store_v2",
           "--vars", window)
    with duckdb.connect(str(db), read_only=True) as con:
        landed = con.execute(
            "select count(*) from nba_intermediate.int_injury_reports_resolved"
            " where player_id = ? and game_date = ?", [player_id, played]).fetchone()[0]
        status = con.execute(
            "select distinct injury_status, play_probability"
            " from nba_precompute.ml_feature_store_v2 where player_id = ? and game_id = ?",
            [player_id, game_id]).fetchall()
    assert landed == 1  # the report reached the resolved reports...
    assert status == [(None, 1.0)]  # ...but not the features of a game it came after


def test_lead_time_training_reads_the_lines_valid_at_that_clock_time(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        closing = reader.read_training_rows(con, DAY, MARKETS)
        lead = reader.read_training_rows(con, DAY, MARKETS, lead_minute=16 * 60)
        opening = dict(((g, p, m), line) for g, p, m, line in con.execute(
            "select game_id, player_id, market, line from nba_reference.player_prop_lines_preferred"
            " where game_date < ? and valid_from_minute <= 960"
            " and (valid_to_minute is null or valid_to_minute > 960)", [DAY]).fetchall())
        reports = dict(((p, d), pp) for p, d, pp in con.execute(
            "select player_id, game_date, play_probability"
            " from nba_precompute.injury_status_versioned where game_date < ?"
            " and valid_from_minute <= 960"
            " and (valid_to_minute is null or valid_to_minute > 960)", [DAY]).fetchall())
    assert len(lead) == len(closing)  # the same played games; only the lines differ
    assert np.isfinite(lead["line"]).sum() > 1000
    for i in range(len(lead)):  # every row: the version valid at 16:00, or none
        line = opening.get((lead["game_id"][i], int(lead["player_id"][i]), lead["market"][i]))
        assert (np.isnan(lead["line"][i]) if line is None else lead["line"][i] == line), i
    both = np.isfinite(lead["line"]) & np.isfinite(closing["line"])
    assert (lead["line"][both] != closing["line"][both]).any()  # opening != closing lines
    # The game lines of this data start at tip-off: none is known at 16:00. Injury reports
    # come two hours before tip-off: only those of games tipping by 18:00 are.
    assert np.isnan(lead["team_spread"]).all() and np.isfinite(closing["team_spread"]).any()
    for i in range(len(lead)):
        known = reports.get((int(lead["player_id"][i]), lead["game_date"][i].item()), 1.0)
        assert lead["play_probability"][i] == known, i
    assert (lead["play_probability"] > closing["play_probability"]).any()


def _predictions(database: Path) -> dict[tuple, tuple]:
    with duckdb.connect(str(database)) as con:
        worker = PredictionWorker(con, PredictSettings(markets=("player_threes",),
                                                       run_mode="backtest"))
        worker.predict_date(DAY, datetime(2026, 1, 14, 12))
        rows = con.execute(
            "select system_id, player_id, predicted_value, prob_over, prob_under,"
            " recommendation, model_version from nba_predictions.player_prop_predictions"
            " where game_date = ?", [DAY]).fetchall()
    return {(s, p): rest for s, p, *rest in rows}


def test_outcomes_from_the_cut_off_on_change_no_prediction(
    ml_warehouse: MLWarehouse, tmp_path: Path
) -> None:
    original = ml_warehouse.copy("leak_original")
    perturbed = ml_warehouse.copy("leak_perturbed")
    cutoff = DAY - timedelta(days=1)
    with duckdb.connect(str(perturbed)) as con:
        # Every outcome dated on or after the cut-off, three more than it was.
        con.execute("create table nba_analytics._outcomes as"
                    " select * from nba_analytics.prop_outcomes")
        con.execute("drop view nba_analytics.prop_outcomes")
        con.execute(
            "create table nba_analytics.prop_outcomes as"
            " select * replace (case when game_date >= ? then actual_value + 3"
            " else actual_value end as actual_value) from nba_analytics._outcomes",
            [cutoff])
    before, after = _predictions(original), _predictions(perturbed)
    assert len(before) > 100 and before.keys() == after.keys()
    for key, values in before.items():
        assert after[key] == values, key
