"""plain_svg: any graphviz drawing as an SVG without Graphviz, laid out by the stepper's layout.

Where `dot` is missing, render() still writes a real picture: this reads the drawing's DOT
source back (the nodes, their labels and fills, the edges and their labels, the caption), places
it with `viz.stepper_layout.simple_layout` (left to right, a column per step) and writes SVG.
Graphviz draws it better; this is so a classroom machine without it still gets an image.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from viz.format import drawable_text
from viz.stepper_layout import CHAR_WIDTH, FONT_SIZE, PADDING, Arrow, Shape, simple_layout
from viz.style import DERIVATIVE_COLOR, FONT, LINE_COLOR

LINE_HEIGHT = 1.35 * FONT_SIZE
BOX_PADDING = 10.0
# Longest line of text the picture writes (a longer one ends in "…").
MAX_LINE = 160
# One DOT token: a quoted string, an HTML string (its <...> nesting is matched by _tokens), an
# id or number, an edge operator, or punctuation.
TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(<)|(->|--)|([\[\]{}=;,])|([^\s\[\]{}=;,"<>]+))',
                   re.DOTALL)
LINE_BREAKS = re.compile(r"<BR\s*/?>|</TR>", re.IGNORECASE)
CELL_ENDS = re.compile(r"</TD>", re.IGNORECASE)
TAGS = re.compile(r"<[^>]*>")
FILLS = re.compile(r'BGCOLOR="([^"]+)"', re.IGNORECASE)


@dataclass
class Drawing:
    """What the SVG needs from a DOT source: nodes (id → attributes), edges, the caption."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    caption: str = ""


def plain_svg(source: str) -> bytes:
    """The DOT `source` drawn as SVG by chainrule's own simple layout, as UTF-8 bytes."""
    drawing = read_dot(source)
    boxes = {name: _lines(attributes.get("label", name), one_cell_per_line=True)
             for name, attributes in drawing.nodes.items()}
    shapes = [_shape(name, drawing.nodes[name], lines) for name, lines in boxes.items()]
    visible = [edge for edge in drawing.edges if "invis" not in edge[2].get("style", "")]
    arrows = [Arrow(f"e{i}", tail, head, _edge_label(attributes))
              for i, (tail, head, attributes) in enumerate(visible)]
    layout = simple_layout(shapes, arrows)
    caption = _lines(drawing.caption, one_cell_per_line=False)
    width = max(layout.width, 2 * PADDING + CHAR_WIDTH * max(map(len, caption), default=0))
    height = layout.height + LINE_HEIGHT * len(caption) + (PADDING if caption else 0.0)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="{FONT}, Arial, sans-serif" '
        f'font-size="{FONT_SIZE:g}">',
        "<!-- drawn by chainrule's own layout: Graphviz's dot draws this better -->",
        '<rect width="100%" height="100%" fill="white"/>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{LINE_COLOR}"/></marker></defs>',
    ]
    for arrow, (_, _, attributes) in zip(arrows, visible):
        route = layout.routes[arrow.id]
        color = _color(attributes.get("color"), LINE_COLOR)
        width = _pen_width(attributes.get("penwidth"))
        parts.append(f'<path d="{route.path}" fill="none" stroke="{color}" '
                     f'stroke-width="{width:g}" marker-end="url(#arrow)"/>')
        if arrow.label:
            label_color = _color(attributes.get("fontcolor"), DERIVATIVE_COLOR)
            parts.append(_text_block(arrow.label.split("\n"), route.label_at, label_color))
    parts += [_node(shape, drawing.nodes[shape.id], boxes[shape.id], layout.centres[shape.id])
              for shape in shapes]
    top = layout.height + PADDING / 2
    for row, line in enumerate(caption):
        parts.append(f'<text x="{PADDING:g}" y="{top + LINE_HEIGHT * (row + 0.75):.1f}" '
                     f'fill="#616161">{html.escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts).encode("utf-8")


def read_dot(source: str) -> Drawing:
    """The nodes, edges and caption of DOT `source` as the graphviz package writes it.

    Subgraphs are read through (their nodes and edges belong to the drawing); default
    `node [...]` and `edge [...]` attributes are not needed for the picture and are skipped.
    """
    drawing = Drawing()
    statement: list[Token] = []
    inside = False
    for token in _tokens(source):
        if token.kind == "mark" and token.text in ("{", "}", ";", "\n"):
            if inside:
                _read_statement(drawing, statement)
            inside = inside or token.text == "{"
            statement = []
        else:
            statement.append(token)
    return drawing


def _read_statement(drawing: Drawing, statement: list[Token]) -> None:
    """One statement: a node, a chain of edges, or the graph's own attributes."""
    marks = [token.text if token.kind == "mark" else "" for token in statement]
    if not statement or statement[0].text == "subgraph" or "=" in marks[:2]:
        return
    head, attributes = statement, {}
    if "[" in marks:
        start = marks.index("[")
        head, attributes = statement[:start], _attributes(statement[start + 1 :])
    names = [token.text for token in head if token.kind == "id"]
    if [token.text for token in head] in (["graph"], ["node"], ["edge"]):
        if head[0].text == "graph":
            drawing.caption = attributes.get("label", drawing.caption)
        return
    for name in names:
        drawing.nodes.setdefault(name, {})
    if len(names) == 1:
        drawing.nodes[names[0]].update(attributes)
    drawing.edges += [(tail, head_name, attributes) for tail, head_name in zip(names, names[1:])]


def _attributes(tokens: list[Token]) -> dict[str, str]:
    """`key = value` pairs from between [ and ] (commas and semicolons between them allowed)."""
    words = [token for token in tokens if token.text not in (",", ";", "]") or token.kind == "id"]
    return {
        words[i].text: words[i + 2].text
        for i in range(0, len(words) - 2)
        if words[i + 1].kind == "mark" and words[i + 1].text == "=" and words[i].kind == "id"
    }


@dataclass(frozen=True)
class Token:
    """A DOT token: an id (a name, number, quoted or HTML string, unquoted) or a mark."""

    kind: str
    text: str


def _tokens(source: str) -> Iterator[Token]:
    """DOT tokens; a newline outside strings is a mark too (one statement per line)."""
    for line in _logical_lines(source):
        position = 0
        while position < len(line):
            match = TOKEN.match(line, position)
            if match is None or match.end() == position:
                break
            quoted, html_start, operator, punctuation, word = match.groups()
            if html_start:
                end = _html_end(line, match.start(2))
                yield Token("id", line[match.start(2) : end])
                position = end
                continue
            position = match.end()
            if quoted is not None:
                yield Token("id", quoted[1:-1].replace('\\"', '"').replace("\\\\", "\\"))
            elif word is not None:
                yield Token("id", word)
            else:
                yield Token("mark", operator or punctuation)
        yield Token("mark", "\n")


def _logical_lines(source: str) -> Iterator[str]:
    """The source split at newlines that are outside quoted and HTML strings."""
    depth, quoted, start = 0, False, 0
    for index, character in enumerate(source):
        if quoted:
            if character == '"' and source[index - 1] != "\\":
                quoted = False
        elif character == '"':
            quoted = True
        elif character == "<":
            depth += 1
        elif character == ">" and source[index - 1] != "-":
            depth -= 1
        elif character == "\n" and depth == 0:
            yield source[start:index]
            start = index + 1
    yield source[start:]


def _html_end(text: str, start: int) -> int:
    """The index just past the > that closes the HTML string opening at `start`."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"<": 1, ">": -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    return len(text)


def _lines(label: str, one_cell_per_line: bool) -> list[str]:
    """A label's text as lines: an HTML label's rows (and cells), or a plain label's \\n lines."""
    if label.startswith("<") and label.endswith(">"):
        body = label[1:-1]
        body = CELL_ENDS.sub("\n" if one_cell_per_line else " · ", body)
        text = html.unescape(TAGS.sub("", LINE_BREAKS.sub("\n", body)))
    else:
        text = label.replace("\\n", "\n").replace("\\l", "\n").replace("\\r", "\n")
    lines = (" ".join(line.split()).strip(" ·") for line in text.split("\n"))
    return [drawable_text(line, MAX_LINE) for line in lines if line]


def _edge_label(attributes: dict[str, str]) -> str:
    """An edge's label (or xlabel) as plain lines joined by newlines."""
    return "\n".join(_lines(attributes.get("label") or attributes.get("xlabel", ""), False))


def _shape(name: str, attributes: dict[str, str], lines: list[str]) -> Shape:
    """The size of a node's box (or ellipse) from its lines of text."""
    longest = max(map(len, lines), default=1)
    height = LINE_HEIGHT * max(len(lines), 1) + BOX_PADDING
    ellipse = attributes.get("shape") in ("ellipse", "oval", "circle")
    width = CHAR_WIDTH * longest + 2 * BOX_PADDING + (16 if ellipse else 0)
    return Shape(name, width, height, ellipse)


def _node(shape: Shape, attributes: dict[str, str], lines: list[str], centre: Any) -> str:
    """One node as SVG: its box or ellipse, filled as in the drawing, and its lines of text."""
    x, y = centre
    label = attributes.get("label", "")
    fills = FILLS.findall(label)
    fill = fills[0] if fills else attributes.get("fillcolor", "white")
    fill = _color(fill, "white")
    border = "none" if attributes.get("shape") in ("plaintext", "none") else LINE_COLOR
    if shape.ellipse:
        outline = (f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{shape.width / 2:.1f}" '
                   f'ry="{shape.height / 2:.1f}" fill="{fill}" stroke="{border}"/>')
    else:
        outline = (f'<rect x="{x - shape.width / 2:.1f}" y="{y - shape.height / 2:.1f}" '
                   f'width="{shape.width:.1f}" height="{shape.height:.1f}" rx="5" '
                   f'fill="{fill}" stroke="{border}"/>')
    return outline + _text_block(lines, centre, "#212121")


def _text_block(lines: list[str], centre: Any, color: str) -> str:
    """Lines of text centred on `centre`, one under another."""
    x, y = centre
    top = y - LINE_HEIGHT * (len(lines) - 1) / 2
    return "".join(
        f'<text x="{x:.1f}" y="{top + LINE_HEIGHT * row:.1f}" text-anchor="middle" '
        f'dominant-baseline="central" fill="{color}">{html.escape(line)}</text>'
        for row, line in enumerate(lines)
    )


def _pen_width(value: str | None) -> float:
    """An edge's penwidth as an SVG stroke width (Graphviz's default 1 is drawn as 1.3)."""
    try:
        width = float(value) if value else 1.3
    except ValueError:
        return 1.3
    return min(max(width, 0.3), 8.0) if math.isfinite(width) else 1.3


def _color(value: str | None, default: str) -> str:
    """A colour attribute if it is a plain #rrggbb or a name, else `default`."""
    if value and re.fullmatch(r"#[0-9a-fA-F]{6}|[a-zA-Z]+", value):
        return value
    return default
