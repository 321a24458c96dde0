"""write_stepper: one self-contained HTML page that steps through backward() node by node.

Python does the arithmetic: it replays the reverse sweep exactly as the engine runs it, and for
each node records what the chain rule adds to each input,

    contribution = (grad of the node) × (local derivative of the node by that input),

and each input's running sum. The page (viz/stepper_template.html: SVG, CSS and JS, no network)
only shows those numbers, one step at a time, so the last step shows the same grads as
`Value.grad` after one `backward()` from zero grads.

A step is one op passing its grad back: a leaf has nothing to pass on, so it gets no step, and
its grad (like any value's) is marked complete once the last op that uses it has passed back.
Past MAX_VALUES values the parameters are folded into the ops that use them (as draw_dot does),
so the loss of one example of a real MLP still steps through.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import Value
from nn.serialize import write_atomically
from viz.format import drawable_text, format_number, pretty_label
from viz.nodes import (
    Kind,
    backward_steps,
    count_nodes,
    drawn_inputs,
    drawn_order,
    kind_of,
    op_symbol,
    op_text,
)
from viz.stepper_layout import CHAR_WIDTH, FONT_SIZE, Arrow, Layout, Shape, lay_out
from viz.style import DERIVATIVE_COLOR, FILL, GRAD_COLOR, LINE_COLOR, MUTED_COLOR, OP_FILL

MAX_VALUES = 300
# Past this many values in all, a graph is refused before it is even sorted.
MAX_BEFORE_FOLDING = 5_000
# Past this many edges the ∂ labels are written only on the edges of the current step.
MAX_LABELLED_EDGES = 120
# Grads that agree to this relative tolerance count as equal to Value.grad.
SAME_GRAD = 1e-9
MAX_LABEL = 24
TEMPLATE = "stepper_template.html"
DATA_MARK = "__CHAINRULE_STEPPER_DATA__"
LINE_HEIGHT = 1.4 * FONT_SIZE

# The local-derivative rule of each op, in words a student can check against the numbers.
RULES = {
    "+": "∂(a + b)/∂a = 1 and ∂(a + b)/∂b = 1",
    "-": "∂(a − b)/∂a = 1 and ∂(a − b)/∂b = −1",
    "*": "∂(a × b)/∂a = b and ∂(a × b)/∂b = a",
    "/": "∂(a ÷ b)/∂a = 1/b and ∂(a ÷ b)/∂b = −(a ÷ b)/b",
    "neg": "∂(−a)/∂a = −1",
    "**": "∂(a^c)/∂a = c·a^(c−1) for the fixed exponent c",
    "pow": "∂(a^b)/∂a = b·a^(b−1) and ∂(a^b)/∂b = a^b·ln a",
    "exp": "∂exp(a)/∂a = exp(a), the output itself",
    "log": "∂log(a)/∂a = 1/a",
    "log1p": "∂log(1 + a)/∂a = 1/(1 + a)",
    "sqrt": "∂√a/∂a = 1/(2√a)",
    "tanh": "∂tanh(a)/∂a = 1 − tanh(a)²",
    "sigmoid": "∂σ(a)/∂a = σ(a)·(1 − σ(a))",
    "relu": "∂ReLU(a)/∂a = 1 if a > 0, else 0",
    "sum": "∂(a_1 + a_2 + … + a_n)/∂a_k = 1 for every k",
    "dot": "z = Σ w_k·a_k + b, so ∂z/∂w_k = a_k, ∂z/∂a_k = w_k, ∂z/∂b = 1 (eq. (1))",
}
INFIX = {"+", "-", "*", "/", "**", "pow"}


@dataclass(frozen=True)
class Contribution:
    """What one step adds to one input: upstream × local = contribution, and the new sum."""

    input: Value
    position: int
    local: float
    contribution: float
    before: float
    after: float


def write_stepper(root: Value, path: str | os.PathLike[str]) -> Path:
    """Write the step-through page of `root`'s backward pass to `path` (atomically); return it.

    `root.grad` and the other grads are not changed: the page computes its own sweep.
    """
    if not isinstance(root, Value):
        raise TypeError(f"write_stepper: root must be a Value, got {type(root).__name__} {root!r}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"write_stepper: path must be a str or a Path, got {type(path).__name__}")
    target = Path(path)
    write_atomically(target, stepper_html(root).encode("utf-8"))
    return target


def stepper_html(root: Value) -> str:
    """The page as text: the template with the step data embedded as JSON."""
    template = resources.files("viz").joinpath(TEMPLATE).read_text(encoding="utf-8")
    if template.count(DATA_MARK) != 1:
        raise RuntimeError(f"the installed {TEMPLATE} is damaged: reinstall chainrule")
    return template.replace(DATA_MARK, script_safe_json(stepper_data(root)))


def script_safe_json(data: Any) -> str:
    """JSON that cannot end the <script> element holding it: <, > and & become \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def reverse_sweep(order: list[Value]) -> list[list[Contribution]]:
    """The chain rule as backward() applies it, one list of contributions per node visited.

    `order` is drawn_order(root); the sweep visits it reversed, so each node's grad is complete
    when it is visited and is passed on as grad × local derivative to each drawn input (a fixed
    exponent is a constant: it is not an input the page draws, and backward() gives it 0).
    """
    grads: dict[Value, float] = {order[-1]: 1.0}
    steps = []
    for node in reversed(order):
        upstream = grads[node]
        step = []
        for position, (x, local) in enumerate(drawn_inputs(node)):
            contribution = upstream * local
            before = grads.get(x, 0.0)
            grads[x] = before + contribution
            step.append(Contribution(x, position, local, contribution, before, grads[x]))
        steps.append(step)
    return steps


def stepper_data(root: Value) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data: the graph, its layout and every step."""
    if count_nodes(root, MAX_BEFORE_FOLDING) > MAX_BEFORE_FOLDING:
        raise _too_big(f"more than {MAX_BEFORE_FOLDING:,}")
    order = drawn_order(root)
    sweep = reverse_sweep(order)
    final = _final_grads(root, sweep)
    step_of = backward_steps(order)
    visits = [node for node in reversed(order) if _shown(node, root, len(order))]
    if len(visits) > MAX_VALUES:
        raise _too_big(f"{len(visits):,} (after folding its parameters)")
    shown = set(visits)
    sweep_of = {node: [c for c in step if c.input in shown] for node, step
                in zip(reversed(order), sweep)}
    folded = {node: sum(c.input not in shown for c in step)
              for node, step in zip(reversed(order), sweep)}
    operations = [node for node in visits if node.op]
    number_of = {node: number for number, node in enumerate(operations, start=1)}
    kinds = {node: kind_of(node, root) for node in visits}
    names = {node: _name(node, number_of.get(node), root) for node in order}
    labelled = sum(len(sweep_of[node]) for node in operations) <= MAX_LABELLED_EDGES
    shapes, arrows = _shapes(visits, step_of, number_of, names, final, sweep_of, labelled)
    layout = lay_out(shapes, arrows)
    sizes = {shape.id: shape for shape in shapes}
    done_at = _completed_at(operations, number_of, sweep_of)
    return {
        "engine": layout.engine,
        "width": round(layout.width, 1),
        "height": round(layout.height, 1),
        "lineHeight": LINE_HEIGHT,
        "colors": {
            "line": LINE_COLOR,
            "muted": MUTED_COLOR,
            "grad": GRAD_COLOR,
            "derivative": DERIVATIVE_COLOR,
            "op": OP_FILL,
        },
        "legend": [
            {"fill": FILL[kind], "text": kind.value} for kind in Kind if kind in kinds.values()
        ],
        "values": [
            _value_entry(node, kinds[node], step_of, number_of.get(node), done_at.get(node, 0),
                         names, layout, sizes)
            for node in visits
        ],
        "edges": [
            _edge_entry(f"e{step_of[node]}_{c.position}", step_of[c.input], step_of[node], c.local,
                        layout)
            for node in operations
            for c in sweep_of[node]
        ],
        "steps": [
            _step_entry(node, sweep_of[node], folded[node], final[node], step_of, names)
            for node in operations
        ],
        "folded": sum(folded.values()),
        "labelled": labelled,
        "agreement": _agreement(final, visits),
    }


def _too_big(count: str) -> ValueError:
    """The refusal of a graph with too many values to step through."""
    return ValueError(
        f"write_stepper: this graph has {count} values, more than {MAX_VALUES}: too many to step "
        "through one by one; call write_stepper(v) on an inner Value v (one neuron, say)"
    )


def _shown(node: Value, root: Value, size: int) -> bool:
    """Whether the page draws `node`: all of a small graph; past MAX_VALUES, no parameters."""
    return size <= MAX_VALUES or kind_of(node, root) is not Kind.PARAMETER


def _completed_at(
    operations: list[Value], number_of: dict[Value, int], sweep_of: dict[Value, list[Contribution]]
) -> dict[Value, int]:
    """The step after which each value's grad is complete: the last step that adds to it."""
    done: dict[Value, int] = {}
    for node in operations:
        for c in sweep_of[node]:
            done[c.input] = number_of[node]
    return done


def _agreement(final: dict[Value, float], shown: list[Value]) -> str:
    """How the page's grads compare with the Values' .grad now: "same", "unset" or "different".

    The page shows one backward() from zero grads; after two calls .grad holds twice as much.
    """
    grads = [(final[node], node.grad or 0.0) for node in shown]
    if all(abs(page - now) <= SAME_GRAD * max(abs(page), abs(now)) for page, now in grads):
        return "same"
    if all(now == 0.0 for _, now in grads):
        return "unset"
    return "different"


def _final_grads(root: Value, sweep: list[list[Contribution]]) -> dict[Value, float]:
    """Each node's grad at the end of the sweep (the root's is 1)."""
    final = {root: 1.0}
    for step in sweep:
        for c in step:
            final[c.input] = c.after
    return final


def _name(node: Value, step: int | None, root: Value) -> str:
    """What the page calls a node: its label (shortened), or without one the `#step` of its op
    (as its box shows), or "leaf"."""
    if not node.label:
        return "output" if node is root else f"#{step}" if step else "leaf"
    return pretty_label(drawable_text(node.label, MAX_LABEL))


def _shapes(
    visits: list[Value],
    step_of: dict[Value, int],
    number_of: dict[Value, int],
    names: dict[Value, str],
    final: dict[Value, float],
    sweep_of: dict[Value, list[Contribution]],
    labelled: bool,
) -> tuple[list[Shape], list[Arrow]]:
    """The boxes (sized to their longest line), op ellipses and arrows (labelled or not)."""
    longest_grad = {node: len(format_number(final[node])) for node in visits}
    for node in visits:
        for c in sweep_of[node]:
            longest_grad[c.input] = max(longest_grad[c.input], len(format_number(c.after)))
    shapes: list[Shape] = []
    arrows: list[Arrow] = []
    for node in visits:
        number = step_of[node]
        characters = max(
            len(f"#{number_of.get(node, '')}  {names[node]}"),
            len(f"data {format_number(node.data)}"),
            len("grad ") + longest_grad[node],
        )
        shapes.append(Shape(f"v{number}", CHAR_WIDTH * characters + 24, 3 * LINE_HEIGHT + 14))
        if node.op:
            symbol = op_text(node)
            shapes.append(Shape(f"op{number}", max(40, CHAR_WIDTH * len(symbol) + 22), 32, True))
            arrows.append(Arrow(f"o{number}", f"op{number}", f"v{number}"))
        arrows += [
            Arrow(f"e{number}_{c.position}", f"v{step_of[c.input]}", f"op{number}",
                  f"∂ {format_number(c.local)}" if labelled else "")
            for c in sweep_of[node]
        ]
    return shapes, arrows


def _value_entry(
    node: Value,
    kind: Kind,
    step_of: dict[Value, int],
    step: int | None,
    done_at: int,
    names: dict[Value, str],
    layout: Layout,
    sizes: dict[str, Shape],
) -> dict[str, Any]:
    """A value box: its id, the step of its op (none for a leaf), the step after which its grad
    is complete, name, kind and colour, data, position and size (and its op)."""
    number = step_of[node]
    entry: dict[str, Any] = {
        "id": number,
        "step": step,
        "doneAt": done_at,
        "name": names[node],
        "showName": kind is not Kind.CONSTANT and bool(node.label),
        "kind": kind.value,
        "fill": FILL[kind],
        "data": format_number(node.data),
        **_box(sizes[f"v{number}"], layout),
    }
    if node.op:
        entry["op"] = {
            "symbol": op_text(node),
            "formula": _formula(node, names),
            "rule": RULES.get(node.op, ""),
            **_box(sizes[f"op{number}"], layout),
            "path": layout.routes[f"o{number}"].path,
        }
    return entry


def _box(shape: Shape, layout: Layout) -> dict[str, float]:
    """Where a shape sits (its centre) and how big it is."""
    x, y = layout.centres[shape.id]
    size = {"w": shape.width, "h": shape.height}
    return {key: round(number, 1) for key, number in {"x": x, "y": y, **size}.items()}


def _edge_entry(
    edge_id: str, tail: int, head: int, local: float, layout: Layout
) -> dict[str, Any]:
    """An arrow from an input's box to an op: its route, and the local derivative written on it."""
    route = layout.routes[edge_id]
    return {
        "id": edge_id,
        "from": tail,
        "to": head,
        "local": format_number(local),
        "path": route.path,
        "labelX": round(route.label_at[0], 1),
        "labelY": round(route.label_at[1], 1),
    }


def _step_entry(
    node: Value,
    step: list[Contribution],
    folded: int,
    grad: float,
    step_of: dict[Value, int],
    names: dict[Value, str],
) -> dict[str, Any]:
    """One step: the op visited, its complete grad, a row per drawn input it passes grad to,
    and how many folded parameters (not drawn) also get their share."""
    number = step_of[node]
    return {
        "value": number,
        "grad": format_number(grad),
        "folded": folded,
        "rows": [
            {
                "input": step_of[c.input],
                "edge": f"e{number}_{c.position}",
                "local": format_number(c.local),
                "contribution": format_number(c.contribution),
                "before": format_number(c.before),
                "after": format_number(c.after),
                "exact": repr(c.after),
            }
            for c in step
        ],
    }


def _formula(node: Value, names: dict[Value, str]) -> str:
    """How the node was computed, in the names the page uses: `x1w1 + x2w2`, `tanh(n)`, ..."""
    inputs = [names[x] for x in node.inputs if x in names]
    symbol = op_symbol(node.op)
    if node.op == "**":
        return f"{inputs[0]} ** {format_number(node.inputs[1].data)}"
    if node.op in INFIX:
        return f"{inputs[0]} {symbol} {inputs[1]}"
    if node.op == "neg":
        return f"−{inputs[0]}"
    if node.op == "dot":
        pairs = len(inputs) // 2
        terms = [f"{w}·{a}" for w, a in zip(inputs[:pairs], inputs[pairs:-1])]
        shown = terms if pairs <= 3 else [terms[0], "…", terms[-1]]
        return " + ".join([*shown, inputs[-1]])
    return f"{symbol}({', '.join(inputs)})"
