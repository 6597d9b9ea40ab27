"""nba_props.relations names the tables the schema modules define, and nothing imports a
relation name from elsewhere."""

from __future__ import annotations

import ast
import inspect

from nba_props import relations
from nba_props.orchestrate import execution_log
from nba_props.predict import contract


def test_relations_match_the_schema_modules():
    assert f"{contract.SCHEMA}.{contract.TABLE}" == relations.PREDICTIONS_RELATION
    assert f"{execution_log.SCHEMA}.{execution_log.TABLE}" == relations.EXECUTION_LOG


def test_relations_module_imports_nothing_heavy():
    tree = ast.parse(inspect.getsource(relations))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [getattr(n, "module", None) for n in imports] == ["__future__"]
