"""What each node of a graph is, for the drawings: its kind, backward step and op symbol."""

from __future__ import annotations

import math
from enum import Enum

from autograd import Value

# A leaf whose label starts with one of these is a parameter (w1, b, w_12^2, ...), as in nn.
PARAMETER_PREFIXES = ("w", "b")

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
