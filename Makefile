# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv; `make demo` installs only what the demo needs, `make test` adds the dev tools.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test bench graphviz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The project and its three libraries (graphviz, tqdm, matplotlib): all the demo needs.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

# The same plus the `dev` extra: pytest, hypothesis, sympy, ruff, mypy, a notebook kernel, playwright.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev]'
	touch $@ $(VENV)/.installed

# The Graphviz `dot` program renders drawings. Install it when we can; otherwise say how and go on.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq graphviz >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq graphviz >/dev/null 2>&1)) || \
	    echo "Could not install Graphviz; chainrule will draw SVGs with its own simpler layout."; \
	  else \
	    echo "Graphviz 'dot' is missing; chainrule will draw SVGs with its own simpler layout. For better drawings:"; \
	    echo "  sudo apt-get install graphviz   |   brew install graphviz   |   conda install graphviz"; \
	  fi; }

demo: $(VENV)/.installed graphviz
	$(BIN)/chainrule demo --out out

test: $(VENV)/.installed-dev graphviz
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# `make bench` writes build/bench/RESULTS.md; `make bench RECORD=1` rewrites benchmarks/RESULTS.md.
bench: $(VENV)/.installed
	$(PIP) -e '.[bench]'
	$(BIN)/python -m benchmarks.bench $(if $(RECORD),--record)

clean:
	rm -rf $(VENV) .venv-3.* out .mypy_cache .ruff_cache .pytest_cache .hypothesis
