"""plain_svg: a graphviz drawing read back from its DOT source and drawn as SVG without dot."""

from __future__ import annotations

from xml.etree import ElementTree

import graphviz

from nn.datasets import neuron_example, seed_example
from viz import draw_dot, draw_network
from viz.plain_svg import plain_svg, read_dot

SVG = "{http://www.w3.org/2000/svg}"


def test_reads_nodes_edges_and_labels_as_the_graphviz_package_writes_them() -> None:
    graph = graphviz.Digraph(graph_attr={"label": "the caption"})
    graph.node("a", 'say "hi" -> {x}; [y]')
    graph.node("b b", "<<B>bold</B><BR/>two &amp; lines>")
    graph.edge("a", "b b", label="∂ 2")
    graph.edge("b b", "c", style="invis")
    with graph.subgraph(name="inner") as inner:
        inner.attr(rank="same")
        inner.node("d", "deep")
    drawing = read_dot(graph.source)
    assert drawing.nodes["a"]["label"] == 'say "hi" -> {x}; [y]'
    assert drawing.nodes["b b"]["label"] == "<<B>bold</B><BR/>two &amp; lines>"
    assert drawing.nodes["d"]["label"] == "deep" and "c" in drawing.nodes
    assert [(t, h, a.get("label"), a.get("style")) for t, h, a in drawing.edges] == [
        ("a", "b b", "∂ 2", None), ("b b", "c", None, "invis")
    ]
    assert drawing.caption == "the caption"


def test_draws_every_node_and_visible_edge_with_its_text() -> None:
    root = neuron_example()
    root.backward()
    svg = ElementTree.fromstring(plain_svg(draw_dot(root).source))
    words = [t.text for t in svg.iter(f"{SVG}text")]
    for word in ("#1 o", "#2 n", "#5 x1", "tanh", "data 0.8814", "grad -1.5", "∂ -3"):
        assert word in words
    assert len(list(svg.iter(f"{SVG}path"))) == 14 + 1  # 14 edges and the arrow head


def test_draws_the_network_figure_without_its_invisible_column_edges() -> None:
    model, x, y = seed_example()
    graph = draw_network(model, x, y)
    visible = [e for e in read_dot(graph.source).edges if e[2].get("style") != "invis"]
    svg = ElementTree.fromstring(plain_svg(graph.source))
    assert len(list(svg.iter(f"{SVG}path"))) == len(visible) + 1
    assert any("C = " in (t.text or "") for t in svg.iter(f"{SVG}text"))


def test_edges_keep_their_colour_and_thickness() -> None:
    graph = graphviz.Digraph()
    graph.edge("a", "b", color="#1565c0", penwidth="2.75")
    graph.edge("b", "c", penwidth="nan")
    paths = list(ElementTree.fromstring(plain_svg(graph.source)).iter(f"{SVG}path"))
    thick, plain = paths[1:]  # after the arrow head's path
    assert thick.get("stroke") == "#1565c0" and thick.get("stroke-width") == "2.75"
    assert plain.get("stroke-width") == "1.3"
