# benelux-kg — the two commands a newcomer needs:
#   make serve   set everything up, build the graph, serve it on http://127.0.0.1:8000
#   make test    set everything up and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
NPM    ?= npm
CHROMIUM ?= /usr/bin/chromium
VIRTUOSO ?= /usr/bin/virtuoso-t

.PHONY: setup browser virtuoso serve test lint build clean

# the venv, and YASGUI for the query page (npm ci into node_modules/, which is not committed)
setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	$(NPM) ci --no-audit --no-fund
	touch $@

# the browser tests drive Debian's Chromium through Playwright (which downloads no browser)
browser: $(CHROMIUM)

$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "make: installing Debian's chromium needs root:" \
	  "sudo apt-get install chromium"; exit 1; }
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# the remote-backend tests also run against Debian's Virtuoso 7 (its postinst stops the
# daemon it starts: the tests run their own, on loopback ports, in a temporary folder)
virtuoso: $(VIRTUOSO)

$(VIRTUOSO):
	@[ "$$(id -u)" = 0 ] || { echo "make: installing Debian's virtuoso-opensource needs root:" \
	  "sudo apt-get install --no-install-recommends virtuoso-opensource"; exit 1; }
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource

build: setup
	$(BIN)/benelux-kg build

serve: setup
	$(BIN)/benelux-kg serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check kg_service tests bench
	$(BIN)/ruff format --check kg_service tests bench

test: setup browser virtuoso lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache
