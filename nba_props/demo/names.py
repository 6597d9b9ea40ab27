"""Sportsbook spellings of player names.

About 3% of players get a spelling a plain normalizer resolves (case, punctuation in
initials, a dropped "Jr."); exactly two players per season get a nickname-style spelling
that needs an entry in the alias table.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from nba_props.demo.reference import PlayerPool

SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}
NICKNAMES = {
    "Nicolas": "Nic",
    "Nic": "Nicolas",
    "Cameron": "Cam",
    "Cam": "Cameron",
    "Nicholas": "Nick",
    "Nick": "Nicholas",
    "Kenneth": "Kenny",
    "Kenny": "Kenneth",
    "Herbert": "Herb",
    "Herb": "Herbert",
    "Alexander": "Alex",
    "Alex": "Alexander",
    "Jeffrey": "Jeff",
    "Jeff": "Jeffrey",
    "Michael": "Mike",
    "Mike": "Michael",
    "Robert": "Rob",
    "Patrick": "Pat",
    "Joshua": "Josh",
    "Josh": "Joshua",
    "Matthew": "Matt",
    "Matt": "Matthew",
    "Christopher": "Chris",
    "Chris": "Christopher",
    "Daniel": "Danny",
    "Zachary": "Zach",
    "Zach": "Zachary",
    "Benjamin": "Ben",
    "Ben": "Benjamin",
    "William": "Will",
    "Jacob": "Jake",
    "Gregory": "Greg",
    "Timothy": "Tim",
    "Tim": "Timothy",
    "Jonathan": "Jon",
    "Ronald": "Ron",
    "Ron": "Ronald",
    "Samuel": "Sam",
    "Sam": "Samuel",
    "Anthony": "Tony",
    "Mohamed": "Mo",
    "Moritz": "Mo",
    "Tristan": "Tris",
    "Bogdan": "Bogi",
    "Nikola": "Nik",
    "Dennis": "Denny",
    "Andrew": "Drew",
    "Bradley": "Brad",
    "Kevin": "Kev",
    "Jaylen": "Jay",
    "Jalen": "Jay",
}


def normalize_name(name: str) -> str:
    """Lower-case, strip accents and punctuation, drop Jr/Sr/II/III suffixes."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    tokens = re.sub(r"[^a-z0-9\s]", "", folded).split()
    return " ".join(t for t in tokens if t not in SUFFIXES)


def _resolvable_variant(name: str) -> str | None:
    """A different spelling of ``name`` that ``normalize_name`` maps back to the same key."""
    tokens = name.split()
    if len(tokens) < 2:
        return None
    if tokens[-1] in ("Jr.", "Sr."):
        return " ".join(tokens[:-1]) + " " + tokens[-1].rstrip(".")
    if tokens[-1] in ("II", "III", "IV"):
        return " ".join(tokens[:-1])
    first = tokens[0]
    if re.fullmatch(r"[A-Z]\.[A-Z]\.", first):
        return first.replace(".", "") + " " + " ".join(tokens[1:])
    if re.fullmatch(r"[A-Z]{2}", first):
        return f"{first[0]}.{first[1]}. " + " ".join(tokens[1:])
    if re.fullmatch(r"[A-Z][a-z]+[A-Z][a-z]+", first):  # DeAndre -> Deandre
        return first.capitalize() + " " + " ".join(tokens[1:])
    return None


def resolvable_variants(
    rng: np.random.Generator, pool: PlayerPool, share: float = 0.03
) -> dict[int, str]:
    """Pool index -> sportsbook spelling for ~``share`` of players (normalizer-resolvable)."""
    keys = [normalize_name(n) for n in pool.name]
    cands = {}
    for i, name in enumerate(pool.name):
        variant = _resolvable_variant(name)
        if variant and variant != name and normalize_name(variant) == keys[i]:
            cands[i] = variant
    chosen = sorted(cands)
    n = min(len(chosen), round(share * pool.n))
    picked = sorted(rng.choice(chosen, size=n, replace=False).tolist()) if n else []
    return {i: cands[i] for i in picked}


def _alias_for(pool: PlayerPool, i: int) -> str:
    first, last = pool.first[i], pool.last[i]
    nick = NICKNAMES.get(first)
    if nick:
        return f"{nick} {last}"
    return f"{first[0]}. {last}"


def choose_aliases(
    rng: np.random.Generator,
    pool: PlayerPool,
    candidates: np.ndarray,
    taken: set[int],
    used_keys: set[str],
    count: int = 2,
) -> list[tuple[int, str]]:
    """``count`` players (from ``candidates``) and spellings a normalizer cannot resolve."""
    known = {normalize_name(n) for n in pool.name} | used_keys
    order = rng.permutation(np.asarray(candidates))
    # Prefer real nickname forms ("Nic Claxton"), then initials ("J. Smith").
    ranked = sorted(order.tolist(), key=lambda i: pool.first[i] not in NICKNAMES)
    out: list[tuple[int, str]] = []
    for i in ranked:
        if i in taken:
            continue
        alias = _alias_for(pool, i)
        key = normalize_name(alias)
        if key in known:
            continue
        out.append((i, alias))
        known.add(key)
        if len(out) == count:
            break
    return out
