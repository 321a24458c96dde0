"""viz.network_stepper: the page's numbers are the seed's algorithm's (nn.backprop.backward) and
the engine's, every step writes out the terms it adds, and the page steps to the end in a browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stepper import _open, browser  # noqa: F401  (browser is a fixture)

from autograd import grad, no_grad
from nn import MLP, backprop, half_squared_error
from nn.datasets import seed_example
from viz.cli import main
from viz.format import format_number
from viz.network_stepper import (
    DATA_MARK,
    MAX_SHOWN,
    network_stepper_data,
    network_stepper_html,
    write_network_stepper,
)


def embedded(page: str) -> dict[str, Any]:
    """The JSON the page carries, read back from its <script> element."""
    text = page.split('id="network-data">', 1)[1].split("</script>", 1)[0]
    data: dict[str, Any] = json.loads(text)
    return data


def by_layer(numbers: dict[str, Any]) -> dict[int, Any]:
    return {int(l): v for l, v in numbers.items()}


def assert_equals_backprop(final: dict[str, Any], model: MLP, x: list[float],
                           y: list[float], activation: str) -> None:
    W, B = backprop.weights_of(model)
    expected = backprop.backward(W, B, x, y, activation)
    assert by_layer(final["Z"]) == expected.Z
    assert by_layer(final["A"]) == expected.A
    assert by_layer(final["delta"]) == expected.delta
    assert by_layer(final["dW"]) == expected.dW
    assert by_layer(final["dB"]) == expected.dB
    assert final["cost"] == expected.cost


def test_the_seed_example_ends_with_backprops_numbers_exactly() -> None:
    model, x, y = seed_example()
    assert_equals_backprop(embedded(network_stepper_html(model, x, y))["final"], model, x, y,
                           "sigmoid")


@settings(max_examples=25)
@given(
    st.lists(st.integers(1, 5), min_size=2, max_size=4),
    st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
    st.integers(0, 100),
    st.data(),
)
def test_any_mlp_and_activation_ends_with_backprops_numbers(
    widths: list[int], activation: str, seed: int, data: st.DataObject
) -> None:
    model = MLP(widths[0], widths[1:], activation=activation, output_activation=activation,
                seed=seed)
    x = data.draw(st.lists(st.floats(-3, 3), min_size=widths[0], max_size=widths[0]))
    y = data.draw(st.lists(st.floats(-1, 1), min_size=widths[-1], max_size=widths[-1]))
    assert_equals_backprop(network_stepper_data(model, x, y)["final"], model, x, y, activation)


def test_mixed_activations_agree_with_the_engine() -> None:
    model = MLP(3, [4, 3, 2], activation="tanh", output_activation="linear", seed=7)
    x, y = [0.5, -1.0, 2.0], [1.0, -0.5]
    final = network_stepper_data(model, x, y)["final"]
    trace = model.trace(x)
    cost = half_squared_error(trace.A[4], y)
    zs = [z for l in (2, 3, 4) for z in trace.Z[l]]
    deltas = grad(cost, zs)
    shown = [d for l in (2, 3, 4) for d in by_layer(final["delta"])[l]]
    assert shown == pytest.approx(deltas, rel=1e-12, abs=1e-15)
    weights = [model.weight(3, j, k) for j in (1, 2, 3) for k in (1, 2, 3, 4)]
    assert [g for row in by_layer(final["dW"])[3] for g in row] == pytest.approx(
        grad(cost, weights), rel=1e-12, abs=1e-15
    )
    assert final["cost"] == pytest.approx(cost.data, rel=1e-15)


def test_the_steps_come_in_the_seeds_order_with_their_counts() -> None:
    model, x, y = seed_example()
    equations = [step["eq"] for step in network_stepper_data(model, x, y)["steps"]]
    expected = (["(1)"] * 4 + ["(2)"] + ["(1)"] * 2 + ["(2)"] + ["C"] + ["(3)"] * 2
                + ["(4)"] * 4 + (["(5)"] * 4 + ["(6)"]) * 2 + (["(5)"] * 3 + ["(6)"]) * 4)
    assert equations == expected


def test_each_step_writes_out_its_terms_with_their_numbers() -> None:
    model, x, y = seed_example()
    W, B = backprop.weights_of(model)
    expected = backprop.backward(W, B, x, y)
    steps = network_stepper_data(model, x, y)["steps"]
    first = steps[0]
    assert first["symbols"] == "z₁² = w₁₁² a₁¹ + w₁₂² a₂¹ + w₁₃² a₃¹ + b₁²"
    terms = " + ".join(f"{format_number(w)} × {format_number(a)}".replace("-1", "(-1)")
                       for w, a in zip(W[2][0], x))
    assert first["numbers"] == f"= {terms} + {format_number(B[2][0])}"
    assert expected.Z[2][0] != 0.0 and first["result"] == "z₁² = 0"  # rounding error, shown as 0
    assert set(first["reads"]) == {"n1_1", "n1_2", "n1_3", "w2_1_1", "w2_1_2", "w2_1_3"}
    assert first["writes"] == ["n2_1"]
    eq4 = next(s for s in steps if s["eq"] == "(4)")
    assert eq4["symbols"] == "δ₁² = (w₁₁³ δ₁³ + w₂₁³ δ₂³) σ′(z₁²)"
    assert eq4["result"] == f"δ₁² = {format_number(expected.delta[2][0])}"
    assert set(eq4["reads"]) == {"n3_1", "n3_2", "w3_1_1", "w3_2_1", "n2_1"}
    eq2 = next(s for s in steps if s["eq"] == "(2)")
    assert "Aˡ = σ(Zˡ)" in eq2["general"]
    eq5 = next(s for s in steps if s["eq"] == "(5)")
    assert eq5["symbols"] == "∂C/∂w₁₁³ = a₁² δ₁³" and eq5["writes"] == ["w3_1_1"]


def test_wide_layers_fold_to_a_few_neurons_and_a_marker() -> None:
    model = MLP(30, [40, 3], activation="tanh", seed=1)
    x, y = [0.1] * 30, [0.0, 1.0, 0.0]
    data = network_stepper_data(model, x, y)
    assert [m["text"] for m in data["markers"]] == [f"⋯ {30 - MAX_SHOWN + 1} more",
                                                    f"⋯ {40 - MAX_SHOWN + 1} more"]
    assert len(data["neurons"]) == MAX_SHOWN - 1 + MAX_SHOWN - 1 + 3
    assert len(data["steps"]) < 100  # not the 1,363 of every weight one by one
    assert any("likewise" in s["title"] for s in data["steps"])
    long_sum = data["steps"][0]["symbols"]
    assert "⋯ (26 more)" in long_sum and "w₁,₃₀² a₃₀¹" in long_sum
    trace = model.trace(x)  # the folded neurons are computed all the same
    engine_z = {l: [z.data for z in layer] for l, layer in trace.Z.items()}
    assert by_layer(data["final"]["Z"]) == engine_z


def test_the_page_is_self_contained_and_changes_no_grad(tmp_path: Path) -> None:
    model, x, y = seed_example()
    page = write_network_stepper(model, x, y, tmp_path / "seed.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and DATA_MARK not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert all(p.grad == 0.0 for p in model.parameters())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed.html"]


def test_bad_input_is_named(tmp_path: Path) -> None:
    model, x, y = seed_example()
    with pytest.raises(TypeError, match="model must be an nn.MLP, got str"):
        network_stepper_data("model", x, y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="x has 2 numbers but the network needs 3"):
        network_stepper_data(model, [1.0, 2.0], y)
    with pytest.raises(ValueError, match="y has 3 numbers but the network needs 2"):
        network_stepper_data(model, x, [1.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="y must hold numbers, got str 'a'"):
        network_stepper_data(model, x, ["a", 0.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="x must be a list of 3 numbers, got 'abc'"):
        network_stepper_data(model, "abc", y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="x must be finite, got nan"):
        network_stepper_data(model, [1.0, float("nan"), 0.0], y)
    with pytest.raises(TypeError, match="path must be a str or a Path, got int"):
        write_network_stepper(model, x, y, 3)  # type: ignore[arg-type]
    with no_grad(), pytest.raises(RuntimeError, match="call it outside no_grad"):
        network_stepper_data(model, x, y)
    assert list(tmp_path.iterdir()) == []


def test_cli_seed_writes_the_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "seed.html"
    assert main(["seed", "--stepper", str(target)]) == 0
    assert capsys.readouterr().out.endswith(f"wrote {target}\n")
    model, x, y = seed_example()
    assert_equals_backprop(embedded(target.read_text(encoding="utf-8"))["final"], model, x, y,
                           "sigmoid")


def test_cli_seed_refuses_a_bad_page_name(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    assert main(["seed", "--stepper", str(tmp_path / "seed.txt")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "must end in one of .html, .htm" in captured.err


# -- the page in a browser ------------------------------------------------------------------------


def neuron_lines(page: Any) -> dict[str, list[str]]:
    """Each drawn neuron's lines of text as the page shows them, by id."""
    rows = page.eval_on_selector_all(
        "g.neuron", "gs => gs.map(g => [g.dataset.id, [...g.querySelectorAll('text')]"
        ".map(t => t.textContent)])")
    return {i: lines for i, lines in rows}


@pytest.mark.parametrize("viewport", [(1280, 720), (1024, 768)])
def test_browser_steps_to_backprops_numbers(browser: Any, tmp_path: Path,  # noqa: F811
                                            viewport: tuple[int, int]) -> None:
    model, x, y = seed_example()
    W, B = backprop.weights_of(model)
    expected = backprop.backward(W, B, x, y)
    path = write_network_stepper(model, x, y, tmp_path / "seed.html")
    page, problems = _open(browser, path)
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    total = len(network_stepper_data(model, x, y)["steps"])
    assert page.text_content("#counter") == f"step 0 of {total}"
    assert neuron_lines(page)["n2_1"] == ["a₁²", "", "", ""]
    page.click("#next")
    assert neuron_lines(page)["n2_1"][1] == "z₁² = 0"  # 0.1 + 0.1 − 0.3 + 0.1: rounding error
    assert "eq. (1)" in page.text_content("#eq")
    clicks = 1 + page.evaluate(
        "() => { const next = document.querySelector('#next'); let n = 0;"
        " while (!next.disabled) { next.click(); n++; } return n; }"
    )
    assert clicks == total
    assert page.text_content("#counter") == f"step {total} of {total}"
    assert "Done" in page.text_content("#result")
    lines = neuron_lines(page)
    for l in (2, 3):
        for j, (z, a, d) in enumerate(zip(expected.Z[l], expected.A[l], expected.delta[l]), 1):
            assert lines[f"n{l}_{j}"] == [
                f"a{'₁₂₃₄'[j - 1]}{'²³'[l - 2]} = {format_number(a)}",
                f"z{'₁₂₃₄'[j - 1]}{'²³'[l - 2]} = {'0' if (l, j) == (2, 1) else format_number(z)}",
                f"δ{'₁₂₃₄'[j - 1]}{'²³'[l - 2]} = {format_number(d)}",
                f"∂C/∂b{'₁₂₃₄'[j - 1]}{'²³'[l - 2]} = {format_number(d)}",
            ]
    assert page.text_content("#cost") == f"C = {format_number(expected.cost)}"
    done = page.eval_on_selector_all("g.edge.done", "es => es.length")
    assert done == 3 * 4 + 4 * 2
    page.keyboard.press("Home")
    assert page.text_content("#counter") == f"step 0 of {total}"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#counter") == f"step {total - 1} of {total}"
    assert problems == []
    page.close()


def test_a_z_that_is_rounding_error_reads_0_as_in_the_figure_and_the_report() -> None:
    model, x, y = seed_example()
    steps = network_stepper_data(model, x, y)["steps"]
    eq2 = next(s for s in steps if s["eq"] == "(2)" and s["layer"] == 2)
    assert eq2["lines"][0] == "a₁² = σ(z₁²) = sigmoid(0) = 0.5"
    assert steps[0]["set"] == [["n2_1", "z", "0"]]
    assert all("e-17" not in json.dumps(step, ensure_ascii=False) for step in steps)
