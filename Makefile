# Two commands for a newcomer: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: demo test lint check bench clean browser messages wrk

# Compiled bytecode, as an installed package has: where PYTHONDONTWRITEBYTECODE is set, every
# `credo` command and test process would otherwise compile SQLAlchemy and the rest again.
$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -e '.[dev,bench,spark]'
	touch $@

demo: $(READY)  ## build and show the demo ledger (SQLite, a synthetic population)
	$(BIN)/credo demo  # then serves it at http://127.0.0.1:8000; Ctrl-C stops

test: $(READY) lint browser  ## lint, type-check and run the whole suite
	$(BIN)/pytest -q -n logical --durations=15

# The portal's browser tests drive Debian's chromium, and its screenshots need a CJK font:
# installed here when missing, so a fresh machine passes (Playwright downloads no browser).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei; \
	fi

# The portal's Chinese catalog, after templates change: new messages are added untranslated.
messages: $(READY)
	mkdir -p build
	$(BIN)/pybabel extract -F src/credo/web/i18n/babel.cfg -k N_ --no-location --omit-header \
		-o build/messages.pot src/credo/web
	$(BIN)/pybabel update -i build/messages.pot -d src/credo/web/i18n -D messages -l zh \
		--no-fuzzy-matching --ignore-obsolete

lint: $(READY)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(READY) wrk  ## benchmarks; each prints a ratio against a reference measured in the same run
	$(BIN)/python -m benchmarks

# The API benchmark's load generator: Debian's wrk, installed here when missing.
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; \
	fi

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
