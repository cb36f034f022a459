# linreg-tui: `make run` starts the app on the seed data, `make test` runs every test, `make quick` the fast ones.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu

.PHONY: run test quick storm lint bench screenshots clean

# torch first, from its CPU wheel index where that answers within 5 s (on Linux the default index serves a
# multi-GB CUDA build); otherwise from the default index, which says so in one line.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	if $(BIN)/python -c "import urllib.request as u; u.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=5)" \
			>/dev/null 2>&1; then \
		$(BIN)/pip install -q $(TORCH) --extra-index-url $(TORCH_CPU_INDEX); \
	else \
		echo "torch: $(TORCH_CPU_INDEX) is not reachable; installing $(TORCH) from the default index"; \
		$(BIN)/pip install -q $(TORCH); \
	fi
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/linreg-tui --data seed

# Everything CI runs. Without tmux or a Chromium their end-to-end tests are skipped, each with a line saying why.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -m "not storm" -rs

# A developer's loop: all but the end-to-end and slow tests (under 2 minutes).
quick: $(STAMP)
	$(BIN)/pytest -m "not storm and not e2e and not slow" -n auto -rs -p no:cacheprovider

# The README's picture, rendered by the app itself (tests/test_docs.py checks it is current).
screenshots: $(STAMP)
	$(BIN)/python -m tui_app.screenshot docs/linreg-tui.svg

# The 2,000-key storm takes minutes under Pilot: run it on its own.
storm: $(STAMP)
	$(BIN)/pytest -m storm -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The benchmarks (docs/performance.md); the core's in-process one on one core (the last), NumPy's BLAS without threads: idle BLAS threads spinning beside
# the loop doubled the spread of repeated runs.
bench: $(STAMP)
	$(BIN)/python benchmarks/notebook_speed.py
	OPENBLAS_NUM_THREADS=1 $$(command -v taskset >/dev/null && echo taskset -c $$(( $$(nproc) - 1 ))) \
		$(BIN)/python benchmarks/core_overhead.py --pairs 4
	$(BIN)/python benchmarks/app_speed.py
	$(BIN)/python benchmarks/classroom.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
