"""render: save a drawing as .svg, .png or .pdf (chosen by the file's suffix), or as DOT source.

Images need Graphviz's `dot` program; when it is missing, rendering raises GraphvizMissing, which
says how to install it, and a .dot (or .gv) file can still be written without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz

from nn.serialize import write_atomically

IMAGE_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
SOURCE_SUFFIXES = (".dot", ".gv")
INSTALL_HINT = (
    "install Graphviz: apt-get install graphviz (Debian, Ubuntu), brew install graphviz (macOS), "
    "or conda install graphviz"
)
DRAWINGS = (graphviz.Digraph, graphviz.Graph, graphviz.Source)


class GraphvizMissing(RuntimeError):
    """Rendering an image needs Graphviz's `dot` program, and it is not installed."""


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
    elif suffix in IMAGE_FORMATS:
        data = image_bytes(graph, IMAGE_FORMATS[suffix])
    else:
        known = ", ".join([*IMAGE_FORMATS, *SOURCE_SUFFIXES])
        raise ValueError(
            f"render: cannot tell the format of {str(target)!r}; use a suffix from {known}"
        )
    write_atomically(target, data)
    return target


def image_bytes(graph: Any, image_format: str) -> bytes:
    """The drawing laid out and rendered by `dot` as svg, png or pdf bytes."""
    try:
        data: bytes = graph.pipe(format=image_format)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(
            f"drawing a {image_format} needs Graphviz's `dot` program, which is not installed "
            f"(or not on PATH). To get it, {INSTALL_HINT}. Without it you can still save the "
            "DOT source: render(graph, 'drawing.dot'), or graph.source"
        ) from None
    return data
