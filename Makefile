# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Two stamps: `serve` installs only what the service runs on; the development tools (ruff,
# mypy, pytest, …) come with the `dev` extra, installed by the targets that use them.
STAMP     := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp

.PHONY: serve test lint typecheck pytest system-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

## serve: install the runtime, apply migrations and start the service (SQLite ./watchwire.db,
## 127.0.0.1:8080)
serve: $(STAMP)
	$(BIN)/watchwire serve

## test: install everything the suite needs, then ruff, the import contracts, mypy and pytest
## (SQLite and PostgreSQL)
test: $(DEV_STAMP) system-deps lint typecheck pytest

system-deps:
	bash scripts/test-services.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Three workers: the suite mostly waits on the servers and processes it starts, so three
# share two cores well; the tests that start whole `watchwire` processes or a browser run
# one at a time on one worker (tests/conftest.py, decision 0038).
pytest: $(DEV_STAMP)
	$(BIN)/pytest -n 3 --dist loadgroup

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .import_linter_cache .grimp_cache build src/*.egg-info
