"""The model store a live run uses: a local folder (ModelStore) or a GCS prefix
(GcsModelStore), chosen from --model-dir / NBA_PROPS_MODEL_DIR; none when reuse is off.

Apart from both stores so that neither imports the other (the GCS store is a ModelStore).
"""

from __future__ import annotations

from pathlib import Path

from nba_props.predict.model_store import ModelStore, model_location, reuse_enabled


def live_store(database: Path, directory: Path | str | None = None,
               reuse: bool | None = None) -> ModelStore | None:
    """The store a live run uses (a local folder, or a GCS prefix given as gs://...), or
    None when model reuse is turned off."""
    if not reuse_enabled(reuse):
        return None
    location = model_location(database, directory)
    if isinstance(location, str):
        # Deferred: google-cloud-storage, only for a gs:// store.
        from nba_props.predict.gcs_model_store import GcsModelStore

        return GcsModelStore(location)
    return ModelStore(location)
