# The two commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYBABEL := $(BIN)/pybabel
BABEL_KEYWORDS := -k _ -k N_ -k ngettext:1,2

.PHONY: setup lock demo run test test-sqlite test-any-date check-image lint messages compile bench bench-country \
	clean

setup: $(VENV)/.installed compile

# Exactly the locked versions, each file checked against its sha256 (requirements-dev.lock), then
# the project itself with nothing more: its build backend is in the lock (--no-build-isolation),
# and `pip check` fails when pyproject.toml asks for something the lock does not hold.
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

# Resolve pyproject.toml again into both locks (ARGS=--upgrade: newest releases), then install.
lock: $(BIN)/uv
	scripts/lock.sh $(ARGS)
	$(MAKE) setup

# uv itself comes from the lock, which installs even when pyproject.toml has moved past it.
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock

compile: $(VENV)/.installed
	$(PYBABEL) compile --domain messages --directory locales --statistics 2>&1 | grep -v "^$$" || true

# Extract message ids and merge them into both catalogs (run after changing any text).
messages: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--project isobot -o locales/messages.pot .
	$(PYBABEL) update --domain messages -i locales/messages.pot -d locales --no-fuzzy-matching \
		--ignore-obsolete

# The main job on the embedded default: SQLite, and the local sandbox chat when no token is set.
demo: setup
	$(BIN)/isobot demo

run: setup
	$(BIN)/isobot run

# The whole suite, on SQLite and on a throwaway PostgreSQL server (Debian's postgresql package)
# on a free port in a fresh folder, stopped and removed when pytest ends, even when it fails.
test: setup
	scripts/test-postgres.sh run $(BIN)/pytest -q
	$(BIN)/ruff check .

test-sqlite: setup
	$(BIN)/pytest -q

# The suite must pass on any date: run it again with the process clock moved far away
# (Debian's faketime): the week before Tết 2027, and 23:30 on New Year's Eve in Vietnam.
test-any-date: setup
	faketime '2027-02-03 09:00:00' $(BIN)/pytest -q -p no:cacheprovider
	TZ=UTC faketime '2027-12-31 16:30:00' $(BIN)/pytest -q -p no:cacheprovider

# What the Dockerfile does, without Docker: build the wheel as its build stage does, install it
# with requirements.lock into a clean venv, run `isobot --help` and `isobot simulate` there.
check-image: setup
	scripts/check-image.sh

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/simulate.py
	$(BIN)/python bench/morning.py
	$(BIN)/python bench/annual_report.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/invitations.py
	$(BIN)/python bench/backup.py
	$(BIN)/python bench/working_days.py
	$(BIN)/python bench/metrics.py

bench-country: setup
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/import_units.py
	$(BIN)/python bench/webhook.py --units 2000
	$(BIN)/python bench/chat_heavy_tick.py --units 50000
	$(BIN)/python scripts/fuzz_webhook.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
