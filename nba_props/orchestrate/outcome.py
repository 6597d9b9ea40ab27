"""What a day of `daily` / `backfill` came to, the run's summary and its exit code.

A day is ``built`` (its data loaded and dbt built it), ``no_games`` (the landed NBA.com
schedule lists no games: recorded, nothing to build) or ``missing`` (nothing, or no NBA.com
files, landed for it: the day fails and is not marked done). Nothing else counts as done.

Exit codes of ``nba-props daily`` and ``backfill`` (errors that stop the run come first):

====  =====================================================================================
0     every day built or confirmed no_games, and no scrape reported a warning
1     dbt error: a model or a test failed (``dbt error: ...``)
2     load error: a landed file was refused (``load error: ...``)
3     scrape error: a request failed, a payload drifted, or ``--mode live`` without a key
4     missing data: a day had nothing (or no NBA.com files) landed; the other days of a
      backfill are still loaded, built and marked done, the missing ones are not
5     completed with warnings: everything built, but a scrape (or a replayed landed run)
      reported warnings: events without odds, rows that could not be mapped, ...
====  =====================================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nba_props.orchestrate.daily import DayResult

BUILT = "built"
NO_GAMES = "no_games"
MISSING = "missing"
PENDING = "pending"  # games landed, not built yet
DONE = (BUILT, NO_GAMES)

EXIT_OK = 0
EXIT_DBT = 1
EXIT_LOAD = 2
EXIT_SCRAPE = 3
EXIT_MISSING = 4
EXIT_WARNINGS = 5


def exit_code(results: Sequence[DayResult]) -> int:
    """4 when a day is missing, else 5 when a day had warnings, else 0."""
    if any(r.outcome not in DONE for r in results):
        return EXIT_MISSING
    if any(r.warnings for r in results):
        return EXIT_WARNINGS
    return EXIT_OK


def render_backfill(
    start: date, end: date, results: Sequence[DayResult], run_id: str, notes: Sequence[str] = ()
) -> str:
    """Counts of each kind of day, then one line per failed day and per warning."""
    total = (end - start).days + 1
    kinds = {kind: sum(1 for r in results if r.outcome == kind) for kind in DONE}
    failed = [r for r in results if r.outcome not in DONE]
    rows = sum(r.rows_loaded for r in results)
    predictions = sum(r.predictions for r in results)
    warned = sum(len(r.warnings) for r in results)
    lines = [
        f"backfill {start}..{end} (run {run_id}): {total} day(s): {kinds[BUILT]} built, "
        f"{kinds[NO_GAMES]} no_games, {len(failed)} failed (missing data), "
        f"{total - len(results)} already done (skipped); {rows:,} rows loaded, "
        f"{predictions:,} predictions, {warned} warning(s)"
    ]
    lines += [f"note: {n}" for n in notes]
    lines += [f"FAILED {r.day}: {r.message}" for r in failed]
    lines += [f"warning {r.day}: {w}" for r in results for w in r.warnings]
    if not results:
        lines.append("nothing to do: every day of the range is done (--force redoes them)")
    return "\n".join(lines)
