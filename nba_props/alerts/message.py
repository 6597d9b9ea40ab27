"""One alert per run: what failed or degraded, the counts, and where to look.

:func:`build_alert` turns what a command came to (:class:`RunOutcome`: the days of
``daily`` / ``backfill``, dbt's node results, the error that stopped the run) and what the
warehouse says (:class:`~nba_props.alerts.facts.WarehouseFacts`: coverage under the SLO)
into one :class:`Alert`, or None for a healthy run. Every failing test, day or step of the
run is a line of the same alert, grouped by kind: one incident, one message.

What makes a run alert (the kinds, most severe first):

==================  ===============================================================  ========
kind                what                                                            severity
==================  ===============================================================  ========
run_error           the run stopped: dbt, load or scrape error (exit 1, 2, 3)       failure
missing_data        a day had nothing (or no NBA.com files) landed (exit 4)         failure
dbt_error           a model, seed or snapshot errored                                failure
test_failed         a test at severity error failed                                  failure
coverage_slo        prediction coverage under the SLO (prediction_coverage_meets_slo)  degraded
cost_budget         a day's cost or job time over budget, or this run's alone         degraded
anomaly             a jump or slowdown (jump_from_history) or an Elementary anomaly   degraded
test_warned         a warning test with at least warn_min_rows failing rows          degraded
scrape_warnings     the scrapes (or landed runs) reported warnings (exit 5)          degraded
==================  ===============================================================  ========

Every text that goes out passes through the redactor: a registered secret (API keys, the
webhook URL, the SMTP password) never reaches a message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nba_props.alerts.config import Thresholds
from nba_props.paths import PROJECT_DIR
from nba_props.relations import (
    DATA_QUALITY_SUMMARY,
    EXECUTION_LOG,
    PIPELINE_COST_DAILY,
    PREDICTION_COVERAGE,
    PREDICTION_COVERAGE_SLO,
)
from nba_props.scrape.redaction import redact

if TYPE_CHECKING:  # light at import: the CLI imports this module on every command
    from nba_props.alerts.facts import WarehouseFacts
    from nba_props.orchestrate.daily import DayResult
    from nba_props.orchestrate.dbt import DbtOutcome, NodeOutcome

FAILURE = "failure"
DEGRADED = "degraded"
# Kinds in the order the alert lists them (the first one names the alert).
KINDS = (
    "run_error",
    "missing_data",
    "dbt_error",
    "test_failed",
    "coverage_slo",
    "cost_budget",
    "anomaly",
    "test_warned",
    "scrape_warnings",
)
FAILURE_KINDS = frozenset(KINDS[:4])

# The tests that carry the watched metrics (models/marts/monitoring/_monitoring__models.yml).
SLO_TEST = "prediction_coverage_meets_slo"
BUDGET_TEST = "pipeline_cost_within_daily_budget"
ANOMALY_TEST_TYPES = frozenset({
    "jump_from_history",  # the project's z-score / slowdown test
    "volume_anomalies", "freshness_anomalies", "column_anomalies", "dimension_anomalies",
    "all_columns_anomalies", "event_freshness_anomalies", "schema_changes",
    "schema_changes_from_baseline",  # Elementary's
})
NODE_ERRORS = ("error", "runtime error")
TEST_FAILURES = ("fail", "error", "runtime error")
MAX_ITEMS = 10  # lines listed per kind; the count says how many there are
MAX_ITEM_CHARS = 300


@dataclass
class RunOutcome:
    """What a command came to, filled in by the CLI as it runs."""

    command: str  # daily | backfill | run
    run_id: str
    label: str = ""  # e.g. "daily 2026-01-15"
    days: list[DayResult] = field(default_factory=list)
    dbt: list[DbtOutcome] = field(default_factory=list)  # outside days (run, a DbtError)
    error: str | None = None  # the one-line summary the CLI printed ("dbt error: ...")
    error_kind: str | None = None  # "dbt error", "load error", "scrape error"
    database: Path | None = None  # the DuckDB warehouse (None on BigQuery)
    landing: Path | None = None
    target_path: Path | None = None  # where dbt wrote run_results.json
    warehouse: str = "duckdb"

    def failed(self, kind: str, exc: BaseException) -> None:
        """Record the error that stopped the run (and dbt's node results, if it has them)."""
        self.error_kind = kind
        self.error = f"{kind}: {exc}"
        outcome = getattr(exc, "outcome", None)
        if outcome is not None and outcome not in self.dbt:
            self.dbt.append(outcome)

    def dbt_outcomes(self) -> list[DbtOutcome]:
        return [*(o for d in self.days for o in d.dbt), *self.dbt]

    def nodes(self) -> list[NodeOutcome]:
        return [n for o in self.dbt_outcomes() for n in o.nodes]

    def game_days(self) -> list[date]:
        return [d.day for d in self.days]


@dataclass(frozen=True)
class Finding:
    kind: str
    summary: str  # one line, with the count
    count: int
    items: tuple[str, ...] = ()  # the first MAX_ITEMS of what it counts

    @property
    def severity(self) -> str:
        return FAILURE if self.kind in FAILURE_KINDS else DEGRADED


@dataclass(frozen=True)
class Alert:
    run_id: str
    label: str
    severity: str
    exit_code: int
    findings: tuple[Finding, ...]
    counts: dict[str, int | float]
    where_to_look: tuple[str, ...]
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def fingerprint(self) -> str:
        """The incident: the run and what is wrong with it (not when it was noticed)."""
        key = json.dumps(
            [self.run_id, self.label, self.severity,
             [(f.kind, f.count, list(f.items)) for f in self.findings]],
            sort_keys=True,
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def title(self) -> str:
        head = self.findings[0].summary if self.findings else "no findings"
        more = f" (+{len(self.findings) - 1} more)" if len(self.findings) > 1 else ""
        return redact(
            f"[nba-props] {self.severity.upper()}: {self.label} run {self.run_id}: {head}{more}"
        )

    def text(self) -> str:
        """Plain text: the email body and the Slack message."""
        lines = [self.title, ""]
        lines.append(f"run id: {self.run_id}   exit code: {self.exit_code}")
        lines.append("counts: " + ", ".join(f"{k} {_number(v)}" for k, v in self.counts.items()))
        lines.append("")
        for finding in self.findings:
            lines.append(f"* {finding.kind}: {finding.summary}")
            lines += [f"    - {item}" for item in finding.items]
            if finding.count > len(finding.items) and finding.items:
                lines.append(f"    - ... {finding.count - len(finding.items)} more")
        lines.append("")
        lines.append("where to look:")
        lines += [f"  {w}" for w in self.where_to_look]
        return redact("\n".join(lines))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fingerprint"] = self.fingerprint
        data["title"] = self.title
        return json.loads(redact(json.dumps(data, default=str)))

    def payload(self, fmt: str) -> dict[str, Any]:
        """The webhook body: Slack's ``{"text": ...}``, or the whole alert as JSON."""
        if fmt == "slack":
            return {"text": self.text()}
        return {"text": self.text(), "alert": self.as_dict()}


def build_alert(
    outcome: RunOutcome,
    exit_code: int,
    thresholds: Thresholds,
    facts: WarehouseFacts | None = None,
) -> Alert | None:
    """The run's one alert, or None when nothing failed or degraded."""
    nodes = outcome.nodes()
    findings: list[Finding] = []
    findings += _run_error(outcome)
    findings += _missing_days(outcome)
    findings += _node_errors(nodes)
    findings += _failed_tests(nodes)
    findings += _coverage(nodes, thresholds, facts)
    findings += _cost(outcome, nodes, thresholds)
    findings += _anomalies(nodes, facts)
    warned, quiet = _warned_tests(nodes, thresholds)
    findings += warned
    findings += _scrape_warnings(outcome)
    if not findings:
        return None
    findings.sort(key=lambda f: KINDS.index(f.kind))
    severity = FAILURE if any(f.severity == FAILURE for f in findings) else DEGRADED
    counts = _counts(outcome, nodes)
    if quiet:
        counts["tests_warned_below_threshold"] = quiet
    return Alert(
        run_id=outcome.run_id,
        label=outcome.label or outcome.command,
        severity=severity,
        exit_code=exit_code,
        findings=tuple(findings),
        counts=counts,
        where_to_look=tuple(_where_to_look(outcome, findings)),
    )


# ---- findings ------------------------------------------------------------------------------


def _finding(kind: str, summary: str, count: int, items: Iterable[str] = ()) -> Finding:
    listed = tuple(redact(i)[:MAX_ITEM_CHARS] for i in list(items)[:MAX_ITEMS])
    return Finding(kind, redact(summary)[:MAX_ITEM_CHARS], count, listed)


def _node_name(node: NodeOutcome) -> str:
    parts = node.unique_id.split(".")
    return parts[2] if len(parts) > 2 else node.unique_id


def _node_line(node: NodeOutcome) -> str:
    rows = f", {node.failures} rows" if node.failures else ""
    # dbt's "Got 3 results, configured to fail if != 0" says the row count again
    said = node.message and not (_is_test(node) and node.message.startswith("Got "))
    message = f": {node.message}" if said else ""
    return f"{_node_name(node)} ({node.resource_type} {node.status}{rows}){message}"


def _is_test(node: NodeOutcome) -> bool:
    return node.resource_type in ("test", "unit_test")


def _watched(node: NodeOutcome) -> bool:
    return _node_name(node) in (SLO_TEST, BUDGET_TEST) or _is_anomaly(node)


def _is_anomaly(node: NodeOutcome) -> bool:
    return (node.test_type or "") in ANOMALY_TEST_TYPES


def _run_error(outcome: RunOutcome) -> list[Finding]:
    if not outcome.error:
        return []
    kind = outcome.error_kind or "error"
    return [_finding("run_error", f"{kind}: the run stopped", 1, outcome.error.splitlines())]


def _missing_days(outcome: RunOutcome) -> list[Finding]:
    missing = [d for d in outcome.days if d.outcome == "missing"]
    if not missing:
        return []
    return [_finding(
        "missing_data",
        f"{len(missing)} day(s) with missing data: not loaded, not marked done",
        len(missing),
        (f"{d.day}: {d.message}" for d in missing),
    )]


def _node_errors(nodes: Sequence[NodeOutcome]) -> list[Finding]:
    errored = [n for n in nodes if not _is_test(n) and n.status in NODE_ERRORS]
    if not errored:
        return []
    skipped = sum(1 for n in nodes if n.status == "skipped")
    return [_finding(
        "dbt_error",
        f"{len(errored)} dbt node(s) errored ({skipped} downstream skipped)",
        len(errored),
        map(_node_line, errored),
    )]


def _failed_tests(nodes: Sequence[NodeOutcome]) -> list[Finding]:
    failed = [n for n in nodes if _is_test(n) and n.status in TEST_FAILURES and not _watched(n)]
    if not failed:
        return []
    return [_finding(
        "test_failed",
        f"{len(failed)} test(s) failed at severity error",
        len(failed),
        map(_node_line, failed),
    )]


def _coverage(
    nodes: Sequence[NodeOutcome], thresholds: Thresholds, facts: WarehouseFacts | None
) -> list[Finding]:
    tests = slo_tests_flagged(nodes)
    if not tests:
        return []
    days = list(facts.coverage_below_slo) if facts else []
    count = sum(int(n.failures or 0) for n in tests) or len(days) or len(tests)
    items = [d.line() for d in days] or [_node_line(n) for n in tests]
    return [_finding(
        "coverage_slo",
        f"prediction coverage under the SLO ({thresholds.coverage_slo:.0%}) on {count} game day(s)",
        count,
        items,
    )]


def slo_tests_flagged(nodes: Sequence[NodeOutcome]) -> list[NodeOutcome]:
    """The coverage-SLO test's results that warned or failed (the trigger of coverage_slo)."""
    return [n for n in nodes
            if _node_name(n) == SLO_TEST and n.status in ("warn", *TEST_FAILURES)]


def _cost(
    outcome: RunOutcome, nodes: Sequence[NodeOutcome], thresholds: Thresholds
) -> list[Finding]:
    items: list[str] = []
    for node in nodes:
        if _node_name(node) == BUDGET_TEST and node.status in ("warn", *TEST_FAILURES):
            items.append(
                f"{BUDGET_TEST}: the newest day in {PIPELINE_COST_DAILY} is over "
                f"the daily budget (${thresholds.budget_usd:g}, {thresholds.budget_seconds:g} s "
                "of job time)"
            )
    billed = sum(int(n.bytes_billed or 0) for n in nodes)
    usd = billed / 2**40 * thresholds.usd_per_tib
    seconds = _run_seconds(outcome, nodes)
    if usd > thresholds.budget_usd:
        items.append(
            f"this run alone billed {billed / 2**30:,.1f} GiB (${usd:,.2f}) over the daily "
            f"budget of ${thresholds.budget_usd:g}"
        )
    if seconds > thresholds.budget_seconds:
        items.append(
            f"this run's jobs took {seconds:,.0f} s, over the daily budget of "
            f"{thresholds.budget_seconds:g} s"
        )
    if not items:
        return []
    return [_finding("cost_budget", f"cost over budget ({len(items)} check(s))", len(items),
                     items)]


def _run_seconds(outcome: RunOutcome, nodes: Sequence[NodeOutcome]) -> float:
    """Job time of the run: its dbt nodes, and its Python steps (loads, predict)."""
    dbt_seconds = sum(n.execution_time for n in nodes)
    python_seconds = sum(
        s.seconds for d in outcome.days for s in d.steps
        if not s.step.startswith(("dbt", "grade"))
    )
    return dbt_seconds + python_seconds


def anomaly_tests_flagged(nodes: Sequence[NodeOutcome]) -> list[NodeOutcome]:
    return [n for n in nodes if _is_anomaly(n) and n.status in ("warn", *TEST_FAILURES)]


def _anomalies(nodes: Sequence[NodeOutcome], facts: WarehouseFacts | None) -> list[Finding]:
    flagged = anomaly_tests_flagged(nodes)
    if not flagged:
        return []
    rows = facts.flagged_rows if facts else {}
    items = [line for n in flagged
             for line in (_node_line(n), *(f"  {r}" for r in rows.get(_node_name(n), ())))]
    return [Finding(
        "anomaly",
        redact(f"{len(flagged)} anomaly check(s) flagged a jump or slowdown"),
        len(flagged),
        tuple(redact(i)[:MAX_ITEM_CHARS] for i in items[:MAX_ITEMS * 2]),
    )]


def _warned_tests(
    nodes: Sequence[NodeOutcome], thresholds: Thresholds
) -> tuple[list[Finding], int]:
    warned = [n for n in nodes if _is_test(n) and n.status == "warn" and not _watched(n)]
    loud = [n for n in warned if int(n.failures or 0) >= thresholds.warn_min_rows]
    if not loud:
        return [], len(warned)
    return [_finding(
        "test_warned",
        f"{len(loud)} warning test(s) with {thresholds.warn_min_rows}+ failing rows",
        len(loud),
        map(_node_line, loud),
    )], len(warned) - len(loud)


def _scrape_warnings(outcome: RunOutcome) -> list[Finding]:
    warnings = [f"{d.day}: {w}" for d in outcome.days for w in d.warnings]
    if not warnings:
        return []
    return [_finding(
        "scrape_warnings",
        f"{len(warnings)} warning(s) from the scrapes or landed runs",
        len(warnings),
        warnings,
    )]


# ---- counts and pointers -----------------------------------------------------------------


def _counts(outcome: RunOutcome, nodes: Sequence[NodeOutcome]) -> dict[str, int | float]:
    counts: dict[str, int | float] = {}
    if outcome.days:
        counts["days"] = len(outcome.days)
        for kind in ("built", "no_games", "missing"):
            counts[f"days_{kind}"] = sum(1 for d in outcome.days if d.outcome == kind)
        counts["rows_loaded"] = sum(d.rows_loaded for d in outcome.days)
        counts["predictions"] = sum(d.predictions for d in outcome.days)
    if nodes:
        built = [n for n in nodes if not _is_test(n)]
        tests = [n for n in nodes if _is_test(n)]
        counts["models_ok"] = sum(1 for n in built if n.status == "success")
        counts["models_error"] = sum(1 for n in built if n.status in NODE_ERRORS)
        counts["nodes_skipped"] = sum(1 for n in nodes if n.status == "skipped")
        counts["tests_passed"] = sum(1 for n in tests if n.status == "pass")
        counts["tests_warned"] = sum(1 for n in tests if n.status == "warn")
        counts["tests_failed"] = sum(1 for n in tests if n.status in TEST_FAILURES)
        billed = sum(int(n.bytes_billed or 0) for n in nodes)
        if billed:
            counts["gib_billed"] = round(billed / 2**30, 2)
        counts["dbt_seconds"] = round(sum(n.execution_time for n in nodes), 1)
    return counts


def _where_to_look(outcome: RunOutcome, findings: Sequence[Finding]) -> list[str]:
    kinds = {f.kind for f in findings}
    run = outcome.run_id.replace("'", "")
    where = [
        # a query for a person to run (shown, never executed here)
        f"run log: select * from {EXECUTION_LOG} "  # noqa: S608
        f"where run_id = '{run}' and status not in ('success', 'pass') order by started_at",
        f"logs: the command's JSON log lines (stderr), every line has run_id {outcome.run_id}",
    ]
    if outcome.dbt_outcomes() or "run_error" in kinds:
        target = outcome.target_path or PROJECT_DIR / "target"
        where.append(f"dbt: {target / 'run_results.json'} and {PROJECT_DIR / 'logs' / 'dbt.log'}")
    if "missing_data" in kinds and outcome.landing is not None:
        where.append(f"landing zone: {outcome.landing}/<source>/<day>/ (and _quarantine/)")
    if "coverage_slo" in kinds:
        where.append(f"coverage: {PREDICTION_COVERAGE_SLO}, and per market: "
                     f"{PREDICTION_COVERAGE} (players_missing_prediction)")
    if kinds & {"cost_budget", "anomaly"}:
        where.append(f"cost and time: {PIPELINE_COST_DAILY}, "
                     "pipeline_step_costs_daily, pipeline_model_costs_daily")
    if "anomaly" in kinds:
        where.append("Elementary (where it is on): make elementary-report -> "
                     "reports/elementary_report.html")
    where.append(f"daily summary: {DATA_QUALITY_SUMMARY}")
    return where


def _number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
