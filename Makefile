# The two commands: `make demo` and `make test` (also: make app, lab, bench, docs). Each sets up .venv itself (first run: a few minutes).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test sync nbtest pytest chromium app lab lab-full bench gpu-check docs student figures clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import ijepa_viz, torch, timm, nbdev"
	@touch $(STAMP)

setup: $(STAMP)

## make demo: write demo/index.html from the bundled defaults (offline), replacing the one an earlier make demo wrote
demo: setup
	$(BIN)/ijepa-viz demo --overwrite

## make test: notebooks and library in sync, every notebook executed, pytest (Chromium installed first for the app and docs tests)
test: setup sync nbtest chromium pytest

sync: setup
	$(BIN)/nbdev-export
	$(BIN)/nbdev-clean
	@if [ -n "$$(git status --porcelain -- nbs ijepa_viz pyproject.toml)" ]; then \
	  git status --porcelain -- nbs ijepa_viz pyproject.toml; \
	  echo "notebooks and library are out of sync: run nbdev-export and nbdev-clean, then commit"; exit 1; \
	else echo "sync: notebooks and library agree"; fi

nbtest: setup
	$(BIN)/python tools/nbtest.py

## two pytest workers (pytest-xdist), a test file each, one torch/BLAS thread each: the CPU is busy while a test waits on
## a subprocess, a browser or a kernel
pytest: setup
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 --dist loadfile tests

## tests/test_app.py (the Voila app) and tests/test_docs.py (the docs site) drive the system Chromium; install it when it is missing (apt, as root or with sudo)
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "chromium: /usr/bin/chromium is missing and apt-get is not available: install Chromium with your package manager"; \
	  echo "(it must end up as /usr/bin/chromium); tests/test_app.py fails until then."; exit 0; fi; \
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	echo "chromium: installing it with $$SUDO apt-get install -y chromium"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	  || { $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	  || echo "chromium: apt-get could not install chromium; tests/test_app.py fails until /usr/bin/chromium exists."

## make app [PORT=8866]: the Voila app (app/explorer.ipynb) on http://localhost:PORT
PORT ?= 8866
app: setup
	IJEPA_VIZ_CKPT=$(CKPT) JUPYTER_PATH=$(CURDIR)/app/share/jupyter $(BIN)/python -m voila --no-browser --port=$(PORT) --template=ijepa app/explorer.ipynb

## make docs: the docs site in _docs/ from the notebooks (nbdev processes them, Sphinx + MyST-NB renders them; no Quarto)
## make docs QUARTO=1: nbdev's own Quarto site instead (needs Quarto installed)
docs: setup
ifdef QUARTO
	@command -v quarto >/dev/null || { echo "make docs QUARTO=1 needs Quarto (https://quarto.org/docs/get-started/), which is not installed here;"; \
	  echo "plain 'make docs' builds the site without it."; exit 1; }
	$(BIN)/nbdev-docs
else
	$(BIN)/python tools/docs.py
endif

## make student: the students' copies of the exercises (nbs/exercises/, solutions stripped by otter assign) in exercises_student/
student: setup
	$(BIN)/python tools/exercises.py exercises_student

## make figures [FIGURES=slides]: the course's key figures as PNG (1600 px wide) and SVG, for slides
FIGURES ?= slides
figures: setup
	$(BIN)/ijepa-viz figures $(FIGURES)

lab: setup
	$(BIN)/jupyter lab nbs

## make lab-full: the lab notebook (nbs/15_lab.ipynb) run top to bottom with the whole five-minute training, into runs/lab/, then each part's time
lab-full: setup
	mkdir -p runs/lab
	OMP_NUM_THREADS=2 $(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 --output-dir runs/lab nbs/15_lab.ipynb
	$(BIN)/python tools/lab_times.py runs/lab/15_lab.ipynb

## make bench [OFFICIAL=path/to/facebookresearch/ijepa]: the benchmark figures
bench: setup
	$(BIN)/python benchmarks/masks.py
	$(BIN)/python benchmarks/attention.py
	$(BIN)/python benchmarks/vith.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/widgets.py
	$(BIN)/python benchmarks/train_step.py $(if $(OFFICIAL),--official $(OFFICIAL))

## make gpu-check [OFFICIAL=PATH]: on a machine with a GPU, one prepared command: the device, the vit_base/16 training
## throughput in bf16 (images/s, TFLOP/s, MFU) and, with OFFICIAL (a facebookresearch/ijepa checkout), the weight check
## and the CPU step beside the official one
gpu-check: setup
	@nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || { echo "gpu-check: no NVIDIA GPU here"; exit 1; }
	$(BIN)/python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"
	$(BIN)/python benchmarks/train_step.py --gpu $(if $(OFFICIAL),--official $(OFFICIAL))

clean:
	rm -rf $(VENV) demo _proc _docs exercises_student slides
