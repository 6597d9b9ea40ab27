"""Live model persistence: a stored model is reused only when it is exactly what a fit gives."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from nba_props.predict import model_store
from nba_props.predict.cli import add_predict_parser
from nba_props.predict.contract import COLUMN_NAMES, QUALIFIED_TABLE
from nba_props.predict.frame import Frame
from nba_props.predict.live_store import live_store
from nba_props.predict.model_store import ModelStore, model_key
from nba_props.predict.settings import PredictSettings
from nba_props.predict.systems import SYSTEM_IDS, PredictionSystem, TrainingSet, build_systems
from nba_props.predict.worker import PredictionWorker, closing_as_of
from tests.python.ml_warehouse import MLWarehouse, build_once

MARKETS = ("player_threes",)
# A Tuesday: the cadence-7 cut-off is the Monday before, shared with the next day.
DAY = date(2026, 1, 13)
NEXT_DAY = DAY + timedelta(days=1)
SKIP = {COLUMN_NAMES.index("run_id"), COLUMN_NAMES.index("created_at")}


@pytest.fixture(scope="session")
def ml_warehouse(tmp_path_factory: pytest.TempPathFactory) -> MLWarehouse:
    return build_once(tmp_path_factory.getbasetemp() / "ml_warehouse")


@pytest.fixture
def db(ml_warehouse: MLWarehouse, tmp_path: Path) -> Path:
    """A private copy in its own folder (so models/ beside it is this test's alone)."""
    path = tmp_path / "wh" / "nba_props.duckdb"
    path.parent.mkdir()
    shutil.copyfile(ml_warehouse.database, path)
    return path


@pytest.fixture
def fit_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system ids fitted, in order (a reused model is not fitted)."""
    calls: list[str] = []
    original = PredictionSystem.fit

    def fit(self: PredictionSystem, data: TrainingSet) -> None:
        calls.append(self.system_id)
        original(self, data)

    monkeypatch.setattr(PredictionSystem, "fit", fit)
    return calls


def _settings(**kw: Any) -> PredictSettings:
    return PredictSettings(**{"markets": MARKETS, "run_mode": "live",
                              "retrain_every_days": 7, **kw})


def _run(db: Path, day: date, store: ModelStore | None, **kw: Any) -> tuple[Any, list[tuple]]:
    with duckdb.connect(str(db)) as con:
        result = PredictionWorker(con, _settings(**kw), model_store=store).predict_date(
            day, closing_as_of(day))
        rows = con.execute(
            f"select {', '.join(COLUMN_NAMES)} from {QUALIFIED_TABLE} where game_date = ?"
            " order by prediction_id", [day]).fetchall()
    return result, [tuple(v for i, v in enumerate(r) if i not in SKIP) for r in rows]


def test_a_reused_model_predicts_exactly_as_a_fresh_fit(db: Path, tmp_path: Path,
                                                        fit_calls: list[str]) -> None:
    store = ModelStore(tmp_path / "models")
    fresh, fresh_rows = _run(db, DAY, None)
    assert fit_calls == list(SYSTEM_IDS) and not fresh.models_reused

    fit_calls.clear()
    first, first_rows = _run(db, DAY, store)
    assert fit_calls == list(SYSTEM_IDS) and not first.models_reused
    assert len(store.files()) == 1

    fit_calls.clear()
    again, again_rows = _run(db, DAY, store)
    assert fit_calls == [] and again.models_reused
    assert again.model_versions == first.model_versions == fresh.model_versions
    assert len(again_rows) == again.predictions_written == len(SYSTEM_IDS) * again.rows_read
    assert again_rows == first_rows == fresh_rows  # values, versions, probabilities, ...

    # The next day has the same cut-off: the same model, no fit, as a fresh fit predicts.
    fit_calls.clear()
    next_fresh, next_fresh_rows = _run(db, NEXT_DAY, None)
    fit_calls.clear()
    following, following_rows = _run(db, NEXT_DAY, store)
    assert fit_calls == [] and following.models_reused
    assert following.training_cutoff == first.training_cutoff
    assert following.model_versions == next_fresh.model_versions
    assert following_rows == next_fresh_rows and len(following_rows) > 0
    assert len(store.files()) == 1


def test_changed_training_rows_or_settings_retrain(db: Path, tmp_path: Path,
                                                   fit_calls: list[str]) -> None:
    store = ModelStore(tmp_path / "models")
    first, _ = _run(db, DAY, store, systems=("moving_average", "gradient_boosting"))
    with duckdb.connect(str(db)) as con:  # a late correction of one row before the cut-off
        changed = con.execute(
            "update nba_precompute.ml_feature_store_v2 set stat_avg_l5 = stat_avg_l5 + 1"
            " where game_id = (select min(game_id) from nba_precompute.ml_feature_store_v2"
            "   where game_date < ? and market = ? and stat_avg_l5 is not null)"
            " and market = ? and stat_avg_l5 is not null", [DAY - timedelta(days=7),
                                                             *MARKETS, *MARKETS]).fetchall()
        assert changed[0][0] > 0
    fit_calls.clear()
    corrected, _ = _run(db, DAY, store, systems=("moving_average", "gradient_boosting"))
    assert not corrected.models_reused
    assert fit_calls == ["moving_average", "gradient_boosting"]
    for system_id, version in corrected.model_versions.items():
        assert version != first.model_versions[system_id]
    # Another seed or system set is another model, never the stored one.
    fit_calls.clear()
    other_seed, _ = _run(db, DAY, store, systems=("moving_average", "gradient_boosting"), seed=7)
    assert not other_seed.models_reused and fit_calls == ["moving_average", "gradient_boosting"]
    fit_calls.clear()
    fewer, _ = _run(db, DAY, store, systems=("moving_average",))
    assert not fewer.models_reused and fit_calls == ["moving_average"]
    assert len(store.files()) == 4


def training_set(n: int = 40, seed: int = 0) -> TrainingSet:
    rng = np.random.default_rng(seed)
    dates = np.datetime64("2026-01-01") + np.sort(rng.integers(0, 20, n)).astype("timedelta64[D]")
    frame = Frame(
        {"game_date": dates, "market": np.array(["player_points"] * n, dtype=object),
         "stat_avg_l5": rng.normal(10, 2, n), "stat_avg_l10": rng.normal(10, 2, n)},
        frozenset({"stat_avg_l5", "stat_avg_l10"}),
    )
    return TrainingSet(frame=frame, target=rng.poisson(10, n).astype(float),
                       cutoff=date(2026, 2, 1), feature_version="v1",
                       features=["stat_avg_l10", "stat_avg_l5"])


def _key(data: TrainingSet, systems: tuple[str, ...] = (), seed: int = 42,
         markets: tuple[str, ...] = ("player_points",)) -> model_store.ModelKey:
    return model_key(data, build_systems(systems, seed=seed)[0], systems, markets, seed)


def test_the_key_covers_the_data_and_every_setting() -> None:
    base = _key(training_set())
    assert _key(training_set()) == base  # deterministic
    assert _key(training_set(), systems=tuple(SYSTEM_IDS)) == base  # all == default

    data = training_set()
    data.target[3] += 1  # one corrected outcome
    assert _key(data).digest != base.digest and _key(data).group == base.group
    data = training_set()
    data.frame.columns["market"][0] = "player_assists"  # a row's market (not fingerprinted)
    assert _key(data).digest != base.digest
    data = training_set()
    data.feature_version = "v2"
    assert _key(data).digest != base.digest
    data = training_set()
    data.features = ["stat_avg_l10"]
    assert _key(data).digest != base.digest
    for other in (_key(training_set(), seed=7), _key(training_set(), systems=("similarity",)),
                  _key(training_set(), markets=("player_points", "player_threes"))):
        assert other.group != base.group and other.digest != base.digest
    # The de-vig and calibration settings change the fitted calibrators and gates.
    for options in ({"devig": "multiplicative"}, {"calibration": "isotonic"}):
        other = model_key(training_set(), build_systems((), seed=42, **options)[0], (),
                          ("player_points",), 42)
        assert other.group != base.group


def test_a_corrupt_or_foreign_model_file_is_logged_and_refitted(
        db: Path, tmp_path: Path, fit_calls: list[str], caplog: pytest.LogCaptureFixture) -> None:
    store = ModelStore(tmp_path / "models")
    _, first_rows = _run(db, DAY, store, systems=("moving_average",))
    (path,) = store.files()
    good = path.read_bytes()
    # A later cut-off's models saved under this key: a valid file, the wrong model.
    later = date(2026, 2, 10)
    _run(db, later, store, systems=("moving_average",))
    (other,) = [p for p in store.files() if p != path]
    content = pickle.loads(model_store._payload(other.read_bytes()))
    foreign = model_store._header(payload := pickle.dumps(
        {"key": pickle.loads(model_store._payload(good))["key"],
         "systems": content["systems"]})) + payload
    flipped = bytearray(good)
    flipped[-20] ^= 0xFF
    header_ok_garbage = model_store._header(b"not a pickle") + b"not a pickle"
    # Written by someone who can write to the folder but does not hold the store's key:
    # the same (valid) payload, signed with another key, or with a plain sha256 (format 1).
    _, _, good_payload = good.partition(b"\n")
    other_key = model_store._header(good_payload, b"not the store's key") + good_payload
    plain_sha = (model_store.MAGIC + b" 1 " + hashlib.sha256(good_payload).hexdigest().encode()
                 + b"\n" + good_payload)
    for label, blob in (("truncated", good[: len(good) // 2]), ("garbage", b"\x00" * 100),
                        ("bit flip", bytes(flipped)), ("not a pickle", header_ok_garbage),
                        ("foreign model", foreign), ("empty", b""),
                        ("signed with another key", other_key),
                        ("plain sha256, no key", plain_sha)):
        path.write_bytes(blob)
        caplog.clear()
        fit_calls.clear()
        with caplog.at_level(logging.WARNING, logger="nba_props.predict.model_store"):
            result, rows = _run(db, DAY, store, systems=("moving_average",))
        assert not result.models_reused, label
        assert fit_calls == ["moving_average"], label
        assert rows == first_rows, label
        assert any("refitting" in r.getMessage() and str(path) in r.getMessage()
                   for r in caplog.records), label
        assert path.read_bytes() == good, label  # rewritten by the refit
    fit_calls.clear()
    assert _run(db, DAY, store, systems=("moving_average",))[0].models_reused
    assert fit_calls == []


def test_an_unwritable_model_directory_does_not_stop_predictions(
        db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the model directory should be")
    with caplog.at_level(logging.WARNING, logger="nba_props.predict.model_store"):
        result, rows = _run(db, DAY, ModelStore(blocker / "models"), systems=("moving_average",))
    assert not result.models_reused and len(rows) == result.predictions_written > 0
    assert any("could not save models" in r.getMessage() for r in caplog.records)


def _touch(path: Path, mtime: float) -> Path:
    path.write_bytes(b"x")
    os.utime(path, (mtime, mtime))
    return path


def test_prune_keeps_the_most_recently_used_files_per_group_and_overall(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, keep_per_group=2, keep_total=3)
    now = 1_700_000_000.0

    def name(group: str, i: int) -> str:
        return f"{group * 12}-cut202601{i:02d}-{'0' * 23}{i % 10}{model_store.SUFFIX}"

    a = [_touch(tmp_path / name("a", i), now + i) for i in range(1, 5)]  # a4 newest
    b = [_touch(tmp_path / name("b", i), now + 10 + i) for i in range(1, 3)]
    unrelated = _touch(tmp_path / "notes.txt", now - 1e6)
    stale_tmp = _touch(tmp_path / f".{name('a', 9)}.abc.tmp", now - 1e6)
    fresh_tmp = tmp_path / f".{name('a', 8)}.def.tmp"
    fresh_tmp.write_bytes(b"being written")

    removed = store.prune()
    assert sorted(p.name for p in store.files()) == sorted(p.name for p in (b[0], b[1], a[3]))
    assert set(removed) == {a[0], a[1], a[2], stale_tmp}
    assert unrelated.exists() and fresh_tmp.exists()


def test_save_is_atomic_and_bounded(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models", keep_per_group=3)
    systems = build_systems(("moving_average",))[0]
    keys = []
    for i in range(5):
        data = training_set(seed=i)
        keys.append(_key(data, systems=("moving_average",)))
        assert store.save(keys[-1], systems) == store.path(keys[-1])
        os.utime(store.path(keys[-1]), (1_700_000_000 + i, 1_700_000_000 + i))
    store.prune()
    assert [p.name for p in store.files()] == [k.filename for k in reversed(keys[-3:])]
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == sorted(
        k.filename for k in keys[-3:])  # no temporary file left


def test_where_models_live_and_how_reuse_is_turned_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "data" / "nba_props.duckdb"
    monkeypatch.delenv(model_store.ENV_DIR, raising=False)
    monkeypatch.delenv(model_store.ENV_REUSE, raising=False)
    store = live_store(database)
    assert store is not None and store.directory == tmp_path / "data" / "models"
    monkeypatch.setenv(model_store.ENV_DIR, str(tmp_path / "elsewhere"))
    assert live_store(database).directory == tmp_path / "elsewhere"
    assert live_store(database, tmp_path / "explicit").directory == tmp_path / "explicit"
    assert live_store(database, reuse=False) is None
    for off in ("0", "false", "No", "off"):
        monkeypatch.setenv(model_store.ENV_REUSE, off)
        assert live_store(database) is None
    assert live_store(database, reuse=True) is not None
    monkeypatch.setenv(model_store.ENV_REUSE, "1")
    assert live_store(database) is not None


def test_nba_props_predict_reuses_models_unless_told_not_to(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    monkeypatch.delenv(model_store.ENV_DIR, raising=False)
    monkeypatch.delenv(model_store.ENV_REUSE, raising=False)
    parser = argparse.ArgumentParser()
    add_predict_parser(parser.add_subparsers())
    base = ["predict", "--database", str(db), "--date", DAY.isoformat(), "--as-of",
            closing_as_of(DAY).isoformat(), "--market", MARKETS[0], "--system", "moving_average"]
    models = db.parent / "models"

    args = parser.parse_args([*base, "--no-model-cache"])
    assert args.func(args) == 0
    assert "models trained" in capsys.readouterr().out and not models.exists()
    for expected in ("models trained", "models reused"):
        args = parser.parse_args(base)
        assert args.func(args) == 0
        assert expected in capsys.readouterr().out
    assert len(ModelStore(models).files()) == 1


def test_the_signing_key_comes_from_env_else_a_private_local_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "keys" / "model_store.key"
    monkeypatch.delenv("NBA_PROPS_MODEL_KEY", raising=False)
    monkeypatch.delenv("NBA_PROPS_MODEL_KEY_SECRET", raising=False)
    monkeypatch.delenv("NBA_PROPS_GCP_PROJECT", raising=False)
    monkeypatch.setenv("NBA_PROPS_MODEL_KEY_FILE", str(key_file))
    local = model_store.signing_key()
    assert len(local) == 64 and key_file.stat().st_mode & 0o777 == 0o600
    assert model_store.signing_key() == local  # created once, then read
    monkeypatch.setenv("NBA_PROPS_MODEL_KEY", "a key from the environment")
    assert model_store.signing_key() == b"a key from the environment"
    payload = b"payload"
    signed = model_store._header(payload) + payload
    assert model_store._payload(signed) == payload
    monkeypatch.setenv("NBA_PROPS_MODEL_KEY", "another key")
    with pytest.raises(model_store.CorruptModelFile):
        model_store._payload(signed)
