"""Call dbt in-process through its programmatic runner (dbtRunner)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nba_props.paths import PROJECT_DIR

log = logging.getLogger(__name__)


class DbtError(RuntimeError):
    """dbt finished with errors (failed models or tests) or could not run at all.

    ``outcome`` holds what each node did, when dbt ran (the run's alert lists the failures).
    """

    def __init__(self, message: str, outcome: DbtOutcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass
class NodeOutcome:
    unique_id: str
    resource_type: str
    status: str
    execution_time: float
    message: str | None = None
    rows_affected: int | None = None
    failures: int | None = None
    bytes_processed: int | None = None
    # BigQuery's adapter response (None elsewhere): what the node's query was billed.
    bytes_billed: int | None = None
    slot_ms: int | None = None
    # A data test's generic test (expression_is_true, jump_from_history, ...), else None.
    test_type: str | None = None


@dataclass
class DbtOutcome:
    command: list[str]
    success: bool
    nodes: list[NodeOutcome] = field(default_factory=list)
    exception: str | None = None

    def count(self, resource_type: str | None = None, status: str | None = None) -> int:
        return sum(
            1
            for n in self.nodes
            if (resource_type is None or n.resource_type == resource_type)
            and (status is None or n.status == status)
        )


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a command.

    dbt-duckdb caches one DuckDB instance per process; left open, it blocks other
    connections to the same file (ours, or the next dbt command with other settings).
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: nothing to release
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


@contextmanager
def _env(overrides: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt(
    args: Sequence[str],
    *,
    database: Path | None = None,
    target: str | None = None,
    project_dir: Path = PROJECT_DIR,
    profiles_dir: Path | None = None,
    env: dict[str, str] | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
    quiet: bool = False,
    raise_on_failure: bool = True,
) -> DbtOutcome:
    """Run one dbt command in-process and return what each node did."""
    # Deferred on purpose: dbt takes seconds to import, and only the commands that build
    # need it (`nba-props load` and `--help` start at once).
    from dbt.cli.main import dbtRunner

    cli = [*args, "--project-dir", str(project_dir)]
    cli += ["--profiles-dir", str(profiles_dir or project_dir)]
    if target:
        cli += ["--target", target]
    if target_path is not None:
        cli += ["--target-path", str(target_path)]
    if log_path is not None:
        cli += ["--log-path", str(log_path)]
    if quiet:
        cli = ["--quiet", *cli]
    overrides = dict(env or {})
    if database is not None:
        overrides["NBA_PROPS_DUCKDB"] = str(Path(database).resolve())
    with _env(overrides):
        try:
            result = dbtRunner().invoke(cli)
        finally:
            release_duckdb()
    outcome = DbtOutcome(command=list(cli), success=result.success)
    if result.exception is not None:
        outcome.exception = str(result.exception)
    run_results = getattr(result.result, "results", None) or []
    for node_result in run_results:
        node = getattr(node_result, "node", None)
        adapter_response = getattr(node_result, "adapter_response", None) or {}
        outcome.nodes.append(
            NodeOutcome(
                unique_id=getattr(node, "unique_id", "?"),
                resource_type=str(getattr(node, "resource_type", "?")),
                status=str(getattr(node_result, "status", "?")),
                execution_time=float(getattr(node_result, "execution_time", 0.0) or 0.0),
                message=getattr(node_result, "message", None),
                rows_affected=adapter_response.get("rows_affected"),
                failures=getattr(node_result, "failures", None),
                bytes_processed=adapter_response.get("bytes_processed"),
                bytes_billed=adapter_response.get("bytes_billed"),
                slot_ms=adapter_response.get("slot_ms"),
                test_type=getattr(getattr(node, "test_metadata", None), "name", None),
            )
        )
    if raise_on_failure and not outcome.success:
        failed = [n for n in outcome.nodes if n.status in ("error", "fail", "runtime error")]
        detail = "; ".join(f"{n.unique_id}: {n.status} ({n.message})" for n in failed[:10])
        raise DbtError(
            f"dbt {' '.join(args)} failed: {outcome.exception or detail or 'see dbt log'}",
            outcome,
        )
    return outcome
