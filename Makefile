# prep-bot: `make run` sets everything up and serves the app; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860
# The project's data/ folder: the same one `prep-bot` uses by default when run from this folder.
export PREP_BOT_DATA_DIR ?= $(CURDIR)/data
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
# The home council: the first `make run` remembers the sample library's in the data dir, so every
# command uses it (`prep-bot council NAME` changes it). `make run PREP_BOT_COUNCIL="..."` remembers
# that one instead. Not exported to the tests, which set their own.
SAMPLE_COUNCIL := $(shell sed -n 's/^ *council: *"\(.*\)".*/\1/p' knowledge/evidence/manifest.yaml | head -n 1)
ifneq ($(filter command line environment,$(origin PREP_BOT_COUNCIL)),)
REMEMBER_COUNCIL := "$(PREP_BOT_COUNCIL)"
else
REMEMBER_COUNCIL := --if-unset "$(SAMPLE_COUNCIL)"
endif

.PHONY: run install test system-packages ingest eval bench clean loadtest

run: install
	$(BIN)/prep-bot ingest --if-empty knowledge/evidence
	$(BIN)/prep-bot council $(REMEMBER_COUNCIL)
	$(BIN)/prep-bot serve --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS))

install: $(STAMP)

# torch first, pinned, with pip (which finds the machine's CPU-only wheel, and whose index settings
# the machine may set): an unpinned torch would pull a multi-GB CUDA build. The rest with uv,
# pinned too: the same packages pip would choose, in under a minute instead of two. Both compile
# the bytecode at install: where PYTHONDONTWRITEBYTECODE is set (as on this project's machine),
# Python would otherwise compile every module again in every process that imports it.
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION) torch==2.13.0
	$(BIN)/python -m uv pip install --python $(BIN)/python --quiet --compile-bytecode -e '.[test]'
	$(BIN)/prep-bot onnx || echo "prep-bot will embed with torch (slower to start) until the ONNX copy is written."
	touch $(STAMP)

# What the tests need from Debian: chromium (the browser tests drive it through Playwright, no
# browser download), espeak-ng (real speech for the voice tests), haproxy (the proxy in front of
# `serve --workers N`) and postgresql (the shared-database tests start their own server; its
# initdb is not on PATH, so it is found by path). Installed when missing.
SYSTEM_PACKAGES := chromium espeak-ng haproxy postgresql
system-packages:
	@missing=; for p in $(SYSTEM_PACKAGES); do \
	  case $$p in postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;; *) PATH="$$PATH:/usr/sbin" command -v $$p >/dev/null ;; esac \
	  || missing="$$missing $$p"; done; \
	test -z "$$missing" || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; }

# Two pytest workers (pytest-xdist): most tests wait on a server, a browser or a process as much as
# they compute, so two share the two cores of the machine this is built on. A test file runs whole
# on one worker (its module fixtures are built once); files go out in collection order, the slow
# ones first (xdist would otherwise send the files with most tests first and the benchmark last).
TEST_WORKERS ?= 2
test: install system-packages
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

ingest: install
	$(BIN)/prep-bot ingest knowledge/evidence

eval: install
	$(BIN)/prep-bot eval retrieval

# Ingest, search at 10k and 100k passages, hybrid vs plain LangChain, coach turns, serve memory:
# one table of ratios against baselines measured in the same run (its own temp store).
# BENCH_SCALE=20000 for a quick run.
BENCH_SCALE ?= 100000
bench: install
	$(BIN)/prep-bot bench --scale $(BENCH_SCALE)

# 50 simulated users x 10 practice turns against a real server over the sample library, in a
# throwaway data dir on a free port; prints errors, turns, attempts stored, latencies, and the
# server's CPU per turn against what the cores could serve. WORKERS=N app processes (default:
# one per core), LOAD_THINK=S seconds each user pauses between turns.
LOAD_USERS ?= 50
LOAD_TURNS ?= 10
LOAD_THINK ?= 0
loadtest: install
	@dir=$$(mktemp -d); pid=; \
	trap 'test -n "$$pid" && kill $$pid 2>/dev/null; wait 2>/dev/null; rm -rf "$$dir"' EXIT; \
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	echo "Ingesting the sample library into $$dir ..."; \
	$(BIN)/prep-bot ingest knowledge/evidence --data-dir "$$dir" --quiet || exit 1; \
	$(BIN)/prep-bot serve --port $$port --data-dir "$$dir" $(if $(WORKERS),--workers $(WORKERS)) > "$$dir/serve.log" 2>&1 & pid=$$!; \
	echo "Serving on 127.0.0.1:$$port (pid $$pid); $(LOAD_USERS) users x $(LOAD_TURNS) turns ..."; \
	$(BIN)/prep-bot loadtest --url http://127.0.0.1:$$port/ --users $(LOAD_USERS) --turns $(LOAD_TURNS) \
		--think $(LOAD_THINK) --server-pid $$pid --wait 300 --timeout 1800; \
	status=$$?; grep -E "Traceback|database is locked" "$$dir/serve.log" && status=1; exit $$status

clean:
	rm -rf $(PREP_BOT_DATA_DIR)
