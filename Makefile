# techbridge: the only entry points. `make run` serves the portal; `make test` runs the whole suite.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export TECHBRIDGE_DATA_DIR ?= ../shared/data

.PHONY: run test test-pg check bench setup browser journeys clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

browser:
	@test -x $(CHROMIUM) && fc-list | grep -qi wqy || scripts/install-browser

run: setup
	$(BIN)/techbridge db upgrade
	$(BIN)/techbridge demo load
	$(BIN)/techbridge serve --host 127.0.0.1 --port 8000 --embed

# the whole suite on SQLite (the default store), then the unit and integration tests again on PostgreSQL
test: setup browser
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(MAKE) --no-print-directory test-pg

test-pg: setup
	scripts/with-postgres $(BIN)/python -m pytest -q -p no:cacheprovider -m "not e2e" tests/unit tests/integration

check: setup
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy
	rm -f var/check.db && TECHBRIDGE_DATABASE_URL=sqlite:///var/check.db $(BIN)/techbridge db upgrade >/dev/null
	TECHBRIDGE_DATABASE_URL=sqlite:///var/check.db $(BIN)/alembic check
	$(BIN)/techbridge data check

# the three first-time-user journeys (issue 13) in chromium, zh and en, saving their screenshots for docs/journeys.md
journeys: setup browser
	TECHBRIDGE_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e/test_journeys.py

bench: setup
	$(BIN)/python -m bench.run_all

clean:
	rm -rf var .pytest_cache
