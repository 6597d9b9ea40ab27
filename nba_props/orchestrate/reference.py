"""Reference data that ships with nba_api (offline): the NBA.com player list."""

from __future__ import annotations

import json
from pathlib import Path

from nba_api.stats.static import players


def write_player_registry(landing_dir: Path) -> Path:
    """Write nba_api's static player list as a JSON file for the `nbacom_players` table."""
    out = landing_dir / "reference" / "nbacom_players" / "nbacom_players.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    records = sorted(players.get_players(), key=lambda p: p["id"])
    text = json.dumps(records, sort_keys=True, indent=0)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out
