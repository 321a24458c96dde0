"""Instructions per moons step, as valgrind's callgrind counts them: a figure load does not move.

    python -m benchmarks.instructions [--steps N] [--points P] [VARIANT ...]

On a shared machine one repeat of the default step took 17 to 26 ms of CPU time, more than most
single changes to the engine move it; the number of instructions a step executes stays the same
from run to run, so it shows what a change did (it does not see memory stalls, which time does).
Each variant runs in two child processes under callgrind, one taking 1 step and one 1 + N, so
that their difference over N is one step, without start-up and imports. valgrind must be
installed (`apt-get install valgrind`); callgrind runs some 50 times slower than Python.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

from autograd import cycle_collector_paused
from benchmarks.moons import ChainruleStep, CompiledStep, FloatStep, Moons, MoonsStep, moons_problem

# Each variant as the benchmark's moons table has it; chainrule's steps run with the collector
# paused, as fit trains, since a collection would count whatever else is on the heap.
VARIANTS: dict[str, Callable[[Moons], MoonsStep]] = {
    "default": ChainruleStep,
    "expand": lambda problem: ChainruleStep(problem, expand=True),
    "floor": FloatStep,
    "compiled": CompiledStep,
}
_COLLECTED = re.compile(r"Collected : (\d+)")


def take_steps(variant: str, points: int, steps: int) -> float:
    """What a child process runs: `steps` steps of `variant` on `points` moons points; the loss
    of the last one."""
    step = VARIANTS[variant](moons_problem(points))
    loss = float("nan")
    for _ in range(steps):
        with cycle_collector_paused():
            loss = step.step()
    return loss


def collected(stderr: str) -> int:
    """The instruction count in callgrind's report, or a RuntimeError quoting the report."""
    found = _COLLECTED.findall(stderr)
    if not found:
        raise RuntimeError(f"callgrind reported no instruction count:\n{stderr[-2000:]}")
    return int(found[-1])


def count(variant: str, points: int, steps: int) -> int:
    """Instructions of one child process taking `steps` steps under callgrind."""
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "benchmarks.instructions", "--child", variant,
        "--points", str(points), "--steps", str(steps),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"{variant}: the child failed:\n{finished.stderr[-2000:]}")
    return collected(finished.stderr)


def per_step(variant: str, points: int, steps: int) -> int:
    """Instructions of one step of `variant`: (1 + steps) steps minus 1 step, over `steps`."""
    return (count(variant, points, 1 + steps) - count(variant, points, 1)) // steps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="*", metavar="VARIANT",
                        help=f"any of {', '.join(VARIANTS)} (default: all)")
    parser.add_argument("--steps", type=int, default=3, help="steps counted (default 3)")
    parser.add_argument("--points", type=int, default=100, help="moons points (default 100)")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.steps < 1 or args.points < 1:
        parser.error(f"--steps and --points must be >= 1, got {args.steps} and {args.points}")
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant {unknown[0]!r}; choose from {', '.join(VARIANTS)}")
    if args.child:
        take_steps(args.child, args.points, args.steps)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind (or your system's package)",
              file=sys.stderr)
        return 2
    chosen = args.variants or list(VARIANTS)
    counts = {variant: per_step(variant, args.points, args.steps) for variant in chosen}
    floor = counts.get("floor")
    for variant, instructions in counts.items():
        ratio = "" if floor is None else f"   {instructions / floor:.2f}× the floor"
        print(f"{variant:<9} {instructions:>13,} instructions a step{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
