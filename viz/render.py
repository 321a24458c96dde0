"""render: save a drawing as .svg, .png or .pdf (chosen by the file's suffix), or as DOT source.

Graphviz's `dot` program lays drawings out. Without it an .svg is still drawn, by chainrule's own
simpler layout (viz.plain_svg), and the first such drawing of the process says once that Graphviz
draws it better and how to install it; .png and .pdf raise GraphvizMissing, which says so too.
render writes only the file it is given, never another one beside it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import graphviz

from nn.serialize import write_atomically
from viz.plain_svg import plain_svg

IMAGE_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
SOURCE_SUFFIXES = (".dot", ".gv")
INSTALL_HINT = (
    "install Graphviz: apt-get install graphviz (Debian, Ubuntu), brew install graphviz (macOS), "
    "or conda install graphviz"
)
DRAWINGS = (graphviz.Digraph, graphviz.Graph, graphviz.Source)


class GraphvizMissing(RuntimeError, OSError):
    """Rendering a .png or .pdf needs Graphviz's `dot` program, and it is not installed.

    An OSError too (a program is missing), so callers that report failed writes report this.
    """


# The notices already given in this process (each is said once, not once per picture).
_SAID: set[str] = set()


def render(graph: Any, path: str | os.PathLike[str]) -> Path:
    """Write `graph` to `path`: an image for .svg/.png/.pdf, the DOT source for .dot/.gv.

    The file is written atomically (complete or not at all). Returns the path written.
    """
    if not isinstance(graph, DRAWINGS):
        raise TypeError(f"render: graph must be a graphviz Digraph, got {type(graph).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render: path must be a str or a Path, got {type(path).__name__} {path!r}")
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in SOURCE_SUFFIXES:
        data = graph.source.encode("utf-8")
    elif suffix == ".svg":
        data = svg_bytes(graph)
    elif suffix in IMAGE_FORMATS:
        data = image_bytes(graph, IMAGE_FORMATS[suffix])
    else:
        known = ", ".join([*IMAGE_FORMATS, *SOURCE_SUFFIXES])
        raise ValueError(
            f"render: cannot tell the format of {str(target)!r}; use a suffix from {known}"
        )
    write_atomically(target, data)
    return target


def svg_bytes(graph: Any) -> bytes:
    """The drawing as SVG: laid out by `dot`, or without it by chainrule's own layout."""
    try:
        return image_bytes(graph, "svg")
    except GraphvizMissing:
        say_once(
            "Graphviz's dot program is not installed, so SVG drawings are laid out by "
            f"chainrule's own simpler layout; Graphviz draws them better. To get it, {INSTALL_HINT}"
        )
        return plain_svg(graph.source)


def say_once(notice: str) -> None:
    """Write `notice` on stderr the first time this process asks, and never again."""
    if notice not in _SAID:
        _SAID.add(notice)
        print(f"chainrule: {notice}", file=sys.stderr)


def image_bytes(graph: Any, image_format: str) -> bytes:
    """The drawing laid out and rendered by `dot` as svg, png or pdf bytes."""
    try:
        data: bytes = graph.pipe(format=image_format)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(
            f"drawing a {image_format} needs Graphviz's `dot` program, which is not installed "
            f"(or not on PATH). To get it, {INSTALL_HINT}. Without it you can save an .svg "
            "(drawn by chainrule's own layout) or the DOT source (.dot)"
        ) from None
    return data
