"""draw_dot: a Value's computation graph with every data, grad and local derivative on it.

Each value is a record (backward step | label | data | grad); each operation is a small node
between its inputs and its output, and each input edge carries the local derivative
∂(output)/∂(input) that backward() multiplies by — the chain rule, drawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html import escape

import graphviz

from autograd import Value
from viz.format import display_label, format_number
from viz.nodes import Kind, backward_steps, drawn_inputs, kind_of, op_text
from viz.style import (
    DERIVATIVE_COLOR,
    FILL,
    FONT,
    GRAD_COLOR,
    HIDDEN_FILL,
    LINE_COLOR,
    MUTED_COLOR,
    OP_FILL,
    caption,
    graph_attributes,
    kind_swatches,
)
from viz.view import View, choose_view

RANKDIRS = ("TB", "LR", "BT", "RL")
# Past this many edges the ∂ labels would bury the drawing, so it leaves them out and says so.
MAX_LABELLED_EDGES = 120
# A + chain of more terms than this (x1 + x2 + ... built one + at a time, each partial sum used
# once, by the next +) is drawn as a ladder, a row per term, instead of a staircase one rank wider
# per +. Shorter chains, such as a neuron's x1*w1 + x2*w2 + b, are drawn as they are.
MAX_STAIRCASE_TERMS = 8


def draw_dot(
    root: Value, rankdir: str = "LR", show_grad: bool = True, max_nodes: int = 200
) -> graphviz.Digraph:
    """The graph of `root` as a graphviz Digraph (render it, or display it in Jupyter).

    Past `max_nodes` values the drawing folds parameters into their ops, then keeps only the part
    nearest the root, and its caption says so; a graph too large even for that raises ValueError.
    """
    rankdir = _check_style(rankdir, show_grad)
    view = choose_view(root, max_nodes, "draw_dot")
    steps = backward_steps(view.order)
    shown = [node for node in view.order if node in view.shown]
    kinds = {node: kind_of(node, root) for node in shown}
    edge_count = sum(x in view.shown for node in shown for x, _ in drawn_inputs(node))
    labelled = edge_count <= MAX_LABELLED_EDGES
    ladder = _ladder_rungs(shown)
    notes = [view.note] if view.note else []
    if not labelled:
        notes.append(f"{edge_count} edges, too many to label with ∂: draw a part to see them")
    graph = graphviz.Digraph(
        "chainrule",
        graph_attr=graph_attributes(rankdir, _caption(kinds.values(), show_grad, notes)),
        node_attr={"fontname": FONT, "fontsize": "14", "color": LINE_COLOR, "shape": "plain"},
        edge_attr={"fontname": FONT, "fontsize": "13", "color": LINE_COLOR, "arrowsize": "0.7"},
    )
    for node in shown:
        graph.node(_value_id(node, steps), _record(node, steps[node], kinds[node], show_grad))
        if node.op:
            _draw_op(graph, node, steps, view, labelled, ladder)
    return graph


def _check_style(rankdir: object, show_grad: object) -> str:
    """The rankdir in upper case; fails early naming a bad argument (choose_view checks others)."""
    if not isinstance(rankdir, str) or rankdir.upper() not in RANKDIRS:
        raise ValueError(
            f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)} (any case), got {rankdir!r}"
        )
    if not isinstance(show_grad, bool):
        raise TypeError(f"draw_dot: show_grad must be True or False, got {show_grad!r}")
    return rankdir.upper()


def _value_id(node: Value, steps: dict[Value, int]) -> str:
    return f"v{steps[node]}"


def _op_id(node: Value, steps: dict[Value, int]) -> str:
    return f"op{steps[node]}"


def _record(node: Value, step: int, kind: Kind, show_grad: bool) -> str:
    """A box of lines: `#step label`, data, grad (a constant's label is its data: left out).

    Lines under each other keep the drawing narrow enough to read on a 16:9 screen.
    """
    title = f'<FONT POINT-SIZE="12" COLOR="{MUTED_COLOR}">#{step}</FONT>'
    if node.label and kind is not Kind.CONSTANT:
        title += f" <B>{escape(display_label(node.label))}</B>"
    lines = [title, f"data {format_number(node.data)}"]
    if show_grad:
        lines.append(f'<FONT COLOR="{GRAD_COLOR}">grad {format_number(node.grad)}</FONT>')
    border = "3" if kind is Kind.OUTPUT else "1"
    rows = "".join(f"<TR><TD>{line}</TD></TR>" for line in lines)
    return (
        f'<<TABLE BORDER="{border}" STYLE="ROUNDED" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="2" BGCOLOR="{FILL[kind]}" COLOR="{LINE_COLOR}">{rows}</TABLE>>'
    )


def _ladder_rungs(shown: list[Value]) -> set[Value]:
    """The partial sums of every + chain of more than MAX_STAIRCASE_TERMS terms.

    Their edge into the next + is drawn without pushing that + one rank further on, so the chain
    stacks up as rows (term → + → partial sum) instead of stretching out as a staircase.
    """
    drawn = set(shown)
    uses = Counter(x for node in shown for x, _ in drawn_inputs(node))

    def continued(node: Value) -> Value | None:
        """The partial sum that the + `node` adds a term to, if it is one used only there."""
        if node.op != "+":
            return None
        first = node.inputs[0]
        return first if first.op == "+" and uses[first] == 1 and first in drawn else None

    inner = {partial for partial in map(continued, shown) if partial is not None}
    rungs: set[Value] = set()
    for top in shown:
        if top.op != "+" or top in inner:
            continue
        run, partial = [], continued(top)
        while partial is not None:
            run.append(partial)
            partial = continued(partial)
        if len(run) + 2 > MAX_STAIRCASE_TERMS:  # n terms: n − 1 + nodes, n − 2 partial sums
            rungs.update(run[1:])  # the last + keeps its rank: the result comes out at the end
    return rungs


def _draw_op(
    graph: graphviz.Digraph, node: Value, steps: dict[Value, int], view: View, labelled: bool,
    ladder: set[Value],
) -> None:
    """The op node, its edge to the value it makes, and an edge per drawn input (∂ on it)."""
    op_id = _op_id(node, steps)
    folded, cut = view.hidden_inputs(node)
    graph.node(op_id, _op_label(op_text(node), folded), shape="ellipse", style="filled",
               fillcolor=OP_FILL, margin="0.04,0.02", height="0.3")
    graph.edge(op_id, _value_id(node, steps))
    for x, local in drawn_inputs(node):
        if x in view.shown:
            label = f" ∂ {format_number(local)} " if labelled else ""
            rank = {"constraint": "false"} if x in ladder and x is node.inputs[0] else {}
            graph.edge(_value_id(x, steps), op_id, label=label, fontcolor=DERIVATIVE_COLOR, **rank)
    if cut:
        stub_id = f"cut{steps[node]}"
        graph.node(stub_id, f"⋯ {cut} more", shape="box", style="dashed,filled",
                   fillcolor=HIDDEN_FILL, fontcolor=MUTED_COLOR)
        graph.edge(stub_id, op_id, style="dashed")


def _op_label(text: str, folded_parameters: int) -> str:
    """The op's symbol; under it, how many parameters were folded into it, if any."""
    symbol = escape(text)
    if not folded_parameters:
        return f"<<B>{symbol}</B>>"
    noun = "parameter" if folded_parameters == 1 else "parameters"
    return (
        f'<<B>{symbol}</B><BR/><FONT POINT-SIZE="9" COLOR="{MUTED_COLOR}">'
        f"+{folded_parameters} {noun}</FONT>>"
    )


def _caption(kinds: Iterable[Kind], show_grad: bool, notes: list[str]) -> str:
    """The legend: a swatch per kind of node drawn, what #n and ∂ mean, and any collapse note."""
    lines = [
        "#n: the step at which backward() reaches the value (the output is #1)",
        "∂ on an edge: the local derivative of the op's output by that input",
    ]
    if show_grad:
        lines.append("a value's grad = Σ over its edges of ∂ × the grad of the op's output")
    lines += notes
    return caption([*kind_swatches(kinds), (OP_FILL, "op")], lines)
