# defcoop: `make run` serves on SQLite at 127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
# Exact versions and hashes of everything that passed CI (CONTRIBUTING.md: "The lock files").
LOCK := requirements/dev.lock
BENCH_LOCK := requirements/bench.lock
# `make lock` upgrades every pin; `make lock LOCK_ARGS=` only re-resolves after a pyproject edit;
# `make lock LOCK_ARGS="--upgrade-package ruff"` upgrades one package.
LOCK_ARGS ?= --upgrade
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
	--strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: install run migrate seed test test-fast lint format lock bench bench-datasets bench-mixed bench-import clean

# The lock holds the build backend too, so the editable install builds without fetching an
# unpinned setuptools; `pip check` fails when pyproject gained a dependency the lock lacks.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/defcoop db upgrade

seed: migrate
	$(BIN)/defcoop seed
	$(BIN)/defcoop import mme seed/datasets/mme_v7.csv
	$(BIN)/defcoop import dcad seed/datasets/dcad-1.0/DCAD-v1.0-main.csv
	$(BIN)/defcoop import ipi-peacekeeping seed/datasets/ipi-peacekeeping
	$(BIN)/defcoop import cow-igo seed/datasets/cow-igo-3/igo_year_format3.csv.gz
	$(BIN)/defcoop import atop seed/datasets/atop-5.1

run: seed
	$(BIN)/defcoop serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app seed tests migrations bench
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The bench lock is the dev lock plus datasette, resolved with the dev pins as constraints.
# Not on $(STAMP): after a pyproject edit the install refuses to run until the lock is redone.
lock:
	test -x $(BIN)/pip-compile || $(MAKE) install
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra dev --extra bench -c $(LOCK) -o $(BENCH_LOCK) pyproject.toml

bench: $(STAMP)
	$(BIN)/pip install --quiet --require-hashes -r $(BENCH_LOCK)
	$(BIN)/python bench/run.py
	$(MAKE) bench-datasets
	$(MAKE) bench-mixed

# The database `make seed` builds (every bundled dataset), built under bench/.data if missing.
bench-datasets: $(STAMP)
	$(BIN)/python bench/datasets.py

# Reads under writes (issue 18): read-only against mixed, SQLite and, with
# BENCH_POSTGRES=postgresql+psycopg://user@host/db (an admin URL), PostgreSQL.
bench-mixed: $(STAMP)
	$(BIN)/python bench/mixed.py $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))

bench-import: $(STAMP)
	$(BIN)/python bench/bench_import.py

clean:
	rm -rf $(VENV) var build *.egg-info
