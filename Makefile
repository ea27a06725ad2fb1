# Two commands on a fresh machine: `make demo` and `make test` (see README).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench install

$(BIN)/chipcustoms: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/chipcustoms

install: $(BIN)/chipcustoms

demo: install
	$(BIN)/chipcustoms demo

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src/chipcustoms
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_screen.py --rows 1000000 --repeat 5
