# `make run` serves the demo on SQLite; `make test` runs the checks on SQLite and PostgreSQL.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
# Dependencies come pinned, with hashes, from the lock files; pyproject.toml keeps the ranges.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock"
# What `make run` says it migrates, without a password the URL may carry.
DATABASE := $(shell printf '%s' "$${DATABASE_URL:-the default SQLite database}" \
	| sed -E 's#(//[^:/@]*):[^@/]*@#\1:***@#')

.PHONY: run test lint format lock openapi bench bench-check bench-images soak clean

$(BIN)/python:
	@echo "byline: creating $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.lock pyproject.toml | $(BIN)/python
	@echo "byline: installing dependencies (first run takes a minute)"
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV): requirements-dev.lock pyproject.toml | $(BIN)/python
	@echo "byline: installing dependencies and dev tools (first run takes a minute or two)"
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(RUNTIME)

run: $(RUNTIME)
	@echo "byline: migrating $(DATABASE)"
	@$(BIN)/byline migrate
	@echo "byline: loading the demo content"
	@$(BIN)/byline load-demo
	@echo "byline: serving on http://$${HOST:-127.0.0.1}:$${PORT:-8000} (Ctrl+C stops it)"
	@$(BIN)/byline serve

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Rewrites files: what `make lint` would otherwise refuse, fixed where ruff can.
format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest

lock: $(DEV)
	$(LOCK) --output-file requirements.lock
	$(LOCK) --extra dev --output-file requirements-dev.lock

openapi: $(DEV)
	$(BIN)/python -m app.openapi > openapi/openapi.json

# The full bench (SQLite and PostgreSQL, tens of minutes); bench-check is its short
# version, failing when a ratio is below its target. Neither is part of `make test`.
bench: $(DEV)
	$(BIN)/python -m bench

bench-check: $(DEV)
	$(BIN)/python -m bench --check

# Images (bench/images/): a cold rendition by pyvips against Pillow, a cached rendition
# against a bare route, and a worker's memory under 20 concurrent 30 MB uploads.
bench-images: $(DEV)
	$(BIN)/python -m bench.images

# Ten minutes of mixed reads, beacons and editors' writes on PostgreSQL (bench/soak/);
# exits non-zero on an error, a lost write or view, or a worker's memory growing.
soak: $(DEV)
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
