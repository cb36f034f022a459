# linreg-tui: `make run` starts the app on the seed data, `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test storm lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# The CPU build of torch first, so nothing later pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/linreg-tui --data seed

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -m "not storm"

# The 2,000-key storm takes minutes under Pilot: run it on its own.
storm: $(STAMP)
	$(BIN)/pytest -m storm -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The core's benchmark on one core (the last), NumPy's BLAS without threads: idle BLAS threads spinning beside
# the loop doubled the spread of repeated runs.
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $$(command -v taskset >/dev/null && echo taskset -c $$(( $$(nproc) - 1 ))) \
		$(BIN)/python benchmarks/core_overhead.py
	$(BIN)/python benchmarks/app_speed.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
