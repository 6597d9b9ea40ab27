"""Scrapes inside a pipeline run: one processor_execution_log row each, warnings kept.

Every scrape writes a ``job_type = 'scrape'`` row: ``success`` (rows landed), ``warn`` (it
landed, with warnings: events without odds, rows that could not be mapped...) or ``error``
(the redacted message; the ScrapeError is re-raised). The warnings go into the row's
``detail`` and back to the caller, who prints them and sets the exit code.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from nba_props.orchestrate.execution_log import ExecutionLog, job
from nba_props.scrape.errors import MissingSecretError
from nba_props.scrape.landing import MANIFEST
from nba_props.scrape.secrets import get_secret

if TYPE_CHECKING:
    from nba_props.scrape.runner import ScrapeResult

log = logging.getLogger(__name__)

WARN = "warn"  # the status of a job that finished with warnings (as dbt's warned tests)


def scrape_logged(
    source: str,
    day: date,
    landing: Path,
    run_id: str,
    execution_log: ExecutionLog | None,
    *,
    command: str,
    **kwargs: object,
) -> ScrapeResult:
    """``scrape_day`` with its execution-log row (status, rows, requests, warnings)."""
    # Deferred on purpose: the scrapers (pydantic models, nba_api) load only when a run
    # scrapes; replay runs and the CLI's start never import them.
    from nba_props.scrape.runner import scrape_day

    with job(
        execution_log,
        "scrape",
        f"scrape.{source}",
        resource_type="api",
        command=command,
        run_id=run_id,
    ) as record:
        record.set_detail(game_date=day.isoformat())
        result = scrape_day(source, day, landing, run_id, **kwargs)  # type: ignore[arg-type]
        record.rows_affected = sum(result.rows.values())
        record.status = WARN if result.warnings else "success"
        record.set_detail(
            game_date=day.isoformat(),
            rows=result.rows,
            requests=result.requests,
            retries=result.retries,
            warnings=result.warnings,
            warning_count=len(result.warnings),
            rejected_files=[str(p) for p in result.rejected],
            manifest=str(result.manifest) if result.manifest else None,
        )
    for warning in result.warnings:
        log.warning("scrape %s %s: %s", source, day, warning)
    return result


def require_keys(key_env: Mapping[str, str]) -> None:
    """Live mode: every source's API key must be configured (env var or Secret Manager).
    Fails before anything is scraped, and says how to run without the key."""
    for source, name in key_env.items():
        try:
            get_secret(name)
        except MissingSecretError as exc:
            raise MissingSecretError(
                f"--mode live needs {name} for {source}: {exc}; or run with --mode replay "
                "to load the files already landed"
            ) from None


def landed_warnings(files: Iterable[Path]) -> list[str]:
    """The warnings recorded in the manifests of the landed runs these files come from
    (``<run>/flat/<file>`` -> ``<run>/_SUCCESS.json``), once per run."""
    seen: set[Path] = set()
    out: list[str] = []
    for path in files:
        run_dir = Path(path).parent.parent
        if run_dir in seen:
            continue
        seen.add(run_dir)
        try:
            manifest = json.loads((run_dir / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            continue  # a file outside a landed run (reference data): no manifest
        source = manifest.get("source", run_dir.parent.parent.name)
        run = manifest.get("run_id", run_dir.name)
        out += [f"{source} (landed run {run}): {w}" for w in manifest.get("warnings") or []]
    return out
