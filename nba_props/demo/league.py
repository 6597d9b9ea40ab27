"""Who plays where: rosters, off-season moves, mid-season trades, injuries, team styles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nba_props.demo.reference import ROSTER_MIX, ROSTER_SIZE, PlayerPool, Rates

# Reasons on the injury report; the first ones are injuries that can last several games.
INJURY_REASONS = [
    "Injury/Illness - Left Ankle; Sprain",
    "Injury/Illness - Right Ankle; Sprain",
    "Injury/Illness - Right Knee; Soreness",
    "Injury/Illness - Left Knee; Contusion",
    "Injury/Illness - Low Back; Spasms",
    "Injury/Illness - Left Hamstring; Strain",
    "Injury/Illness - Right Calf; Strain",
    "Injury/Illness - Right Foot; Plantar Fasciitis",
    "Injury/Illness - Left Shoulder; Sprain",
    "Injury/Illness - Right Wrist; Fracture",
    "Injury/Illness - Left Groin; Strain",
    "Injury/Illness - Concussion Protocol",
    "Injury/Illness - Illness",
]
REST = len(INJURY_REASONS)
TWO_WAY = REST + 1
PERSONAL = REST + 2
REASONS = [*INJURY_REASONS, "Rest", "G League - Two-Way", "Personal Reasons"]
MAX_EPISODES = 3


@dataclass
class Trade:
    day: int
    team_a: int
    player_a: int
    team_b: int
    player_b: int


@dataclass
class SeasonLeague:
    """Everything about one season that is fixed before the first game."""

    start_year: int
    rates: Rates
    roster: np.ndarray  # (30, 14) pool indices at opening night
    trades: list[Trade]
    ep_start: np.ndarray  # (P, MAX_EPISODES) first day out (days since epoch), -1 unused
    ep_end: np.ndarray  # first day back
    ep_reason: np.ndarray
    two_way: np.ndarray  # (P,) bool
    team_off: np.ndarray  # (30,) multiplier on own shooting (scheme, spacing)
    team_def: np.ndarray  # (30,) multiplier on opponents' shooting
    team_pace: np.ndarray  # (30,) multiplier on possessions


def initial_rosters(rng: np.random.Generator, pool: PlayerPool, n_teams: int) -> np.ndarray:
    """Deal players by position so every team has 6 guards, 5 forwards and 3 centers."""
    cols = []
    for pos, count in enumerate(ROSTER_MIX):
        cands = np.flatnonzero(pool.pos == pos)
        picked = rng.permutation(cands)[: n_teams * count]
        cols.append(picked.reshape(n_teams, count))
    return np.concatenate(cols, axis=1)


def offseason(rng: np.random.Generator, roster: np.ndarray, pool: PlayerPool) -> np.ndarray:
    """Replace ~10% of rostered players with free agents and swap ~20% between teams."""
    roster = roster.copy()
    n_teams = roster.shape[0]
    rostered = np.zeros(pool.n, dtype=bool)
    rostered[roster.ravel()] = True
    col = 0
    for pos, count in enumerate(ROSTER_MIX):
        block = roster[:, col : col + count]  # view
        flat = block.reshape(-1)
        free = rng.permutation(np.flatnonzero((pool.pos == pos) & ~rostered))
        n_new = min(len(free), round(0.10 * flat.size))
        slots = rng.choice(flat.size, size=n_new, replace=False)
        flat[slots] = free[:n_new]
        n_move = round(0.20 * flat.size) // 2 * 2
        movers = rng.choice(flat.size, size=n_move, replace=False)
        flat[movers] = flat[np.roll(movers, 1)]
        roster[:, col : col + count] = flat.reshape(n_teams, count)
        col += count
    return roster


def plan_trades(
    rng: np.random.Generator, roster: np.ndarray, first_day: int, n_trades: int = 4
) -> tuple[list[Trade], np.ndarray]:
    """A few mid-season one-for-one trades of same-position players between two teams."""
    roster = roster.copy()
    n_teams = roster.shape[0]
    trades = []
    deadline = first_day + 108  # early February
    days = np.sort(rng.integers(first_day + 50, deadline, size=n_trades))
    for day in days.tolist():
        ta, tb = rng.choice(n_teams, size=2, replace=False).tolist()
        slot = int(rng.integers(0, ROSTER_SIZE))  # same slot = same position
        pa, pb = int(roster[ta, slot]), int(roster[tb, slot])
        roster[ta, slot], roster[tb, slot] = pb, pa
        trades.append(Trade(day, ta, pa, tb, pb))
    return trades, roster


def injuries(
    rng: np.random.Generator, n_players: int, first_day: int, last_day: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Injury spells per player: start day, first day back and reason."""
    shape = (n_players, MAX_EPISODES)
    count = np.minimum(rng.poisson(0.9, n_players), MAX_EPISODES)
    used = np.arange(MAX_EPISODES)[None, :] < count[:, None]
    start = rng.integers(first_day, last_day + 1, size=shape)
    length = np.minimum(rng.geometric(1 / 7, size=shape), 60)
    long = rng.random(shape) < 0.05
    length = np.where(long, rng.integers(20, 70, size=shape), length)
    reason = rng.integers(0, len(INJURY_REASONS), size=shape)
    start = np.where(used, start, -1)
    end = np.where(used, start + length, -1)
    return start, end, reason


def roster_at(league: SeasonLeague, team: np.ndarray, day: np.ndarray) -> np.ndarray:
    """(n, 14) rosters of teams on days, after the trades made before those days."""
    rows = league.roster[team].copy()
    for t in league.trades:
        for own, out, inc in (
            (t.team_a, t.player_a, t.player_b),
            (t.team_b, t.player_b, t.player_a),
        ):
            sel = (team == own) & (day >= t.day)
            block = rows[sel]
            rows[sel] = np.where(block == out, inc, block)
    return rows


HOME_EDGE = 1.01


def shooting_factor(
    league: SeasonLeague, team: np.ndarray, opp: np.ndarray, is_home: np.ndarray
) -> np.ndarray:
    """Multiplier on make probabilities: own offence, opponent defence, home court."""
    home = np.where(is_home, HOME_EDGE, 2.0 - HOME_EDGE)
    return league.team_off[team] * league.team_def[opp] * home
