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

from autograd import Value, topological_order
from nn import MLP, half_squared_error
from nn.datasets import neuron_example
from viz.format import format_number
from viz.nodes import backward_steps
from viz.stepper import (
    DATA_MARK,
    MAX_VALUES,
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
    """The grads backward() gives each node of a fresh graph, in backward step order."""
    root = make()
    root.backward()
    return [node.grad for node in reversed(topological_order(root))]


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
    order = topological_order(root)
    upstream = {root: 1.0}
    for node, step in zip(reversed(order), reverse_sweep(order)):
        assert [c.input for c in step] == list(node.inputs)
        for c in step:
            assert c.contribution == upstream[node] * node.local_grads[c.position]
            assert c.after == c.before + c.contribution
            upstream[c.input] = c.after


def test_step_numbers_are_the_drawings_backward_steps() -> None:
    root = network_loss()
    order = topological_order(root)
    steps = backward_steps(order)
    data = stepper_data(root)
    visits = list(reversed(order))
    assert [v["id"] for v in data["values"]] == [steps[node] for node in visits]
    assert [s["value"] for s in data["steps"]] == [steps[node] for node in visits]
    for entry, node in zip(data["values"], visits):
        unnamed = "output" if node is root else f"#{steps[node]}"
        assert entry["name"] == (node.label or unnamed)


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
    with pytest.raises(ValueError, match=f"more than {MAX_VALUES} values"):
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
    assert clicks == len(expected)
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
    assert page.text_content("#counter") == "step 10 of 10"
    page.click("#back")
    after_nine = _shown_grads(page)
    assert after_nine[10][2] == "partial"  # b's grad is known, but b is not visited yet
    page.eval_on_selector("#slider", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }")
    assert page.text_content("#counter") == "step 0 of 10"
    assert [text for _, text, _ in _shown_grads(page).values()].count("grad ·") == 9
    page.click("#play")
    page.wait_for_function("document.querySelector('#slider').value === '1'", timeout=5_000)
    page.click("#play")
    assert problems == []
    page.close()
