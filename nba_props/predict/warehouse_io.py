"""What the ML worker needs from a warehouse: three reads and one write, per engine.

The worker (nba_props.predict.worker) is engine-agnostic: it talks to a
:class:`PredictionIO`. :class:`DuckDBPredictionIO` wraps a DuckDB connection (the reads of
nba_props.predict.reader, the transaction of nba_props.predict.store);
nba_props.predict.bigquery_io.BigQueryPredictionIO does the same on BigQuery. Both run
the same SQL (reader.prediction_rows_sql / training_rows_sql) and write the columns of
the one contract (nba_props.predict.contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

import pyarrow as pa

from nba_props.predict import reader, store
from nba_props.predict.frame import Frame
from nba_props.relations import PROP_MARKETS


class PredictionIO(Protocol):
    """Reads for one worker and the atomic write of one date's predictions."""

    engine: str

    def read_markets(self) -> list[str]: ...

    def read_prediction_rows(
        self, game_date: date, as_of: datetime, markets: Sequence[str]
    ) -> Frame: ...

    def read_training_rows(
        self, before: date, markets: Sequence[str], since: date | None = None,
        lead_minute: float | None = None,
    ) -> Frame: ...

    def ensure_table(self) -> None: ...

    def replace_predictions(
        self,
        game_date: date,
        run_mode: str,
        systems: Sequence[tuple[str, str]],
        markets: Sequence[str],
        batch: pa.Table,
    ) -> int: ...


class SqlPredictionReads:
    """The worker's three reads, the same SQL on every engine (nba_props.predict.reader).

    An engine gives ``relation`` (how a ``schema.table`` name is written in its SQL) and
    ``_table`` (run a query with ``?`` placeholders, return Arrow); the rest is shared.
    """

    def relation(self, name: str) -> str:
        return name

    def _table(self, sql: str, values: Sequence[object], step: str) -> pa.Table:
        raise NotImplementedError

    def _frame(self, sql: str, values: Sequence[object], step: str) -> Frame:
        return reader.with_line_features(Frame.from_arrow(self._table(sql, values, step)))

    def read_markets(self) -> list[str]:
        table = self._table(reader.MARKETS_SQL.format(self.relation(PROP_MARKETS)), [],
                            "markets")
        return [str(m) for m in table["market"].to_pylist()]

    def read_prediction_rows(
        self, game_date: date, as_of: datetime, markets: Sequence[str]
    ) -> Frame:
        """ONE query: the date's features with the line valid at ``as_of``."""
        sql = reader.prediction_rows_sql(len(markets), self.relation)
        return self._frame(sql, reader.prediction_values(game_date, as_of, markets),
                           "read_features")

    def read_training_rows(
        self, before: date, markets: Sequence[str], since: date | None = None,
        lead_minute: float | None = None,
    ) -> Frame:
        sql = reader.training_rows_sql(len(markets), self.relation, lead=lead_minute is not None)
        return self._frame(sql, reader.training_values(before, since, markets, lead_minute),
                           "read_training")


class DuckDBPredictionIO(SqlPredictionReads):
    """The worker's reads and writes on a DuckDB connection (or a wrapper that counts)."""

    engine = "duckdb"

    def __init__(self, con: Any):
        self.con = con

    def _table(self, sql: str, values: Sequence[object], step: str) -> pa.Table:
        return self.con.sql(sql, params=list(values)).to_arrow_table()

    def ensure_table(self) -> None:
        store.ensure_table(self.con)

    def replace_predictions(
        self,
        game_date: date,
        run_mode: str,
        systems: Sequence[tuple[str, str]],
        markets: Sequence[str],
        batch: pa.Table,
    ) -> int:
        return store.replace_predictions(self.con, game_date, run_mode, systems, markets, batch)


def prediction_io(con: Any) -> PredictionIO:
    """``con`` itself when it already is a PredictionIO, else a DuckDB connection wrapped."""
    if hasattr(con, "read_prediction_rows") and hasattr(con, "replace_predictions"):
        return con  # type: ignore[no-any-return]
    return DuckDBPredictionIO(con)
