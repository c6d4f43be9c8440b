# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv and installs first.
# `make check` is the quick check for every change: lint, types, architecture and the fast tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# pytest on both cores (pytest-xdist); override with `make check JOBS=1`
JOBS   ?= 2

.PHONY: run test check lint-all app lint format bench baseline clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed          ## the default experiment (layering), its report and figures: results/layering/<UTC stamp>/
	$(PY) -m sim sweep experiments/layering.toml --analyze

lint-all: $(VENV)/.installed     ## ruff (lint and format), mypy, and the import contracts of pyproject.toml
	$(PY) -m ruff check sim tests benchmarks tools
	$(PY) -m ruff format --check sim tests benchmarks tools
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

check: lint-all                  ## the quick check (under 3 minutes on 2 cores): lint-all, then the tests not marked slow
	$(PY) -m pytest -q -n $(JOBS) -m "not slow"

test: lint-all                   ## every test, slow ones included (what CI runs)
	$(PY) -m pytest -q -n $(JOBS)

app: $(VENV)/.installed          ## the interactive app on http://127.0.0.1:8765 (Ctrl-C to stop)
	$(PY) -m sim app

lint: $(VENV)/.installed
	$(PY) -m ruff check sim tests benchmarks tools

format: $(VENV)/.installed
	$(PY) -m ruff format sim tests benchmarks tools
	$(PY) -m ruff check --fix sim tests benchmarks tools

bench: $(VENV)/.installed        ## speed and memory benchmarks (benchmarks/)
	$(PY) benchmarks/bench_model.py
	$(PY) benchmarks/bench_sweep.py

baseline: $(VENV)/.installed     ## rewrite the stored fixed-seed baseline after an intended change
	$(PY) -m tests.baseline --update

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
