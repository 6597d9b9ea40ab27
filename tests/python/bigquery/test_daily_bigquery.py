"""`nba-props daily` / `backfill` with ``warehouse="bigquery"``.

Emulator tests (NBA_PROPS_BQ_EMULATOR=bqemulator, as `make test` sets): replay
days of the SYNTHETIC demo landing zone through run_day / backfill into a local BigQuery
emulator: the BigQuery loader and the BigQuery job log are real. Here the dbt step is
recorded instead of run (the recorder checks the command, target and window it is given)
and predictions are off; test_bq_prediction_cycle.py runs a day with dbt, predict and
grade on the emulator.

The CLI tests run offline: they check what `--target bigquery` refuses, and why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nba_props import cli
from nba_props.demo import generate_demo
from nba_props.orchestrate.daily import (
    DailyConfig,
    DayResult,
    acquire,
    backfill,
    run_day,
)
from nba_props.orchestrate.dbt import DbtOutcome
from nba_props.orchestrate.replay import land_by_day
from nba_props.paths import PROJECT_DIR

KIND = os.environ.get("NBA_PROPS_BQ_EMULATOR", "")
# bqemulator only: crucible-emulator refuses query parameters, and the BigQuery job log
# inserts its rows with them (parameterized, never formatted into SQL).
needs_emulator = pytest.mark.skipif(
    KIND != "bqemulator",
    reason="set NBA_PROPS_BQ_EMULATOR=bqemulator (crucible has no query parameters)",
)
DAY = date(2025, 10, 21)  # the demo season's opening night
DBT_TARGET = "prod"


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bq_daily")
    demo = generate_demo(root / "synthetic", seasons=1, shots=False)
    land_by_day(demo.files, root / "landing")
    return root / "landing"


@dataclass
class Emulator:
    settings: Any  # BigQuerySettings
    client: Any  # google.cloud.bigquery.Client
    project: str

    def query(self, sql: str, **params: object) -> list[Any]:
        from google.cloud import bigquery

        from nba_props.warehouse.bigquery import query_parameters

        config = bigquery.QueryJobConfig(query_parameters=query_parameters(params))
        return list(self.client.query(sql, job_config=config).result())

    def count_load(self, raw_table: str, load_id: str) -> int:
        rows = self.query(
            f"select count(*) as n from `{self.project}.nba_raw.{raw_table}` "
            "where _load_id = @load_id",
            load_id=load_id,
        )
        return int(rows[0].n)

    def job_rows(self, run_id: str) -> list[Any]:
        return self.query(
            "select job_type, job_name, status, rows_affected, target_name, command, detail "
            f"from `{self.project}.nba_monitoring.processor_execution_log` "
            "where run_id = @run_id order by job_type, job_name, detail",
            run_id=run_id,
        )

    def manifest_rows(self, run_id: str) -> list[Any]:
        return self.query(
            "select raw_table, source_file, rows_loaded "
            f"from `{self.project}.nba_raw._load_manifest` where run_id = @run_id",
            run_id=run_id,
        )


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    from nba_props.warehouse.bigquery import BigQuerySettings, make_client
    from nba_props.warehouse.emulator import EMULATOR_PROJECT, running_emulator

    with running_emulator(KIND, tmp_path_factory.mktemp("emu")) as emu:
        settings = BigQuerySettings(project=EMULATOR_PROJECT, api_endpoint=emu.endpoint)
        yield Emulator(settings, make_client(settings), EMULATOR_PROJECT)


@dataclass
class DbtRecorder:
    """Stands in for run_dbt: records each call and reports success with no nodes."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, args: Sequence[str], **kwargs: Any) -> DbtOutcome:
        self.calls.append({"args": list(args), **kwargs})
        command = [*args, "--target", kwargs["target"]] if kwargs.get("target") else list(args)
        return DbtOutcome(command=command, success=True)


def bq_config(landing: Path, emulator: Emulator, run_id: str, dbt: DbtRecorder,
              tmp_path: Path) -> DailyConfig:
    from nba_props.load.bigquery_loader import LoadOptions

    return DailyConfig(
        database=tmp_path / "never-written.duckdb",
        landing=landing,
        target=DBT_TARGET,
        warehouse="bigquery",
        mode="replay",
        predict=False,  # no models built here: the recorder stands in for dbt
        run_id=run_id,
        bigquery=emulator.settings,
        bigquery_client=emulator.client,
        load_options=LoadOptions.for_emulator(KIND),
        dbt_runner=dbt,
    )


def file_rows(path: Path) -> int:
    """Rows in a landed file, counted without the loader."""
    if path.suffix == ".json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    with duckdb.connect() as con:
        return int(con.execute(
            "select count(*) from read_csv(?, header = true, all_varchar = true)", [str(path)]
        ).fetchone()[0])


def assert_dbt_call(call: dict[str, Any], run_id: str, window_start: date) -> None:
    # Everything is built once: no "--exclude source:nba_predictions+", no grading build.
    # The unit tests are left out, as in every daily and backfill build.
    assert call["args"] == ["build", "--exclude-resource-type", "unit_test"]
    assert call["target"] == DBT_TARGET
    assert call["database"] is None  # a BigQuery target reads no DuckDB file
    assert call["env"] == {"NBA_PROPS_RUN_ID": run_id,
                           "NBA_PROPS_START_DATE": window_start.isoformat()}


def day_table_rows(emulator: Emulator, results: Sequence[DayResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        for load in result.loads:
            if load.status == "loaded":
                counts[load.raw_table] = counts.get(load.raw_table, 0) + emulator.count_load(
                    load.raw_table, load.load_id
                )
    return counts


# ---- emulator: run_day and backfill --------------------------------------------------------


@pytest.mark.bq_emulator
@needs_emulator
def test_daily_on_bigquery_loads_and_logs(
    landing: Path, emulator: Emulator, tmp_path: Path
) -> None:
    _, files, day_files = acquire(DAY, bq_config(landing, emulator, "x", DbtRecorder(), tmp_path))
    expected = {t: [file_rows(p) for p in paths] for t, paths in files.items()}
    n_files = sum(len(p) for p in files.values())
    assert day_files == 6 and n_files == 8

    dbt = DbtRecorder()
    first = run_day(DAY, bq_config(landing, emulator, "bq-daily-1", dbt, tmp_path))

    # Every file loaded whole into nba_raw; each load's rows are the file's rows.
    assert first.mode == "replay"
    assert sorted(r.status for r in first.loads) == ["loaded"] * n_files
    for load in first.loads:
        assert load.rows_loaded == load.rows_in_file
        assert emulator.count_load(load.raw_table, load.load_id) == load.rows_loaded
    loaded = {t: [r.rows_loaded for r in first.loads if r.raw_table == t] for t in files}
    assert loaded == expected
    assert first.rows_loaded == sum(sum(v) for v in expected.values()) > 0

    # The manifest and the job log are in the emulator, under the run id.
    manifest = emulator.manifest_rows("bq-daily-1")
    assert sorted((m.raw_table, m.rows_loaded) for m in manifest) == sorted(
        (t, n) for t, ns in expected.items() for n in ns
    )
    jobs = emulator.job_rows("bq-daily-1")
    loads = [j for j in jobs if j.job_type == "load"]
    assert len(loads) == n_files
    assert {j.status for j in loads} == {"success"}
    assert {j.target_name for j in jobs} == {"bigquery"}
    assert sorted(j.rows_affected for j in loads) == sorted(
        n for ns in expected.values() for n in ns
    )

    # Predictions off (--no-predict): dbt built everything once on the target.
    assert first.predictions == 0 and first.notes == []
    assert [s.step for s in first.steps if not s.step.startswith("load ")] == ["dbt build"]
    assert [j for j in jobs if j.job_type == "predict"] == []
    assert len(dbt.calls) == 1 and len(first.dbt) == 1
    assert_dbt_call(dbt.calls[0], "bq-daily-1", DAY - timedelta(days=3))
    assert first.dbt[0].command[-2:] == ["--target", DBT_TARGET]

    # Again: the same content is skipped, nothing more lands, the skips are logged.
    again = run_day(DAY, bq_config(landing, emulator, "bq-daily-2", DbtRecorder(), tmp_path))
    assert again.rows_loaded == 0
    assert {r.status for r in again.loads} == {"skipped_duplicate"}
    assert {r.load_id for r in again.loads} == {r.load_id for r in first.loads}
    for load in first.loads:
        assert emulator.count_load(load.raw_table, load.load_id) == load.rows_loaded
    assert emulator.manifest_rows("bq-daily-2") == []
    second_jobs = emulator.job_rows("bq-daily-2")
    assert sorted(j.status for j in second_jobs if j.job_type == "load") == ["skipped"] * n_files


@pytest.mark.bq_emulator
@needs_emulator
def test_backfill_on_bigquery_builds_once_per_chunk_and_resumes(
    landing: Path, emulator: Emulator, tmp_path: Path
) -> None:
    start, end = DAY + timedelta(days=1), DAY + timedelta(days=2)
    expected: dict[str, int] = {}
    for day in (start, end):
        _, files, _ = acquire(day, bq_config(landing, emulator, "x", DbtRecorder(), tmp_path))
        for table, paths in files.items():
            if "/reference/" not in str(paths[0]):  # reference files load once, any run
                expected[table] = expected.get(table, 0) + sum(file_rows(p) for p in paths)
    assert expected["nbacom_player_game_logs"] > 0

    dbt = DbtRecorder()
    cfg = bq_config(landing, emulator, "bq-backfill-1", dbt, tmp_path)
    results = backfill(start, end, cfg, chunk_days=2, progress=False)
    assert [r.day for r in results] == [start, end]
    day_rows = {t: n for t, n in day_table_rows(emulator, results).items() if t in expected}
    assert day_rows == expected
    assert len(dbt.calls) == 1  # one build for the chunk
    assert_dbt_call(dbt.calls[0], "bq-backfill-1", start - timedelta(days=3))
    assert all(r.notes == [] for r in results)

    # Resumable: the days are marked done for this warehouse and dbt target only.
    state = landing.parent / "state" / "bigquery" / DBT_TARGET / "days"
    assert sorted(p.stem for p in state.glob("*.json")) == [str(start), str(end)]
    assert backfill(start, end, cfg, chunk_days=2, progress=False) == []
    forced = backfill(start, end, bq_config(landing, emulator, "bq-backfill-2", dbt, tmp_path),
                      chunk_days=2, progress=False, force=True)
    assert len(forced) == 2 and sum(r.rows_loaded for r in forced) == 0
    assert len(dbt.calls) == 2


# ---- CLI, offline ---------------------------------------------------------------------------


def _no_bq_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NBA_PROPS_BQ_PROJECT", "GOOGLE_CLOUD_PROJECT", "NBA_PROPS_BQ_API_ENDPOINT",
                 "NBA_PROPS_BQ_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_cli_bigquery_without_settings_exits_with_a_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NBA_PROPS_BQ_PROJECT", "GOOGLE_CLOUD_PROJECT")}
    proc = subprocess.run(
        [sys.executable, "-m", "nba_props.cli", "daily", "--date", "2025-10-21",
         "--target", "bigquery", "--landing", str(tmp_path / "landing"),
         "--database", str(tmp_path / "wh.duckdb")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "--target bigquery: no BigQuery project: set NBA_PROPS_BQ_PROJECT" in proc.stderr
    assert not (tmp_path / "wh.duckdb").exists() and not (tmp_path / "landing").exists()


def test_cli_backfill_bigquery_without_settings_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_bq_env(monkeypatch)
    with pytest.raises(SystemExit) as exc:
        cli.main(["backfill", "--start", "2025-10-21", "--end", "2025-10-22",
                  "--target", "bigquery", "--landing", str(tmp_path)])
    assert "set NBA_PROPS_BQ_PROJECT" in str(exc.value.code)


def _emulator_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings that make a client without credentials or network (nothing listens there)."""
    _no_bq_env(monkeypatch)
    monkeypatch.setenv("NBA_PROPS_BQ_PROJECT", "nba-props-local")
    monkeypatch.setenv("NBA_PROPS_BQ_API_ENDPOINT", "http://127.0.0.1:9")


def test_cli_bigquery_needs_the_dbt_target_in_profiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _emulator_env(monkeypatch)
    # The repository's profiles.yml has only the DuckDB `dev` target.
    with pytest.raises(SystemExit) as exc:
        cli.main(["daily", "--date", "2025-10-21", "--target", "bigquery",
                  "--landing", str(tmp_path)])
    message = str(exc.value.code)
    assert "dbt target 'prod' is not in" in message and "profiles.yml.example" in message
    with pytest.raises(SystemExit) as exc:
        cli.main(["daily", "--date", "2025-10-21", "--target", "bigquery",
                  "--dbt-target", "dev", "--landing", str(tmp_path)])
    assert "type 'duckdb', not bigquery" in str(exc.value.code)
    with pytest.raises(SystemExit) as exc:
        cli.main(["daily", "--date", "2025-10-21", "--dbt-target", "prod",
                  "--landing", str(tmp_path)])
    assert "use it with --target bigquery" in str(exc.value.code)


def test_cli_bigquery_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _emulator_env(monkeypatch)
    monkeypatch.setenv("NBA_PROPS_BQ_EMULATOR", "bqemulator")
    (tmp_path / "profiles.yml").write_text(
        (PROJECT_DIR / "profiles.yml.example").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setattr(cli, "PROJECT_DIR", tmp_path)
    args = cli.build_parser().parse_args(
        ["daily", "--date", "2025-10-21", "--target", "bigquery", "--dbt-target", "emulator",
         "--landing", str(tmp_path)])
    cfg = cli._daily_config(args)
    assert (cfg.warehouse, cfg.target, cfg.predict, cfg.can_predict) == (
        "bigquery", "emulator", True, True)
    assert cfg.bigquery.project == "nba-props-local"
    assert cfg.bigquery_client.project == "nba-props-local"
    assert cfg.load_options is not None and not cfg.load_options.verify_output_rows

    default = cli._daily_config(cli.build_parser().parse_args(
        ["daily", "--date", "2025-10-21", "--target", "bigquery", "--landing", str(tmp_path)]))
    assert default.target == "prod"
    duck = cli._daily_config(cli.build_parser().parse_args(
        ["daily", "--date", "2025-10-21", "--landing", str(tmp_path)]))
    assert (duck.warehouse, duck.target, duck.can_predict) == ("duckdb", None, True)
