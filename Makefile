# benelux-kg — the two commands a newcomer needs:
#   make serve   set everything up, build the graph, serve it on http://127.0.0.1:8000
#   make test    set everything up and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup serve test lint build clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build: setup
	$(BIN)/benelux-kg build

serve: setup
	$(BIN)/benelux-kg serve --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check kg_service tests bench
	$(BIN)/ruff format --check kg_service tests bench

test: setup lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache
