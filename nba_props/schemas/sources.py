"""Write and check the dbt sources YAML from the Python table definitions.

The generator owns, for each table of a :class:`~nba_props.schemas.registry.SourceFile`: the
table's ``description`` (and ``identifier``), and its ``columns``: which, in which order,
each one's ``name``, ``data_type`` (where the file types its columns) and ``description``.
Everything else is hand-written in the YAML and kept as it is: the source's settings
(``schema``, ``loaded_at_field``, ...), each table's ``freshness``, ``config`` and tests, and
each column's tests (kept by column name). The file is re-emitted in one stable style.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nba_props.schemas.registry import DocTable, SourceFile

HEADER = (
    "# Generated in part by `python -m nba_props.schemas generate` (make schemas), from\n"
    "# {definition}\n"
    "# It writes each table's description and its columns (names, types, descriptions): edit\n"
    "# them there. Tests, freshness and configs are hand-written here and kept; so are the\n"
    "# comments between `version` and `sources`. make lint fails when the two drift apart.\n"
)
WIDTH = 100
_OWNED_TABLE_KEYS = ("name", "identifier", "description", "columns")
_OWNED_COLUMN_KEYS = ("name", "description", "data_type")


class _Dumper(yaml.SafeDumper):
    """Block style with indented sequences; flow style for short all-scalar collections
    (``[unique, not_null]``, ``{severity: warn}``); Jinja in double quotes; long prose
    folded (``>-``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def write_folded(self, text: str) -> None:
        """Prose folded at word boundaries so that no line passes the width (PyYAML's own
        folding lets a line run one word past it)."""
        if "\n" in text or "  " in text or text != text.strip():
            super().write_folded(text)
            return
        self.write_indicator(">-", True)
        self.write_line_break()
        self.write_indent()
        for i, word in enumerate(text.split(" ")):
            if i and self.column + 1 + len(word) > self.best_width:
                self.write_indent()
            elif i:
                self.stream.write(" ")
                self.column += 1
            self.stream.write(word)
            self.column += len(word)
        self.write_line_break()


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flow(values: list[Any]) -> bool:
    return (
        all(_scalar(v) for v in values)
        and sum(len(str(v)) + 2 for v in values) < 60
        and not any(isinstance(v, str) and "\n" in v for v in values)
    )


def _represent_dict(dumper: _Dumper, data: dict[str, Any]) -> yaml.Node:
    flow = "name" not in data and _flow([*data.keys(), *data.values()])
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_flow(data))


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    if "{{" in data or data.startswith("'"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    if len(data) > 72 and " " in data and "\n" not in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, width=WIDTH, allow_unicode=True, indent=2
    )


def _column(column: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.name, "description": column.description}
    if column.data_type is not None:
        out["data_type"] = column.data_type
    for key, value in (existing or {}).items():
        if key not in _OWNED_COLUMN_KEYS:
            out[key] = value
    return out


def _table(table: DocTable, existing: dict[str, Any] | None) -> dict[str, Any]:
    old_columns = {c["name"]: c for c in (existing or {}).get("columns") or []}
    columns = [_column(c, old_columns.get(c.name)) for c in table.columns]
    out: dict[str, Any] = {"name": table.name}
    if table.identifier:
        out["identifier"] = table.identifier
    out["description"] = table.description
    out["columns"] = columns
    for key, value in (existing or {}).items():
        if key not in _OWNED_TABLE_KEYS:
            out[key] = value
    return out


def _comments(text: str) -> list[str]:
    """The hand-written comment lines between ``version:`` and ``sources:`` (the lines
    before ``version:`` are the generated header)."""
    kept: list[str] = []
    after_version = False
    for line in text.splitlines():
        if line.startswith("sources:"):
            break
        if line.startswith("version:"):
            after_version = True
        elif after_version and line.startswith("#"):
            kept.append(line)
    return kept


def render(spec: SourceFile, existing_text: str | None) -> str:
    """The file's text: the Python definitions merged into the hand-written YAML."""
    document = yaml.safe_load(existing_text) if existing_text else None
    document = document or {"version": 2, "sources": []}
    sources = document.get("sources") or []
    source = next((s for s in sources if s.get("name") == spec.source), None)
    if source is None:
        source = {"name": spec.source}
        sources.append(source)
    old_tables = {t["name"]: t for t in source.get("tables") or []}
    source["tables"] = [_table(t, old_tables.get(t.name)) for t in spec.tables]
    body = dump({"sources": sources})
    header = HEADER.format(definition=spec.definition)
    comments = _comments(existing_text or "")
    parts = [header, "version: 2\n\n"]
    if comments:
        parts.append("\n".join(comments) + "\n")
    parts.append(body)
    return "".join(parts)


@dataclass(frozen=True)
class Drift:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _declared(text: str, source: str) -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(text) or {}
    for s in document.get("sources") or []:
        if s.get("name") == source:
            return {t["name"]: t for t in s.get("tables") or []}
    return {}


def drift(spec: SourceFile, root: Path) -> list[Drift]:
    """How the file differs from what ``generate`` would write, table and column named."""
    path = root / spec.path
    if not path.exists():
        return [Drift(spec.path, "missing (python -m nba_props.schemas generate writes it)")]
    text = path.read_text(encoding="utf-8")
    declared = _declared(text, spec.source)
    problems: list[Drift] = []

    def report(message: str) -> None:
        problems.append(Drift(spec.path, f"{message} (defined in {spec.definition})"))

    for table in spec.tables:
        found = declared.get(table.name)
        label = f"{spec.source}.{table.name}"
        if found is None:
            report(f"table {label} is not declared")
            continue
        if found.get("description") != table.description:
            report(f"table {label}: its description differs")
        columns = {c["name"]: c for c in found.get("columns") or []}
        for column in table.columns:
            yaml_column = columns.get(column.name)
            if yaml_column is None:
                report(f"table {label}: column {column.name} is missing")
                continue
            if yaml_column.get("data_type") != column.data_type:
                report(
                    f"table {label}: column {column.name} has data_type "
                    f"{yaml_column.get('data_type')!r}, the definition says {column.data_type!r}"
                )
            if yaml_column.get("description") != column.description:
                report(f"table {label}: column {column.name}: its description differs")
        expected = [c.name for c in table.columns]
        for name in columns:
            if name not in expected:
                report(f"table {label}: column {name} is not in the definition")
        if [n for n in columns if n in expected] != [n for n in expected if n in columns]:
            report(f"table {label}: the columns are not in the definition's order")
    for name in declared:
        if name not in {t.name for t in spec.tables}:
            report(f"table {spec.source}.{name} is not in the definition")
    if not problems and text != render(spec, text):
        problems.append(
            Drift(
                spec.path,
                "in step with the definitions but not in the generated layout (make schemas "
                "re-emits it, keeping the hand-written parts)",
            )
        )
    return problems
