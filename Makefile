# Two commands on a fresh machine: `make demo` and `make test` (see README).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every package at the version in the lock: a fresh install gets what was tested, not the newest.
LOCK := requirements.lock

.PHONY: demo test lint bench install lock pg bench-server chromium bench-pages fuzz

$(BIN)/chipcustoms: pyproject.toml $(LOCK)
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(LOCK) pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(BIN)/chipcustoms

install: $(BIN)/chipcustoms

# A new lock: the newest releases that pyproject.toml allows, resolved in a scratch venv.
lock:
	rm -rf .venv-lock
	$(PY) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	head -4 $(LOCK) > .lock.new
	.venv-lock/bin/python -m pip freeze --all --exclude-editable | grep -v ' @ ' >> .lock.new
	mv .lock.new $(LOCK)
	rm -rf .venv-lock

demo: install
	$(BIN)/chipcustoms demo

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/chipcustoms
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: install
	$(BIN)/python benchmarks/bench_screen.py --rows 1000000 --repeat 5

# A local PostgreSQL for the store tests (root; installs Debian's postgresql if missing). Then:
#   CHIPCUSTOMS_TEST_PG_URL=$$(bash .ci/postgres.sh) make test
# Without the variable the PostgreSQL cases skip; .ci/run always sets it.
pg:
	bash .ci/postgres.sh

bench-server: install
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[bench]'
	$(BIN)/python benchmarks/bench_server.py --seconds 60 --rate 50

# Debian's Chromium for the browser test (root; tests/test_web_browser.py skips without it).
chromium:
	bash .ci/chromium.sh

# Page load times over a 1,000,000-line store (docs/benchmarks.md, "Web pages (issue 7)").
bench-pages: install
	$(BIN)/python benchmarks/bench_pages.py --rows 1000000 --loads 20

# The ingest fuzzing campaign (docs/benchmarks.md, "Ingest fuzzing").
fuzz: install
	PATH=$(BIN):$$PATH $(BIN)/python benchmarks/fuzz_ingest.py --inputs 100000 --cli 1000
