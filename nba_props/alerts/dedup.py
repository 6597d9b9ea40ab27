"""One incident, one message per run: what was sent is remembered per run id.

A run's alert is one message whatever the number of failing tests (message.build_alert
groups them). The ledger makes it one message per run and channel even when the hook runs
again for the same run (a retried command with the same ``NBA_PROPS_RUN_ID``, a second
call): an alert with the same fingerprint (same run, same findings) already sent through a
channel is not sent again through it. A delivery that failed is not recorded, so the next
attempt for the run may still send it. One small JSON file per run id, written atomically.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from nba_props.alerts.channels import Delivery
from nba_props.alerts.message import Alert

log = logging.getLogger("nba_props.alerts")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class AlertLedger:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)

    def path(self, run_id: str) -> Path:
        return self.state_dir / f"{_UNSAFE.sub('_', run_id)[:120] or 'run'}.json"

    def _read(self, run_id: str) -> dict[str, dict[str, str]]:
        path = self.path(run_id)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("alert ledger %s unreadable (%s): treated as empty", path, exc)
            return {}
        sent = state.get("sent") if isinstance(state, dict) else None
        return sent if isinstance(sent, dict) else {}

    def already_sent(self, alert: Alert, channel: str) -> bool:
        return channel in self._read(alert.run_id).get(alert.fingerprint, {})

    def record(self, alert: Alert, delivery: Delivery) -> None:
        """Remember a delivered alert; failed deliveries are not remembered."""
        if not delivery.sent:
            return
        sent = self._read(alert.run_id)
        sent.setdefault(alert.fingerprint, {})[delivery.channel] = (
            datetime.now(UTC).isoformat(timespec="seconds")
        )
        path = self.path(alert.run_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(
                json.dumps({"run_id": alert.run_id, "sent": sent}, indent=1, sort_keys=True),
                encoding="utf-8",
            )
            tmp.replace(path)
        except OSError as exc:  # the alert went out; only its memory is lost
            log.warning("alert ledger %s not written: %s", path, exc)
