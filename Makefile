# Two commands a newcomer needs: `make run` (the product with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test faults load bench screenshots lint format clean

$(STAMP): pyproject.toml
	@bash scripts/system-packages --with-browser
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import django, redis, fakeredis, chromadb, weasyprint" 
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ifemotion.devserver

test: $(STAMP)
	$(PY) -m pytest

faults: $(STAMP)
	$(PY) -m pytest -m fault -p no:randomly -v

load: $(STAMP)
	$(PY) bench/load_test.py
	$(PY) bench/memory_bench.py

screenshots: $(STAMP)
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -m browser -q

# Every benchmark prints its figures as ratios measured in the same run; a MISS does not stop the rest.
bench: $(STAMP)
	-$(PY) bench/state_bench.py
	-$(PY) bench/archive_bench.py
	-$(PY) bench/export_bench.py
	-$(PY) bench/api_bench.py
	-$(PY) bench/dashboard_bench.py
	-$(PY) bench/memory_bench.py
	-$(PY) bench/inbox_bench.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	SECRET_KEY=lint-only $(PY) -m mypy .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
