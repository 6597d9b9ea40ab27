"""Elementary: declared in the YAML and off by default, and the demo's clock (always
checked); run for real when it is installed (`make elementary-on`): the anomaly tests on a
replay of the real season, injected anomalies caught, the `edr report` rendered in headless
Chromium, and the demo build of `make run` on the demo's clock, where a doubled day of
points makes the points test warn.

The second part is skipped, with the reason, where Elementary is not installed (CI has no
dbt Hub). Nothing stands in for it: the tests read Elementary's own result tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from nba_props.cli import build_parser
from nba_props.monitoring import elementary
from nba_props.orchestrate.dbt import DbtError, run_dbt
from nba_props.orchestrate.pipeline import run_local_pipeline
from tests.python import elementary_replay
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
def verification(tmp_path_factory: pytest.TempPathFactory) -> elementary_replay.Verification:
    work = tmp_path_factory.mktemp("elementary")
    report = work / "report" / "elementary_report.html"
    return elementary_replay.verify(work, report, load_real_files)


@requires_elementary
def test_anomaly_tests_run_and_stay_quiet_on_the_clean_replay(
    verification: elementary_replay.Verification,
) -> None:
    assert len(verification.baseline) >= 31
    assert {s for s in verification.baseline.values()} == {"pass"}, verification.baseline


@requires_elementary
def test_injected_anomalies_are_caught(verification: elementary_replay.Verification) -> None:
    missed = [anomaly for anomaly, tests in verification.caught.items() if not tests]
    assert missed == [], verification.caught
    assert verification.injected[
        next(n for n in verification.injected if "schema_changes_nbacom_nbacom_shot_detail" in n)
    ] == "fail"  # schema changes fail the build; the statistical anomalies warn


DASHBOARD_TITLES = {"freshness": "Freshness", "volume": "Volume",
                    "schema changes": "Schema changes", "data tests": "Data tests",
                    "anomalies": "Anomalies"}


@requires_elementary
def test_edr_report_renders(verification: elementary_replay.Verification, tmp_path: Path) -> None:
    shown = verification.report_tests
    assert sum(1 for s in shown.values() if s != "pass") >= 6
    dom = chromium(verification.report.resolve().as_uri(), tmp_path, "--dump-dom")
    text = visible_text(dom.stdout)
    assert "Test results breakdown" in text and "Anomalies" in text and "Schema changes" in text
    # The script's summary line counts what the dashboard shows: the total and each status
    # it lists (passed, warning, failed, error; a zero is left out), and per category the
    # total, passed, warning and failed-or-error.
    counts = verification.report_counts
    assert counts is not None and counts.total == len(shown)
    statuses = " ".join(
        str(counts.statuses[s]) for s in ("pass", "warn", "fail", "error") if counts.statuses.get(s)
    )
    assert f"Test results breakdown {counts.total} Tests {statuses} " in text
    for category, title in DASHBOARD_TITLES.items():
        c = counts.categories[category]
        figures = [sum(c.values()), c.get("pass", 0), c.get("warn", 0),
                   c.get("fail", 0) + c.get("error", 0)]
        assert f" {title} {' '.join(map(str, figures))} " in text, (title, figures)


# ---- the demo on Elementary's clock (make run with Elementary on) ------------------------

NOW = datetime(2026, 12, 2, 8, 0)  # the wall clock of a load: months after the demo's season


def _raw_demo(database: Path) -> None:
    """A small warehouse shaped like the demo's: box scores up to 2026-04-09 (one day loaded
    twice: a correction), props up to two upcoming days, all loaded at the wall clock."""
    with duckdb.connect(str(database)) as con:
        con.execute("create schema nba_raw")
        con.execute(
            "create table nba_raw.nbacom_player_game_logs "
            "(game_date date, pts int, _load_id varchar, _loaded_at timestamp)"
        )
        con.execute(
            "create table nba_raw.odds_api_player_props "
            "(game_time timestamp, line double, _load_id varchar, _loaded_at timestamp)"
        )
        for day in (7, 8, 9):
            con.execute(
                "insert into nba_raw.nbacom_player_game_logs values (?, 10, ?, ?), (?, 12, ?, ?)",
                [date(2026, 4, day), "20261202T080000-a", NOW] * 2,
            )
        con.execute(
            "insert into nba_raw.nbacom_player_game_logs values (?, 11, ?, ?)",
            [date(2026, 4, 8), "20261202T090000-b", NOW + timedelta(hours=1)],
        )
        for day in (9, 10, 11):  # 23:00 UTC tip-offs; the 10th and 11th are upcoming
            con.execute(
                "insert into nba_raw.odds_api_player_props values (?, 5.5, ?, ?)",
                [datetime(2026, 4, day, 23), "20261202T080000-c", NOW],
            )


def test_demo_clock_stamps_the_raw_rows_as_daily_loads(tmp_path: Path) -> None:
    database = tmp_path / "demo.duckdb"
    _raw_demo(database)
    clock = elementary.set_demo_clock(database)

    assert clock.as_of == datetime(2026, 4, 10, 12, 0)  # the day after the last game, noon
    assert clock.stamped == {"nbacom_player_game_logs": 7, "odds_api_player_props": 3}
    assert clock.rebuild_staging == []  # nothing staged yet
    with duckdb.connect(str(database), read_only=True) as con:
        logs = con.execute(
            "select game_date, _load_id, _loaded_at from nba_raw.nbacom_player_game_logs "
            "order by game_date, _load_id"
        ).fetchall()
        props = con.execute(
            "select game_time, _loaded_at from nba_raw.odds_api_player_props order by 1"
        ).fetchall()
    for game_date, _, loaded_at in logs:  # the morning after the game, within 3 h
        morning = datetime.combine(game_date + timedelta(days=1), datetime.min.time())
        assert morning + timedelta(hours=6) <= loaded_at < morning + timedelta(hours=9, seconds=2)
    correction = [r[2] for r in logs if r[0] == date(2026, 4, 8)]
    assert correction[-1] > correction[0]  # a later load stays later: it still supersedes
    assert len(props) == 3  # the upcoming games' lines are kept (a pipeline knows them today)
    assert all(loaded_at < clock.as_of for _, loaded_at in props)
    assert props[0][1] < props[0][0]  # loaded before tip-off

    again = elementary.set_demo_clock(database)  # idempotent: a second make run
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute(
            "select game_date, _load_id, _loaded_at from nba_raw.nbacom_player_game_logs "
            "order by game_date, _load_id"
        ).fetchall() == logs
    assert again.as_of == clock.as_of

    # Staged on wall-clock load times (a build before Elementary was on): rebuilt once.
    with duckdb.connect(str(database)) as con:
        con.execute("create schema nba_staging")
        con.execute(
            "create table nba_staging.stg_nbacom__player_game_logs as "
            "select ?::timestamp as loaded_at",
            [NOW],
        )
    assert elementary.set_demo_clock(database).rebuild_staging == [
        "nba_staging.stg_nbacom__player_game_logs"
    ]
    with duckdb.connect(str(database)) as con:  # shots supersede by load id: not affected
        con.execute("create table nba_staging.stg_nbacom__shot_detail as select 'x' as load_id")
    assert elementary.staged_after(
        database, clock.as_of, ["nbacom_player_game_logs", "nbacom_shot_detail"]
    ) == ["nba_staging.stg_nbacom__player_game_logs"]


def test_a_replay_drops_the_days_not_known_yet(tmp_path: Path) -> None:
    database = tmp_path / "replay.duckdb"
    _raw_demo(database)
    elementary.replay_as_of(database, datetime(2026, 4, 9, 12, 0))  # drop_later (real season)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute(
            "select max(game_date) from nba_raw.nbacom_player_game_logs"
        ).fetchone()[0] == date(2026, 4, 8)
        assert con.execute("select count(*) from nba_raw.odds_api_player_props").fetchone()[0] == 0


def test_run_elementary_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_parser().parse_args(["run", "--elementary"]).elementary is True
    assert build_parser().parse_args(["run"]).elementary is False
    # Checked before any demo data is written: a clear message, not an empty window.
    monkeypatch.setattr(elementary, "is_installed", lambda *a: False)
    with pytest.raises(DbtError, match="make elementary-on"):
        run_local_pipeline(tmp_path / "x.duckdb", tmp_path / "landing", elementary=True)
    monkeypatch.setattr(elementary, "is_installed", lambda *a: True)
    with pytest.raises(DbtError, match="--vars"):
        run_local_pipeline(tmp_path / "x.duckdb", tmp_path / "landing", elementary=True,
                           dbt_args=["--vars", "{lookback_days: 5}"])
    assert not (tmp_path / "landing").exists()


@dataclass
class DemoBuilds:
    database: Path
    as_of: datetime
    clean: dict[str, elementary.AnomalyResult]
    injected: dict[str, elementary.AnomalyResult]
    injected_day: date


@pytest.fixture(scope="module")
def demo_builds(tmp_path_factory: pytest.TempPathFactory) -> DemoBuilds:
    """`make run` with Elementary on (nba-props run --elementary), then the points of the
    demo's last game day doubled by a correction load and the points' mart rebuilt."""
    root = tmp_path_factory.mktemp("elementary_demo")
    database = root / "demo.duckdb"
    with pytest.MonkeyPatch.context() as env:  # dbt's files out of the shared tree
        env.setenv("DBT_TARGET_PATH", str(root / "target"))
        env.setenv("DBT_LOG_PATH", str(root / "logs"))
        result = run_local_pipeline(database, root / "landing", elementary=True)
    assert result.dbt.success, result.dbt.exception
    clean = {r.test_name: r for r in elementary.latest_results(database)}
    as_of = elementary.demo_as_of(database)
    day = (as_of - timedelta(days=1)).date()  # in the 2-day detection period
    elementary_replay.double_points(database, day)
    rebuild = run_dbt(
        ["build", "--select", "+player_game_summary", "--vars", elementary.dbt_vars(as_of)],
        database=database,
        target_path=root / "target_injected",
        log_path=root / "logs_injected",
        quiet=True,
        raise_on_failure=False,
    )
    assert rebuild.exception is None, rebuild.exception
    injected = {r.test_name: r for r in elementary.latest_results(database)}
    return DemoBuilds(database, as_of, clean, injected, day)


def _tables_without_data(database: Path, as_of: datetime) -> set[str]:
    """Tables of the anomaly tests whose detection period (the 2 days before the clock's
    day) holds no non-zero metric in Elementary's own metrics table."""
    with duckdb.connect(str(database), read_only=True) as con:
        tested = {
            r[0]
            for r in con.execute(
                "select distinct lower(table_name) from elementary.elementary_test_results "
                "where test_type = 'anomaly_detection'"
            ).fetchall()
        }
        measured = {
            r[0]
            for r in con.execute(
                "select distinct lower(split_part(full_table_name, '.', 3)) "
                "from elementary.data_monitoring_metrics "
                "where metric_value > 0 and bucket_end > ? and bucket_end <= ?",
                [as_of - timedelta(days=3), as_of],
            ).fetchall()
        }
    return tested - measured


@requires_elementary
def test_make_run_checks_the_demo_on_its_own_clock(demo_builds: DemoBuilds) -> None:
    assert demo_builds.as_of == datetime(2026, 4, 10, 12, 0)
    assert len(demo_builds.clean) >= 31
    assert {r.status for r in demo_builds.clean.values()} == {"pass"}, demo_builds.clean
    # Every anomaly test measured real buckets, except the cost marts: they watch the
    # pipeline's own runs, which happen on the wall clock, never on the demo's days.
    assert _tables_without_data(demo_builds.database, demo_builds.as_of) == {
        "pipeline_cost_daily"
    }


@requires_elementary
def test_doubled_points_warn_on_the_demo_clock(demo_builds: DemoBuilds) -> None:
    clean = demo_builds.clean[elementary_replay.POINTS_TEST]
    injected = demo_builds.injected[elementary_replay.POINTS_TEST]
    assert clean.status == "pass", clean.metrics
    assert injected.status == "warn", injected.metrics
    assert injected.metrics["average"] == "warn"
    assert injected.invocation_id != clean.invocation_id
