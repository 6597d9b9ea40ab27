"""What a loader reports for one file."""

from __future__ import annotations

from dataclasses import dataclass, field

LOADED = "loaded"
LOADED_WITH_REJECTS = "loaded_with_rejects"  # some rows quarantined in _rejected_rows
EMPTY = "empty"  # a header (or a JSON document) without rows: nothing to load
SKIPPED_DUPLICATE = "skipped_duplicate"  # the same content was loaded before


@dataclass(frozen=True)
class LoadResult:
    raw_table: str
    source_file: str
    load_id: str
    status: str  # LOADED, LOADED_WITH_REJECTS, EMPTY or SKIPPED_DUPLICATE
    rows_loaded: int
    rows_in_file: int
    ignored_columns: list[str] = field(default_factory=list)
    # Rows set aside in <schema>._rejected_rows (rows_loaded + rows_rejected = rows_in_file).
    rows_rejected: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    # What the log warned about this file (rejects, no rows, a missing final newline, ...).
    warnings: list[str] = field(default_factory=list)
