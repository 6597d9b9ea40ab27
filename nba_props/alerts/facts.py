"""What the warehouse says about a run, for its alert: the game days under the coverage SLO.

Read from the DuckDB warehouse after the run (read-only, one parameterized query). On
BigQuery the alert relies on the SLO test's own result (its failing-row count), which dbt
reports for both engines. A warehouse without the SLO model yet (a first run, predictions
off) has no facts: the alert says what the tests said.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from nba_props.relations import PREDICTION_COVERAGE_SLO

log = logging.getLogger("nba_props.alerts")

SLO_RELATION = PREDICTION_COVERAGE_SLO
MAX_DAYS = 50


@dataclass(frozen=True)
class CoverageDay:
    game_date: date
    with_line: int
    predicted: int
    coverage: float
    target: float

    def line(self) -> str:
        return (
            f"{self.game_date}: {self.predicted:,} of {self.with_line:,} lined player-games "
            f"predicted ({self.coverage:.1%} < {self.target:.0%}), "
            f"{self.with_line - self.predicted:,} without a prediction"
        )


@dataclass(frozen=True)
class WarehouseFacts:
    coverage_below_slo: tuple[CoverageDay, ...] = field(default_factory=tuple)
    # A flagged jump_from_history test -> its failing rows (which model, how slow), read by
    # running the test's compiled SQL again.
    flagged_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)


def read_facts(
    database: Path | None, days: Sequence[date], days_under_slo: int
) -> WarehouseFacts:
    """The newest ``days_under_slo`` game days under the SLO, up to the run's last day (the
    days the SLO test reported: it checks the run's window, which ends there)."""
    if database is None or days_under_slo <= 0 or not Path(database).is_file():
        return WarehouseFacts()
    sql = (
        "select game_date, player_games_with_line, player_games_predicted, coverage, "  # noqa: S608
        f"slo_target from {SLO_RELATION} where not meets_slo"
    )
    params: list[object] = []
    if days:
        sql += " and game_date <= ?"
        params.append(max(days))
    sql += " order by game_date desc limit ?"
    params.append(min(days_under_slo, MAX_DAYS))
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(sql, params).fetchall()
    except duckdb.Error as exc:  # no such table yet, or the file is busy: no facts
        log.debug("alert facts: %s not readable in %s: %s", SLO_RELATION, database, exc)
        return WarehouseFacts()
    return WarehouseFacts(
        coverage_below_slo=tuple(
            CoverageDay(r[0], int(r[1] or 0), int(r[2] or 0), float(r[3] or 0.0), float(r[4]))
            for r in rows
        )
    )


JUMP_TEST_DIR = Path("compiled") / "nba_props" / "models" / "marts" / "monitoring" / (
    "_monitoring__models.yml")
MAX_ROWS = 5


def read_flagged_rows(
    database: Path | None, target_path: Path, tests: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The rows each flagged jump_from_history test found (the slow model, its time and its
    median), from the test's compiled SQL in dbt's target folder; nothing when it is gone."""
    if database is None or not tests or not Path(database).is_file():
        return {}
    found: dict[str, tuple[str, ...]] = {}
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            for test in tests:
                path = target_path / JUMP_TEST_DIR / f"{test}.sql"
                if not path.is_file():
                    continue
                cursor = con.execute(path.read_text(encoding="utf-8"))
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchmany(MAX_ROWS)]
                found[test] = tuple(_jump_line(r) for r in rows)
    except (duckdb.Error, OSError) as exc:
        log.debug("alert facts: flagged rows not readable: %s", exc)
    return found


def _jump_line(row: dict[str, object]) -> str:
    fixed = {"metric_date", "metric_value", "training_points", "baseline_mean",
             "baseline_stddev", "baseline_median", "zscore", "ratio_to_median"}
    group = " / ".join(str(v) for k, v in row.items() if k not in fixed)
    what = f"{group} on {row['metric_date']}" if group else str(row["metric_date"])
    return (
        f"{what}: {_num(row['metric_value'])} against a median of "
        f"{_num(row['baseline_median'])} and a mean of {_num(row['baseline_mean'])} "
        f"(x{_num(row['ratio_to_median'])}, z {_num(row['zscore'])}, "
        f"{row['training_points']} earlier days)"
    )


def _num(value: object) -> str:
    return f"{value:,.3g}" if isinstance(value, int | float) else str(value)
