"""``python -m nba_props.schemas generate | check``: see :mod:`nba_props.schemas`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nba_props.schemas import PROJECT_DIR, check, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nba_props.schemas",
        description="Write (generate) or verify (check) the dbt sources YAML and "
        "macros/schemas/table_schemas.sql from the Python table definitions.",
    )
    parser.add_argument("command", choices=["generate", "check"])
    parser.add_argument("--root", type=Path, default=PROJECT_DIR, help="project directory")
    args = parser.parse_args(argv)
    if args.command == "generate":
        changed = generate(args.root)
        for path in changed:
            print(f"wrote {path}")
        print(f"schemas: {len(changed)} file(s) regenerated" if changed else "schemas: up to date")
        return 0
    problems = check(args.root)
    if not problems:
        print("schemas: the dbt sources and table_schemas.sql match the Python definitions")
        return 0
    for problem in problems:
        print(problem, file=sys.stderr)
    print(
        f"schemas: {len(problems)} difference(s) from the Python definitions; run "
        "`python -m nba_props.schemas generate` (make schemas) and commit the result",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
