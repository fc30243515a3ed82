# Maillage: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast check bench install messages clean-db

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

.env:
	cp .env.example .env

run: install .env
	$(PY) manage.py migrate --noinput
	-$(PY) manage.py seed_demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Every test, the slow tiers included (what CI runs, twice), one worker per core; prints
# the 25 slowest tests. Rules and budget: docs/testing.md.
test: install
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# The inner loop: without the slow tiers (browser, multiprocess, subprocess), in parallel.
test-fast: install
	$(PY) -m pytest -n auto -m "not browser and not multiprocess and not subprocess" $(PYTEST_ARGS)

check: install .env
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# `make bench BENCH=agenda`: only the pages whose name holds one of the words.
bench: install
	$(PY) bench/run.py $(BENCH)

messages: install .env
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean-db:
	rm -f var/maillage.sqlite3 var/maillage.sqlite3-wal var/maillage.sqlite3-shm
