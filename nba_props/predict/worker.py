"""The ML worker: predict one date with every system and write the predictions in one batch.

Per date: ONE query reads the date's features joined to the line valid at the prediction
time; the systems predict; one transaction replaces the date's rows. Models are trained
walk-forward: the model used for date D is trained only on games before its training
cut-off (<= D), and retrained when the cut-off moves (every `retrain_every_days`, anchored
on a fixed date so the model for a date does not depend on where a run started). Training
reads its rows in one more query, only when a model is (re)trained.

With a model store (live runs, see nba_props.predict.model_store) the fitted systems are
saved after training, and a later run whose training set has the same key loads them
instead of fitting: its predictions are identical to a fresh fit's. Backtests have no store.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from nba_props.predict import reader, store
from nba_props.predict.frame import Frame
from nba_props.predict.model_store import ModelKey, ModelStore, model_key
from nba_props.predict.probability import recommend
from nba_props.predict.settings import PredictSettings
from nba_props.predict.systems import PredictionSystem, TrainingSet, build_systems
from nba_props.predict.warehouse_io import PredictionIO, prediction_io

log = logging.getLogger(__name__)


class InsufficientTrainingData(RuntimeError):
    """Too few played games before the cut-off to train the models."""


@dataclass
class DateResult:
    game_date: date
    as_of: datetime
    rows_read: int
    predictions_written: int
    training_cutoff: date | None
    model_versions: dict[str, str] = field(default_factory=dict)
    skipped_reason: str | None = None
    # The models were loaded from the model store, not fitted by this worker.
    models_reused: bool = False


def prediction_id(run_mode: str, system_id: str, system_version: str, game_id: str,
                  player_id: int, market: str) -> str:
    key = f"{run_mode}|{system_id}|{system_version}|{game_id}|{int(player_id)}|{market}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def closing_as_of(game_date: date) -> datetime:
    """A prediction time after every tip-off of the date: the closing (last pre-game) lines.

    US game dates end by 06:00 UTC the next day (see the game_date_from_utc macro), and
    the lines table holds pre-game lines only.
    """
    return datetime.combine(game_date + timedelta(days=1), datetime.min.time()).replace(hour=12)


class PredictionWorker:
    """Predicts dates against one warehouse: a DuckDB connection (or anything with the same
    execute), or a PredictionIO such as nba_props.predict.bigquery_io.BigQueryPredictionIO."""

    def __init__(self, con: Any, settings: PredictSettings | None = None,
                 run_id: str | None = None, model_store: ModelStore | None = None):
        self.con = con
        self.io: PredictionIO = prediction_io(con)
        self.settings = settings or PredictSettings()
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.model_store = model_store
        self.models_reused = False
        self._markets: list[str] | None = None
        self._cutoff: date | None = None
        self._fitted: list[PredictionSystem] = []
        self._written: list[PredictionSystem] = []
        self._table_ready = False

    @property
    def markets(self) -> list[str]:
        if self._markets is None:
            self._markets = list(self.settings.markets) or self.io.read_markets()
        return self._markets

    @property
    def systems(self) -> list[PredictionSystem]:
        """The systems whose predictions are written (after the first trained date)."""
        return self._written

    @property
    def fitted_systems(self) -> list[PredictionSystem]:
        """Every fitted system, including ensemble components that are not written."""
        return self._fitted

    def models_for(self, game_date: date) -> list[PredictionSystem]:
        """The fitted systems for a date (trained now if its cut-off has no model yet)."""
        cutoff = self.settings.training_cutoff(game_date)
        if cutoff == self._cutoff and self._fitted:
            return self._written
        since = None
        if self.settings.training_days:
            since = cutoff - timedelta(days=self.settings.training_days)
        # A lead-time run trains on the lines and context valid at the same clock time.
        lead = {} if self.settings.training_line_minute is None else {
            "lead_minute": self.settings.training_line_minute}
        log.info("reading the training rows before %s (%d markets)...", cutoff, len(self.markets))
        frame = self.io.read_training_rows(cutoff, self.markets, since, **lead)
        if len(frame) < self.settings.min_training_rows:
            raise InsufficientTrainingData(
                f"{len(frame)} training rows before {cutoff} (need "
                f"{self.settings.min_training_rows})"
            )
        data = TrainingSet(
            frame=frame,
            target=frame["actual_value"].astype(np.float64),
            cutoff=cutoff,
            feature_version=reader.feature_version(frame),
            features=reader.feature_columns(frame),
        )
        fitted, written = build_systems(self.settings.systems,
                                        **self.settings.system_options())
        # The key is taken before fitting (the ensemble's params name its fitted components).
        key = self._key(data, fitted) if self.model_store is not None else None
        loaded = self._load(key, data, fitted)
        if loaded is not None:
            wanted = {s.system_id for s in written}
            fitted, written = loaded, [s for s in loaded if s.system_id in wanted]
        else:
            for n, system in enumerate(fitted, start=1):
                # Fitting takes from seconds to minutes: say which system is at work.
                log.info("fitting %s (%d of %d) on %d rows before %s...", system.system_id, n,
                         len(fitted), len(frame), cutoff)
                system.fit(data)
            log.info("trained %s on %d rows before %s", [s.system_id for s in fitted],
                     len(frame), cutoff)
            self._save(key, fitted)
        self.models_reused = loaded is not None
        self._cutoff, self._fitted, self._written = cutoff, fitted, written
        return written

    def _key(self, data: TrainingSet, unfitted: Sequence[PredictionSystem]) -> ModelKey:
        return model_key(data, unfitted, self.settings.systems, self.markets, self.settings.seed)

    def _load(self, key: ModelKey | None, data: TrainingSet,
              unfitted: Sequence[PredictionSystem]) -> list[PredictionSystem] | None:
        if self.model_store is None or key is None:
            return None
        loaded = self.model_store.load(key, data, [s.system_id for s in unfitted])
        if loaded is not None:
            log.info("reused models %s for cut-off %s (%d training rows) from %s",
                     [s.system_id for s in loaded], data.cutoff, len(data.target),
                     self.model_store.path(key))
        return loaded

    def _save(self, key: ModelKey | None, fitted: Sequence[PredictionSystem]) -> None:
        if self.model_store is None or key is None:
            return
        path = self.model_store.save(key, fitted)
        if path is not None:
            log.info("saved models for cut-off %s to %s", key.cutoff, path)

    def predict_date(self, game_date: date, as_of: datetime | None = None) -> DateResult:
        """Predict every (player, game, market) of the date that has a line at `as_of`."""
        as_of = as_of or datetime.now(UTC).replace(tzinfo=None)
        if as_of.tzinfo is not None:
            as_of = as_of.astimezone(UTC).replace(tzinfo=None)
        if not self._table_ready:
            self.io.ensure_table()
            self._table_ready = True
        frame = self.io.read_prediction_rows(game_date, as_of, self.markets)
        if len(frame) == 0:
            # Nothing to predict (no line yet): no training; earlier rows of the date go.
            systems = self._written or build_systems(self.settings.systems,
                                                     **self.settings.system_options())[1]
            self.io.replace_predictions(
                game_date, self.settings.run_mode,
                [(s.system_id, s.system_version) for s in systems], self.markets,
                self._batch(frame, systems, game_date, as_of),
            )
            return DateResult(game_date, as_of, 0, 0, None, skipped_reason="no lines")
        try:
            systems = self.models_for(game_date)
        except InsufficientTrainingData as exc:
            log.warning("no predictions for %s: %s", game_date, exc)
            return DateResult(game_date, as_of, len(frame), 0, None, skipped_reason=str(exc))
        batch = self._batch(frame, systems, game_date, as_of)
        written = self.io.replace_predictions(
            game_date, self.settings.run_mode,
            [(s.system_id, s.system_version) for s in systems], self.markets, batch,
        )
        return DateResult(
            game_date, as_of, len(frame), written, self._cutoff,
            {s.system_id: s.model_version or "" for s in systems},
            models_reused=self.models_reused,
        )

    def _batch(self, frame: Frame, systems: Sequence[PredictionSystem], game_date: date,
               as_of: datetime) -> pa.Table:
        if len(frame) == 0:
            return pa.Table.from_pylist([], schema=store.ARROW_SCHEMA)
        s = self.settings
        eligible = frame.get("games_played_season") >= s.min_games_for_play
        created_at = datetime.now(UTC).replace(tzinfo=None)
        columns: dict[str, list[Any]] = {name: [] for name in store.ARROW_SCHEMA.names}
        n = len(frame)
        for system in systems:
            mu = system.predict(frame)
            # Calibrated probabilities; plays only in markets the system is promoted in
            # (held-out Brier skill against the no-vig market above 0).
            p_over, p_under = system.probabilities(frame, mu)
            rec, edge, confidence = recommend(
                p_over, p_under, frame["over_odds"], frame["under_odds"], s.edge_threshold,
                eligible & system.promoted(frame["market"]),
            )
            ids = [
                prediction_id(s.run_mode, system.system_id, system.system_version, g, p, m)
                for g, p, m in zip(frame["game_id"], frame["player_id"], frame["market"],
                                   strict=True)
            ]
            values: dict[str, Any] = {
                "prediction_id": ids,
                "run_mode": [s.run_mode] * n,
                "system_id": [system.system_id] * n,
                "system_version": [system.system_version] * n,
                "model_version": [system.model_version] * n,
                "feature_version": list(frame["feature_version"]),
                "game_id": list(frame["game_id"]),
                "game_date": [game_date] * n,
                "player_id": [int(p) for p in frame["player_id"]],
                "market": list(frame["market"]),
                "predicted_value": mu.tolist(),
                "prob_over": p_over.tolist(),
                "prob_under": p_under.tolist(),
                "confidence": confidence.tolist(),
                "edge": edge.tolist(),
                "recommendation": list(rec),
                "edge_threshold": [s.edge_threshold] * n,
                "line": frame["line"].tolist(),
                "consensus_line": _nullable(frame["consensus_line"]),
                "bookmaker": list(frame["bookmaker"]),
                "over_odds": _nullable(frame["over_odds"]),
                "under_odds": _nullable(frame["under_odds"]),
                "line_timestamp": frame["line_timestamp"].astype("datetime64[us]").tolist(),
                "prediction_as_of": [as_of] * n,
                "training_cutoff_date": [system.training_cutoff] * n,
                "n_training_rows": [system.n_training_rows] * n,
                "run_id": [self.run_id] * n,
                "created_at": [created_at] * n,
            }
            for name, vals in values.items():
                columns[name].extend(vals)
        return pa.Table.from_pydict(columns, schema=store.ARROW_SCHEMA)


def _nullable(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) for v in values]
