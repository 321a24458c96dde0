# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs the project from pyproject.toml.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test bench graphviz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The Graphviz `dot` program renders drawings. Install it when we can; otherwise say how and go on.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq graphviz >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq graphviz >/dev/null 2>&1)) || \
	    echo "Could not install Graphviz; drawings will be written as .dot files."; \
	  else \
	    echo "Graphviz 'dot' is missing; drawings will be written as .dot files. To render them:"; \
	    echo "  sudo apt-get install graphviz   |   brew install graphviz   |   conda install graphviz"; \
	  fi; }

demo: $(STAMP) graphviz
	$(BIN)/chainrule demo --out out

test: $(STAMP) graphviz
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# `make bench` writes build/bench/RESULTS.md; `make bench RECORD=1` rewrites benchmarks/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.bench $(if $(RECORD),--record)

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache .hypothesis
