# Two commands for a newcomer: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: demo test lint check bench clean

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev,bench,spark]'
	touch $@

demo: $(READY)  ## build and show the demo ledger (SQLite, a synthetic population)
	$(BIN)/credo demo  # then serves it at http://127.0.0.1:8000; Ctrl-C stops

test: $(READY) lint  ## lint, type-check and run the whole suite
	$(BIN)/pytest -q

lint: $(READY)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(READY)  ## benchmarks; each prints a ratio against a reference measured in the same run
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
