"""The dbt docs site (what `make docs` builds), opened in headless Chromium: the models, their
columns, tests and contract render, and so does the lineage graph.

Chromium comes from the project's set-up for tests (scripts/ensure_chromium.sh, Debian's
`chromium`); this test fails, rather than skips, when it is missing.

The pages are driven over the DevTools protocol (`DevToolsPage`): each test waits, in real
time and up to `RENDER_DEADLINE_S`, for what it checks to be on the page, rather than giving
Chromium a fixed (virtual) time budget, which a busy machine can run out of.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from nba_props.orchestrate.dbt import run_dbt
from tests.python.conftest import Warehouse

BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1400,900",
)
# One-shot runs (`chromium()`, also used by test_elementary) get a fixed virtual-time budget.
CHROMIUM_FLAGS = (*BROWSER_FLAGS, "--virtual-time-budget=20000")

VIEWPORT = (1400, 900)
LAUNCH_DEADLINE_S = 60.0  # for Chromium to open its DevTools port
CALL_DEADLINE_S = 30.0  # for one DevTools command's reply
RENDER_DEADLINE_S = 120.0  # for a page to show what a test checks, however busy the machine
POLL_INTERVAL_S = 0.25

# The lineage graph's node layer (cytoscape's canvas): its size, how many of its pixels are
# drawn (not transparent) and, for the failure message, how many nodes cytoscape has.
LINEAGE_CANVAS_JS = """
(() => {
  const seen = {canvas: false, width: 0, height: 0, drawn: 0, nodes: null};
  try {
    const cy = angular.element(document.body).injector().get('graph').graph_element;
    seen.nodes = cy ? cy.nodes().length : 0;
  } catch (error) {
    seen.nodes = String(error);
  }
  const canvas = document.querySelector('canvas[data-id="layer2-node"]');
  if (!canvas) return seen;
  Object.assign(seen, {canvas: true, width: canvas.width, height: canvas.height});
  if (!canvas.width || !canvas.height) return seen;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) seen.drawn++;
  return seen;
})()
"""


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("headless Chromium is not installed: run scripts/ensure_chromium.sh")


def chromium(url: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``url`` with its own throw-away profile directory."""
    profile = tmp / f"chromium-profile-{len(list(tmp.glob('chromium-profile-*')))}"
    return subprocess.run(
        [chromium_binary(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True, text=True, timeout=180, check=True,
    )


class DevToolsError(RuntimeError):
    """A DevTools command answered with an error (or the page's script threw)."""


class DevToolsPage:
    """One page of a headless Chromium of its own, driven over the DevTools protocol.

    A context manager: Chromium (started in its own process group) is always terminated on
    exit, and every wait is bounded.
    """

    def __init__(self, tmp: Path) -> None:
        self.profile = tmp / f"devtools-profile-{len(list(tmp.glob('devtools-profile-*')))}"
        self.log = self.profile.with_name(f"{self.profile.name}.log")
        self.process: subprocess.Popen[bytes] | None = None
        self.socket: ClientConnection | None = None
        self.connection = contextlib.ExitStack()  # closes the socket
        self.session = ""
        self.last_id = 0

    def __enter__(self) -> DevToolsPage:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _start(self) -> None:
        self.profile.mkdir(parents=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    chromium_binary(), *BROWSER_FLAGS, f"--user-data-dir={self.profile}",
                    "--remote-debugging-port=0", "about:blank",
                ],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )
        # Chromium writes the port it chose, and the browser's WebSocket path, in this file.
        active_port, started = self.profile / "DevToolsActivePort", time.monotonic()
        while True:
            lines = active_port.read_text().split() if active_port.is_file() else []
            if len(lines) >= 2 and lines[0].isdigit():
                break
            if self.process.poll() is not None:
                pytest.fail(
                    f"Chromium exited ({self.process.returncode}) before opening its DevTools "
                    f"port:\n{self.log_tail()}"
                )
            if time.monotonic() - started > LAUNCH_DEADLINE_S:
                pytest.fail(
                    f"Chromium did not open its DevTools port within {LAUNCH_DEADLINE_S:.0f} s:"
                    f"\n{self.log_tail()}"
                )
            time.sleep(0.05)
        self.socket = self.connection.enter_context(
            connect(
                f"ws://127.0.0.1:{lines[0]}{lines[1]}",
                proxy=None, max_size=None, ping_interval=None,
                open_timeout=CALL_DEADLINE_S, close_timeout=5,
            )
        )
        target = self.call("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = self.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
            browser=True,
        )
        self.session = attached["sessionId"]
        width, height = VIEWPORT
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def log_tail(self, chars: int = 2_000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else ""

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        browser: bool = False,
        timeout: float = CALL_DEADLINE_S,
    ) -> dict[str, Any]:
        """Send one command (to the page's session unless ``browser``) and wait for its reply."""
        assert self.socket is not None
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if not browser:
            message["sessionId"] = self.session
        deadline = time.monotonic() + timeout
        try:
            self.socket.send(json.dumps(message))
            while True:  # skip events and stale replies
                reply = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(), 0)))
                if reply.get("id") == self.last_id:
                    break
        except TimeoutError:
            pytest.fail(f"no DevTools reply to {method} within {timeout:.0f} s:\n{self.log_tail()}")
        except (WebSocketException, OSError) as error:
            pytest.fail(f"DevTools connection lost during {method} ({error!r}):\n{self.log_tail()}")
        if "error" in reply:
            raise DevToolsError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def navigate(self, url: str) -> None:
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            pytest.fail(f"Chromium could not open {url}: {result['errorText']}")

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise DevToolsError(details.get("exception", {}).get("description") or details)
        return result["result"].get("value")

    def wait_for(
        self,
        expression: str,
        ready: Callable[[Any], bool],
        what: str,
        *,
        settled_polls: int = 1,
        show: Callable[[Any], str] = lambda value: repr(value)[:1_000],
        deadline_s: float = RENDER_DEADLINE_S,
    ) -> tuple[Any, float]:
        """Poll ``expression`` until its value is ``ready`` (and unchanged for the last
        ``settled_polls`` polls); return it and the seconds waited. Fails after ``deadline_s``
        of real time, saying what was last seen."""
        started, last, streak = time.monotonic(), "nothing yet", 0
        previous: Any = None
        while True:
            try:
                value = self.evaluate(expression)
            except DevToolsError as error:  # e.g. the page is still loading
                last, streak = f"error: {error}", 0
            else:
                settled = streak and value == previous  # ready at the last poll too, unchanged
                streak = (streak + 1 if settled else 1) if ready(value) else 0
                last, previous = show(value), value
                if streak >= settled_polls:
                    return value, time.monotonic() - started
            if time.monotonic() - started > deadline_s:
                pytest.fail(f"{what}: not seen within {deadline_s:.0f} s; last seen: {last}")
            time.sleep(POLL_INTERVAL_S)

    def screenshot(self, path: Path) -> Path:
        result = self.call("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(result["data"]))
        return path

    def close(self) -> None:
        self.socket = None
        with contextlib.suppress(WebSocketException, OSError):
            self.connection.close()
        process, self.process = self.process, None
        if process is None:
            return
        # Chromium and its helper processes are the process group it leads (start_new_session):
        # ask them to stop, then kill what is left (a hung browser, or stray helpers).
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)


def rendered_text(url: str, tmp: Path, *needles: str) -> str:
    """The visible text of ``url`` once every one of ``needles`` is in it."""

    def missing(html: str) -> list[str]:
        text = visible_text(html)
        return [needle for needle in needles if needle not in text]

    with DevToolsPage(tmp) as page:
        page.navigate(url)
        html, _ = page.wait_for(
            "document.documentElement.outerHTML",
            lambda html: isinstance(html, str) and not missing(html),
            f"{url} showing {list(needles)}",
            show=lambda html: (
                f"missing {missing(html)} from {visible_text(html)[:500]!r}"
                if isinstance(html, str) else repr(html)
            ),
        )
    return visible_text(html)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit, non-interlaced PNG (Chromium's)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0
            channels = 4 if color == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return width, height, [bytes(r[i] for i in range(len(r)) if i % channels < 3) for r in rows]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def docs_site(real_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make docs` (dbt docs generate --static) on the real season, served on 127.0.0.1."""
    docs = tmp_path_factory.mktemp("docs") / "site"
    run_dbt(
        ["docs", "generate", "--static"],
        database=real_warehouse.database,
        target_path=docs,
        log_path=real_warehouse.log_path,
        quiet=True,
    )
    assert (docs / "index.html").is_file() and (docs / "catalog.json").is_file()
    assert (docs / "static_index.html").is_file()
    handler = functools.partial(QuietHandler, directory=str(docs))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_model_page_renders_columns_tests_contract_and_neighbours(
    docs_site: str, tmp_path: Path
) -> None:
    url = f"{docs_site}#!/model/model.nba_props.player_game_summary"
    relation = "real.nba_analytics.player_game_summary"  # the relation, in the test's DB
    # columns with their warehouse types (from the catalog) and their tests (game_id's
    # relationships test; the row-level rules are the model's one column_checks test)
    columns = ("game_id VARCHAR NBA.com game id.", "points BIGINT Points.", "Foreign Key")
    neighbours = ("Referenced By", "current_season_players_mv", "Depends On",
                  "int_player_games_joined")
    text = rendered_text(url, tmp_path, relation, "Contract Enforced", *columns, *neighbours)
    assert relation in text
    assert "Contract Enforced" in text
    for fragment in columns:
        assert fragment in text, fragment
    # the neighbours in the lineage
    depends = text[text.rfind("Depends On") :]
    assert "int_player_games_joined" in depends
    referenced = text[text.rfind("Referenced By") : text.rfind("Depends On")]
    assert "current_season_players_mv" in referenced


def test_monitoring_models_and_run_log_are_documented(docs_site: str, tmp_path: Path) -> None:
    summary = "One row per day: tests passed, warned and failed"
    text = rendered_text(
        f"{docs_site}#!/model/model.nba_props.data_quality_summary_mv",
        tmp_path, summary, "Depends On", "processor_execution_log",
    )
    assert summary in text
    assert "processor_execution_log" in text[text.rfind("Depends On") :]
    described = "One row per dbt node run"
    source = rendered_text(
        f"{docs_site}#!/source/source.nba_props.nba_monitoring.processor_execution_log",
        tmp_path, "processor_execution_log", described,
    )
    assert described in source


# Inside the graph panel the nodes are boxes lighter than its background, (0, 94, 122), whose
# r+g+b is 216: a model's box is (0, 148, 179), 327; the green ones (95, 184, 37), 316; the
# orange ones (255, 105, 75), 435. (Only their labels' pixels pass 450, ~300 of them in the
# whole project's graph.)
NODE_LIGHTNESS = 300


def test_lineage_graph_renders(docs_site: str, tmp_path: Path) -> None:
    url = f"{docs_site}#!/model/model.nba_props.player_game_summary?g_v=1"
    with DevToolsPage(tmp_path) as page:
        page.navigate(url)
        # drawn, and unchanged for a second (the layout and the fit to the panel are done)
        graph, waited = page.wait_for(
            LINEAGE_CANVAS_JS,
            lambda seen: isinstance(seen, dict) and seen["drawn"] > 0,
            "the lineage graph drawn on its canvas (data-id=layer2-node)",
            settled_polls=4,
        )
        print(f"lineage graph drawn after {waited:.1f} s: {graph}")
        shot = page.screenshot(tmp_path / "lineage.png")
    assert graph["width"] > 500 and graph["height"] > 300, graph
    width, height, rows = png_pixels(shot)
    assert (width, height) == VIEWPORT
    panel = [  # r+g+b of each pixel inside the graph panel
        row[i] + row[i + 1] + row[i + 2]
        for row in rows[120:780]
        for i in range(60 * 3, 1340 * 3, 3)
    ]
    light = sum(1 for lightness in panel if lightness > NODE_LIGHTNESS)
    assert light < len(panel) // 2, light  # the panel's dark background, not the white page
    assert light > 2_000, light
