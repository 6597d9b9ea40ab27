"""A local BigQuery emulator from PyPI, in its own virtual environment, on 127.0.0.1.

Two DuckDB-backed emulators are supported, each partial (see docs/bigquery.md):

- ``crucible`` (``crucible-emulator``): REST jobs, tables, CSV load jobs; runs dbt-bigquery's
  seeds, views, tables, incremental ``merge`` with partition_by and cluster_by, and tests.
- ``bqemulator``: REST + Storage API, query parameters, Parquet loads, scripting,
  INFORMATION_SCHEMA, materialized views. Needs DuckDB's spatial extension, which it
  downloads at start-up; here it comes from PyPI (``duckdb-extension-spatial``) instead.

Each lives in ``.venv-bqemu-<kind>/`` (git-ignored) so its pinned DuckDB and sqlglot never
meet the project's. Nothing listens beyond 127.0.0.1, and the process is stopped on exit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nba_props.paths import PROJECT_DIR

log = logging.getLogger(__name__)

EMULATOR_PROJECT = "nba-props-local"

# Pinned: both are young projects whose behaviour changes between releases.
PACKAGES: dict[str, list[str]] = {
    "crucible": ["crucible-emulator[server]==0.1.0a2"],
    "bqemulator": [
        "bqemulator==1.4.0",
        # bqemulator loads DuckDB's spatial extension at start-up; the extension is taken
        # from PyPI, so DuckDB is pinned to the extension's version.
        "duckdb==1.5.5",
        "duckdb-extension-spatial==1.5.5",
        "numpy>=2",
    ],
}


class EmulatorError(RuntimeError):
    """The emulator could not be installed or did not come up."""


def venv_dir(kind: str, root: Path = PROJECT_DIR) -> Path:
    return root / f".venv-bqemu-{kind}"


def ensure_venv(kind: str, root: Path = PROJECT_DIR, python: str | None = None) -> Path:
    """Create ``.venv-bqemu-<kind>`` and install the emulator from PyPI (once)."""
    if kind not in PACKAGES:
        raise EmulatorError(f"unknown emulator {kind!r}; choose from {sorted(PACKAGES)}")
    venv = venv_dir(kind, root)
    stamp = venv / ".nba_props_installed"
    wanted = "\n".join(PACKAGES[kind])
    if stamp.is_file() and stamp.read_text() == wanted:
        return venv
    base = python or os.environ.get("PYTHON") or "python3"
    log.info("creating %s with %s", venv, PACKAGES[kind])
    _run([base, "-m", "venv", "--clear", str(venv)], timeout=300)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--pre",
          "--disable-pip-version-check", *PACKAGES[kind]], timeout=900)
    if kind == "bqemulator":
        # Install the PyPI copy of the spatial extension where DuckDB looks for it, so
        # bqemulator's `INSTALL spatial` needs no download.
        script = (
            "import duckdb, duckdb_extension_spatial, pathlib\n"
            "root = pathlib.Path(duckdb_extension_spatial.__file__).parent / 'extensions'\n"
            "ext = next(root.glob('*/spatial.duckdb_extension'))\n"
            "con = duckdb.connect()\n"
            "con.execute('install ' + repr(str(ext)))\n"
            "con.execute('load spatial')\n"
        )
        _run([str(venv / "bin" / "python"), "-c", script], timeout=300)
    stamp.write_text(wanted)
    return venv


def _run(cmd: list[str], timeout: float) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise EmulatorError(
            f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningEmulator:
    kind: str
    port: int
    process: subprocess.Popen[bytes]
    log_file: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _ready(endpoint: str) -> bool:
    url = f"{endpoint}/bigquery/v2/projects/{EMULATOR_PROJECT}/datasets"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextlib.contextmanager
def running_emulator(
    kind: str, log_dir: Path, root: Path = PROJECT_DIR, startup_timeout_s: float = 60.0
) -> Iterator[RunningEmulator]:
    """Start the emulator on a free loopback port; stop it (its process group) on exit."""
    venv = ensure_venv(kind, root)
    port = free_port()
    if kind == "crucible":
        cmd = [str(venv / "bin" / "crucible"), "serve", "--dialect", "bigquery",
               "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = [str(venv / "bin" / "bqemulator"), "start", "--rest-host", "127.0.0.1",
               "--rest-port", str(port), "--grpc-host", "127.0.0.1",
               "--grpc-port", str(free_port()), "--ephemeral", "--project", EMULATOR_PROJECT,
               "--log-level", "warning"]
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"{kind}.log"
    with log_file.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    emulator = RunningEmulator(kind, port, process, log_file)
    try:
        deadline = time.monotonic() + startup_timeout_s
        while not _ready(emulator.endpoint):
            if process.poll() is not None:
                raise EmulatorError(
                    f"{kind} exited with {process.returncode}:\n{log_file.read_text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise EmulatorError(f"{kind} did not answer within {startup_timeout_s:.0f}s")
            time.sleep(0.3)
        log.info("%s emulator on %s (pid %s)", kind, emulator.endpoint, process.pid)
        yield emulator
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # Only the emulator's own process group (it was started in a new session).
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def emulator_profile(endpoint: str, dataset: str = "nba_analytics", threads: int = 1) -> str:
    """profiles.yml text for the `emulator` BigQuery target pointed at ``endpoint``."""
    return (
        "nba_props:\n"
        "  target: emulator\n"
        "  outputs:\n"
        "    emulator:\n"
        "      type: bigquery\n"
        "      method: oauth-secrets\n"
        "      token: emulator-has-no-auth\n"
        f"      project: {EMULATOR_PROJECT}\n"
        f"      dataset: {dataset}\n"
        "      location: US\n"
        f"      api_endpoint: {endpoint}\n"
        f"      threads: {threads}\n"
        "      job_execution_timeout_seconds: 300\n"
        "      job_retries: 0\n"
        "      priority: interactive\n"
    )


if __name__ == "__main__":  # python -m nba_props.warehouse.emulator <kind>: install only
    logging.basicConfig(level=logging.INFO)
    for name in sys.argv[1:] or ["crucible"]:
        print(ensure_venv(name))
