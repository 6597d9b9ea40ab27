"""The ML worker on a synthetic season: one query per date, idempotent, deterministic, PIT."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import yaml

from nba_props.paths import PROJECT_DIR
from nba_props.predict import reader
from nba_props.predict.contract import COLUMN_NAMES, QUALIFIED_TABLE
from nba_props.predict.settings import PredictSettings
from nba_props.predict.systems import SYSTEM_IDS, TrainingSet
from nba_props.predict.worker import PredictionWorker, closing_as_of, prediction_id
from tests.python.ml_warehouse import MLWarehouse, build_once

MARKETS = ("player_threes",)  # one market keeps training quick; see the all-markets test
TWO_MARKETS = ("player_points", "player_threes")
# A Tuesday mid-season; the cadence-7 cut-off anchors on Mondays, so D and D+1 share a model.
DAY = date(2026, 1, 13)


@pytest.fixture(scope="session")
def ml_warehouse(tmp_path_factory: pytest.TempPathFactory) -> MLWarehouse:
    return build_once(tmp_path_factory.getbasetemp() / "ml_warehouse")


class CountingConnection:
    """Forwards to a DuckDB connection and records every statement it runs."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.statements: list[tuple[str, Any]] = []

    def execute(self, query: str, parameters: Any = None) -> Any:
        self.statements.append((query, parameters))
        if parameters is None:
            return self._con.execute(query)
        return self._con.execute(query, parameters)

    def sql(self, query: str, *, params: Any = None) -> Any:
        self.statements.append((query, params))
        return self._con.sql(query, params=params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def reads(self, relation: str) -> list[tuple[str, Any]]:
        return [s for s in self.statements if relation in s[0] and "delete" not in s[0]]


def _settings(**kw: Any) -> PredictSettings:
    base = {"markets": MARKETS, "run_mode": "backtest", "retrain_every_days": 7}
    return PredictSettings(**{**base, **kw})


def _predictions(con: Any, game_date: date) -> list[tuple]:
    return con.execute(
        f"select {', '.join(COLUMN_NAMES)} from {QUALIFIED_TABLE} where game_date = ?"
        " order by prediction_id",
        [game_date],
    ).fetchall()


@pytest.fixture
def db(ml_warehouse: MLWarehouse, request: pytest.FixtureRequest) -> Path:
    return ml_warehouse.copy(request.node.name)


def test_one_feature_query_per_date_and_one_batch_write(db: Path) -> None:
    with duckdb.connect(str(db)) as raw:
        con = CountingConnection(raw)
        worker = PredictionWorker(con, _settings())
        first = worker.predict_date(DAY, closing_as_of(DAY))
        assert first.predictions_written > 0
        # The first date also trains: one training read (features + outcomes), no more.
        assert len(con.reads("prop_outcomes")) == 1

        con.statements.clear()
        second_day = DAY + timedelta(days=1)
        result = worker.predict_date(second_day, closing_as_of(second_day))
        assert result.rows_read > 20  # many players, still one query
        feature_reads = con.reads("ml_feature_store_v2")
        assert len(feature_reads) == 1, feature_reads
        assert not con.reads("prop_outcomes")  # same cut-off: no retraining
        inserts = [s for s in con.statements if s[0].lstrip().startswith("insert")]
        deletes = [s for s in con.statements if s[0].lstrip().startswith("delete")]
        assert len(inserts) == 1 and len(deletes) == 1
        # read + begin/delete/insert/commit: nothing per player
        assert len(con.statements) == 5, [s[0][:60] for s in con.statements]


def test_rerun_replaces_the_date_without_duplicates(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        worker = PredictionWorker(con, _settings(markets=TWO_MARKETS), run_id="first")
        r1 = worker.predict_date(DAY, closing_as_of(DAY))
        n1 = con.execute(f"select count(*) from {QUALIFIED_TABLE}").fetchone()[0]
        assert n1 == r1.predictions_written == r1.rows_read * len(SYSTEM_IDS)

        again = PredictionWorker(con, _settings(markets=TWO_MARKETS), run_id="second")
        again.predict_date(DAY, closing_as_of(DAY))
        rows = con.execute(
            f"select count(*), count(distinct prediction_id), min(run_id), max(run_id)"
            f" from {QUALIFIED_TABLE}"
        ).fetchone()
        assert rows == (n1, n1, "second", "second")

        # Another market's rows of the same date are left alone by a threes-only re-run.
        threes = PredictionWorker(con, _settings(markets=("player_threes",)), run_id="third")
        threes.predict_date(DAY, closing_as_of(DAY))
        by_run = dict(con.execute(
            f"select market, max(run_id) from {QUALIFIED_TABLE} group by market").fetchall())
        assert by_run == {"player_points": "second", "player_threes": "third"}
        assert con.execute(f"select count(*) from {QUALIFIED_TABLE}").fetchone()[0] == n1


def test_predictions_are_deterministic_and_versioned(db: Path) -> None:
    skip = {COLUMN_NAMES.index("run_id"), COLUMN_NAMES.index("created_at")}
    with duckdb.connect(str(db)) as con:
        runs = []
        for _ in range(2):
            worker = PredictionWorker(con, _settings())
            result = worker.predict_date(DAY, closing_as_of(DAY))
            runs.append([tuple(v for i, v in enumerate(r) if i not in skip)
                         for r in _predictions(con, DAY)])
            assert set(result.model_versions) == set(SYSTEM_IDS)
        assert runs[0] == runs[1]
        versions = con.execute(
            f"select system_id, count(distinct model_version) from {QUALIFIED_TABLE}"
            " group by 1").fetchall()
        assert all(n == 1 for _, n in versions)
        # A different seed is a different model version.
        worker = PredictionWorker(con, _settings(seed=7))
        other = worker.predict_date(DAY, closing_as_of(DAY))
        assert other.model_versions["gradient_boosting"] != result.model_versions[
            "gradient_boosting"]


def test_prediction_ids_are_deterministic() -> None:
    a = prediction_id("live", "ensemble", "v1", "0022500001", 203999, "player_points")
    assert a == prediction_id("live", "ensemble", "v1", "0022500001", 203999, "player_points")
    assert a != prediction_id("backtest", "ensemble", "v1", "0022500001", 203999,
                              "player_points")


def test_training_rows_are_strictly_before_the_date(db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[TrainingSet] = []
    import nba_props.predict.worker as worker_module

    class Spy(TrainingSet):
        def __post_init__(self) -> None:
            super().__post_init__()
            seen.append(self)

    monkeypatch.setattr(worker_module, "TrainingSet", Spy)
    with duckdb.connect(str(db)) as con:
        for game_date, cadence in ((DAY, 7), (DAY, 1), (date(2026, 2, 2), 3)):
            seen.clear()
            worker = PredictionWorker(con, _settings(retrain_every_days=cadence))
            worker.predict_date(game_date, closing_as_of(game_date))
            (data,) = seen
            newest = data.frame["game_date"].max().astype(object)
            assert data.cutoff <= game_date
            assert newest < data.cutoff
            if cadence == 1:
                assert data.cutoff == game_date
            cutoffs = con.execute(
                f"select distinct training_cutoff_date from {QUALIFIED_TABLE}"
                " where game_date = ?", [game_date]).fetchall()
            assert cutoffs == [(data.cutoff,)]
    # The training set refuses a row on or after its cut-off.
    frame = reader.read_training_rows(duckdb.connect(str(db), read_only=True), DAY, MARKETS)
    with pytest.raises(ValueError, match="before"):
        TrainingSet(frame=frame, target=frame["actual_value"], cutoff=DAY - timedelta(days=3),
                    feature_version="x", features=reader.feature_columns(frame))


def test_lines_are_those_valid_at_the_prediction_time(db: Path) -> None:
    """A morning run uses the opening lines; the closing run the lines just before tip-off."""
    morning = datetime.combine(DAY, datetime.min.time()).replace(hour=16)
    with duckdb.connect(str(db)) as con:
        PredictionWorker(con, _settings(systems=("moving_average",))).predict_date(DAY, morning)
        early = con.execute(
            f"select max(line_timestamp), max(prediction_as_of), count(*) from {QUALIFIED_TABLE}"
        ).fetchone()
        assert early[0] <= morning and early[1] == morning and early[2] > 0
        PredictionWorker(con, _settings(systems=("moving_average",))).predict_date(
            DAY, closing_as_of(DAY))
        late = con.execute(
            f"select max(line_timestamp) from {QUALIFIED_TABLE}").fetchone()[0]
        assert late > morning
        # Every line used was known at prediction time and before tip-off.
        bad = con.execute(
            f"""
            select count(*)
            from {QUALIFIED_TABLE} as p
            inner join nba_reference.player_prop_lines_preferred as l
                on p.game_id = l.game_id and p.player_id = l.player_id and p.market = l.market
                and p.line_timestamp = l.line_timestamp and p.bookmaker = l.bookmaker
            where l.valid_from > p.prediction_as_of or l.line_timestamp > l.commence_time_utc
            """
        ).fetchone()[0]
        assert bad == 0


def test_every_market_with_lines_is_predicted_and_values_are_valid(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        worker = PredictionWorker(con, PredictSettings(run_mode="backtest"))  # all markets
        worker.predict_date(DAY, closing_as_of(DAY))
        markets = {r[0] for r in con.execute(
            f"select distinct market from {QUALIFIED_TABLE}").fetchall()}
        # every modelled market (prop_markets) with a line on the date: the demo's five
        lined = {r[0] for r in con.execute(
            "select distinct lines.market from nba_reference.player_prop_lines_preferred as lines "
            "inner join nba_reference.prop_markets as markets on lines.market = markets.market "
            "where lines.game_date = ?", [DAY]).fetchall()}
        assert markets == lined and len(lined) == 5
        checks = con.execute(
            f"""
            select
                min(predicted_value) >= 0,
                min(confidence) >= 0 and max(confidence) <= 100,
                bool_and(recommendation in ('OVER', 'UNDER', 'PASS')),
                bool_and(recommendation = 'PASS' or edge >= edge_threshold),
                count(distinct system_id),
                bool_and(line_timestamp <= prediction_as_of),
                bool_and(training_cutoff_date <= game_date)
            from {QUALIFIED_TABLE}
            """
        ).fetchone()
        assert checks == (True, True, True, True, len(SYSTEM_IDS), True, True)
        # Every play's side clears the threshold at its own odds.
        from nba_props.predict.probability import break_even_probability

        rows = con.execute(
            f"select recommendation, prob_over, prob_under, over_odds, under_odds,"
            f" edge_threshold from {QUALIFIED_TABLE} where recommendation != 'PASS'").fetchall()
        assert rows
        for rec, p_over, p_under, over_odds, under_odds, threshold in rows:
            p, odds = (p_over, over_odds) if rec == "OVER" else (p_under, under_odds)
            odds = np.nan if odds is None else odds
            assert p - break_even_probability(np.array([odds]))[0] >= threshold - 1e-12


def test_the_contracted_staging_model_declares_the_contract_columns() -> None:
    # The source YAML is generated from the contract (python -m nba_props.schemas check,
    # tests/python/test_schemas.py); the contracted staging model lists the same columns.
    folder = PROJECT_DIR / "models" / "staging" / "nba_predictions"
    models = yaml.safe_load((folder / "_nba_predictions__models.yml").read_text())
    (model,) = models["models"]
    assert model["config"]["contract"]["enforced"] is True
    contracted = [c["name"] for c in model["columns"]]
    assert contracted == list(COLUMN_NAMES)


def test_the_table_is_created_idempotently_and_drift_is_refused(tmp_path: Path) -> None:
    from nba_props.predict import store

    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        store.ensure_table(con)
        store.ensure_table(con)
        cols = [r[0] for r in con.execute(f"describe {QUALIFIED_TABLE}").fetchall()]
        assert cols == list(COLUMN_NAMES)
        con.execute(f"alter table {QUALIFIED_TABLE} drop column edge_threshold")
        with pytest.raises(RuntimeError, match="contract"):
            store.ensure_table(con)


def test_probabilities_and_recommendations() -> None:
    from nba_props.predict.probability import (
        break_even_probability,
        implied_mean,
        recommend,
        side_probabilities,
    )

    # The market's implied mean: an even-money half line sits just above it; juice moves it.
    even, juiced_over = implied_mean(np.array([22.5, 1.5]), np.array([-110.0, -160.0]),
                                     np.array([-110.0, 124.0]))
    assert 22.5 < even < 23.0 and juiced_over > 1.8
    # Solved once per distinct quote, spread back per row: repeats, a missing price (taken
    # as -110) and a missing line (no mean) come out as each row solved alone would.
    lines = np.array([22.5, 1.5, 22.5, 22.5, np.nan, 1.5])
    overs = np.array([-110.0, -160.0, -110.0, np.nan, -110.0, -160.0])
    unders = np.array([-110.0, 124.0, -110.0, np.nan, -110.0, 124.0])
    batch = implied_mean(lines, overs, unders)
    alone = [implied_mean(lines[i:i + 1], overs[i:i + 1], unders[i:i + 1])[0] for i in range(6)]
    assert np.array_equal(batch, np.array(alone), equal_nan=True)
    assert batch[0] == batch[2] == batch[3] == even and batch[1] == juiced_over
    assert np.isnan(batch[4])

    p_over, p_under = side_probabilities(np.array([2.0, 2.0, 25.0]), np.array([2.5, 2.0, 22.5]),
                                         np.array([1.0, 1.0, 2.0]))
    assert p_over[0] + p_under[0] == pytest.approx(1.0)  # half line: no push
    assert p_over[1] + p_under[1] < 1.0  # integer line: push mass
    assert p_over[2] > 0.6
    assert break_even_probability(np.array([-110.0]))[0] == pytest.approx(110 / 210)
    assert break_even_probability(np.array([150.0]))[0] == pytest.approx(0.4)
    rec, edge, conf = recommend(np.array([0.62, 0.5, 0.3]), np.array([0.38, 0.5, 0.7]),
                                np.array([-110.0, -110.0, np.nan]),
                                np.array([-110.0, -110.0, np.nan]), 0.04)
    assert list(rec) == ["OVER", "PASS", "UNDER"]
    assert edge[0] == pytest.approx(0.62 - 110 / 210)
    assert conf.tolist() == pytest.approx([62.0, 50.0, 70.0])
