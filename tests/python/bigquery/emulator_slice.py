"""A small slice of the SYNTHETIC season, built the same way on DuckDB and on bqemulator.

The slice is the season's first DAYS game days (every raw table, shots included), landed by
day like `nba-props daily` replays them. Both warehouses load the same files through their
own loader and build the same models with dbt, so a test can compare what the ML worker
reads, writes and grades on each.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nba_props.orchestrate.dbt import DbtError, DbtOutcome, NodeOutcome, run_dbt
from nba_props.relations import (
    FEATURE_STORE,
    GAME_LINE_VERSIONS,
    INJURY_VERSIONS,
    PREFERRED_LINES,
    PROP_OUTCOMES,
)
from scripts.bq_checks import dbt_bigquery

FIRST_DAY = date(2025, 10, 21)  # the synthetic season's opening night
DAYS = 10
# What the ML worker reads (the relations of nba_props.predict.settings, and everything
# upstream of them), built on both engines.
WORKER_INPUTS = " ".join(
    "+" + relation.split(".")[1]
    for relation in (FEATURE_STORE, PREFERRED_LINES, PROP_OUTCOMES, GAME_LINE_VERSIONS,
                     INJURY_VERSIONS)
)
GRADING = ("build", "--select", "source:nba_predictions+", "--exclude-resource-type",
           "unit_test")
# What bqemulator cannot build (docs/bigquery.md, "What no emulator here can check"):
# raw_duplicate_rows and its raw_keys models (its translation lost the project of a
# hyphenated project id) and what reads the region's INFORMATION_SCHEMA.JOBS (the cost
# models). Materialized views build once there (as plain views); a second build of one
# fails ("already exists").
EMULATOR_EXCLUDE = ("+raw_duplicate_rows", "pipeline_job_costs+")
# The models no emulator had built before the prediction cycle test (docs/bigquery.md).
NEVER_BUILT_BEFORE = ("player_daily_cache", "player_shot_zone_analysis",
                      "player_composite_factors", "ml_feature_store_v2",
                      "current_season_players_mv", "upcoming_team_game_context")


def land_slice(root: Path, days: int = DAYS) -> tuple[Path, dict[str, list[Path]]]:
    """The landing zone of one synthetic season, and the files of its first ``days`` days
    plus the reference files, per raw table."""
    from nba_props.demo import generate_demo
    from nba_props.orchestrate.reference import reference_files
    from nba_props.orchestrate.replay import land_by_day
    from nba_props.scrape import find_landed

    landing = root / "landing"
    if not landing.is_dir():
        demo = generate_demo(root / "synthetic", seasons=1)
        land_by_day(demo.files, landing)
        shutil.rmtree(root / "synthetic")
    files = {t: list(p) for t, p in reference_files(landing).items()}
    for n in range(days):
        for table, paths in find_landed(landing, FIRST_DAY + timedelta(days=n)).items():
            files.setdefault(table, []).extend(paths)
    return landing, files


@dataclass
class EmulatorDbt:
    """dbt on the `emulator` target, one fresh process per command (run_dbt's signature,
    so it can stand in for it in DailyConfig.dbt_runner)."""

    profiles_dir: Path
    work: Path
    calls: list[list[str]]

    def __call__(self, args: Sequence[str], **kwargs: Any) -> DbtOutcome:
        args = list(args)
        if args and args[0] in ("build", "run"):
            args += ["--exclude", *EMULATOR_EXCLUDE]
        self.calls.append(args)
        target_path = self.work / f"target_{len(self.calls)}"
        run = dbt_bigquery(args, profiles_dir=self.profiles_dir, target="emulator",
                           target_path=target_path, log_path=self.work / "logs",
                           extra_env=kwargs.get("env"), timeout_s=900)
        (self.work / f"dbt_{len(self.calls)}.log").write_text(run.output)
        outcome = DbtOutcome(command=[*args, "--target", "emulator"], success=run.success,
                             nodes=_nodes(target_path / "run_results.json"))
        if not run.success and kwargs.get("raise_on_failure", True):
            raise DbtError(f"dbt {' '.join(args)} failed on the emulator:\n{run.output[-3000:]}")
        return outcome


def _nodes(run_results: Path) -> list[NodeOutcome]:
    if not run_results.is_file():
        return []
    data = json.loads(run_results.read_text())
    return [
        NodeOutcome(unique_id=r["unique_id"], resource_type=r["unique_id"].split(".")[0],
                    status=r["status"], execution_time=float(r.get("execution_time") or 0),
                    message=r.get("message"), failures=r.get("failures"))
        for r in data.get("results", [])
    ]


def build_duckdb(database: Path, files: dict[str, list[Path]], work: Path) -> None:
    """Load the slice into a DuckDB file and build what the worker reads."""
    from nba_props.orchestrate.pipeline import load_all

    load_all(database, files)
    for args in (["seed"], ["run", "--select", WORKER_INPUTS]):
        run_dbt(args, database=database, target_path=work / "target", log_path=work / "logs",
                quiet=True)
