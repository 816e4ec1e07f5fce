# Rapport: `make demo` sets up and runs a demo; `make test` lints and runs the fast lane,
# `make test-all` every test (README, "Tests").
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# The demo: generated extracts for DEMO_ACCOUNTS accounts over DEMO_DAYS nights, enough for
# `rapport tune` to have outcomes: it fits on nights whose horizon is complete and judges on
# later ones, a horizon apart; the horizon is rapport.toml [tune] horizon_days (90) when the
# nights hold 2 x 90 + 21, else the longest they allow (200 nights: 89 days; 60 nights: 19),
# and it needs 20 defections in the fit nights: 60 % of the leavers defect inside the
# nights, from the 5th % of them on.
# The history runs first, then the tune, then the last night with the tuned weights. 60 nights
# keep the demo a few minutes long (the tune's horizon is then 19 days); 800 accounts give the
# fit nights enough defections.
DEMO_ACCOUNTS ?= 800
DEMO_START ?= 2026-01-05
DEMO_DAYS ?= 60
DEMO_SEED ?= 7
DEMO_GENERATE_OPTIONS ?= --in-window 0.6 --defections-from 0.05
DEMO_LAST := $(shell $(PYTHON) -c "import datetime as d; print(d.date.fromisoformat('$(DEMO_START)') + d.timedelta(days=$(DEMO_DAYS) - 1))")
DEMO_BEFORE_LAST := $(shell $(PYTHON) -c "import datetime as d; print(d.date.fromisoformat('$(DEMO_START)') + d.timedelta(days=$(DEMO_DAYS) - 2))")
DATA := $(CURDIR)/data
# Optional dependency groups to install, e.g. `make install EXTRAS=spark` (dbt-spark and
# pyspark for `rapport run --engine spark`; CI installs it). Space-separated.
EXTRAS ?=

.PHONY: install demo test test-all lint ui bench validity fuzz clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/rapport: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --quiet $(addprefix --extra ,$(EXTRAS))
	@touch $@

install: $(BIN)/rapport  ## create .venv from uv.lock (EXTRAS=spark adds the Spark engine)

demo: install  ## generate demo extracts, run the history, tune the weights on it, run the last night, print the watchlist
	rm -rf $(DATA)/landing $(DATA)/lake $(DATA)/quality $(DATA)/exports $(DATA)/docs $(DATA)/warehouse.duckdb $(DATA)/labels.csv
	$(BIN)/rapport generate --out $(DATA)/landing --accounts $(DEMO_ACCOUNTS) \
		--start $(DEMO_START) --days $(DEMO_DAYS) --seed $(DEMO_SEED) $(DEMO_GENERATE_OPTIONS)
	DAGSTER_HOME=$(DATA)/dagster $(BIN)/rapport run --landing $(DATA)/landing --warehouse $(DATA)/warehouse.duckdb \
		--from $(DEMO_START) --to $(DEMO_BEFORE_LAST)
	@# too little history (a shorter DEMO_DAYS): the tune says how much more it needs, changes nothing
	-$(BIN)/rapport tune --warehouse $(DATA)/warehouse.duckdb --apply
	DAGSTER_HOME=$(DATA)/dagster $(BIN)/rapport run --landing $(DATA)/landing --warehouse $(DATA)/warehouse.duckdb \
		--date $(DEMO_LAST)
	$(BIN)/rapport watchlist --warehouse $(DATA)/warehouse.duckdb --limit 15

lint: install  ## ruff, and sqlfluff over the dbt models (house style in .sqlfluff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p $(DATA)/sqlfluff
	RAPPORT_BUILD_DB=$(DATA)/sqlfluff/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models

# Test processes (pytest-xdist): `auto` is one per core. A test module runs whole in one
# process (--dist loadfile), so its module fixtures are built once; TEST_WORKERS=0 runs
# everything in this process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

test: lint  ## the fast lane: unit tests, dbt tests on fixtures, one end-to-end night
	$(PYTEST) -m "not full"

test-all: lint  ## every test: end to end, replays, backfills, kill -9, readers, bench smoke
	$(PYTEST)

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

# BENCH_ENGINE=spark: the same nights with the models on Spark (`make install EXTRAS=spark`)
BENCH_ENGINE ?= duckdb
bench: install  ## time full and incremental nights (BENCH_SCALES=10k,100k,1m; BENCH_ENGINE=spark)
	$(BIN)/python -m bench --docs docs/performance.md --engine $(BENCH_ENGINE)

validity: install  ## generator variants the rules never saw: default vs tuned weights vs the in-sample bound
	$(BIN)/python -m bench.validity --docs docs/scoring.md

clean:
	rm -rf $(DATA)/landing $(DATA)/lake $(DATA)/quality $(DATA)/exports $(DATA)/docs $(DATA)/warehouse.duckdb $(DATA)/labels.csv dbt_project/target
