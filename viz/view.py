"""Which part of a graph to draw: all of it, or past `max_nodes` a smaller view that says so."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from autograd import Value
from viz.nodes import Kind, count_nodes, drawn_inputs, drawn_order, kind_of

# Past this many values (or max_nodes, if larger) a graph is refused rather than summarised.
HARD_LIMIT = 20_000


@dataclass(frozen=True)
class View:
    """The whole graph (`order`, inputs first), the nodes to draw, a note on what was left out."""

    order: list[Value]
    shown: set[Value]
    note: str

    def hidden_inputs(self, node: Value) -> tuple[int, int]:
        """How many of node's inputs are not drawn: (parameters folded in, other inputs cut off)."""
        hidden = [x for x, _ in drawn_inputs(node) if x not in self.shown]
        parameters = sum(kind_of(x, self.order[-1]) is Kind.PARAMETER for x in hidden)
        return parameters, len(hidden) - parameters


def choose_view(root: Value, max_nodes: int, caller: str) -> View:
    """Everything when it fits; else fold the parameters into their ops; else the part nearest root.

    A graph past the hard limit is refused with a ValueError before any real work is done.
    """
    order = ordered_within_limit(root, max_nodes, caller)
    if len(order) <= max_nodes:
        return View(order, set(order), "")
    unfolded = {node for node in order if kind_of(node, root) is not Kind.PARAMETER}
    if len(unfolded) <= max_nodes:
        return View(
            order,
            unfolded,
            f"{len(order):,} values, more than max_nodes={max_nodes}: parameters are folded "
            "into the ops that use them (raise max_nodes to draw them all)",
        )
    return View(
        order,
        _nearest(root, max_nodes),
        f"{len(order):,} values, more than max_nodes={max_nodes}: showing the {max_nodes} nearest "
        f"the output, parameters folded; {caller}(v) on an inner Value v draws another part",
    )


def ordered_within_limit(root: Value, max_nodes: int, caller: str) -> list[Value]:
    """drawn_order(root) (fixed exponents left out), or a quick ValueError past the hard limit.

    Checks the arguments first: root must be a Value and max_nodes a positive int.
    """
    if not isinstance(root, Value):
        raise TypeError(f"{caller}: root must be a Value, got {type(root).__name__} {root!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(f"{caller}: max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"{caller}: max_nodes must be at least 1, got {max_nodes}")
    limit = max(HARD_LIMIT, max_nodes)
    if count_nodes(root, limit) > limit:
        raise ValueError(
            f"{caller}: this graph has more than {limit:,} values, too many to show. "
            f"Show a part of it instead: {caller}(v) for an inner Value v, such as one "
            "neuron's output or the loss of a single example"
        )
    return drawn_order(root)


def _nearest(root: Value, count: int) -> set[Value]:
    """The `count` non-parameter values closest to root, breadth first (fewest ops away)."""
    chosen = {root}
    queue = deque([root])
    while queue and len(chosen) < count:
        for child, _ in drawn_inputs(queue.popleft()):
            if child not in chosen and kind_of(child, root) is not Kind.PARAMETER:
                chosen.add(child)
                queue.append(child)
                if len(chosen) == count:
                    break
    return chosen
