# Two commands: `make run` and `make test`. Each creates or updates .venv itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint fmt bench clean i18n vendor

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/aiostore serve

# The tests run on every core (pytest-xdist: each worker starts its own embedded database);
# `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= auto
test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not fuzz"
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m fuzz tests/fuzz

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

# The dashboard's translations: extract the strings of the pages, merge them into each language's .po
# (translate the new entries there), then check that every one is translated. The service compiles the
# .po files in memory when it starts; no .mo file is kept.
LOCALE := src/aiostore/web/locale
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		-o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-fuzzy-matching
	$(BIN)/pybabel compile --statistics -D messages -l id -i $(LOCALE)/id/LC_MESSAGES/messages.po -o /dev/null

# Fetch the browser libraries again (npm pack; npm is needed for this step only) and record their
# versions and checksums in src/aiostore/web/static/vendor/VENDOR.json.
vendor: $(STAMP)
	$(BIN)/python tools/vendor.py
	$(BIN)/python tools/vendor.py --check

clean:
	rm -rf $(VENV) .aiostore .pytest_cache .mypy_cache .ruff_cache
