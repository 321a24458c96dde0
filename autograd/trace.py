"""The evaluation trace: a graph's forward pass and its reverse sweep as the tables AD books print.

The primal table is the Wengert list: the n leaves named v_{1−n} … v_0 and the ops v_1 … v_m, each
with the indices of its inputs and its value. It is numbered as the books number it: level by
level (an op comes after all its inputs, so this is a topological order), left to right within a
level, so f(x1, x2) = ln(x1) + x1·x2 − exp(x2) gets v₋₁ = x1, v₀ = x2, v₁ = ln v₋₁, v₂ = v₋₁ × v₀.
The adjoint table is the reverse sweep, one row per edge in the order backward() visits them:
v̄_input += v̄_node × ∂v_node/∂v_input, with the running sum of v̄_input after the row (Griewank &
Walther, *Evaluating Derivatives*; Baydin et al. 2018, tables 2 and 3). Every edge gets its row,
also those below a node whose v̄ is 0, which backward() skips as adding nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd.engine import Value, topological_order
from autograd.local import local_derivatives

_SUBSCRIPT = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_INFIX = {"+": "+", "-": "−", "*": "×", "/": "÷", "**": "^", "pow": "^"}


@dataclass(frozen=True)
class PrimalRow:
    """One line of the forward trace: v_index = op(v_inputs…) = value."""

    index: int
    label: str
    op: str
    inputs: tuple[int, ...]
    value: float


@dataclass(frozen=True)
class AdjointRow:
    """One edge of the reverse sweep: v̄_input += upstream × local = contribution → running_sum."""

    node: int
    input: int
    upstream: float
    local: float
    contribution: float
    running_sum: float


@dataclass(frozen=True)
class EvaluationTrace:
    """The primal (forward) and adjoint (reverse) tables of one graph; `str()` prints both."""

    primal: list[PrimalRow]
    adjoint: list[AdjointRow]

    def __str__(self) -> str:
        return "\n".join([*_primal_lines(self.primal), "", *_adjoint_lines(self)])


def evaluation_trace(root: Value) -> EvaluationTrace:
    """The evaluation trace of `root`'s graph; no `.grad` is read or written."""
    if not isinstance(root, Value):
        raise TypeError(f"evaluation_trace needs a Value, got {type(root).__name__} {root!r}")
    order = topological_order(root)
    numbered = _by_level(root)
    inputs = [node for node in numbered if not node.inputs]
    ops = [node for node in numbered if node.inputs]
    index = {node: i for i, node in enumerate(inputs, start=1 - len(inputs))}
    index.update({node: i for i, node in enumerate(ops, start=1)})
    primal = [
        PrimalRow(index[node], node.label, node.op, tuple(index[x] for x in node.inputs), node.data)
        for node in inputs + ops
    ]
    adjoint: list[AdjointRow] = []
    bar: dict[Value, float] = {root: 1.0}
    for node in reversed(order):  # the order backward() visits the nodes in
        upstream = bar.get(node, 0.0)
        for x, local in zip(node.inputs, local_derivatives(node)):
            contribution = upstream * local
            bar[x] = bar.get(x, 0.0) + contribution
            adjoint.append(
                AdjointRow(index[node], index[x], upstream, local, contribution, bar[x])
            )
    return EvaluationTrace(primal, adjoint)


def _by_level(root: Value) -> list[Value]:
    """Every node of the graph, by level (ops on the longest path from a leaf), then left to right.

    Left to right is a depth-first search that follows each node's inputs in order, with an
    explicit stack (no recursion).
    """
    left_to_right: list[Value] = []
    level: dict[Value, int] = {}
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            level[node] = 1 + max(level[x] for x in node.inputs) if node.inputs else 0
            left_to_right.append(node)
        elif node not in level:
            level[node] = -1  # seen: expanding it, or waiting to be emitted
            stack.append((node, True))
            stack.extend((x, False) for x in reversed(node.inputs) if x not in level)
    return sorted(left_to_right, key=level.__getitem__)


def v(index: int, bar: bool = False) -> str:
    """The textbook name of a trace entry: v₋₁, v₀, v₃; with bar, its adjoint v̄₃."""
    return ("v̄" if bar else "v") + str(index).translate(_SUBSCRIPT)


def _number(x: float) -> str:
    """A number as the tables show it: 6 significant digits."""
    return f"{x:.6g}"


def _primal_lines(primal: list[PrimalRow]) -> list[str]:
    """`v₋₁ = x1                 = 2`, `v₂ = v₋₁ × v₀ = 10`, ... aligned in columns."""
    formulas = [_formula(row) for row in primal]
    width = max(len(f) for f in formulas)
    name_width = max(len(v(row.index)) for row in primal)
    lines = ["Forward primal trace"]
    for row, formula in zip(primal, formulas):
        lines.append(f"  {v(row.index):<{name_width}} = {formula:<{width}} = {_number(row.value)}")
    return lines


def _formula(row: PrimalRow) -> str:
    """How a row's value was made: the input's label for a leaf, else the op on v names."""
    if not row.op:
        return row.label or "(input)"
    names = [v(i) for i in row.inputs]
    if row.op in _INFIX and len(names) == 2:
        return f"{names[0]} {_INFIX[row.op]} {names[1]}"
    if row.op == "neg":
        return f"−{names[0]}"
    return f"{row.op}({', '.join(names)})"


def _adjoint_lines(trace: EvaluationTrace) -> list[str]:
    """`v̄₅ = 1` for the output, one aligned row per edge in backward()'s order, then the gradient
    of each input."""
    root = trace.primal[-1].index  # the root has the highest level, so it is numbered last
    lines = ["Reverse adjoint trace", f"  {v(root, bar=True)} = 1   (the output's own derivative)"]
    cells = [
        (
            f"{v(r.input, bar=True)} += {v(r.node, bar=True)} × ∂{v(r.node)}/∂{v(r.input)}",
            f"{_number(r.upstream)} × {_number(r.local)}",
            _number(r.contribution),
        )
        for r in trace.adjoint
    ]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(3)]
    for (rule, product, contribution), row in zip(cells, trace.adjoint):
        lines.append(
            f"  {rule:<{widths[0]}} = {product:<{widths[1]}} = {contribution:<{widths[2]}}"
            f"   → {v(row.input, bar=True)} = {_number(row.running_sum)}"
        )
    final = {r.input: r.running_sum for r in trace.adjoint}
    gradients = [
        f"∂{v(root)}/∂{row.label or v(row.index)} = {v(row.index, bar=True)} = "
        f"{_number(final.get(row.index, 1.0 if row.index == root else 0.0))}"
        for row in trace.primal
        if not row.op
    ]
    return [*lines, "  " + ",  ".join(gradients)]
