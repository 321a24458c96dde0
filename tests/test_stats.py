"""autograd.leaves and graph_stats, against counts made by hand."""

from __future__ import annotations

import pytest

from autograd import GraphStats, Value, graph_stats, leaves, topological_order
from nn import MLP


def test_a_leaf_alone_is_one_node_of_depth_0() -> None:
    x = Value(1.0, "x")
    assert graph_stats(x) == GraphStats(nodes=1, edges=0, leaves=1, depth=0)
    assert leaves(x) == [x]


def test_x_times_x_has_two_edges() -> None:
    x = Value(3.0, "x")
    assert graph_stats(x * x) == GraphStats(nodes=2, edges=2, leaves=1, depth=1)


def test_counts_by_hand() -> None:
    a, b = Value(2.0, "a"), Value(-1.0, "b")
    c = a * b  # depth 1
    d = (c + a).tanh()  # + at depth 2, tanh at 3
    e = d * 3.0 + c  # the constant 3 is a leaf; * at 4, + at 5
    assert graph_stats(e) == GraphStats(nodes=8, edges=9, leaves=3, depth=5)
    three = e.inputs[0].inputs[1]
    assert leaves(e) == [n for n in topological_order(e) if n in (a, b, three)]
    assert set(leaves(e)) == {a, b, three}


def test_an_mlp_neuron_is_one_dot_node() -> None:
    model = MLP(3, [2], activation="tanh", output_activation="tanh", seed=1)
    out = model([1.0, 2.0, 3.0])
    assert isinstance(out, list)
    stats = graph_stats(out[0])
    # leaves: 3 weights, 3 inputs, 1 bias; the dot node has 7 inputs, tanh one
    assert stats == GraphStats(nodes=9, edges=8, leaves=7, depth=2)


def test_a_million_node_chain() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(500_000):
        y = y * 1.0
    stats = graph_stats(y)
    assert stats == GraphStats(nodes=1_000_001, edges=1_000_000, leaves=500_001, depth=500_000)


def test_refuses_what_is_not_a_value() -> None:
    with pytest.raises(TypeError, match="graph_stats needs a Value, got float"):
        graph_stats(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="leaves needs a Value, got str"):
        leaves("x")  # type: ignore[arg-type]
