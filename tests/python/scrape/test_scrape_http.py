"""The hardened HTTP client against a real local server: timeouts, retries, Retry-After,
circuit breaker, TLS."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from nba_props.scrape import (
    BreakerRegistry,
    CircuitOpenError,
    HttpError,
    RetriesExhaustedError,
    RetryPolicy,
    ScrapeError,
)
from nba_props.scrape.http import HttpClient, parse_retry_after


def _client(config_factory, read_timeout: float = 2.0, **overrides) -> HttpClient:
    return HttpClient("testsrc", read_timeout=read_timeout, config=config_factory(**overrides))


def test_slow_response_times_out_is_retried_then_fails_clearly(server, payloads, config_factory):
    server.route("/slow", payloads.Reply(body={"ok": True}, delay=1.0))
    client = _client(config_factory, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(RetriesExhaustedError) as err:
        client.get("slow_endpoint", f"{server.url}/slow")
    elapsed = time.monotonic() - started
    message = str(err.value)
    assert "timed out" in message
    assert "testsrc slow_endpoint" in message
    assert "gave up after 3 attempt(s)" in message
    assert len(server.hits("/slow")) == 3
    assert client.stats.requests == 3 and client.stats.retries == 2
    # Three 0.3 s read timeouts plus tiny waits: never the server's full 1 s per attempt.
    assert 0.9 <= elapsed < 2.5


def test_body_cut_short_is_retried(server, payloads, config_factory):
    # Headers come at once but the declared body never completes: the connection is cut.
    server.route("/cut", payloads.Reply(body=b'{"a": 1', content_length=5000))
    client = _client(config_factory, read_timeout=0.3)
    with pytest.raises(RetriesExhaustedError, match="connection failed"):
        client.get("cut", f"{server.url}/cut")
    assert len(server.hits("/cut")) == 3


def test_slow_drip_is_bounded_by_the_attempt_deadline(server, payloads, config_factory):
    # Each piece arrives well within the read timeout, but the whole body takes 1.2 s.
    body = b'{"data": "' + b"x" * 600 + b'"}'
    server.route("/drip", payloads.Reply(body=body, drip_chunks=12, drip_delay=0.1))
    client = _client(
        config_factory,
        read_timeout=0.3,
        max_attempt_s=0.4,
        retry=RetryPolicy(max_attempts=2, base_wait_s=0.01),
    )
    started = time.monotonic()
    with pytest.raises(RetriesExhaustedError, match=r"timed out: body took over 0.4s"):
        client.get("drip", f"{server.url}/drip")
    assert time.monotonic() - started < 1.6
    assert len(server.hits("/drip")) == 2


def test_500_then_200_is_retried_and_succeeds(server, payloads, config_factory):
    server.route(
        "/flaky",
        payloads.Reply(500, {"message": "upstream exploded"}),
        payloads.Reply(200, {"ok": True}),
    )
    client = _client(config_factory)
    response = client.get("flaky", f"{server.url}/flaky")
    assert response.status_code == 200
    assert response.content == b'{"ok": true}'
    assert len(server.hits("/flaky")) == 2
    assert client.stats.requests == 2 and client.stats.retries == 1


@pytest.mark.parametrize("retry_after, at_least", [("1", 1.0), ("0.4", 0.4)])
def test_429_waits_at_least_retry_after(server, payloads, config_factory, retry_after, at_least):
    server.route(
        "/limited",
        payloads.Reply(429, {"message": "slow down"}, headers={"Retry-After": retry_after}),
        payloads.Reply(200, {"ok": True}),
    )
    client = _client(config_factory)
    started = time.monotonic()
    response = client.get("limited", f"{server.url}/limited")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= at_least
    assert elapsed < at_least + 1.0
    assert len(server.hits("/limited")) == 2


def test_retry_after_above_limit_fails_fast(server, payloads, config_factory):
    server.route("/quota", payloads.Reply(429, {}, headers={"Retry-After": "3600"}))
    client = _client(config_factory)
    started = time.monotonic()
    with pytest.raises(RetriesExhaustedError, match="asked to wait 3600s"):
        client.get("quota", f"{server.url}/quota")
    assert time.monotonic() - started < 1.0
    assert len(server.hits("/quota")) == 1


def test_total_wait_is_bounded(server, payloads, config_factory):
    server.route("/down", payloads.Reply(503, {}, headers={"Retry-After": "0.3"}))
    policy = RetryPolicy(max_attempts=10, base_wait_s=0.01, max_total_s=0.5, max_retry_after_s=5)
    client = _client(config_factory, retry=policy)
    started = time.monotonic()
    with pytest.raises(RetriesExhaustedError):
        client.get("down", f"{server.url}/down")
    assert time.monotonic() - started < 1.0
    assert len(server.hits("/down")) == 2


def test_client_errors_are_not_retried(server, payloads, config_factory):
    server.route("/nope", payloads.Reply(404, {"message": "not found"}))
    client = _client(config_factory)
    with pytest.raises(HttpError) as err:
        client.get("nope", f"{server.url}/nope")
    assert err.value.status == 404
    assert "HTTP 404" in str(err.value)
    assert len(server.hits("/nope")) == 1


def test_connection_refused_is_retried_then_fails(config_factory):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = _client(config_factory)
    with pytest.raises(RetriesExhaustedError, match="connection failed"):
        client.get("refused", f"http://127.0.0.1:{port}/x")
    assert client.stats.requests == 3


def test_circuit_breaker_opens_after_n_failures_and_fails_fast(server, payloads, config_factory):
    server.route("/broken", payloads.Reply(500, {"message": "down"}))
    now = [1000.0]
    breakers = BreakerRegistry(failure_threshold=3, cooldown_s=30, clock=lambda: now[0])
    client = _client(config_factory, breakers=breakers)
    url = f"{server.url}/broken"

    with pytest.raises(RetriesExhaustedError):
        client.get("broken", url)  # 3 attempts = 3 consecutive failures: the circuit opens
    assert len(server.hits("/broken")) == 3
    breaker = breakers.for_host(server.url.removeprefix("http://"))
    assert breaker.state == "open"

    for _ in range(5):
        with pytest.raises(CircuitOpenError, match="circuit open"):
            client.get("broken", url)
    assert len(server.hits("/broken")) == 3  # nothing more reached the server

    # Another client sharing the registry fails fast too.
    other = _client(config_factory, breakers=breakers)
    with pytest.raises(CircuitOpenError):
        other.get("broken", url)
    assert len(server.hits("/broken")) == 3

    # After the cool-down one trial goes through; it fails, so the circuit opens again.
    now[0] += 31
    with pytest.raises(CircuitOpenError):
        client.get("broken", url)
    assert len(server.hits("/broken")) == 4
    assert breaker.state == "open"

    # Next trial succeeds: the circuit closes.
    now[0] += 31
    server.route("/broken", payloads.Reply(200, {"ok": True}))
    assert client.get("broken", url).status_code == 200
    assert breaker.state == "closed"


def test_client_errors_do_not_trip_the_breaker(server, payloads, config_factory):
    server.route("/nope", payloads.Reply(404, {}))
    breakers = BreakerRegistry(failure_threshold=2, cooldown_s=30)
    client = _client(config_factory, breakers=breakers)
    for _ in range(3):
        with pytest.raises(HttpError):
            client.get("nope", f"{server.url}/nope")
    assert len(server.hits("/nope")) == 3


def test_tls_verification_cannot_be_turned_off(config_factory):
    session = requests.Session()
    assert session.verify is True
    session.verify = False
    with pytest.raises(ScrapeError, match="TLS verification"):
        HttpClient("x", read_timeout=1, config=config_factory(), session=session)


def test_parse_retry_after():
    now = datetime(2024, 10, 22, 12, 0, tzinfo=UTC)
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None
