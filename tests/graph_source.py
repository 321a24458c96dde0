"""Read a graphviz drawing back from its DOT source, for the drawing tests (not a test file)."""

from __future__ import annotations

import html
import re

import graphviz

NODE = re.compile(r'\s+(\w+) \[label=(<.*>|"[^"]*")(?: [^<>]*)?\]$')
EDGE = re.compile(r"\s+(\w+) -> (\w+)(?: \[(.*)\])?$")
LABEL = re.compile(r'label=(<.*>|"[^"]*")(?: [^<>]*)?$')


def nodes(graph: graphviz.Digraph) -> dict[str, str]:
    """Each node's id and its label as written in the source (HTML <...> or "quoted")."""
    return {m[1]: m[2] for line in graph.body if (m := NODE.match(line.rstrip("\n")))}


def edges(graph: graphviz.Digraph) -> list[tuple[str, str, str]]:
    """Each edge as (tail id, head id, its attributes as written)."""
    matches = [EDGE.match(line.rstrip("\n")) for line in graph.body]
    return [(m[1], m[2], m[3] or "") for m in matches if m]


def edge_text(attributes: str) -> str:
    """The words of an edge's label, or "" when it has none."""
    match = LABEL.search(attributes)
    return text(match[1]) if match else ""


def text(label: str) -> str:
    """A label's words without markup (the label comes wrapped in <...> or in quotes)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", label[1:-1])).split())
