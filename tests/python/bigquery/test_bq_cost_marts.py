"""The cost marts and the coverage SLO for BigQuery, offline (issue 21).

`dbt parse` and `dbt compile --no-introspect` with the CI profile (a dummy project, no
Google account), then every compiled model and test is parsed with sqlglot's BigQuery
dialect and checked for DuckDB-only spellings (scripts/bq_checks.py). The cost mart reads
`region-<location>`.INFORMATION_SCHEMA.JOBS grouped by the job labels the project sets;
the emulators have no JOBS view, so this is as far as it can be run here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from nba_props.alerts.message import BUDGET_TEST, SLO_TEST
from scripts import bq_checks

MODELS = ("pipeline_job_costs", "pipeline_model_costs_daily", "pipeline_step_costs_daily",
          "pipeline_cost_daily", "prediction_coverage_slo")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("bq_cost").resolve()
    profiles = bq_checks.write_ci_profiles(work / "profiles")
    run = bq_checks.dbt_bigquery(
        ["compile", "--no-introspect", "--select", "pipeline_job_costs+",
         "prediction_coverage_slo+"],
        profiles_dir=profiles, target="prod", target_path=work / "target",
        log_path=work / "logs", dbt_vars=bq_checks.WINDOW_VARS,
        global_flags=["--no-populate-cache"], extra_env={"NBA_PROPS_RUN_ID": "run-1"},
    )
    assert run.success, run.output[-3000:]
    return work / "target", bq_checks.load_manifest(work / "target")


def ours(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values()
            if n["resource_type"] in ("model", "test")
            and (n["name"] in MODELS or set(n["depends_on"]["nodes"])
                 & {f"model.nba_props.{m}" for m in MODELS})}


def test_cost_marts_and_their_tests_are_bigquery_sql(compiled: tuple[Path, dict]) -> None:
    target, manifest = compiled
    nodes = ours(manifest)
    assert set(MODELS) <= set(nodes)
    assert {SLO_TEST, BUDGET_TEST, "pipeline_model_duration_slowdown",
            "pipeline_step_duration_slowdown", "pipeline_model_bytes_jump",
            "pipeline_daily_cost_jump", "pipeline_daily_duration_jump"} <= set(nodes)
    # Elementary's column anomalies are declared, and off until Elementary is installed.
    assert not any("column_anomalies" in name for name in nodes)
    report = bq_checks.Report()
    for name, node in nodes.items():
        path = bq_checks.compiled_file(target, node)
        assert path is not None, name
        bq_checks.check_sql(name, path.read_text(), report)
    assert len([f for f in report.findings if f.check == "bigquery_parse"]) == len(nodes)
    assert report.failures() == [], report.failures()
    for model in MODELS:
        assert nodes[model]["schema"] == "nba_monitoring"


def test_the_cost_mart_reads_information_schema_jobs_by_label(
    compiled: tuple[Path, dict]
) -> None:
    target, manifest = compiled
    node = ours(manifest)["pipeline_job_costs"]
    sql = bq_checks.compiled_file(target, node).read_text()
    tree = sqlglot.parse_one(sql, read="bigquery")
    tables = {".".join(p.name for p in t.parts) for t in tree.find_all(exp.Table)}
    assert {"nba-props-ci.region-us.INFORMATION_SCHEMA.JOBS",
            "nba-props-ci.nba_monitoring.processor_execution_log"} <= tables
    labels = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
    assert {"app", "dbt_node", "dbt_resource", "dbt_invocation_id", "run_id", "step",
            "raw_table"} <= labels
    # bytes billed and slot time per job, top-level jobs only, within cost_history_days
    assert "total_bytes_billed" in sql and "total_slot_ms" in sql
    assert "parent_job_id is null" in sql and "interval 35 day" in sql
    # dbt and load rows come from JOBS on BigQuery (the execution log keeps the others)
    assert "where not (true and job_type in ('dbt', 'load'))" in sql
