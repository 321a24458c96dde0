"""draw_network: the seed's figure, its numbers checked against the textbook nn.backprop."""


from __future__ import annotations

import re
import shutil

import pytest
from graph_source import edge_text, edges, nodes, text

from nn import MLP, backprop, half_squared_error
from nn.datasets import seed_example
from viz import draw_network
from viz.format import format_number, pretty_label
from viz.network import MAX_LAYER_WIDTH

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def neuron_text(graph_nodes: dict[str, str], l: int, j: int) -> str:
    return text(graph_nodes[f"n{l}_{j}"])


def weight_edges(
    model: MLP, graph_edges: list[tuple[str, str, str]]
) -> dict[tuple[int, int, int], str]:
    """(l, j, k) -> the attributes of the edge drawn for w_jk^l."""
    by_ends = {(tail, head): attributes for tail, head, attributes in graph_edges}
    return {
        (l, j, k): by_ends[(f"n{l - 1}_{k}", f"n{l}_{j}")]
        for l, width in enumerate(model.nouts, start=2)
        for j in range(1, width + 1)
        for k in range(1, [model.nin, *model.nouts][l - 2] + 1)
    }


def test_draws_every_neuron_of_every_layer_as_a_j_l() -> None:
    model = MLP(3, [4, 2])
    graph_nodes = nodes(draw_network(model))
    for l, width in enumerate([3, 4, 2], start=1):
        for j in range(1, width + 1):
            assert neuron_text(graph_nodes, l, j).startswith(pretty_label(f"a_{j}^{l}"))


def weight_lines(graph_nodes: dict[str, str], l: int, j: int) -> list[str]:
    """The lines of neuron j of layer l that give a weight w_jk^l, in the order drawn."""
    rows = re.findall(r"<TR>(.*?)</TR>", graph_nodes[f"n{l}_{j}"])
    lines = [text(f"<{row}>") for row in rows]
    return [line for line in lines if line.startswith("w")]


def test_draws_an_edge_per_weight_and_lists_w_jk_l_in_neuron_j_in_order_of_k() -> None:
    model = MLP(3, [4, 2])
    graph = draw_network(model)
    drawn = weight_edges(model, edges(graph))
    assert len(drawn) == 3 * 4 + 4 * 2
    assert not any(edge_text(attributes) for attributes in drawn.values())
    for l, width in enumerate(model.nouts, start=2):
        for j in range(1, width + 1):
            inputs = [model.nin, *model.nouts][l - 2]
            assert weight_lines(nodes(graph), l, j) == [
                f"{pretty_label(f'w_{j}{k}^{l}')} = {format_number(model.weight(l, j, k).data)}"
                for k in range(1, inputs + 1)
            ]


def test_after_a_pass_shows_z_and_a_of_the_textbook_forward_pass() -> None:
    model, x, _ = seed_example()
    W, B = backprop.weights_of(model)
    Z, A = backprop.forward(W, B, x)
    graph_nodes = nodes(draw_network(model, x))
    for l in Z:
        for j, (z, a) in enumerate(zip(Z[l], A[l]), start=1):
            shown = neuron_text(graph_nodes, l, j)
            assert f"{pretty_label(f'a_{j}^{l}')} = {format_number(a)}" in shown
            z_text = "0" if abs(z) < 1e-15 else format_number(z)
            assert f"{pretty_label(f'z_{j}^{l}')} = {z_text}" in shown
    for k, a in enumerate(x, start=1):
        assert neuron_text(graph_nodes, 1, k) == f"{pretty_label(f'a_{k}^1')} = {format_number(a)}"


def test_with_a_target_shows_delta_and_gradients_of_eqs_3_to_6() -> None:
    model, x, y = seed_example()
    W, B = backprop.weights_of(model)
    textbook = backprop.backward(W, B, x, y)
    graph = draw_network(model, x, y)
    graph_nodes = nodes(graph)
    for l, deltas in textbook.delta.items():
        for j, delta in enumerate(deltas, start=1):
            shown = neuron_text(graph_nodes, l, j)
            assert f"{pretty_label(f'δ_{j}^{l}')} = {format_number(delta)}" in shown
            bias, gradient = format_number(B[l][j - 1]), format_number(textbook.dB[l][j - 1])
            assert f"{pretty_label(f'b_{j}^{l}')} = {bias} ∂C {gradient}" in shown
    for l, rows in textbook.dW.items():
        for j, row in enumerate(rows, start=1):
            gradients = [line.split("∂C ")[1] for line in weight_lines(graph_nodes, l, j)]
            assert gradients == [format_number(g) for g in row]
    assert text(graph_nodes["cost"]).startswith(f"C = {format_number(textbook.cost)}")


def test_drawing_a_pass_leaves_every_grad_untouched() -> None:
    model, x, y = seed_example()
    draw_network(model, x, y)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_after_backward_shows_the_parameters_grads() -> None:
    model, x, y = seed_example()
    half_squared_error(model(x), y).backward()  # type: ignore[arg-type]
    graph = draw_network(model)
    for l, width in enumerate(model.nouts, start=2):
        for j in range(1, width + 1):
            gradients = [line.split("∂C ")[1] for line in weight_lines(nodes(graph), l, j)]
            assert gradients == [format_number(model.weight(l, j, k).grad)
                                 for k in range(1, len(gradients) + 1)]
    assert "last backward()" in graph.graph_attr["label"]


def test_a_weighted_input_that_is_rounding_noise_is_shown_as_zero() -> None:
    model, x, _ = seed_example()
    W, B = backprop.weights_of(model)
    Z, _ = backprop.forward(W, B, x)
    assert Z[2][0] != 0.0 and abs(Z[2][0]) < 1e-15  # 0.1 + 0.1 + (-0.3) + 0.1 in floats
    assert f"{pretty_label('z_1^2')} = 0 " in neuron_text(nodes(draw_network(model, x)), 2, 1) + " "


def test_a_title_is_written_above_the_key_and_a_linear_output_is_said() -> None:
    graph = draw_network(MLP(2, [16, 16, 1]), [0.5, -0.3], title="training point 3: x = (0.5, 3)")
    label = graph.graph_attr["label"]
    assert label.index("training point 3") < label.index("key")
    assert graph.graph_attr["labelloc"] == "t"
    assert "the output layer is linear" in label
    with pytest.raises(TypeError, match="title must be a str, got int"):
        draw_network(MLP(2, [1]), title=3)  # type: ignore[arg-type]


def test_a_wide_network_is_a_landscape_picture() -> None:
    graph = draw_network(MLP(2, [16, 16, 1]), [0.5, -0.3], title="a point")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot not installed")
    svg = graph.pipe(format="svg").decode()
    width, height = (float(n) for n in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"',
                                                 svg).groups())  # type: ignore[union-attr]
    assert 1.5 < width / height < 2.1


def test_colours_positive_and_negative_weights_differently() -> None:
    model, _, _ = seed_example()
    colours: dict[bool, set[str]] = {True: set(), False: set()}
    for (l, j, k), attributes in weight_edges(model, edges(draw_network(model))).items():
        colour = re.search(r'\bcolor="(#\w+)"', attributes)[1]  # type: ignore[index]
        colours[model.weight(l, j, k).data >= 0].add(colour)
    assert len(colours[True]) == len(colours[False]) == 1 and colours[True] != colours[False]


def test_a_wide_layer_shows_its_first_and_last_neurons_and_how_many_it_skips() -> None:
    graph_nodes = nodes(draw_network(MLP(30, [25, 1])))
    first_layer = [name for name in graph_nodes if name.startswith("n1_")]
    assert len(first_layer) == MAX_LAYER_WIDTH
    assert "n1_30" in graph_nodes and "n1_19" not in graph_nodes
    skipped = 30 - len([name for name in first_layer if name != "n1_more"])
    assert text(graph_nodes["n1_more"]) == f"⋮ {skipped} more"


def test_many_weights_are_drawn_without_labels_and_the_key_says_how_many() -> None:
    graph = draw_network(MLP(2, [16, 16, 1]))
    assert not any(edge_text(attributes) for _, _, attributes in edges(graph))
    assert f"{2 * 16 + 16 * 16 + 16} weights" in graph.graph_attr["label"]


def test_refuses_what_is_not_an_mlp_and_a_target_without_an_input() -> None:
    with pytest.raises(TypeError, match="draw_network: model must be an nn.MLP, got list"):
        draw_network([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a target y needs its input x"):
        draw_network(MLP(2, [1]), y=[1.0])


@needs_dot
def test_keeps_each_layer_in_order_top_to_bottom() -> None:
    model, x, y = seed_example()
    plain = draw_network(model, x, y).pipe(format="plain").decode()
    heights = {words[1]: float(words[3]) for line in plain.splitlines()
               if (words := line.split())[0] == "node"}
    for l, width in enumerate([3, 4, 2], start=1):
        column = [heights[f"n{l}_{j}"] for j in range(1, width + 1)]
        assert column == sorted(column, reverse=True)
