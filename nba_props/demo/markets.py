"""Betting markets: player props (two snapshots per game) and closing game lines.

Lines are set from the players' latent expectations for the game (expected minutes given
who is out, opponent defence, home court), so they sit near the true means, with noise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nba_props.demo.league import SeasonLeague, shooting_factor
from nba_props.demo.schedule import Games
from nba_props.demo.simulate import DOUBTFUL, OUT, Box, volume_scales
from nba_props.demo.writer import dict_col, iso_date, iso_utc, nullable_float, nullable_int

MARKETS = [
    "player_points",
    "player_rebounds",
    "player_assists",
    "player_threes",
    "player_points_rebounds_assists",
]
BOOKS = ["draftkings", "fanduel", "betmgm", "williamhill_us", "betrivers", "bovada"]
PROPS_HEADER = [
    "player",
    "game",
    "game_time",
    "market",
    "line",
    "bookmaker",
    "over_odds",
    "under_odds",
    "bookmaker_last_update",
    "market_last_update",
    "event_id",
    "snapshot_time",
]
LINES_HEADER = [
    "season",
    "date",
    "regular",
    "playoffs",
    "away",
    "home",
    "score_away",
    "score_home",
    "q1_away",
    "q2_away",
    "q3_away",
    "q4_away",
    "ot_away",
    "q1_home",
    "q2_home",
    "q3_home",
    "q4_home",
    "ot_home",
    "whos_favored",
    "spread",
    "total",
    "moneyline_away",
    "moneyline_home",
    "h2_spread",
    "h2_total",
    "id_spread",
    "id_total",
]
MIN_PROP_MINUTES = 20.0
OPENING_HOUR_UTC = 15
VIG = 0.024


def expected_stats(league: SeasonLeague, box: Box) -> np.ndarray:
    """(n_tg, 14, 5) expected points, rebounds, assists, threes, PRA for each roster cell."""
    r, rows = league.rates, box.roster
    pace = (league.team_pace[box.team] + league.team_pace[box.opp]) / 2.0
    shoot = shooting_factor(league, box.team, box.opp, box.is_home)
    scale = box.exp_min / 36.0 * pace[:, None]
    vol = {k: v[:, None] for k, v in volume_scales(r, rows, box.exp_min).items()}
    fga = r.fga[rows] * vol["fga"]
    fg3m = fga * r.r3[rows] * np.clip(r.p3[rows] * shoot[:, None], 0, 0.95)
    fg2m = fga * (1 - r.r3[rows]) * np.clip(r.p2[rows] * shoot[:, None], 0, 0.95)
    pts = scale * (2 * fg2m + 3 * fg3m + r.fta[rows] * vol["fta"] * r.pft[rows])
    reb = scale * (r.oreb[rows] * vol["oreb"] + r.dreb[rows] * vol["dreb"])
    ast = scale * r.ast[rows] * vol["ast"]
    return np.stack([pts, reb, ast, scale * fg3m, pts + reb + ast], axis=2)


def american(prob: np.ndarray) -> np.ndarray:
    """Implied probability (vig included) to American odds."""
    odds = np.where(prob >= 0.5, -100.0 * prob / (1.0 - prob), 100.0 * (1.0 - prob) / prob)
    return np.rint(odds).astype(np.int64)


def _logistic(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-1.702 * z))


def event_ids(game_ids: list[str]) -> list[str]:
    return [hashlib.sha256(f"synthetic-event-{g}".encode()).hexdigest()[:32] for g in game_ids]


@dataclass
class PropRows:
    tg: np.ndarray  # team-game of the player
    slot: np.ndarray
    player: np.ndarray  # pool index
    game: np.ndarray
    market: np.ndarray
    book: np.ndarray
    snap: np.ndarray  # 0 opening, 1 closing
    line: np.ndarray
    over: np.ndarray
    under: np.ndarray
    book_update: np.ndarray  # UTC seconds
    market_update: np.ndarray
    snap_time: np.ndarray


def prop_rows(
    rng: np.random.Generator,
    league: SeasonLeague,
    games: Games,
    box: Box,
    emitted: np.ndarray,
    played: np.ndarray,
) -> PropRows:
    """Props for rotation players not ruled out, in emitted games (closing only if played)."""
    mu = expected_stats(league, box)
    ok = (
        (box.exp_min >= MIN_PROP_MINUTES)
        & (box.status != OUT)
        & (box.status != DOUBTFUL)
        & emitted[box.game][:, None]
    )
    c_tg, c_slot = np.nonzero(ok)
    c_mu = mu[c_tg, c_slot]
    offered = np.ones(c_mu.shape, dtype=bool)
    offered[:, 3] = c_mu[:, 3] >= 0.7
    cm, market = np.nonzero(offered)
    mu_close = c_mu[cm, market] * np.exp(rng.normal(0.0, 0.05, len(cm)))
    mu_open = mu_close * np.exp(rng.normal(0.0, 0.05, len(cm)))

    n_games = games.n
    n_books = rng.integers(3, len(BOOKS) + 1, n_games)
    book_rank = np.argsort(rng.random((n_games, len(BOOKS))), axis=1).argsort(axis=1)
    carries = book_rank < n_books[:, None]
    opening = carries & ((rng.random(carries.shape) < 0.6) | (book_rank == 0))
    avail = np.stack([opening, carries & played[:, None]], axis=2)  # (game, book, snapshot)
    game_of_cm = box.game[c_tg[cm]]
    i, book, snap = np.nonzero(avail[game_of_cm])

    mu_snap = np.where(snap == 0, mu_open[i], mu_close[i])
    mu_book = mu_snap * np.exp(rng.normal(0.0, 0.03, len(i))) + rng.normal(0.0, 0.12, len(i))
    mu_book = np.maximum(mu_book, 0.05)
    line = np.floor(mu_book) + 0.5
    mkt = market[i]
    dispersion = np.where(mkt == 0, 1.6, np.where(mkt == 4, 2.0, 1.1))
    z = (mu_book - line) / np.sqrt(mu_book * dispersion + 0.25)
    p_over = np.clip(_logistic(z), 0.4, 0.6)
    vig = VIG + rng.uniform(-0.006, 0.006, len(i))

    g = game_of_cm[i]
    tip = games.tip[g]
    opening_time = games.day[g].astype(np.int64) * 86400 + OPENING_HOUR_UTC * 3600
    snap_time = np.where(snap == 0, opening_time, tip - 3600)
    # One update time per (game, book, snapshot) and per market on top of that.
    book_lag = rng.integers(60, 1800, (n_games, len(BOOKS), 2))
    market_lag = rng.integers(0, 900, (n_games, len(BOOKS), 2, len(MARKETS)))
    book_update = snap_time - book_lag[g, book, snap]
    market_update = book_update - market_lag[g, book, snap, mkt]

    tg = c_tg[cm][i]
    slot = c_slot[cm][i]
    order = np.lexsort((slot, tg, mkt, book, g, snap))
    return PropRows(
        tg=tg[order],
        slot=slot[order],
        player=box.roster[tg, slot][order],
        game=g[order],
        market=mkt[order],
        book=book[order],
        snap=snap[order],
        line=line[order],
        over=american(p_over + vig)[order],
        under=american(1.0 - p_over + vig)[order],
        book_update=book_update[order],
        market_update=market_update[order],
        snap_time=snap_time[order],
    )


def prop_columns(
    p: PropRows, book_names: list[str], game_names: list[str], event_id: list[str], games: Games
) -> list[pa.Array]:
    return [
        dict_col(book_names, p.player),
        dict_col(game_names, p.game),
        iso_utc(games.tip[p.game]),
        dict_col(MARKETS, p.market),
        p.line,
        dict_col(BOOKS, p.book),
        p.over,
        p.under,
        iso_utc(p.book_update),
        iso_utc(p.market_update),
        dict_col(event_id, p.game),
        iso_utc(p.snap_time),
    ]


def game_line_columns(
    rng: np.random.Generator,
    league: SeasonLeague,
    games: Games,
    box: Box,
    emitted: np.ndarray,
    played: np.ndarray,
    espn: list[str],
    start_year: int,
) -> list[pa.Array | np.ndarray]:
    """Closing spread/total/moneyline per emitted game; scores only for played games."""
    mu = expected_stats(league, box)[:, :, 0].sum(axis=1)  # expected team points
    home_tg = np.flatnonzero(box.is_home)
    order = np.argsort(box.game[home_tg], kind="stable")
    home_tg = home_tg[order]
    away_tg = home_tg + 1
    g = box.game[home_tg]
    keep = emitted[g]
    home_tg, away_tg, g = home_tg[keep], away_tg[keep], g[keep]
    n = len(g)
    fav_margin = mu[home_tg] - mu[away_tg] + rng.normal(0.0, 1.2, n)
    home_fav = fav_margin >= 0
    spread = np.floor(np.abs(fav_margin)) + 0.5
    total = np.floor(mu[home_tg] + mu[away_tg] + rng.normal(0.0, 2.5, n)) + 0.5
    p_home = _logistic(fav_margin / 12.0)
    vig = VIG * 0.9
    ml_home, ml_away = american(p_home + vig), american(1.0 - p_home + vig)

    done = played[g]
    pts = box.team_stats["pts"]
    s_home, s_away = pts[home_tg], pts[away_tg]
    q_home, q_away = box.quarters[home_tg], box.quarters[away_tg]
    fav_diff = np.where(home_fav, s_home - s_away, s_away - s_home)

    def score(v: np.ndarray) -> pa.Array:
        return nullable_int(v, done)

    bools = ["False", "True"]
    cols: list[pa.Array | np.ndarray] = [
        np.full(n, start_year + 1, dtype=np.int64),
        iso_date(games.day[g]),
        dict_col(bools, (~games.playoff[g]).astype(np.int32)),
        dict_col(bools, games.playoff[g].astype(np.int32)),
        dict_col(espn, games.away[g]),
        dict_col(espn, games.home[g]),
        score(s_away),
        score(s_home),
        *[score(q_away[:, k]) for k in range(4)],
        score(s_away - q_away.sum(axis=1)),
        *[score(q_home[:, k]) for k in range(4)],
        score(s_home - q_home.sum(axis=1)),
        dict_col(["away", "home"], home_fav.astype(np.int32)),
        spread,
        total,
        ml_away,
        ml_home,
        nullable_float(np.zeros(n), np.zeros(n, dtype=bool)),
        nullable_float(np.zeros(n), np.zeros(n, dtype=bool)),
        score((fav_diff > spread).astype(np.int64)),
        score((s_home + s_away > total).astype(np.int64)),
    ]
    return cols
