# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv and installs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KG     := $(BIN)/kg
STORE  ?= .demo-store
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench bench-queries clean servers lexicon browser frontend

# setup.py and the C source too: editing kg/_pubmed_fast.c must rebuild the extension (pip install -e).
$(STAMP): pyproject.toml setup.py kg/_pubmed_fast.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Real SPARQL servers for the integration tests (Oxigraph server from PyPI, Virtuoso from Debian).
servers: $(STAMP)
	bash scripts/install-servers.sh $(VENV)

# Debian's Chromium for the query-page tests (Playwright, from the test extra, drives it; no browser download).
browser:
	bash scripts/install-browser.sh

# Rebuild the query page's bundled editor (kg/serve/static/vendor/) from the npm registry; the built files
# are committed, so this is needed only to change the Yasgui version.
frontend:
	sh scripts/build-frontend.sh

demo: $(STAMP)
	rm -rf $(STORE)
	$(KG) ingest --store $(STORE) examples/
	$(KG) stats --store $(STORE)
	@if $(KG) --help | grep -q ' validate '; then $(KG) validate --store $(STORE); \
	  echo "(Expected: one JournalArticle-journal-missing warning, for the seed paper, whose record in"; \
	  echo " examples/ carries no ISSN or NLM journal ID; see examples/README.md.)"; fi
	@if [ -f queries/pathways-linking.rq ]; then \
	  echo "== Which pathways link colorectal cancer to liver metastasis? =="; \
	  $(KG) query pathways-linking --store $(STORE); \
	else \
	  echo "== Articles by Zhou H =="; \
	  $(KG) query articles-by-author --store $(STORE) --param family=Zhou --param given=H; \
	fi

test: $(STAMP)
	@# The server tests need Oxigraph server and Virtuoso; KG_SKIP_SERVERS=1 skips installing them (they then skip).
	@if [ -z "$$KG_SKIP_SERVERS" ]; then bash scripts/install-servers.sh $(VENV); fi
	@# The query-page tests need Chromium; KG_SKIP_BROWSER=1 skips installing it (they then skip).
	@if [ -z "$$KG_SKIP_BROWSER" ]; then bash scripts/install-browser.sh; fi
	@# The layers of docs/architecture.md (contracts in pyproject.toml): a wrong-way import fails here.
	$(BIN)/lint-imports
	@# Types: mypy --strict on kg/ (configuration in pyproject.toml, [tool.mypy]).
	$(BIN)/mypy kg
	$(BIN)/python -m pytest -q -ra

bench: $(STAMP)
	@if [ -z "$$KG_SKIP_SERVERS" ]; then bash scripts/install-servers.sh $(VENV); fi
	$(BIN)/python benchmarks/run.py

# Only the query-latency benchmark (issue 15); KG_BENCH_QUERY_SIZES=30000 for one store size.
bench-queries: $(STAMP)
	$(BIN)/python benchmarks/bench_queries.py

clean:
	rm -rf $(VENV) $(STORE) .bench .pytest_cache kg-store

# Rebuild the bundled lexicon from the ontology files in ../shared/data (and the full vocabularies
# fetched offline, see kg lexicon build --help); a test checks the shipped file against the builder.
lexicon: $(STAMP)
	$(KG) lexicon build --shared ../shared/data
