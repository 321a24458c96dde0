"""The shape of a recorded graph: its leaves, and how many nodes, edges and levels of ops it has."""

from __future__ import annotations

from typing import NamedTuple

from autograd.engine import Value, topological_order


class GraphStats(NamedTuple):
    """How big a graph is: nodes, edges (every entry of every `.inputs`), leaves, and depth
    (the number of ops on its longest path; a leaf alone has depth 0)."""

    nodes: int
    edges: int
    leaves: int
    depth: int


def leaves(root: Value) -> list[Value]:
    """The leaves (nodes with no inputs) reachable from `root`, in `topological_order`."""
    return [node for node in _order(root, "leaves") if not node.inputs]


def graph_stats(root: Value) -> GraphStats:
    """Count `root`'s graph in one pass over its topological order (no recursion, so a chain of a
    million nodes is fine)."""
    order = _order(root, "graph_stats")
    depth: dict[Value, int] = {}
    for node in order:  # inputs come first, so their depths are known
        depth[node] = 1 + max(depth[x] for x in node.inputs) if node.inputs else 0
    return GraphStats(
        nodes=len(order),
        edges=sum(len(node.inputs) for node in order),
        leaves=sum(1 for node in order if not node.inputs),
        depth=depth[root],
    )


def _order(root: Value, caller: str) -> list[Value]:
    if not isinstance(root, Value):
        raise TypeError(f"{caller} needs a Value, got {type(root).__name__} {root!r}")
    return topological_order(root)
