# Two commands on a fresh Debian machine with Python 3.11:
#   make run    start the dashboard on the bundled data at http://127.0.0.1:$(PORT)
#   make test   run the whole test suite (installs what it needs first)
# Installs are exact: uv installs the versions pinned in uv.lock, and refuses to
# run if the lock and pyproject.toml disagree (`make lock` refreshes the lock).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# uv itself, pinned, in a folder of its own (uv sync would remove it from the project's venv).
UV_VERSION := 0.13.10
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# Compile every .pyc at install: with PYTHONDONTWRITEBYTECODE set (as on these machines) each
# CLI process the tests start would otherwise recompile pandas & co. (about 1 s of CPU each).
export UV_COMPILE_BYTECODE := 1

.PHONY: run test test-fast lint lock bench screenshot chromium postgis clean bytecode

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# --locked: fail, not re-resolve, when uv.lock does not match pyproject.toml.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra test --python $(PYTHON)
	touch $(STAMP)

# Our own package is installed editable, so uv compiles none of it: compile it here (only what changed
# since the last run is compiled again). Each CLI process (a test's, a bench's) then loads it instead of
# compiling ~50 modules (~0.1 s of CPU each time) when PYTHONDONTWRITEBYTECODE is set.
bytecode: $(STAMP)
	$(PY) -m compileall -q src

# Refresh the lock to the newest releases that pyproject.toml's ranges allow.
lock: | $(UV)
	$(UV) lock --upgrade --python $(PYTHON)

run: $(STAMP) bytecode
	$(VENV)/bin/territory serve --port $(PORT)

# Browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# The PostGIS store tests start a throwaway server (tests/postgis/fixtures.py): Debian's
# PostgreSQL with PostGIS, installed here when missing (never a downloaded build).
postgis:
	@{ ls /usr/lib/postgresql/*/bin/initdb && ls /usr/share/postgresql/*/extension/postgis.control; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql and postgresql-postgis for the store tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-postgis >/dev/null; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) bytecode chromium postgis lint
	$(PY) -m pytest

# Unit and AppTest tests (no browser, no PostGIS, and not the `slow` ones: whole rebuilds of the
# bundled data and timed runs, which `make test` runs), spread over TEST_JOBS processes
# (pytest-xdist; "auto" is one per core). worksteal: an idle worker takes queued tests from
# the busy one, so a long test does not leave a core idle.
TEST_JOBS ?= auto
test-fast: $(STAMP) bytecode lint
	$(PY) -m pytest -n $(TEST_JOBS) --dist worksteal -m "not browser and not postgis and not slow" tests/unit tests/app

bench: $(STAMP) bytecode
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The README's picture of the map page, taken from the running dashboard (docs/screenshot.png).
screenshot: $(STAMP) chromium
	$(PY) scripts/screenshot.py --port $(PORT)

clean:
	rm -rf $(VENV) $(UV_HOME) .pytest_cache test-artifacts
