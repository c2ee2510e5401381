# The two commands: `make run` (the whole stack on this machine) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint lock worker clean replay-histories bench bench-quick

run: $(VENV)/.installed-run
	$(BIN)/safeside dev

test: $(VENV)/.installed-test browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

# The web page's end-to-end tests (tests/e2e) drive Debian's Chromium: install it if missing.
.PHONY: browser
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get install -y --no-install-recommends chromium \
		|| { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium; }; \
	fi

# Renew the README's screenshots (docs/screenshots/) from the browser tests at 1280 and 390 px.
.PHONY: screenshots
screenshots: $(VENV)/.installed-test browser
	SAFESIDE_README_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e/test_any_screen.py

# Speed is measured here, never asserted in tests (docs/benchmarks.md).
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench --write docs/benchmarks.md

bench-quick: $(VENV)/.installed-test
	$(BIN)/python -m bench --quick

# Re-record the saved workflow histories the replay tests check (tests/replay/histories/).
replay-histories: $(VENV)/.installed-test
	$(BIN)/python -m tests.replay.record_histories

worker: $(VENV)/.installed-run
	$(BIN)/safeside worker

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Safeside needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are pinned by constraints.txt; re-run when the project's files change.
$(VENV)/.installed-run: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $@ $(VENV)/.installed-run

# Refresh the pins after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade --editable '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
