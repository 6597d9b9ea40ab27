"""The BigQuery prediction writer and reader without a warehouse: an in-memory client.

What is checked here and not on the emulator: the exact jobs sent (staging table with an
expiry, one load job with the contract's schema as Parquet, one MERGE with parameters, the
staging table dropped even when the MERGE fails), retries on transient errors only, the
job timeout with cancellation, and the choice between the Storage Read API and REST.
"""

from __future__ import annotations

import concurrent.futures
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from google.api_core import exceptions

from nba_props.predict.bigquery_io import BigQueryPredictionIO, check_scope, delete_sql, merge_sql
from nba_props.predict.contract import ARROW_SCHEMA, COLUMN_NAMES, PREDICTION_COLUMNS
from nba_props.predict.reader import prediction_rows_sql, prediction_values, training_rows_sql
from nba_props.warehouse import bigquery as bq
from nba_props.warehouse.bigquery import BigQuerySettings, named_parameters

DAY = date(2026, 1, 13)
SYSTEMS = [("moving_average", "ma-1"), ("ensemble", "ens-2")]
MARKETS = ["player_points", "player_threes"]


@dataclass
class Job:
    job_id: str
    sql: str = ""
    config: Any = None
    fail: BaseException | None = None
    hang: bool = False
    num_dml_affected_rows: int = 0
    waits: list[dict[str, Any]] = field(default_factory=list)

    def result(self, **kwargs: Any) -> Job:
        self.waits.append(kwargs)
        if self.hang:
            raise concurrent.futures.TimeoutError()
        if self.fail is not None:
            raise self.fail
        return self


class Client:
    project = "nba-props-test"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.loaded: list[pa.Table] = []
        self.fail_next: list[BaseException] = []  # raised by the next query jobs
        self.hang_next = False

    def _job(self, kind: str, **kw: Any) -> Job:
        job = Job(f"{kind}_{len(self.calls)}", **kw)
        if self.fail_next and kind == "query":
            job.fail = self.fail_next.pop(0)
        if self.hang_next and kind == "query":
            job.hang, self.hang_next = True, False
        return job

    def query(self, sql: str, job_config: Any = None, **kwargs: Any) -> Job:
        self.calls.append(("query", (sql, job_config, kwargs)))
        return self._job("query", sql=sql, config=job_config)

    def create_table(self, table: Any, **kwargs: Any) -> Any:
        self.calls.append(("create_table", (table, kwargs)))
        return table

    def delete_table(self, table: str, **kwargs: Any) -> None:
        self.calls.append(("delete_table", (table, kwargs)))

    def load_table_from_file(self, fh: io.BytesIO, destination: str, job_config: Any,
                             **kwargs: Any) -> Job:
        self.calls.append(("load", (destination, job_config, kwargs)))
        self.loaded.append(pq.read_table(fh))
        return self._job("load")

    def cancel_job(self, job_id: str, **kwargs: Any) -> None:
        self.calls.append(("cancel", job_id))

    def kinds(self) -> list[str]:
        return [k for k, _ in self.calls]


def _settings(**kw: Any) -> BigQuerySettings:
    return BigQuerySettings(project="nba-props-test", job_timeout_s=30, api_deadline_s=10, **kw)


def _batch(n: int = 3, market: str = "player_points", system: tuple[str, str] = SYSTEMS[0],
           day: date = DAY) -> pa.Table:
    values: dict[str, list[Any]] = {}
    for c in PREDICTION_COLUMNS:
        sample: Any = {"VARCHAR": "x", "BIGINT": 1, "DOUBLE": 0.5, "DATE": day,
                       "TIMESTAMP": datetime(2026, 1, 13, 12)}[c.type]
        values[c.name] = [sample] * n
    values.update(prediction_id=[f"id{i}" for i in range(n)], game_date=[day] * n,
                  run_mode=["live"] * n, system_id=[system[0]] * n,
                  system_version=[system[1]] * n, market=[market] * n)
    return pa.Table.from_pydict(values, schema=ARROW_SCHEMA)


def _io(client: Client, **kw: Any) -> BigQueryPredictionIO:
    return BigQueryPredictionIO(client, _settings(**kw), run_id="run-1")  # type: ignore[arg-type]


def test_a_date_is_written_by_one_load_job_and_one_merge() -> None:
    client = Client()
    written = _io(client).replace_predictions(DAY, "live", SYSTEMS, MARKETS, _batch())
    assert written == 3
    assert client.kinds() == ["create_table", "load", "query", "delete_table"]

    stage, _ = client.calls[0][1]
    assert stage.table_id.startswith("_stage_player_prop_predictions_run_1_20260113")
    assert stage.expires is not None  # a crash leaves nothing for long
    contract = [(c.name, c.bigquery_type, c.bigquery_mode) for c in PREDICTION_COLUMNS]
    assert [(f.name, f.field_type, f.mode) for f in stage.schema] == contract

    destination, config, kwargs = client.calls[1][1]
    assert destination == f"nba-props-test.nba_predictions.{stage.table_id}"
    assert config.source_format == "PARQUET" and config.write_disposition == "WRITE_TRUNCATE"
    assert [(f.name, f.field_type, f.mode) for f in config.schema] == contract
    assert int(config.job_timeout_ms) == 30_000 and kwargs["timeout"] == 10
    assert client.loaded[0].column_names == list(COLUMN_NAMES)
    assert client.loaded[0].num_rows == 3

    sql, qconfig, qkwargs = client.calls[2][1]
    assert sql == merge_sql("nba-props-test.nba_predictions.player_prop_predictions",
                            destination)
    params = {p.name: (p.type_ if hasattr(p, "type_") else p.array_type, p.values
                       if hasattr(p, "values") else p.value) for p in qconfig.query_parameters}
    assert params == {
        "game_date": ("DATE", DAY), "run_mode": ("STRING", "live"),
        "system_keys": ("STRING", ["moving_average|ma-1", "ensemble|ens-2"]),
        "markets": ("STRING", MARKETS),
    }
    assert int(qconfig.job_timeout_ms) == 30_000 and qkwargs["timeout"] == 10
    assert qconfig.labels["component"] == "predict" and qconfig.labels["step"] == "merge"
    assert client.calls[3][1][0] == destination


def test_the_merge_is_bigquery_sql_and_scoped() -> None:
    target = "p.nba_predictions.player_prop_predictions"
    merge = sqlglot.parse_one(merge_sql(target, "p.nba_predictions._stage_x"), read="bigquery")
    assert isinstance(merge, sqlglot.exp.Merge)
    text = merge_sql(target, "p.nba_predictions._stage_x")
    assert "when not matched by source" in text and text.rstrip().endswith("then delete")
    for name in ("@game_date", "@run_mode", "@system_keys", "@markets"):
        assert name in text
    assert "'2026" not in text  # values are parameters, never text
    assert isinstance(sqlglot.parse_one(delete_sql(target), read="bigquery"),
                      sqlglot.exp.Delete)


def test_an_empty_date_deletes_its_scope_in_one_statement() -> None:
    client = Client()
    empty = _batch(0)
    assert _io(client).replace_predictions(DAY, "live", SYSTEMS, MARKETS, empty) == 0
    assert client.kinds() == ["query"]
    assert client.calls[0][1][0].startswith("delete from `nba-props-test.nba_predictions")


def test_rows_outside_the_scope_are_refused() -> None:
    with pytest.raises(ValueError, match="market"):
        check_scope(_batch(market="player_blocks"), DAY, "live", SYSTEMS, MARKETS)
    with pytest.raises(ValueError, match="system"):
        check_scope(_batch(system=("similarity", "s-1")), DAY, "live", SYSTEMS, MARKETS)
    with pytest.raises(ValueError, match="game_date"):
        check_scope(_batch(day=date(2026, 1, 14)), DAY, "live", SYSTEMS, MARKETS)
    client = Client()
    with pytest.raises(ValueError):
        _io(client).replace_predictions(DAY, "live", SYSTEMS, MARKETS, _batch(market="x"))
    assert client.calls == []  # nothing sent


def test_transient_errors_are_retried_bad_sql_is_not_and_stages_are_dropped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bq, "wait_exponential", lambda **_: (lambda _state: 0))
    client = Client()
    client.fail_next = [exceptions.ServiceUnavailable("backend")]
    assert _io(client).replace_predictions(DAY, "live", SYSTEMS, MARKETS, _batch()) == 3
    assert client.kinds() == ["create_table", "load", "query", "query", "delete_table"]

    client = Client()
    client.fail_next = [exceptions.BadRequest("Syntax error")]
    with pytest.raises(exceptions.BadRequest):
        _io(client).replace_predictions(DAY, "live", SYSTEMS, MARKETS, _batch())
    assert client.kinds() == ["create_table", "load", "query", "delete_table"]


def test_a_job_past_its_timeout_is_cancelled() -> None:
    client = Client()
    client.hang_next = True
    with pytest.raises(TimeoutError, match="cancelled"):
        _io(client).replace_predictions(DAY, "live", SYSTEMS, MARKETS, _batch())
    assert "cancel" in client.kinds() and client.kinds()[-1] == "delete_table"


def test_the_reads_are_the_duckdb_sql_with_named_parameters() -> None:
    sql = prediction_rows_sql(2, lambda n: f"`p.{n}`")
    values = prediction_values(DAY, datetime(2026, 1, 14), MARKETS)
    text, params = named_parameters(sql, values)
    assert "?" not in text and "`p.nba_precompute.ml_feature_store_v2`" in text
    assert list(params.values()) == values
    assert list(params) == [f"p{i}" for i in range(len(values))]
    assert "features.game_date = @p0" in text and "lines.game_date = @p5" in text
    # The game line and injury status valid at the prediction time (@p6 .. @p9 = as_of).
    assert "context_lines.valid_from <= @p6" in text
    assert "context_injuries.valid_from <= @p8" in text
    assert sqlglot.parse_one(text, read="bigquery") is not None
    training, _ = named_parameters(training_rows_sql(1, lambda n: f"`p.{n}`"),
                                   [DAY, DAY, "player_points"])
    assert "`p.nba_analytics.prop_outcomes`" in training
    with pytest.raises(ValueError, match="placeholders"):
        named_parameters(sql, [DAY])


class Rows:
    def __init__(self) -> None:
        self.total_rows = 2
        self.asked: dict[str, Any] = {}

    def to_arrow(self, **kwargs: Any) -> pa.Table:
        self.asked = kwargs
        return pa.table({"market": ["a", "b"]})


def test_results_come_through_the_storage_api_when_installed_never_from_an_emulator(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rows = Rows()

    class QueryClient(Client):
        def query(self, sql: str, job_config: Any = None, **kwargs: Any) -> Any:
            job = super().query(sql, job_config, **kwargs)
            job.result = lambda **kw: rows  # type: ignore[method-assign]
            return job

    monkeypatch.setattr(bq, "storage_api_installed", lambda: True)
    assert bq.read_arrow(QueryClient(), "select 1", settings=_settings()).num_rows == 2
    assert rows.asked["create_bqstorage_client"] is True
    emulator = _settings(api_endpoint="http://127.0.0.1:1")
    bq.read_arrow(QueryClient(), "select 1", settings=emulator)
    assert rows.asked["create_bqstorage_client"] is False
    bq.read_arrow(QueryClient(), "select 1", settings=_settings(storage_api=False))
    assert rows.asked["create_bqstorage_client"] is False
    monkeypatch.setattr(bq, "storage_api_installed", lambda: False)
    bq.read_arrow(QueryClient(), "select 1", settings=_settings())
    assert rows.asked["create_bqstorage_client"] is False
    off = BigQuerySettings.from_env({"NBA_PROPS_BQ_PROJECT": "p", "NBA_PROPS_BQ_STORAGE_API": "0"})
    assert off.storage_api is False
