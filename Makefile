# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DUCKDB ?= data/nba_props.duckdb
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: install run test lint dbt-test pytest docs clean

# Create the environment from the lock file (offline except for the package registry).
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## make run: synthetic demo data -> loader -> dbt build (models + tests) -> summary
run: $(STAMP)
	$(BIN)/nba-props run --database $(DUCKDB)

## make test: sqlfluff + ruff, dbt build on test data, pytest
test: lint dbt-test pytest

lint: $(STAMP)
	mkdir -p data
	NBA_PROPS_DUCKDB=data/lint.duckdb $(BIN)/sqlfluff lint models tests analyses snapshots
	$(BIN)/ruff check .

dbt-test: $(STAMP)
	rm -f data/test.duckdb
	$(BIN)/nba-props run --database data/test.duckdb --landing data/test-landing

pytest: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/dbt docs generate --target-path target/docs
	@echo "docs site: target/docs/index.html (serve with: $(BIN)/dbt docs serve --target-path target/docs)"

clean:
	rm -rf target target_* logs data/*.duckdb data/*.wal
