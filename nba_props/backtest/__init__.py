"""Walk-forward backtest of the prediction systems over a season, with a report."""

from nba_props.backtest.runner import BacktestConfig, BacktestResult, run_backtest

__all__ = ["BacktestConfig", "BacktestResult", "run_backtest"]
