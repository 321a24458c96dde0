"""Saving a drawing for the command line and the demo: the image, or without Graphviz its source.

A classroom machine may lack Graphviz's `dot` program; the drawing is then saved as DOT source
(`neuron.dot` instead of `neuron.svg`) with one line on stderr saying so and how to install it,
instead of failing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from viz.render import INSTALL_HINT, GraphvizMissing, render


def save_drawing(graph: Any, path: Path) -> Path:
    """Render `graph` to `path`; without `dot`, write its DOT source beside it. Returns the file."""
    try:
        return render(graph, path)
    except GraphvizMissing:
        fallback = path.with_suffix(".dot")
        render(graph, fallback)
        print(
            f"chainrule: Graphviz's dot program is missing, so {fallback} holds the drawing's DOT "
            f"source instead of {path.name}; to get images, {INSTALL_HINT}",
            file=sys.stderr,
        )
        return fallback
