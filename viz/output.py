"""Saving a drawing for the command line and the demo: exactly the file asked for.

Without Graphviz's `dot` program an .svg is still drawn (by chainrule's own layout, with one line
on stderr per process saying Graphviz draws it better); a .png or .pdf then raises
GraphvizMissing, an OSError whose message says to save an .svg or .dot instead. No other file
is ever written in its place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from viz.render import render


def save_drawing(graph: Any, path: Path) -> Path:
    """Render `graph` to `path` (and nowhere else); returns `path`."""
    return render(graph, path)
