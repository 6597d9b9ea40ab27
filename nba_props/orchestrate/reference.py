"""Reference data every build needs, loaded without a step the user has to know.

The NBA.com player list ships with nba_api (offline); any player aliases a user adds go in
``<landing>/reference/player_aliases/*.csv``. ``nba-props init``, ``nba-props load``,
``daily`` and ``backfill`` all load them; a file already loaded is skipped by its hash.
"""

from __future__ import annotations

import json
from pathlib import Path

from nba_props.load import DuckDBLoader, LoadResult
from nba_props.orchestrate.execution_log import ExecutionLog, load_files

# Raw tables loaded whole on every run, not by day.
REFERENCE_TABLES = frozenset({"nbacom_players", "player_aliases"})


def reference_dir(landing_dir: Path) -> Path:
    return landing_dir / "reference"


def write_player_registry(landing_dir: Path) -> Path:
    """Write nba_api's static player list as a JSON file for the `nbacom_players` table."""
    from nba_api.stats.static import players  # deferred: its data module loads in 0.1 s

    out = reference_dir(landing_dir) / "nbacom_players" / "nbacom_players.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    records = sorted(players.get_players(), key=lambda p: p["id"])
    text = json.dumps(records, sort_keys=True, indent=0)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def reference_files(landing_dir: Path) -> dict[str, list[Path]]:
    """Reference tables every run loads whole (idempotent): the registry and any aliases."""
    files: dict[str, list[Path]] = {"nbacom_players": [write_player_registry(landing_dir)]}
    root = reference_dir(landing_dir)
    for table_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        files.setdefault(table_dir.name, []).extend(sorted(table_dir.glob("*.csv")))
    return files


def load_reference(
    loader: DuckDBLoader,
    landing_dir: Path,
    execution_log: ExecutionLog | None,
    *,
    command: str = "nba-props load",
) -> list[LoadResult]:
    """Load the reference files into the warehouse (skipped when their content is there)."""
    results: list[LoadResult] = []
    for table, paths in reference_files(landing_dir).items():
        results += load_files(loader, table, paths, execution_log, command=command)
    return results
