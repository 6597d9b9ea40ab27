"""What the betting market says about a row, read from the lines valid at prediction time.

From the preferred book's line and prices, every quoting book's line and prices, and the
first version of the line (player_prop_lines_preferred keeps them on each version):

- fair_over: the preferred book's P(over | no push), de-vigged (nba_props.predict.devig);
- implied_mean: the mean at which the predictive distribution (dispersion phi) gives that
  probability at the line (nba_props.predict.distribution.implied_mean);
- consensus_mean: the median of every quoting book's implied mean (the preferred book's
  when the book list is missing); book_spread: their standard deviation;
- opening_mean / line_move: the same for the first version of the line (movement from the
  first snapshot to the one valid now). Nothing here is later than the prediction time:
  every version carries only its own and earlier snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nba_props.predict.devig import no_vig_over
from nba_props.predict.distribution import implied_mean
from nba_props.predict.frame import Frame

# Columns of player_prop_lines_preferred the readers pass through (not model features).
BOOK_COLUMNS = ("book_lines", "book_over_odds", "book_under_odds")
OPENING_COLUMNS = ("opening_line", "opening_over_odds", "opening_under_odds",
                   "opening_consensus_line")
SPREAD_COLUMNS = ("min_line", "max_line")


@dataclass
class MarketView:
    fair_over: np.ndarray
    implied_mean: np.ndarray
    consensus_mean: np.ndarray
    book_spread: np.ndarray
    n_books: np.ndarray
    opening_mean: np.ndarray
    line_move: np.ndarray
    fair_move: np.ndarray


def market_view(frame: Frame, phi: np.ndarray, devig: str) -> MarketView:
    """The market's reading of every row of `frame` under per-row dispersion `phi`."""
    line = frame.get("line")
    fair = no_vig_over(frame.get("over_odds"), frame.get("under_odds"), devig)
    fair = np.where(np.isnan(line), np.nan, fair)
    mean = implied_mean(line, fair, phi)
    consensus, spread, n_books = _book_means(frame, phi, devig, mean)
    opening_line = frame.get("opening_line")
    opening_fair = no_vig_over(frame.get("opening_over_odds"), frame.get("opening_under_odds"),
                               devig)
    opening_fair = np.where(np.isnan(opening_line), np.nan, opening_fair)
    opening_mean = implied_mean(opening_line, opening_fair, phi)
    same_line = opening_line == line
    return MarketView(
        fair_over=fair,
        implied_mean=mean,
        consensus_mean=consensus,
        book_spread=spread,
        n_books=n_books,
        opening_mean=np.where(np.isnan(opening_mean), mean, opening_mean),
        line_move=np.where(np.isnan(opening_line), 0.0, line - opening_line),
        fair_move=np.where(same_line, fair - opening_fair, 0.0),
    )


def _book_means(frame: Frame, phi: np.ndarray, devig: str,
                preferred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, standard deviation, count) of the quoting books' implied means per row."""
    n = len(frame)
    fallback = (preferred.copy(), np.zeros(n), np.where(np.isnan(preferred), 0.0, 1.0))
    if any(c not in frame for c in BOOK_COLUMNS):
        return fallback
    lines, overs, unders = (frame[c] for c in BOOK_COLUMNS)
    rows: list[int] = []
    flat_line: list[float] = []
    flat_over: list[float] = []
    flat_under: list[float] = []
    for i in range(n):
        book_lines = lines[i]
        if book_lines is None:
            continue
        for j, value in enumerate(book_lines):
            if value is None:
                continue
            rows.append(i)
            flat_line.append(float(value))
            flat_over.append(_number(overs[i], j))
            flat_under.append(_number(unders[i], j))
    if not rows:
        return fallback
    row = np.asarray(rows)
    fair = no_vig_over(np.asarray(flat_over), np.asarray(flat_under), devig)
    means = implied_mean(np.asarray(flat_line), fair, phi[row])
    median = preferred.copy()
    spread = np.zeros(n)
    count = np.bincount(row, minlength=n).astype(np.float64)
    order = np.lexsort((means, row))
    row, means = row[order], means[order]
    starts = np.searchsorted(row, np.arange(n))
    for i in np.flatnonzero(count > 0):
        values = means[starts[i]:starts[i] + int(count[i])]
        median[i] = float(np.median(values))
        spread[i] = float(np.std(values)) if len(values) > 1 else 0.0
    return median, spread, count


def _number(values: object, j: int) -> float:
    """values[j] as a float; NaN when the list or the value is missing."""
    if values is None:
        return float("nan")
    try:
        value = values[j]  # type: ignore[index]
    except IndexError:
        return float("nan")
    return float("nan") if value is None else float(value)
