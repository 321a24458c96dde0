"""Where the boxes and arrows of a left-to-right graph go, for the step-through page.

Graphviz's `dot` places them when it is installed (the same engine as the other drawings); when it
is not, a simple layout puts each node in a column after its inputs, so the page works anyway.
Coordinates are SVG user units, origin at the top left; shapes are given by their centres.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

import graphviz

FONT_SIZE = 14.0
CHAR_WIDTH = 0.62 * FONT_SIZE  # a generous average width of one character of the page's font
POINTS_PER_INCH = 72.0
COLUMN_GAP = 44.0
ROW_GAP = 22.0
PADDING = 12.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """A node to place: its id, its size, and whether it is drawn as an ellipse (else a box)."""

    id: str
    width: float
    height: float
    ellipse: bool = False


@dataclass(frozen=True)
class Arrow:
    """An edge from `tail` to `head`, with the text written beside it."""

    id: str
    tail: str
    head: str
    label: str = ""


@dataclass(frozen=True)
class Route:
    """An edge as drawn: an SVG path, and the centre of its label."""

    path: str
    label_at: Point


@dataclass(frozen=True)
class Layout:
    """The size of the picture, each shape's centre and each arrow's route, by id."""

    width: float
    height: float
    centres: dict[str, Point]
    routes: dict[str, Route]
    engine: str


def lay_out(shapes: Sequence[Shape], arrows: Sequence[Arrow]) -> Layout:
    """Place `shapes` and route `arrows` left to right: with Graphviz if it runs, else simply."""
    try:
        return dot_layout(shapes, arrows)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError):
        return simple_layout(shapes, arrows)


def dot_layout(shapes: Sequence[Shape], arrows: Sequence[Arrow]) -> Layout:
    """Ask `dot` for the positions (its json0 output) and flip them into SVG coordinates."""
    graph = graphviz.Digraph(
        graph_attr={"rankdir": "LR", "nodesep": "0.3", "ranksep": "0.4", "pad": "0.15"},
        node_attr={"fixedsize": "true", "label": ""},
        edge_attr={"fontsize": f"{FONT_SIZE:g}"},
    )
    for shape in shapes:
        graph.node(
            shape.id,
            shape="ellipse" if shape.ellipse else "box",
            width=f"{shape.width / POINTS_PER_INCH:.4f}",
            height=f"{shape.height / POINTS_PER_INCH:.4f}",
        )
    for arrow in arrows:
        graph.edge(arrow.tail, arrow.head, id=arrow.id, label=arrow.label)
    answer: dict[str, Any] = json.loads(graph.pipe(format="json0", encoding="utf-8"))
    left, bottom, right, top = (float(n) for n in answer["bb"].split(","))

    def point(text: str) -> Point:
        x, y = (float(n) for n in text.split(","))
        return x - left, top - y

    centres = {obj["name"]: point(obj["pos"]) for obj in answer.get("objects", [])}
    routes = {edge["id"]: _route(edge, point) for edge in answer.get("edges", [])}
    return Layout(right - left, top - bottom, centres, routes, "graphviz")


def _route(edge: dict[str, Any], point: Callable[[str], Point]) -> Route:
    """One edge of dot's answer as a Route; an unlabelled edge's label spot is its middle."""
    tip = None
    curve: list[Point] = []
    for token in edge["pos"].split():
        if token.startswith("e,"):
            tip = point(token[2:])
        elif not token.startswith("s,"):
            curve.append(point(token))
    label_at = point(edge["lp"]) if "lp" in edge else curve[len(curve) // 2]
    return Route(_spline_path(curve, tip), label_at)


def _spline_path(curve: list[Point], tip: Point | None) -> str:
    """Graphviz's cubic Bézier points (and the arrow tip, if any) as an SVG path."""
    path = f"M{_xy(curve[0])}"
    for i in range(1, len(curve) - 2, 3):
        path += f" C{_xy(curve[i])} {_xy(curve[i + 1])} {_xy(curve[i + 2])}"
    if tip is not None:
        path += f" L{_xy(tip)}"
    return path


def _xy(point: Point) -> str:
    """A point as SVG path text, to a tenth of a unit."""
    return f"{point[0]:.1f},{point[1]:.1f}"


def simple_layout(shapes: Sequence[Shape], arrows: Sequence[Arrow]) -> Layout:
    """A layout without Graphviz: a column per step from the inputs, rows ordered to cut crossings.

    Each node goes one column right of its furthest input; a node with no inputs sits just left
    of its first user. Rows follow the average row of a node's neighbours, swept both ways once.
    """
    by_id = {shape.id: shape for shape in shapes}
    inputs: dict[str, list[str]] = {shape.id: [] for shape in shapes}
    users: dict[str, list[str]] = {shape.id: [] for shape in shapes}
    for arrow in arrows:
        inputs[arrow.head].append(arrow.tail)
        users[arrow.tail].append(arrow.head)
    column = _columns(shapes, inputs, users)
    columns: list[list[str]] = [[] for _ in range(max(column.values(), default=0) + 1)]
    for shape in shapes:
        columns[column[shape.id]].append(shape.id)
    rank = {node: row for ids in columns for row, node in enumerate(ids)}
    for ids in columns:
        _sort_by_neighbours(ids, inputs, rank)
    for ids in reversed(columns):
        _sort_by_neighbours(ids, users, rank)

    label_room = _label_widths(arrows, column, len(columns))
    heights = [sum(by_id[i].height for i in ids) + ROW_GAP * (len(ids) - 1) for ids in columns]
    total_height = max(heights, default=0.0) + 2 * PADDING
    centres: dict[str, Point] = {}
    x = PADDING
    for ids, column_height, room in zip(columns, heights, label_room):
        x += room
        width = max((by_id[i].width for i in ids), default=0.0)
        y = (total_height - column_height) / 2
        for node in ids:
            centres[node] = (x + width / 2, y + by_id[node].height / 2)
            y += by_id[node].height + ROW_GAP
        x += width
    routes = {arrow.id: _curve(arrow, centres, by_id) for arrow in arrows}
    return Layout(x + PADDING, total_height, centres, routes, "simple")


def _columns(
    shapes: Sequence[Shape], inputs: dict[str, list[str]], users: dict[str, list[str]]
) -> dict[str, int]:
    """Column of each node: 1 + the furthest input's; nodes without inputs just before a user."""
    column: dict[str, int] = {}
    for shape in _inputs_first(shapes, inputs, users):
        column[shape.id] = 1 + max((column[i] for i in inputs[shape.id]), default=-1)
    for shape in shapes:
        if not inputs[shape.id] and users[shape.id]:
            column[shape.id] = max(0, min(column[u] for u in users[shape.id]) - 1)
    return column


def _inputs_first(
    shapes: Sequence[Shape], inputs: dict[str, list[str]], users: dict[str, list[str]]
) -> list[Shape]:
    """The shapes ordered so that every node comes after all of its inputs (Kahn's algorithm)."""
    by_id = {shape.id: shape for shape in shapes}
    waiting = {node: len(tails) for node, tails in inputs.items()}
    ready = [shape.id for shape in shapes if not inputs[shape.id]]
    order: list[Shape] = []
    while ready:
        node = ready.pop()
        order.append(by_id[node])
        for user in users[node]:
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    if len(order) != len(shapes):
        raise ValueError("simple_layout: the graph has a cycle; only acyclic graphs can be drawn")
    return order


def _sort_by_neighbours(
    ids: list[str], neighbours: dict[str, list[str]], rank: dict[str, int]
) -> None:
    """Reorder one column by the mean row of each node's neighbours (one without keeps its row)."""

    def key(node: str) -> float:
        around = neighbours[node]
        return fmean(rank[n] for n in around) if around else rank[node]

    ids.sort(key=key)
    for row, node in enumerate(ids):
        rank[node] = row


def _label_widths(arrows: Sequence[Arrow], column: dict[str, int], count: int) -> list[float]:
    """The gap before each column: room for the widest label on an arrow entering it."""
    room = [COLUMN_GAP] * count
    for arrow in arrows:
        needed = COLUMN_GAP + CHAR_WIDTH * len(arrow.label)
        room[column[arrow.head]] = max(room[column[arrow.head]], needed)
    room[0] = 0.0
    return room


def _curve(arrow: Arrow, centres: dict[str, Point], by_id: dict[str, Shape]) -> Route:
    """An S-shaped cubic from the tail's right side to the head's left side, label at its middle."""
    (tx, ty), (hx, hy) = centres[arrow.tail], centres[arrow.head]
    start = (tx + by_id[arrow.tail].width / 2, ty)
    end = (hx - by_id[arrow.head].width / 2, hy)
    bend = (end[0] - start[0]) / 2
    first, second = (start[0] + bend, start[1]), (end[0] - bend, end[1])
    path = f"M{_xy(start)} C{_xy(first)} {_xy(second)} {_xy(end)}"
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - FONT_SIZE * 0.6)
    return Route(path, middle)
