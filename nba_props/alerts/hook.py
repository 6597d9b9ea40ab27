"""The one call the CLI makes when ``daily``, ``backfill`` or ``run`` ends.

:func:`notify_run` builds the run's alert (message.build_alert) and sends it through every
configured channel, once per run (dedup.AlertLedger). It never changes the run's exit code
and never raises: a channel that times out or answers 500 is retried a bounded number of
times, then logged (ERROR) and counted, in the returned :class:`AlertReport` and, on DuckDB,
as an ``alert`` row of ``nba_monitoring.processor_execution_log`` (status error, failures =
failed attempts). With no channel configured nothing is built or sent, and it says so at
DEBUG.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nba_props.alerts.channels import Channel, Delivery, EmailChannel, WebhookChannel
from nba_props.alerts.config import SMTP_HOST, WEBHOOK_URL, AlertConfig
from nba_props.alerts.dedup import AlertLedger
from nba_props.alerts.facts import WarehouseFacts, read_facts, read_flagged_rows
from nba_props.alerts.message import (
    Alert,
    RunOutcome,
    anomaly_tests_flagged,
    build_alert,
    slo_tests_flagged,
)
from nba_props.orchestrate.execution_log import DuckDBExecutionLog, JobRecord
from nba_props.paths import PROJECT_DIR
from nba_props.scrape.redaction import redact

log = logging.getLogger("nba_props.alerts")

ALERTED_COMMANDS = ("daily", "backfill", "run")


@dataclass
class AlertReport:
    alert: Alert | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # channels that already sent this alert
    reason: str = ""  # why nothing was sent, when nothing was

    @property
    def failures(self) -> int:
        """Failed delivery attempts (a webhook that answered 500 three times: 3)."""
        return sum(d.failures for d in self.deliveries)

    @property
    def undelivered(self) -> list[str]:
        return [d.channel for d in self.deliveries if not d.sent]


def outcome_for(args: argparse.Namespace, run_id: str) -> RunOutcome:
    """The empty outcome of a CLI command, filled in as it runs."""
    warehouse = getattr(args, "target", "duckdb") or "duckdb"
    if args.command == "daily":
        label = f"daily {args.date}"
    elif args.command == "backfill":
        label = f"backfill {args.start}..{args.end}"
    else:
        label = str(args.command)
    database = getattr(args, "database", None)
    return RunOutcome(
        command=str(args.command),
        run_id=run_id,
        label=label,
        database=Path(database) if database is not None and warehouse == "duckdb" else None,
        landing=getattr(args, "landing", None),
        warehouse=warehouse,
    )


def channels_for(config: AlertConfig) -> list[Channel]:
    channels: list[Channel] = []
    common = {"timeout_s": config.timeout_s, "retries": config.retries,
              "backoff_s": config.backoff_s}
    if config.webhook is not None:
        channels.append(WebhookChannel(config.webhook, **common))
    if config.smtp is not None:
        channels.append(EmailChannel(config.smtp, **common))
    return channels


def notify_run(
    outcome: RunOutcome,
    exit_code: int,
    *,
    config: AlertConfig | None = None,
    channels: Sequence[Channel] | None = None,
) -> AlertReport:
    """Send the run's alert, if it deserves one, through the configured channels. Never
    raises: alerting must not fail the run it reports on."""
    if outcome.command not in ALERTED_COMMANDS:
        return AlertReport(reason=f"{outcome.command} is not alerted")
    try:
        return _notify(outcome, exit_code, config, channels)
    except Exception as exc:  # noqa: BLE001 - reported; the run's own result stands
        log.error("alerting failed for run %s: %s: %s", outcome.run_id,
                  type(exc).__name__, redact(exc))
        return AlertReport(reason=f"alerting failed: {type(exc).__name__}")


def _notify(
    outcome: RunOutcome,
    exit_code: int,
    config: AlertConfig | None,
    channels: Sequence[Channel] | None,
) -> AlertReport:
    config = config or AlertConfig.from_env()
    channels = list(channels) if channels is not None else channels_for(config)
    if not channels:
        reason = (f"no alert channel configured (set {WEBHOOK_URL} or {SMTP_HOST}): "
                  "nothing sent")
        log.debug("run %s: %s", outcome.run_id, reason)
        return AlertReport(reason=reason)
    facts = _facts(outcome)
    alert = build_alert(outcome, exit_code, config.thresholds, facts)
    if alert is None:
        log.debug("run %s: nothing failed or degraded: no alert", outcome.run_id)
        return AlertReport(reason="nothing failed or degraded")
    report = AlertReport(alert=alert)
    ledger = AlertLedger(config.state_dir)
    records: list[JobRecord] = []
    for channel in channels:
        if ledger.already_sent(alert, channel.name):
            report.skipped.append(channel.name)
            log.info("alert %s for run %s already sent via %s: not sent again",
                     alert.fingerprint, alert.run_id, channel.name)
            continue
        started = datetime.now(UTC).replace(tzinfo=None)
        delivery = channel.send(alert)
        report.deliveries.append(delivery)
        ledger.record(alert, delivery)
        records.append(_job_record(outcome, alert, delivery, started))
    sent = [d.channel for d in report.deliveries if d.sent]
    log.info(
        "alert %s (%s) for run %s: %s",
        alert.fingerprint, alert.severity, alert.run_id,
        "; ".join(d.describe() for d in report.deliveries) or "already sent",
        extra={"alert_sent": len(sent), "alert_failures": report.failures},
    )
    _log_deliveries(outcome, records)
    return report


def _facts(outcome: RunOutcome) -> WarehouseFacts:
    """What the DuckDB warehouse adds, read only for what the tests flagged."""
    nodes = outcome.nodes()
    slo = slo_tests_flagged(nodes)
    jumps = [n.unique_id.split(".")[2] for n in anomaly_tests_flagged(nodes)
             if n.test_type == "jump_from_history"]
    if not slo and not jumps:
        return WarehouseFacts()
    coverage = read_facts(outcome.database, outcome.game_days(),
                          sum(int(n.failures or 0) for n in slo))
    rows = read_flagged_rows(outcome.database, outcome.target_path or PROJECT_DIR / "target",
                             jumps)
    return WarehouseFacts(coverage.coverage_below_slo, rows)


def _job_record(
    outcome: RunOutcome, alert: Alert, delivery: Delivery, started: datetime
) -> JobRecord:
    record = JobRecord(
        "alert",
        f"alert.{delivery.channel}",
        run_id=outcome.run_id,
        resource_type="channel",
        command=f"nba-props {outcome.command}",
    )
    record.status = "success" if delivery.sent else "error"
    record.rows_affected = 1 if delivery.sent else 0
    record.failures = delivery.failures
    record.started_at = started
    record.duration_seconds = round(delivery.seconds, 6)
    record.finished_at = started + timedelta(seconds=delivery.seconds)
    record.logged_at = record.finished_at
    record.error_message = delivery.error
    record.target_name = outcome.warehouse
    record.set_detail(
        fingerprint=alert.fingerprint,
        severity=alert.severity,
        attempts=delivery.attempts,
        kinds=[f.kind for f in alert.findings],
    )
    return record


def _log_deliveries(outcome: RunOutcome, records: Sequence[JobRecord]) -> None:
    """One execution-log row per delivery (DuckDB): the failures are counted there too."""
    if not records or outcome.database is None:
        return
    try:
        DuckDBExecutionLog(outcome.database).write(records)
    except Exception as exc:  # noqa: BLE001 - duckdb and OS errors alike: only the row is lost
        log.warning("alert deliveries not written to the execution log: %s",
                    redact(exc))
