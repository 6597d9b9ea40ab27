"""Landing zone layout, manifests, replay (find_landed) and contract checks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from nba_props.scrape import ScrapeError, find_landed, scrape_day
from nba_props.scrape.landing import RunLanding, check_contract, check_run_id, format_cell

DAY = date(2024, 10, 22)


def _schedule_row(game_id: str = "0022400061") -> dict[str, object]:
    return {
        "game_id": game_id,
        "game_date": DAY,
        "home_team_id": 1610612738,
        "home_team_tricode": "BOS",
        "away_team_id": 1610612752,
        "away_team_tricode": "NYK",
    }


def _land(root, source: str, run_id: str, finished: str, game_id: str = "0022400061"):
    landing = RunLanding(root, source, DAY, run_id)
    landing.land_raw("scoreboardv3", b"{}")
    _, _, manifest = landing.commit({"nbacom_schedule": [_schedule_row(game_id)]}, {}, {})
    data = json.loads(manifest.read_text())
    data["finished_at"] = finished
    manifest.write_text(json.dumps(data))
    return landing


def test_find_landed_only_sees_complete_runs(tmp_path):
    first = _land(tmp_path, "nbacom", "run-a", "2024-10-23T01:00:00Z")
    second = _land(tmp_path, "nbacom", "run-b", "2024-10-23T02:00:00Z")
    # A run that never committed (crashed mid-way) and a quarantine folder are ignored.
    broken = RunLanding(tmp_path, "nbacom", DAY, "run-c")
    broken.land_raw("scoreboardv3", b"{}")
    (broken.run_dir / "flat").mkdir(parents=True)
    (broken.run_dir / "flat" / "nbacom_schedule.csv").write_text("game_id\n")
    (tmp_path / "_quarantine" / "nbacom" / DAY.isoformat()).mkdir(parents=True)

    found = find_landed(tmp_path, DAY)
    assert found == {
        "nbacom_schedule": [
            first.run_dir / "flat" / "nbacom_schedule.csv",
            second.run_dir / "flat" / "nbacom_schedule.csv",
        ]
    }
    latest = find_landed(tmp_path, DAY, latest_only=True)
    assert latest == {"nbacom_schedule": [second.run_dir / "flat" / "nbacom_schedule.csv"]}
    assert find_landed(tmp_path, DAY, sources=["odds_api"]) == {}
    assert find_landed(tmp_path, date(2024, 10, 23)) == {}
    assert find_landed(tmp_path / "missing", DAY) == {}


def test_tampered_manifest_cannot_point_outside_the_run(tmp_path):
    landing = _land(tmp_path, "nbacom", "run-a", "2024-10-23T01:00:00Z")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("x\n")
    manifest = landing.run_dir / "_SUCCESS.json"
    data = json.loads(manifest.read_text())
    data["files"][0]["path"] = "../../../../elsewhere.csv"
    manifest.write_text(json.dumps(data))
    assert find_landed(tmp_path, DAY) == {}


def test_run_ids_are_path_safe():
    for bad in ("../x", "a/b", "", ".hidden", "a..b", "x" * 200, "run id"):
        with pytest.raises(ValueError):
            check_run_id(bad)
    assert check_run_id("2024-10-22T06.00.00Z_abc-1") == "2024-10-22T06.00.00Z_abc-1"


def test_a_landed_run_id_is_never_overwritten(tmp_path):
    _land(tmp_path, "nbacom", "run-a", "2024-10-23T01:00:00Z")
    with pytest.raises(ScrapeError, match="already landed"):
        RunLanding(tmp_path, "nbacom", DAY, "run-a")


def test_scrape_day_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown source"):
        scrape_day("espn", DAY, tmp_path, "r")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="run_id"):
        scrape_day("nbacom", DAY, tmp_path, "../../etc")


def test_contract_check():
    assert check_contract("nbacom_schedule", [_schedule_row()])[0] == "game_id"
    with pytest.raises(ScrapeError, match="required column"):
        check_contract("nbacom_schedule", [{**_schedule_row(), "home_team_tricode": None}])
    with pytest.raises(ScrapeError, match="not in the contract"):
        check_contract("nbacom_schedule", [{**_schedule_row(), "surprise": 1}])


def test_format_cell():
    assert format_cell(None) == ""
    assert format_cell(True) == "true"
    assert format_cell(-115.0) == "-115"
    assert format_cell(27.5) == "27.5"
    assert format_cell(datetime(2024, 10, 22, 23, 40, tzinfo=UTC)) == "2024-10-22T23:40:00Z"
    assert format_cell(DAY) == "2024-10-22"
    assert format_cell("0022400061") == "0022400061"


def test_committed_run_is_copied_to_gcs_manifest_last(
    nbacom_routes, tmp_path, config_factory, monkeypatch
):
    uploads: list[tuple[str, str, str]] = []

    class _Blob:
        def __init__(self, bucket: str, name: str) -> None:
            self.bucket, self.name = bucket, name

        def upload_from_filename(self, filename: str, timeout: float) -> None:
            assert timeout > 0
            uploads.append((self.bucket, self.name, filename))

    class _Bucket:
        def __init__(self, name: str) -> None:
            self.name = name

        def blob(self, name: str) -> _Blob:
            return _Blob(self.name, name)

    class _Client:
        def bucket(self, name: str) -> _Bucket:
            return _Bucket(name)

    import sys

    import google.cloud

    fake = type(sys)("google.cloud.storage")
    fake.Client = _Client
    monkeypatch.setitem(sys.modules, "google.cloud.storage", fake)
    monkeypatch.setattr(google.cloud, "storage", fake, raising=False)

    config = config_factory(gcs_uri="gs://nba-landing/prod")
    result = scrape_day("nbacom", DAY, tmp_path, "g1", base_url=nbacom_routes.url, config=config)
    names = [name for _, name, _ in uploads]
    assert {b for b, _, _ in uploads} == {"nba-landing"}
    assert names[-1] == "prod/nbacom/2024-10-22/g1/_SUCCESS.json"
    assert "prod/nbacom/2024-10-22/g1/flat/nbacom_player_game_logs.csv" in names
    assert len(names) == len(result.raw_files) + len(result.outputs) + 1
