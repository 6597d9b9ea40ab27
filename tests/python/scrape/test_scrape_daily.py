"""`nba-props daily` in live mode against the local server (real HTTP on 127.0.0.1).

Every scrape writes a processor_execution_log row (status, rows, warnings); a run whose
scrapes had warnings prints them and exits 5; live mode without a key is an error (exit 3)
before anything is requested. dbt is replaced by a recorder: the builds are tested elsewhere.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from nba_props import cli
from nba_props.orchestrate.daily import DailyConfig
from nba_props.orchestrate.dbt import DbtOutcome
from nba_props.orchestrate.outcome import EXIT_SCRAPE, EXIT_WARNINGS
from nba_props.scrape import scrape_day

DAY = date(2024, 10, 22)
ODDS = "/v4/sports/basketball_nba"
RUN_ID = "live-daily-1"


class RecordingDbt:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], **_: Any) -> DbtOutcome:
        self.calls.append(list(args))
        return DbtOutcome(command=list(args), success=True)


@pytest.fixture
def live_cli(monkeypatch, server, config_factory, tmp_path):
    """cli.main with the scrapers pointed at the local server and dbt recorded."""
    dbt = RecordingDbt()
    options = {
        source: {"base_url": server.url, "timeout": 2,
                 "config": config_factory(odds_mode="live")}
        for source in ("nbacom", "odds_api")
    }
    monkeypatch.setattr(
        cli, "DailyConfig",
        functools.partial(DailyConfig, dbt_runner=dbt, scrape_options=options, run_id=RUN_ID),
    )
    monkeypatch.setenv("NBA_PROPS_RUN_ID", RUN_ID)

    def run(*extra: str) -> int:
        return cli.main(["daily", "--date", DAY.isoformat(), "--no-predict",
                         "--database", str(tmp_path / "wh.duckdb"),
                         "--landing", str(tmp_path / "landing"), *extra])

    run.dbt = dbt  # type: ignore[attr-defined]
    return run


def scrape_rows(database: Path) -> dict[str, tuple[str, int | None, dict[str, Any], str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select job_name, status, rows_affected, detail, run_id "
            "from nba_monitoring.processor_execution_log where job_type = 'scrape'"
        ).fetchall()
    return {name: (status, n, json.loads(detail or "{}"), run) for name, status, n, detail, run
            in rows}


@pytest.fixture
def odds_404(odds_routes, payloads):
    """The LAL game has no odds (404): the scraper skips it with a warning."""
    odds_routes.route(f"{ODDS}/events/{payloads.EVENT_LAL}/odds",
                      payloads.Reply(404, {"message": "Event not found"}))
    return odds_routes


def test_live_daily_logs_each_scrape_and_exits_5_on_warnings(
    nbacom_routes, odds_404, keys, live_cli, tmp_path, capsys
):
    rc = live_cli("--mode", "live")
    out, err = capsys.readouterr()
    assert rc == EXIT_WARNINGS == 5
    assert f"{DAY} [live] run {RUN_ID}" in out and "models" in out
    assert "warning: odds_api: no odds for event" in out and "(HTTP 404); skipped" in out
    assert "completed with warnings: 2 warning(s)" in err
    assert len(live_cli.dbt.calls) == 1  # the day was built: warnings do not stop it

    logged = scrape_rows(tmp_path / "wh.duckdb")
    assert set(logged) == {"scrape.nbacom", "scrape.odds_api"}
    status, rows, detail, run_id = logged["scrape.nbacom"]
    assert (status, rows, run_id) == ("success", 6, RUN_ID)  # 2 players, 2 teams, 2 games
    assert detail["warnings"] == [] and detail["requests"] == 3
    status, rows, detail, run_id = logged["scrape.odds_api"]
    assert (status, rows, run_id) == ("warn", 5, RUN_ID)  # the BOS game's 5 prop rows
    assert detail["warning_count"] == 2 and any("HTTP 404" in w for w in detail["warnings"])
    assert keys["odds"] not in out + err + json.dumps(detail)


def test_a_failed_scrape_is_logged_as_an_error(
    server, payloads, keys, live_cli, tmp_path, capsys
):
    server.route("/stats/scoreboardv3", payloads.Reply(500, {"message": "down"}))
    rc = live_cli("--mode", "live")
    assert rc == EXIT_SCRAPE
    assert "scrape error:" in capsys.readouterr().err
    status, _, _, run_id = scrape_rows(tmp_path / "wh.duckdb")["scrape.nbacom"]
    assert (status, run_id) == ("error", RUN_ID)
    assert live_cli.dbt.calls == []


def test_live_mode_without_a_key_is_an_error_before_any_request(
    server, live_cli, tmp_path, capsys
):
    rc = live_cli("--mode", "live")  # the autouse fixture removed every key
    err = capsys.readouterr().err
    assert rc == EXIT_SCRAPE == 3
    assert "scrape error: --mode live needs ODDS_API_KEY" in err and "--mode replay" in err
    assert server.hits() == [] and not (tmp_path / "landing" / "nbacom").exists()


def test_replay_reports_the_warnings_of_the_landed_runs(
    nbacom_routes, odds_404, keys, live_cli, config_factory, tmp_path, capsys
):
    """Scraped by a separate job (`nba-props scrape`), replayed by daily: the warnings the
    scrape recorded in its manifest are printed, and the run exits 5."""
    for source in ("nbacom", "odds_api"):
        scrape_day(source, DAY, tmp_path / "landing", "cron-1", base_url=nbacom_routes.url,
                   config=config_factory(odds_mode="live"))
    rc = live_cli("--mode", "replay")
    out = capsys.readouterr().out
    assert rc == EXIT_WARNINGS
    assert f"{DAY} [replay]" in out
    assert "warning: odds_api (landed run cron-1): odds_api: no odds for event" in out


def test_scrape_command_logs_a_failed_scrape_and_exits_3(
    odds_routes, keys, tmp_path: Path
) -> None:
    """`nba-props scrape` on its own writes its processor_execution_log row too: here the
    day is in the past, so the scraper asks the historical endpoint, which the local server
    does not serve: exit 3 and one row with status error and the API's answer."""
    database = tmp_path / "wh.duckdb"
    code = cli.main([
        "scrape", "odds_api", "--date", DAY.isoformat(), "--landing", str(tmp_path / "landing"),
        "--database", str(database), "--base-url", odds_routes.url, "--timeout", "2",
    ])
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select job_name, status, error_message from nba_monitoring.processor_execution_log "
            "where job_type = 'scrape'"
        ).fetchall()
    assert code == EXIT_SCRAPE
    assert len(rows) == 1
    name, status, error = rows[0]
    assert (name, status) == ("scrape.odds_api", "error")
    assert "HTTP 404" in error and keys["odds"] not in error
