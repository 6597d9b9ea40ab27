"""What a loader reports for one file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoadResult:
    raw_table: str
    source_file: str
    load_id: str
    status: str  # "loaded" or "skipped_duplicate"
    rows_loaded: int
    rows_in_file: int
    ignored_columns: list[str] = field(default_factory=list)
