"""print_graph / graph_text: the graph as indented text, each value once, no Graphviz needed."""

from __future__ import annotations

import re
import time

import pytest
import sympy

from autograd import Value, topological_order
from viz import graph_text, print_graph
from viz.format import format_number

DESCRIBED = re.compile(r"#(\d+) .*data (\S+)  grad (\S+)$")


def square_plus_double() -> tuple[Value, Value]:
    """y = x·x + 2·x at x = 3, after backward(): x is used three times."""
    x = Value(3.0, "x")
    y = x * x + 2 * x
    y.label = "y"
    y.backward()
    return x, y


def described(text: str) -> dict[int, tuple[str, str, str]]:
    """Step number -> (whole line, data, grad) for each line that writes a value out."""
    matches = [(line, DESCRIBED.search(line)) for line in text.splitlines()]
    return {int(m[1]): (line, m[2], m[3]) for line, m in matches if m}


def test_writes_every_value_once_and_refers_back_to_shared_ones() -> None:
    x, y = square_plus_double()
    text = graph_text(y)
    assert sorted(described(text)) == list(range(1, len(topological_order(y)) + 1))
    assert text.count("(written above)") == 2  # x is used three times


def test_shows_data_and_grad_of_each_value() -> None:
    x, y = square_plus_double()
    symbol = sympy.Symbol("x")
    dy_dx = sympy.diff(symbol * symbol + 2 * symbol, symbol).subs(symbol, 3)
    (line, data, grad), *_ = [v for v in described(graph_text(y)).values() if " x (input)" in v[0]]
    assert (data, grad) == (format_number(3.0), format_number(float(dy_dx)))


def test_starts_each_input_line_with_the_local_derivative() -> None:
    x, y = square_plus_double()
    lines = graph_text(y).splitlines()
    assert lines[0].startswith("#1 y ← +")
    derivatives = sorted(m[1] for line in lines if (m := re.search(r"─ ∂ (\S+)  #", line)))
    # y = x·x + 2·x: + gives 1 to each term; x·x gives x = 3 to each x; 2·x gives 3 to 2, 2 to x
    assert derivatives == ["1", "1", "2", "3", "3", "3"]


def test_indents_inputs_under_the_value_they_make() -> None:
    x, y = square_plus_double()
    lines = graph_text(y).splitlines()
    assert lines[1].startswith("├─ ") and lines[2].startswith("│  ├─ ")


def test_stops_at_max_nodes_and_says_how_many_it_left_out() -> None:
    root = Value(1.0, "x")
    for _ in range(100):
        root = root.tanh()
    text = graph_text(root, max_nodes=10)
    assert len(described(text)) == 10
    assert "… 91 more values not listed (max_nodes=10)" in text


def test_refuses_a_huge_graph_quickly() -> None:
    root = Value(1.0, "x")
    for _ in range(50_000):
        root = root * 1.0
    start = time.perf_counter()
    with pytest.raises(ValueError, match="graph_text"):
        graph_text(root)
    assert time.perf_counter() - start < 1.0


def test_print_graph_prints_graph_text_without_graphviz(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    x, y = square_plus_double()
    print_graph(y)
    assert capsys.readouterr().out == graph_text(y) + "\n"


def test_refuses_what_is_not_a_value() -> None:
    with pytest.raises(TypeError, match="graph_text: root must be a Value, got float"):
        graph_text(2.0)  # type: ignore[arg-type]


def test_writes_a_fixed_exponent_into_its_op_and_lists_no_constant_for_it() -> None:
    x = Value(2.0, "x")
    y = x**3
    y.backward()
    lines = graph_text(y).splitlines()
    assert lines[:2] == ["#1 ← **3  data 8  grad 1", "└─ ∂ 12  #2 x (input)  data 2  grad 12"]
    assert len(lines) == 3  # and the key


def test_writes_control_characters_and_lone_surrogates_so_a_terminal_can_print_them() -> None:
    root = Value(1.0, "\x1b[2J\ud800") * 2.0
    text = graph_text(root)
    text.encode("utf-8")
    assert "\x1b" not in text and "␛[2J\N{REPLACEMENT CHARACTER}" in text
