#!/usr/bin/env bash
# Run the BigQuery target end to end against a local BigQuery emulator from PyPI.
#
#   scripts/bq_emulator.sh [--emulator crucible|bqemulator] [--quick] [--exclude SELECTOR...]
#
# Creates .venv-bqemu-<emulator>/ (git-ignored) from PyPI on first use, starts the emulator
# on a free port of 127.0.0.1, loads the real files through BigQueryLoader, runs dbt seed /
# build / incremental re-runs for the `emulator` target, writes
# target_bq/emulator/<emulator>/report.json and stops the emulator. See docs/bigquery.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "run 'make install' first (.venv is missing)" >&2; exit 2; }
export DBT_TARGET_PATH=target_bq DBT_LOG_PATH=logs_bq
exec "$PY" scripts/bq_emulator.py "$@"
