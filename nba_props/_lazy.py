"""Package attributes imported from their module on first use (PEP 562).

A package ``__init__`` maps each public name to the module that defines it and hands the
mapping to :func:`lazy_exports`; importing the package (or one light submodule of it,
as the CLI does at start) then imports none of the heavy ones (duckdb, LightGBM, the
scrapers) until a name is used::

    __getattr__ = lazy_exports(__name__, {"DuckDBLoader": "nba_props.load.duckdb_loader"})
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    computed: Mapping[str, Callable[[], Any]] | None = None,
) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: ``exports`` maps a name to its module;
    ``computed`` maps a name to a function that makes its value. A value is made once and
    kept in the package's namespace."""
    extra = dict(computed or {})

    def __getattr__(name: str) -> Any:
        if name in extra:
            value = extra[name]()
        elif name in exports:
            value = getattr(import_module(exports[name]), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
