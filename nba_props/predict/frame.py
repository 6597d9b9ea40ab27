"""A small columnar frame (numpy arrays by name): what the readers return and systems use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Frame:
    """Equal-length numpy columns. Numbers are float64 (NaN = null), booleans 0/1 floats."""

    columns: dict[str, np.ndarray]
    numeric: frozenset[str]

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Frame:
        columns: dict[str, np.ndarray] = {}
        numeric: set[str] = set()
        for name, column in zip(table.column_names, table.columns, strict=True):
            typ = column.type
            if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
                if name.endswith("_id") and pa.types.is_integer(typ):
                    columns[name] = _ints(column)
                else:
                    columns[name] = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
                    numeric.add(name)
            elif pa.types.is_boolean(typ):
                columns[name] = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
                numeric.add(name)
            elif pa.types.is_date(typ):
                columns[name] = pc.cast(column, pa.date32()).to_numpy(zero_copy_only=False).astype(
                    "datetime64[D]"
                )
            elif pa.types.is_timestamp(typ):
                columns[name] = (
                    pc.cast(column, pa.timestamp("us")).to_numpy(zero_copy_only=False)
                )
            else:
                columns[name] = np.asarray(column.to_pylist(), dtype=object)
        return cls(columns, frozenset(numeric))

    @classmethod
    def empty_like(cls, other: Frame) -> Frame:
        return other.take(np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def get(self, name: str) -> np.ndarray:
        """The column, or all-NaN when the frame does not have it (a feature added later)."""
        if name in self.columns:
            return self.columns[name]
        return np.full(len(self), np.nan)

    def take(self, index: np.ndarray) -> Frame:
        return Frame({k: v[index] for k, v in self.columns.items()}, self.numeric)

    def with_columns(self, extra: Mapping[str, np.ndarray]) -> Frame:
        columns = dict(self.columns)
        columns.update(extra)
        numeric = set(self.numeric) | {k for k, v in extra.items() if v.dtype.kind == "f"}
        return Frame(columns, frozenset(numeric))

    def matrix(self, names: Iterable[str]) -> np.ndarray:
        """(rows, features) float64 matrix of the named columns (missing ones all-NaN)."""
        names = list(names)
        if not names:
            return np.zeros((len(self), 0))
        return np.column_stack([self.get(n).astype(np.float64) for n in names])


def _ints(column: pa.ChunkedArray) -> np.ndarray:
    if column.null_count:
        return pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    return column.to_numpy().astype(np.int64)
