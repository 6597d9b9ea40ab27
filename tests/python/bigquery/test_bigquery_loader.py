"""BigQueryLoader against in-memory clients: job configuration, idempotency, the commit that
lands a file once whoever wins a race, API errors read from the job and not assumed, retries,
and the quarantine as on DuckDB. The SQL-running fake (sql_fake.py) keeps BigQuery's job-id
rule; tests/python/bigquery/test_bq_emulator_loader.py runs the same against an emulator."""

from __future__ import annotations

import csv
import logging
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import bigquery

from nba_props.contracts import RAW_TABLES
from nba_props.load import DuckDBLoader, LoadError
from nba_props.load.bigquery_loader import (
    BQ_TYPES,
    MANIFEST,
    REJECTED,
    REJECTED_COLUMNS,
    BigQueryLoader,
    LoadOptions,
    cluster_columns,
    commit_job_id,
    partition_column,
    raw_columns,
)
from nba_props.load.result import LoadResult
from nba_props.load.staging import content_hash
from nba_props.warehouse import bigquery as bq
from tests.python.bigquery.fakes import FakeClient, FakeJob
from tests.python.bigquery.sql_fake import SqlFakeClient, SqlJob
from tests.python.conftest import REAL_DATA_DIR

TEAM_LOGS = "nbacom_team_game_logs_2024-25.csv"
PLAYER_LOGS = "nbacom_player_game_logs_2024-25.csv"
SETTINGS = bq.BigQuerySettings(project="nba-props-test", job_timeout_s=30, api_deadline_s=5)
RAW = "nba-props-test.nba_raw"


@pytest.fixture
def client() -> SqlFakeClient:
    return SqlFakeClient()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tenacity.nap.time.sleep", lambda _s: None)


def loader(client: FakeClient, **kwargs) -> BigQueryLoader:
    return BigQueryLoader(client, settings=SETTINGS, run_id="Run 42/A", **kwargs)


def transient(job: SqlJob) -> None:
    """The job fails for a reason worth another job (and changes nothing)."""
    job.error_result = {"reason": "backendError", "message": "backend error"}
    job.fail_with = api_exceptions.InternalServerError(
        "backend error", errors=[job.error_result])


def is_commit(job: FakeJob) -> bool:
    return job.job_id.startswith("nba_props_commit_")


def raw_rows(client: SqlFakeClient, table: str = "nbacom_team_game_logs") -> int:
    return client.table(table).num_rows


def test_staging_loads_and_one_commit(client: SqlFakeClient, real_data_dir: Path) -> None:
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert (result.status, result.rows_loaded, result.rows_in_file) == ("loaded", 2802, 2802)

    # Two load jobs, into staging tables of this load: the rows and the manifest row.
    rows_job, manifest_job = client.stage_loads()
    assert rows_job.destination.startswith(f"{RAW}._stage_load_nbacom_team_game_logs_")
    cfg: bigquery.LoadJobConfig = rows_job.config
    contract = RAW_TABLES["nbacom_team_game_logs"]
    assert [(f.name, f.field_type) for f in cfg.schema] == [
        (n, BQ_TYPES[t]) for n, t in raw_columns(contract)
    ]
    assert cfg.write_disposition == "WRITE_TRUNCATE"
    assert cfg.create_disposition == "CREATE_NEVER"
    assert cfg.source_format == "PARQUET"
    assert int(cfg.job_timeout_ms) == 30_000
    assert cfg.labels == {
        "app": "nba_props", "component": "loader", "run_id": "run_42_a", "step": "load",
        "raw_table": "nbacom_team_game_logs",
    }
    assert rows_job.result_calls[0]["timeout"] == 30
    assert manifest_job.destination.endswith("_manifest")
    # Staging tables expire if a crash leaves them, and were dropped after the commit.
    assert all(client.expires[t] is not None for t in client.dropped)
    assert len(client.dropped) == 2 and client.stages_left() == []

    # ONE commit job, named after the content, a transaction that carries no values.
    [commit] = client.commit_jobs()
    digest = client.table(MANIFEST).to_pylist()[0]["content_hash"]
    assert commit.job_id == commit_job_id("nba_raw", "nbacom_team_game_logs", digest, 0)
    sql = commit.sql
    assert sql.startswith("begin transaction;") and sql.endswith("commit transaction;")
    assert digest not in sql and "@" not in sql and "'" not in sql
    assert commit.config.labels["step"] == "commit"
    assert int(commit.config.job_timeout_ms) == 30_000
    assert commit.config.maximum_bytes_billed == SETTINGS.maximum_bytes_billed

    rows = client.table("nbacom_team_game_logs")
    assert rows.num_rows == 2802
    assert rows.schema.field("game_date").type == pa.date32()
    assert rows.schema.field("pts").type == pa.int64()
    first = min(rows.to_pylist(), key=lambda r: r["_row_number"])
    assert first["_load_id"] == result.load_id and first["_row_number"] == 1
    assert len(first["_content_hash"]) == 64 and first["game_id"].startswith("00")
    [manifest] = client.table(MANIFEST).to_pylist()
    assert (manifest["load_id"], manifest["rows_loaded"], manifest["rows_rejected"],
            manifest["run_id"]) == (result.load_id, 2802, 0, "Run 42/A")
    # Every query is DDL or the commit: no SQL carries a value (the manifest is read by
    # tabledata.list).
    assert all(sql.startswith(("create table if not exists", "begin transaction;"))
               for sql, _ in client.queries)


def test_raw_tables_are_partitioned_clustered_and_labelled() -> None:
    client = FakeClient()
    loader(client).ensure_tables()
    ddl = {sql.split("`")[1].rsplit(".", 1)[1]: sql for sql, _ in client.queries}
    assert set(ddl) == {*RAW_TABLES, MANIFEST, REJECTED}
    assert "partition by game_date\ncluster by player_id, game_id" in ddl[
        "nbacom_player_game_logs"]
    # No DATE column in the contract: daily partitions of the load time.
    assert "partition by timestamp_trunc(_loaded_at, day)" in ddl["nbacom_players"]
    assert "partition by timestamp_trunc(_loaded_at, day)" in ddl["odds_api_player_props"]
    assert 'labels = [("app", "nba_props"), ("layer", "raw"), ("table", "nbacom_shot_detail")]' in (
        ddl["nbacom_shot_detail"])
    assert ("partition by timestamp_trunc(rejected_at, day)\ncluster by raw_table, load_id"
            in ddl[REJECTED])
    assert [f.name for f in client.schemas[f"{RAW}.{REJECTED}"]] == [
        n for n, _ in REJECTED_COLUMNS]
    # FLOAT64 columns cannot cluster: the shot key keeps only clusterable columns.
    assert cluster_columns(RAW_TABLES["nbacom_shot_detail"]) == [
        "game_id", "player_id", "quarter", "mins_left"]
    assert partition_column(RAW_TABLES["odds_api_game_lines"]) == "date"
    # DDL carries no values from files.
    assert all(sql.startswith("create table if not exists") for sql, _ in client.queries)
    assert client.datasets[0].location == "US"


def test_new_contract_and_manifest_columns_are_added() -> None:
    client = FakeClient()
    loader(client).ensure_tables()
    aliases, manifest = f"{RAW}.player_aliases", f"{RAW}.{MANIFEST}"
    client.schemas[aliases] = [f for f in client.schemas[aliases] if f.name != "note"]
    # A manifest made before the quarantine had no rows_rejected.
    client.schemas[manifest] = [f for f in client.schemas[manifest] if f.name != "rows_rejected"]
    loader(client).ensure_tables()
    assert "note" in [f.name for f in client.schemas[aliases]]
    assert "rows_rejected" in [f.name for f in client.schemas[manifest]]


def test_same_content_twice_is_skipped_whatever_the_name(
    client: SqlFakeClient, real_data_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "renamed.csv"
    shutil.copy(real_data_dir / TEAM_LOGS, copy)
    results = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS, copy])
    results += loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert [r.status for r in results] == ["loaded", "skipped_duplicate", "skipped_duplicate"]
    assert len({r.load_id for r in results}) == 1
    assert len(client.commit_jobs()) == 1
    assert raw_rows(client) == 2802
    assert client.table(MANIFEST).num_rows == 1


# --- races: the commit lands a file once, whoever wins ------------------------------------------


def _race(client: SqlFakeClient, real_data_dir: Path) -> tuple[LoadResult, LoadResult]:
    """Run B loads the file completely while run A is between staging and its commit."""
    run_b: list[LoadResult] = []

    def run_b_meanwhile(job: SqlJob) -> None:
        if job.kind == "load" and job.destination.endswith("_manifest") and not run_b:
            client.after_job = None  # B's own jobs run undisturbed
            run_b.extend(loader(client).load("nbacom_team_game_logs",
                                             [real_data_dir / TEAM_LOGS]))

    client.after_job = run_b_meanwhile
    [a] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    return a, run_b[0]


def test_concurrent_run_committing_first_wins_by_job_id(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    a, b = _race(client, real_data_dir)
    assert (b.status, a.status) == ("loaded", "skipped_duplicate")
    assert a.load_id == b.load_id and a.rows_in_file == 2802 and a.rows_loaded == 0
    # A's commit asked for B's job id (409), waited for it and read the manifest.
    assert [j.job_id[-2:] for j in client.commit_jobs()] == ["_0"]
    assert raw_rows(client) == 2802
    assert client.table(MANIFEST).num_rows == 1
    assert client.stages_left() == []


def test_concurrent_commit_without_the_job_id_rule_adds_nothing(real_data_dir: Path) -> None:
    # As on bqemulator, a second job with the same id runs again: the SQL guard holds.
    client = SqlFakeClient(unique_job_ids=False)
    a, b = _race(client, real_data_dir)
    assert (b.status, a.status) == ("loaded", "skipped_duplicate")
    assert raw_rows(client) == 2802
    assert client.table(MANIFEST).num_rows == 1


def test_two_loads_at_once_land_one_copy(client: SqlFakeClient, real_data_dir: Path) -> None:
    both_staged = threading.Barrier(2, timeout=30)

    def wait_for_the_other(job: SqlJob) -> None:
        if job.kind == "load" and job.destination.endswith("_manifest"):
            both_staged.wait()  # both past the manifest check and staged: now commit

    client.after_job = wait_for_the_other
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(loader(client).load, "nbacom_team_game_logs",
                               [real_data_dir / TEAM_LOGS]) for _ in range(2)]
        results = [f.result()[0] for f in futures]
    assert sorted(r.status for r in results) == ["loaded", "skipped_duplicate"]
    assert len({r.load_id for r in results}) == 1
    assert raw_rows(client) == 2802
    assert client.table(MANIFEST).num_rows == 1
    assert len(client.commit_jobs()) == 1


# --- API errors: the outcome is read from the job and the manifest, never assumed -------------


def test_lost_response_to_the_commit_is_read_from_the_job(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    def lose_response(job: SqlJob) -> None:
        if is_commit(job) and len(client.commit_jobs()) == 1:
            raise api_exceptions.ServiceUnavailable("connection reset after the job was created")

    client.after_job = lose_response
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert (result.status, result.rows_loaded) == ("loaded", 2802)
    assert len(client.commit_jobs()) == 1  # the job existed: not committed again
    assert raw_rows(client) == 2802


def test_api_error_while_waiting_is_not_a_failed_load(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    def flaky_wait(job: SqlJob) -> None:
        if is_commit(job):
            job.result_errors.append(api_exceptions.BadGateway("proxy error"))

    client.after_job = flaky_wait
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded"
    assert len(client.commit_jobs()) == 1
    assert raw_rows(client) == 2802


def test_lost_response_to_a_staging_load_stages_again(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    lost: list[str] = []

    def lose_first(job: SqlJob) -> None:
        if job.kind == "load" and not lost:
            lost.append(job.job_id)
            job.result_errors.append(api_exceptions.ServiceUnavailable("unavailable"))

    client.after_job = lose_first
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded"
    assert len(client.stage_loads()) == 3  # the rows twice (WRITE_TRUNCATE), the manifest
    assert raw_rows(client) == 2802


def test_transient_commit_failure_commits_again_as_the_next_job(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    def fail_first(job: SqlJob) -> None:
        if is_commit(job) and len(client.commit_jobs()) == 1:
            transient(job)

    client.on_job = fail_first
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded"
    assert [j.job_id[-2:] for j in client.commit_jobs()] == ["_0", "_1"]
    assert raw_rows(client) == 2802


def test_failed_commit_loads_nothing_and_a_new_run_loads(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    def fail(job: SqlJob) -> None:
        if is_commit(job):
            job.error_result = {"reason": "invalidQuery", "message": "Table not found"}
            job.fail_with = api_exceptions.BadRequest("bad", errors=[job.error_result])

    client.on_job = fail
    with pytest.raises(LoadError, match="failed and was rolled back, nothing was loaded: "
                                        "Table not found"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert len(client.commit_jobs()) == 1  # not retried: not a transient failure
    assert raw_rows(client) == 0 and client.table(MANIFEST).num_rows == 0
    assert client.stages_left() == []
    client.on_job = None
    # Job 0 of this content exists (failed): the next run commits as job 1.
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded"
    assert [j.job_id[-2:] for j in client.commit_jobs()] == ["_0", "_1"]
    assert raw_rows(client) == 2802


def test_commit_failing_again_and_again_is_a_load_error(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    client.on_job = lambda job: transient(job) if is_commit(job) else None
    with pytest.raises(LoadError, match=r"backend error.*nothing was loaded; load the file again"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert [j.job_id[-2:] for j in client.commit_jobs()] == ["_0", "_1", "_2"]  # 3 attempts
    assert raw_rows(client) == 0 and client.stages_left() == []


def test_another_runs_commit_still_running_is_waited_for_not_cancelled(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    digest = content_hash(real_data_dir / TEAM_LOGS)
    theirs = commit_job_id("nba_raw", "nbacom_team_game_logs", digest, 0)
    client.jobs[theirs] = SqlJob(theirs, "query", sql="another run's commit", state="RUNNING",
                                 hang=True)
    with pytest.raises(LoadError, match="another run is loading the same content"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert client.cancelled == []  # not ours to cancel
    assert raw_rows(client) == 0 and client.stages_left() == []


def test_commit_is_one_transaction(client: SqlFakeClient, real_data_dir: Path) -> None:
    # The manifest insert fails after the rows were inserted: the rows are rolled back.
    def break_manifest(job: SqlJob) -> None:
        if is_commit(job):
            job.sql = job.sql.replace("insert into `nba-props-test.nba_raw._load_manifest` (",
                                      "insert into `nba-props-test.nba_raw._no_such_table` (")

    client.on_job = break_manifest
    with pytest.raises(LoadError, match="rolled back"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert raw_rows(client) == 0 and client.table(MANIFEST).num_rows == 0


def test_transient_staging_failure_is_retried(
    client: SqlFakeClient, real_data_dir: Path
) -> None:
    def flaky(job: SqlJob) -> None:
        if job.kind == "load" and len(client.stage_loads()) == 1:
            transient(job)

    client.on_job = flaky
    [result] = loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert result.status == "loaded"
    first, second = client.stage_loads()[:2]
    assert first.job_id != second.job_id and first.destination == second.destination
    assert raw_rows(client) == 2802


def test_job_timeout_cancels_the_job(client: SqlFakeClient, real_data_dir: Path) -> None:
    def hang(job: SqlJob) -> None:
        if job.kind == "load":
            job.hang = True
            job.state = "RUNNING"

    client.on_job = hang
    with pytest.raises(LoadError, match="did not finish within 30s and was cancelled"):
        loader(client).load("nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    assert client.cancelled == [client.stage_loads()[0].job_id]
    assert client.commit_jobs() == [] and client.stages_left() == []


def test_a_file_with_too_many_bad_values_never_reaches_bigquery(
    client: SqlFakeClient, real_data_dir: Path, tmp_path: Path
) -> None:
    lines = (real_data_dir / TEAM_LOGS).read_text().splitlines()
    header = lines[0].split(",")
    row = lines[5].split(",")
    row[header.index("PTS")] = "twelve"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], *lines[1:5], ",".join(row)]) + "\n")
    with pytest.raises(LoadError, match=r"row 5, column 'pts': value 'twelve'.*1 of 5 rows"):
        loader(client).load("nbacom_team_game_logs", [bad])
    with pytest.raises(LoadError, match=r"row 5, column 'pts': value 'twelve'.*on_bad_rows='fail'"):
        loader(client, on_bad_rows="fail").load("nbacom_team_game_logs", [bad])
    assert client.loads == [] and client.commit_jobs() == []


def test_csv_format_for_emulators(client: SqlFakeClient, real_data_dir: Path) -> None:
    options = LoadOptions.for_emulator("crucible")
    [result] = loader(client, options=options).load(
        "nbacom_team_game_logs", [real_data_dir / TEAM_LOGS])
    job = client.stage_loads()[0]
    assert job.config.source_format == "CSV" and job.config.skip_leading_rows == 1
    assert job.config.job_timeout_ms is None
    assert result.rows_loaded == 2802 and raw_rows(client) == 2802
    # crucible-emulator has no transactions: the same statements, one by one.
    [commit] = client.commit_jobs()
    assert "transaction" not in commit.sql and commit.sql.startswith("insert into")


# --- the quarantine, as on DuckDB -----------------------------------------------------------------


def bad_player_logs(tmp_path: Path, limit: int = 400) -> Path:
    """Real player-log rows with an empty key, an exact duplicate row, a conflicting
    duplicate key and a bad value: every kind of reject."""
    with (REAL_DATA_DIR / PLAYER_LOGS).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = [r for _, r in zip(range(limit), reader, strict=False)]
    rows[10]["PLAYER_ID"] = ""  # null_key
    rows.insert(21, dict(rows[20]))  # duplicate_row (an exact copy of the row before)
    conflicting = dict(rows[30])
    conflicting["PTS"] = str(int(conflicting["PTS"]) + 10)
    rows.append(conflicting)  # conflicting_duplicate_key: neither version loads
    rows[40]["PTS"] = "twelve"  # bad_value
    path = tmp_path / "player_logs_with_bad_rows.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def duckdb_outcome(path: Path, tmp_path: Path) -> tuple[LoadResult, list[tuple], int]:
    database = tmp_path / "parity.duckdb"
    [result] = DuckDBLoader(database).load("nbacom_player_game_logs", [path])
    with duckdb.connect(str(database), read_only=True) as con:
        rejected = con.execute(
            "select row_number, column_name, reason, detail, raw_row, load_id, raw_table, "
            "source_file from nba_raw._rejected_rows order by row_number").fetchall()
        rows = con.execute("select count(*) from nba_raw.nbacom_player_game_logs").fetchone()[0]
    return result, rejected, rows


def test_quarantine_as_on_duckdb(client: SqlFakeClient, tmp_path: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    path = bad_player_logs(tmp_path)
    duck, duck_rejected, duck_rows = duckdb_outcome(path, tmp_path)
    with caplog.at_level(logging.WARNING):
        [result] = loader(client).load("nbacom_player_game_logs", [path])
    assert (result.status, result.rows_in_file, result.rows_loaded, result.rows_rejected) == (
        duck.status, duck.rows_in_file, duck.rows_loaded, duck.rows_rejected)
    assert result.rejects_by_reason == duck.rejects_by_reason == {
        "bad_value": 1, "conflicting_duplicate_key": 2, "duplicate_row": 1, "null_key": 1}
    assert result.status == "loaded_with_rejects" and result.rows_loaded == duck_rows == 397
    assert "in nba_raw._rejected_rows with load_id" in caplog.text
    rejected = sorted(client.table(REJECTED).to_pylist(), key=lambda r: r["row_number"])
    mine = [(r["row_number"], r["column_name"], r["reason"], r["detail"], r["raw_row"])
            for r in rejected]
    assert mine == [r[:5] for r in duck_rejected]
    assert {(r["load_id"], r["raw_table"], r["source_file"], r["run_id"]) for r in rejected} == {
        (result.load_id, "nbacom_player_game_logs", str(path), "Run 42/A")}
    assert raw_rows(client, "nbacom_player_game_logs") == 397
    [manifest] = client.table(MANIFEST).to_pylist()
    assert (manifest["rows_loaded"], manifest["rows_rejected"]) == (397, 5)


def test_empty_file_records_an_empty_load(client: SqlFakeClient, real_data_dir: Path,
                                          tmp_path: Path) -> None:
    header_only = tmp_path / "header_only.csv"
    header_only.write_text((real_data_dir / TEAM_LOGS).read_text().splitlines()[0] + "\n")
    [result] = loader(client).load("nbacom_team_game_logs", [header_only])
    assert (result.status, result.rows_loaded) == ("empty", 0)
    assert any("no data rows" in w for w in result.warnings)
    assert [j.destination.rsplit("_", 1)[1] for j in client.stage_loads()] == ["manifest"]
    assert client.table(MANIFEST).num_rows == 1 and raw_rows(client) == 0


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
