"""Jupyter display (svg_of, Value._repr_svg_) and examples/tour.ipynb, executed cell by cell."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbclient import NotebookClient

from autograd import Value
from nn import MLP
from viz.notebook import show_models_as_drawings, svg_of

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def neuron() -> Value:
    x, w = Value(2.0, "x"), Value(-3.0, "w")
    out = (x * w).tanh()
    out.backward()
    return out


@needs_dot
def test_a_value_displays_as_the_svg_of_its_graph() -> None:
    svg = neuron()._repr_svg_()
    assert svg is not None and "<svg" in svg and "tanh" in svg


@needs_dot
def test_an_mlp_draws_as_the_svg_of_its_network() -> None:
    svg = svg_of(MLP(3, [4, 2]))
    assert svg is not None and "<svg" in svg and "layer 3" in svg


def test_in_a_shell_an_mlp_is_registered_to_display_as_its_drawing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: dict[type, object] = {}
    svg_formatter = SimpleNamespace(for_type=registered.__setitem__)
    shell = SimpleNamespace(
        display_formatter=SimpleNamespace(formatters={"image/svg+xml": svg_formatter})
    )
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: shell))
    show_models_as_drawings()
    assert registered == {MLP: svg_of}


def test_outside_a_shell_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: None))
    show_models_as_drawings()  # no shell: must not fail


def test_without_dot_jupyter_shows_chainrules_own_layout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    value_svg, network_svg = svg_of(neuron()), svg_of(MLP(2, [1]))
    assert value_svg is not None and "chainrule's own layout" in value_svg and "tanh" in value_svg
    assert network_svg is not None and "<svg" in network_svg and "layer" in network_svg


def test_a_graph_too_large_to_draw_falls_back_to_the_plain_repr() -> None:
    root = Value(1.0, "x")
    for _ in range(20_001):
        root = root * 1.0
    assert svg_of(root) is None


def test_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(TypeError, match="svg_of draws a Value or an nn.MLP, got str"):
        svg_of("x")  # type: ignore[arg-type]


@pytest.fixture
def this_python_kernel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A kernelspec running ipykernel in this very interpreter (the venv), whatever else exists."""
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "chainrule tests", "language": "python"}
    folder = tmp_path / "kernels" / "chainrule-tests"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return "chainrule-tests"


@needs_dot
def test_the_tour_notebook_runs_clean_and_shows_its_drawings(this_python_kernel: str) -> None:
    notebook = nbformat.read(TOUR, as_version=4)
    client = NotebookClient(notebook, kernel_name=this_python_kernel, timeout=120,
                            resources={"metadata": {"path": str(TOUR.parent)}})
    client.execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    drawings = [out for out in outputs if "image/svg+xml" in out.get("data", {})]
    assert len(drawings) >= 5
    model_cell = next(c for c in notebook.cells if c.cell_type == "code" and c.source == "model")
    assert "image/svg+xml" in model_cell.outputs[0]["data"]  # an MLP displays as its drawing
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "#1 o ← tanh" in printed and "predictions:" in printed
    assert not re.search(r"(?<![\w.])-0(\.0*)?(?![\d.])", printed), printed  # no "-0.0"


ALGORITHM = TOUR.parent / "algorithm.ipynb"


def test_the_algorithm_notebook_runs_clean_and_shows_each_view(
    this_python_kernel: str, tmp_path: Path
) -> None:
    notebook = nbformat.read(ALGORITHM, as_version=4)
    client = NotebookClient(notebook, kernel_name=this_python_kernel, timeout=120,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "Forward primal trace" in printed and "v̄₀ = -146.413" in printed
    assert "sum 5.5   backward(): 5.5" in printed
    assert "12,157,665,459,056,928,801 paths; backward() visits 160 edges" in printed
    assert "21 forward sweeps; largest difference from one backward():" in printed
    assert (tmp_path / "seed_stepper.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
