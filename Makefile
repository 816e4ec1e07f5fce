# Rapport: `make demo` sets up and runs a demo; `make test` lints and runs the fast lane,
# `make test-all` every test (README, "Tests").
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# The demo: generated extracts for DEMO_ACCOUNTS accounts over DEMO_DAYS nights.
DEMO_ACCOUNTS ?= 2000
DEMO_START ?= 2026-10-01
DEMO_DAYS ?= 28
DEMO_SEED ?= 7
DATA := $(CURDIR)/data

.PHONY: install demo test test-all lint ui bench clean fuzz

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/rapport: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --quiet
	@touch $@

install: $(BIN)/rapport  ## create .venv from uv.lock

demo: install  ## generate demo extracts, run every night through Dagster, print the watchlist
	rm -rf $(DATA)/landing $(DATA)/lake $(DATA)/quality $(DATA)/exports $(DATA)/docs $(DATA)/warehouse.duckdb $(DATA)/labels.csv
	$(BIN)/rapport generate --out $(DATA)/landing --accounts $(DEMO_ACCOUNTS) \
		--start $(DEMO_START) --days $(DEMO_DAYS) --seed $(DEMO_SEED)
	DAGSTER_HOME=$(DATA)/dagster $(BIN)/rapport run --landing $(DATA)/landing --warehouse $(DATA)/warehouse.duckdb
	$(BIN)/rapport watchlist --warehouse $(DATA)/warehouse.duckdb --limit 15

lint: install  ## ruff, and sqlfluff over the dbt models (house style in .sqlfluff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p $(DATA)/sqlfluff
	RAPPORT_BUILD_DB=$(DATA)/sqlfluff/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models

test: lint  ## the fast lane: unit tests, dbt tests on fixtures, one end-to-end night
	$(BIN)/pytest -q -m "not full"

test-all: lint  ## every test: end to end, replays, backfills, kill -9, readers, bench smoke
	$(BIN)/pytest -q

FUZZ_EXAMPLES ?= 3000
fuzz: install  ## hostile deliveries against the ingest: FUZZ_EXAMPLES hypothesis cases (random seed)
	$(BIN)/pytest -q -p no:cacheprovider tests/unit/ingest/test_fuzz_ingest.py \
		--hypothesis-profile=fuzz --hypothesis-show-statistics \
		--hypothesis-seed=$${FUZZ_SEED:-$$RANDOM}


# `make ui WAREHOUSE=/srv/rapport/warehouse.duckdb LANDING=/mnt/exports` shows another
# installation: its Dagster instance (and lake) sit beside its warehouse.
WAREHOUSE ?= $(DATA)/warehouse.duckdb
LANDING ?= $(DATA)/landing
INSTALLATION = $(abspath $(dir $(WAREHOUSE)))

ui: install  ## the Dagster UI on http://127.0.0.1:3000 over the demo data (or WAREHOUSE=...)
	$(BIN)/python -m rapport.dagster_home $(INSTALLATION)/dagster >/dev/null
	DAGSTER_HOME=$(INSTALLATION)/dagster RAPPORT_LANDING=$(abspath $(LANDING)) \
		RAPPORT_LAKE=$(INSTALLATION)/lake RAPPORT_WAREHOUSE=$(abspath $(WAREHOUSE)) \
		PYTHONWARNINGS='ignore:Function `dev_command` is superseded:FutureWarning' \
		$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: install  ## time full and incremental nights against DuckDB alone (BENCH_SCALES=10k,100k,1m)
	$(BIN)/python -m bench --docs docs/performance.md

clean:
	rm -rf $(DATA)/landing $(DATA)/lake $(DATA)/quality $(DATA)/exports $(DATA)/docs $(DATA)/warehouse.duckdb $(DATA)/labels.csv dbt_project/target
