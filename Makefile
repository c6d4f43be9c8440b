# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv and installs first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: run test app lint format bench baseline clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,app,cluster,ema]'
	touch $@

run: $(VENV)/.installed          ## the default experiment (layering), its report and figures: results/layering/<UTC stamp>/
	$(PY) -m sim sweep experiments/layering.toml --analyze

test: $(VENV)/.installed         ## lint, then the test suite
	$(PY) -m ruff check sim tests benchmarks
	$(PY) -m ruff format --check sim tests benchmarks
	$(PY) -m pytest -q

app: $(VENV)/.installed          ## the interactive app on http://127.0.0.1:8765 (Ctrl-C to stop)
	$(PY) -m sim app

lint: $(VENV)/.installed
	$(PY) -m ruff check sim tests benchmarks

format: $(VENV)/.installed
	$(PY) -m ruff format sim tests benchmarks
	$(PY) -m ruff check --fix sim tests benchmarks

bench: $(VENV)/.installed        ## speed and memory benchmarks (benchmarks/)
	$(PY) benchmarks/bench_model.py
	$(PY) benchmarks/bench_sweep.py

baseline: $(VENV)/.installed     ## rewrite the stored fixed-seed baseline after an intended change
	$(PY) -m tests.baseline --update

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
