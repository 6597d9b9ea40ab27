"""The short report printed at the end of `make run`: what was built and what needs a look."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nba_props.orchestrate.dbt import DbtOutcome

MART_SCHEMAS = (
    "nba_analytics",
    "nba_precompute",
    "nba_predictions",
    "nba_reference",
    "nba_monitoring",
)


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
        return "\n".join(lines)


def summarize(database: Path, outcome: DbtOutcome, data_label: str) -> RunSummary:
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
        if ("nba_reference", "unresolved_entities") in tables:
            for kind, entities, rows in con.execute(
                "select entity_kind, count(*), sum(occurrences) "
                "from nba_reference.unresolved_entities group by 1"
            ).fetchall():
                summary.unresolved[kind] = (entities, int(rows))
        summary.missing_box_scores = con.execute(
            "select count(*) from nba_intermediate.int_games_unified "
            "where game_status not in ('final', 'scheduled', 'postponed') "
            "or (game_status = 'final' and team_log_rows < 2)"
        ).fetchone()[0]
    return summary
