# Two commands on a fresh machine with Python 3.11 and make: `make demo` and `make test`.
# Every target bootstraps (or reuses) .venv with the stdlib venv + pip.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kdash-installed
SRC    := kdash tests benchmarks scripts

.PHONY: venv demo test fuzz lint format snapshots-update screenshots bench bench-100k docs clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP) ## open the dashboard on the built-in simulated cluster
	$(BIN)/kdash --demo

test: $(STAMP) ## the whole test suite (with a few key storms, tests/ui/test_keystorm.py)
	$(BIN)/pytest

STORMS ?= 200
fuzz: $(STAMP) ## many more key storms, new ones each run, shrunk to a minimal case on failure
	KDASH_STORM_EXAMPLES=$(STORMS) $(BIN)/pytest -q --timeout=0 tests/ui/test_keystorm.py

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict on kdash/
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix $(SRC)
	$(BIN)/ruff format $(SRC)

snapshots-update: $(STAMP) ## re-record SVG snapshots (review snapshot_report.html first)
	$(BIN)/pytest tests/ui --snapshot-update

screenshots: $(STAMP) ## regenerate screenshots/*.svg from a real run on the demo scenario
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP) ## run the benchmark harness and rewrite docs/benchmarks.md
	$(BIN)/python -m benchmarks

bench-100k: $(STAMP) ## make bench plus the 100,000-pod row of the scale curve (about a minute more; 1.2 GB for kdash, 1.5 GB for the sim)
	$(BIN)/python -m benchmarks --with-100k

docs: $(STAMP)
	$(BIN)/python -m kdash.health.docs > docs/rules.md

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
