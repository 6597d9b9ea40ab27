"""BigQueryLoader against an in-memory client: job configuration, idempotency, recovery, retries."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery

from nba_props.contracts import RAW_TABLES
from nba_props.load import LoadError
from nba_props.load.bigquery_loader import (
    ATTEMPTS,
    BQ_TYPES,
    MANIFEST,
    BigQueryLoader,
    LoadOptions,
    cluster_columns,
    partition_column,
    raw_columns,
)
from nba_props.warehouse import bigquery as bq
from tests.python.bigquery.fakes import FakeClient, FakeJob

TEAM_LOGS = "nbacom_team_game_logs_2024-25.csv"
SETTINGS = bq.BigQuerySettings(project="nba-props-test", job_timeout_s=30, api_deadline_s=5)


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


def loader(client: FakeClient, **kwargs) -> BigQueryLoader:
    return BigQueryLoader(client, settings=SETTINGS, run_id="Run 42/A", **kwargs)


def test_load_job_has_explicit_schema_append_labels_and_timeout(
    client: FakeClient, real_data_dir: Path
) -> None:
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert (result.status, result.rows_loaded, result.rows_in_file) == ("loaded", 2802, 2802)

    [job] = client.data_loads()
    cfg: bigquery.LoadJobConfig = job.config
    contract = RAW_TABLES["nbacom_team_game_logs"]
    assert [(f.name, f.field_type) for f in cfg.schema] == [
        (n, BQ_TYPES[t]) for n, t in raw_columns(contract)
    ]
    assert cfg.schema[-5:][0].name == "_load_id"
    assert cfg.write_disposition == "WRITE_APPEND"
    assert cfg.create_disposition == "CREATE_NEVER"
    assert cfg.source_format == "PARQUET"
    assert int(cfg.job_timeout_ms) == 30_000
    assert cfg.labels == {
        "app": "nba_props", "component": "loader", "run_id": "run_42_a", "step": "load",
        "raw_table": "nbacom_team_game_logs",
    }
    assert job.job_id.startswith("nba_props_load_nbacom_team_game_logs_")
    assert job.result_calls[0]["timeout"] == 30

    rows = client.rows("nbacom_team_game_logs")
    assert rows.num_rows == 2802
    assert rows.schema.field("game_date").type == pa.date32()
    assert rows.schema.field("pts").type == pa.int64()
    assert str(rows.schema.field("_loaded_at").type) == "timestamp[us, tz=UTC]"
    first = rows.slice(0, 1).to_pylist()[0]
    assert first["_load_id"] == result.load_id and first["_row_number"] == 1
    assert len(first["_content_hash"]) == 64 and first["game_id"].startswith("00")


def test_raw_tables_are_partitioned_clustered_and_labelled(client: FakeClient) -> None:
    loader(client).ensure_tables()
    ddl = {sql.split("`")[1].rsplit(".", 1)[1]: sql for sql, _ in client.queries}
    assert set(ddl) == {*RAW_TABLES, MANIFEST, ATTEMPTS}
    assert "partition by game_date\ncluster by player_id, game_id" in ddl[
        "nbacom_player_game_logs"]
    # No DATE column in the contract: daily partitions of the load time.
    assert "partition by timestamp_trunc(_loaded_at, day)" in ddl["nbacom_players"]
    assert "partition by timestamp_trunc(_loaded_at, day)" in ddl["odds_api_player_props"]
    assert 'labels = [("app", "nba_props"), ("layer", "raw"), ("table", "nbacom_shot_detail")]' in (
        ddl["nbacom_shot_detail"])
    # FLOAT64 columns cannot cluster: the shot key keeps only clusterable columns.
    assert cluster_columns(RAW_TABLES["nbacom_shot_detail"]) == [
        "game_id", "player_id", "quarter", "mins_left"]
    assert partition_column(RAW_TABLES["odds_api_game_lines"]) == "date"
    # DDL carries no values from files: every query the loader sends is DDL.
    assert all(sql.startswith("create table if not exists") for sql, _ in client.queries)
    assert client.datasets[0].location == "US"


def test_new_contract_columns_are_added(client: FakeClient) -> None:
    first = loader(client)
    first.ensure_tables()
    table_id = "nba-props-test.nba_raw.player_aliases"
    client.schemas[table_id] = [f for f in client.schemas[table_id] if f.name != "note"]
    loader(client).ensure_tables()
    assert "note" in [f.name for f in client.schemas[table_id]]


def test_same_content_twice_is_skipped_whatever_the_name(
    client: FakeClient, real_data_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "renamed.csv"
    shutil.copy(real_data_dir / TEAM_LOGS, copy)
    results = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS, copy])
    results += loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert [r.status for r in results] == ["loaded", "skipped_duplicate", "skipped_duplicate"]
    assert len({r.load_id for r in results}) == 1
    assert len(client.data_loads()) == 1
    assert client.rows("nbacom_team_game_logs").num_rows == 2802
    manifest = client.rows(MANIFEST).to_pylist()
    assert len(manifest) == 1 and manifest[0]["rows_loaded"] == 2802
    assert manifest[0]["run_id"] == "Run 42/A"


def test_crash_between_job_and_manifest_is_recovered(
    client: FakeClient, real_data_dir: Path
) -> None:
    first = loader(client)
    [result] = first.load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    # The process died after the load job but before the manifest row: drop that row.
    client.tables[f"{client.project}.nba_raw.{MANIFEST}"] = None
    [again] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert again.status == "skipped_duplicate" and again.load_id == result.load_id
    assert len(client.data_loads()) == 1
    assert client.rows(MANIFEST).to_pylist()[0]["load_id"] == result.load_id


def test_failed_attempt_is_loaded_again(client: FakeClient, real_data_dir: Path) -> None:
    def fail(job: FakeJob) -> None:
        job.error_result = {"reason": "invalid"}
        job.fail_with = api_exceptions.BadRequest("bad", errors=[{"reason": "invalid",
                                                                  "message": "row 3 bad"}])
        job.errors = [{"reason": "invalid", "message": "row 3 bad"}]

    client.on_load = fail
    with pytest.raises(LoadError, match="row 3 bad"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert len(client.data_loads()) == 1  # not retried: the data is wrong, not the service
    client.on_load = None
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded" and len(client.data_loads()) == 2
    assert client.rows("nbacom_team_game_logs").num_rows == 2802


def test_transient_job_failure_is_retried_with_a_new_job(
    client: FakeClient, real_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tenacity.nap.time.sleep", lambda _s: None)
    calls = []

    def flaky(job: FakeJob) -> None:
        calls.append(job.job_id)
        if len(calls) == 1:
            job.error_result = {"reason": "backendError"}
            job.fail_with = api_exceptions.InternalServerError(
                "backend", errors=[{"reason": "backendError"}])

    client.on_load = flaky
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded"
    assert len(calls) == 2 and calls[0] != calls[1]
    assert client.rows("nbacom_team_game_logs").num_rows == 2802


def test_job_timeout_cancels_the_job(client: FakeClient, real_data_dir: Path) -> None:
    def hang(job: FakeJob) -> None:
        job.hang = True
        job.state = "RUNNING"

    client.on_load = hang
    with pytest.raises(LoadError, match="did not finish within 30s and was cancelled"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert client.cancelled == [client.data_loads()[0].job_id]


def test_invalid_file_never_reaches_bigquery(client: FakeClient, real_data_dir: Path,
                                             tmp_path: Path) -> None:
    lines = (real_data_dir / TEAM_LOGS).read_text().splitlines()
    header = lines[0].split(",")
    row = lines[5].split(",")
    row[header.index("PTS")] = "twelve"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], *lines[1:5], ",".join(row)]) + "\n")
    with pytest.raises(LoadError, match=r"row 5, column 'pts': value 'twelve'"):
        loader(client).load("nbacom_team_game_logs", [bad])
    assert client.data_loads() == []


def test_csv_format_for_emulators(client: FakeClient, real_data_dir: Path) -> None:
    options = LoadOptions.for_emulator("crucible")
    [result] = loader(client, options=options).load(
        "nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    [job] = client.data_loads()
    assert job.config.source_format == "CSV" and job.config.skip_leading_rows == 1
    assert job.config.job_timeout_ms is None
    assert result.rows_loaded == 2802


def test_run_query_sends_values_as_parameters() -> None:
    client = FakeClient()
    bq.run_query(client, "select * from t where d >= @start and team in unnest(@teams)",
                 {"start": __import__("datetime").date(2025, 1, 1), "teams": [1, 2]},
                 settings=SETTINGS, job_labels={"step": "test"})
    sql, config = client.queries[0]
    assert "@start" in sql and "2025" not in sql
    params = {p.name: p for p in config.query_parameters}
    assert params["start"].type_ == "DATE"
    assert params["teams"].array_type == "INT64" and params["teams"].values == [1, 2]
    assert config.maximum_bytes_billed == SETTINGS.maximum_bytes_billed
    assert config.labels["step"] == "test" and int(config.job_timeout_ms) == 30_000


def test_iter_arrow_batches_reads_page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    table = pa.table({"x": list(range(25))})

    class Job(FakeJob):
        def result(self, **kwargs):
            self.result_calls.append(kwargs)
            from tests.python.bigquery.fakes import FakeRowIterator

            return FakeRowIterator(table, kwargs["page_size"])

    client = FakeClient()
    monkeypatch.setattr(client, "query", lambda sql, **kw: Job("q", "query", kw["job_config"], sql))
    batches = list(bq.iter_arrow_batches(client, "select x from t", settings=SETTINGS,
                                         page_size=10))
    assert [b.num_rows for b in batches] == [10, 10, 5]


def test_secret_manager_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "google.cloud.secretmanager", None)
    settings = bq.BigQuerySettings(project="nba-props-test", secret="projects/p/secrets/s")
    with pytest.raises(bq.BigQueryConfigError,
                       match="google-cloud-secret-manager is not installed"):
        bq.make_credentials(settings)


def test_missing_adc_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "none.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.setattr("google.auth._default._get_gce_credentials", lambda *a, **k: (None, None))
    with pytest.raises(bq.BigQueryConfigError, match="application-default login"):
        bq.make_credentials(bq.BigQuerySettings(project="nba-props-test"))


def test_credentials_are_never_logged(monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    class Creds:
        token = "ya29.secret-token-value"

    monkeypatch.setattr("google.auth.default", lambda scopes=None: (Creds(), "p"))
    monkeypatch.setattr(bq.bigquery, "Client", lambda **kw: kw)
    with caplog.at_level(logging.DEBUG):
        bq.make_client(bq.BigQuerySettings(project="nba-props-test"))
    assert "secret-token" not in caplog.text
    assert "Application Default Credentials" in caplog.text


def test_settings_from_env() -> None:
    env = {"NBA_PROPS_BQ_PROJECT": "my-proj", "NBA_PROPS_BQ_LOCATION": "EU",
           "NBA_PROPS_BQ_MAX_BYTES_BILLED": "1000"}
    settings = bq.BigQuerySettings.from_env(env)
    assert (settings.project, settings.location, settings.maximum_bytes_billed) == (
        "my-proj", "EU", 1000)
    with pytest.raises(bq.BigQueryConfigError, match="NBA_PROPS_BQ_PROJECT"):
        bq.BigQuerySettings.from_env({})
    assert bq.sanitize_label("Run 42/A") == "run_42_a"
    assert bq.is_transient_job_error(
        api_exceptions.BadRequest("x", errors=[{"reason": "rateLimitExceeded"}]))
    assert not bq.is_transient_job_error(
        api_exceptions.BadRequest("x", errors=[{"reason": "invalid"}]))
