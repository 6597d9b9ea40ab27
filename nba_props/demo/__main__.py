"""``python -m nba_props.demo OUT_DIR [--seasons N] ...``: write synthetic demo data."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from nba_props.demo.generate import generate_demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nba_props.demo", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seasons", type=int, default=1)
    parser.add_argument("--last-season", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=20251022)
    parser.add_argument(
        "--as-of", default="auto", help="YYYY-MM-DD, 'auto' (last 3 game days upcoming) or 'none'"
    )
    parser.add_argument("--no-shots", action="store_true")
    args = parser.parse_args(argv)
    choice = args.as_of.lower()
    as_of: date | str | None = {"auto": "auto", "none": None}.get(choice)
    if choice not in ("auto", "none"):
        as_of = date.fromisoformat(args.as_of)
    started = time.perf_counter()
    result = generate_demo(
        args.out_dir,
        seasons=args.seasons,
        last_season=args.last_season,
        seed=args.seed,
        as_of=as_of,
        shots=not args.no_shots,
    )
    print(
        f"{len(result.seasons)} season(s), {result.player_games} player-games, "
        f"{result.shots} shots, as_of={result.as_of} "
        f"in {time.perf_counter() - started:.1f}s -> {args.out_dir}"
    )


if __name__ == "__main__":
    main()
