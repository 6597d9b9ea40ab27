"""Alerts (issue 21): one message per failed or degraded run, to a webhook and by email.

Against a local webhook (HTTP) and a local SMTP server (aiosmtpd) on 127.0.0.1. The CLI
runs as a user runs it (the installed `nba-props`, in a subprocess) with the alert
channels in its environment: a failing day sends exactly one POST and one email; a webhook
that answers 500 or times out is retried, logged and counted, and the run's exit code is
unchanged; the webhook token and the SMTP password appear in no alert and no log line.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest
import yaml

from nba_props.alerts import RunOutcome, build_alert, notify_run
from nba_props.alerts.config import AlertConfig, Thresholds
from nba_props.alerts.facts import read_facts
from nba_props.alerts.message import BUDGET_TEST, SLO_TEST
from nba_props.demo import generate_demo
from nba_props.monitoring import elementary
from nba_props.monitoring.elementary import edr_monitor_command, write_edr_monitor_config
from nba_props.orchestrate.daily import DayResult, StepTiming
from nba_props.orchestrate.dbt import DbtOutcome, NodeOutcome
from nba_props.orchestrate.outcome import EXIT_DBT, EXIT_MISSING
from nba_props.orchestrate.replay import land_by_day
from nba_props.paths import PROJECT_DIR
from tests.python.alert_servers import SmtpServer, WebhookServer, smtp_server, webhook_server

NBA_PROPS = PROJECT_DIR / ".venv" / "bin" / "nba-props"
TOKEN = "xoxTESTt0kenNeverLogged42"
PASSWORD = "smtp-Pa55word-NeverLogged"
USER = "alerts@nba-props.test"
EMPTY_DAY = date(2025, 7, 4)  # nothing landed: the day is missing (exit 4), no dbt
# The local SMTP server takes AUTH without TLS (127.0.0.1, no certificate): on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


# ---- helpers ----------------------------------------------------------------------------


def alert_env(webhook: WebhookServer, smtp: SmtpServer, state_dir: Path) -> dict[str, str]:
    return {
        "NBA_PROPS_ALERT_WEBHOOK_URL": webhook.url(f"/services/T000/B000/{TOKEN}"),
        "NBA_PROPS_ALERT_WEBHOOK_FORMAT": "json",
        "NBA_PROPS_ALERT_SMTP_HOST": smtp.host,
        "NBA_PROPS_ALERT_SMTP_PORT": str(smtp.port),
        "NBA_PROPS_ALERT_SMTP_SECURITY": "none",
        "NBA_PROPS_ALERT_SMTP_USER": USER,
        "NBA_PROPS_ALERT_SMTP_PASSWORD": PASSWORD,
        "NBA_PROPS_ALERT_SMTP_FROM": "nba-props@localhost",
        "NBA_PROPS_ALERT_SMTP_TO": "oncall@localhost, lead@localhost",
        "NBA_PROPS_ALERT_TIMEOUT_S": "0.3",
        "NBA_PROPS_ALERT_RETRIES": "2",
        "NBA_PROPS_ALERT_BACKOFF_S": "0.01",
        "NBA_PROPS_ALERT_STATE_DIR": str(state_dir),
    }


def run_cli(
    tmp_path: Path, args: list[str], alert: dict[str, str], run_id: str, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ODDS_API_KEY", "NBA_PROPS_RUN_ID") and not k.startswith("NBA_PROPS_ALERT")}
    env.update(alert)
    env["NBA_PROPS_RUN_ID"] = run_id
    return subprocess.run(
        [str(NBA_PROPS), *args], capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=timeout, check=False,
    )


def json_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def alert_rows(database: Path, run_id: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select job_name, status, rows_affected, failures, error_message "
            "from nba_monitoring.processor_execution_log "
            "where job_type = 'alert' and run_id = ? order by job_name",
            [run_id],
        ).fetchall()


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert PASSWORD not in text


def body(message: EmailMessage) -> str:
    return message.get_content().replace("\r\n", "\n")  # SMTP carries CRLF


def node(name: str, status: str, *, kind: str = "test", failures: int | None = None,
         test_type: str | None = None, message: str | None = None, seconds: float = 0.5,
         bytes_billed: int | None = None) -> NodeOutcome:
    return NodeOutcome(
        unique_id=f"{kind}.nba_props.{name}", resource_type=kind, status=status,
        execution_time=seconds, message=message, failures=failures, test_type=test_type,
        bytes_billed=bytes_billed,
    )


@pytest.fixture
def servers() -> Iterator[tuple[WebhookServer, SmtpServer]]:
    with webhook_server() as webhook, smtp_server(USER, PASSWORD) as smtp:
        yield webhook, smtp


# ---- one alert from what the run came to ------------------------------------------------


def test_one_alert_groups_every_failure_of_the_run() -> None:
    day = DayResult(day=date(2026, 1, 15), run_id="r-1", mode="replay", outcome="built",
                    steps=[StepTiming("load nbacom_player_game_logs", 2.0)])
    day.dbt.append(DbtOutcome(command=["build"], success=False, nodes=[
        node("player_game_summary", "error", kind="model", message="Binder Error: boom"),
        node("prediction_accuracy", "skipped", kind="model"),
        node("stg_nbacom__player_game_logs_column_checks", "fail", failures=3),
        node("unique_player_game_summary_game_id", "fail", failures=1),
        node("team_points_reconcile_with_player_rows", "warn", failures=40),
        node("raw_files_have_no_duplicate_keys", "warn", failures=2),
        node(SLO_TEST, "warn", failures=1, test_type="expression_is_true"),
        node(BUDGET_TEST, "warn", failures=1, test_type="expression_is_true"),
        node("pipeline_model_duration_slowdown", "warn", failures=2,
             test_type="jump_from_history"),
        node("elementary_column_anomalies_player_game_summary_points", "warn", failures=1,
             test_type="column_anomalies"),
        node("not_null_player_game_summary_game_id", "pass"),
    ]))
    alert = build_alert(RunOutcome("daily", "r-1", "daily 2026-01-15", days=[day]), EXIT_DBT,
                        Thresholds(warn_min_rows=10))
    assert alert is not None and alert.severity == "failure" and alert.run_id == "r-1"
    assert [f.kind for f in alert.findings] == [
        "dbt_error", "test_failed", "coverage_slo", "cost_budget", "anomaly", "test_warned"]
    by_kind = {f.kind: f for f in alert.findings}
    assert by_kind["dbt_error"].count == 1 and "1 downstream skipped" in by_kind[
        "dbt_error"].summary
    assert by_kind["test_failed"].count == 2
    assert by_kind["anomaly"].count == 2
    # a warning test alerts from warn_min_rows failing rows; the others are only counted
    assert by_kind["test_warned"].items == (
        "team_points_reconcile_with_player_rows (test warn, 40 rows)",)
    assert alert.counts["tests_warned_below_threshold"] == 1
    assert alert.counts["models_error"] == 1 and alert.counts["nodes_skipped"] == 1
    assert alert.counts["tests_failed"] == 2 and alert.counts["tests_passed"] == 1
    text = alert.text()
    assert "run id: r-1" in text and "exit code: 1" in text
    assert "stg_nbacom__player_game_logs_column_checks (test fail, 3 rows)" in text
    assert "nba_monitoring.processor_execution_log where run_id = 'r-1'" in text
    assert "pipeline_model_costs_daily" in text and "prediction_coverage_slo" in text
    assert alert.title.startswith("[nba-props] FAILURE: daily 2026-01-15 run r-1: 1 dbt node")


def test_a_healthy_run_and_a_day_without_games_send_nothing() -> None:
    built = DayResult(day=date(2026, 1, 15), run_id="r-2", mode="replay", outcome="built")
    built.dbt.append(DbtOutcome(command=["build"], success=True, nodes=[
        node("player_game_summary", "success", kind="model"),
        node("raw_files_have_no_duplicate_keys", "warn", failures=2),  # under the threshold
        node(SLO_TEST, "pass")]))
    quiet = DayResult(day=date(2025, 12, 24), run_id="r-2", mode="replay", outcome="no_games")
    outcome = RunOutcome("backfill", "r-2", days=[built, quiet])
    assert build_alert(outcome, 0, Thresholds(warn_min_rows=10)) is None


def test_coverage_under_the_slo_lists_the_days_from_the_warehouse(tmp_path: Path) -> None:
    database = tmp_path / "wh.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema nba_monitoring")
        con.execute(
            "create table nba_monitoring.prediction_coverage_slo as select * from (values "
            "(date '2026-01-13', 40, 40, 1.0, 0.95, true), "
            "(date '2026-01-14', 50, 40, 0.8, 0.95, false), "
            "(date '2026-01-15', 50, 45, 0.9, 0.95, false)) as t(game_date, "
            "player_games_with_line, player_games_predicted, coverage, slo_target, meets_slo)")
    day = DayResult(day=date(2026, 1, 15), run_id="r-4", mode="replay", outcome="built")
    day.dbt.append(DbtOutcome(command=["build"], success=True, nodes=[
        node(SLO_TEST, "warn", failures=2, test_type="expression_is_true")]))
    outcome = RunOutcome("daily", "r-4", "daily 2026-01-15", days=[day], database=database)
    facts = read_facts(database, outcome.game_days(), days_under_slo=2)
    alert = build_alert(outcome, 0, Thresholds(), facts)
    assert alert is not None and alert.severity == "degraded"
    (coverage,) = alert.findings
    assert coverage.kind == "coverage_slo" and coverage.count == 2
    assert coverage.summary == "prediction coverage under the SLO (95%) on 2 game day(s)"
    assert coverage.items == (
        "2026-01-15: 45 of 50 lined player-games predicted (90.0% < 95%), 5 without a "
        "prediction",
        "2026-01-14: 40 of 50 lined player-games predicted (80.0% < 95%), 10 without a "
        "prediction",
    )


def test_cost_over_budget_from_the_run_itself() -> None:
    outcome = RunOutcome("run", "r-3", dbt=[DbtOutcome(command=["build"], success=True, nodes=[
        node("player_game_summary", "success", kind="model", seconds=30.0,
             bytes_billed=2 * 2**40)])])
    alert = build_alert(outcome, 0, Thresholds(budget_usd=5.0, budget_seconds=20.0))
    assert alert is not None and alert.severity == "degraded"
    (cost,) = alert.findings
    assert cost.kind == "cost_budget" and cost.count == 2
    assert cost.items == (
        "this run alone billed 2,048.0 GiB ($12.50) over the daily budget of $5",
        "this run's jobs took 30 s, over the daily budget of 20 s",
    )
    assert alert.counts["gib_billed"] == 2048.0


def test_alerts_read_the_slo_target_and_budget_from_dbt_project() -> None:
    thresholds = AlertConfig.from_env().thresholds
    assert (thresholds.coverage_slo, thresholds.budget_usd, thresholds.budget_seconds,
            thresholds.usd_per_tib) == (0.95, 5.0, 3600.0, 6.25)


# ---- the CLI, a day with nothing landed (fast: no dbt) ---------------------------------


def test_a_missing_day_sends_one_webhook_post_and_one_email(
    tmp_path: Path, servers: tuple[WebhookServer, SmtpServer]
) -> None:
    webhook, smtp = servers
    database = tmp_path / "wh.duckdb"
    proc = run_cli(
        tmp_path,
        ["daily", "--date", EMPTY_DAY.isoformat(), "--mode", "replay", "--no-predict",
         "--database", str(database), "--landing", str(tmp_path / "landing")],
        alert_env(webhook, smtp, tmp_path / "alerts"), run_id="alert-missing-1",
    )
    assert proc.returncode == EXIT_MISSING, proc.stderr
    assert len(webhook.requests) == 1 and len(smtp.messages) == 1
    assert webhook.paths == [f"/services/T000/B000/{TOKEN}"]  # the token reached the server
    alert = webhook.requests[0]["alert"]
    assert alert["run_id"] == "alert-missing-1" and alert["severity"] == "failure"
    assert alert["exit_code"] == EXIT_MISSING
    assert [f["kind"] for f in alert["findings"]] == ["missing_data"]
    assert alert["findings"][0]["count"] == 1
    assert alert["findings"][0]["items"][0].startswith("2025-07-04: 2025-07-04: nothing landed")
    assert alert["counts"] == {"days": 1, "days_built": 0, "days_no_games": 0,
                               "days_missing": 1, "rows_loaded": 0, "predictions": 0}
    assert any("landing zone: " in w for w in alert["where_to_look"])
    email = smtp.messages[0]
    assert email["Subject"] == alert["title"]
    assert email["X-NBA-Props-Run-Id"] == "alert-missing-1"
    assert smtp.envelopes == [("nba-props@localhost", ["oncall@localhost", "lead@localhost"])]
    assert smtp.logins == [USER]  # the password was used, and is nowhere below
    assert "missing_data: 1 day(s) with missing data" in body(email)
    assert body(email) == webhook.requests[0]["text"] + "\n"
    assert alert_rows(database, "alert-missing-1") == [
        ("alert.email", "success", 1, 0, None), ("alert.webhook", "success", 1, 0, None)]
    assert_no_secret(proc.stdout, proc.stderr, json.dumps(webhook.requests), email.as_string())


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_a_webhook_that_fails_or_times_out_is_retried_logged_and_counted(
    tmp_path: Path, mode: str
) -> None:
    database = tmp_path / "wh.duckdb"
    with webhook_server(mode, delay_s=1.0) as webhook, smtp_server(USER, PASSWORD) as smtp:
        proc = run_cli(
            tmp_path,
            ["daily", "--date", EMPTY_DAY.isoformat(), "--mode", "replay", "--no-predict",
             "--database", str(database), "--landing", str(tmp_path / "landing")],
            alert_env(webhook, smtp, tmp_path / "alerts"), run_id=f"alert-{mode}-1",
        )
        received = len(webhook.requests)
    # The run's own result stands: exit 4 (missing data), not an alerting error.
    assert proc.returncode == EXIT_MISSING, proc.stderr
    assert received == 3  # one attempt and two retries, then it gives up
    assert len(smtp.messages) == 1  # the other channel still delivers
    errors = [line for line in json_lines(proc.stderr)
              if line["level"] == "ERROR" and line["logger"] == "nba_props.alerts"]
    expected = "HTTP 500" if mode == "fail" else "timed out after 0.3 s"
    assert len(errors) == 1 and "not delivered after 3 attempt(s) (3 failed)" in errors[0]["msg"]
    assert expected in errors[0]["msg"]
    sent = [line for line in json_lines(proc.stderr) if "alert_failures" in line]
    assert sent and sent[0]["alert_failures"] == 3 and sent[0]["alert_sent"] == 1
    rows = alert_rows(database, f"alert-{mode}-1")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("alert.email", "success", 1, 0), ("alert.webhook", "error", 0, 3)]
    assert expected in rows[1][4]
    assert_no_secret(proc.stdout, proc.stderr, rows[1][4])


def test_without_a_channel_nothing_is_sent_and_debug_says_so(tmp_path: Path) -> None:
    proc = run_cli(
        tmp_path,
        ["-v", "daily", "--date", EMPTY_DAY.isoformat(), "--mode", "replay", "--no-predict",
         "--database", str(tmp_path / "wh.duckdb"), "--landing", str(tmp_path / "landing")],
        {}, run_id="alert-none-1",
    )
    assert proc.returncode == EXIT_MISSING, proc.stderr
    said = [line for line in json_lines(proc.stderr) if line["logger"] == "nba_props.alerts"]
    assert [(line["level"], line["msg"]) for line in said] == [(
        "DEBUG",
        "run alert-none-1: no alert channel configured (set NBA_PROPS_ALERT_WEBHOOK_URL or "
        "NBA_PROPS_ALERT_SMTP_HOST): nothing sent",
    )]


# ---- in-process: dedup and redaction ------------------------------------------------------


def test_one_incident_is_one_message_per_run_and_secrets_stay_out(
    tmp_path: Path, servers: tuple[WebhookServer, SmtpServer],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    webhook, smtp = servers
    for key, value in alert_env(webhook, smtp, tmp_path / "alerts").items():
        monkeypatch.setenv(key, value)
    config = AlertConfig.from_env()
    assert config.channel_names == ["webhook", "email"] and not config.problems
    assert TOKEN not in repr(config) and PASSWORD not in repr(config)
    # An error whose text carries both secrets (a library that echoes its settings).
    leaky = DbtOutcome(command=["build"], success=False, nodes=[
        node(f"t{i}", "fail", failures=i) for i in range(1, 6)])
    outcome = RunOutcome("daily", "alert-dedup-1", "daily 2026-01-15", dbt=[leaky])
    outcome.error = (f"dbt error: could not reach {webhook.url('/services/T000/B000/' + TOKEN)}"
                     f" with password={PASSWORD}")
    caplog.set_level(logging.DEBUG)

    first = notify_run(outcome, EXIT_DBT, config=config)
    assert [d.sent for d in first.deliveries] == [True, True] and first.failures == 0
    # five failing tests, one message per channel
    assert len(webhook.requests) == 1 and len(smtp.messages) == 1
    assert webhook.requests[0]["alert"]["findings"][1]["count"] == 5
    again = notify_run(outcome, EXIT_DBT, config=config)
    assert again.deliveries == [] and again.skipped == ["webhook", "email"]
    assert len(webhook.requests) == 1 and len(smtp.messages) == 1
    # A new incident in the same run (one more test failed) is a new message.
    leaky.nodes.append(node("t6", "fail", failures=6))
    third = notify_run(outcome, EXIT_DBT, config=config)
    assert [d.sent for d in third.deliveries] == [True, True]
    assert len(webhook.requests) == 2 and len(smtp.messages) == 2

    text = webhook.requests[0]["text"]
    assert "    - dbt error: could not reach *** with password=***" in text
    # Every log line of ours and of the HTTP client (urllib3 logs request lines at DEBUG);
    # the test SMTP server's own debug log (mail.log) shows the AUTH exchange, as servers do.
    client_logs = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "nba_props.alerts" in {r.name for r in caplog.records}
    assert "urllib3.connectionpool" in {r.name for r in caplog.records}
    assert_no_secret(json.dumps(webhook.requests), *(m.as_string() for m in smtp.messages),
                     client_logs, json.dumps(first.alert.as_dict()))


def test_an_unusable_channel_setting_is_left_out_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBA_PROPS_ALERT_WEBHOOK_URL", f"ftp://example.invalid/{TOKEN}")
    monkeypatch.setenv("NBA_PROPS_ALERT_SMTP_HOST", "127.0.0.1")  # no recipient, no sender
    config = AlertConfig.from_env()
    assert config.channel_names == []
    assert config.problems == (
        "NBA_PROPS_ALERT_WEBHOOK_URL is not an http(s) URL",
        "NBA_PROPS_ALERT_SMTP_HOST is set but NBA_PROPS_ALERT_SMTP_TO names no recipient",
    )


# ---- the done-when: a replayed day with an injected failure (dbt runs) ----------------------


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("alerts_replay")
    demo = generate_demo(root / "synthetic", seasons=1, shots=True)
    land_by_day(demo.files, root / "landing")
    return root / "landing"


def inject_negative_points(landing: Path, day: date) -> int:
    """Negative points in the day's landed box scores: the staging checks fail (error)."""
    path = landing / "nbacom" / day.isoformat() / "replay" / "flat" / (
        "synthetic_nbacom_player_game_logs.csv")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows[:3]:
        row["pts"] = "-5"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 3


def test_a_replayed_day_with_an_injected_failure_sends_one_alert_each(
    tmp_path: Path, landing: Path, servers: tuple[WebhookServer, SmtpServer]
) -> None:
    webhook, smtp = servers
    day = date(2025, 10, 22)
    inject_negative_points(landing, day)
    database = tmp_path / "wh.duckdb"
    run_id = "alert-replay-1"
    proc = run_cli(
        tmp_path,
        ["daily", "--date", day.isoformat(), "--mode", "replay", "--no-predict",
         "--database", str(database), "--landing", str(landing)],
        alert_env(webhook, smtp, tmp_path / "alerts"), run_id=run_id,
    )
    assert proc.returncode == EXIT_DBT, proc.stderr[-3000:]
    assert "dbt error:" in proc.stderr
    assert len(webhook.requests) == 1 and len(smtp.messages) == 1
    alert = webhook.requests[0]["alert"]
    assert alert["run_id"] == run_id and alert["severity"] == "failure"
    assert alert["label"] == "daily 2025-10-22" and alert["exit_code"] == EXIT_DBT
    kinds = [f["kind"] for f in alert["findings"]]
    assert kinds[:2] == ["run_error", "test_failed"], kinds
    failed = alert["findings"][1]
    assert any(i.startswith("stg_nbacom__player_game_logs_column_checks (test fail")
               for i in failed["items"]), failed
    assert alert["counts"]["tests_failed"] == failed["count"] >= 1
    assert alert["counts"]["nodes_skipped"] > 0 and alert["counts"]["models_ok"] > 0
    assert alert["findings"][0]["summary"] == "dbt error: the run stopped"
    assert alert["findings"][0]["items"][0].startswith("dbt error: dbt build")
    text = body(smtp.messages[0])
    assert f"run id: {run_id}" in text
    assert "stg_nbacom__player_game_logs_column_checks" in text
    assert f"where run_id = '{run_id}'" in text
    # the run log agrees with the alert: the failed test is there under the same run id
    with duckdb.connect(str(database), read_only=True) as con:
        logged = con.execute(
            "select count(*) from nba_monitoring.processor_execution_log where run_id = ? "
            "and job_name like 'test.nba_props.stg_nbacom__player_game_logs_column_checks%' "
            "and status = 'fail'", [run_id]).fetchone()[0]
    assert logged == 1
    assert [r[:2] for r in alert_rows(database, run_id)] == [
        ("alert.email", "success"), ("alert.webhook", "success")]
    assert_no_secret(proc.stdout, proc.stderr, json.dumps(webhook.requests),
                     smtp.messages[0].as_string())


# ---- Elementary's own alerts: edr monitor ------------------------------------------------


def test_edr_monitor_gets_the_slack_webhook_in_a_private_config_file(tmp_path: Path) -> None:
    base = tmp_path / "edr-config"
    base.mkdir()
    (base / "config.yml").write_text(
        "anonymous_usage_tracking: False\nrun_dbt_deps_if_needed: False\n", encoding="utf-8")
    url = f"https://hooks.slack.com/services/T000/B000/{TOKEN}"
    config_dir = write_edr_monitor_config(base, tmp_path / "private", url)
    written = config_dir / "config.yml"
    assert yaml.safe_load(written.read_text(encoding="utf-8")) == {
        "anonymous_usage_tracking": False, "run_dbt_deps_if_needed": False,
        "slack": {"notification_webhook": url}}
    assert written.stat().st_mode & 0o777 == 0o600
    cmd = edr_monitor_command(Path("/venv/bin/edr"), PROJECT_DIR, tmp_path / "profiles",
                              config_dir, tmp_path / "target", days_back=1)
    assert cmd[:2] == ["/venv/bin/edr", "monitor"]
    assert cmd[cmd.index("--config-dir") + 1] == str(config_dir)
    assert_no_secret(" ".join(cmd))  # never on the command line, where ps shows it


@pytest.mark.skipif(elementary.is_installed(), reason="Elementary is installed here")
def test_edr_monitor_says_elementary_is_off(capsys: pytest.CaptureFixture[str]) -> None:
    assert elementary.main(["monitor"]) == 2
    assert "Elementary is off: run `make elementary-on` first" in capsys.readouterr().err
