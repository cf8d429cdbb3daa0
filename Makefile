# Two commands a newcomer needs: `make run` (the product with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip warns about every index directory of this machine's pip.conf that lacks a package: noise.
QUIET_PIP := 2>&1 | { grep -v "^WARNING: Location" || true; }

LOCK := requirements.lock
# axe-core (accessibility checks in the browser tests), installed from npm by its lock file.
AXE := tests/assets/node_modules/axe-core/axe.min.js
# `make test` leaves out the tests marked slow (hangs, clusters, crashes, a fresh install); CI sets
# CI=true and runs everything, as does `make test-all`.
SELECT := $(if $(CI),,-m "not slow")

.PHONY: run test test-all faults load bench screenshots lint format lock clean dast


# Exact versions from the lock file, then the project itself without resolving anything again.
$(STAMP): pyproject.toml $(LOCK)
	@bash scripts/system-packages --with-browser
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null
	$(PY) -m pip install -q --disable-pip-version-check -r $(LOCK) $(QUIET_PIP)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e . $(QUIET_PIP)
	$(PY) -c "import django, redis, fakeredis, chromadb, weasyprint, pypdf"
	touch $(STAMP)

$(AXE): tests/assets/package.json tests/assets/package-lock.json
	npm ci --prefix tests/assets --no-audit --no-fund --loglevel=error
	touch $(AXE)

run: $(STAMP)
	$(PY) -m ifemotion.devserver

test: $(STAMP) $(AXE)
	$(PY) -m pytest $(SELECT)

test-all: $(STAMP) $(AXE)
	$(PY) -m pytest

faults: $(STAMP)
	$(PY) -m pytest -m fault -p no:randomly -v

load: $(STAMP)
	$(PY) bench/load_test.py
	$(PY) bench/memory_bench.py

screenshots: $(STAMP) $(AXE)
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -m browser -q

# Every benchmark prints its figures as ratios measured in the same run; a MISS does not stop the rest.
bench: $(STAMP)
	-$(PY) bench/state_bench.py
	-$(PY) bench/archive_bench.py
	-$(PY) bench/export_bench.py
	-$(PY) bench/api_bench.py
	-$(PY) bench/dashboard_bench.py
	-$(PY) bench/client_page_bench.py
	-$(PY) bench/memory_bench.py
	-$(PY) bench/risk_bench.py
	-$(PY) bench/risk_eval.py
	-$(PY) bench/search_eval.py
	-$(PY) bench/inbox_bench.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	SECRET_KEY=lint-only $(PY) -m mypy .
	$(PY) -m bandit -q -c pyproject.toml -r ifemotion sessions_app exports_app

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Re-resolve requirements.lock from pyproject.toml (after adding or changing a dependency), keeping
# every pin that still fits; UPGRADE=1 moves every pin to the newest allowed version. The next make
# installs it.
lock: $(STAMP)
	$(PY) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal \
	  --no-header --quiet $(if $(UPGRADE),--upgrade,) --output-file $(LOCK)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache tests/assets/node_modules

# A dynamic scan (wapiti3, in its own virtualenv) of a production-like gunicorn on loopback with a
# logged-in therapist, bounded in time; fails on any finding not explained in the README.
dast: $(STAMP)
	test -x .venv-dast/bin/wapiti || ($(PYTHON) -m venv .venv-dast && .venv-dast/bin/pip install -q --disable-pip-version-check "wapiti3>=3.2")
	$(PY) -m tests.security.dast
