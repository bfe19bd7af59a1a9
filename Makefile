# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install browser

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Start the service on its embedded defaults: local store under ./var, in-process jobs,
# a local signing key. Seeds demo organisations and prints their API keys first.
run: $(VENV)/.installed
	$(PY) -m gateway demo
	$(PY) -m gateway serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's chromium; install it where it is missing.
browser:
	@sh scripts/ensure-chromium.sh

# The whole test suite, as CI runs it.
test: $(VENV)/.installed browser
	$(PY) -m ruff check gateway tests
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check gateway tests
	$(PY) -m ruff format --check gateway tests

bench: $(VENV)/.installed
	$(PY) -m gateway.bench
