"""Jupyter display: a Value shows as its draw_dot graph, an MLP as its draw_network figure.

autograd's `Value._repr_svg_` imports this module only when Jupyter asks. nn never imports viz
(imports only go downward), so instead `import viz` tells a running Jupyter how to draw an MLP.
"""

from __future__ import annotations

import sys

from autograd import Value
from nn import MLP
from viz.dot import draw_dot
from viz.network import draw_network
from viz.render import svg_bytes


def svg_of(obj: Value | MLP) -> str | None:
    """The SVG drawing of a Value or an MLP, or None (Jupyter then shows the plain repr).

    Laid out by Graphviz's `dot`, or without it by chainrule's own layout (viz.render.svg_bytes).
    None when a Value's graph is too large to draw.
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
    return svg_bytes(graph).decode("utf-8")


def show_models_as_drawings() -> None:
    """In a running Jupyter/IPython shell, display every nn.MLP as its draw_network figure."""
    ipython = sys.modules.get("IPython")  # only if the shell already loaded it; never import it
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.display_formatter.formatters["image/svg+xml"].for_type(MLP, svg_of)
