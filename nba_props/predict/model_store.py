"""Fitted prediction systems kept on disk, so live runs within a cut-off reuse their model.

A live model is a deterministic function of its training set and of the code and settings
that fit it (see PredictionSystem.fit). The store keys a fitted system set by everything
that goes into it: the training set's fingerprint (its rows, targets, dates and feature
matrix), the market of every row, the cut-off, the feature columns and version, the
systems requested and fitted with their versions and params(), the seed, the markets, the
library versions, a digest of the systems' source code and the file format. Same key ->
the stored systems are what a fit would produce now, so they are loaded instead. A loaded
system is also checked against the model version a fit on this training set would give.

Files are pickles, and unpickling runs code, so every file is authenticated before it is
unpickled: its header carries an HMAC-SHA256 of the payload under the store's key. A file
written without the key (by someone who can write to the folder or the GCS prefix but
does not hold the key), a tampered file and a torn one all fail the check: they are logged
and the models refit, never loaded. The key comes from the environment
(NBA_PROPS_MODEL_KEY, or NBA_PROPS_MODEL_KEY_SECRET naming a Secret Manager version, as
for the API keys); without one, a random key is created once in a private file outside the
model folder (~/.config/nba-props/model_store.key, mode 0600), which suits a single
machine. Set the key in the environment wherever more than one machine shares a store.

Writes are atomic (a temporary file in the same directory, then os.replace). The
directory is bounded: the most recently used `keep_per_group` files of each configuration
(system set, settings, code) and `keep_total` files overall are kept.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import pickle
import platform
import re
import secrets
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lightgbm
import numpy as np
import scipy

from nba_props.predict.options import ENV_DIR, ENV_REUSE, GCS_SCHEME
from nba_props.predict.systems import SYSTEM_IDS, PredictionSystem, TrainingSet
from nba_props.scrape.errors import MissingSecretError
from nba_props.scrape.secrets import get_secret

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: the header's digest is an HMAC under the store's key
KEY_ENV = "NBA_PROPS_MODEL_KEY"
LOCAL_KEY_FILE = Path("~/.config/nba-props/model_store.key")
MAGIC = b"nba-props-models"
SUFFIX = ".models"
DEFAULT_KEEP_PER_GROUP = 3
DEFAULT_KEEP_TOTAL = 12
# Temporary files older than this are left-overs of an interrupted write.
STALE_TEMP_SECONDS = 3600
_NAME = re.compile(r"^(?P<group>[0-9a-f]{12})-cut(?P<cutoff>\d{8})-(?P<key>[0-9a-f]{24})"
                   + re.escape(SUFFIX) + "$")
_FALSE = frozenset({"0", "false", "no", "off"})
# The code that fits and applies the models: any change to it is a different model.
_SOURCES = (Path(__file__).parent / "systems", Path(__file__).parent / "frame.py",
            *(Path(__file__).parent / f"{name}.py"
              for name in ("calibration", "devig", "distribution", "market")))


class CorruptModelFile(ValueError):
    """A model file that is not a complete file of this format and key."""


@dataclass(frozen=True)
class ModelKey:
    """What a fitted system set is stored under."""

    digest: str  # every input of the fit
    group: str  # the configuration alone (not the training data): one system set
    cutoff: date

    @property
    def filename(self) -> str:
        return f"{self.group[:12]}-cut{self.cutoff:%Y%m%d}-{self.digest[:24]}{SUFFIX}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def code_digest() -> str:
    """A digest of the source of the prediction systems and of the frame they read."""
    h = hashlib.sha256()
    for source in _SOURCES:
        files = sorted(source.glob("*.py")) if source.is_dir() else [source]
        for path in files:
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def libraries() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "lightgbm": lightgbm.__version__}


def model_key(data: TrainingSet, fitted: Sequence[PredictionSystem], requested: Sequence[str],
              markets: Sequence[str], seed: int) -> ModelKey:
    """The key of the systems `fitted` (not yet fitted) would become when fitted on `data`."""
    config = {
        "format": FORMAT_VERSION,
        "requested": sorted(set(requested or SYSTEM_IDS)),
        "systems": [[s.system_id, s.system_version, s.params(), s.settings_key(), s.seed]
                    for s in fitted],
        "seed": seed,
        "markets": list(markets),
        "libraries": libraries(),
        "code": code_digest(),
    }
    group = _sha256(json.dumps(config, sort_keys=True))
    rows = {
        "fingerprint": data.fingerprint(),
        # The fingerprint does not cover the market of each row; the systems group by it.
        "row_markets": _sha256("|".join(str(m) for m in data.frame["market"])),
        "rows": len(data.target),
        "cutoff": data.cutoff.isoformat(),
        "feature_version": data.feature_version,
        "features": list(data.features),
    }
    digest = _sha256(group + json.dumps(rows, sort_keys=True))
    return ModelKey(digest=digest, group=group, cutoff=data.cutoff)


def reuse_enabled(reuse: bool | None = None) -> bool:
    """The argument when given, else env NBA_PROPS_MODEL_REUSE (default on; 0/false/no/off)."""
    if reuse is not None:
        return reuse
    return os.environ.get(ENV_REUSE, "1").strip().lower() not in _FALSE


def model_location(database: Path, directory: Path | str | None = None) -> Path | str:
    """Where models are kept: the argument, else env NBA_PROPS_MODEL_DIR, else `models/`
    beside the database. A ``gs://bucket/prefix`` value is kept as text (a GCS prefix)."""
    if directory is not None and str(directory).strip():
        text = str(directory).strip()
        return text if text.startswith(GCS_SCHEME) else Path(directory)
    env = os.environ.get(ENV_DIR, "").strip()
    if env.startswith(GCS_SCHEME):
        return env
    return Path(env) if env else Path(database).resolve().parent / "models"


def model_directory(database: Path, directory: Path | None = None) -> Path:
    """The local model directory (see model_location for a GCS prefix)."""
    location = model_location(database, directory)
    if isinstance(location, str):
        raise ValueError(f"{location} is a GCS prefix, not a local directory")
    return location



def signing_key() -> bytes:
    """The key model files are authenticated with: NBA_PROPS_MODEL_KEY (env or Secret
    Manager), else a random key kept in a private local file (created on first use)."""

    try:
        return get_secret(KEY_ENV).encode()
    except MissingSecretError:
        pass
    path = Path(os.environ.get(f"{KEY_ENV}_FILE", "") or LOCAL_KEY_FILE).expanduser()
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(32))
        log.info("created the model store's signing key in %s", path)
    return path.read_text(encoding="utf-8").strip().encode()


def _header(payload: bytes, key: bytes | None = None) -> bytes:
    digest = hmac.new(key or signing_key(), payload, hashlib.sha256).hexdigest().encode()
    return MAGIC + b" " + str(FORMAT_VERSION).encode() + b" " + digest + b"\n"


def _payload(blob: bytes, key: bytes | None = None) -> bytes:
    """The pickled payload of a file's bytes, after authenticating it (the header's HMAC)."""
    header, newline, payload = blob.partition(b"\n")
    if not newline or not hmac.compare_digest(header + b"\n", _header(payload, key)):
        raise CorruptModelFile(
            "the header's HMAC does not match (written without this store's key, tampered, "
            "truncated, or another format)"
        )
    return payload


class ModelStore:
    """A directory of fitted system sets, one file per key (a local folder).

    The storage operations are the methods below ``# --- storage``; GcsModelStore
    (nba_props.predict.gcs_model_store) keeps the same files under a ``gs://`` prefix.
    """

    def __init__(self, directory: Path, keep_per_group: int = DEFAULT_KEEP_PER_GROUP,
                 keep_total: int = DEFAULT_KEEP_TOTAL):
        self.directory = Path(directory)
        self.keep_per_group = max(1, keep_per_group)
        self.keep_total = max(1, keep_total)

    @property
    def location(self) -> str:
        return str(self.directory)

    def path(self, key: ModelKey) -> Path:
        return self.directory / key.filename

    def load(self, key: ModelKey, data: TrainingSet,
             system_ids: Sequence[str]) -> list[PredictionSystem] | None:
        """The stored systems of the key, checked against `data`; None to fit instead."""
        path = self.path(key)
        try:
            blob = self._read_bytes(path)
        except OSError as exc:
            log.warning("model file %s is unreadable (%s); refitting", path, exc)
            return None
        if blob is None:
            return None
        try:
            systems = _systems(blob, key)
            _check(systems, data, system_ids)
        except CorruptModelFile as exc:
            log.warning("model file %s not used (%s); refitting", path, exc)
            return None
        except Exception as exc:  # noqa: BLE001 (unpickling can raise anything: refit)
            log.warning("model file %s is unreadable (%s: %s); refitting", path,
                        type(exc).__name__, exc)
            return None
        try:
            self._touch(path)  # most recently used: kept longest
        except OSError as exc:
            log.debug("could not touch %s: %s", path, exc)
        return systems

    def save(self, key: ModelKey, systems: Sequence[PredictionSystem]) -> Path | None:
        """Write the fitted systems atomically; a failure is logged, never raised."""
        path = self.path(key)
        try:
            payload = pickle.dumps({"key": key.digest, "systems": list(systems)},
                                   protocol=pickle.HIGHEST_PROTOCOL)
            self._write_atomic(path, key.filename, _header(payload) + payload)
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            log.warning("could not save models to %s: %s", path, exc)
            return None
        self.prune()
        return path

    def files(self) -> list[Path]:
        """The model files of the store, most recently used first."""
        found = [(p, t) for p, t in self._list() if _NAME.match(_name(p))]
        return [p for p, _ in sorted(found, key=lambda pt: (pt[1], _name(pt[0])), reverse=True)]

    def prune(self) -> list[Path]:
        """Remove all but the most recently used files (per group and overall)."""
        removed: list[Path] = []
        per_group: dict[str, int] = {}
        kept = 0
        for path in self.files():
            match = _NAME.match(_name(path))
            group = match.group("group") if match else ""
            if kept < self.keep_total and per_group.get(group, 0) < self.keep_per_group:
                per_group[group] = per_group.get(group, 0) + 1
                kept += 1
                continue
            removed.append(path)
        for path in removed:
            self._delete(path)
        removed += self._remove_stale_temps(time.time() - STALE_TEMP_SECONDS)
        if removed:
            log.info("pruned %d old model files from %s", len(removed), self.location)
        return removed

    # --- storage: a local directory ----------------------------------------------------------
    def _read_bytes(self, path: Path) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        return path.read_bytes() if path.is_file() else None

    def _touch(self, path: Path) -> None:
        os.utime(path)

    def _write_atomic(self, path: Path, filename: str, data: bytes) -> None:
        """A temporary file in the same directory, then os.replace: whole or not at all."""
        tmp: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".tmp",
                                       dir=self.directory)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def _list(self) -> list[tuple[Path, int]]:
        """(file, last-used time in ns) of every regular file of the directory."""
        if not self.directory.is_dir():
            return []
        return [(p, p.stat().st_mtime_ns) for p in self.directory.iterdir() if p.is_file()]

    def _delete(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def _remove_stale_temps(self, before: float) -> list[Path]:
        removed = []
        if not self.directory.is_dir():
            return removed
        for path in self.directory.glob(f".*{SUFFIX}.*.tmp"):
            if path.stat().st_mtime < before:
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


def _name(path: object) -> str:
    """The file name of a local path or of a gs:// URI."""
    return str(path).rsplit("/", 1)[-1]


def _systems(blob: bytes, key: ModelKey) -> list[PredictionSystem]:
    payload = _payload(blob)
    # Only files this store wrote (see the module docstring), after the digest check.
    content = pickle.loads(payload)  # noqa: S301
    if not isinstance(content, dict) or content.get("key") != key.digest:
        raise CorruptModelFile("the file holds another key")
    systems = content.get("systems")
    if not isinstance(systems, list) or not all(
            isinstance(s, PredictionSystem) for s in systems):
        raise CorruptModelFile("the file does not hold prediction systems")
    return systems


def _check(systems: Sequence[PredictionSystem], data: TrainingSet,
           system_ids: Sequence[str]) -> None:
    """Refuse systems that are not exactly what fitting on `data` would give."""
    if [s.system_id for s in systems] != list(system_ids):
        raise CorruptModelFile(f"systems {[s.system_id for s in systems]}, "
                               f"expected {list(system_ids)}")
    for system in systems:  # components come before the ensemble that uses their versions
        expected = system.expected_model_version(data)
        if (system.model_version != expected or system.training_cutoff != data.cutoff
                or system.n_training_rows != len(data.target)):
            raise CorruptModelFile(f"{system.system_id} is {system.model_version}, a fit "
                                   f"on this training set is {expected}")
