"""The look shared by the drawings: a colour per kind of node, fonts, and the legend caption."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from viz.nodes import Kind

FONT = "Helvetica"
FILL = {
    Kind.PARAMETER: "#ffe0b2",
    Kind.INPUT: "#bbdefb",
    Kind.CONSTANT: "#eeeeee",
    Kind.INTERMEDIATE: "#ffffff",
    Kind.OUTPUT: "#c8e6c9",
}
OP_FILL = "#fff59d"
HIDDEN_FILL = "#f5f5f5"
LINE_COLOR = "#455a64"
GRAD_COLOR = "#c62828"
DERIVATIVE_COLOR = "#6a1b9a"
MUTED_COLOR = "#757575"


def graph_attributes(rankdir: str, caption: str) -> dict[str, str]:
    """Graph-wide settings: direction, fonts, spacing, and the caption at the bottom."""
    return {
        "rankdir": rankdir,
        "fontname": FONT,
        "bgcolor": "white",
        "nodesep": "0.25",
        "ranksep": "0.35",
        "label": caption,
        "labelloc": "b",
        "labeljust": "l",
    }


def caption(swatches: Iterable[tuple[str, str]], lines: Iterable[str]) -> str:
    """An HTML caption: a row of coloured swatches (fill, meaning), then one line of text each."""
    cells = "".join(
        f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="{LINE_COLOR}">{escape(meaning)}</TD>'
        for fill, meaning in swatches
    )
    rows = [f'<TR><TD BORDER="0" ALIGN="LEFT"><B>key</B></TD>{cells}</TR>']
    span = cells.count("<TD") + 1
    rows += [
        f'<TR><TD COLSPAN="{span}" BORDER="0" ALIGN="LEFT">'
        f'<FONT POINT-SIZE="11" COLOR="{MUTED_COLOR}">{escape(line)}</FONT></TD></TR>'
        for line in lines
    ]
    table = '<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="3">' + "".join(rows) + "</TABLE>"
    return f"<{table}>"


def kind_swatches(kinds: Iterable[Kind]) -> list[tuple[str, str]]:
    """The legend's swatches for the kinds of node a drawing contains, in a fixed order."""
    present = set(kinds)
    return [(FILL[kind], kind.value) for kind in Kind if kind in present]
