# Two commands reproduce everything on a fresh clone (see README.md):
#   make reproduce   # set up the environment if needed, validate data/, run every notebook into outputs/
#   make test        # unit tests, the bad-data suite, and nbval over the committed notebooks
#   (make test-all    # also the end-to-end tier: what CI runs)
# An active virtual environment (or a non-base conda environment) is used as it is;
# otherwise a local .venv is created. Nothing is reinstalled when nothing changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The local environment's folder: CI makes one per Python version (make test VENV=.venv-3.12
# BOOTSTRAP_PYTHON=python3.12).
VENV ?= .venv
ifdef VIRTUAL_ENV
  ENV_PYTHON := $(VIRTUAL_ENV)/bin/python
else ifneq ($(and $(CONDA_PREFIX),$(filter-out base,$(CONDA_DEFAULT_ENV))),)
  ENV_PYTHON := $(CONDA_PREFIX)/bin/python
else
  ENV_PYTHON := $(CURDIR)/$(VENV)/bin/python
endif
BOOTSTRAP_PYTHON ?= python3
# The kernels papermill and nbval start run "python" from PATH: make it this environment's.
export PATH := $(dir $(ENV_PYTHON)):$(PATH)
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONHASHSEED := 0
export SOURCE_DATE_EPOCH := 1167609600

.PHONY: help env reproduce test test-e2e test-all unit nbval lint browser-tools validate lab notebooks environment.yml benchmark clean

help:
	@echo "make reproduce   validate data/ and run every notebook into outputs/"
	@echo "make test        quick tier: unit tests, bad-data suite, nbval over the committed notebooks"
	@echo "make test-e2e    end-to-end tier: offline reproduction, report in Chromium, batch, own cohort"
	@echo "make test-all    both tiers in one run (what CI runs)"
	@echo "make lint        ruff check and ruff format --check over the code and the notebooks"
	@echo "make browser-tools  install what the e2e report check needs: chromium, chromium-driver (apt-get), axe-core (npm)"
	@echo "make validate    check data/ against its data dictionary"
	@echo "make lab         open the notebooks in JupyterLab"
	@echo "make notebooks   re-execute the committed notebooks in place (after changing code or data)"
	@echo "make environment.yml  regenerate environment.yml from requirements.txt"
	@echo "make benchmark   time a warm reproduce against the bare-notebook floor (updates README)"

env:
	@$(BOOTSTRAP_PYTHON) tools/ensure_env.py $(ENV_PYTHON)

reproduce: env
	$(ENV_PYTHON) -m tacrolimus_ibd reproduce

validate: env
	$(ENV_PYTHON) -m tacrolimus_ibd validate data

# The quick tier: unit tests, the bad-data suite and nbval over every committed notebook, spread
# over the cores (each notebook stays on one worker: loadfile). About twice a warm reproduce.
PYTEST := $(ENV_PYTHON) -m pytest -n auto --dist loadfile
test: env lint
	$(PYTEST) -m "not e2e" tests --nbval notebooks

# The end-to-end tier: a full reproduction offline, determinism, clean failure, the report in
# headless Chromium, batch runs, the synthetic cohort. CI runs both tiers (make test-all).
test-e2e: env
	$(PYTEST) -m e2e tests

# What the report's browser check (tests/test_report.py, e2e tier) needs besides Python packages:
# Debian's chromium and chromium-driver (apt-get, as root) and axe-core, the accessibility engine
# (npm, into .tools/; MPL-2.0, not committed). Installs only what is missing; the tests never install.
AXE_CORE_VERSION := 4.14.1
AXE_CORE_DIR := .tools/node_modules/axe-core
browser-tools:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@if ! grep -qs '"version": "$(AXE_CORE_VERSION)"' $(AXE_CORE_DIR)/package.json; then \
	  echo "installing axe-core $(AXE_CORE_VERSION) with npm into .tools/"; \
	  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_CORE_VERSION); \
	fi
	@test -f $(AXE_CORE_DIR)/axe.min.js && chromium --version && chromedriver --version

test-all: env lint
	$(PYTEST) tests --nbval notebooks

unit: env
	$(ENV_PYTHON) -m pytest -m "not e2e" tests

nbval: env
	$(ENV_PYTHON) -m pytest --nbval notebooks

# ruff (pinned in requirements.txt, configured in pyproject.toml) over the library, tests, tools,
# benchmarks and the notebooks (ruff reads .ipynb itself). Both checks run; either failing fails.
lint: env
	@status=0; \
	$(ENV_PYTHON) -m ruff check . || status=1; \
	$(ENV_PYTHON) -m ruff format --check . || status=1; \
	exit $$status

notebooks: env
	$(ENV_PYTHON) -m tacrolimus_ibd refresh-notebooks

lab: env
	$(ENV_PYTHON) -m jupyter lab notebooks

environment.yml:
	$(BOOTSTRAP_PYTHON) tools/sync_environment.py

benchmark: env
	$(ENV_PYTHON) benchmarks/bench_reproduce.py --with-test --update-readme

# Removes only what runs wrote (the files each manifest lists, deepest run first) and what a killed
# run left; a file no run wrote (a note, a manuscript) stays, and is listed.
clean: env
	@$(ENV_PYTHON) -c "import sys; from pathlib import Path; from tacrolimus_ibd import engine; \
	roots = [Path('outputs'), Path('outputs.failed')]; \
	runs = sorted({m.parent for r in roots if r.is_dir() for m in r.rglob('manifest.json')}, key=lambda p: -len(p.parts)); \
	[engine.clean_leftovers(r) for r in roots]; \
	left = [f'{r}/{name}' for r in runs for name in engine.remove_own_files(r)]; \
	left = sorted({x for x in left if not x.endswith('outputs/README.md')}); \
	print('kept (not written by a run):', *left, sep='\n  ') if left else None"
