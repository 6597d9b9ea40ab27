"""A large NDJSON file loads with bounded memory: DuckDB streams it, nothing is read whole
into Python. Measured in a child process (ru_maxrss of that process alone)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from tests.python.conftest import PROJECT_DIR, REAL_DATA_DIR

PLAYER_LOGS = REAL_DATA_DIR / "nbacom_player_game_logs_2024-25.csv"
FILE_MB = 64
# Reading the records into Python grew the process by ~11x the file (46 MB: +530 MB).
# Streamed, the growth is DuckDB's buffers and its copy of the rows: ~+270 MB for 46 MB,
# ~+335 MB for 184 MB (2 threads; ~+340 MB with 16 threads on 46 MB).
MAX_GROWTH_MB = 450

_CHILD = """
import json, resource, sys
from pathlib import Path
import duckdb
from nba_props.load import DuckDBLoader
duckdb.connect(":memory:").execute("select 1").fetchall()  # DuckDB itself, loaded and warm
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
[result] = DuckDBLoader(Path(sys.argv[1])).load("nbacom_player_game_logs", [Path(sys.argv[2])])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": result.rows_loaded, "status": result.status,
                  "growth_mb": (after - before) / 1024}))
"""


def write_large_ndjson(path: Path, megabytes: int) -> int:
    """Real player-game rows, repeated with new game ids until the file has ``megabytes``."""
    with PLAYER_LOGS.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    size, n = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while size < megabytes * 1024 * 1024:
            line = json.dumps(dict(rows[n % len(rows)], GAME_ID=f"{n:010d}")) + "\n"
            out.write(line)
            size += len(line)
            n += 1
    return n


def test_large_ndjson_loads_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.ndjson"
    rows = write_large_ndjson(path, FILE_MB)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "raw.duckdb"), str(path)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600, check=True,
    )
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (measured["status"], measured["rows"]) == ("loaded", rows)
    assert measured["growth_mb"] < MAX_GROWTH_MB, measured
