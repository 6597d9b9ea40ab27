"""One source of truth per table schema: the Python definitions, and the dbt files made from them.

The tables Python writes and dbt reads are declared once, in Python (see
:mod:`nba_props.schemas.registry`); this package writes the dbt side from them and checks
that it still matches:

- the sources YAML (``models/staging/<source>/_<source>__sources.yml``): each table's
  description and its columns' names, types and descriptions (tests, freshness and configs
  stay hand-written there);
- ``macros/schemas/table_schemas.sql``: the columns and BigQuery layout the dbt hooks create
  the predictions table and the run log with, and the BigQuery type spellings.

``python -m nba_props.schemas generate`` (``make schemas``) rewrites them;
``python -m nba_props.schemas check`` (run by ``make lint``) fails, naming the file, table and
column, when they drift. The logical types and their one per-engine map are in
:mod:`nba_props.schemas.types`.
"""

from __future__ import annotations

from pathlib import Path

from nba_props.paths import PROJECT_DIR

__all__ = ["PROJECT_DIR", "check", "generate"]


def generate(root: Path = PROJECT_DIR) -> list[str]:
    """Write every generated file under ``root``; return the paths that changed."""
    from nba_props.schemas import macros, registry, sources

    changed: list[str] = []
    for spec in registry.source_files():
        path = root / spec.path
        old = path.read_text(encoding="utf-8") if path.exists() else None
        new = sources.render(spec, old)
        if new != old:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new, encoding="utf-8")
            changed.append(spec.path)
    path = root / registry.TABLE_SCHEMAS_MACRO
    old = path.read_text(encoding="utf-8") if path.exists() else None
    new = macros.render(registry.hook_tables())
    if new != old:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8")
        changed.append(registry.TABLE_SCHEMAS_MACRO)
    return changed


def check(root: Path = PROJECT_DIR) -> list[str]:
    """What differs between the generated files under ``root`` and the Python definitions:
    one message per problem, naming the file, the table and the column (empty: in step)."""
    from nba_props.schemas import macros, registry, sources

    problems = [str(d) for spec in registry.source_files() for d in sources.drift(spec, root)]
    problems += [str(d) for d in macros.drift(registry.hook_tables(), root)]
    return problems
