"""draw_dot: records, op nodes, local derivatives (checked with sympy), step numbers, big graphs."""

from __future__ import annotations

import math
import random
import re
import shutil
import time

import graphviz
import pytest
import sympy
from graph_source import edge_text, edges, nodes, text
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, topological_order
from nn import MLP, half_squared_error
from viz import draw_dot
from viz.format import format_number
from viz.nodes import drawn_order

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def records(graph: graphviz.Digraph) -> dict[str, str]:
    """The Value records (ids v...) as plain text: '#2 x data 2 grad 3'."""
    return {name: text(label) for name, label in nodes(graph).items() if name.startswith("v")}


def step(record: str) -> int:
    return int(re.match(r"#(\d+)", record)[1])  # type: ignore[index]


def record_of(graph: graphviz.Digraph, label: str) -> str:
    """The id of the record showing the Value labelled `label`."""
    (name,) = [n for n, t in records(graph).items() if t.split()[1] == label]
    return name


def neuron() -> Value:
    """o = tanh(x·w + b) with every value labelled, after backward()."""
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(6.8813735870195432, "b")
    p = x * w
    p.label = "p"
    n = p + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def random_graph(seed: int) -> Value:
    """A seeded random expression over three inputs, with shared nodes and constants."""
    rng = random.Random(seed)
    pool = [Value(rng.uniform(0.5, 2.0), name) for name in ("x", "y", "z")]
    for _ in range(25):
        a, b = rng.choice(pool), rng.choice(pool)
        pool.append(rng.choice([a + b, a * b, a * 0.5, a.tanh(), a - b, a.sigmoid()]))
    root = pool[-1] + pool[-2] + pool[-7]
    root.backward()
    return root


def test_draws_one_record_per_value_with_its_data_and_grad() -> None:
    root = neuron()
    graph = draw_dot(root)
    assert len(records(graph)) == len(topological_order(root))
    for node in topological_order(root):
        record = records(graph)[record_of(graph, node.label)]
        assert f"data {format_number(node.data)}" in record
        assert f"grad {format_number(node.grad)}" in record


@pytest.mark.parametrize("seed", range(5))
def test_numbers_each_value_by_the_step_at_which_backward_visits_it(seed: int) -> None:
    root = random_graph(seed)
    graph = draw_dot(root)
    steps = {name: step(record) for name, record in records(graph).items()}
    assert sorted(steps.values()) == list(range(1, len(topological_order(root)) + 1))
    made_by = {tail: head for tail, head, _ in edges(graph) if tail.startswith("op")}
    for tail, op, _ in edges(graph):
        if tail.startswith("v"):
            assert steps[made_by[op]] < steps[tail]  # an output is visited before its inputs


def test_step_numbers_follow_the_reverse_of_topological_order() -> None:
    root = neuron()
    graph = draw_dot(root)
    for number, node in enumerate(reversed(topological_order(root)), start=1):
        assert records(graph)[record_of(graph, node.label)].startswith(f"#{number} ")


def test_labels_each_edge_with_the_local_derivative_of_its_op() -> None:
    root = neuron()
    graph = draw_dot(root)
    x, w, b, n = sympy.symbols("x w b n")
    point = {x: 2.0, w: -3.0, b: 6.8813735870195432}
    expected = {  # (input label, output label): the op's local derivative, by sympy
        ("x", "p"): sympy.diff(x * w, x).subs(point),
        ("w", "p"): sympy.diff(x * w, w).subs(point),
        ("b", "n"): sympy.diff(x * w + b, b).subs(point),
        ("n", "o"): sympy.diff(sympy.tanh(n), n).subs(n, (x * w + b).subs(point)),
    }
    made_by = {tail: head for tail, head, _ in edges(graph) if tail.startswith("op")}
    for (source, output), derivative in expected.items():
        (attributes,) = [
            a for tail, op, a in edges(graph)
            if tail == record_of(graph, source) and made_by[op] == record_of(graph, output)
        ]
        assert edge_text(attributes) == f"∂ {format_number(float(derivative))}"


def test_shows_each_op_by_its_symbol() -> None:
    w, a, b = Value(0.5, "w"), Value(2.0, "a"), Value(0.1, "b")
    root = (autograd.dot([w], [a], b).sigmoid() * a + a**2).tanh()
    drawn = nodes(draw_dot(root))
    symbols = {text(label) for name, label in drawn.items() if name.startswith("op")}
    assert symbols == {"Σwa+b", "σ", "×", "+", "**2", "tanh"}


def test_draws_a_fixed_exponent_inside_its_op_with_no_edge_carrying_a_false_zero() -> None:
    x = Value(2.0, "x")
    root = x**3 + 3 * x
    root.backward()
    graph = draw_dot(root)
    assert "**3" in {text(label) for name, label in nodes(graph).items() if name.startswith("op")}
    threes = [t for t in records(graph).values() if "data 3 " in t]
    assert len(records(graph)) == 5 and threes == ["#4 data 3 grad 2"]  # 3*x's 3, no exponent
    symbol = sympy.Symbol("x")
    truth = {
        sympy.diff(symbol**3, symbol).subs(symbol, 2),  # 12 on the edge x → **3
        sympy.diff(3 * symbol, symbol),  # 3 on the edge x → ×
        symbol.subs(symbol, 2),  # 2 on the edge 3 → ×
        1,  # each edge into +
    }
    shown = {edge_text(a) for tail, _, a in edges(graph) if tail.startswith("v")}
    assert shown == {f"∂ {format_number(float(d))}" for d in truth}


def test_a_variable_exponent_keeps_its_edge_and_its_true_derivative() -> None:
    x, c = Value(2.0, "x"), Value(3.0, "c")
    graph = draw_dot(x**c)
    labels = {edge_text(a) for tail, _, a in edges(graph) if tail.startswith("v")}
    assert labels == {f"∂ {format_number(12.0)}", f"∂ {format_number(8 * math.log(2))}"}


@pytest.mark.parametrize("rankdir", ["tb", "Lr", "bt", "rl"])
def test_accepts_rankdir_in_any_case(rankdir: str) -> None:
    assert draw_dot(neuron(), rankdir=rankdir).graph_attr["rankdir"] == rankdir.upper()


def test_draws_control_characters_surrogates_and_huge_labels_safely() -> None:
    root = Value(1.0, "a\x00\x1b\x85b\ud800" + "z" * 20_000) * 2.0
    source = draw_dot(root).source
    assert "a␀␛\\x85b\N{REPLACEMENT CHARACTER}" in source
    assert "z" * 39 not in source and "z…" in source
    source.encode("utf-8")


def test_tells_parameters_inputs_constants_intermediates_and_output_apart_with_a_key() -> None:
    x, w = Value(2.0, "x"), Value(-1.0, "w1")
    hidden = x * w
    hidden.label = "h"
    root = hidden * 3
    root.label = "out"
    graph = draw_dot(root)
    fills = {
        kind: re.search(r'BGCOLOR="(#\w+)"', nodes(graph)[record_of(graph, label)])[1]  # type: ignore[index]
        for kind, label in [("input", "x"), ("parameter", "w1"),
                            ("intermediate", "h"), ("output", "out")]
    }
    (constant,) = [n for n, t in records(graph).items() if t.split()[1] == "data"]
    fills["constant"] = re.search(r'BGCOLOR="(#\w+)"', nodes(graph)[constant])[1]  # type: ignore[index]
    assert len(set(fills.values())) == 5
    key = graph.graph_attr["label"]
    for kind, fill in fills.items():
        assert f'BGCOLOR="{fill}" BORDER="1" COLOR="#455a64">{kind}</TD>' in key


def test_show_grad_false_hides_every_gradient() -> None:
    graph = draw_dot(neuron(), show_grad=False)
    assert not any("grad" in record for record in records(graph).values())
    assert all("data" in record for record in records(graph).values())


@pytest.mark.parametrize("rankdir", ["TB", "LR", "BT", "RL"])
def test_lays_out_in_the_direction_asked(rankdir: str) -> None:
    assert draw_dot(neuron(), rankdir=rankdir).graph_attr["rankdir"] == rankdir


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"root": 3.0}, TypeError, "root must be a Value"),
        ({"rankdir": "XY"}, ValueError, "one of TB, LR, BT, RL (any case), got 'XY'"),
        ({"show_grad": "yes"}, TypeError, "show_grad"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be at least 1"),
        ({"max_nodes": 2.5}, TypeError, "max_nodes must be an int"),
    ],
)
def test_refuses_bad_arguments_naming_them(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    call = {"root": neuron(), **arguments}
    with pytest.raises(error, match=re.escape(message)):
        draw_dot(**call)  # type: ignore[arg-type]


def test_escapes_labels_that_look_like_markup() -> None:
    root = Value(1.0, "<b>&") * 2.0
    assert "&lt;b&gt;&amp;" in draw_dot(root).source


def test_writes_seed_labels_with_sub_and_superscripts() -> None:
    model = MLP(2, [1])
    graph = draw_dot(model([1.0, 2.0]))
    assert "w₁₂²" in " ".join(records(graph).values())


def one_example_loss() -> tuple[MLP, Value]:
    model = MLP(2, [16, 16, 1])
    loss = half_squared_error(model([0.5, -1.0]), 1.0)
    loss.backward()
    return model, loss


def test_past_max_nodes_folds_parameters_into_the_ops_that_use_them() -> None:
    model, loss = one_example_loss()
    assert len(topological_order(loss)) > 200
    graph = draw_dot(loss)
    drawn = records(graph)
    assert len(drawn) <= 200
    assert not any(" w" in t or " b" in t for t in drawn.values())
    counts = [re.search(r"\+(\d+) param", label) for label in nodes(graph).values()]
    folded = [int(m[1]) for m in counts if m]
    assert sum(folded) == len(model.parameters())
    assert "folded" in graph.graph_attr["label"]


def test_a_dense_drawing_leaves_out_the_edge_labels_and_says_so() -> None:
    _, loss = one_example_loss()
    graph = draw_dot(loss)
    assert not any(edge_text(attributes) for _, _, attributes in edges(graph))
    assert "too many to label" in graph.graph_attr["label"]


def test_far_past_max_nodes_draws_the_part_nearest_the_output() -> None:
    root = Value(1.0, "x")
    for _ in range(500):
        root = root.tanh() + root
    graph = draw_dot(root, max_nodes=50)
    drawn = records(graph)
    assert len(drawn) == 50
    assert any(t.startswith("#1 ") for t in drawn.values())
    assert any(text(label).startswith("⋯") for label in nodes(graph).values())
    assert "nearest the output" in graph.graph_attr["label"]


def test_refuses_a_100000_node_graph_in_under_a_second() -> None:
    root = Value(1.0, "x")
    for _ in range(50_000):
        root = root * 1.0
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"draw_dot\(v\) for an inner Value"):
        draw_dot(root)
    assert time.perf_counter() - start < 1.0


@needs_dot
def test_renders_with_graphviz() -> None:
    svg = draw_dot(neuron()).pipe(format="svg").decode()
    assert "<svg" in svg and "tanh" in svg


@needs_dot
def test_graphviz_renders_labels_with_control_characters_surrogates_and_20000_characters() -> None:
    root = Value(1.0, "a\x00\x07\ud800" + "z" * 20_000) * Value(2.0, "\x1b[31mred")
    assert b"<svg" in draw_dot(root).pipe(format="svg")


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 3.0), st.floats(-2.0, 2.0), st.sampled_from([2.0, 3.0, 0.5, -1.0]))
def test_every_edge_shows_the_true_partial_by_central_differences(
    a: float, b: float, exponent: float
) -> None:
    x, y = Value(a, "x"), Value(b, "y")
    root = ((x**exponent) * y + x / (y * y + 1.0) + x**y).tanh() + 2.0 ** y
    graph = draw_dot(root)
    order = drawn_order(root)
    by_step = {len(order) - i: node for i, node in enumerate(order)}
    made_by = {tail: head for tail, head, _ in edges(graph) if tail.startswith("op")}
    for tail, op, attributes in edges(graph):
        if not tail.startswith("v"):
            continue
        node, child = by_step[int(made_by[op][1:])], by_step[int(tail[1:])]
        shown = float(edge_text(attributes).split()[1])
        truths = [_central_difference(node, position)
                  for position, other in enumerate(node.inputs) if other is child]
        assert any(math.isclose(shown, truth, rel_tol=2e-3, abs_tol=1e-3) for truth in truths)


def _central_difference(node: Value, position: int) -> float:
    """∂node/∂(its input at position) by a central difference of the op's forward function."""
    forward = autograd.ops.OPS[node.op].forward
    values = [x.data for x in node.inputs]
    step = 1e-6 * max(1.0, abs(values[position]))
    up, down = list(values), list(values)
    up[position] += step
    down[position] -= step
    return (forward(*up) - forward(*down)) / (2 * step)


def chain_of_sums(terms: int) -> Value:
    """x1 + x2 + ... built one + at a time, as Python's sum() or a loop builds it."""
    total = Value(1.0, "x1")
    for i in range(2, terms + 1):
        total = total + Value(float(i), f"x{i}")
    total.backward()
    return total


def drawn_size(graph: graphviz.Digraph) -> tuple[float, float]:
    """The drawing's width and height in points, as Graphviz lays it out."""
    svg = graph.pipe(format="svg").decode()
    found = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert found is not None
    return float(found[1]), float(found[2])


@needs_dot
def test_a_long_chain_of_plus_is_a_ladder_not_a_staircase() -> None:
    width, _ = drawn_size(draw_dot(chain_of_sums(40)))
    assert width < 1000  # a staircase of 39 + nodes was 7,969 pt wide
    assert drawn_size(draw_dot(chain_of_sums(9)))[0] < drawn_size(draw_dot(chain_of_sums(8)))[0]


def test_short_chains_such_as_a_neuron_are_drawn_rank_by_rank() -> None:
    assert "constraint" not in draw_dot(neuron()).source
    assert "constraint" not in draw_dot(chain_of_sums(8)).source
    assert draw_dot(chain_of_sums(9)).source.count("constraint=false") == 6
