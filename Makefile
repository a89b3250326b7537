# The two commands: `make demo` and `make test`. Each sets up .venv itself (first run: a few minutes).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test sync nbtest pytest lab bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import ijepa_viz, torch, timm, nbdev"
	@touch $(STAMP)

setup: $(STAMP)

## make demo: write demo/index.html from the bundled defaults (offline)
demo: setup
	$(BIN)/ijepa-viz demo

## make test: notebooks and library in sync, every notebook executed, pytest
test: setup sync nbtest pytest

sync: setup
	$(BIN)/nbdev-export
	$(BIN)/nbdev-clean
	@if [ -n "$$(git status --porcelain -- nbs ijepa_viz pyproject.toml)" ]; then \
	  git status --porcelain -- nbs ijepa_viz pyproject.toml; \
	  echo "notebooks and library are out of sync: run nbdev-export and nbdev-clean, then commit"; exit 1; \
	else echo "sync: notebooks and library agree"; fi

nbtest: setup
	$(BIN)/python tools/nbtest.py

pytest: setup
	$(BIN)/python -m pytest -q tests

lab: setup
	$(BIN)/jupyter lab nbs

## make bench [OFFICIAL=path/to/facebookresearch/ijepa]: the benchmark figures
bench: setup
	$(BIN)/python benchmarks/masks.py
	$(BIN)/python benchmarks/attention.py
	$(BIN)/python benchmarks/train_step.py $(if $(OFFICIAL),--official $(OFFICIAL))

clean:
	rm -rf $(VENV) demo _proc _docs
