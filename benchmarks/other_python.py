"""The moons step under Python 3.13 as well, in a child process, when pyenv has that Python.

Python 3.13 raised the cycle collector's first threshold from 700 to 2,000 allocations, and
micrograd spends most of its step in that collector, so its ratios depend on the Python: every
ratio is reported beside the Python it was measured on. The child runs the same variants in
turns, as the parent does, and hands back its timings as JSON; ratios are only ever taken
between timings of one process. micrograd 0.1.0 (pure Python) and tqdm (which `nn` imports) are
installed for that Python once, with `pip install --target`, under build/bench/.

    python -m benchmarks.other_python PLAN_JSON OUT_JSON     # the child (the parent starts it)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.timing import Plan, Timing, say
from benchmarks.variants import MoonsResult, measure_moons_step, optional_module
from nn.serialize import write_atomically

VERSION = "3.13.0"
REPOSITORY = Path(__file__).resolve().parents[1]
SITE = REPOSITORY / "build" / "bench" / f"python{VERSION}-site"
REQUIREMENTS = ("micrograd==0.1.0", "tqdm")


@dataclass(frozen=True)
class OtherPython:
    """The moons step measured under another Python (`version` '3.13.0', `python` with its
    collector's thresholds), or why it was not (`moons` is None)."""

    version: str
    python: str
    moons: MoonsResult | None
    note: str = ""


def measure_other_python(plan: Plan) -> OtherPython:
    """Find Python 3.13, give it micrograd, and run the moons variants under it (or say why not)."""
    python = find_python()
    if python is None:
        return skipped(f"Python {VERSION} not found (`pyenv prefix {VERSION}` gave no interpreter)")
    install_requirements(python, SITE)
    return measure_under(python, plan, SITE)


def skipped(reason: str) -> OtherPython:
    """The other Python's rows, not measured, and why."""
    say(f"  skipped: {reason}")
    return OtherPython(VERSION, f"CPython {VERSION}", None, reason)


def find_python() -> Path | None:
    """The interpreter of pyenv's Python VERSION, or None when pyenv or that Python is absent."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    found = subprocess.run([pyenv, "prefix", VERSION], capture_output=True, text=True)
    python = Path(found.stdout.strip()) / "bin" / "python"
    return python if found.returncode == 0 and python.is_file() else None


def install_requirements(python: Path, site: Path) -> None:
    """pip install --target `site` the REQUIREMENTS for `python`, unless already there.

    A failed install is reported and the run goes on: the child then runs without micrograd.
    """
    if all((site / name).is_dir() for name in ("micrograd", "tqdm")):
        return
    say(f"  installing {', '.join(REQUIREMENTS)} for {python} into {site}")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--root-user-action=ignore"]
    installed = subprocess.run([*pip, "--target", str(site), *REQUIREMENTS])
    if installed.returncode != 0:
        say(f"  pip install failed (exit status {installed.returncode}); going on without it")


def measure_under(python: Path, plan: Plan, site: Path | None) -> OtherPython:
    """Run the moons variants in a child process of `python`, this repository on its path."""
    path = [str(REPOSITORY)] + ([str(site)] if site is not None else [])
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "moons.json"
        child = [str(python), "-m", "benchmarks.other_python", json.dumps(asdict(plan)), str(out)]
        finished = subprocess.run(child, env=environment, cwd=REPOSITORY)
        if finished.returncode != 0:
            return skipped(f"{python} exited with status {finished.returncode}")
        measured = json.loads(out.read_text(encoding="utf-8"))
    timings = {name: Timing(name, seconds) for name, seconds in measured["timings"].items()}
    moons = MoonsResult(timings, measured["differences"])
    return OtherPython(measured["version"], measured["python"], moons)


def python_name() -> str:
    """This Python and its collector's thresholds, e.g. 'CPython 3.13.0 (gc 2000/10/10)'."""
    thresholds = "/".join(str(t) for t in gc.get_threshold())
    return f"{platform.python_implementation()} {platform.python_version()} (gc {thresholds})"


def child(argv: Sequence[str] | None = None) -> int:
    """The child's command line: time the moons variants for PLAN_JSON, write them to OUT_JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.other_python")
    parser.add_argument("plan", type=json.loads, help="the Plan's fields as a JSON object")
    parser.add_argument("out", type=Path, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    say(f"  {python_name()}")
    moons = measure_moons_step(Plan(**args.plan), optional_module("micrograd.nn"))
    measured = {
        "version": platform.python_version(),
        "python": python_name(),
        "timings": {name: timing.seconds for name, timing in moons.timings.items()},
        "differences": moons.differences,
    }
    write_atomically(args.out, json.dumps(measured).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(child())
