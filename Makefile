# Two commands: `make run` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench clean schema ontology-docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ontology-docs
	$(BIN)/graphsvc serve

# HTML documentation of ontology/*.ttl (pyLODE), kept in data/ontology-docs/ per content hash
ontology-docs: $(STAMP)
	$(BIN)/python -m graphsvc.web.make_ontology_docs

lint: $(STAMP)
	$(BIN)/ruff check graphsvc tests bench
	$(BIN)/ruff format --check graphsvc tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

schema: $(STAMP)
	$(BIN)/python -c "from graphsvc.api.schema import print_sdl; print(print_sdl(), end='')" > schema.graphql

# the benchmarks load servers with wrk, from Debian's packages
bench: $(STAMP)
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
