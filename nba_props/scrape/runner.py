"""``scrape_day``: one source, one date, one run id -> landed raw payloads + flattened files."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from nba_props.scrape import balldontlie, nbacom, odds_api
from nba_props.scrape.config import ScrapeConfig
from nba_props.scrape.context import RunContext, SourceOutput
from nba_props.scrape.errors import ScrapeError
from nba_props.scrape.http import HttpClient
from nba_props.scrape.landing import RunLanding, upload_run
from nba_props.scrape.logs import get_logger, log_context

Source = Literal["nbacom", "odds_api", "balldontlie"]
log = get_logger("run")

SCRAPERS: dict[str, tuple[Callable[[RunContext], SourceOutput], str]] = {
    nbacom.SOURCE: (nbacom.scrape, nbacom.DEFAULT_BASE_URL),
    odds_api.SOURCE: (odds_api.scrape, odds_api.DEFAULT_BASE_URL),
    balldontlie.SOURCE: (balldontlie.scrape, balldontlie.DEFAULT_BASE_URL),
}


@dataclass
class ScrapeResult:
    source: str
    run_id: str
    raw_files: list[Path]
    outputs: dict[str, list[Path]]  # raw table -> flattened files (what the loader reads)
    requests: int  # HTTP attempts sent, retries included
    retries: int
    rejected: list[Path] = field(default_factory=list)  # rows that could not be mapped
    warnings: list[str] = field(default_factory=list)
    manifest: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)


def _root_url(base_url: str) -> str:
    """Scheme and host (plus any path prefix) without a trailing API version segment."""
    url = base_url.rstrip("/")
    for suffix in ("/v4", "/v1", "/stats"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def scrape_day(
    source: Source,
    game_date: date,
    landing_dir: Path,
    run_id: str,
    *,
    base_url: str | None = None,
    timeout: float = 10.0,
    config: ScrapeConfig | None = None,
) -> ScrapeResult:
    """Scrape one source for one date into ``<landing_dir>/<source>/<date>/<run_id>/``.

    ``base_url`` overrides the API host (``http://127.0.0.1:8080`` in tests, a mirror in
    production); ``timeout`` is the read timeout of every request. Raises a
    :class:`ScrapeError` (never leaking a key) when any request fails or any payload does not
    validate; then no flattened file is written for the run.
    """
    if source not in SCRAPERS:
        raise ValueError(f"unknown source {source!r}; expected one of {sorted(SCRAPERS)}")
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    config = config or ScrapeConfig()
    scrape, default_url = SCRAPERS[source]
    landing = RunLanding(Path(landing_dir), source, game_date, run_id)
    client = HttpClient(source, read_timeout=timeout, config=config)
    ctx = RunContext(
        source=source,
        game_date=game_date,
        run_id=run_id,
        base_url=_root_url(base_url or default_url),
        client=client,
        landing=landing,
        config=config,
    )
    started = time.monotonic()
    with log_context(run_id=run_id, source=source, game_date=game_date.isoformat()):
        log.info("scrape started", extra={"event": "start"})
        try:
            output = scrape(ctx)
        except ScrapeError as exc:
            log.error(
                "scrape failed after %d request(s): %s",
                client.stats.requests,
                exc,
                extra={"event": "failed", "error_type": type(exc).__name__},
            )
            raise
        except Exception:
            log.exception("scrape crashed", extra={"event": "crashed"})
            raise
        finally:
            client.close()
        rows = {table: len(r) for table, r in output.tables.items()}
        outputs, rejected, manifest = landing.commit(
            output.tables,
            output.rejected,
            {
                "requests": client.stats.requests,
                "retries": client.stats.retries,
                "rows": rows,
                "warnings": ctx.warnings,
            },
        )
        if config.gcs_uri:
            upload_run(landing.run_dir, landing.root, config.gcs_uri)
        log.info(
            "scrape finished: %s in %.2fs",
            rows,
            time.monotonic() - started,
            extra={
                "event": "finished",
                "requests": client.stats.requests,
                "retries": client.stats.retries,
            },
        )
    return ScrapeResult(
        source=source,
        run_id=run_id,
        raw_files=list(landing.raw_files),
        outputs=outputs,
        requests=client.stats.requests,
        retries=client.stats.retries,
        rejected=rejected,
        warnings=list(ctx.warnings),
        manifest=manifest,
        rows=rows,
    )
