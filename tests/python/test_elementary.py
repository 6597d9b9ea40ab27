"""Elementary: declared in the YAML and off by default (always checked); run for real when
it is installed (`make elementary-on`): the anomaly tests on a replay of the real season,
injected anomalies caught, and the `edr report` rendered in headless Chromium.

The second part is skipped, with the reason, where Elementary is not installed (CI has no
dbt Hub). Nothing stands in for it: the tests read Elementary's own result tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nba_props import elementary
from tests.python.conftest import Warehouse, load_real_files
from tests.python.test_docs_site import chromium, visible_text

RAW_SOURCES = {
    "nbacom_player_game_logs", "nbacom_team_game_logs", "nbacom_schedule",
    "nbacom_injury_report", "nbacom_shot_detail", "nbacom_players",
    "odds_api_player_props", "odds_api_game_lines", "player_aliases",
}


def _declared(real_warehouse: Warehouse) -> list[dict]:
    manifest = json.loads((real_warehouse.target_path / "manifest.json").read_text())
    tests = [
        node
        for nodes in manifest["disabled"].values()
        for node in nodes
        if node.get("resource_type") == "test"
        and (node.get("test_metadata") or {}).get("namespace") == "elementary"
    ]
    assert not [k for k in manifest["nodes"] if ".elementary_" in k]  # none enabled
    return tests


def _target(node: dict) -> str:
    """The model or source a test is attached to (from its `model` argument)."""
    return re.findall(r"'([a-z_]+)'\)", node["test_metadata"]["kwargs"]["model"])[-1]


def test_anomaly_tests_are_declared_and_off_by_default(real_warehouse: Warehouse) -> None:
    tests = _declared(real_warehouse)
    by_kind: dict[str, list[dict]] = {}
    for node in tests:
        by_kind.setdefault(node["test_metadata"]["name"], []).append(node)
    assert real_warehouse.build.success  # the default build ran without the package

    schema = {_target(n) for n in by_kind["schema_changes"]}
    assert schema == RAW_SOURCES
    for node in by_kind["schema_changes"]:
        assert node["config"]["severity"].lower() == "error"

    volume = {_target(n): n["test_metadata"]["kwargs"] for n in by_kind["volume_anomalies"]}
    assert {"nbacom_player_game_logs", "nbacom_team_game_logs", "odds_api_player_props",
            "player_game_summary", "team_offense_game_summary"} <= set(volume)
    assert {k["seasonality"] for k in volume.values()} == {"day_of_week"}

    freshness = {_target(n) for n in by_kind["freshness_anomalies"]}
    assert {"nbacom_player_game_logs", "nbacom_team_game_logs", "odds_api_player_props",
            "odds_api_game_lines"} <= freshness

    columns = {
        (_target(n), n["column_name"]) for n in by_kind["column_anomalies"]
    }
    assert {("player_game_summary", "points"), ("player_game_summary", "minutes"),
            ("odds_api_player_props", "line"),
            ("game_day_data_quality", "player_rows_per_game")} <= columns

    dimensions = {
        tuple(n["test_metadata"]["kwargs"]["dimensions"]) for n in by_kind["dimension_anomalies"]
    }
    assert dimensions == {("bookmaker",), ("market",)}

    # Shared settings come from the meta.elementary defaults of dbt_project.yml (Elementary
    # reads a test's arguments from its table's meta when the test does not set them).
    manifest = json.loads((real_warehouse.target_path / "manifest.json").read_text())
    tables = {n["name"]: n for n in [*manifest["nodes"].values(), *manifest["sources"].values()]}
    for node in tests:
        assert node["config"]["enabled"] is False  # var elementary_enabled defaults to false
        if node["test_metadata"]["name"] == "schema_changes":
            continue
        defaults = tables[_target(node)]["config"]["meta"]["elementary"]
        settings = {**defaults, **node["test_metadata"]["kwargs"]}
        assert settings["exclude_detection_period_from_training"] is True, node["unique_id"]
        assert settings["time_bucket"] == {"period": "day", "count": 1}
        assert settings["detection_period"] == {"period": "day", "count": 2}


requires_elementary = pytest.mark.skipif(
    not (elementary.is_installed() and elementary.edr_path()),
    reason="Elementary is not installed (make elementary-on); its anomaly tests cannot run",
)


@pytest.fixture(scope="module")
def verification(tmp_path_factory: pytest.TempPathFactory) -> elementary.Verification:
    work = tmp_path_factory.mktemp("elementary")
    return elementary.verify(work, work / "report" / "elementary_report.html", load_real_files)


@requires_elementary
def test_anomaly_tests_run_and_stay_quiet_on_the_clean_replay(
    verification: elementary.Verification,
) -> None:
    assert len(verification.baseline) >= 31
    assert {s for s in verification.baseline.values()} == {"pass"}, verification.baseline


@requires_elementary
def test_injected_anomalies_are_caught(verification: elementary.Verification) -> None:
    missed = [anomaly for anomaly, tests in verification.caught.items() if not tests]
    assert missed == [], verification.caught
    assert verification.injected[
        next(n for n in verification.injected if "schema_changes_nbacom_nbacom_shot_detail" in n)
    ] == "fail"  # schema changes fail the build; the statistical anomalies warn


@requires_elementary
def test_edr_report_renders(verification: elementary.Verification, tmp_path: Path) -> None:
    shown = verification.report_tests
    assert sum(1 for s in shown.values() if s != "pass") >= 6
    dom = chromium(verification.report.resolve().as_uri(), tmp_path, "--dump-dom")
    text = visible_text(dom.stdout)
    assert "Test results breakdown" in text and "Anomalies" in text and "Schema changes" in text
