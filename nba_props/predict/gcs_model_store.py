"""The model store under a Google Cloud Storage prefix (``gs://bucket/prefix``).

Same files, names, format, checks and pruning as the local store (ModelStore); only where
the bytes live differs. Chosen in settings: ``NBA_PROPS_MODEL_DIR=gs://bucket/prefix`` (or
``--model-dir gs://...``). A BigQuery run on Cloud Run / GKE keeps its models there, so the
next run (another container) reuses them.

- write: one object upload; GCS makes an object visible whole or not at all, so a reader
  never sees half a file (no temporary object needed);
- "most recently used": a load patches the object's metadata (``last_used``), which also
  moves its ``updated`` time, what pruning orders by;
- every call has a timeout and google-cloud-storage's retry policy for transient errors.

google-cloud-storage comes with dbt-bigquery (requirements.lock). The client is made on
first use, with Application Default Credentials; tests pass a client of their own.
Unpickling runs code: the prefix must be writable only by the pipeline's service account.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.api_core import exceptions
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from nba_props.predict.model_store import (
    DEFAULT_KEEP_PER_GROUP,
    DEFAULT_KEEP_TOTAL,
    GCS_SCHEME,
    ModelKey,
    ModelStore,
)

DEFAULT_TIMEOUT_S = 60.0


def split_uri(uri: str) -> tuple[str, str]:
    """gs://bucket/some/prefix -> ("bucket", "some/prefix")."""
    if not uri.startswith(GCS_SCHEME):
        raise ValueError(f"not a gs:// URI: {uri!r}")
    bucket, _, prefix = uri[len(GCS_SCHEME):].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {uri!r}")
    return bucket, prefix.strip("/")


class GcsModelStore(ModelStore):
    """Fitted system sets as objects ``gs://<bucket>/<prefix>/<key file name>``."""

    def __init__(self, uri: str, client: Any = None, *,
                 keep_per_group: int = DEFAULT_KEEP_PER_GROUP,
                 keep_total: int = DEFAULT_KEEP_TOTAL, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.bucket_name, self.prefix = split_uri(uri)
        self.uri = f"{GCS_SCHEME}{self.bucket_name}/{self.prefix}".rstrip("/")
        self.keep_per_group = max(1, keep_per_group)
        self.keep_total = max(1, keep_total)
        self.timeout_s = timeout_s
        self._client = client

    @property
    def location(self) -> str:
        return self.uri

    @property
    def directory(self) -> str:  # type: ignore[override]
        return self.uri

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = storage.Client()
        return self._client

    def path(self, key: ModelKey) -> str:  # type: ignore[override]
        return f"{self.uri}/{key.filename}"

    def _blob(self, uri: str) -> Any:
        name = uri[len(f"{GCS_SCHEME}{self.bucket_name}/"):]
        return self.client.bucket(self.bucket_name).blob(name)

    def _retry(self) -> Any:
        return DEFAULT_RETRY.with_timeout(self.timeout_s)

    # --- storage: objects under the prefix -----------------------------------------------------
    def _read_bytes(self, path: str) -> bytes | None:  # type: ignore[override]
        try:
            return bytes(self._blob(path).download_as_bytes(timeout=self.timeout_s,
                                                            retry=self._retry()))
        except exceptions.NotFound:
            return None

    def _touch(self, path: str) -> None:  # type: ignore[override]
        blob = self._blob(path)
        blob.metadata = {"last_used": datetime.now(UTC).isoformat()}
        blob.patch(timeout=self.timeout_s, retry=self._retry())

    def _write_atomic(self, path: str, filename: str, data: bytes) -> None:  # type: ignore[override]
        self._blob(path).upload_from_string(
            data, content_type="application/octet-stream", timeout=self.timeout_s,
            retry=self._retry(),
        )

    def _list(self) -> list[tuple[str, int]]:  # type: ignore[override]
        prefix = f"{self.prefix}/" if self.prefix else ""
        blobs = self.client.list_blobs(self.bucket_name, prefix=prefix,
                                       timeout=self.timeout_s, retry=self._retry())
        out = []
        for blob in blobs:
            if "/" in blob.name[len(prefix):]:
                continue  # a "sub-folder": not this store's
            updated = blob.updated or datetime.now(UTC)
            out.append((f"{GCS_SCHEME}{self.bucket_name}/{blob.name}",
                        int(updated.timestamp() * 1e9)))
        return out

    def _delete(self, path: str) -> None:  # type: ignore[override]
        try:
            self._blob(path).delete(timeout=self.timeout_s, retry=self._retry())
        except exceptions.NotFound:
            return

    def _remove_stale_temps(self, before: float) -> list[str]:  # type: ignore[override]
        return []  # uploads are atomic: no temporary objects
