# prep-bot: `make run` sets everything up and serves the app; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860
export PREP_BOT_DATA_DIR ?= $(CURDIR)/data
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run install test browser ingest eval clean

run: install
	$(BIN)/prep-bot ingest --if-empty knowledge/evidence
	$(BIN)/prep-bot serve --host $(HOST) --port $(PORT)

install: $(STAMP)

# torch first, pinned: an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The browser tests drive Debian's chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install browser
	$(BIN)/python -m pytest

ingest: install
	$(BIN)/prep-bot ingest knowledge/evidence

eval: install
	$(BIN)/prep-bot eval retrieval

clean:
	rm -rf $(PREP_BOT_DATA_DIR)
