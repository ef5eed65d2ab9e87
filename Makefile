# One command runs the demo, one runs the tests; each sets up what it needs and is safe to rerun.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
ARTIFACTS := build/contracts.json
CONTRACT_SOURCES := $(shell find contracts -name '*.sol' 2>/dev/null)

.PHONY: setup compile test lint demo deploy bench clean

setup: $(PY_STAMP) $(NPM_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The compiler caches by a hash of the sources; this target only saves starting Python.
compile: $(ARTIFACTS)

$(ARTIFACTS): $(PY_STAMP) $(NPM_STAMP) $(CONTRACT_SOURCES)
	$(BIN)/scf compile

lint: $(PY_STAMP)
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

clean:
	rm -rf $(VENV) node_modules build data .pytest_cache .mypy_cache .ruff_cache
