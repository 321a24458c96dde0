"""viz.timeline: the training page carries every epoch's grid, loss and accuracy, and refuses
what it cannot show."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_stepper import _open, browser  # noqa: F401  (the browser fixture)

from viz.demo import Snapshot
from viz.timeline import timeline_html

GRID_X, GRID_Y = [0.0, 1.0, 2.0], [-1.0, 1.0]
X, Y = [[0.5, 0.5], [1.5, -0.5]], [1, 0]


def snapshot(epoch: int, loss: float, value: float = 0.5) -> Snapshot:
    return Snapshot(epoch, loss, 0.5, [[value, 0.0, 1.0], [0.25, 0.75, value]])


def embedded(page: str) -> dict[str, object]:
    match = re.search(r"const DATA = (\{.*?\});\n", page)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_the_page_carries_each_epoch_in_order() -> None:
    page = timeline_html([snapshot(1, 0.7), snapshot(2, 0.3, value=1.0)], GRID_X, GRID_Y, X, Y)
    assert page.startswith("<!DOCTYPE html>") and 'id="epoch"' in page and 'id="play"' in page
    data = embedded(page)
    epochs = data["epochs"]
    assert isinstance(epochs, list)
    assert [(e["epoch"], e["loss"]) for e in epochs] == [(1, 0.7), (2, 0.3)]
    assert list(base64.b64decode(epochs[0]["p"])) == [128, 0, 255, 64, 191, 128]
    assert list(base64.b64decode(epochs[1]["p"])) == [255, 0, 255, 64, 191, 255]
    assert data["points"] == [[0.5, 0.5, 1], [1.5, -0.5, 0]]
    assert (data["gridX"], data["gridY"]) == (GRID_X, GRID_Y)


def test_the_page_needs_no_network() -> None:
    page = timeline_html([snapshot(1, 0.7)], GRID_X, GRID_Y, X, Y)
    assert "http" not in page and "<script src" not in page


@pytest.mark.parametrize(
    ("epochs", "message"),
    [
        ([], "no epochs to show"),
        ([Snapshot(1, 0.5, 1.0, [[0.5, 0.5]])], "epoch 1's grid is not 2 rows of 3"),
        ([snapshot(1, float("nan"))], "epoch 1's loss is nan"),
    ],
)
def test_refuses_what_it_cannot_show(epochs: list[Snapshot], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        timeline_html(epochs, GRID_X, GRID_Y, X, Y)


def test_in_a_browser_the_slider_and_keys_move_through_the_epochs(browser: Any,  # noqa: F811
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "training.html"
    path.write_text(timeline_html([snapshot(1, 0.7), snapshot(2, 0.3, value=1.0)], GRID_X,
                                  GRID_Y, X, Y), encoding="utf-8")
    page, problems = _open(browser, path)
    status = page.locator("#status")
    assert status.inner_text() == "epoch 2 of 2 · loss 0.3000 · training accuracy 50%"
    page.keyboard.press("ArrowLeft")
    assert status.inner_text() == "epoch 1 of 2 · loss 0.7000 · training accuracy 50%"
    page.click("#play")
    page.wait_for_function("document.getElementById('play').textContent === 'Play'")
    assert status.inner_text().startswith("epoch 2 of 2")  # Play ran to the last epoch
    assert problems == []
