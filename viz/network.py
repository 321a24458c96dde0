"""draw_network: the textbook's figure of an MLP, layers 1..L left to right, one edge per w_jk^l.

Given an example x (and its target y) it also shows that pass: z_j^l and a_j^l in every neuron,
the cost C, and from C the errors δ_j^l = ∂C/∂z_j^l and the gradients ∂C/∂w_jk^l. A small network
lists each neuron's incoming weights w_jk^l (k = 1, 2, ...) and its bias in the neuron's own box,
so every number sits in order next to what it belongs to; edges show sign and size by colour and
thickness. A wide network shows only a_j^l in each neuron, so it stays a landscape picture.
"""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import graphviz

from autograd import Value, grad
from nn import MLP, half_squared_error
from nn.losses import Target
from nn.module import seed_label
from viz.format import drawable_text, format_number, format_sum, pretty_label
from viz.nodes import Kind
from viz.style import FILL, FONT, GRAD_COLOR, LINE_COLOR, MUTED_COLOR, caption, graph_attributes

# Past this many neurons a layer shows its first ones, a "⋮" node, and its last one.
MAX_LAYER_WIDTH = 20
# Past this many edges the weights are told by colour and thickness alone, not listed by number.
MAX_LABELLED_EDGES = 40
# Longest title draw_network writes (a longer one ends in "…").
MAX_TITLE = 200
POSITIVE_COLOR = "#1565c0"
NEGATIVE_COLOR = "#ef6c00"
COST_FILL = "#f8bbd0"

Neuron = tuple[int, int]  # (l, j): neuron j of layer l, both 1-based as in the textbook


@dataclass
class PassNumbers:
    """What one pass gives a drawing: a and z per neuron, δ and ∂C/∂parameter, the cost C."""

    a: dict[Neuron, float] = field(default_factory=dict)
    z: dict[Neuron, str] = field(default_factory=dict)
    delta: dict[Neuron, float] = field(default_factory=dict)
    gradients: dict[Value, float] = field(default_factory=dict)
    cost: float | None = None
    gradient_source: str = ""


def draw_network(
    model: MLP,
    x: Sequence[float] | None = None,
    y: Target | None = None,
    title: str | None = None,
) -> graphviz.Digraph:
    """The textbook's figure of `model`; with `x` the pass on it, with `y` too its δs and gradients.

    Gradients come from C = ½‖y − A^L‖² when y is given (computed apart: no .grad changes);
    otherwise from the parameters' .grad when a backward() has set any of them. `title` is
    written above the key, e.g. which training point x is and what the output means.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"draw_network: model must be an nn.MLP, got {type(model).__name__}")
    if y is not None and x is None:
        raise ValueError("draw_network: a target y needs its input x (draw_network(model, x, y))")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"draw_network: title must be a str, got {type(title).__name__}")
    numbers = _pass_numbers(model, x, y)
    widths = [model.nin, *model.nouts]
    edge_count = sum(a * b for a, b in zip(widths, widths[1:]))
    labelled = edge_count <= MAX_LABELLED_EDGES
    lines = _caption_lines(model, numbers, labelled, edge_count)
    if title:
        lines.insert(0, drawable_text(title, MAX_TITLE))
    graph = graphviz.Digraph(
        "network",
        graph_attr={
            **graph_attributes("LR", caption(_swatches(numbers), lines, bold_first=bool(title))),
            "ranksep": "1.1" if labelled else "2.2",
            "nodesep": "0.2" if labelled else "0.06",
            "labelloc": "t" if title else "b",
        },
        node_attr={"fontname": FONT, "fontsize": "14", "shape": "plain"},
        edge_attr={"fontname": FONT, "fontsize": "12", "arrowsize": "0.6"},
    )
    for l, width in enumerate(widths, start=1):
        _draw_layer(graph, model, l, width, numbers, labelled)
    _draw_weights(graph, model)
    if numbers.cost is not None and y is not None:
        _draw_cost(graph, len(widths), widths[-1], y, numbers.cost)
    return graph


def _pass_numbers(model: MLP, x: Sequence[float] | None, y: Target | None) -> PassNumbers:
    """Run model.trace(x) and, with y, the cost and its gradients; or use .grad when no x."""
    numbers = PassNumbers()
    parameters = model.parameters()
    if any(p.grad != 0.0 for p in parameters):
        numbers.gradients = {p: p.grad for p in parameters}
        numbers.gradient_source = "∂C/∂w: the parameters' .grad from the last backward()"
    if x is None:
        return numbers
    trace = model.trace(x)
    numbers.a = {(l, j): a.data for l, layer in trace.A.items() for j, a in enumerate(layer, 1)}
    numbers.z = {
        (l, j): _weighted_input(model, trace.A[l - 1], l, j, z.data)
        for l, layer in trace.Z.items()
        for j, z in enumerate(layer, 1)
    }
    if y is None:
        return numbers
    cost = half_squared_error(trace.A[len(trace.A)], y)
    weighted_inputs = [(l, j, z) for l, layer in trace.Z.items() for j, z in enumerate(layer, 1)]
    derivatives = grad(cost, [z for _, _, z in weighted_inputs] + parameters)
    # δ_j^l = ∂C/∂z_j^l: what eqs. (3) and (4) compute layer by layer, here from the engine.
    numbers.delta = {(l, j): d for (l, j, _), d in zip(weighted_inputs, derivatives)}
    numbers.gradients = dict(zip(parameters, derivatives[len(weighted_inputs):]))
    numbers.cost = cost.data
    numbers.gradient_source = "∂C/∂w from C = ½ Σ_j (y_j − a_j^L)² for this x and y"
    return numbers


def _weighted_input(model: MLP, previous: Sequence[Value], l: int, j: int, z: float) -> str:
    """z_j^l as text; 0 when it is rounding noise next to its terms w_jk^l a_k^(l−1) and b_j^l.

    0.1·1 + 0.2·0.5 + 0.3·(−1) − (−0.1) = 0 comes out as 2.8e-17 in floats; a student should
    see 0, as the worked example's report does.
    """
    terms = [model.weight(l, j, k).data * a.data for k, a in enumerate(previous, start=1)]
    size = sum(map(abs, terms)) + abs(model.bias(l, j).data)
    return format_sum(z, size)


def _shown(width: int) -> list[int | None]:
    """The neuron indices a layer draws, None standing for the "⋮" node of a wide layer."""
    if width <= MAX_LAYER_WIDTH:
        return list(range(1, width + 1))
    return [*range(1, MAX_LAYER_WIDTH - 1), None, width]


def _node_id(l: int, j: int | None) -> str:
    return f"n{l}_{j}" if j is not None else f"n{l}_more"


def _draw_layer(
    graph: graphviz.Digraph, model: MLP, l: int, width: int, numbers: PassNumbers, labelled: bool
) -> None:
    """Layer l as a column: its title, then its neurons top to bottom j = 1, 2, ...

    One rank, chained by invisible edges, is what keeps graphviz from reordering the column.
    """
    last = len(model.nouts) + 1
    role = "input" if l == 1 else "output" if l == last else "hidden"
    title = f"layer {l} · {role}"
    if l > 1:
        title += f" · {model.layers[l - 2].activation}"
    kind = Kind.INPUT if l == 1 else Kind.OUTPUT if l == last else Kind.INTERMEDIATE
    with graph.subgraph(name=f"layer_{l}") as column:
        column.attr(rank="same")
        column.node(f"title{l}", title, fontcolor=MUTED_COLOR, shape="plaintext")
        ids = [f"title{l}"]
        for j in _shown(width):
            ids.append(_node_id(l, j))
            if j is None:
                column.node(ids[-1], f"⋮ {width - MAX_LAYER_WIDTH + 1} more", fontcolor=MUTED_COLOR)
            else:
                column.node(ids[-1], _neuron_label(model, l, j, kind, numbers, labelled))
        for upper, lower in zip(ids, ids[1:]):
            column.edge(upper, lower, style="invis")


def _neuron_label(
    model: MLP, l: int, j: int, kind: Kind, numbers: PassNumbers, labelled: bool
) -> str:
    """a_j^l; after a pass z_j^l, a_j^l and δ_j^l; for l >= 2 in a small network also the
    incoming weights w_jk^l in order of k and the bias b_j^l, each with its ∂C when known.
    A wide network shows a_j^l alone, one line per neuron."""
    name = _seed_name("a", l, j)
    rows = [f"<B>{name}</B>"]
    if (l, j) in numbers.a:
        rows = [f"<B>{name} = {format_number(numbers.a[(l, j)])}</B>"]
    if labelled and (l, j) in numbers.z:
        rows.append(f"{_seed_name('z', l, j)} = {numbers.z[(l, j)]}")
    if labelled and (l, j) in numbers.delta:
        delta = f"{_seed_name('δ', l, j)} = {format_number(numbers.delta[(l, j)])}"
        rows.append(f'<FONT COLOR="{GRAD_COLOR}">{delta}</FONT>')
    if labelled and l > 1:
        inputs = len(model.layers[l - 2].neurons[0].weights)
        rows += [_with_gradient(model.weight(l, j, k), numbers) for k in range(1, inputs + 1)]
        rows.append(_with_gradient(model.bias(l, j), numbers))
    cells = "".join(f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return (
        f'<<TABLE BORDER="1" STYLE="ROUNDED" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
        f'BGCOLOR="{FILL[kind]}" COLOR="{LINE_COLOR}">{cells}</TABLE>>'
    )


def _seed_name(symbol: str, l: int, j: int) -> str:
    """The textbook's name of a neuron's quantity with real sub- and superscripts: z₁², a₂³, δ₁²."""
    return pretty_label(seed_label(symbol, (j,), l))


def _with_gradient(parameter: Value, numbers: PassNumbers) -> str:
    """`w₁₂² = 0.15`, then its gradient `∂C/∂ 0.0004` in the gradient colour when there is one."""
    name = escape(pretty_label(drawable_text(parameter.label)))
    text = f"{name} = {format_number(parameter.data)}"
    if parameter in numbers.gradients:
        gradient = format_number(numbers.gradients[parameter])
        text += f'   <FONT COLOR="{GRAD_COLOR}">∂C {gradient}</FONT>'
    return text


def _draw_weights(graph: graphviz.Digraph, model: MLP) -> None:
    """An edge per weight w_jk^l (neuron k of layer l-1 → neuron j of layer l).

    Blue if positive, orange if negative, thicker when larger; its number is in neuron j's box
    (an edge label would float between crossing curves).
    """
    largest = max((abs(w.data) for w in model.parameters()), default=0.0) or 1.0
    for l, layer in enumerate(model.layers, start=2):
        for j in _shown(len(layer.neurons)):
            for k in _shown(len(layer.neurons[0].weights)):
                if j is None or k is None:
                    continue
                weight = model.weight(l, j, k)
                color = POSITIVE_COLOR if weight.data >= 0 else NEGATIVE_COLOR
                graph.edge(
                    _node_id(l - 1, k),
                    _node_id(l, j),
                    color=color,
                    penwidth=f"{0.4 + 2.6 * abs(weight.data) / largest:.2f}",
                )


def _draw_cost(graph: graphviz.Digraph, last: int, width: int, y: Target, cost: float) -> None:
    """The cost node C = ½ Σ_j (y_j − a_j^L)², fed by each output neuron with its target y_j."""
    targets = list(y) if isinstance(y, Sequence) else [y]
    graph.node(
        "cost",
        f'<<TABLE BORDER="1" STYLE="ROUNDED" CELLBORDER="0" CELLPADDING="6" BGCOLOR="{COST_FILL}" '
        f'COLOR="{LINE_COLOR}"><TR><TD><B>C = {format_number(cost)}</B><BR/>'
        "½ Σⱼ (yⱼ − aⱼᴸ)²</TD></TR></TABLE>>",
    )
    for j in _shown(width):
        label = "" if j is None else f"{pretty_label(f'y_{j}')} = {format_number(targets[j - 1])}"
        graph.edge(_node_id(last, j), "cost", xlabel=label, color=MUTED_COLOR)


def _swatches(numbers: PassNumbers) -> list[tuple[str, str]]:
    """The legend's colours: kinds of neuron, and the cost when there is one."""
    swatches = [(FILL[Kind.INPUT], "input a_k^1"), (FILL[Kind.INTERMEDIATE], "hidden neuron"),
                (FILL[Kind.OUTPUT], "output neuron")]
    if numbers.cost is not None:
        swatches.append((COST_FILL, "cost C"))
    return swatches


def _caption_lines(
    model: MLP, numbers: PassNumbers, labelled: bool, edge_count: int
) -> list[str]:
    """The legend's lines: how edges show weights, which equations the numbers follow."""
    lines = ["edge k → j into layer l: the weight w_jk^l; blue positive, orange negative, "
             "thicker = larger |w|"]
    if labelled:
        lines.append("each neuron j lists its weights w_jk^l (k = 1, 2, ...) and its bias b_j^l")
    else:
        lines.append(f"{edge_count} weights: too many to list, see model.weight(l, j, k); "
                     "each neuron shows its activation a_j^l")
    if model.output_activation == "linear":
        lines.append("the output layer is linear: a_j^L = z_j^L")
    if numbers.z:
        lines.append("z_j^l = Σ_k w_jk^l a_k^(l−1) + b_j^l  (eq. 1);   a_j^l = σ(z_j^l)  (eq. 2)")
    if numbers.delta:
        lines.append("δ_j^l = ∂C/∂z_j^l  (eqs. 3, 4);   ∂C/∂w_jk^l = a_k^(l−1) δ_j^l  (eq. 5);   "
                     "∂C/∂b_j^l = δ_j^l  (eq. 6)")
    if numbers.gradient_source:
        lines.append(numbers.gradient_source)
    return lines
