"""How the benchmark times things: a plan of sizes, repeats taken in turns, the median of each.

Everything is timed in one process with every repeat printed. The functions of one measurement
take turns, repeat after repeat, so a burst of load on a noisy machine hits all of them alike and
their ratios stay meaningful even when the absolute times do not. The clock is the process's CPU
time unless the plan asks for wall time: on a shared machine, wall time also counts the time the
process waits for a CPU.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

# What a clock measures: this process's CPU time (all its threads), or the time on the wall.
CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}


@dataclass(frozen=True)
class Plan:
    """How big each measurement is, how many repeats, how long one repeat lasts at least, and
    which of the CLOCKS times them."""

    moons_points: int
    backward_nodes: int
    memory_nodes: int
    long_chain_nodes: int
    repeats: int
    repeat_seconds: float
    clock: str = "cpu"

    def __post_init__(self) -> None:
        for name, number in vars(self).items():
            if name == "clock":
                if number not in CLOCKS:
                    raise ValueError(f"Plan: clock must be one of {sorted(CLOCKS)}, got {number!r}")
            elif isinstance(number, bool) or not isinstance(number, (int, float)) or number <= 0:
                raise ValueError(f"Plan: {name} must be a positive number, got {number!r}")


FULL = Plan(100, 100_000, 100_000, 1_000_000, repeats=11, repeat_seconds=0.2)
QUICK = Plan(30, 10_000, 10_000, 100_000, repeats=5, repeat_seconds=0.05)


@dataclass(frozen=True)
class Timing:
    """Seconds per call, one number per repeat; the median is the figure reported."""

    name: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_rounds(
    functions: Mapping[str, Callable[[], object]],
    plan: Plan,
    collect: Collection[str] = (),
    gc_off: Collection[str] = (),
    min_calls: int = 1,
    setup: Mapping[str, Callable[[], object]] | None = None,
) -> dict[str, Timing]:
    """Seconds per call of each function: plan.repeats rounds, each timing every function in turn.

    Each function has one untimed warm-up call, then enough calls per repeat to last
    plan.repeat_seconds (and at least `min_calls`), starting from a collected heap. A function
    named in `collect` ends its repeat with gc.collect() inside the clock: it pays for freeing the
    reference cycles it made (micrograd's graphs), as everything else pays for freeing its garbage
    by reference counting. Functions named in `gc_off` run with the collector off; their garbage
    is collected after the clock stops. `setup[name]`, if given, runs before each call of `name`,
    outside the clock.
    """
    setup = setup or {}
    clock = CLOCKS[plan.clock]
    calls = {
        name: max(min_calls, _calls_per_repeat(fn, plan.repeat_seconds, clock))
        for name, fn in functions.items()
    }
    seconds: dict[str, list[float]] = {name: [] for name in functions}
    for i in range(1, plan.repeats + 1):
        for name, fn in functions.items():
            gc.collect()
            repeat = _time_repeat(
                fn, clock, calls[name], name in collect, name not in gc_off, setup.get(name)
            )
            seconds[name].append(repeat)
            say(f"  {name:<56} repeat {i}/{plan.repeats}: {duration(repeat)}")
    return {name: Timing(name, times) for name, times in seconds.items()}


def _calls_per_repeat(
    fn: Callable[[], object], repeat_seconds: float, clock: Callable[[], float]
) -> int:
    """How many calls of `fn` last repeat_seconds, judged from one (warm-up) call."""
    start = clock()
    fn()
    return max(1, math.ceil(repeat_seconds / max(clock() - start, 1e-9)))


def _time_repeat(
    fn: Callable[[], object],
    clock: Callable[[], float],
    calls: int,
    collect: bool,
    gc_enabled: bool,
    setup: Callable[[], object] | None,
) -> float:
    """Seconds per call over `calls` calls (see time_rounds for the other arguments)."""
    if not gc_enabled:
        gc.disable()
    elapsed = 0.0
    for _ in range(calls):
        if setup is not None:
            setup()
        start = clock()
        fn()
        elapsed += clock() - start
    if collect:
        start = clock()
        gc.collect()
        elapsed += clock() - start
    gc.enable()
    return elapsed / calls


def say(line: str) -> None:
    """Print a line of progress at once, even when the output goes to a pipe or a file."""
    print(line, flush=True)


def duration(seconds: float) -> str:
    """A time with a readable unit and 3 significant digits: '1.71 s', '12.3 ms', '512 µs'."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3)):
        if seconds >= 0.9995 * scale:  # what rounds to 1 or more of this unit
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e6:.3g} µs"


def times(ratio: float) -> str:
    """A ratio as '27.3×' (3 significant digits), or '1,280×' from 100 up."""
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.3g}×"
