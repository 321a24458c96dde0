"""viz.demo: the demo writes every picture and an index that shows them, with or without
Graphviz, and a Ctrl-C during training still leaves a complete folder."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

import viz.demo
from autograd import sigmoid
from nn import MLP, Adam, load
from viz.demo import TIMELINE_STEPS, loss_figure, probabilities, run_demo, train_on_moons

IMAGES = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".html": b"<!DOCTYPE"}


def linked_files(index: Path) -> list[str]:
    """The files index.html points at (img src, iframe src, a href), in page order."""
    text = index.read_text(encoding="utf-8")
    return [html.unescape(name) for name in re.findall(r'(?:src|href)="([^"]+)"', text)]


def check_folder(out: Path, index: Path, drawing_suffix: str, timeline: bool = True) -> None:
    """index.html is in `out`, links only to files there, and each one is complete."""
    assert index == out / "index.html"
    names = [name for name in linked_files(index) if not name.startswith("#")]
    expected = {f"neuron{drawing_suffix}", "stepper.html", f"seed_network{drawing_suffix}",
                "network_stepper.html",
                f"network{drawing_suffix}", "decision_boundary.png", "loss.png"}
    expected |= {"training.html"} if timeline else set()
    assert set(names) == expected
    for name in names:
        path = out / name
        assert path.read_bytes().startswith(IMAGES[path.suffix]), name
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert load(out / "model.json").nouts == [16, 16, 1]


def test_demo_writes_everything_the_index_shows(tmp_path: Path) -> None:
    index = run_demo(tmp_path / "out", epochs=2, progress=False)
    check_folder(tmp_path / "out", index, ".svg")
    page = index.read_text(encoding="utf-8")
    assert "Graphviz" not in page and "stopped early" not in page
    shown = re.sub(r"<[^>]+>", "", page)  # the text a reader sees
    assert "`" not in shown and "<code>chainrule example</code>" in page
    assert "seed" not in shown.lower()
    contents = re.findall(r'<li><a href="#(picture-\d+)">', page)
    assert contents and all(f'<section id="{anchor}">' in page for anchor in contents)
    stepper = (tmp_path / "out" / "stepper.html").read_text(encoding="utf-8")
    data = stepper.split('id="chainrule-data">', 1)[1].split("</script>", 1)[0]
    steps = len(json.loads(data)["steps"])
    assert f"the page numbers its {steps} steps, where the drawing above numbers all 10" in shown


def test_without_graphviz_the_demo_draws_svgs_with_its_own_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(sys.modules["viz.render"], "_SAID", set())  # said once per process
    index = run_demo(tmp_path / "out", epochs=1, progress=False)
    check_folder(tmp_path / "out", index, ".svg")
    assert capsys.readouterr().err.count("install Graphviz") == 1  # said once, not per picture
    assert "drew the SVG pictures with its own simpler layout" in index.read_text(encoding="utf-8")


class CtrlCAfterThreeSteps(Adam):
    """Adam that sends this process a SIGINT (a real Ctrl-C) on its third step."""

    def step(self) -> None:
        super().step()
        self.steps_taken = getattr(self, "steps_taken", 0) + 1
        if self.steps_taken == 3:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_during_training_still_writes_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(viz.demo, "Adam", CtrlCAfterThreeSteps)
    index = run_demo(tmp_path / "out", epochs=50, progress=False)
    check_folder(tmp_path / "out", index, ".svg", timeline=False)  # no epoch was completed
    err = capsys.readouterr().err
    assert "interrupted at epoch 1, step 3" in err
    assert "training stopped after 1 of 50 epochs" in err
    assert "stopped early (Ctrl-C) after 1 of 50 epochs" in index.read_text(encoding="utf-8")


def test_training_learns_the_moons(tmp_path: Path) -> None:
    training = train_on_moons(tmp_path, epochs=30, progress=False)
    assert training.history[-1] < training.history[0] / 4
    assert training.accuracy >= 0.95
    predicted = [sigmoid(training.model(p).data) > 0.5 for p in training.X]  # type: ignore[union-attr]
    assert sum(p == (c == 1) for p, c in zip(predicted, training.y)) / len(training.y) == (
        training.accuracy
    )


def test_the_timeline_has_every_epoch_with_its_loss(tmp_path: Path) -> None:
    training = train_on_moons(tmp_path, epochs=3, progress=False)
    assert [s.epoch for s in training.timeline] == [1, 2, 3]
    assert [s.loss for s in training.timeline] == training.history
    assert training.timeline[-1].accuracy == training.accuracy
    for snapshot in training.timeline:
        assert len(snapshot.probability) == TIMELINE_STEPS
        assert {len(row) for row in snapshot.probability} == {TIMELINE_STEPS}
    assert training.timeline[0].probability != training.timeline[-1].probability


def test_the_plane_probabilities_are_the_models_own() -> None:
    model = MLP(2, [16, 16, 1], seed=3)
    points = [[0.0, 0.0], [1.5, -0.7], [-2.0, 3.0], [40.0, -40.0]]
    expected = [sigmoid(model(p).data) for p in points]  # type: ignore[union-attr]
    assert probabilities(model, points) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_the_loss_curve_plots_the_history() -> None:
    history = [0.7, 0.4, 0.2, 0.05]
    (line,) = loss_figure(history).axes[0].get_lines()
    assert list(line.get_xdata()) == [1, 2, 3, 4]
    assert list(line.get_ydata()) == history


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"epochs": 0}, ValueError),
        ({"epochs": True}, ValueError),
        ({"epochs": 2.5}, ValueError),
        ({"out_dir": 3}, TypeError),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, arguments: dict[str, object],
                                   error: type[Exception]) -> None:
    with pytest.raises(error):
        run_demo(**{"out_dir": tmp_path, **arguments})  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_an_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("keep")
    with pytest.raises(ValueError, match="not a folder"):
        run_demo(blocker, epochs=1, progress=False)
    assert blocker.read_text() == "keep"


@pytest.mark.parametrize("epochs", [5, 100])
def test_the_loss_plot_counts_epochs_in_whole_numbers_and_writes_plain_losses(
    epochs: int,
) -> None:
    history = [0.6 * 0.95**i for i in range(epochs)]
    axes = viz.demo.loss_figure(history).axes[0]
    axes.figure.canvas.draw()
    shown = [t for t in axes.get_xticks() if 1 <= t <= epochs]
    assert shown and all(float(t).is_integer() for t in shown)
    labels = [t.get_text() for t in [*axes.get_yticklabels(), *axes.get_yticklabels(minor=True)]]
    assert any(labels) and not any("10^" in text or "times" in text for text in labels)
