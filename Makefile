# giamsat — the two commands a new user runs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.setup-stamp
PYTEST_ARGS ?=

.PHONY: setup demo test test-sqlite bench lint format clean

UI     := src/giamsat/web/static/index.html
UI_SRC := $(wildcard web/package-lock.json web/index.html web/vite.config.ts web/src/*.ts web/src/*/*.ts web/src/*.css web/public/*)

setup: $(STAMP) $(if $(UI_SRC),$(UI))

# the UI is rebuilt when its sources change (make setup builds it on a fresh machine too)
$(UI): $(UI_SRC)
	cd web && npm ci --no-audit --no-fund && npm run build

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,enc]'
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi
	@if [ -x scripts/setup-system.sh ]; then scripts/setup-system.sh; fi
	touch $(STAMP)

demo: setup
	$(BIN)/giamsat demo

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-sqlite: setup
	GIAMSAT_TEST_BACKENDS=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .ruff_cache
