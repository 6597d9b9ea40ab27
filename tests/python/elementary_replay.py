"""Elementary checked for real: a season replayed as a daily pipeline would have loaded
it, anomalies injected into a copy, built again, and ``edr report`` written.

Test tooling (not the product): scripts/elementary_verify.py (the real 2024-25 season)
and tests/python/test_elementary.py run it. The product's part (the demo clock, the edr
commands, the result tables) is nba_props.monitoring.elementary.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from nba_props.monitoring.elementary import (
    ReportCounts,
    dbt_vars,
    edr_report,
    latest_results,
    replay_as_of,
    report_counts,
    report_payload,
    report_test_results,
)
from nba_props.orchestrate.dbt import run_dbt

# The replay's clock: Elementary computes anomalies for the buckets before
# `custom_run_started_at` (now, in production). A mid-season Thursday, far enough from the
# All-Star break that it stays out of the training windows; the anomalies are injected into
# the day before (the detection period is the last two days).
REPLAY_AS_OF = datetime(2025, 3, 27, 12, 0, 0)
INJECTION_DAY = date(2025, 3, 26)


@dataclass(frozen=True)
class Injection:
    anomaly: str
    expected_tests: tuple[str, ...]  # name fragments of the tests that should catch it


POINTS_TEST = (
    "elementary_column_anomalies_player_game_summary_average__max__zero_count__points__game_date"
)


def _double_points(con: duckdb.DuckDBPyConnection, day: date) -> Injection:
    """A correction load (one minute after the day's box scores) that doubles every scoring
    stat of the day's player rows: consistent, so made <= attempted and the points identity
    still hold, and the staged rows are superseded as by any correction."""
    cols = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = "
            "'nba_raw' and table_name = 'nbacom_player_game_logs' order by ordinal_position"
        ).fetchall()
    ]
    data_cols = [c for c in cols if c != "_load_id"]
    doubled = {c: f"{c} * 2" for c in ("pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta")}
    select = ", ".join(
        doubled.get(c, "_loaded_at + interval 1 minute" if c == "_loaded_at" else c)
        for c in data_cols
    )
    con.execute(
        f"insert into nba_raw.nbacom_player_game_logs ({', '.join(data_cols)}, _load_id) "
        f"select {select}, 'points-spike' from nba_raw.nbacom_player_game_logs "
        "where game_date = ? and _load_id not like '%-repeat-%' and _load_id != 'points-spike'",
        [day],
    )
    return Injection("points doubled for a day", ("column_anomalies_player_game_summary",))


def double_points(database: Path, day: date) -> Injection:
    """Inject one anomaly: the points (and makes, attempts) of ``day`` doubled. Caught by
    POINTS_TEST (column anomalies of player_game_summary.points) when ``day`` is in its
    detection period."""
    with duckdb.connect(str(database)) as con:
        return _double_points(con, day)


def inject_anomalies(database: Path, day: date = INJECTION_DAY) -> list[Injection]:
    """Corrupt a copy of the replayed season around ``day`` (the detection period)."""
    prev = day - timedelta(days=1)
    outage_from = day - timedelta(days=2)
    catch_up = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(hours=6)
    injected: list[Injection] = []
    with duckdb.connect(str(database)) as con:
        cols = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'nba_raw' and table_name = 'nbacom_player_game_logs' order by ordinal_position"
            ).fetchall()
        ]
        data_cols = [c for c in cols if c != "_load_id"]
        # 1. The day's player box scores delivered ten times (a scraper loop): 10x volume.
        target = f"nba_raw.nbacom_player_game_logs ({', '.join(data_cols)}, _load_id)"
        con.execute(
            f"insert into {target} "
            f"select {', '.join(data_cols)}, _load_id || '-repeat-' || cast(copy as varchar) "
            "from nba_raw.nbacom_player_game_logs, range(9) as copies(copy) "
            "where game_date = ?",
            [day],
        )
        injected.append(
            Injection(
                "10x player box-score rows in one day",
                ("volume_anomalies_nbacom_nbacom_player_game_logs",),
            )
        )
        # 2. A points spike: a correction load that doubles every scoring stat of the day.
        injected.append(_double_points(con, day))
        # 3. Missing box scores: 60% of the previous day's player rows never arrive.
        con.execute(
            "delete from nba_raw.nbacom_player_game_logs "
            "where game_date = ? and hash(player_id) % 5 < 3",
            [prev],
        )
        injected.append(
            Injection(
                "60% of the player rows missing the day before",
                (
                    "player_rows_per_game",
                    "volume_anomalies_player_game_summary",
                    "volume_anomalies_nbacom_nbacom_player_game_logs",
                ),
            )
        )
        # 4. One bookmaker floods the props feed (ten snapshots of the day's lines).
        prop_cols = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'nba_raw' and table_name = 'odds_api_player_props' order by ordinal_position"
            ).fetchall()
        ]
        prop_select = ", ".join(
            "game_time - interval (copy + 1) hour" if c == "snapshot_time" else c
            for c in prop_cols
        )
        book = con.execute(
            "select bookmaker from nba_raw.odds_api_player_props "
            "where cast(game_time - interval 6 hour as date) = ? "
            "group by 1 order by count(*) desc limit 1",
            [day],
        ).fetchone()[0]
        con.execute(
            f"insert into nba_raw.odds_api_player_props ({', '.join(prop_cols)}) "
            f"select {prop_select} from nba_raw.odds_api_player_props, range(9) as copies(copy) "
            "where cast(game_time - interval 6 hour as date) = ? and bookmaker = ?",
            [day, book],
        )
        injected.append(
            Injection(
                f"bookmaker {book} x10 for a day",
                (
                    "dimension_anomalies_odds_api_odds_api_player_props",
                    "volume_anomalies_odds_api_odds_api_player_props",
                ),
            )
        )
        # 5. A three-day outage of the team box-score feed, then a catch-up load.
        con.execute(
            "update nba_raw.nbacom_team_game_logs set _loaded_at = ? "
            "where game_date between ? and ?",
            [catch_up, outage_from, day],
        )
        injected.append(
            Injection(
                "team box scores of 3 days loaded late",
                ("freshness_anomalies_nbacom_nbacom_team_game_logs",),
            )
        )
        # 6. Schema drift: a column added to a raw table (a contract change nobody reviewed).
        #    Shot detail: its error-severity test then skips only the shot-zone models.
        con.execute("alter table nba_raw.nbacom_shot_detail add column shot_clock double")
        injected.append(
            Injection(
                "column added to nbacom_shot_detail",
                ("schema_changes_nbacom_nbacom_shot_detail",),
            )
        )
    return injected


# ---- the whole check ---------------------------------------------------------------------

# What the replay builds: the raw sources (and their tests), the facts and monitoring
# models with anomaly tests and everything upstream of them, and Elementary's own models.
VERIFY_SELECTION = (
    "source:nbacom", "source:odds_api", "source:reference",
    "+player_game_summary", "+team_offense_game_summary", "+game_day_data_quality",
    "package:elementary",
)


@dataclass
class Verification:
    report: Path
    seconds: float
    baseline: dict[str, str]  # anomaly test -> status, clean replay
    injected: dict[str, str]  # anomaly test -> status, after the injections
    caught: dict[str, list[str]]  # injected anomaly -> the anomaly tests that flagged it
    report_tests: dict[str, str] = field(default_factory=dict)  # what edr report shows
    report_counts: ReportCounts | None = None  # and its dashboard's figures
    edr_output: str = ""

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def verify(
    work: Path,
    report: Path,
    load: Callable[[Path, Path], object],
    *,
    as_of: datetime = REPLAY_AS_OF,
) -> Verification:
    """Replay the real season with the anomaly tests on, inject anomalies, build again,
    write ``edr report``. ``load(database, landing)`` loads the real files."""
    work.mkdir(parents=True, exist_ok=True)
    database = work / "replay.duckdb"
    database.unlink(missing_ok=True)
    started = time.perf_counter()

    def step(what: str) -> None:
        # Three minutes in all: say what is running (flushed, so piped output stays in order).
        print(f"elementary verify [{time.perf_counter() - started:5.0f}s]: {what}", flush=True)

    def build(label: str) -> None:
        step(f"dbt build with the anomaly tests ({label})...")
        outcome = run_dbt(
            ["build", "--select", *VERIFY_SELECTION, "--indirect-selection", "cautious",
             "--vars", dbt_vars(as_of)],
            database=database,
            target_path=work / f"target_{label}",
            log_path=work / f"logs_{label}",
            quiet=True,
            raise_on_failure=False,
        )
        if outcome.exception:
            raise RuntimeError(f"dbt build ({label}) could not run: {outcome.exception}")

    step("loading the real season...")
    load(database, work / "landing")
    replay_as_of(database, as_of)
    build("baseline")
    baseline = {r.test_name: r.status for r in latest_results(database)}
    step("injecting anomalies...")
    injections = inject_anomalies(database, (as_of - timedelta(days=1)).date())
    build("injected")
    injected = {r.test_name: r.status for r in latest_results(database)}
    step("edr report...")
    proc = edr_report(database, report)
    if proc.returncode != 0 or not report.is_file():
        raise RuntimeError(
            f"edr report failed (exit {proc.returncode}): "
            f"{proc.stdout[-3000:]} {proc.stderr[-3000:]}"
        )
    payload = report_payload(report)
    caught = {
        i.anomaly: sorted(
            name
            for name, status in injected.items()
            if status in ("warn", "fail", "error") and any(f in name for f in i.expected_tests)
        )
        for i in injections
    }
    return Verification(
        report=report,
        seconds=round(time.perf_counter() - started, 1),
        baseline=baseline,
        injected=injected,
        caught=caught,
        report_tests=report_test_results(payload),
        report_counts=report_counts(payload),
        edr_output=proc.stdout[-2000:],
    )

