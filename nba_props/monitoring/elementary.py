"""Elementary: is it on, the demo on its own clock, its results, and its CLI (edr).

Elementary is turned on by ``make elementary-on`` (scripts/elementary_on.sh): the dbt
package in the git-ignored ``dbt_packages/``, the ``edr`` CLI in ``.venv-edr``. Its anomaly
tests are declared in the project's YAML and run only with ``--vars '{elementary_enabled:
true}'``. Nothing here stands in for Elementary: the helpers below run the real package
and read its own result tables.

The demo (``nba-props run --elementary``, what ``make run`` runs while Elementary is on)
runs on its own clock (``set_demo_clock``): without it, Elementary's windows end at the
wall clock, months after the demo's season, and hold nothing. ``make elementary-report``
and ``make elementary-monitor`` run ``python -m nba_props.monitoring.elementary``.

The check of the anomaly tests on the real season (a replay with injected anomalies) is
test tooling: tests/python/elementary_replay.py, run by scripts/elementary_verify.py and
tests/python/test_elementary.py.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import yaml

from nba_props.paths import PROJECT_DIR
from nba_props.relations import RAW, RAW_PLAYER_GAME_LOGS
from nba_props.scrape.errors import ScrapeError
from nba_props.scrape.redaction import redact
from nba_props.scrape.secrets import get_secret

EDR_VENV = PROJECT_DIR / ".venv-edr"
ELEMENTARY_VERSION = "0.25.0"

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


# ---- the replay: raw rows stamped as a daily pipeline would have loaded them ----------

# When each raw row would have been loaded by a daily pipeline: box scores and shots the
# morning after the game, lines before tip-off, injury reports as published, a schedule row
# (its final status) the morning after its game; with a deterministic jitter of up to three
# hours (a real feed is never punctual, and Elementary learns nothing from a zero spread).
_JITTER = "interval (hash({key}) % 180) minute"
_EVENT_DATES = {
    "nbacom_player_game_logs": "game_date",
    "nbacom_team_game_logs": "game_date",
    "nbacom_shot_detail": "game_date",
    "nbacom_schedule": "game_date",
    "nbacom_injury_report": "game_date",
    "odds_api_player_props": "cast(game_time - interval 6 hour as date)",
    "odds_api_game_lines": "date",
}
_LOAD_TIMES = {
    "nbacom_player_game_logs": "cast(game_date as timestamp) + interval 30 hour",
    "nbacom_team_game_logs": "cast(game_date as timestamp) + interval 30 hour",
    "nbacom_shot_detail": "cast(game_date as timestamp) + interval 30 hour",
    "nbacom_schedule": "cast(game_date as timestamp) + interval 30 hour",
    "nbacom_injury_report": "report_time",
    "odds_api_player_props": "game_time - interval 4 hour",
    "odds_api_game_lines": "cast(date as timestamp) + interval 30 hour",
}


def _raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [RAW]
        ).fetchall()
    }


def replay_as_of(
    database: Path, as_of: datetime, *, drop_later: bool = True
) -> dict[str, int]:
    """Make a warehouse look as it would have on ``as_of`` under a daily pipeline: every raw
    row's ``_loaded_at`` set to its daily load. Returns {raw table: rows stamped}.

    ``drop_later`` (a replay of a real season): the rows of ``as_of``'s day and later are
    removed, as nobody knew them yet. Without it (the demo, whose later rows are the
    upcoming games a pipeline knows that day: schedule, injury reports, opening lines) they
    are kept, stamped as loaded by the morning run of ``as_of``'s day: no row is loaded
    after ``as_of``. Loads of the same key keep their order (one second per later load), so
    staging still lets a correction supersede what it corrects. Idempotent: the stamps
    depend on the rows and their load ids only. Tables the warehouse lacks are skipped.
    """
    morning = min(datetime.combine(as_of.date(), datetime.min.time()) + timedelta(hours=6),
                  as_of - timedelta(hours=3))
    stamped: dict[str, int] = {}
    with duckdb.connect(str(database)) as con:
        present = _raw_tables(con)
        for table, event_date in _EVENT_DATES.items():
            if table not in present:
                continue
            if drop_later:
                con.execute(
                    f"delete from {RAW}.{table} where {event_date} >= ?",  # noqa: S608
                    [as_of.date()],
                )
            jitter = _JITTER.format(key=event_date)
            # 0 for the table's first load, 1 for the next, ... (load ids sort by load time)
            row = con.execute(
                f"update {RAW}.{table} as raw set _loaded_at = "  # noqa: S608
                f"least({_LOAD_TIMES[table]} + {jitter}, cast(? as timestamp) + {jitter}) "
                "+ interval (loads.load_order) second "
                "from (select _load_id, dense_rank() over (order by _load_id) - 1 as load_order "
                f"from (select distinct _load_id from {RAW}.{table})) as loads "
                "where raw._load_id = loads._load_id",
                [morning],
            ).fetchone()
            stamped[table] = int(row[0]) if row else 0
    return stamped


# ---- the demo on Elementary's clock (make run with Elementary on) -----------------------


def demo_as_of(database: Path) -> datetime:
    """The demo's "today": noon of the day after its last played game (the box scores of
    that game are in, the upcoming games are not played yet). Elementary's buckets end at
    the start of this day, so the detection period is the demo's last game days."""
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            f"select max(game_date) from {RAW_PLAYER_GAME_LOGS}"  # noqa: S608
        ).fetchone()
    if not row or row[0] is None:
        raise ValueError(f"{database}: no player box scores loaded, so no demo day")
    return datetime.combine(row[0] + timedelta(days=1), datetime.min.time()) + timedelta(
        hours=12
    )


def _staging_table(raw_table: str) -> str:
    """nbacom_player_game_logs -> stg_nbacom__player_game_logs (the staging naming rule)."""
    for source in ("nbacom", "odds_api"):
        if raw_table.startswith(f"{source}_"):
            return f"stg_{source}__{raw_table[len(source) + 1:]}"
    raise ValueError(f"no staging naming rule for {raw_table}")


def staged_after(database: Path, as_of: datetime, raw_tables: Sequence[str]) -> list[str]:
    """Staging tables of ``raw_tables`` holding rows whose load time is later than ``as_of``:
    built from the wall-clock load times of a build without the demo clock. A later load,
    stamped on the demo's days, would look older than them and never supersede them, so
    they are rebuilt (--full-refresh) once, when the demo clock is first used."""
    names = [_staging_table(t) for t in raw_tables]
    newer: list[str] = []
    with duckdb.connect(str(database), read_only=True) as con:
        # Tables that supersede by load time (shot detail goes by load id, which the stamps
        # leave alone).
        tables = con.execute(
            "select t.table_schema, t.table_name from information_schema.tables as t "
            "join information_schema.columns as c on c.table_schema = t.table_schema "
            "and c.table_name = t.table_name and c.column_name = 'loaded_at' "
            "where t.table_type = 'BASE TABLE' and t.table_name in (select unnest(?::varchar[])) "
            "order by 1, 2",
            [names],
        ).fetchall()
        for schema, table in tables:
            found = con.execute(
                f'select count(*) from "{schema}"."{table}" where loaded_at > ?',  # noqa: S608
                [as_of],
            ).fetchone()
            if found and found[0]:
                newer.append(f"{schema}.{table}")
    return newer


@dataclass(frozen=True)
class DemoClock:
    as_of: datetime  # custom_run_started_at of the build
    stamped: dict[str, int]  # raw table -> rows stamped
    rebuild_staging: list[str]  # staging tables built on wall-clock load times


def set_demo_clock(database: Path) -> DemoClock:
    """Elementary's clock for the demo (``nba-props run --elementary``): the raw rows stamped
    as a daily pipeline would have loaded them up to the demo's "today", which the build
    then passes as ``custom_run_started_at`` (``dbt_vars(clock.as_of)``). Without it,
    Elementary's windows run back from the wall clock, past the end of the demo's season,
    and every anomaly test passes on empty buckets."""
    as_of = demo_as_of(database)
    stamped = replay_as_of(database, as_of, drop_later=False)
    return DemoClock(as_of, stamped, staged_after(database, as_of, list(stamped)))


# ---- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnomalyResult:
    test_name: str
    test_type: str
    table: str
    column: str | None
    status: str  # the worst of its metrics' statuses
    detected_at: datetime | None
    invocation_id: str | None
    metrics: dict[str, str] = field(default_factory=dict)  # metric -> status, this run


_SEVERITY = {"pass": 0, "warn": 1, "fail": 2, "error": 3}


def latest_results(database: Path) -> list[AnomalyResult]:
    """Elementary's own record of its tests (elementary.elementary_test_results), each test's
    newest run. A column test with several metrics (average, max, ...) writes one row per
    metric: the test's status is the worst of them, each metric's is kept in ``metrics``."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select test_unique_id, test_type, table_name, column_name, status, detected_at, "
            "invocation_id, test_sub_type from elementary.elementary_test_results "
            "where test_type in ('anomaly_detection', 'schema_change') "
            "qualify invocation_id = first_value(invocation_id) over "
            "(partition by test_unique_id order by detected_at desc) "
            "order by test_unique_id, test_sub_type"
        ).fetchall()
    results: dict[str, AnomalyResult] = {}
    for unique_id, test_type, table, column, status, detected_at, invocation, metric in rows:
        name = unique_id.split(".")[2]
        known = results.get(name)
        metrics = {**(known.metrics if known else {}), str(metric): status}
        worst = max(metrics.values(), key=lambda s: _SEVERITY.get(s, 3))
        results[name] = AnomalyResult(
            name, test_type, table, column, worst, detected_at, invocation, metrics
        )
    return list(results.values())


def write_edr_profiles(database: Path, directory: Path) -> Path:
    """profiles.yml for edr: the project's profile and Elementary's, on the same DuckDB file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = str(Path(database).resolve())
    text = (
        "# generated for edr (nba_props.monitoring.elementary): one DuckDB file, both profiles\n"
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


# What the report's dashboard ("Test results breakdown") counts: a test once per thing it
# checks, Elementary's ``elementary_unique_id`` (test, column, metric). A column_anomalies
# test of points with average, max and zero_count is three tests there (one result each);
# a singular test listed under two tables is one. Its categories go by test name (and, for
# freshness and volume, the metric), as the report's own code groups them; data tests are
# every test outside the Elementary names.
_FRESHNESS = {"event_freshness_anomalies", "freshness_anomalies", "table_anomalies",
              "source_freshness"}
_VOLUME = {"volume_anomalies", "table_anomalies", "volume"}
_SCHEMA = {"json_schema", "schema_changes", "schema_changes_from_baseline"}
_ANOMALIES = {"all_columns_anomalies", "column_anomalies", "dimension_anomalies"}
_ELEMENTARY_TESTS = _FRESHNESS | _VOLUME | _SCHEMA | _ANOMALIES


def _report_category(test_name: str, metric: str | None) -> str | None:
    if test_name in _FRESHNESS and metric in ("freshness", "generic", "event_freshness",
                                              "automated"):
        return "freshness"
    if test_name in _VOLUME and metric in ("row_count", "generic", "automated"):
        return "volume"
    if test_name in _SCHEMA:
        return "schema changes"
    if test_name in _ANOMALIES:
        return "anomalies"
    if test_name not in _ELEMENTARY_TESTS:
        return "data tests"
    return None


def report_test_results(payload: dict[str, Any]) -> dict[str, str]:
    """{Elementary's unique id (test, column, metric): latest status} of every test result
    the report shows: the unit its dashboard counts."""
    results: dict[str, str] = {}
    for tests in (payload.get("test_results") or {}).values():
        for test in tests:
            meta = test.get("metadata") or {}
            status = meta.get("latest_run_status") or meta.get("status") or "?"
            key = meta.get("elementary_unique_id") or meta.get("test_unique_id", "?")
            results[str(key)] = str(status)
    return results


@dataclass(frozen=True)
class ReportCounts:
    """The report dashboard's test counts: all, and by category, by status."""

    statuses: dict[str, int]
    categories: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def render(self) -> str:
        """One line with the dashboard's figures, e.g. '96 tests: 86 passed, 9 warning,
        1 failed, 0 error (freshness 7: 6/1/0/0, ...; passed/warning/failed/error)'."""
        known = ("pass", "warn", "fail", "error")
        s = self.statuses
        head = (
            f"{self.total} tests: {s.get('pass', 0)} passed, {s.get('warn', 0)} warning, "
            f"{s.get('fail', 0)} failed, {s.get('error', 0)} error"
        )
        head += "".join(f", {n} {status}" for status, n in sorted(s.items()) if status not in known)
        parts = ", ".join(
            f"{name} {sum(c.values())}: " + "/".join(str(c.get(k, 0)) for k in known)
            for name, c in self.categories.items()
        )
        return f"{head} ({parts}; passed/warning/failed/error)"


def report_counts(payload: dict[str, Any]) -> ReportCounts:
    """Count the report's test results as its dashboard does (see report_test_results)."""
    latest: dict[str, tuple[str, str | None, str]] = {}
    for tests in (payload.get("test_results") or {}).values():
        for test in tests:
            meta = test.get("metadata") or {}
            key = str(meta.get("elementary_unique_id") or meta.get("test_unique_id", "?"))
            status = str(meta.get("latest_run_status") or meta.get("status") or "?")
            latest[key] = (str(meta.get("test_name") or ""), meta.get("test_sub_type"), status)
    statuses: dict[str, int] = {}
    categories: dict[str, dict[str, int]] = {
        name: {} for name in ("freshness", "volume", "schema changes", "anomalies", "data tests")
    }
    for test_name, metric, status in latest.values():
        statuses[status] = statuses.get(status, 0) + 1
        category = _report_category(test_name, metric)
        if category is not None:
            counts = categories[category]
            counts[status] = counts.get(status, 0) + 1
    return ReportCounts(statuses, categories)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m nba_props.monitoring.elementary report [FILE]`: edr report of
    $NBA_PROPS_DUCKDB (or `monitor`: edr monitor)."""
    parser = argparse.ArgumentParser(prog="python -m nba_props.monitoring.elementary")
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
    print(f"Elementary report: {args.file}: {report_counts(report_payload(args.file)).render()}")
    return 0


def _monitor(database: Path, days_back: int) -> int:
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
