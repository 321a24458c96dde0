"""chainrule's drawings: a Value's graph with its derivatives, an MLP in the textbook's notation,
the same graph as text, and a page that steps through backward().

    >>> from autograd import Value
    >>> from viz import graph_text
    >>> x = Value(3.0, "x")
    >>> y = x * x
    >>> y.label = "y"
    >>> y.backward()
    >>> print(graph_text(y))  # doctest: +ELLIPSIS
    #1 y ← ×  data 9  grad 1
    ├─ ∂ 3  #2 x (input)  data 3  grad 6
    └─ ∂ 3  #2 (written above)
    key: #n backward step (the output is #1) · ← the op that made the value · ∂ local ...
"""

from viz.dot import draw_dot
from viz.format import format_number
from viz.network import draw_network
from viz.network_stepper import write_network_stepper
from viz.notebook import show_models_as_drawings
from viz.render import GraphvizMissing, render
from viz.stepper import write_stepper
from viz.text import graph_text, print_graph

__all__ = [
    "GraphvizMissing",
    "draw_dot",
    "draw_network",
    "format_number",
    "graph_text",
    "print_graph",
    "render",
    "write_network_stepper",
    "write_stepper",
]

show_models_as_drawings()
