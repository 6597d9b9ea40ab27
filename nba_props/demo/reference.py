"""Reference data for the synthetic generator: teams, arenas, time zones, the player pool.

Teams and players come from the lists shipped inside ``nba_api`` (offline); everything latent
(positions, skill, per-36 rates) is drawn from a seeded generator, so it is deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from nba_api.stats.static import players as nba_players
from nba_api.stats.static import teams as nba_teams

# ESPN-style codes used by the game-lines file; every other team is its lower-cased tricode.
ESPN_CODES = {"GSW": "gs", "NYK": "ny", "NOP": "no", "SAS": "sa", "UTA": "utah", "WAS": "wsh"}
EAST = {
    "ATL",
    "BOS",
    "BKN",
    "CHA",
    "CHI",
    "CLE",
    "DET",
    "IND",
    "MIA",
    "MIL",
    "NYK",
    "ORL",
    "PHI",
    "TOR",
    "WAS",
}
# Hours behind US Eastern time of each home arena.
TZ_BEHIND_ET = {
    **dict.fromkeys(["GSW", "LAC", "LAL", "POR", "SAC"], 3),
    **dict.fromkeys(["DEN", "PHX", "UTA"], 2),
    **dict.fromkeys(["CHI", "DAL", "HOU", "MEM", "MIL", "MIN", "NOP", "OKC", "SAS"], 1),
}
ARENAS = {
    "ATL": "State Farm Arena",
    "BOS": "TD Garden",
    "BKN": "Barclays Center",
    "CHA": "Spectrum Center",
    "CHI": "United Center",
    "CLE": "Rocket Mortgage FieldHouse",
    "DAL": "American Airlines Center",
    "DEN": "Ball Arena",
    "DET": "Little Caesars Arena",
    "GSW": "Chase Center",
    "HOU": "Toyota Center",
    "IND": "Gainbridge Fieldhouse",
    "LAC": "Intuit Dome",
    "LAL": "Crypto.com Arena",
    "MEM": "FedExForum",
    "MIA": "Kaseya Center",
    "MIL": "Fiserv Forum",
    "MIN": "Target Center",
    "NOP": "Smoothie King Center",
    "NYK": "Madison Square Garden",
    "OKC": "Paycom Center",
    "ORL": "Kia Center",
    "PHI": "Wells Fargo Center",
    "PHX": "Footprint Center",
    "POR": "Moda Center",
    "SAC": "Golden 1 Center",
    "SAS": "Frost Bank Center",
    "TOR": "Scotiabank Arena",
    "UTA": "Delta Center",
    "WAS": "Capital One Arena",
}

ROSTER_SIZE = 14
# Roster composition by position (G, F, C); sums to ROSTER_SIZE.
ROSTER_MIX = (6, 5, 3)
POSITIONS = ("G", "F", "C")


@dataclass(frozen=True)
class TeamRef:
    team_id: np.ndarray  # int64, sorted by id
    abbr: list[str]
    full_name: list[str]
    espn: list[str]
    arena: list[str]
    tz_behind_et: np.ndarray  # int
    east: np.ndarray  # bool

    @property
    def n(self) -> int:
        return len(self.abbr)


@dataclass(frozen=True)
class PlayerPool:
    player_id: np.ndarray  # int64, sorted by id
    name: list[str]  # NBA.com spelling (ASCII, as in LeagueGameLog)
    first: list[str]
    last: list[str]
    pos: np.ndarray  # 0=G, 1=F, 2=C

    @property
    def n(self) -> int:
        return len(self.name)


def load_teams() -> TeamRef:
    rows = sorted(nba_teams.get_teams(), key=lambda t: t["id"])
    abbr = [t["abbreviation"] for t in rows]
    return TeamRef(
        team_id=np.array([t["id"] for t in rows], dtype=np.int64),
        abbr=abbr,
        full_name=[t["full_name"] for t in rows],
        espn=[ESPN_CODES.get(a, a.lower()) for a in abbr],
        arena=[ARENAS.get(a, f"{t['city']} Arena") for a, t in zip(abbr, rows, strict=True)],
        tz_behind_et=np.array([TZ_BEHIND_ET.get(a, 0) for a in abbr], dtype=np.int64),
        east=np.array([a in EAST for a in abbr]),
    )


def ascii_name(name: str) -> str:
    """NBA.com game logs spell names in plain ASCII ("Luka Doncic"), without commas."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    folded = re.sub(r",\s*", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


def load_players(rng: np.random.Generator) -> PlayerPool:
    """Active players, sorted by id, each given a latent position (G/F/C)."""
    rows = sorted((p for p in nba_players.get_players() if p["is_active"]), key=lambda p: p["id"])
    need = 30 * ROSTER_SIZE
    if len(rows) < need:
        raise ValueError(f"nba_api lists {len(rows)} active players; the demo needs {need}")
    n = len(rows)
    # Exact shares so each position has enough players to fill every roster.
    n_c = max(30 * ROSTER_MIX[2] + 10, round(0.2 * n))
    n_f = max(30 * ROSTER_MIX[1] + 10, round(0.38 * n))
    pos = np.zeros(n, dtype=np.int64)
    order = rng.permutation(n)
    pos[order[:n_c]] = 2
    pos[order[n_c : n_c + n_f]] = 1
    names = [ascii_name(p["full_name"]) for p in rows]
    firsts = [ascii_name(p["first_name"]) for p in rows]
    lasts = [ascii_name(p["last_name"]) for p in rows]
    return PlayerPool(
        player_id=np.array([p["id"] for p in rows], dtype=np.int64),
        name=names,
        first=firsts,
        last=lasts,
        pos=pos,
    )


@dataclass
class Rates:
    """Latent per-36-minute rates for every pool player in one season."""

    quality: np.ndarray
    fga: np.ndarray
    r3: np.ndarray  # share of FGA that are threes
    p2: np.ndarray
    p3: np.ndarray
    fta: np.ndarray
    pft: np.ndarray
    oreb: np.ndarray
    dreb: np.ndarray
    ast: np.ndarray
    stl: np.ndarray
    blk: np.ndarray
    tov: np.ndarray
    pf: np.ndarray
    min_bonus: np.ndarray  # personal minutes offset
    mix2: np.ndarray  # (n, 3) shares of 2PT attempts: restricted area, paint, mid-range
    corner3: np.ndarray  # share of 3PT attempts from the corners


@dataclass
class Traits:
    """Per-player constants drawn once (all seasons share them)."""

    quality: np.ndarray
    f: dict[str, np.ndarray]


_BY_POS = {  # G, F, C
    "r3": (0.46, 0.42, 0.18),
    "p2": (0.50, 0.52, 0.57),
    "p3": (0.355, 0.35, 0.325),
    "pft": (0.81, 0.77, 0.70),
    "oreb": (0.75, 1.55, 3.3),
    "dreb": (3.4, 4.9, 7.9),
    "ast": (5.6, 2.9, 2.6),
    "stl": (1.25, 1.15, 0.95),
    "blk": (0.35, 0.65, 1.55),
    "tov": (2.1, 1.7, 1.8),
    "pf": (2.6, 2.9, 3.4),
    "ra": (0.38, 0.46, 0.62),
    "mid": (0.30, 0.24, 0.10),
    "corner": (0.20, 0.30, 0.26),
}
_BASE_FGA = 12.6


def draw_traits(rng: np.random.Generator, n: int) -> Traits:
    quality = np.clip(rng.normal(0.0, 1.0, n), -2.6, 2.6)
    names = [
        "fga",
        "r3",
        "p2",
        "p3",
        "fta",
        "pft",
        "oreb",
        "dreb",
        "ast",
        "stl",
        "blk",
        "tov",
        "pf",
        "ra",
        "mid",
        "corner",
        "min",
    ]
    return Traits(quality, {k: rng.normal(0.0, 1.0, n) for k in names})


def season_rates(traits: Traits, pos: np.ndarray, drift: np.ndarray) -> Rates:
    """Rates of one season: the player's traits plus a slow random-walk drift in quality."""
    q = np.clip(traits.quality + drift, -2.8, 2.8)
    f = traits.f

    def by_pos(key: str) -> np.ndarray:
        return np.asarray(_BY_POS[key])[pos]

    usage = np.exp(0.27 * q)
    fga = _BASE_FGA * usage * np.exp(0.12 * f["fga"])
    ra = np.clip(by_pos("ra") + 0.07 * f["ra"], 0.15, 0.85)
    mid = np.clip(by_pos("mid") + 0.05 * f["mid"], 0.03, 0.45)
    paint = np.clip(1.0 - ra - mid, 0.05, None)
    mix2 = np.stack([ra, paint, mid], axis=1)
    mix2 /= mix2.sum(axis=1, keepdims=True)
    return Rates(
        quality=q,
        fga=fga,
        r3=np.clip(by_pos("r3") + 0.08 * f["r3"], 0.02, 0.75),
        p2=np.clip(by_pos("p2") + 0.022 * q + 0.025 * f["p2"], 0.42, 0.68),
        p3=np.clip(by_pos("p3") + 0.014 * q + 0.022 * f["p3"], 0.25, 0.45),
        fta=0.24 * fga * usage**0.5 * np.exp(0.25 * f["fta"]),
        pft=np.clip(by_pos("pft") + 0.06 * f["pft"], 0.5, 0.95),
        oreb=by_pos("oreb") * np.exp(0.3 * f["oreb"]),
        dreb=by_pos("dreb") * usage**0.3 * np.exp(0.2 * f["dreb"]),
        ast=by_pos("ast") * usage**0.9 * np.exp(0.3 * f["ast"]),
        stl=by_pos("stl") * np.exp(0.25 * f["stl"]),
        blk=by_pos("blk") * np.exp(0.4 * f["blk"]),
        tov=by_pos("tov") * usage**0.7 * np.exp(0.2 * f["tov"]),
        pf=by_pos("pf") * np.exp(0.2 * f["pf"]),
        min_bonus=1.5 * f["min"],
        mix2=mix2,
        corner3=np.clip(by_pos("corner") + 0.06 * f["corner"], 0.05, 0.6),
    )
