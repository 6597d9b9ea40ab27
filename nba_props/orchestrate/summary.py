"""The short report printed at the end of `make run`: what was built and what needs a look."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nba_props.orchestrate.dbt import DbtOutcome
from nba_props.paths import PROJECT_DIR
from nba_props.relations import (
    DATA_QUALITY_SUMMARY,
    EXECUTION_LOG,
    GAME_BOX_SCORE_COMPLETENESS,
    GAMES,
    MART_SCHEMAS,
    RAW_DUPLICATE_ROWS,
    REJECTED_ROWS,
    UNRESOLVED_ENTITIES,
)


def _key(relation: str) -> tuple[str, str]:
    """'schema.table' -> (schema, table), as information_schema lists it."""
    schema, table = relation.split(".")
    return schema, table


@dataclass
class RunSummary:
    database: Path
    data_label: str
    models_built: int
    tests_passed: int
    tests_warned: int
    tests_failed: int
    row_counts: dict[str, int] = field(default_factory=dict)
    unresolved: dict[str, tuple[int, int]] = field(default_factory=dict)
    missing_box_scores: int = 0
    warnings: list[str] = field(default_factory=list)
    data_quality: DataQualitySummary | None = None

    def render(self) -> str:
        lines = [
            "",
            f"== nba-props run summary ({self.data_label}) ==",
            f"DuckDB file: {self.database}",
            f"models built: {self.models_built}   tests: {self.tests_passed} passed, "
            f"{self.tests_warned} warned, {self.tests_failed} failed",
            "tables (rows):",
        ]
        width = max((len(k) for k in self.row_counts), default=10)
        lines += [f"  {name:<{width}}  {rows:>10,}" for name, rows in self.row_counts.items()]
        lines.append("unresolved (entities / source rows):")
        if not self.unresolved:
            lines.append("  none")
        for kind, (entities, rows) in sorted(self.unresolved.items()):
            lines.append(f"  {kind:<16} {entities:>6} / {rows:,}")
        lines.append(f"final games missing a box score: {self.missing_box_scores}")
        lines += [f"warning: {w}" for w in self.warnings]
        if self.data_quality is not None:
            lines += self.data_quality.render()
        return "\n".join(lines)


def summarize(
    database: Path,
    outcome: DbtOutcome,
    data_label: str,
    freshness: DbtOutcome | None = None,
) -> RunSummary:
    summary = RunSummary(
        database=database.resolve(),
        data_label=data_label,
        models_built=outcome.count("model", "success"),
        tests_passed=outcome.count("test", "pass"),
        tests_warned=outcome.count("test", "warn"),
        tests_failed=outcome.count("test", "fail") + outcome.count("test", "error"),
    )
    summary.warnings = [
        f"{n.unique_id.split('.')[-2] if n.unique_id.count('.') > 2 else n.unique_id}: "
        f"{n.failures} rows"
        for n in outcome.nodes
        if n.resource_type == "test" and n.status == "warn"
    ]
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?::varchar[])) order by 1, 2",
            [list(MART_SCHEMAS)],
        ).fetchall()
        for schema, table in tables:
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]  # noqa: S608 - names from information_schema
            summary.row_counts[f"{schema}.{table}"] = rows
        if _key(UNRESOLVED_ENTITIES) in tables:
            for kind, entities, rows in con.execute(
                "select entity_kind, count(*), sum(occurrences) "  # noqa: S608 - a constant
                f"from {UNRESOLVED_ENTITIES} group by 1"
            ).fetchall():
                summary.unresolved[kind] = (entities, int(rows))
        has_games = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?", list(_key(GAMES)),
        ).fetchone()[0]
        if has_games:  # absent when the build failed before it
            summary.missing_box_scores = con.execute(
                f"select count(*) from {GAMES} "  # noqa: S608 - a constant
                "where game_status not in ('final', 'scheduled', 'postponed') "
                "or (game_status = 'final' and team_log_rows < 2)"
            ).fetchone()[0]
        summary.data_quality = data_quality_summary(con, outcome, freshness, tables)
        if summary.data_quality.missing_games is not None:
            summary.missing_box_scores = summary.data_quality.missing_games
    return summary


# ---- data quality (issue 6) ------------------------------------------------------------

ELEMENTARY_REPORT = Path("reports") / "elementary_report.html"


@dataclass
class DataQualitySummary:
    """The data-quality part of the run summary: tests, unmatched names, missing games,
    raw duplicates, source freshness, Elementary, and where to look next."""

    run_id: str | None
    tests: dict[str, int]
    failed_tests: list[str]
    warned_tests: list[str]
    unresolved: dict[str, int]
    missing_games: int | None
    # duplicate-key rows, files with them, null-key rows, redundant files
    raw_duplicates: tuple[int, int, int, int] | None
    rejected_rows: dict[str, int] | None  # rows the loader set aside, by reason
    freshness: dict[str, int]
    stale_sources: list[str]
    elementary: tuple[int, int, int] | None  # anomaly tests passed, warned, failed; None = off
    target_path: Path
    elementary_report: Path | None

    def render(self) -> str:
        t = self.tests
        out = [
            "",
            "== data quality ==",
            f"tests:           {t['pass']} passed, {t['warn']} warned, {t['fail']} failed"
            + (f", {t['skipped']} skipped" if t["skipped"] else ""),
        ]
        out += [f"  failed: {name}" for name in self.failed_tests]
        out += [f"  warned: {name}" for name in self.warned_tests]
        u = self.unresolved
        out.append(
            f"unmatched:       {u.get('player_name', 0)} player names, "
            f"{u.get('team_code', 0)} team codes, {u.get('prop_game', 0)} prop games, "
            f"{u.get('game_line_game', 0)} game-line games, {u.get('prop_market', 0)} unknown "
            f"markets, {u.get('prop_market_not_modelled', 0)} markets not modelled"
            f"  ({UNRESOLVED_ENTITIES})"
        )
        if self.missing_games is not None:
            out.append(
                f"missing games:   {self.missing_games} final games without both team box scores"
                f"  ({GAME_BOX_SCORE_COMPLETENESS})"
            )
        if self.raw_duplicates is not None:
            dups, files, nulls, redundant = self.raw_duplicates
            out.append(
                f"raw duplicates:  {dups} duplicate-key rows in {files} files, {nulls} null-key "
                f"rows, {redundant} redundant files  ({RAW_DUPLICATE_ROWS})"
            )
        if self.rejected_rows is not None:
            reasons = ", ".join(f"{n} {r}" for r, n in sorted(self.rejected_rows.items()))
            out.append(
                f"loader rejects:  {sum(self.rejected_rows.values())} rows set aside"
                + (f" ({reasons})" if reasons else "")
                + f"  ({REJECTED_ROWS})"
            )
        f = self.freshness
        if f:
            out.append(
                f"freshness:       {f.get('pass', 0)} fresh, {f.get('warn', 0)} warn, "
                f"{f.get('error', 0)} error (dbt source freshness)"
            )
            out += [f"  {line}" for line in self.stale_sources]
        else:
            out.append("freshness:       not checked (dbt source freshness)")
        if self.elementary is None:
            out.append("elementary:      off (turn it on: make elementary-on)")
        else:
            passed, warned, failed = self.elementary
            out.append(
                f"elementary:      anomaly tests {passed} passed, {warned} warned, "
                f"{failed} failed (report: make elementary-report)"
            )
        out.append("reports:")
        out.append(
            f"  run log        {EXECUTION_LOG}"
            + (f"  (run_id = '{self.run_id}')" if self.run_id else "")
        )
        out.append(f"  daily summary  {DATA_QUALITY_SUMMARY}")
        out.append(
            f"  dbt results    {self.target_path / 'run_results.json'}, "
            f"{self.target_path / 'sources.json'}"
        )
        docs = PROJECT_DIR / "target" / "docs" / "index.html"  # where `make docs` writes it
        out.append(f"  docs site      {docs}" + ("" if docs.exists() else "  (make docs)"))
        if self.elementary_report is not None:
            out.append(
                f"  elementary     {self.elementary_report}  (refresh: make elementary-report)"
            )
        return out


def _test_name(unique_id: str) -> str:
    parts = unique_id.split(".")
    return parts[2] if len(parts) > 2 else unique_id


def data_quality_summary(
    con: duckdb.DuckDBPyConnection,
    outcome: DbtOutcome,
    freshness: DbtOutcome | None,
    tables: list[tuple[str, str]],
) -> DataQualitySummary:
    tests = [n for n in outcome.nodes if n.resource_type in ("test", "unit_test")]
    counts = {
        "pass": sum(1 for n in tests if n.status == "pass"),
        "warn": sum(1 for n in tests if n.status == "warn"),
        "fail": sum(1 for n in tests if n.status in ("fail", "error")),
        "skipped": sum(1 for n in tests if n.status == "skipped"),
    }
    failed = [
        f"{_test_name(n.unique_id)} ({n.failures if n.failures is not None else n.status}"
        f"{' rows' if n.failures is not None else ''})"
        for n in tests
        if n.status in ("fail", "error")
    ]
    warned = [f"{_test_name(n.unique_id)} ({n.failures} rows)" for n in tests if n.status == "warn"]
    anomaly = [n for n in tests if _test_name(n.unique_id).startswith("elementary_")]
    elementary = None
    if anomaly:
        elementary = (
            sum(1 for n in anomaly if n.status == "pass"),
            sum(1 for n in anomaly if n.status == "warn"),
            sum(1 for n in anomaly if n.status in ("fail", "error")),
        )

    unresolved: dict[str, int] = {}
    if _key(UNRESOLVED_ENTITIES) in tables:
        unresolved = dict(
            con.execute(
                f"select entity_kind, count(*) from {UNRESOLVED_ENTITIES} group by 1"  # noqa: S608
            ).fetchall()
        )
    missing_games = None
    if _key(GAME_BOX_SCORE_COMPLETENESS) in tables:
        missing_games = con.execute(
            f"select count(*) from {GAME_BOX_SCORE_COMPLETENESS} "  # noqa: S608 - a constant
            "where completeness_status != 'complete'"
        ).fetchone()[0]
    raw_duplicates = None
    if _key(RAW_DUPLICATE_ROWS) in tables:
        row = con.execute(
            "select coalesce(sum(duplicate_key_rows) filter (where duplicates_are_errors), 0), "  # noqa: S608
            "count(*) filter (where duplicates_are_errors and duplicate_key_rows > 0), "
            "coalesce(sum(null_key_rows), 0), count(*) filter (where is_redundant_file) "
            f"from {RAW_DUPLICATE_ROWS}"
        ).fetchone()
        raw_duplicates = (int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    rejected_rows = None
    has_rejects = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = ?", list(_key(REJECTED_ROWS)),
    ).fetchone()[0]
    if has_rejects:  # created by the loader (nba_props.load)
        rejected_rows = dict(
            con.execute(
                f"select reason, count(*) from {REJECTED_ROWS} group by 1"  # noqa: S608
            ).fetchall()
        )

    fresh: dict[str, int] = {}
    stale: list[str] = []
    run_id = os.environ.get("NBA_PROPS_RUN_ID")
    if freshness is not None:
        for node in (n for n in freshness.nodes if n.resource_type == "source"):
            status = "error" if node.status in ("error", "runtime error") else node.status
            fresh[status] = fresh.get(status, 0) + 1
        stale = _stale_sources(con, freshness, tables)
    target_path = PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
    report = PROJECT_DIR / ELEMENTARY_REPORT
    return DataQualitySummary(
        run_id=run_id,
        tests=counts,
        failed_tests=failed,
        warned_tests=warned,
        unresolved=unresolved,
        missing_games=missing_games,
        raw_duplicates=raw_duplicates,
        rejected_rows=rejected_rows,
        freshness=fresh,
        stale_sources=stale,
        elementary=elementary,
        target_path=target_path,
        elementary_report=report if report.exists() and elementary is not None else None,
    )


def _stale_sources(
    con: duckdb.DuckDBPyConnection, freshness: DbtOutcome, tables: list[tuple[str, str]]
) -> list[str]:
    """'<status>: <source> (<why>)' for each source past an SLA, the why from the run log."""
    stale = [n for n in freshness.nodes if n.resource_type == "source" and n.status != "pass"]
    messages: dict[str, str] = {}
    if stale and _key(EXECUTION_LOG) in tables:
        rows = con.execute(
            f"select job_name, error_message from {EXECUTION_LOG} "  # noqa: S608 - a constant
            "where command = 'dbt freshness' and job_name in (select unnest(?::varchar[])) "
            "qualify row_number() over (partition by job_name order by logged_at desc) = 1",
            [[n.unique_id for n in stale]],
        ).fetchall()
        messages = {name: message for name, message in rows if message}
    return [
        f"{n.status}: {n.unique_id.split('.', 2)[-1]}"
        + (f" ({messages[n.unique_id]})" if n.unique_id in messages else "")
        for n in stale
    ]
