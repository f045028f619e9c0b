# Two commands do all the set-up on a fresh machine with only Python:
#   make app    creates .venv if missing, installs, starts the app on the bundled models
#   make test   same set-up, runs the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.snnviz-installed
PYTEST_ARGS ?=

.PHONY: install app test lint bench models screenshots clean-cache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

app: install
	$(BIN)/snnviz app

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/run_all.py

# Re-train the three bundled models (about 10 minutes each on 2 CPU cores: one torch thread + one data worker).
models: install
	$(BIN)/snnviz train --threads 1 --preset avdigits-arcface --out assets/models/avdigits-arcface.safetensors
	$(BIN)/snnviz train --threads 1 --preset avdigits-softmax --out assets/models/avdigits-softmax.safetensors
	$(BIN)/snnviz train --threads 1 --preset avdigits-sphere3d --out assets/models/avdigits-sphere3d.safetensors

# Re-take the README's screenshots with the browser test (needs Debian's chromium).
screenshots: install
	SNNVIZ_SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest tests/e2e -k renders

clean-cache:
	rm -rf .snnviz-cache
