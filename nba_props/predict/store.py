"""Writes predictions to nba_predictions.player_prop_predictions (DuckDB).

The table is created idempotently from the contract (nba_props.predict.contract). A date
is written in one batch: inside one transaction, delete that date's rows of each written
(run mode, system, system version) in the markets predicted, then insert the new rows from
an Arrow table. A re-run therefore replaces, and never duplicates, what an earlier run wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa

from nba_props.predict.contract import ARROW_SCHEMA, COLUMN_NAMES, QUALIFIED_TABLE, SCHEMA
from nba_props.predict.contract import create_table_sql as _create_table_sql

log = logging.getLogger(__name__)

__all__ = ["ARROW_SCHEMA", "ensure_table", "replace_predictions"]
_BATCH_VIEW = "_nba_props_prediction_batch"


def ensure_table(con: Any) -> None:
    """Create the schema and the predictions table when they do not exist (idempotent)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(_create_table_sql(if_not_exists=True))
    existing = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [SCHEMA, QUALIFIED_TABLE.split(".")[1]],
        ).fetchall()
    ]
    if existing != list(COLUMN_NAMES):
        raise RuntimeError(
            f"{QUALIFIED_TABLE} does not match the contract: has {existing}, "
            f"expected {list(COLUMN_NAMES)}"
        )


def replace_predictions(
    con: Any,
    game_date: date,
    run_mode: str,
    systems: Sequence[tuple[str, str]],
    markets: Sequence[str],
    batch: pa.Table,
) -> int:
    """Replace the date's rows of these (system_id, system_version)s and markets, atomically."""
    batch = batch.select(list(COLUMN_NAMES)).cast(ARROW_SCHEMA)
    where_systems = " or ".join("(system_id = ? and system_version = ?)" for _ in systems)
    where_markets = ", ".join("?" for _ in markets)
    params: list[Any] = [game_date, run_mode]
    for system_id, system_version in systems:
        params += [system_id, system_version]
    params += list(markets)
    columns = ", ".join(COLUMN_NAMES)
    con.execute("begin transaction")
    try:
        if systems and markets:
            con.execute(
                f"delete from {QUALIFIED_TABLE} where game_date = ? and run_mode = ?"  # noqa: S608
                f" and ({where_systems}) and market in ({where_markets})",
                params,
            )
        if batch.num_rows:
            con.register(_BATCH_VIEW, batch)
            try:
                con.execute(
                    f"insert into {QUALIFIED_TABLE} ({columns})"  # noqa: S608
                    f" select {columns} from {_BATCH_VIEW}"
                )
            finally:
                con.unregister(_BATCH_VIEW)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.info("wrote %d predictions for %s (%s)", batch.num_rows, game_date, run_mode)
    return batch.num_rows
