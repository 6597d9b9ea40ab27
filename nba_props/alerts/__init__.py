"""Alerts that reach a person: one message per failed or degraded run.

- config: the channels (webhook, SMTP) from the environment, the SLO target and the budget
  from dbt_project.yml;
- message: the run's outcome -> one alert (what failed, the counts, where to look);
- facts: what the warehouse adds (the game days under the coverage SLO);
- channels: webhook and email, bounded retries, never raising;
- dedup: one incident, one message per run and channel;
- hook: the one call the CLI makes after ``daily``, ``backfill`` and ``run``.

README, "Alerts", says how to turn them on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nba_props._lazy import lazy_exports

# Imported on first use (PEP 562): the CLI imports this package at start.
_EXPORTS: dict[str, str] = {
    "AlertReport": "nba_props.alerts.hook",
    "notify_run": "nba_props.alerts.hook",
    "outcome_for": "nba_props.alerts.hook",
    "Alert": "nba_props.alerts.message",
    "RunOutcome": "nba_props.alerts.message",
    "build_alert": "nba_props.alerts.message",
}

if TYPE_CHECKING:
    from nba_props.alerts.hook import AlertReport, notify_run, outcome_for
    from nba_props.alerts.message import Alert, RunOutcome, build_alert


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = ["Alert", "AlertReport", "RunOutcome", "build_alert", "notify_run", "outcome_for"]
