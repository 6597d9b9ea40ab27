"""API keys never reach logs, exception text, tracebacks or landed files."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
import traceback
from datetime import date
from pathlib import Path

import pytest

from nba_props.scrape import (
    HttpError,
    MissingSecretError,
    RetriesExhaustedError,
    SchemaDriftError,
    configure_logging,
    scrape_day,
)
from nba_props.scrape.logs import ROOT_LOGGER, get_logger, log_context
from nba_props.scrape.redaction import redact, register_secret
from nba_props.scrape.secrets import get_secret

DAY = date(2024, 10, 22)
ROOT = "/v4/sports/basketball_nba"


@pytest.fixture
def log_stream():
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    stream = io.StringIO()
    handler = configure_logging(logging.DEBUG, stream)
    try:
        yield stream
    finally:  # configure_logging replaced the root's handlers: put pytest's back
        root.removeHandler(handler)
        for old in saved:
            root.addHandler(old)
        root.setLevel(level)


def _assert_clean(secret: str, exc: BaseException, caplog, stream: io.StringIO, landing: Path):
    assert secret not in str(exc)
    assert secret not in repr(exc)
    assert secret not in "".join(traceback.format_exception(exc))
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in (record.exc_text or "")
    assert secret not in stream.getvalue()
    for path in landing.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes().decode("utf-8", errors="replace")


def test_key_echoed_in_error_body_is_masked(
    server, payloads, keys, tmp_path, caplog, log_stream, config_factory
):
    caplog.set_level(logging.DEBUG)
    server.route(
        f"{ROOT}/events",
        payloads.Reply(
            401,
            {"message": f"API key {keys['odds']} is not valid", "error_code": "INVALID_KEY"},
        ),
    )
    config = config_factory(odds_mode="live")
    with pytest.raises(HttpError) as err:
        scrape_day("odds_api", DAY, tmp_path, "r", base_url=server.url, config=config)
    assert err.value.status == 401
    assert "is not valid" in str(err.value) and "***" in str(err.value)
    assert server.hits()[0].q("apiKey") == keys["odds"]
    _assert_clean(keys["odds"], err.value, caplog, log_stream, tmp_path)


def test_key_in_url_of_failed_request_is_masked(
    server, payloads, keys, tmp_path, caplog, log_stream, config_factory
):
    caplog.set_level(logging.DEBUG)  # urllib3 logs request lines at DEBUG
    server.route(f"{ROOT}/events", payloads.Reply(503, {"message": "maintenance"}))
    with pytest.raises(RetriesExhaustedError) as err:
        scrape_day(
            "odds_api",
            DAY,
            tmp_path,
            "r",
            base_url=server.url,
            config=config_factory(odds_mode="live"),
        )
    message = str(err.value)
    assert "apiKey=***" in message and "HTTP 503" in message
    assert any("urllib3" in r.name for r in caplog.records)  # they were logged, masked
    assert "apiKey=***" in caplog.text
    _assert_clean(keys["odds"], err.value, caplog, log_stream, tmp_path)


def test_key_in_url_of_refused_connection_is_masked(
    keys, tmp_path, caplog, log_stream, config_factory
):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RetriesExhaustedError) as err:
        scrape_day(
            "odds_api",
            DAY,
            tmp_path,
            "r",
            base_url=f"http://127.0.0.1:{port}",
            config=config_factory(odds_mode="live"),
        )
    assert "connection failed" in str(err.value)
    assert err.value.__cause__ is None and err.value.__context__ is None
    _assert_clean(keys["odds"], err.value, caplog, log_stream, tmp_path)


def test_authorization_header_echo_is_masked(
    server, payloads, keys, tmp_path, caplog, log_stream, config_factory
):
    caplog.set_level(logging.DEBUG)
    server.route(
        "/v1/stats",
        lambda seen: payloads.Reply(
            500, f"bad gateway for Authorization: {seen.headers['Authorization']}"
        ),
    )
    with pytest.raises(RetriesExhaustedError) as err:
        scrape_day("balldontlie", DAY, tmp_path, "r", base_url=server.url, config=config_factory())
    assert server.hits()[0].headers["Authorization"] == keys["bdl"]
    _assert_clean(keys["bdl"], err.value, caplog, log_stream, tmp_path)


def test_key_planted_in_a_drifted_payload_stays_out_of_quarantine(
    odds_routes, payloads, keys, tmp_path, caplog, log_stream, config_factory
):
    caplog.set_level(logging.DEBUG)
    odds = payloads.event_odds(payloads.EVENT_LAL)
    odds["bookmakers"][0]["markets"][0]["outcomes"][0]["description"] = keys["odds"]
    odds["bookmakers"][0]["markets"][0]["outcomes"][1]["price"] = keys["odds"]
    odds_routes.route(f"{ROOT}/events/{payloads.EVENT_LAL}/odds", payloads.Reply(body=odds))
    with pytest.raises(SchemaDriftError) as err:
        scrape_day(
            "odds_api",
            DAY,
            tmp_path,
            "r",
            base_url=odds_routes.url,
            config=config_factory(odds_mode="live"),
        )
    assert err.value.field == "bookmakers.0.markets.0.outcomes.1.price"
    quarantined = list((tmp_path / "_quarantine").rglob("*.body"))
    assert quarantined and "***" in quarantined[0].read_text()
    _assert_clean(keys["odds"], err.value, caplog, log_stream, tmp_path)


def test_json_log_lines_carry_the_run_id(odds_routes, keys, tmp_path, log_stream, config_factory):
    scrape_day(
        "odds_api",
        DAY,
        tmp_path,
        "run-42",
        base_url=odds_routes.url,
        config=config_factory(odds_mode="live"),
    )
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert lines, "expected JSON log lines"
    ours = [line for line in lines if line["logger"].startswith(ROOT_LOGGER)]
    assert {line["run_id"] for line in ours} == {"run-42"}
    assert {line["source"] for line in ours} == {"odds_api"}
    events = {line.get("event") for line in ours}
    assert {"start", "finished", "quota"} <= events
    finished = next(line for line in ours if line.get("event") == "finished")
    assert finished["requests"] == 3
    assert keys["odds"] not in log_stream.getvalue()


def test_logged_exception_tracebacks_are_masked(caplog):
    secret = "tb-SECRET-value-123456"
    register_secret(secret)
    log = get_logger("test")
    caplog.set_level(logging.INFO)
    try:
        raise ValueError(f"boom {secret}")
    except ValueError:
        with log_context(run_id="x"):
            log.exception("failed with %s", secret, extra={"detail": f"k={secret}"})
    record = caplog.records[-1]
    assert secret not in caplog.text
    assert secret not in record.getMessage() and secret not in record.exc_text
    assert secret not in record.detail
    assert record.run_id == "x"


def test_redact_masks_variants_and_unknown_query_keys():
    register_secret("a b/c+d&e")
    assert redact("raw a b/c+d&e") == "raw ***"
    assert redact("url a%20b%2Fc%2Bd%26e") == "url ***"
    assert redact("form a+b%2Fc%2Bd%26e") == "form ***"
    assert redact("https://x/y?apiKey=unregistered123&markets=player_points") == (
        "https://x/y?apiKey=***&markets=player_points"
    )
    assert redact("{'Authorization': 'tok123456'}") == "{'Authorization': '***'}"
    register_secret("abc")  # too short to mask safely: ignored
    assert redact("abc") == "abc"


def test_missing_key_is_a_clear_error_and_sends_nothing(server, tmp_path, config_factory):
    with pytest.raises(MissingSecretError, match="ODDS_API_KEY is not configured"):
        scrape_day(
            "odds_api",
            DAY,
            tmp_path,
            "r",
            base_url=server.url,
            config=config_factory(odds_mode="live"),
        )
    assert server.hits() == []
    with pytest.raises(MissingSecretError, match="BALLDONTLIE_API_KEY"):
        scrape_day("balldontlie", DAY, tmp_path, "r2", base_url=server.url, config=config_factory())
    assert server.hits() == []


def test_secret_manager_without_library_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("NBA_PROPS_GCP_PROJECT", "my-project")
    monkeypatch.setitem(sys.modules, "google.cloud.secretmanager", None)
    with pytest.raises(MissingSecretError) as err:
        get_secret("ODDS_API_KEY")
    assert "google-cloud-secret-manager" in str(err.value)
    assert "projects/my-project/secrets/ODDS_API_KEY/versions/latest" in str(err.value)


def test_secret_manager_is_used_when_env_is_empty(monkeypatch):
    class _Payload:
        data = b"sm-SECRET-from-manager\n"

    class _Client:
        def access_secret_version(self, request, timeout):
            assert request == {"name": "projects/p/secrets/s/versions/3"}
            assert timeout > 0
            return type("R", (), {"payload": _Payload()})()

    fake = type(sys)("google.cloud.secretmanager")
    fake.SecretManagerServiceClient = _Client
    monkeypatch.setitem(sys.modules, "google.cloud.secretmanager", fake)
    import google.cloud

    monkeypatch.setattr(google.cloud, "secretmanager", fake, raising=False)
    monkeypatch.setenv("ODDS_API_KEY_SECRET", "projects/p/secrets/s/versions/3")
    assert get_secret("ODDS_API_KEY") == "sm-SECRET-from-manager"
    assert redact("key sm-SECRET-from-manager") == "key ***"
