# The project's commands. Each target creates .venv (python3 -m venv) when it is missing and
# installs requirements.txt into it, again only when requirements.txt or pyproject.toml changed.
#   make book   execute every chapter and build the HTML book into _build/html
#   make test   the whole test suite: library, notebooks (nbval), book build, headless browser
#   make lab    JupyterLab in the same environment (live widgets)
#   make bench  speed benchmarks (installs requirements-bench.txt first)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed

.PHONY: book test lab bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $(STAMP)

# jupyter-book build --all -W -n --keep-going . : --all rebuilds every page, so that with
# `execute_notebooks: force` a change under lib/ re-executes every chapter (Sphinx would
# otherwise skip pages whose source did not change). The log and exit status are kept in
# _build/ so that `make test` can reuse an up-to-date build instead of building twice.
book: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tests/book_build.py

test: $(STAMP)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "Installing Debian's chromium and chromium-driver (needs root) ..."; \
		apt-get install -y chromium chromium-driver || \
		{ apt-get update && apt-get install -y chromium chromium-driver; }; \
	fi
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest tests/ -p no:cacheprovider

lab: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab book/

bench: $(STAMP)
	$(BIN)/python -m pip install -r requirements-bench.txt
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/run.py

clean:
	rm -rf _build
