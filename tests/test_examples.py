"""examples/: each script does what its docstring and the README say, run from a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nn import load

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, folder: Path, *args: str) -> str:
    """Run examples/`name` with `folder` as the working directory; return what it printed."""
    root = str(EXAMPLES.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get(
        "PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=300, check=True)
    return result.stdout


def test_neuron_stepper_writes_its_page_into_out(tmp_path: Path) -> None:
    printed = run_example("neuron_stepper.py", tmp_path)
    page = tmp_path / "out" / "neuron_stepper.html"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"wrote {Path('out') / 'neuron_stepper.html'}" in printed
    assert "do/dw1 = 1.0000" in printed


def test_train_moons_saves_the_model_it_trained(tmp_path: Path) -> None:
    printed = run_example("train_moons.py", tmp_path)
    model = load(tmp_path / "out" / "moons.json")
    assert model.nouts == [16, 16, 1]
    assert "accuracy 100/100" in printed and "saved out/moons.json" in printed
