# Every target creates the virtual environment it needs, so a fresh clone needs only Python.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
PYBABEL = $(BIN)/pybabel
LANGUAGES = ar fr en

.PHONY: install run console test lint format messages upgrade

$(BIN)/hubbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/hubbot

# After `git pull`: the new code installed, then a backup of the database, then migrations
# (README, "Running as a service").
upgrade: install
	$(BIN)/hubbot upgrade --skip-install

run: install
	$(BIN)/hubbot run --console-if-no-token

console: install
	$(BIN)/hubbot console

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract messages from the code and merge them into the three catalogs; translate the
# new entries in locales/*/LC_MESSAGES/messages.po afterwards (the tests list what is missing).
messages: install
	$(PYBABEL) extract -F babel.cfg -k label -k plabel:1c,2 --no-location \
		--sort-output -o locales/messages.pot --project=mena-hub-bot .
	$(PYBABEL) update -i locales/messages.pot -d locales -D messages \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python locales/fill_english.py
