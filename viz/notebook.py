"""Jupyter display: a Value shows as its draw_dot graph, an MLP as its draw_network figure.

autograd's `Value._repr_svg_` (and nn's `MLP._repr_svg_`) import this module only when Jupyter
asks, so neither package imports viz at load time.
"""

from __future__ import annotations

from autograd import Value
from nn import MLP
from viz.dot import draw_dot
from viz.network import draw_network
from viz.render import GraphvizMissing, image_bytes


def svg_of(obj: Value | MLP) -> str | None:
    """The SVG drawing of a Value or an MLP, or None (Jupyter then shows the plain repr).

    None when Graphviz's `dot` is not installed, or when a Value's graph is too large to draw.
    """
    if isinstance(obj, Value):
        try:
            graph = draw_dot(obj)
        except ValueError:
            return None
    elif isinstance(obj, MLP):
        graph = draw_network(obj)
    else:
        raise TypeError(f"svg_of draws a Value or an nn.MLP, got {type(obj).__name__}")
    try:
        return image_bytes(graph, "svg").decode("utf-8")
    except GraphvizMissing:
        return None
