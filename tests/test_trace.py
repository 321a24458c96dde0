"""autograd.evaluation_trace: the textbook's tables, row by row, derived by hand.

The example is Baydin et al. (2018), tables 2 and 3, f(x1, x2) = ln(x1) + x1·x2 − sin(x2) at
(2, 5), with exp in place of sin (chainrule has no sin): the same shape, the same numbering.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from test_engine import Tree, points, trees, usable_graph

from autograd import AdjointRow, PrimalRow, Value, evaluation_trace, grad, topological_order
from nn import MLP, half_squared_error
from viz.cli import main


def textbook() -> tuple[Value, Value, Value]:
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    return x1.log() + x1 * x2 - x2.exp(), x1, x2


def test_primal_rows_are_the_textbooks() -> None:
    f, _, _ = textbook()
    e5 = math.exp(5.0)
    assert evaluation_trace(f).primal == [
        PrimalRow(-1, "x1", "", (), 2.0),
        PrimalRow(0, "x2", "", (), 5.0),
        PrimalRow(1, "", "log", (-1,), math.log(2.0)),
        PrimalRow(2, "", "*", (-1, 0), 10.0),
        PrimalRow(3, "", "exp", (0,), e5),
        PrimalRow(4, "", "+", (1, 2), math.log(2.0) + 10.0),
        PrimalRow(5, "", "-", (4, 3), math.log(2.0) + 10.0 - e5),
    ]


def test_adjoint_rows_follow_backward_with_hand_derived_numbers() -> None:
    f, _, _ = textbook()
    e5 = math.exp(5.0)
    # v̄5 = 1; v5 = v4 − v3; v4 = v1 + v2; v1 = ln v₋₁; v2 = v₋₁·v0; v3 = exp v0.
    assert evaluation_trace(f).adjoint == [
        AdjointRow(5, 4, 1.0, 1.0, 1.0, 1.0),
        AdjointRow(5, 3, 1.0, -1.0, -1.0, -1.0),
        AdjointRow(4, 1, 1.0, 1.0, 1.0, 1.0),
        AdjointRow(4, 2, 1.0, 1.0, 1.0, 1.0),
        AdjointRow(1, -1, 1.0, 0.5, 0.5, 0.5),  # ∂ln(x1)/∂x1 = 1/2
        AdjointRow(2, -1, 1.0, 5.0, 5.0, 5.5),  # ∂(x1·x2)/∂x1 = x2; v̄₋₁ = 1/2 + 5
        AdjointRow(2, 0, 1.0, 2.0, 2.0, 2.0),
        AdjointRow(3, 0, -1.0, e5, -e5, 2.0 - e5),  # v̄0 = x1 − exp(x2)
    ]


def test_the_adjoint_rows_come_in_backwards_visiting_order() -> None:
    model = MLP(2, [3, 1], seed=4)
    loss = half_squared_error(model([0.5, -1.0]), 0.25)
    trace = evaluation_trace(loss)
    number = {row.index: row for row in trace.primal}
    order = topological_order(loss)
    expected_edges = [(node, x) for node in reversed(order) for x in node.inputs]
    assert len(trace.adjoint) == len(expected_edges)
    for row, (node, x) in zip(trace.adjoint, expected_edges):
        assert number[row.node].value == node.data and number[row.input].value == x.data
    final = {row.input: row.running_sum for row in trace.adjoint}
    inputs = [row.index for row in trace.primal if not row.op]
    leaves = [n for n in order if not n.inputs]
    assert sorted(final[i] for i in inputs) == sorted(grad(loss, leaves))


def test_printed_tables_use_v_names() -> None:
    f, _, _ = textbook()
    text = str(evaluation_trace(f))
    lines = text.splitlines()
    assert lines[0] == "Forward primal trace"
    assert lines[1].split() == ["v₋₁", "=", "x1", "=", "2"]
    assert lines[4].split() == ["v₂", "=", "v₋₁", "×", "v₀", "=", "10"]
    assert lines[7].split() == ["v₅", "=", "v₄", "−", "v₃", "=", "-137.72"]
    assert "Reverse adjoint trace" in lines
    assert "v̄₀ += v̄₃ × ∂v₃/∂v₀ = -1 × 148.413 = -148.413 → v̄₀ = -146.413" in [
        " ".join(line.split()) for line in lines
    ]
    assert lines[-1].split() == ["∂v₅/∂x1", "=", "v̄₋₁", "=", "5.5,", "∂v₅/∂x2", "=", "v̄₀", "=",
                                 "-146.413"]


def test_a_leaf_alone_is_its_own_trace() -> None:
    x = Value(3.0, "x")
    trace = evaluation_trace(x)
    assert trace.primal == [PrimalRow(0, "x", "", (), 3.0)] and trace.adjoint == []
    assert str(trace).splitlines()[-1].strip() == "∂v₀/∂x = v̄₀ = 1"


def test_x_times_x_gives_two_adjoint_rows() -> None:
    x = Value(3.0, "x")
    adjoint = evaluation_trace(x * x).adjoint
    assert adjoint == [AdjointRow(1, 0, 1.0, 3.0, 3.0, 3.0), AdjointRow(1, 0, 1.0, 3.0, 3.0, 6.0)]


def test_no_grad_is_touched() -> None:
    f, x1, x2 = textbook()
    evaluation_trace(f)
    assert all(node.grad == 0.0 for node in topological_order(f))


def test_refuses_what_is_not_a_value() -> None:
    with pytest.raises(TypeError, match="evaluation_trace needs a Value, got int 3"):
        evaluation_trace(3)  # type: ignore[arg-type]


def test_cli_graph_trace_prints_the_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["graph", "log(x1) + x1*x2 - exp(x2)", "x1=2", "x2=5", "--trace"])
    out = capsys.readouterr().out
    f, _, _ = textbook()
    assert code == 0 and out == f"{evaluation_trace(f)}\n"


def test_the_readme_shows_this_trace() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    f, _, _ = textbook()
    assert f"--trace\n{evaluation_trace(f)}\n```" in readme


@settings(max_examples=60)
@given(trees(), points)
def test_on_random_graphs_the_last_running_sums_are_backwards_grads(tree: Tree,
                                                                    point: list[float]) -> None:
    xs, out = usable_graph(tree, point)
    trace = evaluation_trace(out)
    final = {row.input: row.running_sum for row in trace.adjoint}
    final[trace.primal[-1].index] = 1.0  # the root's own adjoint
    number = {row.label: row.index for row in trace.primal if not row.op}
    for x, expected in zip(xs, grad(out, xs)):
        if x.label in number:  # else the expression does not use x
            got = final[number[x.label]]  # the same sweep and sums, bit for bit (NaN too)
            assert got == expected or (math.isnan(got) and math.isnan(expected))
