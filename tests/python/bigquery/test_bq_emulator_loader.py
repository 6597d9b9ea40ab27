"""BigQueryLoader against a real (local) BigQuery API: NBA_PROPS_BQ_EMULATOR=crucible|bqemulator.

The emulator comes from PyPI into .venv-bqemu-<emulator>/ on first use (about a minute).
Each test loads into a dataset of its own, so they share one emulator.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery

from nba_props.load import DuckDBLoader, LoadError
from nba_props.load.bigquery_loader import BigQueryLoader, LoadOptions
from nba_props.load.result import LoadResult
from nba_props.warehouse.bigquery import BigQuerySettings, make_client
from nba_props.warehouse.emulator import EMULATOR_PROJECT, running_emulator
from tests.python.bigquery.test_bigquery_loader import bad_player_logs

KIND = os.environ.get("NBA_PROPS_BQ_EMULATOR", "")
pytestmark = [
    pytest.mark.bq_emulator,
    pytest.mark.skipif(KIND not in ("crucible", "bqemulator"),
                       reason="set NBA_PROPS_BQ_EMULATOR=crucible or bqemulator"),
]
FILES = ["nbacom_team_game_logs_2023-24.csv", "nbacom_team_game_logs_2024-25.csv"]
TEAM_LOGS = FILES[1]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQuerySettings]:
    with running_emulator(KIND, tmp_path_factory.mktemp("emu")) as emu:
        yield BigQuerySettings(project=EMULATOR_PROJECT, api_endpoint=emu.endpoint,
                               server_job_timeout=KIND != "crucible", job_timeout_s=120)


def new_loader(settings: BigQuerySettings, dataset: str = "nba_raw",
               client: Any = None) -> BigQueryLoader:
    """A loader with a client of its own: a run of its own."""
    return BigQueryLoader(client or make_client(settings), settings=settings, dataset=dataset,
                          options=LoadOptions.for_emulator(KIND), run_id="pytest")


def rows(client: bigquery.Client, sql: str) -> list[Any]:
    return list(client.query(sql).result())


def tables(client: bigquery.Client, dataset: str) -> set[str]:
    return {t.table_id for t in client.list_tables(f"{EMULATOR_PROJECT}.{dataset}")}


def test_load_skip_and_query_back(settings: BigQuerySettings, real_data_dir: Path) -> None:
    loader = new_loader(settings)
    results = loader.load("nbacom_team_game_logs", [real_data_dir / f for f in FILES])
    # 2023-24 holds NYK's two conflicting preseason rows: set aside, as on DuckDB.
    assert [(r.status, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("loaded_with_rejects", 2793, 2), ("loaded", 2802, 0)]
    again = loader.load("nbacom_team_game_logs", [real_data_dir / f for f in FILES])
    assert [r.status for r in again] == ["skipped_duplicate", "skipped_duplicate"]

    client = loader.client
    table = f"{EMULATOR_PROJECT}.nba_raw.nbacom_team_game_logs"
    [row] = rows(client,
        f"select count(*) as n, count(distinct _load_id) as loads, min(game_date) as first, "
        f"max(_row_number) as last_row from `{table}`")
    assert (row.n, row.loads, str(row.first), row.last_row) == (5595, 2, "2023-10-05", 2802)
    meta = client.get_table(table)
    assert meta.time_partitioning.field == "game_date"
    manifest = list(client.list_rows(f"{EMULATOR_PROJECT}.nba_raw._load_manifest"))
    assert sorted((r["rows_loaded"], r["rows_rejected"]) for r in manifest) == [
        (2793, 2), (2802, 0)]
    rejected = rows(client, "select reason, count(*) as n from "
                            f"`{EMULATOR_PROJECT}.nba_raw._rejected_rows` group by reason")
    assert [(r.reason, r.n) for r in rejected] == [("conflicting_duplicate_key", 2)]
    types = {f.name: f.field_type for f in meta.schema}
    assert types["game_date"] == "DATE" and types["pts"] in ("INTEGER", "INT64")
    assert types["_loaded_at"] == "TIMESTAMP"
    assert not any(t.startswith("_stage_load") for t in tables(client, "nba_raw"))


def assert_one_copy(client: bigquery.Client, dataset: str, results: list[LoadResult]) -> None:
    table = f"{EMULATOR_PROJECT}.{dataset}.nbacom_team_game_logs"
    [row] = rows(client, f"select count(*) as n, count(distinct _load_id) as loads, "
                         f"count(distinct _row_number) as distinct_rows from `{table}`")
    assert (row.n, row.loads, row.distinct_rows) == (2802, 1, 2802)
    manifest = list(client.list_rows(f"{EMULATOR_PROJECT}.{dataset}._load_manifest"))
    assert [(r["load_id"], r["rows_loaded"]) for r in manifest] == [
        (next(r.load_id for r in results if r.status == "loaded"), 2802)]
    assert not any(t.startswith("_stage_load") for t in tables(client, dataset))


def test_two_loads_of_the_same_file_at_once(settings: BigQuerySettings,
                                            real_data_dir: Path) -> None:
    dataset = "race"
    new_loader(settings, dataset).ensure_tables()
    loaders = [new_loader(settings, dataset) for _ in range(2)]
    # Both runs pass the manifest check and stage the file before either commits: the
    # window in which the old loader appended the file twice.
    both_staged = threading.Barrier(2, timeout=60)
    for one in loaders:
        commit = one._commit

        def commit_after_the_other(*args: Any, _commit: Any = commit) -> Any:
            both_staged.wait()
            return _commit(*args)

        one._commit = commit_after_the_other  # type: ignore[method-assign]
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(one.load, "nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
                   for one in loaders]
        results = [f.result()[0] for f in futures]
    assert sorted(r.status for r in results) == ["loaded", "skipped_duplicate"]
    assert results[0].load_id == results[1].load_id
    assert_one_copy(loaders[0].client, dataset, results)


class LosingClient:
    """A client whose first answer to ``what`` is lost: the call reached BigQuery (the job
    ran), the answer did not come back."""

    def __init__(self, client: bigquery.Client, what: str) -> None:
        self._client = client
        self.what = what
        self.lost: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def query(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        job = self._client.query(sql, *args, **kwargs)
        commit = str(kwargs.get("job_id") or "").startswith("nba_props_commit_")
        if commit and not self.lost:
            self.lost.append(job.job_id)
            if self.what == "insert":
                raise api_exceptions.ServiceUnavailable("connection reset (the job was created)")
            result = job.result

            def result_once_lost(*a: Any, **kw: Any) -> Any:
                job.result = result
                raise api_exceptions.ServiceUnavailable("connection reset while waiting")

            job.result = result_once_lost
        return job

    def load_table_from_file(self, *args: Any, **kwargs: Any) -> Any:
        job = self._client.load_table_from_file(*args, **kwargs)
        if self.what == "load" and not self.lost:
            self.lost.append(job.job_id)
            raise api_exceptions.ServiceUnavailable("connection reset (the load job ran)")
        return job


@pytest.mark.parametrize("what", ["insert", "wait", "load"])
def test_api_error_on_the_first_attempt_does_not_load_twice(
    settings: BigQuerySettings, real_data_dir: Path, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tenacity.nap.time.sleep", lambda _s: None)
    dataset = f"lost_{what}"
    client = LosingClient(make_client(settings), what)
    [result] = new_loader(settings, dataset, client).load(
        "nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert client.lost, "the API error was not simulated"
    assert (result.status, result.rows_loaded) == ("loaded", 2802)
    assert_one_copy(client._client, dataset, [result])
    # And a later run skips the file.
    [again] = new_loader(settings, dataset).load("nbacom_team_game_logs",
                                                 [real_data_dir / TEAM_LOGS])
    assert again.status == "skipped_duplicate"


@pytest.mark.skipif(KIND == "crucible", reason="crucible-emulator has no transactions")
def test_a_commit_that_fails_midway_is_rolled_back(
    settings: BigQuerySettings, tmp_path: Path
) -> None:
    dataset = "rollback"
    loader = new_loader(settings, dataset)
    loader.ensure_tables()
    # The commit inserts the rows, then fails on the rejects (their table is gone): the
    # transaction must take the rows back out.
    loader.client.delete_table(f"{EMULATOR_PROJECT}.{dataset}._rejected_rows")
    with pytest.raises(LoadError, match="failed and was rolled back, nothing was loaded"):
        loader.load("nbacom_player_game_logs", [bad_player_logs(tmp_path)])
    for table in ("nbacom_player_game_logs", "_load_manifest"):
        [row] = rows(loader.client,
                     f"select count(*) as n from `{EMULATOR_PROJECT}.{dataset}.{table}`")
        assert row.n == 0, table


def test_null_key_and_duplicate_rows_as_on_duckdb(
    settings: BigQuerySettings, tmp_path: Path
) -> None:
    path = bad_player_logs(tmp_path)
    [duck] = DuckDBLoader(tmp_path / "parity.duckdb").load("nbacom_player_game_logs", [path])
    with duckdb.connect(str(tmp_path / "parity.duckdb"), read_only=True) as con:
        duck_rejected = con.execute(
            "select row_number, column_name, reason, detail, raw_row from nba_raw._rejected_rows "
            "order by row_number").fetchall()
    dataset = "parity"
    [result] = new_loader(settings, dataset).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_in_file, result.rows_loaded, result.rows_rejected,
            result.rejects_by_reason) == (duck.status, duck.rows_in_file, duck.rows_loaded,
                                          duck.rows_rejected, duck.rejects_by_reason)
    assert result.rejects_by_reason == {"bad_value": 1, "conflicting_duplicate_key": 2,
                                        "duplicate_row": 1, "null_key": 1}
    client = make_client(settings)
    [row] = rows(client, "select count(*) as n, countif(player_id is null) as null_keys from "
                         f"`{EMULATOR_PROJECT}.{dataset}.nbacom_player_game_logs`")
    assert (row.n, row.null_keys) == (duck.rows_loaded, 0)
    rejected = rows(client, "select row_number, column_name, reason, detail, raw_row, load_id "
                            f"from `{EMULATOR_PROJECT}.{dataset}._rejected_rows` "
                            "order by row_number")
    assert [tuple(r.values())[:5] for r in rejected] == duck_rejected
    assert {r.load_id for r in rejected} == {result.load_id}
