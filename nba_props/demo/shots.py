"""Shot-chart rows (one per field-goal attempt) consistent with the box scores.

Per player-game there are exactly FGA shots; FG3A of them are 3PT attempts of which FG3M
are made, and FGM - FG3M of the 2PT attempts are made. Zones are drawn conditional on
made/missed (Bayes on the player's zone mix and the zone's make rate), so restricted-area
shots go in more often than mid-range ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nba_props.demo.reference import Rates
from nba_props.demo.writer import dict_col

HEADER = [
    "SEASON_1",
    "SEASON_2",
    "TEAM_ID",
    "TEAM_NAME",
    "PLAYER_ID",
    "PLAYER_NAME",
    "GAME_DATE",
    "GAME_ID",
    "HOME_TEAM",
    "AWAY_TEAM",
    "EVENT_TYPE",
    "SHOT_MADE",
    "ACTION_TYPE",
    "SHOT_TYPE",
    "BASIC_ZONE",
    "ZONE_NAME",
    "ZONE_ABB",
    "ZONE_RANGE",
    "LOC_X",
    "LOC_Y",
    "SHOT_DISTANCE",
    "QUARTER",
    "MINS_LEFT",
    "SECS_LEFT",
]
RA, PAINT, MID, LC3, RC3, ATB, BC = range(7)
BASIC_ZONES = [
    "Restricted Area",
    "In The Paint (Non-RA)",
    "Mid-Range",
    "Left Corner 3",
    "Right Corner 3",
    "Above the Break 3",
    "Backcourt",
]
ZONE_NAMES = [
    "Center",
    "Left Side",
    "Right Side",
    "Left Side Center",
    "Right Side Center",
    "Back Court",
]
ZONE_ABBS = ["C", "L", "R", "LC", "RC", "BC"]
RANGES = ["Less Than 8 ft.", "8-16 ft.", "16-24 ft.", "24+ ft.", "Back Court Shot"]
MAKE_2 = np.array([0.66, 0.44, 0.42])
MAKE_3 = np.array([0.386, 0.39, 0.353, 0.025])
BACKCOURT_SHARE = 0.004
HOOP_Y = 5.25

_ACTIONS: dict[int, dict[str, float]] = {
    RA: {
        "Driving Layup Shot": 25,
        "Layup Shot": 8,
        "Cutting Layup Shot": 10,
        "Running Layup Shot": 10,
        "Driving Finger Roll Layup Shot": 8,
        "Tip Layup Shot": 7,
        "Putback Layup Shot": 6,
        "Cutting Dunk Shot": 7,
        "Running Dunk Shot": 6,
        "Driving Dunk Shot": 4,
        "Alley Oop Dunk Shot": 5,
        "Driving Reverse Layup Shot": 4,
    },
    PAINT: {
        "Driving Floating Jump Shot": 35,
        "Floating Jump shot": 12,
        "Driving Floating Bank Jump Shot": 12,
        "Turnaround Hook Shot": 12,
        "Pullup Jump shot": 10,
        "Running Jump Shot": 9,
        "Turnaround Jump Shot": 10,
    },
    MID: {
        "Pullup Jump shot": 35,
        "Jump Shot": 20,
        "Step Back Jump shot": 12,
        "Fadeaway Jump Shot": 12,
        "Turnaround Fadeaway shot": 10,
        "Running Pull-Up Jump Shot": 11,
    },
    LC3: {"Jump Shot": 80, "Pullup Jump shot": 8, "Running Jump Shot": 7, "Step Back Jump shot": 5},
    ATB: {
        "Jump Shot": 55,
        "Pullup Jump shot": 19,
        "Step Back Jump shot": 15,
        "Running Pull-Up Jump Shot": 6,
        "Running Jump Shot": 5,
    },
    BC: {"Jump Shot": 100},
}
_ACTIONS[RC3] = _ACTIONS[LC3]
ACTION_NAMES = sorted({a for d in _ACTIONS.values() for a in d})


@dataclass
class ShotRows:
    """Player-game rows the shots belong to (all arrays aligned)."""

    player: np.ndarray
    team: np.ndarray
    game: np.ndarray
    fga: np.ndarray
    fg3a: np.ndarray
    fg3m: np.ndarray
    fgm: np.ndarray
    ot_fga: list[np.ndarray]


def _cdf(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights, axis=1)
    return c / c[:, -1:]


def _pick(cdf_rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.minimum((u[:, None] > cdf_rows).sum(axis=1), cdf_rows.shape[1] - 1)


def _zones(
    rng: np.random.Generator, rates: Rates, player: np.ndarray, is3: np.ndarray, made: np.ndarray
) -> np.ndarray:
    mix3 = np.stack(
        [
            rates.corner3 / 2,
            rates.corner3 / 2,
            1.0 - rates.corner3 - BACKCOURT_SHARE,
            np.full_like(rates.corner3, BACKCOURT_SHARE),
        ],
        axis=1,
    )
    zone = np.empty(len(player), dtype=np.int64)
    u = rng.random(len(player))
    for three, mix, make, base in ((False, rates.mix2, MAKE_2, RA), (True, mix3, MAKE_3, LC3)):
        for hit in (True, False):
            sel = (is3 == three) & (made == hit)
            cdf = _cdf(mix * (make if hit else 1.0 - make))
            zone[sel] = base + _pick(cdf[player[sel]], u[sel])
    return zone


def _polar(d: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return d * np.cos(theta), d * np.sin(theta)


def _geometry(rng: np.random.Generator, zone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, dy): feet from the hoop; positive x is the 'Left' side as on NBA.com."""
    n = len(zone)
    x, dy = np.zeros(n), np.zeros(n)
    m = zone == RA
    x[m], dy[m] = _polar(3.9 * rng.random(m.sum()) ** 0.8, rng.uniform(-0.6, np.pi + 0.6, m.sum()))
    todo = np.flatnonzero(zone == PAINT)
    while len(todo):
        px, py = rng.uniform(-7.9, 7.9, len(todo)), rng.uniform(-4.7, 13.7, len(todo))
        ok = np.hypot(px, py) >= 4.1
        x[todo[ok]], dy[todo[ok]] = px[ok], py[ok]
        todo = todo[~ok]
    todo = np.flatnonzero(zone == MID)
    while len(todo):
        px, py = _polar(rng.uniform(8.05, 21.9, len(todo)), rng.uniform(0.0, np.pi, len(todo)))
        ok = (np.abs(px) >= 8.05) | (py >= 13.8)
        x[todo[ok]], dy[todo[ok]] = px[ok], py[ok]
        todo = todo[~ok]
    for z, sign in ((LC3, 1.0), (RC3, -1.0)):
        m = zone == z
        x[m] = sign * rng.uniform(22.1, 24.9, m.sum())
        dy[m] = rng.uniform(-4.3, 8.7, m.sum())
    m = zone == ATB
    d = np.minimum(23.8 + rng.exponential(1.8, m.sum()), 36.0)
    # above the corner (dy >= 8.8) and inside the sidelines (|x| <= 24.9)
    lo = np.maximum(np.arcsin(np.minimum(8.8 / d, 1.0)), np.arccos(np.minimum(24.9 / d, 1.0)))
    x[m], dy[m] = _polar(d, lo + (np.pi - 2 * lo) * rng.random(m.sum()))
    m = zone == BC
    x[m], dy[m] = rng.uniform(-22.0, 22.0, m.sum()), rng.uniform(42.0, 80.0, m.sum())
    return x, dy


def _labels(
    zone: np.ndarray, x: np.ndarray, dy: np.ndarray, dist: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(ZONE_NAME index, ZONE_RANGE index)."""
    angle = np.degrees(np.arctan2(dy, x))
    side = np.where(x > 0, 1, 2)
    side_center = np.where(x > 0, 3, 4)
    name = np.zeros(len(zone), dtype=np.int64)
    paint_side = (zone == PAINT) & (dist >= 8) & (np.abs(x) >= 4.1) & (dy < 10)
    name[paint_side] = side[paint_side]
    mid = zone == MID
    mid_center = (angle >= 72) & (angle <= 108)
    name[mid] = np.where(dy < 13.75, side, np.where(mid_center, 0, side_center))[mid]
    corner = (zone == LC3) | (zone == RC3)
    name[corner] = side[corner]
    atb = zone == ATB
    name[atb] = np.where(mid_center, 0, side_center)[atb]
    name[zone == BC] = 5
    rng_idx = np.select(
        [zone >= BC, zone >= LC3, dist < 8, dist < 16],
        [4, 3, 0, 1],
        default=2,
    )
    rng_idx = np.where((zone == PAINT) & (dist >= 8), 1, rng_idx)
    return name, rng_idx


def _periods(
    rng: np.random.Generator, grp: np.ndarray, starts: np.ndarray, rows: ShotRows
) -> np.ndarray:
    """Quarter of each shot: overtime shots count match the overtime FGA of the row."""
    n = len(grp)
    order = np.lexsort((rng.random(n), grp))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[grp[order]]
    reg = rows.fga - sum(rows.ot_fga, np.zeros_like(rows.fga))
    quarter = rng.choice(np.arange(1, 5), size=n, p=[0.26, 0.25, 0.25, 0.24])
    cum = reg.copy()
    in_ot = rank >= reg[grp]
    period = np.where(in_ot, 5, quarter)
    for extra in rows.ot_fga:
        cum = cum + extra
        period = period + (in_ot & (rank >= cum[grp]))
    return period


def shot_columns(
    rng: np.random.Generator,
    rows: ShotRows,
    rates: Rates,
    game_cols: dict[str, pa.Array | np.ndarray],
    player_ids: np.ndarray,
    player_names: list[str],
    team_ids: np.ndarray,
    team_names: list[str],
    season_end: int,
    season_label: str,
) -> tuple[list[pa.Array], int]:
    """All shot-detail columns in HEADER order, sorted by game and game clock.

    ``game_cols`` holds per-game arrays: 'date' (MM-DD-YYYY strings), 'game_id' (int),
    'home' and 'away' (tricodes).
    """
    fga = rows.fga
    n = int(fga.sum())
    grp = np.repeat(np.arange(len(fga)), fga)
    starts = np.cumsum(fga) - fga
    pos = np.arange(n) - starts[grp]
    is3 = pos < rows.fg3a[grp]
    made = np.where(is3, pos < rows.fg3m[grp], pos - rows.fg3a[grp] < (rows.fgm - rows.fg3m)[grp])
    player = rows.player[grp]
    zone = _zones(rng, rates, player, is3, made)
    x, dy = _geometry(rng, zone)
    loc_x = np.round(x, 1) + 0.0
    loc_y = np.round(np.round(dy, 1) + HOOP_Y, 2) + 0.0
    dist = np.hypot(loc_x, loc_y - HOOP_Y)
    name_idx, range_idx = _labels(zone, x, dy, dist)
    shot_distance = np.floor(dist).astype(np.int64)
    action = np.empty(n, dtype=np.int64)
    for z, weights in _ACTIONS.items():
        m = zone == z
        p = np.array(list(weights.values()), dtype=float)
        codes = np.array([ACTION_NAMES.index(a) for a in weights])
        action[m] = codes[rng.choice(len(codes), size=m.sum(), p=p / p.sum())]
    period = _periods(rng, grp, starts, rows)
    mins_left = np.where(period <= 4, rng.integers(0, 12, n), rng.integers(0, 5, n))
    secs_left = rng.integers(0, 60, n)

    game = rows.game[grp]
    order = np.lexsort((-secs_left, -mins_left, period, game_cols["game_id"][game]))
    team = rows.team[grp][order]
    player, game, made, zone = player[order], game[order], made[order], zone[order]
    is3 = is3[order]
    columns = [
        np.full(n, season_end, dtype=np.int64),
        dict_col([season_label], np.zeros(n, dtype=np.int32)),
        team_ids[team],
        dict_col(team_names, team),
        player_ids[player],
        dict_col(player_names, player),
        game_cols["date"].take(pa.array(game)),
        game_cols["game_id"][game],
        game_cols["home"].take(pa.array(game)),
        game_cols["away"].take(pa.array(game)),
        dict_col(["Missed Shot", "Made Shot"], made.astype(np.int32)),
        dict_col(["FALSE", "TRUE"], made.astype(np.int32)),
        dict_col(ACTION_NAMES, action[order]),
        dict_col(["2PT Field Goal", "3PT Field Goal"], is3.astype(np.int32)),
        dict_col(BASIC_ZONES, zone),
        dict_col(ZONE_NAMES, name_idx[order]),
        dict_col(ZONE_ABBS, name_idx[order]),
        dict_col(RANGES, range_idx[order]),
        loc_x[order],
        loc_y[order],
        shot_distance[order],
        period[order],
        mins_left[order],
        secs_left[order],
    ]
    return columns, n
