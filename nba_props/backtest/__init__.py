"""Walk-forward backtest of the prediction systems over a season, with a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nba_props._lazy import lazy_exports

# The runner loads LightGBM, matplotlib and duckdb: imported on first use, so that the CLI
# (nba_props.backtest.cli) imports this package at start for nothing.
_EXPORTS: dict[str, str] = {
    "BacktestConfig": "nba_props.backtest.config",
    "BacktestResult": "nba_props.backtest.config",
    "run_backtest": "nba_props.backtest.runner",
}

if TYPE_CHECKING:
    from nba_props.backtest.config import BacktestConfig, BacktestResult
    from nba_props.backtest.runner import run_backtest

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["BacktestConfig", "BacktestResult", "run_backtest"]
