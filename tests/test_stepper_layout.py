"""viz.stepper_layout: both layouts place every shape, left to right along the arrows, without
overlaps; Graphviz's routes are read back correctly; without `dot` the simple layout is used."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz.stepper_layout import (
    Arrow,
    Layout,
    Shape,
    _route,
    dot_layout,
    lay_out,
    simple_layout,
)

NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def chain_with_side_inputs() -> tuple[list[Shape], list[Arrow]]:
    """a → op1 → c, b → op1, c → op2 → e, d → op2: a small expression graph."""
    shapes = [Shape("a", 80, 60), Shape("b", 120, 60), Shape("op1", 40, 30, ellipse=True),
              Shape("c", 90, 60), Shape("d", 60, 60), Shape("op2", 40, 30, ellipse=True),
              Shape("e", 100, 60)]
    arrows = [Arrow("1", "a", "op1", "∂ 2"), Arrow("2", "b", "op1", "∂ -3"), Arrow("3", "op1", "c"),
              Arrow("4", "c", "op2", "∂ 1"), Arrow("5", "d", "op2", "∂ 1"), Arrow("6", "op2", "e")]
    return shapes, arrows


@st.composite
def random_dags(draw: st.DrawFn) -> tuple[list[Shape], list[Arrow]]:
    """Up to 25 boxes; each arrow goes from an earlier box to a later one."""
    count = draw(st.integers(1, 25))
    shapes = [Shape(f"n{i}", draw(st.floats(30, 150)), draw(st.floats(20, 80)),
                    draw(st.booleans())) for i in range(count)]
    pairs = draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)),
                          max_size=40))
    arrows = [Arrow(f"e{k}", f"n{min(i, j)}", f"n{max(i, j)}", "∂ 1")
              for k, (i, j) in enumerate(pairs) if i != j]
    return shapes, arrows


def check_layout(layout: Layout, shapes: list[Shape], arrows: list[Arrow]) -> None:
    """Every shape inside the picture, none overlapping another, every arrow pointing right."""
    assert set(layout.centres) == {s.id for s in shapes}
    assert set(layout.routes) == {a.id for a in arrows}
    boxes = {}
    for shape in shapes:
        x, y = layout.centres[shape.id]
        box = (x - shape.width / 2, y - shape.height / 2, x + shape.width / 2, y + shape.height / 2)
        assert box[0] >= -1 and box[1] >= -1
        assert box[2] <= layout.width + 1 and box[3] <= layout.height + 1
        boxes[shape.id] = box
    ids = list(boxes)
    for i, first in enumerate(ids):
        for second in ids[i + 1 :]:
            a, b = boxes[first], boxes[second]
            wide = min(a[2], b[2]) - max(a[0], b[0])
            high = min(a[3], b[3]) - max(a[1], b[1])
            assert wide <= 1 or high <= 1, f"{first} and {second} overlap"
    for arrow in arrows:
        assert layout.centres[arrow.tail][0] < layout.centres[arrow.head][0]
        assert layout.routes[arrow.id].path.startswith("M")


@pytest.mark.parametrize("place", [simple_layout, pytest.param(dot_layout, marks=NEEDS_DOT)])
def test_small_graph_is_laid_out_left_to_right(
    place: Callable[[list[Shape], list[Arrow]], Layout],
) -> None:
    shapes, arrows = chain_with_side_inputs()
    check_layout(place(shapes, arrows), shapes, arrows)


@settings(max_examples=60)
@given(random_dags())
def test_simple_layout_of_random_graphs(graph: tuple[list[Shape], list[Arrow]]) -> None:
    check_layout(simple_layout(*graph), *graph)


@NEEDS_DOT
@settings(max_examples=15)
@given(random_dags())
def test_dot_layout_of_random_graphs(graph: tuple[list[Shape], list[Arrow]]) -> None:
    check_layout(dot_layout(*graph), *graph)


def test_simple_layout_puts_an_input_just_before_its_user() -> None:
    shapes, arrows = chain_with_side_inputs()
    layout = simple_layout(shapes, arrows)
    assert layout.centres["d"][0] > layout.centres["op1"][0]
    assert layout.centres["a"][0] == pytest.approx(layout.centres["b"][0], abs=30)


def test_simple_layout_refuses_a_cycle() -> None:
    shapes = [Shape("a", 10, 10), Shape("b", 10, 10)]
    with pytest.raises(ValueError, match="cycle"):
        simple_layout(shapes, [Arrow("1", "a", "b"), Arrow("2", "b", "a")])


def test_spline_path_reads_graphviz_points() -> None:
    def point(text: str) -> tuple[float, float]:
        x, y = (float(n) for n in text.split(","))
        return x, 100 - y

    route = _route({"pos": "e,50,50 0,0 10,10 20,20 30,30", "lp": "5,5"}, point)
    assert route.path == "M0.0,100.0 C10.0,90.0 20.0,80.0 30.0,70.0 L50.0,50.0"
    assert route.label_at == (5.0, 95.0)
    long = _route({"pos": "0,0 1,1 2,2 3,3 4,4 5,5 6,6"}, point)
    assert len(re.findall(r"C", long.path)) == 2


def test_an_unlabelled_edge_puts_its_label_spot_on_the_curve_not_at_the_origin() -> None:
    def point(text: str) -> tuple[float, float]:
        x, y = (float(n) for n in text.split(","))
        return x, 100 - y

    route = _route({"pos": "e,50,50 0,0 10,10 20,20 30,30"}, point)
    assert route.label_at == (20.0, 80.0)


def test_lay_out_falls_back_without_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    shapes, arrows = chain_with_side_inputs()
    assert lay_out(shapes, arrows).engine == "simple"


@NEEDS_DOT
def test_lay_out_uses_dot_when_present() -> None:
    shapes, arrows = chain_with_side_inputs()
    assert lay_out(shapes, arrows).engine == "graphviz"
