"""Put season files into the landing zone one game day at a time, for replay mode.

`nba-props daily` and `backfill` read a day's files from the landing zone
(`<landing>/<source>/<YYYY-MM-DD>/<run_id>/flat/<raw_table>.csv` with a `_SUCCESS.json`
manifest, the layout the scrapers write). With no API keys and no network, this is how the
demo data gets there: each season file is split by game day in one DuckDB pass. A demo file
(``synthetic_*``) lands as ``flat/synthetic_<raw_table>.csv``, so its origin stays visible.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from nba_props.load.names import normalize_header, quote_ident
from nba_props.load.readers import csv_path
from nba_props.orchestrate.reference import reference_dir
from nba_props.scrape.landing import MANIFEST

# How each raw table's rows map to a game day (columns as in the files, lower-cased).
DAY_EXPRESSIONS: dict[str, str] = {
    "nbacom_player_game_logs": "cast(game_date as date)",
    "nbacom_team_game_logs": "cast(game_date as date)",
    "nbacom_schedule": "cast(game_date as date)",
    "nbacom_shot_detail": "cast(strptime(game_date, '%m-%d-%Y') as date)",
    "nbacom_injury_report": "cast(game_date as date)",
    "odds_api_player_props": "cast(cast(game_time as timestamp) - interval 6 hour as date)",
    "odds_api_game_lines": "cast(date as date)",
}
SOURCE_OF = {"nbacom": "nbacom_", "odds_api": "odds_api_"}
REPLAY_RUN_ID = "replay"
SCHEDULE_TABLE = "nbacom_schedule"
# Files of the demo generator are named synthetic_*; their landed day files keep the prefix,
# so the loader's manifest (nba_raw._load_manifest.source_file) shows where data came from.
SYNTHETIC_PREFIX = "synthetic_"


def _source(raw_table: str) -> str:
    return next(s for s, prefix in SOURCE_OF.items() if raw_table.startswith(prefix))


def land_by_day(files: Mapping[str, Sequence[Path]], landing_dir: Path) -> dict[str, int]:
    """Split each file by game day into the landing layout; returns rows landed per table.

    Tables without a day (the player registry, aliases) are not landed: they are loaded
    whole. Re-landing the same data writes the same bytes, so loads stay idempotent.

    The schedule also lands on each day without games between its first and last day, as a
    file with no rows (what the NBA.com scraper lands for such a day): `daily` then knows
    the day has no games, where a day with nothing landed is missing data.
    """
    landed: dict[str, int] = {}
    with duckdb.connect() as con, tempfile.TemporaryDirectory(prefix="nba_replay_") as tmp:
        for raw_table, paths in files.items():
            if raw_table not in DAY_EXPRESSIONS:
                for path in paths:  # reference data: loaded whole by every daily run
                    dest = reference_dir(landing_dir) / raw_table / Path(path).name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, dest)
                continue
            days: set[date] = set()
            for path in paths:
                rows, file_days, header = _split_file(
                    con, raw_table, Path(path), landing_dir, Path(tmp)
                )
                landed[raw_table] = landed.get(raw_table, 0) + rows
                days |= file_days
            if raw_table == SCHEDULE_TABLE and days:
                synthetic = all(_is_synthetic(Path(p)) for p in paths)
                for day in _days_without_games(days):
                    _commit_day(raw_table, day.isoformat(), header, landing_dir, synthetic)
    return landed


def _is_synthetic(path: Path) -> bool:
    return path.name.startswith(SYNTHETIC_PREFIX)


def _days_without_games(days: set[date]) -> list[date]:
    first, last = min(days), max(days)
    span = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in span if d not in days]


def _split_file(
    con: duckdb.DuckDBPyConnection, raw_table: str, path: Path, landing_dir: Path, tmp: Path
) -> tuple[int, set[date], bytes]:
    """Land the file's rows by day: (rows landed, the days, the CSV header line)."""
    out_dir = tmp / raw_table
    shutil.rmtree(out_dir, ignore_errors=True)
    with csv_path(path) as csv_file:
        con.execute(
            "create or replace temp table _split as select * from read_csv(?, all_varchar = true, "
            "header = true, sample_size = -1)",
            [str(csv_file)],
        )
    columns = [r[0] for r in con.execute("describe _split").fetchall()]
    lowered = ", ".join(f"{quote_ident(c)} as {normalize_header(c)}" for c in columns)
    day = DAY_EXPRESSIONS[raw_table]
    con.execute(
        f"copy (select *, strftime({day}, '%Y-%m-%d') as _day from ("  # noqa: S608
        f"select {lowered} from _split) order by all) to '{out_dir}' "
        "(format csv, header true, partition_by (_day), write_partition_columns false)"
    )
    rows, days, header = 0, set(), b""
    for part in sorted(out_dir.glob("_day=*/*.csv")):
        day_text = part.parent.name.split("=", 1)[1]
        data = part.read_bytes()
        header = header or data.split(b"\n", 1)[0] + b"\n"
        rows += _commit_day(raw_table, day_text, data, landing_dir, _is_synthetic(path))
        days.add(date.fromisoformat(day_text))
    return rows, days, header


def _commit_day(raw_table: str, day: str, data: bytes, landing_dir: Path, synthetic: bool) -> int:
    run_dir = landing_dir / _source(raw_table) / day / REPLAY_RUN_ID
    name = f"{SYNTHETIC_PREFIX if synthetic else ''}{raw_table}.csv"
    flat = run_dir / "flat" / name
    flat.parent.mkdir(parents=True, exist_ok=True)
    if not flat.exists() or flat.read_bytes() != data:
        flat.write_bytes(data)
    rows = data.count(b"\n") - 1
    manifest_path = run_dir / MANIFEST
    manifest = (
        json.loads(manifest_path.read_text("utf-8"))
        if manifest_path.exists()
        else {
            "source": _source(raw_table),
            "game_date": day,
            "run_id": REPLAY_RUN_ID,
            "mode": "replay",
            "files": [],
        }
    )
    if synthetic:
        manifest["origin"] = "SYNTHETIC demo data"
    entry = {
        "path": f"flat/{name}",
        "raw_table": raw_table,
        "rows": rows,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    files = [f for f in manifest["files"] if f["raw_table"] != raw_table] + [entry]
    manifest.update(
        files=sorted(files, key=lambda f: f["raw_table"]),
        finished_at=manifest.get("finished_at") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return rows
