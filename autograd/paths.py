"""The chain rule as a sum over paths, and why backward() does not sum them one by one.

d root/d x is the sum, over every path from root down to x, of the product of the local
derivatives along it. A path steps along one entry of a node's `.inputs`, so `x*x` has two paths
to x. Their number can grow exponentially with the graph (3^n for n steps of `y = y*y + y`)
while backward() visits each edge once: it is this sum, computed by dynamic programming.
"""

from __future__ import annotations

from typing import NamedTuple

from autograd.engine import Value, topological_order
from autograd.local import local_derivatives


class Path(NamedTuple):
    """One chain-rule path: its nodes from root to x, and the product of the local derivatives."""

    nodes: tuple[Value, ...]
    product: float


def count_paths(root: Value, x: Value) -> int:
    """The number of paths from `root` down to `x` (any node of its graph), as an exact int.

    Dynamic programming over the topological order: the paths from a node to x are those of its
    inputs, added up, so each edge is looked at once however many paths there are.
    """
    return _paths_below(root, x, "count_paths")[root]


def paths(root: Value, x: Value, limit: int = 1000) -> list[Path]:
    """Every chain-rule path from `root` down to `x` (a leaf or any other node of the graph);
    their products add up to d root/d x. More than `limit` paths raises ValueError."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"paths: limit must be a whole number >= 0, got {limit!r}")
    below = _paths_below(root, x, "paths")
    if below[root] > limit:
        raise ValueError(
            f"paths: {below[root]:,} paths lead from the root to x, more than limit={limit:,}; "
            "count them with count_paths(root, x), or pass a larger limit"
        )
    found: list[Path] = []
    stack: list[tuple[_Trail, float]] = [(_Trail(root, None), 1.0)]
    while stack:  # depth first, inputs in order; only into nodes that lead to x
        trail, product = stack.pop()
        node = trail.node
        if node is x:
            found.append(Path(trail.nodes(), product))
            continue
        steps = list(zip(node.inputs, local_derivatives(node)))
        stack.extend(
            (_Trail(i, trail), product * local) for i, local in reversed(steps) if below[i]
        )
    return found


class _Trail:
    """A path so far, as a linked list (its last node, the trail above it): extending one costs
    O(1), so the path down a chain of a million nodes is not copied a million times."""

    __slots__ = ("node", "above")

    def __init__(self, node: Value, above: _Trail | None) -> None:
        self.node = node
        self.above = above

    def nodes(self) -> tuple[Value, ...]:
        """The trail's nodes from the root down."""
        nodes = []
        trail: _Trail | None = self
        while trail is not None:
            nodes.append(trail.node)
            trail = trail.above
        return tuple(reversed(nodes))


def _paths_below(root: Value, x: Value, caller: str) -> dict[Value, int]:
    """For every node of root's graph, how many paths lead from it down to x."""
    for name, value in (("root", root), ("x", x)):
        if not isinstance(value, Value):
            kind = type(value).__name__
            raise TypeError(f"{caller}: {name} must be a Value, got {kind} {value!r}")
    below: dict[Value, int] = {}
    for node in topological_order(root):  # inputs first: their counts are ready
        below[node] = 1 if node is x else sum(below[i] for i in node.inputs)
    if x not in below:
        label = f" {x.label!r}" if x.label else ""
        raise ValueError(f"{caller}: x{label} (data {x.data!r}) is not in root's graph")
    return below
