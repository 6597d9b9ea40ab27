# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DUCKDB ?= data/nba_props.duckdb
export DBT_PROFILES_DIR := $(CURDIR)
# The BigQuery loader and materialized-view tests run against a local emulator from PyPI
# (bqemulator, in its own .venv-bqemu-bqemulator, on 127.0.0.1). NBA_PROPS_BQ_EMULATOR=
# (empty) skips them.
export NBA_PROPS_BQ_EMULATOR ?= bqemulator

.PHONY: install run test lint schemas dbt-test pytest docs clean bench elementary-on elementary-report slim-ci slim-ci-state elementary-monitor

# Elementary is on once `make elementary-on` has installed its package (git-ignored).
ELEMENTARY_ON := $(wildcard dbt_packages/elementary/dbt_project.yml)
ELEMENTARY_VARS := $(if $(ELEMENTARY_ON),--vars '{elementary_enabled: true}')

# Create the environment from the lock file (offline except for the package registry).
# Bytecode is compiled at install: every dbt and nba-props process then starts without
# compiling (this environment may set PYTHONDONTWRITEBYTECODE, so it would never be cached).
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## make run: synthetic demo data -> loader -> dbt build (models + tests) -> summary
##   (with Elementary on: its anomaly tests, on the demo's clock; see docs/data-quality.md)
run: $(STAMP)
	$(BIN)/nba-props run --database $(DUCKDB) $(if $(ELEMENTARY_ON),--elementary)

## make test: sqlfluff + ruff, dbt build on test data, pytest
test: lint dbt-test pytest

lint: $(STAMP)
	mkdir -p data
	NBA_PROPS_DUCKDB=data/lint.duckdb $(BIN)/sqlfluff lint models tests analyses snapshots
	$(BIN)/ruff check .
	$(BIN)/python -m nba_props.schemas check

## make schemas: rewrite the dbt sources YAML and macros/schemas/table_schemas.sql from the
##   Python table definitions (nba_props/contracts.py, predict/contract.py,
##   orchestrate/execution_log.py); make lint fails when they drift apart.
schemas: $(STAMP)
	$(BIN)/python -m nba_props.schemas generate

dbt-test: $(STAMP)
	rm -f data/test.duckdb
	$(BIN)/nba-props run --database data/test.duckdb --landing data/test-landing

pytest: $(STAMP)
	bash scripts/ensure_chromium.sh
	$(BIN)/pytest

## make docs: the dbt docs site (models, columns, tests, lineage) of the warehouse in $(DUCKDB)
docs: $(STAMP)
	NBA_PROPS_DUCKDB=$(DUCKDB) $(BIN)/dbt docs generate --static --target-path target/docs
	@echo "docs site: target/docs/index.html (serve with: $(BIN)/dbt docs serve --target-path target/docs)"
	@echo "single file: target/docs/static_index.html (opens without a server)"

## make elementary-on: install Elementary (dbt package + edr) and create its tables. Offline:
##   make elementary-on ELEMENTARY_SRC=<checkout or git dir> DBT_UTILS_SRC=<checkout or git dir>
elementary-on: $(STAMP)
	NBA_PROPS_DUCKDB=$(DUCKDB) ELEMENTARY_SRC="$(ELEMENTARY_SRC)" DBT_UTILS_SRC="$(DBT_UTILS_SRC)" \
		scripts/elementary_on.sh

## make elementary-report: Elementary's HTML report of the warehouse in $(DUCKDB)
elementary-report: $(STAMP)
	NBA_PROPS_DUCKDB=$(DUCKDB) scripts/elementary_report.sh reports/elementary_report.html

## make elementary-monitor: edr monitor, Elementary's own Slack alerts (its anomalies and failed
##   tests of the last day) to the webhook in NBA_PROPS_EDR_SLACK_WEBHOOK (or _SECRET: a Secret
##   Manager version). The run's own alert (README, Alerts) needs no Elementary.
elementary-monitor: $(STAMP)
	NBA_PROPS_DUCKDB=$(DUCKDB) $(BIN)/python -m nba_props.monitoring.elementary monitor

## Slim CI: build and test only the models changed since a saved manifest, and their children.
## make slim-ci-state (on the base branch) builds the test warehouse and saves its manifest;
## make slim-ci (on the change) runs: dbt build --select state:modified+ --state $(STATE_DIR)
STATE_DIR ?= target_state
SLIM_DB   ?= data/slim_ci.duckdb
slim-ci-state: $(STAMP)
	rm -f $(SLIM_DB)
	DBT_TARGET_PATH=$(STATE_DIR) $(BIN)/nba-props run --database $(SLIM_DB) --landing data/test-landing
	@echo "saved: $(STATE_DIR)/manifest.json (and the warehouse $(SLIM_DB) it describes)"

slim-ci: $(STAMP)
	@test -f $(STATE_DIR)/manifest.json || { \
		echo "no saved manifest in $(STATE_DIR): run 'make slim-ci-state' on the base branch first"; exit 2; }
	@test -f $(SLIM_DB) || { \
		echo "no warehouse $(SLIM_DB) for the saved manifest: run 'make slim-ci-state' on the base branch"; exit 2; }
	NBA_PROPS_DUCKDB=$(SLIM_DB) $(BIN)/dbt build --select state:modified+ --state $(STATE_DIR) \
		--target-path target_slim $(ELEMENTARY_VARS)

## make bench: 1, 5 and 20 synthetic seasons; results in benchmarks/ (SEASONS="1 5" for fewer)
SEASONS ?= 1 5 20
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench --seasons $(SEASONS)

clean:
	rm -rf target target_* logs data/*.duckdb data/*.wal
