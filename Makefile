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

.PHONY: setup compile test lint demo deploy bench lock clean console console-build console-test chromium

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

# The browser console (console/, its own package.json and lock: the root one is the contracts'
# toolchain). Its client and the typed-data vectors are generated from the Python side first.
CONSOLE_STAMP := console/node_modules/.installed
CONSOLE_SOURCES := $(shell find console/src console/index.html console/*.ts -type f -not -path 'console/src/client/*' -not -name vectors.json 2>/dev/null)
CONSOLE_GENERATED := console/openapi.json console/src/vectors.json

$(CONSOLE_STAMP): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console/openapi.json: $(PY_STAMP) $(shell find backend -name '*.py' 2>/dev/null)
	$(BIN)/scf openapi > $@.tmp && mv $@.tmp $@

console/src/vectors.json: $(PY_STAMP) backend/sdk/typed_data.py backend/sdk/eip712.py scripts/typed_data_vectors.py
	$(BIN)/python scripts/typed_data_vectors.py > $@.tmp && mv $@.tmp $@

console/dist/index.html: $(CONSOLE_STAMP) $(CONSOLE_GENERATED) $(CONSOLE_SOURCES)
	cd console && npx openapi-ts && npm run build

console-build: console/dist/index.html

console-test: $(CONSOLE_STAMP) $(CONSOLE_GENERATED)
	cd console && npx openapi-ts && npx vitest run

# Debian's chromium for the browser tests (and a CJK font for the zh-CN screenshots), installed
# when root; else those tests skip, saying why.
chromium:
	@if ! command -v chromium >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei; fi

console: compile console-build
	$(BIN)/scf demo --serve

test: compile lint console-build console-test chromium
	$(BIN)/pytest

demo: compile console-build
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
	rm -rf $(VENV) node_modules artifacts build data .pytest_cache .mypy_cache .ruff_cache console/node_modules console/dist
