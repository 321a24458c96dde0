"""How big the graphs are: 3. bytes per node, 4. a very long chain, 5. garbage left in cycles."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import ModuleType

from autograd import Value
from benchmarks.graphs import chain, count_nodes, engines
from benchmarks.moons import ChainruleStep, MicrogradStep, moons_problem
from benchmarks.timing import Plan, Timing, say, time_rounds
from benchmarks.variants import DEFAULT, EXPANDED, MICROGRAD

FORWARD_BACKWARD = "chainrule forward + backward"
MICROGRAD_CHAIN = 10_000  # micrograd's backward is tried on a chain this long (and fails)


def traced_memory(build: Callable[[], object]) -> tuple[int, int]:
    """(bytes held by what `build` returns, peak bytes during the build), traced by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        result = build()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    gc.collect()
    return held, peak


def measure_bytes_per_node(plan: Plan, micrograd: ModuleType | None) -> dict[str, float]:
    """3. Memory held per node of a chain of `*` and `+` (forward only, no backward yet)."""
    results = {}
    for name, engine in engines(micrograd).items():
        nodes = count_nodes(chain(engine.leaf, plan.memory_nodes), engine.inputs_of)
        held, _ = traced_memory(partial(chain, engine.leaf, plan.memory_nodes))
        results[name] = held / nodes
        say(f"  {name:<36} {results[name]:.0f} bytes per node ({nodes:,} nodes)")
    return results


@dataclass(frozen=True)
class LongChainResult:
    """4. Forward + backward over one long chain: the time, the peak memory, micrograd's fate."""

    nodes: int
    timing: Timing
    peak_bytes: int
    micrograd: str


def measure_long_chain(plan: Plan, micrograd: ModuleType | None) -> LongChainResult:
    """Build a chain of long_chain_nodes nodes and differentiate it; then try micrograd on one."""

    def forward_backward() -> None:
        chain(Value, plan.long_chain_nodes).backward()

    timing = time_rounds({FORWARD_BACKWARD: forward_backward}, plan)[FORWARD_BACKWARD]
    _, peak = traced_memory(forward_backward)
    say(f"  chainrule peak memory: {peak / 1e6:.0f} MB")
    return LongChainResult(plan.long_chain_nodes, timing, peak, micrograd_on_a_chain(micrograd))


def micrograd_on_a_chain(micrograd: ModuleType | None) -> str:
    """What happens when micrograd's backward meets a MICROGRAD_CHAIN-node chain."""
    if micrograd is None:
        return "micrograd is not installed"
    root = chain(micrograd.Value, MICROGRAD_CHAIN)
    try:
        root.backward()
        outcome = f"micrograd's backward worked on a {MICROGRAD_CHAIN:,}-node chain"
    except RecursionError:
        outcome = (
            f"micrograd cannot: its recursive topological sort raises RecursionError on a "
            f"{MICROGRAD_CHAIN:,}-node chain already (Python's default limit is "
            f"{sys.getrecursionlimit():,} frames)"
        )
    del root
    gc.collect()
    say(f"  {outcome}")
    return outcome


def values_left_for_cycle_collector(step: Callable[[], object], value_type: type) -> int:
    """How many `value_type` objects only the cycle collector frees after `step` drops its graph."""
    gc.collect()
    gc.disable()
    try:
        step()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return sum(isinstance(garbage, value_type) for garbage in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        gc.collect()


def measure_cycle_garbage(plan: Plan, micrograd: ModuleType | None) -> dict[str, int]:
    """5. Values that reference counting alone cannot free after one moons step (target: 0)."""
    problem = moons_problem(plan.moons_points)
    steps: dict[str, tuple[Callable[[], object], type]] = {
        DEFAULT: (ChainruleStep(problem).step, Value),
        EXPANDED: (ChainruleStep(problem, expand=True).step, Value),
    }
    if micrograd is not None:
        steps[MICROGRAD] = (MicrogradStep(problem, micrograd).step, micrograd.Value)
    results = {}
    for name, (step, value_type) in steps.items():
        results[name] = values_left_for_cycle_collector(step, value_type)
        say(f"  {name:<36} {results[name]:,} Values left for the cycle collector")
    return results
