"""2. backward() alone, in ns per node, on the same expanded graph in either engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

from autograd import Value
from benchmarks.graphs import chainrule_inputs, count_nodes, engines, expanded_moons_loss, reachable
from benchmarks.moons import moons_problem
from benchmarks.timing import Plan, Timing, time_rounds


@dataclass(frozen=True)
class BackwardTiming:
    """backward() over a graph of `nodes` nodes: on fresh grads, and called again on the same."""

    nodes: int
    fresh: Timing
    again: Timing

    @property
    def ns_per_node(self) -> float:
        """The figure the target is about: backward on fresh grads, as every training step runs."""
        return self.fresh.median / self.nodes * 1e9

    @property
    def again_ns_per_node(self) -> float:
        return self.again.median / self.nodes * 1e9


def points_for_nodes(nodes: int) -> int:
    """How many moons points make the expanded loss about `nodes` nodes (it grows linearly)."""
    two, three = (
        count_nodes(expanded_moons_loss(Value, moons_problem(points)), chainrule_inputs)
        for points in (2, 3)
    )
    return max(2, round(2 + (nodes - two) / (three - two)))


def measure_backward(plan: Plan, micrograd: ModuleType | None) -> dict[str, BackwardTiming]:
    """2. backward() alone on the expanded moons loss, with enough points for backward_nodes.

    Timed twice: with every grad set to 0 before each call (outside the clock), as a training
    step calls it after zero_grad() on a new graph; and called again and again on the same graph.
    """
    problem = moons_problem(points_for_nodes(plan.backward_nodes))
    found = engines(micrograd)
    roots = {name: expanded_moons_loss(engine.leaf, problem) for name, engine in found.items()}
    nodes = {name: reachable(roots[name], engine.inputs_of) for name, engine in found.items()}
    backwards = {name: root.backward for name, root in roots.items()}
    fresh = time_rounds(
        backwards, plan, setup={name: partial(zero_grads, nodes[name]) for name in found}
    )
    again = time_rounds(backwards, plan)
    return {
        name: BackwardTiming(len(nodes[name]), fresh[name], again[name]) for name in found
    }


def zero_grads(nodes: Iterable[Any]) -> None:
    """Set every node's grad to 0, in either engine."""
    for node in nodes:
        node.grad = 0.0
