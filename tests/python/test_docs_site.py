"""The dbt docs site (what `make docs` builds), opened in headless Chromium: the models, their
columns, tests and contract render, and so does the lineage graph.

Chromium comes from the project's set-up for tests (scripts/ensure_chromium.sh, Debian's
`chromium`); this test fails, rather than skips, when it is missing.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from nba_props.orchestrate.dbt import run_dbt
from tests.python.conftest import Warehouse

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1400,900",
    "--virtual-time-budget=20000",
)


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
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(docs))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
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
    dom = chromium(url, tmp_path, "--dump-dom")
    text = visible_text(dom.stdout)
    assert "real.nba_analytics.player_game_summary" in text  # the relation, in the test's DB
    assert "Contract Enforced" in text
    # columns with their warehouse types (from the catalog) and their tests (game_id's
    # relationships test; the row-level rules are the model's one column_checks test)
    for fragment in ("game_id VARCHAR NBA.com game id.", "points BIGINT Points.", "Foreign Key"):
        assert fragment in text, fragment
    # the neighbours in the lineage
    depends = text[text.rfind("Depends On") :]
    assert "int_player_games_joined" in depends
    referenced = text[text.rfind("Referenced By") : text.rfind("Depends On")]
    assert "current_season_players_mv" in referenced


def test_monitoring_models_and_run_log_are_documented(docs_site: str, tmp_path: Path) -> None:
    dom = chromium(
        f"{docs_site}#!/model/model.nba_props.data_quality_summary_mv", tmp_path, "--dump-dom"
    )
    text = visible_text(dom.stdout)
    assert "One row per day: tests passed, warned and failed" in text
    assert "processor_execution_log" in text  # in its Depends On
    source = chromium(
        f"{docs_site}#!/source/source.nba_props.nba_monitoring.processor_execution_log",
        tmp_path,
        "--dump-dom",
    )
    assert "One row per dbt node run" in visible_text(source.stdout)


def test_lineage_graph_renders(docs_site: str, tmp_path: Path) -> None:
    url = f"{docs_site}#!/model/model.nba_props.player_game_summary?g_v=1"
    dom = chromium(url, tmp_path, "--dump-dom").stdout
    sizes = re.findall(r'<canvas[^>]*data-id="layer2-node"[^>]*width="(\d+)" height="(\d+)"', dom)
    assert sizes and int(sizes[0][0]) > 500 and int(sizes[0][1]) > 300, sizes
    shot = tmp_path / "lineage.png"
    chromium(url, tmp_path, f"--screenshot={shot}")
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1400, 900)
    # Inside the graph panel (dark background), the nodes are light boxes: count them.
    light = sum(
        1
        for row in rows[120:780]
        for i in range(60 * 3, 1340 * 3, 3)
        if row[i] + row[i + 1] + row[i + 2] > 450
    )
    assert light > 2_000, light
