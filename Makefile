# Execora: `make run` to use it, `make test` to prove it. `make help` lists the rest.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# The test suite runs against real PostgreSQL and Redis on localhost.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/execora
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
# The benchmarks write throwaway shops into their own PostgreSQL database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/execora_bench

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench install install-dev

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## create .venv and install the app

install-dev: $(VENV)/.installed-dev ## install the app with test and lint tools

run: $(VENV)/.installed ## server on :8000 with worker and beat, embedded defaults (Ctrl-C stops all)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runstack --port $(PORT)

test: $(VENV)/.installed-dev ## the whole suite against PostgreSQL and Redis on localhost
	scripts/test-prerequisites
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev ## run the benchmarks (PostgreSQL: BENCH_DATABASE_URL)
	scripts/test-prerequisites
	createdb -h 127.0.0.1 -U postgres execora_bench 2>/dev/null || true  # exists already: fine
	DATABASE_URL=$(BENCH_DATABASE_URL) LOG_LEVEL=warning $(PY) benchmarks/invoice_create.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/command_engine.py
	DATABASE_URL=$(BENCH_DATABASE_URL) LOG_LEVEL=warning $(PY) benchmarks/invoice_pdf.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) benchmarks/reminders_dispatch.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) benchmarks/api_http.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/voice_latency.py --plumbing
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) benchmarks/console_latency.py
	DATABASE_URL=$(BENCH_DATABASE_URL) LOG_LEVEL=warning $(PY) benchmarks/stt_wer.py

lint: $(VENV)/.installed-dev ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
