"""print_graph / graph_text: a Value's graph as an indented tree for a terminal (no Graphviz).

Each line is one value: its backward step, label, kind, data and grad, and the op that made it;
the line of an input starts with the local derivative ∂ its op multiplies by. A value used more
than once is written out the first time and referred to by its step number afterwards.
"""

from __future__ import annotations

from autograd import Value
from viz.format import display_label, format_number
from viz.nodes import Kind, backward_steps, drawn_inputs, kind_of, op_text
from viz.view import ordered_within_limit

KEY = (
    "key: #n backward step (the output is #1) · ← the op that made the value · "
    "∂ local derivative of the op above by this input"
)


def print_graph(root: Value, max_nodes: int = 200) -> None:
    """Print graph_text(root): the graph as indented text, for a terminal."""
    print(graph_text(root, max_nodes))


def graph_text(root: Value, max_nodes: int = 200, show_grad: bool = True) -> str:
    """The graph of `root` as indented lines, outputs above inputs, at most `max_nodes` values.

    Past `max_nodes` the listing stops with a line saying how many values it left out. With
    `show_grad=False` (a forward pass only) no grad is printed: a 0 there would read as a result.
    """
    order = ordered_within_limit(root, max_nodes, "graph_text")
    steps = backward_steps(order)
    lines: list[str] = []
    written: set[Value] = set()
    # Each entry: (node, prefix for its line, prefix for its inputs' lines, local derivative).
    stack: list[tuple[Value, str, str, float | None]] = [(root, "", "", None)]
    while stack:
        node, lead, indent, local = stack.pop()
        derivative = "" if local is None else f"∂ {format_number(local)}  "
        if node in written:
            lines.append(f"{lead}{derivative}#{steps[node]} (written above)")
            continue
        if len(written) == max_nodes:
            left_out = len(order) - max_nodes
            lines.append(f"… {left_out:,} more values not listed (max_nodes={max_nodes})")
            break
        written.add(node)
        described = _describe(node, steps[node], kind_of(node, root), show_grad)
        lines.append(f"{lead}{derivative}{described}")
        children = drawn_inputs(node)
        for position, (child, child_local) in reversed(list(enumerate(children))):
            last = position == len(children) - 1
            stack.append(
                (child, indent + ("└─ " if last else "├─ "), indent + ("   " if last else "│  "),
                 child_local)
            )
    lines.append(KEY)
    return "\n".join(lines)


def _describe(node: Value, step: int, kind: Kind, show_grad: bool) -> str:
    """`#2 n ← +  data 0.8814  grad 0.5`, or for a leaf `#6 w1 (parameter)  data -3  grad 1`."""
    name = "" if kind is Kind.CONSTANT else display_label(node.label)
    origin = f"← {op_text(node)}" if node.op else f"({kind.value})"
    words = " ".join(word for word in (f"#{step}", name, origin) if word)
    grad = f"  grad {format_number(node.grad)}" if show_grad else ""
    return f"{words}  data {format_number(node.data)}{grad}"
