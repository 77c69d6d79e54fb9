# yiwang entry points. The README names two: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
YIWANG := $(BIN)/yiwang
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/yiwang

.PHONY: install demo cluster migrate test test-sqlite test-postgres e2e bench lint check lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv

install: $(BIN)/python  ## create .venv and install the locked dependencies + the project
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .

migrate: install
	$(YIWANG) migrate --no-input
	$(YIWANG) createcachetable

demo: migrate  ## set up, load the demo world and start web + worker on http://$(HOST):$(PORT)
	$(YIWANG) load_demo
	$(BIN)/python -m yiwang.demo.run --host $(HOST) --port $(PORT)

cluster: install  ## the production shape on this machine (PostgreSQL+replica, PgBouncer, Redis, HAProxy, 2 web, 2 workers)
	scripts/ensure-postgres && scripts/ensure-pgbouncer
	$(BIN)/python -m yiwang.demo.cluster

# SQLite and PostgreSQL side by side (each output shown whole when it ends; each its own data
# directory), then the browser journeys.
test: install  ## the whole suite: SQLite, PostgreSQL (started if down), then the browser journeys
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	$(MAKE) --no-print-directory e2e

test-sqlite:
	YIWANG_ENV=test YIWANG_TASKS_BACKEND=immediate YIWANG_DATA_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest

test-postgres:
	scripts/ensure-postgres
	scripts/ensure-pgbouncer || echo "without pgbouncer/haproxy/redis-server the fault tests (tests/test_faults.py) are skipped"
	YIWANG_ENV=test YIWANG_TASKS_BACKEND=immediate YIWANG_DATA_DIR=$(CURDIR)/var/test-postgres DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

e2e: install  ## browser journeys: Playwright driving Debian's Chromium (installed if missing)
	scripts/ensure-chromium
	YIWANG_ENV=test YIWANG_E2E_REQUIRE_BROWSER=1 $(BIN)/pytest tests/journeys -m browser

bench: install  ## benchmarks on PostgreSQL under granian (ONLY=licenses,cases,… for some); writes bench/results/
	scripts/ensure-postgres
	$(BIN)/python bench/run.py $(if $(ONLY),--only $(ONLY))

lint: install  ## ruff, mypy, import-linter, migrations and OpenAPI drift
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports
	YIWANG_ENV=test $(YIWANG) makemigrations --check --dry-run
	YIWANG_ENV=test $(YIWANG) export_openapi --check docs/api/openapi.json

check: lint test  ## everything CI runs

lock:  ## re-resolve requirements/*.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements/main.lock
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --extra dev --extra redis -o requirements/dev.lock

clean:
	rm -rf $(VENV) var
