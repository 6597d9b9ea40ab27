#!/usr/bin/env bash
# make elementary-report: Elementary's self-contained HTML report (edr report) of the
# warehouse in $NBA_PROPS_DUCKDB, written to the file given (default reports/elementary_report.html).
# Needs `make elementary-on` first, and a build with the anomaly tests on (make run does it
# while Elementary is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m nba_props.monitoring.elementary report "${1:-reports/elementary_report.html}"
