"""One source of truth per table schema: the dbt files generated from the Python definitions
(nba_props.schemas) match them, and a column added in Python but not regenerated is named."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from nba_props import contracts, schemas
from nba_props.load import bigquery_loader
from nba_props.paths import PROJECT_DIR
from nba_props.predict import contract as predictions
from nba_props.schemas import registry
from nba_props.schemas.__main__ import main
from nba_props.schemas.table import SchemaColumn
from nba_props.schemas.types import BIGQUERY_TYPES, DOUBLE


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the generated files (and nothing else) to edit and check."""
    paths = [spec.path for spec in registry.source_files()] + [registry.TABLE_SCHEMAS_MACRO]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_DIR / path, tmp_path / path)
    return tmp_path


def _source_table(root: Path, path: str, table: str) -> dict:
    document = yaml.safe_load((root / path).read_text(encoding="utf-8"))
    (source,) = document["sources"]
    return next(t for t in source["tables"] if t["name"] == table)


def test_the_repository_is_in_step_with_the_python_definitions() -> None:
    assert schemas.check() == []


def test_generate_changes_nothing_on_the_repository(project: Path) -> None:
    assert schemas.generate(project) == []


def test_a_prediction_column_added_but_not_regenerated_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = SchemaColumn("kelly_fraction", DOUBLE, "Stake as a share of the bankroll.")
    widened = dataclasses.replace(
        predictions.PREDICTIONS, columns=(*predictions.PREDICTIONS.columns, extra)
    )
    monkeypatch.setattr(predictions, "PREDICTIONS", widened)

    problems = schemas.check(project)
    sources = "models/staging/nba_predictions/_nba_predictions__sources.yml"
    assert (
        f"{sources}: table nba_predictions.player_prop_predictions: column kelly_fraction is "
        "missing (defined in nba_props/predict/contract.py)"
    ) in problems
    assert (
        "macros/schemas/table_schemas.sql: table player_prop_predictions: missing line "
        "['kelly_fraction', 'double']"
    ) in problems
    assert main(["check", "--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "column kelly_fraction is missing" in err and "nba_props.schemas generate" in err

    # generate writes it, keeps the hand-written tests, and the check passes again
    assert set(schemas.generate(project)) == {sources, registry.TABLE_SCHEMAS_MACRO}
    assert schemas.check(project) == []
    table = _source_table(project, sources, "player_prop_predictions")
    assert table["columns"][-1] == {
        "name": "kelly_fraction",
        "description": "Stake as a share of the bankroll.",
        "data_type": "double",
    }
    assert table["columns"][0]["data_tests"] == ["unique", "not_null"]
    assert table["freshness"]["filter"] == "run_mode = 'live'"
    assert "['kelly_fraction', 'double']" in (
        project / registry.TABLE_SCHEMAS_MACRO
    ).read_text(encoding="utf-8")


def test_a_raw_column_changed_in_the_contract_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aliases = contracts.RAW_TABLES["player_aliases"]
    changed = dataclasses.replace(
        aliases,
        columns=(
            *aliases.columns[:1],
            dataclasses.replace(aliases.columns[1], type=contracts.VARCHAR),
            *aliases.columns[2:],
            contracts.Column("added_on", contracts.DATE, False, description="When added."),
        ),
    )
    monkeypatch.setitem(contracts.RAW_TABLES, "player_aliases", changed)

    path = "models/staging/reference/_reference__sources.yml"
    problems = schemas.check(project)
    assert problems == [
        f"{path}: table reference.player_aliases: column player_id has data_type 'bigint', "
        "the definition says 'varchar' (defined in nba_props/contracts.py)",
        f"{path}: table reference.player_aliases: column added_on is missing "
        "(defined in nba_props/contracts.py)",
    ]
    assert schemas.generate(project) == [path]
    columns = _source_table(project, path, "player_aliases")["columns"]
    assert [c["name"] for c in columns][4:6] == ["added_on", "_load_id"]
    assert columns[4]["description"] == "When added. Optional."
    assert "data_type" not in columns[5]  # the loader's columns stay untyped


def test_a_column_removed_from_python_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nba_props.orchestrate import execution_log

    narrowed = dataclasses.replace(
        execution_log.EXECUTION_LOG, columns=execution_log.EXECUTION_LOG.columns[:-1]
    )
    monkeypatch.setattr(execution_log, "EXECUTION_LOG", narrowed)
    problems = schemas.check(project)
    assert (
        "models/staging/nba_monitoring/_nba_monitoring__sources.yml: table "
        "nba_monitoring.processor_execution_log: column logged_at is not in the definition "
        "(defined in nba_props/orchestrate/execution_log.py)"
    ) in problems
    assert (
        "macros/schemas/table_schemas.sql: table processor_execution_log: stale line "
        "['logged_at', 'timestamp']"
    ) in problems


def test_one_bigquery_type_map() -> None:
    assert bigquery_loader.BQ_TYPES is BIGQUERY_TYPES
    assert {c.bigquery_type for c in predictions.PREDICTION_COLUMNS} <= set(BIGQUERY_TYPES.values())
    macro = (PROJECT_DIR / registry.TABLE_SCHEMAS_MACRO).read_text(encoding="utf-8")
    assert "'boolean': 'bool'" in macro and "'varchar': 'string'" in macro


def test_every_raw_table_has_a_source_and_every_column_a_description() -> None:
    declared = {t.name for spec in registry.source_files() for t in spec.tables}
    assert set(contracts.RAW_TABLES) <= declared
    for spec in registry.source_files():
        for table in spec.tables:
            assert table.description, table.name
            assert all(c.description for c in table.columns), table.name
