"""The model store under a gs:// prefix, against a fake GCS client backed by a local folder.

The fake keeps gs://<bucket>/<name> as <root>/<bucket>/<name> and implements the calls
GcsModelStore makes (download, upload, patch, delete, list). No network.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from google.api_core import exceptions

from nba_props.predict import model_store
from nba_props.predict.gcs_model_store import GcsModelStore, split_uri
from nba_props.predict.live_store import live_store
from nba_props.predict.model_store import ModelStore, model_key
from nba_props.predict.systems import TrainingSet, build_systems
from tests.python.test_model_store import training_set


class FakeBlob:
    def __init__(self, client: FakeStorage, bucket: str, name: str):
        self.client, self.bucket_name, self.name = client, bucket, name
        self.metadata: dict[str, str] | None = None

    @property
    def file(self) -> Path:
        return self.client.root / self.bucket_name / self.name

    @property
    def updated(self) -> datetime:
        return self.client.updated[(self.bucket_name, self.name)]

    def download_as_bytes(self, timeout: float, retry: Any) -> bytes:
        self.client.calls.append(("download", self.name, timeout))
        if not self.file.is_file():
            raise exceptions.NotFound(f"gs://{self.bucket_name}/{self.name}")
        return self.file.read_bytes()

    def upload_from_string(self, data: bytes, content_type: str, timeout: float,
                           retry: Any) -> None:
        self.client.calls.append(("upload", self.name, timeout))
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self.file.write_bytes(data)
        self.client.tick(self.bucket_name, self.name)

    def patch(self, timeout: float, retry: Any) -> None:
        self.client.calls.append(("patch", self.name, timeout))
        if not self.file.is_file():
            raise exceptions.NotFound(self.name)
        self.client.metadata[(self.bucket_name, self.name)] = dict(self.metadata or {})
        self.client.tick(self.bucket_name, self.name)

    def delete(self, timeout: float, retry: Any) -> None:
        self.client.calls.append(("delete", self.name, timeout))
        if not self.file.is_file():
            raise exceptions.NotFound(self.name)
        self.file.unlink()


class FakeBucket:
    def __init__(self, client: FakeStorage, name: str):
        self.client, self.name = client, name

    def blob(self, name: str) -> FakeBlob:
        return FakeBlob(self.client, self.name, name)


class FakeStorage:
    """gs://<bucket>/<name> <-> <root>/<bucket>/<name>; a logical clock for `updated`."""

    def __init__(self, root: Path):
        self.root = root
        self.calls: list[tuple[str, str, float]] = []
        self.updated: dict[tuple[str, str], datetime] = {}
        self.metadata: dict[tuple[str, str], dict[str, str]] = {}
        self._now = datetime(2026, 1, 1, tzinfo=UTC)

    def tick(self, bucket: str, name: str) -> None:
        self._now += timedelta(seconds=1)
        self.updated[(bucket, name)] = self._now

    def bucket(self, name: str) -> FakeBucket:
        return FakeBucket(self, name)

    def list_blobs(self, bucket: str, prefix: str, timeout: float, retry: Any) -> list[FakeBlob]:
        self.calls.append(("list", prefix, timeout))
        base = self.root / bucket
        if not base.is_dir():
            return []
        return [FakeBlob(self, bucket, str(p.relative_to(base))) for p in sorted(base.rglob("*"))
                if p.is_file() and str(p.relative_to(base)).startswith(prefix)]


URI = "gs://nba-props-models/live/v1"


def _key(data: TrainingSet) -> model_store.ModelKey:
    return model_key(data, build_systems(("moving_average",))[0], ("moving_average",),
                     ("player_points",), 42)


def _fitted(data: TrainingSet) -> list[Any]:
    systems = build_systems(("moving_average",))[0]
    for system in systems:
        system.fit(data)
    return systems


def test_split_uri() -> None:
    assert split_uri("gs://b/a/b/") == ("b", "a/b")
    assert split_uri("gs://b") == ("b", "")
    with pytest.raises(ValueError):
        split_uri("/tmp/models")


def test_saved_models_load_back_from_gcs_and_predict_the_same(tmp_path: Path) -> None:
    fake = FakeStorage(tmp_path / "gcs")
    store = GcsModelStore(URI, client=fake, timeout_s=12.0)
    data = training_set()
    key = _key(data)
    assert store.load(key, data, ["moving_average"]) is None  # nothing stored yet

    fitted = _fitted(data)
    assert store.save(key, fitted) == f"{URI}/{key.filename}"
    stored = tmp_path / "gcs" / "nba-props-models" / "live" / "v1" / key.filename
    assert stored.is_file() and stored.read_bytes().startswith(model_store.MAGIC)
    assert store.files() == [f"{URI}/{key.filename}"]

    loaded = store.load(key, data, ["moving_average"])
    assert loaded is not None and [s.system_id for s in loaded] == ["moving_average"]
    np.testing.assert_array_equal(loaded[0].predict(data.frame), fitted[0].predict(data.frame))
    # A load marks the object used (metadata patch), and every call had the timeout.
    assert ("nba-props-models", f"live/v1/{key.filename}") in fake.metadata
    assert {c[2] for c in fake.calls} == {12.0}

    # The same bytes as the local store writes: a file copied either way is reusable.
    local = ModelStore(tmp_path / "local")
    local.save(key, fitted)
    assert (tmp_path / "local" / key.filename).read_bytes()[:80] == stored.read_bytes()[:80]


def test_a_corrupt_object_is_refitted_and_pruning_keeps_the_newest(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeStorage(tmp_path / "gcs")
    store = GcsModelStore(URI, client=fake, keep_per_group=2)
    keys = []
    for seed in range(4):
        data = training_set(seed=seed)
        keys.append(_key(data))
        store.save(keys[-1], _fitted(data))
    # Two kept for the group (one configuration), newest first; the others deleted.
    assert store.files() == [f"{URI}/{k.filename}" for k in reversed(keys[-2:])]
    assert sorted(p.name for p in (tmp_path / "gcs/nba-props-models/live/v1").iterdir()) == (
        sorted(k.filename for k in keys[-2:]))
    # An object under another prefix, or a "sub-folder", is not the store's.
    other = tmp_path / "gcs/nba-props-models/live/v1/old/x.models"
    other.parent.mkdir()
    other.write_bytes(b"x")
    assert len(store.files()) == 2

    data = training_set(seed=3)
    blob = tmp_path / "gcs/nba-props-models/live/v1" / keys[-1].filename
    blob.write_bytes(blob.read_bytes()[:100])  # truncated
    with caplog.at_level(logging.WARNING, logger="nba_props.predict.model_store"):
        assert store.load(keys[-1], data, ["moving_average"]) is None
    assert any("refitting" in r.getMessage() and URI in r.getMessage() for r in caplog.records)


def test_live_store_chooses_gcs_from_settings(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "nba_props.duckdb"
    monkeypatch.delenv(model_store.ENV_REUSE, raising=False)
    monkeypatch.setenv(model_store.ENV_DIR, URI)
    store = live_store(database)
    assert isinstance(store, GcsModelStore) and store.location == URI
    explicit = live_store(database, "gs://other-bucket/p")
    assert isinstance(explicit, GcsModelStore) and explicit.bucket_name == "other-bucket"
    local = live_store(database, tmp_path / "m")
    assert type(local) is ModelStore and local.directory == tmp_path / "m"
    monkeypatch.setenv(model_store.ENV_REUSE, "0")
    assert live_store(database) is None
