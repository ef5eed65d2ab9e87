# One command runs the demo, one runs the tests; each sets up what it needs and is safe to rerun.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
# runtime + training (the demo trains a model); the dev tools on top for the tests
PY_STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
NPM_STAMP := node_modules/.installed
ARTIFACTS := artifacts/contracts.json
CONTRACT_SOURCES := $(shell find contracts -name '*.sol' 2>/dev/null)
# every version from the lock; the package itself editable
PIP_INSTALL := $(BIN)/python -m pip install --quiet -c $(LOCK) -e

.PHONY: setup compile test lint demo deploy bench lock clean

setup: $(DEV_STAMP) $(NPM_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(PY_STAMP): pyproject.toml $(LOCK) | $(VENV)/bin/python
	$(PIP_INSTALL) '.[train]'
	touch $@

$(DEV_STAMP): $(PY_STAMP)
	$(PIP_INSTALL) '.[train,dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The compiler caches by a hash of the sources; this target only saves starting Python.
compile: $(ARTIFACTS)

$(ARTIFACTS): $(PY_STAMP) $(NPM_STAMP) $(CONTRACT_SOURCES)
	$(BIN)/scf compile

lint: $(DEV_STAMP)
	$(BIN)/ruff check backend tests bench scripts
	$(BIN)/mypy

test: compile lint
	$(BIN)/pytest

demo: compile
	$(BIN)/scf demo

deploy: compile
	$(BIN)/scf deploy

bench: compile
	$(BIN)/python bench/gas.py

# Regenerate the lock from pyproject.toml (every extra), after adding or changing a dependency.
lock: $(DEV_STAMP)
	$(BIN)/uv pip compile pyproject.toml --all-extras --python-version 3.11 \
		--quiet --output-file $(LOCK)

clean:
	rm -rf $(VENV) node_modules artifacts build data .pytest_cache .mypy_cache .ruff_cache
