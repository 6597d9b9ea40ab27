"""Offline proof for the BigQuery target: parse, compile, BigQuery SQL, partition filters.

No Google account and no network: a CI profile with a dummy project and a dummy OAuth token
builds the client without calling Google, `--no-populate-cache --no-introspect` keeps dbt
from listing datasets, and the window vars let incremental models compile without looking
at their target. One run of scripts/bq_checks.py (about a minute) feeds every test here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nba_props.paths import PROJECT_DIR
from scripts import bq_checks
from scripts.bq_checks import Report, check_sql


@pytest.fixture(scope="session")
def checks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bq_checks")


@pytest.fixture(scope="session")
def report(checks_dir: Path) -> Report:
    return bq_checks.run_checks(checks_dir, PROJECT_DIR)


def _failures(report: Report, check: str) -> list[str]:
    return [f"{f.node}: {f.detail}" for f in report.failures(check)]


def test_dbt_parse_works_offline_for_prod_and_dev(report: Report) -> None:
    parses = {f.node: f.ok for f in report.findings if f.check == "dbt_parse"}
    assert parses == {"prod": True, "bq_dev": True}, _failures(report, "dbt_parse")


def test_models_land_in_the_known_datasets(report: Report) -> None:
    assert _failures(report, "dataset_prod") == []
    assert _failures(report, "dataset_bq_dev") == []
    prod, dev = report.datasets["prod"], report.datasets["bq_dev"]
    assert prod["player_game_summary"] == "nba_analytics"
    assert dev["player_game_summary"] == "dbt_ci_nba_analytics"
    assert {prod[m] for m in prod if m.startswith("stg_")} == {"nba_staging"}


def test_every_model_compiles_for_bigquery_without_a_connection(report: Report) -> None:
    assert _failures(report, "dbt_compile") == []
    needs_connection = {f.node for f in report.findings if f.check == "needs_connection"}
    # Models that read the warehouse catalog while compiling (the raw_keys models: the raw
    # columns; raw_duplicate_rows, the player histories and the incremental staging
    # tables: whether they exist yet, is_incremental()); the emulator run covers them.
    raw_keys = {
        f"stg_raw_keys__{table}" for table in (
            "nbacom_player_game_logs", "nbacom_team_game_logs", "nbacom_schedule",
            "nbacom_injury_report", "nbacom_shot_detail", "nbacom_players",
            "odds_api_player_props", "odds_api_game_lines", "player_aliases",
        )
    }
    assert needs_connection <= raw_keys | {
        "raw_duplicate_rows", "int_player_games_sequenced", "int_player_games_rolled",
        "int_player_stat_games_rolled", "int_player_shot_zones_rolled",
        "stg_nbacom__player_game_logs", "stg_nbacom__team_game_logs", "stg_nbacom__shot_detail",
    }, needs_connection


def test_every_compiled_model_parses_as_bigquery_sql(report: Report) -> None:
    parsed = [f for f in report.findings if f.check == "bigquery_parse"]
    assert len(parsed) >= 40
    assert _failures(report, "bigquery_parse") == []
    assert _failures(report, "bigquery_functions") == []


def test_incremental_facts_are_partitioned_and_filter_their_window(report: Report) -> None:
    partitioned = [f for f in report.findings if f.check == "partition_config"]
    assert partitioned and _failures(report, "partition_config") == []
    assert all("require_partition_filter" in f.detail for f in partitioned)
    windows = {f.node: f for f in report.findings if f.check == "window_filter"}
    assert {"player_game_summary", "team_offense_game_summary",
            "team_defense_game_summary"} <= set(windows)
    assert _failures(report, "window_filter") == []
    assert _failures(report, "large_input_filtered") == []


def test_every_read_of_a_partition_filtered_table_filters_it(report: Report) -> None:
    """BigQuery rejects a query on a require_partition_filter table that has no such filter."""
    checked = [f for f in report.findings if f.check == "partition_filter_required"]
    # Generic tests on the facts (not_null, unique, ...) are among them: dozens, not a few.
    assert len(checked) >= 20, len(checked)
    assert _failures(report, "partition_filter_required") == []


def test_contracted_tables_ddl_the_emulator_cannot_run_is_bigquery_sql(
    report: Report, checks_dir: Path
) -> None:
    """bqemulator cannot run `create table t (<columns>, primary key (...) not enforced)
    as select`, so the emulator target leaves the column list out
    (macros/bigquery/emulator_constraints.sql). The statement BigQuery gets instead is built
    here as dbt-bigquery renders it (its adapter's own constraint rendering, the compiled
    model) and parsed with sqlglot's BigQuery dialect: columns, not null, and the key."""
    import sqlglot
    from dbt.adapters.bigquery import BigQueryAdapter
    from sqlglot import exp

    assert _failures(report, "dbt_compile") == []
    tpath = checks_dir / "target_prod"
    manifest = bq_checks.load_manifest(tpath)
    # A model that reads the catalog while compiling (raw_duplicate_rows) has no offline SQL.
    introspective = {f.node for f in report.findings if f.check == "needs_connection"}
    contracted = {n["name"]: n for n in bq_checks.models(manifest).values()
                  if n["config"].get("contract", {}).get("enforced")
                  and n["config"]["materialized"] != "view" and n["name"] not in introspective}
    assert {"player_game_summary", "ml_feature_store_v2"} <= set(contracted)
    for name, node in contracted.items():
        columns = BigQueryAdapter.render_raw_columns_constraints(raw_columns=node["columns"])
        keys = BigQueryAdapter.render_raw_model_constraints(raw_constraints=node["constraints"])
        compiled = bq_checks.compiled_sql(tpath, node)
        assert compiled, name
        ddl = (f"create or replace table `nba-props-ci.{node['schema']}.{name}` "
               f"({', '.join([*columns, *keys])}) as ({compiled})")
        parsed = sqlglot.parse_one(ddl, read="bigquery")
        defs = parsed.this.expressions
        names = [d.name for d in defs if isinstance(d, exp.ColumnDef)]
        assert names == list(node["columns"]), name
        not_null = {d.name for d in defs if isinstance(d, exp.ColumnDef)
                    and d.find(exp.NotNullColumnConstraint)}
        assert not_null == {c for c, v in node["columns"].items()
                            if any(k["type"] == "not_null" for k in v["constraints"])}, name
        if name == "player_game_summary":
            (key,) = [d for d in defs if isinstance(d, exp.PrimaryKey)]
            assert [e.name for e in key.expressions] == ["game_id", "player_id"]
            assert "NOT ENFORCED" in key.sql("bigquery")
            assert {"game_id", "player_id", "game_date"} <= not_null


def test_materialized_views_read_base_tables(report: Report) -> None:
    assert _failures(report, "mv_base_tables") == []


def test_function_check_catches_duckdb_spellings() -> None:
    duck = Report()
    check_sql("duck", "select strip_accents(lower(name)), date_diff('day', a, b), "
                      "try_cast(x as double) from t", duck)
    problems = duck.failures("bigquery_functions")[0].detail
    assert "strip_accents" in problems.lower() and "try_cast" in problems
    assert "date_diff('part'" in problems
    clean = Report()
    check_sql("bq", "select safe_divide(a, b), date_diff(b, a, day), "
                    "regexp_replace(normalize(lower(n), nfd), r'\\pM', '') from `p.d.t`", clean)
    assert clean.failures() == []


def test_profiles_example_prod_target_parses_offline(tmp_path: Path) -> None:
    """The documented profile itself (method oauth = ADC) parses with no credentials at all."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text((PROJECT_DIR / "profiles.yml.example").read_text())
    env = {**os.environ, "NBA_PROPS_BQ_PROJECT": "nba-props-ci",
           "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent.json"}
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles),
         "--target", "prod", "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
