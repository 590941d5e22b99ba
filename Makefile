# Ascent: `make run` sets up and serves the site on SQLite with demo data;
# `make test` sets up what the tests need (PostgreSQL, Chromium) and runs them all.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup lint format services browser postgres redis oidc bench clean

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.runtime

run: $(VENV)/.runtime
	$(FLASK) db upgrade
	@for file in questionnaires/*.yaml; do $(FLASK) questionnaire import $$file || exit 1; done
	$(FLASK) curricula import
	$(FLASK) demo --if-empty
	@echo "Serving Ascent on http://$(HOST):$(PORT) with a background worker  (Ctrl-C to stop)"
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.test services lint
	$(BIN)/pytest

lint: $(VENV)/.test
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

format: $(VENV)/.test
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

services: postgres redis browser oidc

# Redis runs on this kind of machine; the queue tests on Redis need it.
redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null || { echo "Redis is not installed; the tests need it." >&2; exit 1; }; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in 1 2 3 4 5; do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 ping

# PostgreSQL runs on this kind of machine; start it when it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  command -v pg_ctlcluster >/dev/null || { echo "PostgreSQL is not installed; the tests need it." >&2; exit 1; }; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@pg_isready -h 127.0.0.1 -p 5432

# Playwright cannot download a browser here: use Debian's Chromium.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium || { echo "/usr/bin/chromium is missing; the browser tests need it." >&2; exit 1; }

# The single sign-on tests start a real OpenID provider (oidc-provider, run by node).
oidc: tests/oidc/node_modules/.installed
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "node and npm are missing: the single sign-on tests run an OpenID provider with node 18+." >&2; exit 1; }
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Figures, not tests: page latencies and query counts on the demo org, then wrk against
# gunicorn -w 2 on a generated org of 500 teams and 8 cycles (about a million answers).
BENCH_DB ?= /tmp/ascent-bench.db
bench: $(VENV)/.test
	$(BIN)/python -m bench.report_queries
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm
	DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m bench.generate_org
	DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m bench.load
	DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/python -m bench.write_path

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/oidc/node_modules
