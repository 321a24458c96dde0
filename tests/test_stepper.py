"""viz.stepper: the step-through page's numbers are backward()'s, and the page shows them.

The oracle is the engine itself: the sweep replayed for the page must end with exactly the
grads `Value.backward()` gives, and each step must add upstream grad × local derivative. The
browser test opens the page in headless Chromium, steps to the end with the page's own
buttons, and reads every grad the page shows.
"""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import OPS, Value, topological_order
from nn import MLP, half_squared_error
from nn.datasets import neuron_example
from viz.format import format_number, pretty_label
from viz.nodes import backward_steps, drawn_inputs, drawn_order
from viz.stepper import (
    DATA_MARK,
    MAX_VALUES,
    RULES,
    reverse_sweep,
    script_safe_json,
    stepper_data,
    stepper_html,
    write_stepper,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "neuron_stepper.py"


def network_loss() -> Value:
    """The loss of a small MLP on one example: dot nodes with many inputs, constants, **."""
    model = MLP(3, [4, 2], seed=3)
    return half_squared_error(model([0.5, -1.0, 2.0]), [1.0, 0.0])


def shared_inputs() -> Value:
    """x used several times, also twice by one op: the running sums matter here."""
    x, y = Value(1.5, "x"), Value(-0.5, "y")
    return x * x + x * y - (x / y).exp()


GRAPHS = [neuron_example, network_loss, shared_inputs]


def backward_grads(make: Any) -> list[float]:
    """The grads backward() gives each drawn node of a fresh graph, in backward step order."""
    root = make()
    root.backward()
    return [node.grad for node in reversed(drawn_order(root))]


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which there is no `dot` program."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


# -- the numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("make", GRAPHS)
def test_last_step_grads_equal_backward(make: Any) -> None:
    data = stepper_data(make())
    shown = {1: 1.0}
    for step in data["steps"]:
        for row in step["rows"]:
            shown[row["input"]] = float(row["exact"])
    assert [shown[i] for i in sorted(shown)] == backward_grads(make)


@pytest.mark.parametrize("make", GRAPHS)
def test_each_contribution_is_upstream_times_local(make: Any) -> None:
    root = make()
    order = drawn_order(root)
    upstream = {root: 1.0}
    for node, step in zip(reversed(order), reverse_sweep(order)):
        assert [c.input for c in step] == [x for x, _ in drawn_inputs(node)]
        for c in step:
            assert c.contribution == upstream[node] * node.local_grads[c.position]
            assert c.after == c.before + c.contribution
            upstream[c.input] = c.after


def test_values_are_numbered_as_the_drawing_and_only_ops_get_steps() -> None:
    root = network_loss()
    order = drawn_order(root)
    steps = backward_steps(order)
    data = stepper_data(root)
    visits = list(reversed(order))
    operations = [node for node in visits if node.op]
    assert [v["id"] for v in data["values"]] == [steps[node] for node in visits]
    assert [s["value"] for s in data["steps"]] == [steps[node] for node in operations]
    assert [v["step"] for v in data["values"] if v["step"]] == list(range(1, len(operations) + 1))
    assert all(v["step"] is None for v, node in zip(data["values"], visits) if not node.op)
    for entry, node in zip(data["values"], visits):
        unnamed = "output" if node is root else f"#{entry['step']}"  # named by its op's step
        assert entry["name"] == (pretty_label(node.label) or unnamed)


def test_a_grad_is_complete_after_the_last_op_that_uses_it() -> None:
    data = stepper_data(neuron_example())
    done = {v["name"]: v["doneAt"] for v in data["values"]}
    # Steps: 1 o = tanh(n), 2 n = #3 + b, 3 #3 = #4 + #5, 4 #4 = x1·w1, 5 #5 = x2·w2.
    assert done == {"o": 0, "n": 1, "#3": 2, "b": 2, "#4": 3, "#5": 3,
                    "x1": 4, "w1": 4, "x2": 5, "w2": 5}
    assert sorted(done.values())[-1] == len(data["steps"]) == 5


def test_a_fixed_exponent_is_part_of_its_op_on_the_page() -> None:
    x = Value(2.0, "x")
    data = stepper_data(x**3)
    assert [v["name"] for v in data["values"]] == ["output", "x"]
    assert data["values"][0]["op"]["symbol"] == "**3"
    assert data["values"][0]["op"]["formula"] == "x ** 3"
    assert [e["local"] for e in data["edges"]] == ["12"]


def test_says_whether_value_grad_agrees_after_none_one_or_two_backward_calls() -> None:
    root = neuron_example()
    assert stepper_data(root)["agreement"] == "unset"
    root.backward()
    assert stepper_data(root)["agreement"] == "same"
    root.backward()
    assert stepper_data(root)["agreement"] == "different"
    assert '"agreement":"different"' in stepper_html(root)


def test_folds_parameters_so_one_example_of_a_16_16_1_network_steps_through() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    root = half_squared_error(model([0.5, -1.0]), 1.0)
    assert len(topological_order(root)) > MAX_VALUES
    data = stepper_data(root)
    assert not any(v["kind"] == "parameter" for v in data["values"])
    assert data["folded"] == len(model.parameters())
    final = {1: 1.0} | {r["input"]: float(r["exact"]) for s in data["steps"] for r in s["rows"]}
    root.backward()
    drawn = {backward_steps(drawn_order(root))[node]: node.grad for node in drawn_order(root)}
    assert final == {number: grad for number, grad in drawn.items() if number in final}
    assert set(final) == {v["id"] for v in data["values"]}


def test_numbers_on_the_page_have_four_significant_digits() -> None:
    data = stepper_data(neuron_example())
    assert data["values"][1]["data"] == format_number(0.8813735870195432) == "0.8814"


def test_writing_the_page_leaves_every_grad_alone(tmp_path: Path) -> None:
    root = network_loss()
    write_stepper(root, tmp_path / "page.html")
    assert all(node.grad == 0.0 for node in topological_order(root))


@settings(max_examples=40)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.integers(0, 50))
def test_random_networks_end_with_backwards_grads(x: list[float], seed: int) -> None:
    def make() -> Value:
        model = MLP(3, [3, 1], activation="sigmoid", seed=seed)
        return half_squared_error(model(x), 0.5)

    data = stepper_data(make())
    final = {1: 1.0} | {r["input"]: float(r["exact"]) for s in data["steps"] for r in s["rows"]}
    assert [final[i] for i in sorted(final)] == backward_grads(make)


# -- the page as a file --------------------------------------------------------------------------


def test_page_is_self_contained(tmp_path: Path) -> None:
    page = write_stepper(neuron_example(), tmp_path / "neuron.html").read_text(encoding="utf-8")
    assert DATA_MARK not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert len(re.findall(r"<script", page)) == 2


def test_a_hostile_label_cannot_break_out_of_the_script() -> None:
    x = Value(1.0, "</script><script>alert(1)</script><!--")
    y = x * 2.0
    y.label = "&amp; </SCRIPT >"
    page = stepper_html(y)
    assert page.count("</script>") == 2
    assert "</SCRIPT" not in page and "<!--" not in page.split("<script", 1)[1]
    data_text = page.split('id="chainrule-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data_text)["values"][0]["name"] == "&amp; </SCRIPT >"


def test_script_safe_json_round_trips() -> None:
    data = {"text": "<b>&</b>", "list": [1, "é→∂"]}
    assert json.loads(script_safe_json(data)) == data
    assert not set("<>&") & set(script_safe_json(data))


def test_write_is_atomic_and_replaces_only_the_target(tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("keep")
    target = tmp_path / "page.html"
    target.write_text("old")
    assert write_stepper(neuron_example(), target) == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.txt", "page.html"]
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_too_big_a_graph_is_refused_before_any_work(tmp_path: Path) -> None:
    x = Value(0.5, "x")
    for _ in range(100_000):
        x = x * 1.0
    with pytest.raises(ValueError, match=f"values, more than {MAX_VALUES}"):
        write_stepper(x, tmp_path / "big.html")
    assert not (tmp_path / "big.html").exists()


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="root must be a Value"):
        write_stepper(1.0, "x.html")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str or a Path"):
        write_stepper(neuron_example(), 3)  # type: ignore[arg-type]


def test_without_graphviz_the_page_uses_its_own_layout(no_dot: None) -> None:
    assert stepper_data(neuron_example())["engine"] == "simple"


def test_with_graphviz_the_page_uses_dot() -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    assert stepper_data(neuron_example())["engine"] == "graphviz"


def test_example_script_writes_a_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "neuron.html"
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), str(target)])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(target) in capsys.readouterr().out


# -- the page in a browser ------------------------------------------------------------------------


def _browser_missing() -> str:
    """Why the browser test cannot run here, or "" when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return ""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _browser_missing()
    if reason:
        if os.environ.get("CHAINRULE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CHAINRULE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """A page showing `path`, and the list that collects its script errors and network use."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("request", lambda request: None if request.url.startswith("file:") else
            problems.append(f"network request: {request.url}"))
    page.goto(path.as_uri())
    return page, problems


def _shown_grads(page: Any) -> dict[int, tuple[str, str, str]]:
    """Each value box's (exact grad, grad text, state) as the page shows it, by step number."""
    rows = page.eval_on_selector_all(
        "g.value",
        "boxes => boxes.map(b => [b.dataset.id, b.dataset.grad, "
        "b.querySelector('.grad').textContent, b.dataset.state])",
    )
    return {int(i): (exact, text, state) for i, exact, text, state in rows}


@pytest.mark.parametrize("make", GRAPHS)
@pytest.mark.parametrize("layout", ["graphviz", "simple"])
def test_browser_steps_to_backwards_grads(
    browser: Any, make: Any, layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if layout == "simple":
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    elif shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    path = write_stepper(make(), tmp_path / "page.html")
    expected = backward_grads(make)
    page, problems = _open(browser, path)

    start = _shown_grads(page)
    assert start[1][1] == "grad 1"
    assert all(text == "grad ·" for _, text, _ in list(start.values())[1:])

    for _ in range(3):  # real mouse clicks first, then the same button clicked by script (faster)
        page.click("#next")
    clicks = 3 + page.evaluate(
        "() => { const next = document.querySelector('#next'); let n = 0;"
        " while (!next.disabled) { next.click(); n++; } return n; }"
    )
    root = make()
    assert clicks == sum(1 for node in drawn_order(root) if node.op)
    assert page.text_content("#counter") == f"step {clicks} of {clicks}"
    assert "Done." in page.text_content("#explain")

    shown = _shown_grads(page)
    assert sorted(shown) == list(range(1, len(expected) + 1))
    for number, grad in enumerate(expected, start=1):
        exact, text, state = shown[number]
        assert float(exact) == grad
        assert text == f"grad {format_number(grad)}"
        assert state == "final"
    assert problems == []
    page.close()


def test_browser_back_and_slider_undo_steps(browser: Any, tmp_path: Path) -> None:
    path = write_stepper(neuron_example(), tmp_path / "page.html")
    page, problems = _open(browser, path)
    page.keyboard.press("End")
    assert page.text_content("#counter") == "step 5 of 5"
    page.click("#back")
    page.click("#back")
    page.click("#back")
    after_two = _shown_grads(page)
    assert page.text_content("#counter") == "step 2 of 5"
    assert after_two[10][2] == "final"  # b (#10): step 2 was its one use passing back
    assert after_two[9][2] == "pending"  # w2 gets its grad at step 5
    page.eval_on_selector("#slider", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }")
    assert page.text_content("#counter") == "step 0 of 5"
    assert [text for _, text, _ in _shown_grads(page).values()].count("grad ·") == 9
    page.click("#play")
    page.wait_for_function("document.querySelector('#slider').value === '1'", timeout=5_000)
    page.click("#play")
    assert problems == []
    page.close()


def test_browser_brackets_names_in_formulas_and_zoom_enlarges_a_small_graph(
    browser: Any, tmp_path: Path
) -> None:
    x = Value(2.0, "x")
    square = x * x
    square.label = "x*x"
    root = square + 3 * x
    root.label = "x*x + 3*x"
    path = write_stepper(root, tmp_path / "page.html")
    page, problems = _open(browser, path)
    page.click("#next")
    page.click("#next")
    assert "∂(x*x + 3*x)/∂(x*x) = 1" in page.text_content("#explain")
    fitted = page.eval_on_selector("#graph svg", "s => s.getBoundingClientRect().width")
    page.click("#zoom")
    zoomed = page.eval_on_selector("#graph svg", "s => s.getBoundingClientRect().width")
    assert zoomed > 1.5 * fitted
    assert problems == []
    page.close()


def test_browser_says_what_it_shows_after_two_backward_calls(
    browser: Any, tmp_path: Path
) -> None:
    root = neuron_example()
    root.backward()
    root.backward()
    page, problems = _open(browser, write_stepper(root, tmp_path / "page.html"))
    assert "two calls double it" in page.text_content("#explain")
    page.keyboard.press("End")
    assert "one backward() pass starting from grads of zero" in page.text_content("#explain")
    assert problems == []
    page.close()


def one_example_of_a_16_16_1_network() -> Value:
    model = MLP(2, [16, 16, 1], seed=0)
    return half_squared_error(model([0.5, -1.0]), 1.0)


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
@pytest.mark.parametrize(("make", "steps"), [(neuron_example, 2),
                                             (one_example_of_a_16_16_1_network, 5)])
def test_browser_explanation_fits_and_text_is_readable(
    browser: Any, tmp_path: Path, size: tuple[int, int], make: Any, steps: int
) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(write_stepper(make(), tmp_path / "page.html").as_uri())
    for _ in range(steps):
        page.click("#next")
    scroll, height = page.eval_on_selector("#explain", "e => [e.scrollHeight, e.clientHeight]")
    assert scroll <= height
    smallest = page.eval_on_selector_all(
        "#explain td",
        "cells => Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize)))",
    )
    assert smallest >= 14
    if make is neuron_example:  # a big graph is read zoomed in
        text = page.eval_on_selector("g.value text", "t => t.getBoundingClientRect().height")
        assert text >= 13
    page.close()


def test_every_op_of_the_engine_has_its_rule_in_words() -> None:
    assert sorted(OPS) == sorted(RULES)
