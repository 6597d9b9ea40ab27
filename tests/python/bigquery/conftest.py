"""BigQuery tests: offline ones always run; the emulator ones only when asked for."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "bq_emulator: needs a local BigQuery emulator from PyPI (set NBA_PROPS_BQ_EMULATOR="
        "crucible or bqemulator to run)",
    )
