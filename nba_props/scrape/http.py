"""The one HTTP client every scraper uses.

Each attempt: the host's circuit breaker is asked first; the request has a (connect, read)
timeout and a wall-clock deadline covering the body download; the body size is capped.
Timeouts, connection errors, 408, 429 and 5xx are retried by tenacity with exponential
backoff and jitter, honouring ``Retry-After``, bounded in attempts and total time. Other 4xx
fail at once. TLS verification is always on. Error messages and logs never carry a secret:
URLs are redacted and the underlying ``requests`` exception (whose text has the full URL)
is never chained.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)

from nba_props.scrape.breaker import CircuitBreaker
from nba_props.scrape.config import ScrapeConfig
from nba_props.scrape.errors import (
    HttpError,
    RetriesExhaustedError,
    ScrapeError,
    TransientError,
)
from nba_props.scrape.logs import get_logger
from nba_props.scrape.redaction import redact

log = get_logger("http")
_rng = random.SystemRandom()
_SNIPPET = 300
_CHUNK = 64 * 1024
Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None


@dataclass(frozen=True)
class HttpResponse:
    status_code: int
    content: bytes
    headers: Mapping[str, str]
    url: str  # redacted
    elapsed_s: float

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


@dataclass
class RequestStats:
    requests: int = 0  # attempts sent (each retry counts)
    retries: int = 0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds (fractions allowed) or
    an HTTP date. None when absent or unparseable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def new_session() -> requests.Session:
    session = requests.Session()
    session.max_redirects = 5
    return session


def _describe(url: str, params: Params) -> str:
    try:
        prepared = requests.Request("GET", url, params=params).prepare().url or url
    except requests.RequestException:
        prepared = url
    return redact(prepared)


class HttpClient:
    """GETs with timeouts, retries, a per-host circuit breaker and secret-safe errors."""

    def __init__(
        self,
        source: str,
        *,
        read_timeout: float,
        config: ScrapeConfig,
        session: requests.Session | None = None,
    ) -> None:
        self.source = source
        self.config = config
        self.read_timeout = read_timeout
        self.timeout = (min(config.connect_timeout_s, read_timeout), read_timeout)
        self.stats = RequestStats()
        self._session = session or new_session()
        if self._session.verify is False:
            raise ScrapeError("TLS verification must stay on: session.verify is False")

    def close(self) -> None:
        self._session.close()

    def get(
        self,
        endpoint: str,
        url: str,
        *,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """GET ``url``; returns a 2xx response or raises a :class:`ScrapeError`."""
        breaker = self.config.breakers.for_host(urlsplit(url).netloc)
        where = f"{self.source} {endpoint} GET {_describe(url, params)}"
        policy = self.config.retry
        started = time.monotonic()
        retrying = Retrying(
            stop=(
                stop_after_attempt(policy.max_attempts)
                | stop_before_delay(policy.max_total_s)
                | self._retry_after_too_long
            ),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            before_sleep=self._before_sleep(where),
            reraise=True,
            sleep=time.sleep,
        )
        try:
            return retrying(self._attempt, where, url, params, headers, proxies, breaker)
        except TransientError as exc:
            last = exc
        attempts = retrying.statistics.get("attempt_number", 1)
        elapsed = time.monotonic() - started
        reason = f"gave up after {attempts} attempt(s) in {elapsed:.1f}s"
        if last.retry_after is not None and last.retry_after > policy.max_retry_after_s:
            reason += (
                f" (server asked to wait {last.retry_after:.0f}s, above the "
                f"{policy.max_retry_after_s:.0f}s limit)"
            )
        raise RetriesExhaustedError(f"{reason}: {last}", status=last.status)

    # -- tenacity hooks -------------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        policy = self.config.retry
        backoff = min(policy.max_wait_s, policy.base_wait_s * 2 ** (state.attempt_number - 1))
        wait = backoff / 2 + _rng.uniform(0, backoff / 2)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            wait = max(wait, exc.retry_after)
        return wait

    def _retry_after_too_long(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        return (
            isinstance(exc, TransientError)
            and exc.retry_after is not None
            and exc.retry_after > self.config.retry.max_retry_after_s
        )

    def _before_sleep(self, where: str) -> Callable[[RetryCallState], None]:
        def hook(state: RetryCallState) -> None:
            self.stats.retries += 1
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "retrying %s in %.2fs after attempt %d: %s",
                where,
                state.upcoming_sleep,
                state.attempt_number,
                exc,
                extra={"event": "retry", "attempt": state.attempt_number},
            )

        return hook

    # -- one attempt ----------------------------------------------------------------------
    def _attempt(
        self,
        where: str,
        url: str,
        params: Params,
        headers: Mapping[str, str] | None,
        proxies: Mapping[str, str] | None,
        breaker: CircuitBreaker,
    ) -> HttpResponse:
        breaker.before_call()
        self.stats.requests += 1
        started = time.monotonic()
        deadline = started + self.config.attempt_deadline_s(self.read_timeout)
        failure: ScrapeError | None = None
        result: tuple[requests.Response, bytes] | None = None
        try:
            result = self._send(where, url, params, headers, proxies, deadline)
        except requests.exceptions.SSLError as exc:  # a certificate problem: never retried
            failure = HttpError(f"{where}: TLS error: {type(exc).__name__}: {exc}")
        except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
            failure = TransientError(
                f"{where}: timed out (connect {self.timeout[0]}s, read {self.timeout[1]}s): "
                f"{type(exc).__name__}: {exc}"
            )
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
            urllib3.exceptions.HTTPError,
        ) as exc:
            failure = TransientError(f"{where}: connection failed: {type(exc).__name__}: {exc}")
        except requests.RequestException as exc:  # bad URL, too many redirects...: not retried
            failure = HttpError(f"{where}: request failed: {type(exc).__name__}: {exc}")
        except ScrapeError as exc:
            failure = exc
        except OSError as exc:  # a socket error no library wrapped
            failure = TransientError(f"{where}: connection failed: {type(exc).__name__}: {exc}")
        if failure is not None:
            # Raised outside the except blocks: the requests exception is not chained.
            self._record(breaker, failure)
            raise failure
        if result is None:  # unreachable: _send returned or raised
            raise ScrapeError(f"{where}: no response")
        resp, body = result
        response = HttpResponse(
            status_code=resp.status_code,
            content=body,
            headers=CaseInsensitiveDict(resp.headers),
            url=redact(resp.url),
            elapsed_s=time.monotonic() - started,
        )
        log.debug(
            "%s -> HTTP %d, %d bytes in %.3fs",
            where,
            response.status_code,
            len(body),
            response.elapsed_s,
            extra={"event": "response", "status": response.status_code},
        )
        status = response.status_code
        snippet = redact(response.text[:_SNIPPET])
        if status in (408, 429) or status >= 500:
            failure = TransientError(
                f"{where}: HTTP {status}: {snippet}",
                status=status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        elif not 200 <= status < 300:
            failure = HttpError(f"{where}: HTTP {status}: {snippet}", status=status)
        self._record(breaker, failure)
        if failure is not None:
            raise failure
        return response

    @staticmethod
    def _record(breaker: CircuitBreaker, failure: ScrapeError | None) -> None:
        if isinstance(failure, TransientError):
            breaker.record_failure()
        else:
            breaker.record_success()

    def _send(
        self,
        where: str,
        url: str,
        params: Params,
        headers: Mapping[str, str] | None,
        proxies: Mapping[str, str] | None,
        deadline: float,
    ) -> tuple[requests.Response, bytes]:
        resp = self._session.get(
            url,
            params=params,
            headers=dict(headers or {}),
            proxies=dict(proxies) if proxies else None,
            timeout=self.timeout,
            stream=True,
        )
        try:
            return resp, self._read_body(where, resp, deadline)
        finally:
            resp.close()

    def _read_body(self, where: str, resp: requests.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        limit = self.config.max_body_bytes
        raw = resp.raw
        while chunk := raw.read1(_CHUNK, decode_content=True):
            # read1 returns what one socket read gives (each bounded by the read timeout),
            # so the wall-clock deadline is checked while a slow body trickles in.
            size += len(chunk)
            if size > limit:
                raise HttpError(f"{where}: response body over {limit} bytes")
            if time.monotonic() > deadline:
                seconds = self.config.attempt_deadline_s(self.read_timeout)
                raise TransientError(f"{where}: timed out: body took over {seconds:.1f}s")
            chunks.append(chunk)
        return b"".join(chunks)
