"""The rows of the moons table: each variant of the step, checked against chainrule's, then timed.

A variant is one entry of `pure_python_variants`: a name, how to build its step from the problem,
and how the cycle collector runs while it is timed. Adding a way to take the step (a class with
`step`, `gradients` and `parameters`, see `moons.MoonsStep`) is one more entry there.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from types import ModuleType

from autograd import cycle_collector_paused
from benchmarks.moons import (
    WIDTHS,
    ChainruleStep,
    CompiledStep,
    FloatStep,
    MicrogradStep,
    Moons,
    MoonsStep,
    TorchStep,
    moons_problem,
)
from benchmarks.timing import Plan, Timing, say, time_rounds

TOLERANCE = 1e-12  # every variant must reach the same loss, gradients and weights to this
# A repeat of the moons step is at least this many steps in a row, as in a training loop: the
# garbage one step leaves behind (micrograd's cycles) is paid for during the steps after it.
STEADY_STATE_STEPS = 3

DEFAULT = "chainrule default (fused dot)"
EXPANDED = "chainrule expand=True"
DEFAULT_PAUSED = "chainrule default, collector paused (as fit trains)"
EXPANDED_PAUSED = "chainrule expand=True, collector paused (as fit trains)"
PAUSED = {DEFAULT: DEFAULT_PAUSED, EXPANDED: EXPANDED_PAUSED}  # each step and its paused twin
FLOOR = "plain-float floor (no graph)"
MICROGRAD = "micrograd 0.1.0"
MICROGRAD_NO_GC = "micrograd 0.1.0, gc off (context)"
TORCH = "PyTorch float64, whole batch, 1 thread"
COMPILED = "chainrule compiled (autograd.compile, as fit(compile=True))"
WIDE = (64, 64, 1)  # the wider network the compiled step is also timed on


class Collector(Enum):
    """How Python's cycle collector runs while a variant is timed."""

    DEFAULT = "at its default"
    COLLECT = "at its default, and gc.collect() inside the clock at the end of each repeat"
    PAUSED = "paused inside each step by autograd.cycle_collector_paused(), as nn.fit trains"
    OFF = "off, its garbage collected after the clock stops"


@dataclass(frozen=True)
class Variant:
    """One row of the moons table: its name, how to build its step, how the collector runs."""

    name: str
    make: Callable[[Moons], MoonsStep]
    collector: Collector = Collector.DEFAULT


def optional_module(name: str) -> ModuleType | None:
    """The module `name`, or None when it is not installed (the benchmark runs without it)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def pure_python_variants(micrograd: ModuleType | None) -> list[Variant]:
    """Every pure-Python variant that can run here, in the order they take turns and are listed.

    micrograd's graphs are reference cycles that only the collector frees, so its repeats pay for
    a gc.collect() inside the clock; chainrule's graphs are freed by reference counting alone.
    """
    expanded = partial(ChainruleStep, expand=True)
    variants = [
        Variant(DEFAULT, ChainruleStep),
        Variant(EXPANDED, expanded),
        Variant(FLOOR, FloatStep),
        Variant(COMPILED, CompiledStep),
    ]
    if micrograd is not None:
        variants.append(
            Variant(MICROGRAD, partial(MicrogradStep, micrograd=micrograd), Collector.COLLECT)
        )
    variants += [
        Variant(DEFAULT_PAUSED, ChainruleStep, Collector.PAUSED),
        Variant(EXPANDED_PAUSED, expanded, Collector.PAUSED),
    ]
    if micrograd is not None:
        variants.append(
            Variant(MICROGRAD_NO_GC, partial(MicrogradStep, micrograd=micrograd), Collector.OFF)
        )
    return variants


def check_agreement(reference: MoonsStep, steps: Mapping[str, MoonsStep]) -> dict[str, float]:
    """One step of the reference and of each step: loss, gradients, updated weights must match.

    Returns each step's largest difference from the reference; raises AssertionError naming the
    step, the quantity and both values when one differs by more than TOLERANCE.
    """
    want = ([reference.step()], reference.gradients(), reference.parameters())
    largest = {}
    for name, step in steps.items():
        got = ([step.step()], step.gradients(), step.parameters())
        largest[name] = 0.0
        for what, values, expected in zip(("loss", "gradient", "updated weight"), got, want):
            if len(values) != len(expected):
                raise AssertionError(f"{name}: {len(values)} {what}s, {DEFAULT}: {len(expected)}")
            for i, (g, w) in enumerate(zip(values, expected)):
                if not math.isclose(g, w, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
                    raise AssertionError(
                        f"{name} disagrees with {DEFAULT}: {what} #{i} is {g!r}, "
                        f"not {w!r} (tolerance {TOLERANCE})"
                    )
                largest[name] = max(largest[name], abs(g - w))
    return largest


@dataclass(frozen=True)
class MoonsResult:
    """The moons step: one timing per variant, and how far each is from chainrule's default."""

    timings: dict[str, Timing]
    differences: dict[str, float]


def measure_variants(variants: Sequence[Variant], problem: Moons, plan: Plan) -> MoonsResult:
    """Check every variant against a fresh chainrule default step, then time them in turns."""
    steps = {variant.name: variant.make(problem) for variant in variants}
    differences = check_agreement(ChainruleStep(problem), steps)
    say(f"  every variant agrees with {DEFAULT} to {TOLERANCE} (loss, gradients, weights)")
    collectors = {variant.name: variant.collector for variant in variants}
    calls = {
        name: collector_paused(step.step) if collectors[name] is Collector.PAUSED else step.step
        for name, step in steps.items()
    }
    timings = time_rounds(
        calls,
        plan,
        collect=[name for name, c in collectors.items() if c is Collector.COLLECT],
        gc_off=[name for name, c in collectors.items() if c is Collector.OFF],
        min_calls=STEADY_STATE_STEPS,
    )
    return MoonsResult(timings, differences)


def collector_paused(step: Callable[[], float]) -> Callable[[], float]:
    """`step` with the cycle collector paused while it runs, as `nn.fit` runs each step.

    Safe only because a chainrule graph has no reference cycles: reference counting frees it.
    """

    def paused_step() -> float:
        with cycle_collector_paused():
            return step()

    return paused_step


def measure_moons_step(plan: Plan, micrograd: ModuleType | None) -> MoonsResult:
    """1. The pure-Python moons steps, side by side."""
    return measure_variants(pure_python_variants(micrograd), moons_problem(plan.moons_points), plan)


def measure_wide_step(plan: Plan) -> MoonsResult:
    """The compiled step and the floor on MLP(2, WIDE), where the compiled code has more to do."""
    variants = [Variant(FLOOR, FloatStep), Variant(COMPILED, CompiledStep)]
    return measure_variants(variants, moons_problem(plan.moons_points, WIDE), plan)


def setup_name(widths: Sequence[int]) -> str:
    """The row of a set-up time: the network it compiles."""
    return f"MLP(2, {list(widths)})"


def measure_setup(plan: Plan) -> dict[str, Timing]:
    """How long the compiled step takes to build: one example's graph recorded, its code written
    and compiled (and the penalty's), for MLP(2, WIDTHS) and MLP(2, WIDE)."""
    builds = {
        setup_name(widths): partial(CompiledStep, moons_problem(plan.moons_points, widths))
        for widths in (WIDTHS, WIDE)
    }
    return time_rounds(builds, plan)


def measure_torch_step(plan: Plan, widths: Sequence[int] = WIDTHS) -> MoonsResult:
    """PyTorch's moons step on MLP(2, widths), for context; empty when torch is not installed.

    It runs last: importing torch adds some 150,000 objects that every later full garbage
    collection would rescan, slowing down the pure-Python variants measured before it. It runs on
    one thread, as the Python variants do: the CPU clock would also count the time its idle
    worker threads spin.
    """
    torch = optional_module("torch")
    if torch is None:
        say("  PyTorch is not installed")
        return MoonsResult({}, {})
    torch.set_num_threads(1)
    variant = Variant(TORCH, partial(TorchStep, torch=torch))
    return measure_variants([variant], moons_problem(plan.moons_points, widths), plan)
