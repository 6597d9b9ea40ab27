"""Fast, deterministic CSV writing: Arrow columns (mostly dictionary-encoded strings)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

Column = pa.Array | np.ndarray
# Fixed member timestamp so zips are byte-for-byte reproducible.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def dict_col(values: Sequence[str] | np.ndarray, idx: np.ndarray) -> pa.Array:
    """Strings ``values[idx]`` as a dictionary array (no per-row Python work)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(idx, dtype=np.int32)), pa.array(list(values), type=pa.string())
    )


def iso_utc(seconds: np.ndarray) -> pa.Array:
    """UTC seconds since the epoch as ISO-8601 with a Z, e.g. 2025-10-22T23:30:00Z."""
    uniq, inv = np.unique(seconds, return_inverse=True)
    text = np.datetime_as_string(uniq.astype("datetime64[s]"), unit="s")
    return dict_col([t + "Z" for t in text.tolist()], inv.reshape(-1))


def iso_date(days: np.ndarray) -> pa.Array:
    uniq, inv = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(uniq.astype("datetime64[D]"), unit="D")
    return dict_col(text.tolist(), inv.reshape(-1))


def nullable_int(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), mask=~np.asarray(valid, dtype=bool))


def nullable_float(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), mask=~np.asarray(valid, dtype=bool))


def _table(header: Sequence[str], columns: Sequence[Column]) -> pa.Table:
    if len(header) != len(columns):
        raise ValueError(f"{len(header)} header names for {len(columns)} columns")
    names = [f"c{i}" for i in range(len(columns))]
    return pa.table([c if isinstance(c, pa.Array) else pa.array(c) for c in columns], names=names)


def _csv_bytes(header: Sequence[str], columns: Sequence[Column]) -> bytes:
    sink = io.BytesIO()
    sink.write((",".join(header) + "\n").encode())
    table = _table(header, columns)
    if table.num_rows:
        options = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=1 << 16)
        pacsv.write_csv(table, sink, options)
    return sink.getvalue()


def write_csv(path: Path, header: Sequence[str], columns: Sequence[Column]) -> Path:
    path.write_bytes(_csv_bytes(header, columns))
    return path


def write_csv_zip(
    path: Path, member: str, header: Sequence[str], columns: Sequence[Column]
) -> Path:
    info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, _csv_bytes(header, columns), compresslevel=1)
    return path
