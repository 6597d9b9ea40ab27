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


class DuckDBPredictionIO:
    """The worker's reads and writes on a DuckDB connection (or a wrapper that counts)."""

    engine = "duckdb"

    def __init__(self, con: Any):
        self.con = con

    def read_markets(self) -> list[str]:
        return reader.read_markets(self.con)

    def read_prediction_rows(
        self, game_date: date, as_of: datetime, markets: Sequence[str]
    ) -> Frame:
        return reader.read_prediction_rows(self.con, game_date, as_of, markets)

    def read_training_rows(
        self, before: date, markets: Sequence[str], since: date | None = None,
        lead_minute: float | None = None,
    ) -> Frame:
        return reader.read_training_rows(self.con, before, markets, since, lead_minute)

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
