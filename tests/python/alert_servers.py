"""Local servers the alert tests send to: a webhook (HTTP) and an SMTP server, on 127.0.0.1.

The webhook answers 200, 500, or sleeps past the client's timeout (bounded: it answers
after ``delay_s`` whatever happens). The SMTP server is aiosmtpd's, with AUTH (PLAIN/LOGIN)
checked against one user and password, over plain text (the test has no certificate).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class WebhookServer:
    host: str
    port: int
    mode: str = "ok"  # ok | fail | slow
    delay_s: float = 0.0  # slow: how long before it answers
    requests: list[dict[str, Any]] = field(default_factory=list)  # every POST received
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


@contextmanager
def webhook_server(mode: str = "ok", delay_s: float = 0.0) -> Iterator[WebhookServer]:
    state = WebhookServer("127.0.0.1", 0, mode, delay_s)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.requests.append(json.loads(body or b"null"))
                state.paths.append(self.path)
            if state.mode == "slow":
                time.sleep(state.delay_s)
            status = 500 if state.mode == "fail" else 200
            reply = b"internal error" if status == 500 else b"ok"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:  # the client gave up (timeout): nothing to answer
                pass

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class SmtpServer:
    host: str
    port: int
    user: str
    password: str
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _Handler:
    def __init__(self, state: SmtpServer) -> None:
        self.state = state

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.state.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.state.messages.append(
            message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(user: str, password: str) -> Iterator[SmtpServer]:
    state = SmtpServer("127.0.0.1", _free_port(), user, password)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user and auth_data.password.decode() == password)
        if ok:
            state.logins.append(user)
        return AuthResult(success=ok, handled=False)

    with warnings.catch_warnings():  # AUTH without TLS: on purpose, on 127.0.0.1
        warnings.simplefilter("ignore", UserWarning)
        controller = Controller(
            _Handler(state),
            hostname=state.host,
            port=state.port,
            authenticator=authenticate,
            auth_required=True,
            auth_require_tls=False,
        )
        controller.start()
    try:
        yield state
    finally:
        controller.stop()
