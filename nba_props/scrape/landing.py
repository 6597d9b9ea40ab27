"""The landing zone: raw payloads and flattened raw-format files, one folder per scrape run.

Layout (local folder; the same layout is copied to ``gs://bucket/prefix`` when configured)::

    <landing>/<source>/<YYYY-MM-DD>/<run_id>/raw/<seq>-<endpoint>[-<detail>].json
    <landing>/<source>/<YYYY-MM-DD>/<run_id>/flat/<raw_table>.csv     what the loader reads
    <landing>/<source>/<YYYY-MM-DD>/<run_id>/flat/_rejected_*.csv     rows that could not be
                                                                      mapped (never loaded)
    <landing>/<source>/<YYYY-MM-DD>/<run_id>/_SUCCESS.json            manifest, written last
    <landing>/_quarantine/<source>/<YYYY-MM-DD>/<run_id>/<seq>-<endpoint>.body (+ .error.txt)

Flattened files are written only when every request of the run succeeded and validated,
and the manifest is written after them; :func:`find_landed` only returns files of runs that
have a manifest. Payloads that failed validation go to ``_quarantine/``, never to ``raw/``.
Everything written is passed through the secret redactor.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from nba_props.contracts import RAW_TABLES
from nba_props.scrape.errors import ScrapeError
from nba_props.scrape.logs import get_logger
from nba_props.scrape.redaction import redact

log = get_logger("landing")
MANIFEST = "_SUCCESS.json"
QUARANTINE = "_quarantine"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def check_run_id(run_id: str) -> str:
    if not _SAFE_ID.fullmatch(run_id) or ".." in run_id:
        raise ValueError(
            f"run_id {run_id!r} must be 1-128 characters of letters, digits, '.', '_' or '-'"
        )
    return run_id


def safe_name(text: str) -> str:
    return _UNSAFE_CHARS.sub("_", text).strip("._")[:100] or "x"


def format_cell(value: Any) -> str:
    """A CSV cell: None -> empty, ISO dates/timestamps (UTC, ``Z``), integral floats as ints."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
            return value.isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return redact(value)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _redacted_bytes(content: bytes | str) -> bytes:
    if isinstance(content, str):
        return redact(content).encode("utf-8")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return redact(content.decode("utf-8", errors="replace")).encode("utf-8")
    masked = redact(text)
    return content if masked == text else masked.encode("utf-8")


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([format_cell(row.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def check_contract(table: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The contract's column order; raises if a row lacks a required value or has extras."""
    contract = RAW_TABLES[table]
    columns = [c.name for c in contract.columns]
    required = [c.name for c in contract.required]
    known = set(columns)
    for i, row in enumerate(rows):
        extra = set(row) - known
        if extra:
            raise ScrapeError(f"{table} row {i}: columns not in the contract: {sorted(extra)}")
        missing = [c for c in required if row.get(c) is None or row.get(c) == ""]
        if missing:
            raise ScrapeError(f"{table} row {i}: required column(s) empty: {missing}")
    return columns


@dataclass
class RunLanding:
    """Where one scrape run writes. Nothing lands in ``flat/`` until :meth:`commit`."""

    root: Path
    source: str
    game_date: date
    run_id: str
    raw_files: list[Path] = field(default_factory=list)
    quarantined: list[Path] = field(default_factory=list)
    _seq: int = 0

    def __post_init__(self) -> None:
        check_run_id(self.run_id)
        if (self.run_dir / MANIFEST).exists():
            raise ScrapeError(
                f"run {self.run_id} already landed for {self.source} {self.game_date}; "
                "use a new run id"
            )

    @property
    def run_dir(self) -> Path:
        return self.root / self.source / self.game_date.isoformat() / self.run_id

    @property
    def quarantine_dir(self) -> Path:
        return self.root / QUARANTINE / self.source / self.game_date.isoformat() / self.run_id

    def _next(self, name: str) -> str:
        self._seq += 1
        return f"{self._seq:03d}-{safe_name(name)}"

    def land_raw(self, name: str, content: bytes | str, suffix: str = ".json") -> Path:
        path = self.run_dir / "raw" / f"{self._next(name)}{suffix}"
        _atomic_write(path, _redacted_bytes(content))
        self.raw_files.append(path)
        return path

    def quarantine(self, name: str, content: bytes | str, error: BaseException) -> Path:
        stem = self._next(name)
        path = self.quarantine_dir / f"{stem}.body"
        _atomic_write(path, _redacted_bytes(content))
        _atomic_write(self.quarantine_dir / f"{stem}.error.txt", _redacted_bytes(str(error)))
        self.quarantined.append(path)
        log.warning("payload quarantined for review: %s", path, extra={"event": "quarantine"})
        return path

    def commit(
        self,
        tables: Mapping[str, Sequence[Mapping[str, Any]]],
        rejected: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, Any]]]],
        meta: Mapping[str, Any],
    ) -> tuple[dict[str, list[Path]], list[Path], Path]:
        """Write the flattened tables, the rejected-row side files, then the manifest."""
        outputs: dict[str, list[Path]] = {}
        prepared = {t: (check_contract(t, rows), rows) for t, rows in tables.items()}
        files: list[dict[str, Any]] = []
        for table, (columns, rows) in prepared.items():
            path = self.run_dir / "flat" / f"{table}.csv"
            data = csv_bytes(columns, rows)
            _atomic_write(path, data)
            outputs[table] = [path]
            files.append(self._file_entry(path, data, len(rows), table))
        side: list[Path] = []
        for name, (columns, rows) in rejected.items():
            if not rows:
                continue
            path = self.run_dir / "flat" / f"_rejected_{safe_name(name)}.csv"
            data = csv_bytes(columns, rows)
            _atomic_write(path, data)
            side.append(path)
            files.append(self._file_entry(path, data, len(rows), None))
        manifest = {
            "source": self.source,
            "game_date": self.game_date.isoformat(),
            "run_id": self.run_id,
            "finished_at": format_cell(datetime.now(UTC)),
            **meta,
            "raw_files": [p.relative_to(self.run_dir).as_posix() for p in self.raw_files],
            "files": files,
        }
        path = self.run_dir / MANIFEST
        _atomic_write(path, json.dumps(manifest, indent=2, default=str).encode("utf-8"))
        return outputs, side, path

    def _file_entry(self, path: Path, data: bytes, rows: int, table: str | None) -> dict[str, Any]:
        return {
            "path": path.relative_to(self.run_dir).as_posix(),
            "raw_table": table,
            "rows": rows,
            "sha256": hashlib.sha256(data).hexdigest(),
        }


def find_landed(
    landing_dir: Path,
    game_date: date,
    *,
    sources: Iterable[str] | None = None,
    latest_only: bool = False,
) -> dict[str, list[Path]]:
    """Flattened files already landed for ``game_date``: raw table -> files, oldest run first.

    Only complete runs (with a manifest) count. ``latest_only`` keeps, per source, the newest
    complete run. Replay mode: feed these to the loader when there is no key or no network.
    """
    landing_dir = Path(landing_dir)
    wanted = set(sources) if sources is not None else None
    runs: list[tuple[str, str, Path, dict[str, Any]]] = []
    if not landing_dir.is_dir():
        return {}
    for source_dir in sorted(p for p in landing_dir.iterdir() if p.is_dir()):
        if source_dir.name.startswith(("_", ".")):
            continue
        if wanted is not None and source_dir.name not in wanted:
            continue
        day_dir = source_dir / game_date.isoformat()
        if not day_dir.is_dir():
            continue
        for run_dir in day_dir.iterdir():
            manifest_path = run_dir / MANIFEST
            if not manifest_path.is_file():
                continue
            try:
                manifest = json.loads(manifest_path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                log.warning("skipping unreadable manifest %s: %s", manifest_path, exc)
                continue
            runs.append((source_dir.name, str(manifest.get("finished_at", "")), run_dir, manifest))
    runs.sort(key=lambda r: (r[0], r[1], r[2].name))
    if latest_only:
        latest: dict[str, tuple[str, str, Path, dict[str, Any]]] = {}
        for run in runs:
            latest[run[0]] = run
        runs = list(latest.values())
    found: dict[str, list[Path]] = {}
    for _, _, run_dir, manifest in runs:
        for entry in manifest.get("files", []):
            table = entry.get("raw_table")
            path = (run_dir / str(entry.get("path", ""))).resolve()
            if not table or not path.is_relative_to(run_dir.resolve()) or not path.is_file():
                continue
            found.setdefault(table, []).append(path)
    return found


def upload_run(
    run_dir: Path, landing_root: Path, gcs_uri: str, timeout_s: float = 60.0
) -> list[str]:
    """Copy a committed run folder to ``gs://bucket/prefix`` (manifest last). Needs
    google-cloud-storage, imported here only."""
    if not gcs_uri.startswith("gs://"):
        raise ScrapeError(f"GCS landing must look like gs://bucket/prefix, got {gcs_uri!r}")
    bucket_name, _, prefix = gcs_uri[len("gs://") :].partition("/")
    try:
        from google.cloud import storage  # type: ignore[attr-defined]
    except ImportError:
        raise ScrapeError(
            "GCS landing needs google-cloud-storage (pip install google-cloud-storage)"
        ) from None
    bucket = storage.Client().bucket(bucket_name)
    files = sorted(p for p in run_dir.rglob("*") if p.is_file() and p.name != MANIFEST)
    files.append(run_dir / MANIFEST)
    uris: list[str] = []
    for path in files:
        name = "/".join(
            p for p in (prefix.strip("/"), path.relative_to(landing_root).as_posix()) if p
        )
        bucket.blob(name).upload_from_filename(str(path), timeout=timeout_s)
        uris.append(f"gs://{bucket_name}/{name}")
    log.info("copied run to %s (%d files)", gcs_uri, len(uris), extra={"event": "gcs_upload"})
    return uris
