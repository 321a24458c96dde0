"""autograd.jvp: forward mode gives the directional derivatives backward() and sympy give."""

from __future__ import annotations

import math
import re
import runpy
import sys
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import Tree, points, trees, usable_graph

from autograd import Value, grad, jvp
from nn import MLP, half_squared_error

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "forward_vs_reverse.py"


def test_matches_sympy_on_each_input_and_a_direction() -> None:
    a, b = sympy.symbols("a b")
    exact = sympy.tanh(a * b) + a / b + sympy.exp(a) * sympy.log(b)
    at = {a: 0.7, b: 1.9}
    va, vb = Value(0.7, "a"), Value(1.9, "b")
    f = (va * vb).tanh() + va / vb + va.exp() * vb.log()
    da, db = (float(exact.diff(s).subs(at)) for s in (a, b))
    assert jvp(f, {va: 1.0}) == pytest.approx(da, rel=1e-12)
    assert jvp(f, {vb: 1.0}) == pytest.approx(db, rel=1e-12)
    assert jvp(f, {va: 2.0, vb: -3.0}) == pytest.approx(2 * da - 3 * db, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3), st.integers(0, 20))
def test_one_sweep_per_parameter_gives_backwards_gradient(x: list[float], seed: int) -> None:
    model = MLP(3, [4, 2], activation="tanh", seed=seed)
    loss = half_squared_error(model(x), [0.5, -0.5])
    parameters = model.parameters()
    reverse = grad(loss, parameters)
    forward = [jvp(loss, {p: 1.0}) for p in parameters]
    assert forward == pytest.approx(reverse, rel=1e-12, abs=1e-15)


def test_x_times_x_counts_both_edges() -> None:
    x = Value(3.0, "x")
    assert jvp(x * x, {x: 1.0}) == 6.0


def test_leaves_left_out_or_unused_add_nothing() -> None:
    x, y, unused = Value(2.0, "x"), Value(5.0, "y"), Value(1.0, "u")
    assert jvp(x * y, {}) == 0.0
    assert jvp(x * y, {unused: 1.0}) == 0.0
    assert jvp(x, {x: 4.0}) == 4.0


def test_a_zero_tangent_does_not_meet_an_infinite_local_derivative() -> None:
    x, y = Value(0.0, "x"), Value(2.0, "y")
    f = x.sqrt() + y * y  # ∂√x/∂x is inf at 0, but x does not move
    assert jvp(f, {y: 1.0}) == 4.0
    assert math.isinf(jvp(f, {x: 1.0}))


def test_bad_tangents_are_named() -> None:
    x = Value(2.0, "x")
    y = x * x
    with pytest.raises(TypeError, match="output must be a Value"):
        jvp(2.0, {x: 1.0})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"tangents must be a dict \{Value: float\}, got list"):
        jvp(y, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="every key of tangents must be a Value, got str 'x'"):
        jvp(y, {"x": 1.0})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="tangents are for leaves, but .* was computed by '\\*'"):
        jvp(y, {y: 1.0})
    with pytest.raises(TypeError, match="the tangent of .* must be a real number, got '1'"):
        jvp(y, {x: "1"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="must be finite, got nan"):
        jvp(y, {x: math.nan})


def test_the_example_prints_the_ratio_and_the_same_gradient(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), "4"])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "MLP(4, [4, 4, 1]): the gradient of one loss by its 45 parameters"
    assert re.fullmatch(r"  forward / reverse = \d+x: 45 sweeps, each \d+\.\dx a reverse sweep",
                        lines[3])
    gap = float(lines[4].rsplit(" ", 1)[1])
    assert gap < 1e-12


@settings(max_examples=60)
@given(trees(), points)
def test_on_random_graphs_each_tangent_gives_backwards_partial(tree: Tree,
                                                               point: list[float]) -> None:
    xs, out = usable_graph(tree, point)
    for x, expected in zip(xs, grad(out, xs)):
        assert jvp(out, {x: 1.0}) == pytest.approx(expected, rel=1e-9, abs=1e-12)
