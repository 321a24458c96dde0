"""Graphs built node for node the same in either engine, and walks over them.

The builders take an engine's Value class (`leaf`) so that chainrule and micrograd build the very
same graph; `reachable` walks it without recursion, whichever engine built it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import Any, NamedTuple

from autograd import Value
from benchmarks.moons import Moons
from benchmarks.variants import MICROGRAD

CHAINRULE = "chainrule"

Leaf = Callable[[float], Any]  # a Value class of either engine, called on a float


def expanded_moons_loss(leaf: Leaf, problem: Moons) -> Any:
    """Σ relu(1 − y·score) over the problem's points, from leaves, `*`, `+` and relu alone.

    Both engines build it node for node the same. Its depth grows with the number of points
    (one `+` per point), so micrograd's recursive sort stays within Python's recursion limit.
    """
    layers = [
        [([leaf(w) for w in row], leaf(b)) for row, b in zip(problem.W[l], problem.B[l])]
        for l in sorted(problem.W)
    ]
    total = None
    for x, y in zip(problem.X, problem.signs):
        a = [leaf(value) for value in x]
        for depth, layer in enumerate(layers, start=1):
            z = [_expanded_dot(weights, a, bias) for weights, bias in layer]
            a = z if depth == len(layers) else [z_j.relu() for z_j in z]
        margin = (leaf(1.0) + leaf(-y) * a[0]).relu()
        total = margin if total is None else total + margin
    return total


def _expanded_dot(weights: Sequence[Any], activations: Sequence[Any], bias: Any) -> Any:
    """w_1·a_1 + w_2·a_2 + ... + b, one node per `*` and `+`."""
    z = weights[0] * activations[0]
    for w, a in zip(weights[1:], activations[1:]):
        z = z + w * a
    return z + bias


def chain(leaf: Leaf, nodes: int) -> Any:
    """v ← v·a + b, repeated: a chain of `nodes` `*` and `+` nodes (and the three leaves)."""
    a, b, v = leaf(1.0000001), leaf(1e-7), leaf(0.5)
    for _ in range(nodes // 2):
        v = v * a + b
    return v


def reachable(root: Any, inputs_of: Callable[[Any], Iterable[Any]]) -> set[Any]:
    """Every node reachable from `root` (an iterative walk: no recursion limit)."""
    seen = {root}
    stack = [root]
    while stack:
        for child in inputs_of(stack.pop()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def count_nodes(root: Any, inputs_of: Callable[[Any], Iterable[Any]]) -> int:
    """How many nodes are reachable from `root`."""
    return len(reachable(root, inputs_of))


def chainrule_inputs(node: Value) -> tuple[Value, ...]:
    return node.inputs


def micrograd_inputs(node: Any) -> Any:
    return node._prev


class Engine(NamedTuple):
    """What the engine-neutral graph builders need from an engine."""

    leaf: Leaf
    inputs_of: Callable[[Any], Iterable[Any]]


def engines(micrograd: ModuleType | None) -> dict[str, Engine]:
    """chainrule, and micrograd when it is installed."""
    found = {CHAINRULE: Engine(Value, chainrule_inputs)}
    if micrograd is not None:
        found[MICROGRAD] = Engine(micrograd.Value, micrograd_inputs)
    return found
