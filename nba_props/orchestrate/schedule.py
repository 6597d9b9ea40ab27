"""Is a day a game day? Decided from the NBA.com schedule landed for it, never from silence.

The nbacom scraper lands ScoreboardV3's games for the day as ``nbacom_schedule`` (a file
with no rows on a day without games), and ``nba-props land-demo`` does the same for every
day inside the season's schedule. So for a day D:

- a landed schedule with games, or any landed rows    -> ``games``: load, build, predict;
- a landed schedule with no games and no other rows   -> ``no_games``: recorded, not built;
- no landed schedule at all                           -> ``missing``: the day fails, with a
  message saying what is missing and how to land it.

Nothing landed is never taken for "no games": a scrape that never ran looks the same.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import duckdb

from nba_props.relations import RAW_SCHEDULE

log = logging.getLogger(__name__)

SCHEDULE_TABLE = "nbacom_schedule"
DayKind = Literal["games", "no_games", "missing"]


@dataclass(frozen=True)
class DayCheck:
    kind: DayKind
    games: int | None  # games the landed schedule lists; None: no schedule landed
    message: str = ""


def _game_ids(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {row.get("game_id") or "" for row in csv.DictReader(fh)} - {""}


def has_rows(path: Path) -> bool:
    """A landed flat file with at least one data row (files not in CSV count as rows)."""
    if path.suffix.lower() != ".csv":
        return True
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader, None)  # the header
        return next(reader, None) is not None


def _landing_hint(day: date) -> str:
    return (
        f"land the day's files first: `nba-props scrape nbacom --date {day}` (NBA.com's "
        f"schedule and box scores; an empty schedule confirms a day without games) and "
        f"`nba-props scrape odds_api --date {day}`, or `nba-props land-demo` for the "
        "SYNTHETIC demo season, or run with --mode live; then run the day again"
    )


def check_day(
    day: date,
    day_files: Mapping[str, Sequence[Path]],
    warehouse_games: Callable[[date], int | None] | None = None,
) -> DayCheck:
    """Classify ``day`` from its landed files (reference files left out).

    ``warehouse_games`` (optional) counts the games the warehouse's schedule lists on a day;
    it only sharpens the message of a day with nothing landed, it never decides.
    """
    schedule = list(day_files.get(SCHEDULE_TABLE, []))
    others = {t: list(p) for t, p in day_files.items() if t != SCHEDULE_TABLE and p}
    if schedule:
        games: set[str] = set()
        for path in schedule:
            games |= _game_ids(path)
        if games:
            return DayCheck("games", len(games))
        with_rows = sorted(t for t, paths in others.items() if any(has_rows(p) for p in paths))
        if not with_rows:
            return DayCheck(
                "no_games", 0, f"no games on {day}: the landed NBA.com schedule lists none"
            )
        return DayCheck(
            "games",
            0,
            f"the landed NBA.com schedule lists no games on {day}, yet rows landed for "
            f"{', '.join(with_rows)}: built anyway, check the schedule",
        )
    if others:
        return DayCheck(
            "missing",
            None,
            f"{day}: no NBA.com schedule or box scores landed (landed: "
            f"{', '.join(sorted(others))}); {_landing_hint(day)}",
        )
    known = warehouse_games(day) if warehouse_games else None
    listed = (
        f"; {RAW_SCHEDULE} lists {known} game(s) that day" if known else
        "; no landed schedule says the day has no games"
    )
    return DayCheck("missing", None, f"{day}: nothing landed{listed}; {_landing_hint(day)}")


def warehouse_games(database: Path) -> Callable[[date], int | None]:
    """A lookup of the games ``nba_raw.nbacom_schedule`` lists on a day (DuckDB); None when
    the warehouse or the table is not there yet."""

    def lookup(day: date) -> int | None:
        if not Path(database).exists():
            return None
        try:
            with duckdb.connect(str(database), read_only=True) as con:
                row = con.execute(
                    f"select count(distinct game_id) from {RAW_SCHEDULE} "  # noqa: S608
                    "where game_date = ?",
                    [day],
                ).fetchone()
        except duckdb.Error as exc:  # no such table yet, or the file is busy: no answer
            log.debug("no warehouse schedule for %s: %s", day, exc)
            return None
        return int(row[0]) if row else None

    return lookup
