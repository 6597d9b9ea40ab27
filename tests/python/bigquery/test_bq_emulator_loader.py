"""BigQueryLoader against a real (local) BigQuery API: NBA_PROPS_BQ_EMULATOR=crucible|bqemulator.

The emulator comes from PyPI into .venv-bqemu-<emulator>/ on first use (about a minute).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nba_props.load.bigquery_loader import BigQueryLoader, LoadOptions
from nba_props.warehouse.bigquery import BigQuerySettings
from nba_props.warehouse.emulator import EMULATOR_PROJECT, running_emulator

KIND = os.environ.get("NBA_PROPS_BQ_EMULATOR", "")
pytestmark = [
    pytest.mark.bq_emulator,
    pytest.mark.skipif(KIND not in ("crucible", "bqemulator"),
                       reason="set NBA_PROPS_BQ_EMULATOR=crucible or bqemulator"),
]
FILES = ["nbacom_team_game_logs_2023-24.csv", "nbacom_team_game_logs_2024-25.csv"]


@pytest.fixture(scope="module")
def loader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryLoader]:
    with running_emulator(KIND, tmp_path_factory.mktemp("emu")) as emu:
        settings = BigQuerySettings(project=EMULATOR_PROJECT, api_endpoint=emu.endpoint,
                                    server_job_timeout=KIND != "crucible")
        yield BigQueryLoader(settings=settings, options=LoadOptions.for_emulator(KIND),
                             run_id="pytest")


def test_load_skip_and_query_back(loader: BigQueryLoader, real_data_dir: Path) -> None:
    results = loader.load("nbacom_team_game_logs", [real_data_dir / f for f in FILES])
    assert [(r.status, r.rows_loaded) for r in results] == [("loaded", 2795), ("loaded", 2802)]
    again = loader.load("nbacom_team_game_logs", [real_data_dir / f for f in FILES])
    assert [r.status for r in again] == ["skipped_duplicate", "skipped_duplicate"]

    client = loader.client
    table = f"{EMULATOR_PROJECT}.nba_raw.nbacom_team_game_logs"
    row = next(iter(client.query(
        f"select count(*) as n, count(distinct _load_id) as loads, min(game_date) as first, "
        f"max(_row_number) as last_row from `{table}`").result()))
    assert (row.n, row.loads, str(row.first), row.last_row) == (5597, 2, "2023-10-05", 2802)
    meta = client.get_table(table)
    assert meta.time_partitioning.field == "game_date"
    manifest = list(client.list_rows(f"{EMULATOR_PROJECT}.nba_raw._load_manifest"))
    assert sorted(r["rows_loaded"] for r in manifest) == [2795, 2802]
    types = {f.name: f.field_type for f in meta.schema}
    assert types["game_date"] == "DATE" and types["pts"] in ("INTEGER", "INT64")
    assert types["_loaded_at"] == "TIMESTAMP"
