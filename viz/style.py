"""The look shared by the drawings: a colour per kind of node, fonts, and the legend caption."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
MUTED_COLOR = "#616161"


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


def caption(
    swatches: Sequence[tuple[str, str]], lines: Sequence[str], bold_first: bool = False
) -> str:
    """An HTML caption: a column of coloured swatches (fill, meaning) beside the lines of text.

    With `bold_first` the first line is a title, written large above the key.
    """
    if bold_first:
        key = caption(swatches, lines[1:])[1:-1].replace("<TABLE ", '<TABLE ALIGN="LEFT" ', 1)
        return (f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="4"><TR><TD ALIGN="LEFT">'
                f'<FONT POINT-SIZE="18"><B>{escape(lines[0])}</B></FONT></TD></TR>'
                f'<TR><TD ALIGN="LEFT">{key}</TD></TR></TABLE>>')
    rows = ['<TR><TD ALIGN="LEFT"><B>key</B></TD><TD></TD></TR>']
    for row in range(max(len(swatches), len(lines))):
        swatch = line = "<TD></TD>"
        if row < len(swatches):
            fill, meaning = swatches[row]
            swatch = f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="{LINE_COLOR}">{escape(meaning)}</TD>'
        if row < len(lines):
            line = (
                f'<TD ALIGN="LEFT"><FONT POINT-SIZE="14" COLOR="{MUTED_COLOR}">'
                f"{escape(lines[row])}</FONT></TD>"
            )
        rows.append(f"<TR>{swatch}{line}</TR>")
    return f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="3">{"".join(rows)}</TABLE>>'


def kind_swatches(kinds: Iterable[Kind]) -> list[tuple[str, str]]:
    """The legend's swatches for the kinds of node a drawing contains, in a fixed order."""
    present = set(kinds)
    return [(FILL[kind], kind.value) for kind in Kind if kind in present]
