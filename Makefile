# Two commands on a fresh machine (Python 3.11+, Node 20+): `make demo` and `make test`.
# Each sets itself up: a virtual environment with the project (pip), and with npm the Cypher linter
# (tests/lint), the GraphQL-over-HTTP audit (tests/audit), and GraphiQL and Swagger UI, which the API serves itself
# (web/graphiql, web/swagger-ui; the latter with --ignore-scripts: a dependency's install script reports to a third party).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
LINT    = tests/lint
AUDIT   = tests/audit
GRAPHIQL = web/graphiql
SWAGGER_UI = web/swagger-ui

.PHONY: setup demo demo-neo4j serve test lint typecheck neo4j-launcher bench bench-postgis constraints clean

setup: $(VENV)/.installed $(LINT)/node_modules/.installed $(AUDIT)/node_modules/.installed \
       $(GRAPHIQL)/node_modules/.installed $(SWAGGER_UI)/node_modules/.installed

# Every package at the version constraints.txt pins (transitive ones too), so every machine installs the same set;
# a changed constraints.txt (`make constraints`) reinstalls.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@

$(LINT)/node_modules/.installed: $(LINT)/package.json $(LINT)/package-lock.json
	npm ci --prefix $(LINT) --no-audit --no-fund --loglevel=error
	touch $@

$(AUDIT)/node_modules/.installed: $(AUDIT)/package.json $(AUDIT)/package-lock.json
	npm ci --prefix $(AUDIT) --no-audit --no-fund --loglevel=error
	touch $@

$(GRAPHIQL)/node_modules/.installed: $(GRAPHIQL)/package.json $(GRAPHIQL)/package-lock.json
	npm ci --prefix $(GRAPHIQL) --no-audit --no-fund --loglevel=error
	touch $@

$(SWAGGER_UI)/node_modules/.installed: $(SWAGGER_UI)/package.json $(SWAGGER_UI)/package-lock.json
	npm ci --prefix $(SWAGGER_UI) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

demo: setup  ## generate the demo city, load it into the embedded graph, serve GraphiQL on :8000
	$(BIN)/safetynet demo

demo-neo4j: setup  ## the same, from the embedded Neo4j 5.26 (needs a JDK 17 and Maven; data in .safetynet-neo4j)
	SAFETYNET_DB=embedded-neo4j://.safetynet-neo4j $(BIN)/safetynet demo

serve: setup
	$(BIN)/safetynet serve

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

# The embedded Neo4j's launcher (graph/neo4j_launcher), built ahead so no test waits for Maven. Without a JDK and
# Maven the Neo4j tests skip, saying what to install (with CI=true they fail instead: .ci/run installs both).
neo4j-launcher: setup
	@if command -v javac >/dev/null && command -v mvn >/dev/null; then $(BIN)/safetynet db build-neo4j; \
	else echo "no JDK 17 and Maven here: the Neo4j tests will skip (apt-get install openjdk-17-jdk-headless maven)"; fi

test: lint typecheck neo4j-launcher  ## ruff, mypy, then the whole suite on the real embedded engines
	$(BIN)/python -m pytest

bench: setup neo4j-launcher  ## load, then search (with PostGIS, same run), at 10k and 100k services, on both engines
	$(BIN)/pip install --quiet "psycopg[binary]>=3.1"
	$(BIN)/python bench/load.py --engine both
	$(BIN)/python bench/search.py --engine both

bench-postgis: setup  ## the search question on PostGIS, same data (needs PostgreSQL 15 + PostGIS 3 installed)
	$(BIN)/pip install --quiet "psycopg[binary]>=3.1"
	$(BIN)/python bench/search_postgis.py

# Refresh constraints.txt: a fresh scratch virtual environment gets `pip install -e ".[test]"` with no constraints (the
# newest versions pyproject.toml allows), and its `pip freeze` becomes constraints.txt (the header comment kept).
# Then run `make test` (it reinstalls .venv from the new file): it must pass before the refresh is committed.
constraints:  ## re-pin constraints.txt to the newest versions pyproject.toml allows (`make test` before committing)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/pip" install --quiet --disable-pip-version-check -e ".[test]" && \
	{ grep '^#' constraints.txt; "$$tmp/venv/bin/pip" freeze --exclude-editable; } > "$$tmp/constraints.txt" && \
	cp "$$tmp/constraints.txt" constraints.txt && \
	echo "constraints.txt: $$(grep -vc '^#' constraints.txt) packages pinned; run \`make test\` before committing it"

clean:
	rm -rf $(VENV) .safetynet-neo4j $(LINT)/node_modules $(AUDIT)/node_modules $(GRAPHIQL)/node_modules web/swagger-ui/node_modules .safetynet .pytest_cache .mypy_cache .ruff_cache .hypothesis
