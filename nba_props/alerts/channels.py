"""Where an alert goes: a webhook (Slack or any JSON endpoint) and email over SMTP.

Every attempt is bounded by a timeout; transient failures (a timeout, a refused or dropped
connection, HTTP 408/429/5xx, SMTP 4xx) are retried a bounded number of times with
exponential backoff (tenacity); anything else fails at once. A channel never raises: it
returns a :class:`Delivery` that says whether the alert went out, how many attempts it
took and how many failed, and the error, redacted. The webhook URL and the SMTP password
are never logged: the URL is registered with the redactor (its token is its path) and
errors are reported by type and status, never with the request's URL.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from nba_props.alerts.config import SmtpSettings, WebhookSettings
from nba_props.alerts.message import Alert
from nba_props.scrape.redaction import redact

log = logging.getLogger("nba_props.alerts")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class DeliveryError(RuntimeError):
    """An attempt failed. ``transient``: worth another attempt."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(redact(message))
        self.transient = transient


class TransientDeliveryError(DeliveryError):
    def __init__(self, message: str) -> None:
        super().__init__(message, transient=True)


@dataclass
class Delivery:
    channel: str
    sent: bool
    attempts: int
    failures: int  # attempts that failed (a sent alert may have needed retries)
    seconds: float
    error: str | None = None  # the last error, redacted

    def describe(self) -> str:
        if self.sent:
            retried = f" after {self.failures} failed attempt(s)" if self.failures else ""
            return f"{self.channel}: sent{retried}"
        return f"{self.channel}: NOT sent, {self.failures} failed attempt(s): {self.error}"


class Channel(Protocol):
    name: str

    def send(self, alert: Alert) -> Delivery: ...


class _Attempts:
    """Runs one delivery with bounded retries and counts the attempts."""

    def __init__(self, name: str, retries: int, backoff_s: float) -> None:
        self.name = name
        self.retries = retries
        self.backoff_s = backoff_s

    def run(self, attempt: _AttemptFn) -> Delivery:
        attempts = failures = 0
        started = time.perf_counter()

        def once() -> None:
            nonlocal attempts
            attempts += 1
            attempt()

        def note_failure(state: RetryCallState) -> None:
            nonlocal failures
            failures += 1
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "alert %s: attempt %d of %d failed: %s",
                self.name, state.attempt_number, self.retries + 1, redact(exc),
            )

        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential(multiplier=self.backoff_s, max=max(self.backoff_s * 8, 0.0)),
            retry=retry_if_exception_type(TransientDeliveryError),
            after=note_failure,
            reraise=True,
        )
        try:
            retrying(once)
        except DeliveryError as exc:
            if not exc.transient:  # not retried, so `after` did not count it
                failures += 1
            seconds = time.perf_counter() - started
            log.error(
                "alert %s: not delivered after %d attempt(s) (%d failed): %s",
                self.name, attempts, failures, exc,
            )
            return Delivery(self.name, False, attempts, failures, seconds, str(exc))
        return Delivery(self.name, True, attempts, failures, time.perf_counter() - started)


class _AttemptFn(Protocol):
    def __call__(self) -> None: ...


class WebhookChannel:
    """POSTs the alert as JSON: Slack's ``{"text": ...}`` or the whole alert."""

    name = "webhook"

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        timeout_s: float = 10.0,
        retries: int = 2,
        backoff_s: float = 1.0,
        session: requests.Session | None = None,
    ) -> None:
        self.settings = settings
        self.timeout_s = timeout_s
        self.attempts = _Attempts(self.name, retries, backoff_s)
        self.session = session or requests.Session()

    def send(self, alert: Alert) -> Delivery:
        payload = alert.payload(self.settings.payload_format)
        return self.attempts.run(lambda: self._post(payload))

    def _post(self, payload: dict[str, object]) -> None:
        failure: DeliveryError | None = None
        try:
            response = self.session.post(
                self.settings.url,
                json=payload,
                timeout=(self.timeout_s, self.timeout_s),
                allow_redirects=False,  # a redirect would resend the alert elsewhere
            )
        except requests.Timeout:
            failure = TransientDeliveryError(f"timed out after {self.timeout_s:g} s")
        except requests.ConnectionError as exc:
            # requests' text has the URL (the token): keep the type only.
            failure = TransientDeliveryError(f"connection failed ({type(exc).__name__})")
        except requests.RequestException as exc:
            failure = DeliveryError(f"request failed ({type(exc).__name__})", transient=False)
        if failure is not None:
            raise failure
        status = response.status_code
        if 200 <= status < 300:
            return
        snippet = redact(response.text[:200]).replace("\n", " ")
        if status in RETRY_STATUSES or status >= 500:
            raise TransientDeliveryError(f"HTTP {status}: {snippet}")
        raise DeliveryError(f"HTTP {status}: {snippet}", transient=False)


class EmailChannel:
    """Sends the alert as a plain-text email (smtplib, with a timeout on every socket)."""

    name = "email"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        timeout_s: float = 10.0,
        retries: int = 2,
        backoff_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.timeout_s = timeout_s
        self.attempts = _Attempts(self.name, retries, backoff_s)

    def message(self, alert: Alert) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = alert.title
        msg["From"] = self.settings.sender
        msg["To"] = ", ".join(self.settings.recipients)
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = make_msgid(idstring=f"nba-props-{alert.fingerprint}")
        msg["X-NBA-Props-Run-Id"] = alert.run_id
        msg.set_content(alert.text())
        return msg

    def send(self, alert: Alert) -> Delivery:
        msg = self.message(alert)
        return self.attempts.run(lambda: self._send(msg))

    def _send(self, msg: EmailMessage) -> None:
        s = self.settings
        failure: DeliveryError | None = None
        try:
            if s.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self.timeout_s, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout_s)
            with client:
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.user and s.password:
                    client.login(s.user, s.password)
                client.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            failure = DeliveryError(f"SMTP login refused ({exc.smtp_code})", transient=False)
        except smtplib.SMTPResponseException as exc:
            failure = DeliveryError(
                f"SMTP {exc.smtp_code}: {_smtp_text(exc.smtp_error)}",
                transient=400 <= exc.smtp_code < 500,
            )
        except smtplib.SMTPNotSupportedError as exc:  # e.g. no STARTTLS: a setting to fix
            failure = DeliveryError(f"SMTP server does not support it: {exc}", transient=False)
        except smtplib.SMTPRecipientsRefused as exc:
            failure = DeliveryError(f"SMTP refused every recipient ({len(exc.recipients)})",
                                    transient=False)
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, refused, dropped
            failure = TransientDeliveryError(f"SMTP {type(exc).__name__}: {exc}")
        if failure is not None:
            raise failure


def _smtp_text(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return text[:200]
