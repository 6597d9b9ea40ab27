"""Season calendars: an 82-game regular season and the dates and tip times of each game."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from nba_props.demo.reference import TeamRef

EPOCH = date(1970, 1, 1)
GAMES_PER_TEAM = 82


def day_number(d: date) -> int:
    return (d - EPOCH).days


def from_day(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@dataclass
class Games:
    """Columnar games of one season, in game-id order."""

    day: np.ndarray  # local game date, days since 1970-01-01
    home: np.ndarray  # team index
    away: np.ndarray
    playoff: np.ndarray  # bool
    game_id: list[str]  # 10 characters, leading zeros
    tip: np.ndarray  # tip-off, seconds since 1970-01-01 UTC

    @property
    def n(self) -> int:
        return len(self.day)

    @staticmethod
    def concat(parts: list[Games]) -> Games:
        return Games(
            day=np.concatenate([p.day for p in parts]),
            home=np.concatenate([p.home for p in parts]),
            away=np.concatenate([p.away for p in parts]),
            playoff=np.concatenate([p.playoff for p in parts]),
            game_id=[g for p in parts for g in p.game_id],
            tip=np.concatenate([p.tip for p in parts]),
        )


def _nearest_weekday(d: date, weekday: int) -> date:
    offset = (weekday - d.weekday()) % 7
    if offset > 3:
        offset -= 7
    return d + timedelta(days=offset)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def season_window(start_year: int) -> tuple[date, date]:
    """Opening night (the Tuesday nearest Oct 22) and the last day (Sunday nearest Apr 12)."""
    return (
        _nearest_weekday(date(start_year, 10, 22), 1),
        _nearest_weekday(date(start_year + 1, 4, 12), 6),
    )


def _blocked_days(start_year: int) -> set[date]:
    thanksgiving = _nth_weekday(start_year, 11, 3, 4)
    all_star = _nth_weekday(start_year + 1, 2, 0, 3) - timedelta(days=1)  # Sunday
    blocked = {thanksgiving, date(start_year, 12, 24)}
    blocked.update(all_star + timedelta(days=k) for k in range(-3, 4))
    return blocked


def _is_dst(d: date) -> bool:
    start = _nth_weekday(d.year, 3, 6, 2)
    end = _nth_weekday(d.year, 11, 6, 1)
    return start <= d < end


def tip_times(
    rng: np.random.Generator, days: np.ndarray, home: np.ndarray, teams: TeamRef
) -> np.ndarray:
    """Tip-off in UTC seconds: 7:00/7:30/8:00 pm local, some weekend afternoons."""
    n = len(days)
    local = rng.choice(np.array([19.0, 19.5, 20.0]), size=n, p=[0.5, 0.35, 0.15])
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    matinee = (weekday >= 5) & (rng.random(n) < 0.12)
    local = np.where(matinee, rng.choice(np.array([13.0, 15.5, 18.0]), size=n), local)
    uniq = np.unique(days)
    et_offset = dict(
        zip(uniq.tolist(), [4 if _is_dst(from_day(d)) else 5 for d in uniq], strict=True)
    )
    offset = np.array([et_offset[d] for d in days.tolist()], dtype=np.float64)
    hours = local + teams.tz_behind_et[home] + offset
    return days.astype(np.int64) * 86400 + np.round(hours * 3600).astype(np.int64)


def _circle_rounds(n: int) -> list[list[tuple[int, int]]]:
    """Single round robin by the circle method (n even): n-1 perfect matchings."""
    m = n - 1
    rounds = []
    for r in range(m):
        pairs = [(n - 1, r)]
        pairs += [((r + k) % m, (r - k) % m) for k in range(1, n // 2)]
        rounds.append(pairs)
    return rounds


def _balanced_orientation(edges: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Orient an even-degree graph along Euler circuits: every node gets in-degree = out-degree."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, (u, v) in enumerate(edges):
        adj[u].append((v, i))
        adj[v].append((u, i))
    used = [False] * len(edges)
    ptr = [0] * n
    oriented: list[tuple[int, int]] = []
    for start in range(n):
        stack = [start]
        while stack:
            u = stack[-1]
            while ptr[u] < len(adj[u]) and used[adj[u][ptr[u]][1]]:
                ptr[u] += 1
            if ptr[u] == len(adj[u]):
                stack.pop()
                continue
            v, i = adj[u][ptr[u]]
            used[i] = True
            oriented.append((u, v))
            stack.append(v)
    return oriented


def _matchups(rng: np.random.Generator, n_teams: int) -> tuple[np.ndarray, np.ndarray]:
    """82 games per team: every pair home and away, plus 24 balanced extra rounds."""
    home, away = [], []
    for i in range(n_teams):
        for j in range(n_teams):
            if i != j:
                home.append(i)
                away.append(j)
    extra_rounds = GAMES_PER_TEAM - 2 * (n_teams - 1)
    rounds = _circle_rounds(n_teams)
    chosen = sorted(rng.choice(len(rounds), size=extra_rounds, replace=False).tolist())
    edges = [pair for r in chosen for pair in rounds[r]]
    for h, a in _balanced_orientation(edges, n_teams):
        home.append(h)
        away.append(a)
    return np.array(home, dtype=np.int64), np.array(away, dtype=np.int64)


_WEEKDAY_WEIGHT = np.array([0.85, 1.0, 1.15, 0.8, 1.15, 1.0, 0.95])


def _assign_days(
    rng: np.random.Generator,
    home: np.ndarray,
    away: np.ndarray,
    calendar: list[date],
    christmas: date,
    n_teams: int,
) -> np.ndarray:
    """Greedy day-by-day assignment: no team twice a day, no three games in three days."""
    n = len(home)
    day_of = np.full(n, -1, dtype=np.int64)
    remaining = np.ones(n, dtype=bool)
    last = np.full(n_teams, -100, dtype=np.int64)
    last2 = np.full(n_teams, -100, dtype=np.int64)
    cal = list(calendar)
    di = 0
    while remaining.any():
        if di >= len(cal):  # overflow: keep adding days after the planned end
            cal.append(cal[-1] + timedelta(days=1))
        d = cal[di]
        dn = day_number(d)
        rem_idx = np.flatnonzero(remaining)
        left_days = max(len(calendar) - di, 1)
        if di == 0:
            quota = 2
        elif d == christmas:
            quota = 5
        elif left_days <= 2:
            quota = n_teams // 2
        else:
            base = len(rem_idx) / left_days * _WEEKDAY_WEIGHT[d.weekday()]
            quota = int(np.clip(round(base * rng.uniform(0.8, 1.2)), 1, n_teams // 2))
        load = np.bincount(home[rem_idx], minlength=n_teams) + np.bincount(
            away[rem_idx], minlength=n_teams
        )
        # Slack: how many more games a team could fit (at most two in any three days).
        slack = (2.0 * left_days + 2.0) / 3.0 - load
        quota = max(quota, min(int(np.ceil((slack < 2).sum() / 2)), n_teams // 2))
        h_all, a_all = home[rem_idx], away[rem_idx]
        prio = (
            -3.0 * np.minimum(slack[h_all], slack[a_all])
            + 0.5 * (load[h_all] + load[a_all])
            + 6.0 * rng.random(len(rem_idx))
        )
        busy = (last == dn - 1) & (last2 == dn - 2)
        taken = 0
        for g in rem_idx[np.argsort(-prio, kind="stable")].tolist():
            h, a = home[g], away[g]
            if busy[h] or busy[a]:
                continue
            busy[h] = busy[a] = True
            day_of[g] = dn
            remaining[g] = False
            last2[h], last[h] = last[h], dn
            last2[a], last[a] = last[a], dn
            taken += 1
            if taken == quota:
                break
        di += 1
    return day_of


def regular_season(rng: np.random.Generator, start_year: int, teams: TeamRef) -> Games:
    first, last = season_window(start_year)
    blocked = _blocked_days(start_year)
    calendar = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    calendar = [d for d in calendar if d not in blocked]
    home, away = _matchups(rng, teams.n)
    order = rng.permutation(len(home))
    home, away = home[order], away[order]
    days = _assign_days(rng, home, away, calendar, date(start_year, 12, 25), teams.n)
    tips = tip_times(rng, days, home, teams)
    order = np.lexsort((home, tips, days))
    yy = start_year % 100
    return Games(
        day=days[order],
        home=home[order],
        away=away[order],
        playoff=np.zeros(len(home), dtype=bool),
        game_id=[f"002{yy:02d}{k + 1:05d}" for k in range(len(home))],
        tip=tips[order],
    )


def playoff_game_id(start_year: int, rnd: int, series: int, game: int) -> str:
    return f"004{start_year % 100:02d}00{rnd}{series}{game}"
