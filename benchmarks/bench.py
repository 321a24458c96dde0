"""The performance benchmark: chainrule against micrograd 0.1.0, the plain-float floor and PyTorch.

    python -m benchmarks.bench [--quick] [--repeats N] [--record | --out PATH]

Everything is measured in ONE process run, because the machines are noisy: absolute times mean
little, ratios taken side by side do. Each timing is the median of several repeats and every
repeat is printed. The figures, the machine and each target (met or not) go to
build/bench/RESULTS.md, or with --record to the tracked benchmarks/RESULTS.md. micrograd and
torch are optional: where one is not installed it is reported as absent.

The measurements, in the order they run:
  1. the moons training step, every variant          variants.py (the steps: moons.py)
     and the compiled step 64 wide, and its set-up   variants.py
  2. backward alone, ns per node                     backward.py (the graphs: graphs.py)
  3.-5. bytes per node, a 1,000,000-node chain,
        garbage left for the cycle collector         sizes.py
  6. the moons step under Python 3.13, when present  other_python.py
  7. PyTorch's moons step, for context               variants.py
timing.py times them; report.py judges the targets and writes RESULTS.md. instructions.py
counts a step's instructions under valgrind instead, a figure that load does not move.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.backward import measure_backward
from benchmarks.other_python import (
    REPOSITORY,
    VERSION,
    measure_other_python,
    python_name,
    skipped,
)
from benchmarks.report import Results, render
from benchmarks.sizes import measure_bytes_per_node, measure_cycle_garbage, measure_long_chain
from benchmarks.timing import CLOCKS, FULL, QUICK, Plan, say
from benchmarks.variants import (
    WIDE,
    MoonsResult,
    measure_moons_step,
    measure_setup,
    measure_torch_step,
    measure_wide_step,
    optional_module,
)
from nn.serialize import write_atomically

RECORD = Path(__file__).with_name("RESULTS.md")
SCRATCH = REPOSITORY / "build" / "bench" / "RESULTS.md"


def run(plan: Plan, other_python: bool = True) -> Results:
    """All the measurements, in this one process (and, unless `other_python` is False, Python
    3.13's moons step in one child process)."""
    micrograd = optional_module("micrograd.nn")
    about = machine()
    about["clock"] = f"{plan.clock} (time.{CLOCKS[plan.clock].__name__})"
    say(f"chainrule benchmark on {about['CPU']}, Python {about['Python']}")
    say(f"1. moons training step ({plan.moons_points} points)")
    pure_python = measure_moons_step(plan, micrograd)
    say(f"1b. the compiled step on MLP(2, {list(WIDE)}), and the compiled steps' set-up")
    wide = measure_wide_step(plan)
    setup = measure_setup(plan)
    say(f"2. backward alone (~{plan.backward_nodes:,}-node expanded graph)")
    backward = measure_backward(plan, micrograd)
    say(f"3. bytes per node ({plan.memory_nodes:,}-node chain)")
    memory = measure_bytes_per_node(plan, micrograd)
    say(f"4. {plan.long_chain_nodes:,}-node chain, forward + backward")
    long_chain = measure_long_chain(plan, micrograd)
    say("5. garbage left for the cycle collector after a moons step")
    cycles = measure_cycle_garbage(plan, micrograd)
    say(f"6. the moons step under Python {VERSION}, in a child process")
    other = measure_other_python(plan) if other_python else skipped("--no-other-python")
    say("7. PyTorch's moons step, for context (imported only now)")
    torch = measure_torch_step(plan)
    torch_wide = measure_torch_step(plan, WIDE)
    moons = MoonsResult(
        {**pure_python.timings, **torch.timings}, {**pure_python.differences, **torch.differences}
    )
    wide = MoonsResult(
        {**wide.timings, **torch_wide.timings}, {**wide.differences, **torch_wide.differences}
    )
    about["load average at the end"] = load_average()
    return Results(
        plan, about, platform.python_version(), moons, other, backward, memory, long_chain, cycles,
        wide, setup,
    )


def machine() -> dict[str, str]:
    """The CPU, Python and library versions of this run, when it ran and how busy the CPUs were."""

    def installed(distribution: str) -> str:
        try:
            return version(distribution)
        except PackageNotFoundError:
            return "absent"

    return {
        "CPU": f"{cpu_model()} ({os.cpu_count()} logical CPUs)",
        "Python": python_name(),
        "OS": platform.platform(),
        "micrograd": installed("micrograd"),
        "torch": installed("torch"),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at the start": load_average(),
    }


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (other programs share the CPUs), where known."""
    try:
        return " / ".join(f"{load:.2f}" for load in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: run the benchmark, print every repeat, write RESULTS.md."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a fast look")
    parser.add_argument("--repeats", type=int, help=f"repeats per timing (default {FULL.repeats})")
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default=FULL.clock,
        help=f"time CPU time or wall time (default {FULL.clock})",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--record", action="store_true", help=f"write the record, {RECORD}")
    where.add_argument("--out", type=Path, default=SCRATCH, help=f"default {SCRATCH}")
    parser.add_argument(
        "--no-other-python", action="store_true", help=f"skip the Python {VERSION} rows"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.repeats is not None:
        if args.repeats < 1:
            parser.error(f"--repeats must be >= 1, got {args.repeats}")
        plan = replace(plan, repeats=args.repeats)
    plan = replace(plan, clock=args.clock)
    if args.record and args.quick:
        parser.error("--record writes the record: run it without --quick")
    out = RECORD if args.record else args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, render(run(plan, other_python=not args.no_other_python)).encode("utf-8"))
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
