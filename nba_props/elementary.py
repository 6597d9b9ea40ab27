"""Elementary: is it on, how to run it, and how to check its anomaly tests for real.

Elementary is turned on by ``make elementary-on`` (scripts/elementary_on.sh): the dbt
package in the git-ignored ``dbt_packages/``, the ``edr`` CLI in ``.venv-edr``. Its anomaly
tests are declared in the project's YAML and run only with ``--vars '{elementary_enabled:
true}'``. Nothing here stands in for Elementary: the helpers below run the real package
and read its own result tables.

The verification (``scripts/elementary_verify.py``, ``tests/python/test_elementary.py``)
replays the real 2024-25 season as if it had been loaded day by day, builds it with the
anomaly tests on, injects anomalies into a copy, builds again and writes ``edr report``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import yaml

from nba_props.paths import PROJECT_DIR

EDR_VENV = PROJECT_DIR / ".venv-edr"
ELEMENTARY_VERSION = "0.25.0"

# The replay's clock: Elementary computes anomalies for the buckets before
# `custom_run_started_at` (now, in production). A mid-season Thursday, far enough from the
# All-Star break that it stays out of the training windows; the anomalies are injected into
# the day before (the detection period is the last two days).
REPLAY_AS_OF = datetime(2025, 3, 27, 12, 0, 0)
INJECTION_DAY = date(2025, 3, 26)


def is_installed(project_dir: Path = PROJECT_DIR) -> bool:
    """The dbt package is installed (make elementary-on) at the version edr expects."""
    project = project_dir / "dbt_packages" / "elementary" / "dbt_project.yml"
    if not project.is_file():
        return False
    match = re.search(r"(?m)^version:\s*['\"]?([^'\"\s]+)", project.read_text(encoding="utf-8"))
    return bool(match) and match.group(1) == ELEMENTARY_VERSION


def edr_path(venv: Path = EDR_VENV) -> Path | None:
    edr = venv / "bin" / "edr"
    return edr if edr.is_file() else None


def dbt_vars(as_of: datetime | None = None) -> str:
    """--vars for a build with the anomaly tests on (as of a replay time, when given)."""
    values: dict[str, object] = {"elementary_enabled": True}
    if as_of is not None:
        values["custom_run_started_at"] = as_of.isoformat()
    return json.dumps(values)


# ---- the replay: the real season loaded "day by day" -----------------------------------

# When each raw row would have been loaded by a daily pipeline: box scores and shots the
# morning after the game, lines before tip-off; with a deterministic jitter of up to three
# hours (a real feed is never punctual, and Elementary learns nothing from a zero spread).
_JITTER = "interval (hash({key}) % 180) minute"
_EVENT_DATES = {
    "nbacom_player_game_logs": "game_date",
    "nbacom_team_game_logs": "game_date",
    "nbacom_shot_detail": "game_date",
    "odds_api_player_props": "cast(game_time - interval 6 hour as date)",
    "odds_api_game_lines": "date",
}
_LOAD_TIMES = {
    "nbacom_player_game_logs": "cast(game_date as timestamp) + interval 30 hour",
    "nbacom_team_game_logs": "cast(game_date as timestamp) + interval 30 hour",
    "nbacom_shot_detail": "cast(game_date as timestamp) + interval 30 hour",
    "odds_api_player_props": "game_time - interval 4 hour",
    "odds_api_game_lines": "cast(date as timestamp) + interval 30 hour",
}


def replay_as_of(database: Path, as_of: datetime = REPLAY_AS_OF) -> None:
    """Make a warehouse of the real season look as it would have on ``as_of`` under a daily
    pipeline: rows of later days removed, every row's _loaded_at set to its daily load."""
    with duckdb.connect(str(database)) as con:
        for table, event_date in _EVENT_DATES.items():
            con.execute(
                f"delete from nba_raw.{table} where {event_date} >= ?",  # noqa: S608
                [as_of.date()],
            )
            jitter = _JITTER.format(key=event_date)
            con.execute(
                f"update nba_raw.{table} set _loaded_at = {_LOAD_TIMES[table]} + {jitter}"  # noqa: S608
            )


@dataclass(frozen=True)
class Injection:
    anomaly: str
    expected_tests: tuple[str, ...]  # name fragments of the tests that should catch it


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
            f"insert into {target} "  # noqa: S608
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
        # 2. A points spike: a correction load that doubles every scoring stat of the day
        #    (consistent, so made <= attempted and the points identity still hold).
        doubled = {c: f"{c} * 2" for c in ("pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta")}
        select = ", ".join(
            doubled.get(c, "_loaded_at + interval 1 minute" if c == "_loaded_at" else c)
            for c in data_cols
        )
        con.execute(
            f"insert into {target} "  # noqa: S608
            f"select {select}, 'points-spike' from nba_raw.nbacom_player_game_logs "
            "where game_date = ? and _load_id not like '%-repeat-%'",
            [day],
        )
        injected.append(
            Injection("points doubled for a day", ("column_anomalies_player_game_summary",))
        )
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
            f"insert into nba_raw.odds_api_player_props ({', '.join(prop_cols)}) "  # noqa: S608
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


# ---- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnomalyResult:
    test_name: str
    test_type: str
    table: str
    column: str | None
    status: str
    detected_at: datetime | None
    invocation_id: str | None


def latest_results(database: Path) -> list[AnomalyResult]:
    """Elementary's own record of its tests (elementary.elementary_test_results), newest run."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select test_unique_id, test_type, table_name, column_name, status, detected_at, "
            "invocation_id from elementary.elementary_test_results "
            "where test_type in ('anomaly_detection', 'schema_change') "
            "qualify row_number() over (partition by test_unique_id order by detected_at desc) = 1 "
            "order by test_unique_id"
        ).fetchall()
    return [
        AnomalyResult(r[0].split(".")[2], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows
    ]


def write_edr_profiles(database: Path, directory: Path) -> Path:
    """profiles.yml for edr: the project's profile and Elementary's, on the same DuckDB file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = str(Path(database).resolve())
    text = (
        "# generated for edr (nba_props.elementary): the same DuckDB file for both profiles\n"
        "nba_props:\n  target: dev\n  outputs:\n    dev:\n"
        f"      type: duckdb\n      path: {json.dumps(path)}\n      schema: main\n"
        "      threads: 2\n"
        "elementary:\n  target: dev\n  outputs:\n    dev:\n"
        f"      type: duckdb\n      path: {json.dumps(path)}\n      schema: elementary\n"
        "      threads: 2\n"
    )
    out = directory / "profiles.yml"
    out.write_text(text, encoding="utf-8")
    return out


def edr_report(
    database: Path,
    report: Path,
    *,
    project_dir: Path = PROJECT_DIR,
    venv: Path = EDR_VENV,
    timeout_s: float = 600.0,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run ``edr report`` (the real CLI) and write the self-contained HTML report."""
    edr = edr_path(venv)
    if edr is None:
        raise FileNotFoundError(f"edr is not installed in {venv}: run make elementary-on")
    config_dir = venv / "edr-config"
    profiles_dir = report.parent / ".edr-profiles"
    write_edr_profiles(database, profiles_dir)
    report.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(edr), "report",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(profiles_dir),
        "--config-dir", str(config_dir),
        "--profile-target", "dev",
        "--file-path", str(report.resolve()),
        "--target-path", str((report.parent / "edr_target").resolve()),
        "--open-browser", "false",
        *extra_args,
    ]
    env = {**os.environ, "DBT_PROFILES_DIR": str(profiles_dir)}
    return subprocess.run(  # noqa: S603 - fixed executable, no shell
        cmd, cwd=project_dir, env=env, capture_output=True, text=True, timeout=timeout_s,
        check=False,
    )


EDR_SLACK_WEBHOOK = "NBA_PROPS_EDR_SLACK_WEBHOOK"


def write_edr_monitor_config(base_dir: Path, directory: Path, slack_webhook: str) -> Path:
    """edr's config (``make elementary-on`` wrote it: no tracking, offline settings) plus the
    Slack webhook, in a private directory: the webhook goes to edr in a 0600 file, never on
    its command line (where ``ps`` would show it)."""
    base = base_dir / "config.yml"
    config: dict[str, Any] = {}
    if base.is_file():
        config = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    config.setdefault("slack", {})["notification_webhook"] = slack_webhook
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / "config.yml"
    path.touch(mode=0o600)
    path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
    return directory


def edr_monitor_command(
    edr: Path, project_dir: Path, profiles_dir: Path, config_dir: Path, target_path: Path,
    days_back: int = 1, extra_args: Sequence[str] = (),
) -> list[str]:
    """``edr monitor``: Elementary's own Slack alerts for its anomaly and test results."""
    return [
        str(edr), "monitor",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(profiles_dir),
        "--config-dir", str(config_dir),
        "--profile-target", "dev",
        "--target-path", str(target_path),
        "--days-back", str(days_back),
        *extra_args,
    ]


def edr_monitor(
    database: Path,
    slack_webhook: str,
    *,
    project_dir: Path = PROJECT_DIR,
    venv: Path = EDR_VENV,
    days_back: int = 1,
    timeout_s: float = 600.0,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run ``edr monitor`` (the real CLI): Elementary sends its alerts (anomalies, failed
    tests) of the last ``days_back`` days to the Slack webhook. The run's own alert
    (nba_props.alerts) is separate and needs no Elementary."""
    edr = edr_path(venv)
    if edr is None:
        raise FileNotFoundError(f"edr is not installed in {venv}: run make elementary-on")
    with tempfile.TemporaryDirectory(prefix="nba_props_edr_monitor_") as tmp:
        work = Path(tmp)
        config_dir = write_edr_monitor_config(venv / "edr-config", work / "config", slack_webhook)
        profiles_dir = write_edr_profiles(database, work / "profiles")
        cmd = edr_monitor_command(edr, project_dir, profiles_dir, config_dir,
                                  work / "edr_target", days_back, extra_args)
        env = {**os.environ, "DBT_PROFILES_DIR": str(profiles_dir)}
        return subprocess.run(  # noqa: S603 - fixed executable, no shell
            cmd, cwd=project_dir, env=env, capture_output=True, text=True, timeout=timeout_s,
            check=False,
        )


def report_payload(report: Path) -> dict[str, Any]:
    """The data the edr HTML report embeds (it renders from it in the browser):
    ``window.elementaryData = JSON.parse(atob('<base64 JSON>'))``."""
    html = report.read_text(encoding="utf-8")
    pattern = r"window\.elementaryData\s*=\s*JSON\.parse\(atob\('([A-Za-z0-9+/=]+)'\)\)"
    match = re.search(pattern, html)
    if not match:
        raise ValueError(f"{report}: no embedded Elementary data found")
    return json.loads(base64.b64decode(match.group(1)))


def report_test_results(payload: dict[str, Any]) -> dict[str, str]:
    """{test unique id: latest status} of every test the report shows (grouped by table)."""
    results: dict[str, str] = {}
    for tests in (payload.get("test_results") or {}).values():
        for test in tests:
            meta = test.get("metadata") or {}
            status = meta.get("latest_run_status") or meta.get("status") or "?"
            results[str(meta.get("test_unique_id", "?"))] = str(status)
    return results


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
    edr_output: str = ""

    def as_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, default=str)


def verify(
    work: Path,
    report: Path,
    load: Callable[[Path, Path], object],
    *,
    as_of: datetime = REPLAY_AS_OF,
) -> Verification:
    """Replay the real season with the anomaly tests on, inject anomalies, build again,
    write ``edr report``. ``load(database, landing)`` loads the real files."""
    from nba_props.orchestrate.dbt import run_dbt

    work.mkdir(parents=True, exist_ok=True)
    database = work / "replay.duckdb"
    database.unlink(missing_ok=True)
    started = time.perf_counter()

    def build(label: str) -> None:
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

    load(database, work / "landing")
    replay_as_of(database, as_of)
    build("baseline")
    baseline = {r.test_name: r.status for r in latest_results(database)}
    injections = inject_anomalies(database, (as_of - timedelta(days=1)).date())
    build("injected")
    injected = {r.test_name: r.status for r in latest_results(database)}
    proc = edr_report(database, report)
    if proc.returncode != 0 or not report.is_file():
        raise RuntimeError(
            f"edr report failed (exit {proc.returncode}): "
            f"{proc.stdout[-3000:]} {proc.stderr[-3000:]}"
        )
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
        report_tests=report_test_results(report_payload(report)),
        edr_output=proc.stdout[-2000:],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m nba_props.elementary report [FILE]`: edr report of $NBA_PROPS_DUCKDB."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m nba_props.elementary")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="write Elementary's HTML report (edr report)")
    report.add_argument(
        "file", type=Path, nargs="?", default=Path("reports/elementary_report.html")
    )
    monitor = sub.add_parser(
        "monitor",
        help=f"edr monitor: Elementary's Slack alerts, to the webhook in ${EDR_SLACK_WEBHOOK}",
    )
    monitor.add_argument("--days-back", type=int, default=1)
    for command in (report, monitor):
        command.add_argument(
            "--database",
            type=Path,
            default=Path(os.environ.get("NBA_PROPS_DUCKDB", "data/nba_props.duckdb")),
        )
    args = parser.parse_args(argv)
    if not is_installed() or edr_path() is None:
        print("Elementary is off: run `make elementary-on` first", file=sys.stderr)
        return 2
    if not args.database.is_file():
        print(f"no warehouse at {args.database}: run `make run` first", file=sys.stderr)
        return 2
    if args.command == "monitor":
        return _monitor(args.database, args.days_back)
    proc = edr_report(args.database, args.file)
    print(proc.stdout[-3000:])
    if proc.returncode != 0 or not args.file.is_file():
        print(proc.stderr[-3000:], file=sys.stderr)
        return proc.returncode or 1
    shown = list(report_test_results(report_payload(args.file)).values())
    print(
        f"Elementary report: {args.file} ({len(shown)} tests: {shown.count('pass')} passed, "
        f"{shown.count('warn')} warned, {shown.count('fail') + shown.count('error')} failed)"
    )
    return 0


def _monitor(database: Path, days_back: int) -> int:
    import sys

    from nba_props.scrape.errors import ScrapeError
    from nba_props.scrape.redaction import redact
    from nba_props.scrape.secrets import get_secret

    try:  # the env var, or the Secret Manager version ${EDR_SLACK_WEBHOOK}_SECRET names
        webhook = get_secret(EDR_SLACK_WEBHOOK)
    except ScrapeError as exc:
        print(f"edr monitor: {exc}", file=sys.stderr)
        return 2
    proc = edr_monitor(database, webhook, days_back=days_back)
    print(redact(proc.stdout[-3000:]))
    if proc.returncode != 0:
        print(redact(proc.stderr[-3000:]), file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
