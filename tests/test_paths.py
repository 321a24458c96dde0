"""autograd.paths and count_paths: the chain rule as a sum over paths, checked by hand and sympy."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from test_engine import Tree, points, trees, usable_graph

from autograd import Path, Value, count_paths, grad, graph_stats, paths, topological_order
from viz.cli import main


def repeated(x: Value, n: int) -> Value:
    """y = x; n times: y = y*y + y. Each step triples the paths to x and adds 4 edges."""
    y = x
    for _ in range(n):
        y = y * y + y
    return y


def test_x_times_x_has_two_paths_each_with_local_derivative_x() -> None:
    x = Value(3.0, "x")
    y = x * x
    assert paths(y, x) == [Path((y, x), 3.0), Path((y, x), 3.0)]


def test_products_by_hand() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    out = c + a
    assert paths(out, a) == [Path((out, c, a), -3.0), Path((out, a), 1.0)]
    assert paths(out, b) == [Path((out, c, b), 2.0)]


def test_products_sum_to_the_sympy_derivative() -> None:
    s = sympy.symbols("x")
    exact = sympy.tanh(s * s) * sympy.exp(s) + s / (s + 1)
    x = Value(0.3, "x")
    f = (x * x).tanh() * x.exp() + x / (x + 1.0)
    found = paths(f, x)
    assert len(found) == count_paths(f, x) == 5
    assert math.fsum(p.product for p in found) == pytest.approx(
        float(exact.diff(s).subs(s, 0.3)), rel=1e-13
    )
    assert all(p.nodes[0] is f and p.nodes[-1] is x for p in found)


def test_y_times_y_plus_y_has_3_to_the_n_paths_and_4n_edges() -> None:
    x = Value(-0.5, "x")
    y = repeated(x, 5)
    found = paths(y, x)
    assert len(found) == 3**5
    assert math.fsum(p.product for p in found) == pytest.approx(grad(y, [x])[0], rel=1e-12)
    stats = graph_stats(y)
    assert (stats.nodes, stats.edges) == (2 * 5 + 1, 4 * 5)


def test_count_paths_is_exact_for_astronomically_many() -> None:
    x = Value(-0.5, "x")
    y = repeated(x, 40)
    assert count_paths(y, x) == 3**40 == 12_157_665_459_056_928_801
    assert graph_stats(y).edges == 160


def test_too_many_paths_names_the_count_and_count_paths() -> None:
    x = Value(-0.5, "x")
    with pytest.raises(ValueError, match=r"59,049 paths .* more than limit=1,000; count them "
                       r"with count_paths"):
        paths(repeated(x, 10), x)
    assert len(paths(repeated(x, 10), x, limit=60_000)) == 59_049


def test_an_inner_node_gets_the_paths_down_to_it() -> None:
    x, w = Value(2.0, "x"), Value(-1.5, "w")
    z = x * w
    out = z.tanh() + z * z
    found = paths(out, z)
    assert len(found) == 3
    # d out/d z with z's own inputs held fixed: what backward() leaves in z.grad
    assert math.fsum(p.product for p in found) == pytest.approx(grad(out, [z])[0], rel=1e-15)


def test_the_root_itself_is_one_path_of_product_1() -> None:
    x = Value(2.0, "x")
    y = x.exp()
    assert paths(y, y) == [Path((y,), 1.0)] and count_paths(y, y) == 1


def test_a_long_chain_needs_no_recursion() -> None:
    x = Value(1.0, "x")
    y = x
    for _ in range(30_000):
        y = y + 1.0
    (path,) = paths(y, x)
    assert len(path.nodes) == 30_001 and path.product == 1.0


def test_bad_input_is_named() -> None:
    x, other = Value(1.0, "x"), Value(2.0, "other")
    y = x * 2.0
    with pytest.raises(ValueError, match=r"paths: x 'other' \(data 2.0\) is not in root's graph"):
        paths(y, other)
    with pytest.raises(ValueError, match="count_paths: x .* is not in root's graph"):
        count_paths(y, other)
    with pytest.raises(TypeError, match="paths: x must be a Value, got str 'x'"):
        paths(y, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="count_paths: root must be a Value, got float"):
        count_paths(1.0, x)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit must be a whole number >= 0, got -1"):
        paths(y, x, limit=-1)


def test_cli_graph_paths_prints_paths_sum_and_edges(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["graph", "log(x1) + x1*x2 - exp(x2)", "x1=2", "x2=5", "--paths", "x1"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == "2 chain-rule paths from the result down to x1:"
    assert lines[1].split()[-2:] == ["product", "0.5"] and "log(x1) → x1" in lines[1]
    assert lines[2].split()[-2:] == ["product", "5"] and "x1*x2 → x1" in lines[2]
    assert lines[3] == "sum of the products: d result/d x1 = 5.5  (backward() gives 5.5)"
    assert lines[4].startswith("backward() visits each of the graph's 8 edges once")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x*y", "x=1", "y=2", "--paths", "z"], "--paths z: no input of that name; the inputs "
         "are x, y"),
        (["x*2", "x=1", "--paths", "2"], "--paths 2: no input of that name; the inputs are x"),
    ],
)
def test_cli_paths_to_an_unknown_name_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["graph", *argv]) == 2
    assert capsys.readouterr().err == f"chainrule: {message}\n"


def test_cli_too_many_paths_says_how_many(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("viz.cli.MAX_PATHS", 10)  # EXPR's own limits keep real counts small
    assert main(["graph", "x*x*x*x*x + x*x*x*x*x*x", "x=0.5", "--paths", "x"]) == 2
    assert capsys.readouterr().err == (
        "chainrule: --paths x: 11 paths, too many to print (the limit is 10); "
        "autograd.count_paths counts them\n"
    )


@settings(max_examples=60)
@given(trees(), points)
def test_on_random_graphs_the_paths_sum_to_backwards_gradient(tree: Tree,
                                                              point: list[float]) -> None:
    xs, out = usable_graph(tree, point)
    in_graph = set(topological_order(out))
    for x, expected in zip(xs, grad(out, xs)):
        if x not in in_graph:  # an input the expression does not use
            assert expected == 0.0
            continue
        found = paths(out, x, limit=100_000)
        assert len(found) == count_paths(out, x)
        assert math.fsum(p.product for p in found) == pytest.approx(expected, rel=1e-9, abs=1e-12)
