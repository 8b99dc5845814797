# Two commands: `make run` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Compiled modules are cached in __pycache__ even where the environment turns that off: each pytest
# worker and each `graphsvc` process a test starts would otherwise compile the same sources again.
unexport PYTHONDONTWRITEBYTECODE

CHROMIUM := /usr/bin/chromium
# every npm project under frontend/ (its package.json and committed package-lock.json)
FRONTENDS := $(patsubst %/package.json,%,$(wildcard frontend/*/package.json))

.PHONY: run test lint typecheck pytest loadtest bench clean schema ontology-docs frontend

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ontology-docs frontend
	$(BIN)/graphsvc serve

# HTML documentation of ontology/*.ttl (pyLODE), kept in data/ontology-docs/ per content hash
ontology-docs: $(STAMP)
	$(BIN)/python -m graphsvc.web.make_ontology_docs

lint: $(STAMP)
	$(BIN)/ruff check graphsvc tests bench
	$(BIN)/ruff format --check graphsvc tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# the scale-out tests run the service on a real Virtuoso, from Debian's package
VIRTUOSO := /usr/bin/virtuoso-t
$(VIRTUOSO):
	@echo "make: installing Debian's virtuoso-opensource (the tests start a Virtuoso server)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource

# one pytest worker per core (pytest-xdist); the tests of a module share a worker and its fixtures
pytest: $(STAMP) frontend $(CHROMIUM) $(VIRTUOSO)
	$(BIN)/pytest -n auto --dist loadscope

test: lint typecheck pytest loadtest

# 60 s of the benchmark mix against `graphsvc serve --workers 2` while practices are written
# (bench/loadtest.py): prints requests, req/s, p50/p90/p99 and errors, fails only on an error.
# Its setup (generating and bulk-loading LOADTEST_PRACTICES practices, starting the workers)
# takes about 20 s at 10,000.
LOADTEST_PRACTICES ?= 10000
loadtest: $(STAMP)
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.loadtest --practices $(LOADTEST_PRACTICES) --duration 60

schema: $(STAMP)
	$(BIN)/python -c "from graphsvc.api.schema import print_sdl; print(print_sdl(), end='')" > schema.graphql

# Front-end builds: `npm ci && npm run build` per project, again only when a file of it (outside
# node_modules/ and dist/) is newer than its stamp. Without Node.js nothing is built and make stops.
frontend: $(FRONTENDS:%=%/dist/.built)

frontend_sources = $(shell find $(1) \( -name node_modules -o -name dist \) -prune -o -type f -print)

define FRONTEND_BUILD
$(1)/dist/.built: $(call frontend_sources,$(1))
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "make: $(1) needs Node.js 20+ and npm to build (Debian: apt-get install nodejs npm); nothing was built" >&2; \
	  exit 1; }
	rm -f $$@
	cd $(1) && npm ci --no-audit --no-fund && npm run build
	touch $$@
endef
$(foreach app,$(FRONTENDS),$(eval $(call FRONTEND_BUILD,$(app))))
# the app's typed operations are generated from the service's schema
frontend/app/dist/.built: schema.graphql

# The browser tests drive Debian's Chromium (Playwright's own browser downloads are not reachable).
$(CHROMIUM):
	@command -v apt-get >/dev/null || { \
	  echo "make: the browser tests need Chromium at $(CHROMIUM) and there is no apt-get to install it" >&2; \
	  exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# the benchmarks load servers with wrk, from Debian's packages
bench: $(STAMP)
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
