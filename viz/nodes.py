"""What each node of a graph is, for the drawings: its kind, backward step and op symbol."""

from __future__ import annotations

import math
from enum import Enum

from autograd import Value, topological_order
from viz.format import format_number

# A leaf whose label starts with one of these is a parameter (w1, b, w_12^2, ...), as in nn.
PARAMETER_PREFIXES = ("w", "b")

# The op of `x ** c` for a number c: c is a constant input, drawn as part of the op.
FIXED_POWER = "**"
# How an op is written in a drawing; an op missing here is shown by its name.
OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "neg": "−x",
    "**": "**",
    "pow": "**",
    "exp": "exp",
    "log": "log",
    "sqrt": "√",
    "tanh": "tanh",
    "sigmoid": "σ",
    "relu": "ReLU",
    "dot": "Σwa+b",
    "sum": "Σ",
}


class Kind(Enum):
    """The role a Value plays in its graph; drawings colour each kind differently."""

    PARAMETER = "parameter"
    INPUT = "input"
    CONSTANT = "constant"
    INTERMEDIATE = "intermediate"
    OUTPUT = "output"


def kind_of(node: Value, root: Value) -> Kind:
    """Output (the root), intermediate (made by an op), or a leaf: constant, parameter or input.

    A constant is a plain number the engine wrapped, so its label is its own value ("3");
    a parameter's label starts with w or b; any other leaf is an input.
    """
    if node is root and node.op:
        return Kind.OUTPUT
    if node.op:
        return Kind.INTERMEDIATE
    if _is_own_number(node.label, node.data):
        return Kind.CONSTANT
    if node.label.startswith(PARAMETER_PREFIXES):
        return Kind.PARAMETER
    return Kind.INPUT


def _is_own_number(label: str, data: float) -> bool:
    """True when `label` is the number `data` written out, as the engine labels a constant."""
    try:
        number = float(label)
    except ValueError:
        return False
    return number == data or (math.isnan(number) and math.isnan(data))


def backward_steps(order: list[Value]) -> dict[Value, int]:
    """Step n of each node: backward() visits the reverse of `order` (root is step 1)."""
    return {node: len(order) - index for index, node in enumerate(order)}


def op_symbol(op: str) -> str:
    """The short sign a drawing shows for an op: × for *, Σwa+b for dot, σ for sigmoid, ..."""
    return OP_SYMBOLS.get(op, op)


def op_text(node: Value) -> str:
    """What a drawing writes in an op node: its symbol, with a fixed exponent inside (`**3`)."""
    symbol = op_symbol(node.op)
    if node.op == FIXED_POWER:
        return symbol + format_number(node.inputs[1].data)
    return symbol


def drawn_inputs(node: Value) -> list[tuple[Value, float]]:
    """node's inputs with their local derivatives, as drawn: all but a fixed exponent.

    `x ** 3` keeps its constant 3 as a second input with local derivative 0 (a constant does not
    vary); a drawing shows the 3 inside the op instead, so no edge carries that 0.
    """
    pairs = list(zip(node.inputs, node.local_grads))
    return pairs[:1] if node.op == FIXED_POWER else pairs


def fixed_exponents(order: list[Value]) -> set[Value]:
    """The constants in `order` used only as the fixed exponent of `**`: drawn inside their op."""
    exponents = {node.inputs[1] for node in order if node.op == FIXED_POWER}
    drawn = {x for node in order for x, _ in drawn_inputs(node)}
    return exponents - drawn


def drawn_order(root: Value) -> list[Value]:
    """topological_order(root) without the fixed exponents, which drawings show inside `**`."""
    order = topological_order(root)
    hidden = fixed_exponents(order)
    return [node for node in order if node not in hidden] if hidden else order


def count_nodes(root: Value, limit: int) -> int:
    """How many nodes `root` reaches, counting no further than limit + 1 (fast on huge graphs)."""
    seen = {root}
    stack = [root]
    while stack and len(seen) <= limit:
        for child in stack.pop().inputs:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return min(len(seen), limit + 1)
