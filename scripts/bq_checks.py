"""Offline BigQuery checks (no account, no network): `.venv/bin/python scripts/bq_checks.py`.

The same as `python -m nba_props.bq_checks`; see that module and docs/bigquery.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nba_props.bq_checks import main

if __name__ == "__main__":
    sys.exit(main())
