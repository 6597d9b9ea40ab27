"""Vectorized box-score simulation for a batch of games.

Each team-game takes the team's 14-man roster on that day, ordered by quality (depth),
decides who is on the injury report and who plays, splits 240 minutes (plus 25 per
overtime) and draws counting stats from the players' latent per-36 rates:
Poisson attempts, binomial makes, so made <= attempted and FG3M <= FGM by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nba_props.demo.league import (
    PERSONAL,
    REST,
    TWO_WAY,
    SeasonLeague,
    roster_at,
    shooting_factor,
)
from nba_props.demo.reference import ROSTER_SIZE, Rates
from nba_props.demo.schedule import Games

STATUS_NAMES = ["", "Available", "Probable", "Questionable", "Doubtful", "Out"]
AVAILABLE, PROBABLE, QUESTIONABLE, DOUBTFUL, OUT = 1, 2, 3, 4, 5
PLAY_BY_STATUS = np.array([1.0, 1.0, 0.95, 0.55, 0.15, 0.0])
PLAY_BY_RANK = np.array([0.995] * 9 + [0.9, 0.75, 0.55, 0.45, 0.35])
MINUTES_BY_RANK = np.array([35, 34, 32, 31, 29, 25, 22, 19, 16, 12, 9, 7, 5, 4], dtype=float)
NOISE_BY_RANK = np.array([0.1] * 5 + [0.22] * 4 + [0.4] * 5)
MAX_MINUTES = 44.0
MIN_PLAYERS = 8
MAX_OVERTIMES = 4
STATS = (
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
)


@dataclass
class Box:
    """Simulated team-games (two per game: home then away) and their player rows."""

    # team-game level, shape (n_tg,)
    game: np.ndarray  # index into the season's Games
    team: np.ndarray
    opp: np.ndarray
    is_home: np.ndarray
    overtimes: np.ndarray
    quarters: np.ndarray  # (n_tg, 4) regulation points by quarter
    team_stats: dict[str, np.ndarray]
    # roster matrices, shape (n_tg, 14), ordered by depth
    roster: np.ndarray
    status: np.ndarray
    reason: np.ndarray
    exp_min: np.ndarray  # expected minutes known before tip (0 if out)
    # player rows
    tg: np.ndarray  # index into the team-game arrays
    player: np.ndarray
    minutes: np.ndarray
    starter: np.ndarray  # bool
    plus_minus: np.ndarray
    stats: dict[str, np.ndarray]
    ot_fga: list[np.ndarray] = field(default_factory=list)  # FGA per overtime period

    @property
    def pts(self) -> np.ndarray:
        return 2 * self.stats["fgm"] + self.stats["fg3m"] + self.stats["ftm"]


def _depth_order(league: SeasonLeague, team: np.ndarray, day: np.ndarray) -> np.ndarray:
    rows = roster_at(league, team, day)
    order = np.argsort(-league.rates.quality[rows], axis=1, kind="stable")
    return np.take_along_axis(rows, order, axis=1)


def _statuses(
    rng: np.random.Generator, league: SeasonLeague, rows: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Injury-report status and reason per roster cell."""
    shape = rows.shape
    d = day[:, None, None]
    start, end = league.ep_start[rows], league.ep_end[rows]
    injured = (start >= 0) & (d >= start) & (d < end)
    returning = (start >= 0) & (d >= end) & (d < end + 3)
    out = injured.any(axis=2)
    back = returning.any(axis=2) & ~out
    ep_reason = league.ep_reason[rows]
    reason_out = np.take_along_axis(ep_reason, injured.argmax(axis=2)[..., None], 2)[..., 0]
    reason_back = np.take_along_axis(ep_reason, returning.argmax(axis=2)[..., None], 2)[..., 0]

    u = rng.random(shape)
    status = np.zeros(shape, dtype=np.int64)
    status[u < 0.036] = AVAILABLE
    status[u < 0.028] = PROBABLE
    status[u < 0.016] = QUESTIONABLE
    status[u < 0.005] = DOUBTFUL
    reason = rng.integers(0, REST, size=shape)
    reason[status == AVAILABLE] = rng.choice([REST, PERSONAL], size=shape)[status == AVAILABLE]

    rank = np.broadcast_to(np.arange(ROSTER_SIZE), shape)
    rest = (rank < 6) & (rng.random(shape) < 0.006)
    status[rest] = OUT
    reason[rest] = REST
    g_league = league.two_way[rows] & (rank >= 11) & (rng.random(shape) < 0.6)
    status[g_league] = OUT
    reason[g_league] = TWO_WAY
    status[back] = np.where(rng.random(shape) < 0.5, QUESTIONABLE, PROBABLE)[back]
    reason[back] = reason_back[back]
    status[out] = OUT
    reason[out] = reason_out[out]
    return status, reason


def _integer_minutes(raw: np.ndarray, play: np.ndarray, total: int) -> np.ndarray:
    """Round minutes to whole numbers (as NBA.com does), every player >= 1, rows sum to total."""
    whole = np.floor(raw)
    rem = np.where(play, raw - whole, -1.0)
    short = total - whole.sum(axis=1)
    order = np.argsort(-rem, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(raw.shape[1])[None, :].repeat(len(raw), 0), 1)
    mins = (whole + (ranks < short[:, None])).astype(np.int64)
    mins = np.where(play, np.maximum(mins, 1), 0)
    fix = total - mins.sum(axis=1)
    top = np.argmax(mins, axis=1)
    mins[np.arange(len(mins)), top] += fix
    return mins


def _minutes(rng: np.random.Generator, latent: np.ndarray, play: np.ndarray) -> np.ndarray:
    sigma = NOISE_BY_RANK[None, :]
    noise = np.exp(rng.normal(0.0, 1.0, latent.shape) * sigma - sigma**2 / 2)  # mean 1
    raw = np.where(play, latent * noise, 0.0)
    for _ in range(4):
        capped = raw >= MAX_MINUTES
        free = np.where(capped, 0.0, raw)
        target = 240.0 - np.where(capped, MAX_MINUTES, 0.0).sum(axis=1)
        raw = np.where(capped, MAX_MINUTES, free * (target / free.sum(axis=1))[:, None])
    return _integer_minutes(np.minimum(raw, MAX_MINUTES), play, 240)


# League-average team volume per 240 minutes; a team-game's volume rates are pulled toward
# these (usage is shared: five high-usage players do not take 150 shots).
VOLUME_TARGETS = {
    "fga": 87.6,
    "fta": 21.7,
    "oreb": 11.1,
    "dreb": 33.0,
    "ast": 26.5,
    "stl": 8.2,
    "blk": 4.9,
    "tov": 13.5,
    "pf": 18.6,
}
VOLUME_POOLING = 0.85


def volume_scales(rates: Rates, rows: np.ndarray, minutes: np.ndarray) -> dict[str, np.ndarray]:
    """Per team-game multipliers on each volume rate, from the minutes of its roster cells."""
    total = np.maximum(minutes.sum(axis=1), 1e-9)
    out = {}
    for key, target in VOLUME_TARGETS.items():
        expected = (getattr(rates, key)[rows] * minutes).sum(axis=1) / 36.0
        out[key] = (target * total / 240.0 / np.maximum(expected, 1e-9)) ** VOLUME_POOLING
    return out


def draw_stats(
    rng: np.random.Generator,
    rates: Rates,
    player: np.ndarray,
    minutes: np.ndarray,
    pace: np.ndarray,
    shoot: np.ndarray,
    volume: dict[str, np.ndarray],
    fga: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Counting stats for rows of (player, minutes) with pace, shooting and volume factors.

    ``fga`` (attempts already allotted) replaces the Poisson draw of attempts.
    """
    scale = minutes / 36.0 * pace

    def rate(key: str) -> np.ndarray:
        return getattr(rates, key)[player] * scale * volume[key]

    if fga is None:
        fga = rng.poisson(rate("fga"))
    fg3a = rng.binomial(fga, rates.r3[player])
    fg3m = rng.binomial(fg3a, np.clip(rates.p3[player] * shoot, 0.0, 0.95))
    fg2m = rng.binomial(fga - fg3a, np.clip(rates.p2[player] * shoot, 0.0, 0.95))
    fta = rng.poisson(rate("fta"))
    out = {
        "fgm": fg2m + fg3m,
        "fga": fga,
        "fg3m": fg3m,
        "fg3a": fg3a,
        "ftm": rng.binomial(fta, rates.pft[player]),
        "fta": fta,
    }
    for key in ("oreb", "dreb", "ast", "stl", "blk", "tov", "pf"):
        out[key] = rng.poisson(rate(key))
    return out


def _team_sum(values: np.ndarray, tg: np.ndarray, n_tg: int) -> np.ndarray:
    return np.bincount(tg, weights=values, minlength=n_tg).astype(np.int64)


def _team_attempts(
    rng: np.random.Generator,
    rates: Rates,
    rows: np.ndarray,
    minutes: np.ndarray,
    factor: np.ndarray,
) -> np.ndarray:
    """(n_tg, 14) FGA: a team total close to its expectation (both teams of a game share
    the possessions), split among the players in proportion to their shot rates."""
    lam = rates.fga[rows] * minutes / 36.0 * factor[:, None]
    expected = lam.sum(axis=1)
    n_games = len(rows) // 2
    shared = rng.normal(0.0, 4.0, n_games).repeat(2)
    total = np.maximum(np.rint(expected + shared + rng.normal(0.0, 3.0, len(rows))), 40)
    return rng.multinomial(total.astype(np.int64), lam / expected[:, None])


def _late_free_throws(
    rng: np.random.Generator,
    stats: dict[str, np.ndarray],
    team_pts: np.ndarray,
    tg: np.ndarray,
    mins: np.ndarray,
) -> np.ndarray:
    """Send some one-to-three point games to overtime: the trailing team's go-to player makes
    late free throws (real games tie far more often than independent scoring would)."""
    margin = team_pts[0::2] - team_pts[1::2]
    close = (np.abs(margin) >= 1) & (np.abs(margin) <= 3) & (rng.random(len(margin)) < 0.25)
    trailing = np.flatnonzero(close) * 2 + (margin[close] > 0)
    if not len(trailing):
        return team_pts
    need = np.zeros(len(team_pts), dtype=np.int64)
    need[trailing] = np.abs(margin[close])
    # the trailing team's player with most minutes takes the free throws
    order = np.lexsort((-mins, tg))
    first = order[np.unique(tg[order], return_index=True)[1]]
    add = need[tg[first]]
    stats["ftm"][first] += add
    stats["fta"][first] += add
    return team_pts + need


def simulate(rng: np.random.Generator, league: SeasonLeague, games: Games, idx: np.ndarray) -> Box:
    """Simulate the games ``games[idx]``."""
    n_g = len(idx)
    game = np.repeat(idx, 2)
    is_home = np.tile(np.array([True, False]), n_g)
    team = np.where(is_home, games.home[game], games.away[game])
    opp = np.where(is_home, games.away[game], games.home[game])
    day = games.day[game]
    n_tg = len(game)

    rows = _depth_order(league, team, day)
    status, reason = _statuses(rng, league, rows, day)
    rank_play = PLAY_BY_STATUS[status] * PLAY_BY_RANK[None, :]
    latent = np.maximum(MINUTES_BY_RANK[None, :] + league.rates.min_bonus[rows], 2.0)
    weight = latent * rank_play
    exp_min = np.minimum(240.0 * weight / weight.sum(axis=1, keepdims=True), 40.0)

    play = rng.random(rows.shape) < rank_play
    can = status != OUT
    play |= can & (np.cumsum(can, axis=1) <= MIN_PLAYERS)
    minutes = _minutes(rng, latent, play)
    starter = play & (np.cumsum(play, axis=1) <= 5)

    game_pace = rng.normal(1.0, 0.035, n_g).repeat(2)
    pace = game_pace * (league.team_pace[team] + league.team_pace[opp]) / 2.0
    shoot = shooting_factor(league, team, opp, is_home)

    tg_idx, slot = np.nonzero(play)
    player = rows[tg_idx, slot]
    mins = minutes[tg_idx, slot]
    vol_tg = volume_scales(league.rates, rows, minutes)
    volume = {k: v[tg_idx] for k, v in vol_tg.items()}
    fga = _team_attempts(rng, league.rates, rows, minutes, pace * vol_tg["fga"])[tg_idx, slot]
    stats = draw_stats(
        rng, league.rates, player, mins.astype(float), pace[tg_idx], shoot[tg_idx], volume, fga
    )
    team_pts = _team_sum(2 * stats["fgm"] + stats["fg3m"] + stats["ftm"], tg_idx, n_tg)
    team_pts = _late_free_throws(rng, stats, team_pts, tg_idx, mins)
    quarters = rng.multinomial(team_pts, [0.25, 0.25, 0.25, 0.25])

    # Overtime: the five players with most minutes play five more minutes each.
    min_rank = np.argsort(np.argsort(-minutes, axis=1, kind="stable"), axis=1)
    closer = (min_rank < 5)[tg_idx, slot]
    overtimes = np.zeros(n_tg, dtype=np.int64)
    ot_fga: list[np.ndarray] = []
    for period in range(MAX_OVERTIMES + 1):
        tied = np.repeat(team_pts[0::2] == team_pts[1::2], 2)
        if not tied.any():
            break
        if period == MAX_OVERTIMES:  # settle it at the line
            sel = np.flatnonzero(tied[tg_idx] & closer & is_home[tg_idx])
            first = sel[np.unique(tg_idx[sel], return_index=True)[1]]
            stats["fta"][first] += 1
            stats["ftm"][first] += 1
            team_pts = _team_sum(2 * stats["fgm"] + stats["fg3m"] + stats["ftm"], tg_idx, n_tg)
            break
        sel = tied[tg_idx] & closer
        extra = draw_stats(
            rng,
            league.rates,
            player[sel],
            np.full(sel.sum(), 5.0),
            pace[tg_idx][sel],
            shoot[tg_idx][sel],
            {k: v[sel] for k, v in volume.items()},
        )
        fga_add = np.zeros(len(player), dtype=np.int64)
        for key, values in extra.items():
            stats[key][sel] += values
        fga_add[sel] = extra["fga"]
        ot_fga.append(fga_add)
        mins = mins + np.where(sel, 5, 0)
        overtimes += tied
        team_pts = _team_sum(2 * stats["fgm"] + stats["fg3m"] + stats["ftm"], tg_idx, n_tg)
    stats["pf"] = np.minimum(stats["pf"], 6)

    pts = 2 * stats["fgm"] + stats["fg3m"] + stats["ftm"]
    margin = team_pts - team_pts.reshape(-1, 2)[:, ::-1].ravel()
    share = mins / (48.0 + 5.0 * overtimes[tg_idx])
    plus_minus = np.rint(
        margin[tg_idx] * share + rng.normal(0.0, 1.0, len(mins)) * 5.0 * np.sqrt(share)
    ).astype(np.int64)
    team_stats = {k: _team_sum(v, tg_idx, n_tg) for k, v in stats.items()}
    team_stats["pts"] = team_pts
    return Box(
        game=game,
        team=team,
        opp=opp,
        is_home=is_home,
        overtimes=overtimes,
        quarters=quarters,
        team_stats=team_stats,
        roster=rows,
        status=status,
        reason=reason,
        exp_min=np.where(status == OUT, 0.0, exp_min),
        tg=tg_idx,
        player=player,
        minutes=mins,
        starter=starter[tg_idx, slot],
        plus_minus=plus_minus,
        stats=stats | {"pts": pts},
        ot_fga=ot_fga,
    )


def concat_boxes(parts: list[Box]) -> Box:
    """Join simulated batches (team-game indices are shifted)."""
    offsets = np.cumsum([0] + [len(p.game) for p in parts[:-1]])
    n_rows = [len(p.player) for p in parts]
    max_ot = max((len(p.ot_fga) for p in parts), default=0)
    ot_fga = []
    for k in range(max_ot):
        ot_fga.append(
            np.concatenate(
                [
                    p.ot_fga[k] if k < len(p.ot_fga) else np.zeros(n, dtype=np.int64)
                    for p, n in zip(parts, n_rows, strict=True)
                ]
            )
        )

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return Box(
        game=cat("game"),
        team=cat("team"),
        opp=cat("opp"),
        is_home=cat("is_home"),
        overtimes=cat("overtimes"),
        quarters=cat("quarters"),
        team_stats={
            k: np.concatenate([p.team_stats[k] for p in parts]) for k in parts[0].team_stats
        },
        roster=cat("roster"),
        status=cat("status"),
        reason=cat("reason"),
        exp_min=cat("exp_min"),
        tg=np.concatenate([p.tg + o for p, o in zip(parts, offsets, strict=True)]),
        player=cat("player"),
        minutes=cat("minutes"),
        starter=cat("starter"),
        plus_minus=cat("plus_minus"),
        stats={k: np.concatenate([p.stats[k] for p in parts]) for k in parts[0].stats},
        ot_fga=ot_fga,
    )
