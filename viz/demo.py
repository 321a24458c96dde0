"""The demo (`chainrule demo`, `make demo`): one neuron's derivatives, the worked example's
network, and a small network trained on the two-moons data, all written into one folder with an
index.html. A training page replays the decision boundary and the loss epoch by epoch.

Ctrl-C during training stops after the current step (nn.fit handles it); the demo then draws the
network as it is and still writes every file.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, MaxNLocator

from autograd import Value, topological_order
from nn import MLP, Adam, backprop
from nn.datasets import moons, seed_example
from nn.serialize import write_atomically
from nn.train import fit
from viz.dot import draw_dot
from viz.expr import parse_expression
from viz.format import format_number
from viz.network import draw_network
from viz.network_stepper import write_network_stepper
from viz.render import INSTALL_HINT, render
from viz.stepper import write_stepper
from viz.timeline import timeline_html

NEURON_EXPRESSION = "tanh(x1*w1 + x2*w2 + b)"
NEURON_BINDINGS = {"x1": 2.0, "w1": -3.0, "x2": 0.0, "w2": 1.0, "b": 6.8813735870195432}
LAYER_SIZES = [16, 16, 1]
MOONS_POINTS = 200
MOONS_NOISE = 0.12
LEARNING_RATE = 0.01
BATCH_SIZE = 20
GRID_STEPS = 70  # the decision-boundary PNG: GRID_STEPS × GRID_STEPS points of the plane
TIMELINE_STEPS = 48  # the training page: a coarser grid per epoch, smoothed by the browser
CLASS_COLORS = ("#d84315", "#1565c0")


@dataclass(frozen=True)
class Snapshot:
    """The network after one epoch: its mean loss, its training accuracy, and P(class 1) on the
    training page's grid, row by row (rows go up the x₂ axis)."""

    epoch: int
    loss: float
    accuracy: float
    probability: list[list[float]]


@dataclass(frozen=True)
class Training:
    """The trained model, its data, and how the training went."""

    model: MLP
    X: list[list[float]]
    y: list[int]
    history: list[float]
    epochs: int
    accuracy: float
    timeline: list[Snapshot] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        """True when Ctrl-C stopped fit before the last epoch."""
        return len(self.history) < self.epochs


@dataclass(frozen=True)
class Picture:
    """One entry of the index page: a heading, the file written, and what a student should see.

    A .html file is embedded in a frame, any other file shown as an image.
    """

    title: str
    path: Path
    explanation: str  # plain text; `code` in backticks is shown as code
    frame_height: int = 700  # for a page (.html), the height of its frame in the index


def run_demo(out_dir: str | os.PathLike[str], epochs: int = 100, progress: bool = True) -> Path:
    """Write the demo's drawings, pages and plots into `out_dir`; return its index.html.

    Trains MLP(2, [16, 16, 1]) on 200 two-moons points for `epochs` epochs (a few seconds),
    with a progress bar when `progress` is true.
    """
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"run_demo: out_dir must be a str or a Path, got {type(out_dir).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"run_demo: epochs must be an int >= 1, got {epochs!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"run_demo: {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)

    pictures = [*_neuron_pictures(out), *_worked_example_pictures(out)]
    training = train_on_moons(out, epochs, progress)
    if training.interrupted:
        print(
            f"chainrule demo: training stopped after {len(training.history)} of {epochs} "
            f"epochs; drawing the model as it is, in {out}",
            file=sys.stderr,
        )
    pictures += _training_pictures(out, training)
    index = out / "index.html"
    write_atomically(index, index_html(pictures, training).encode("utf-8"))
    return index


def neuron() -> Value:
    """o = tanh(x1·w1 + x2·w2 + b), parsed as `chainrule graph` parses it, after o.backward()."""
    output = parse_expression(NEURON_EXPRESSION, NEURON_BINDINGS)
    output.label = "o"
    output.backward()
    return output


def _neuron_pictures(out: Path) -> list[Picture]:
    """The neuron's drawing and its step-through page."""
    output = neuron()
    values = topological_order(output)
    steps = sum(1 for value in values if value.op)
    drawing = render(draw_dot(output), out / "neuron.svg")
    stepper = write_stepper(output, out / "stepper.html")
    return [
        Picture(
            "One neuron and its derivatives",
            drawing,
            f"o = {NEURON_EXPRESSION}, after o.backward(). Each box is one value: data is its "
            "value in the forward pass, grad is ∂o/∂(that value). The number on each arrow is "
            "the local derivative of the op by that input. The chain rule: a value's grad is the "
            "sum, over the arrows leaving it, of (local derivative × grad of the op's output). "
            "#n is the order in which backward() visits the values.",
        ),
        Picture(
            "backward(), one step at a time",
            stepper,
            "The same neuron as a step-through page: press Next (or →) to watch backward() visit "
            "one op per step, multiply its grad by each local derivative, and add the result "
            "to its inputs' grads. Inputs and parameters pass nothing on, so they get no step: "
            f"the page numbers its {steps} steps, where the drawing above numbers all "
            f"{len(values)} values. At the last step every grad equals the drawing above.",
        ),
    ]


def _worked_example_pictures(out: Path) -> list[Picture]:
    """The worked example's 3-4-2 network drawn for its x and y, and its page of eqs. (1)-(6)."""
    model, x, y = seed_example()
    drawing = render(draw_network(model, x, y), out / "seed_network.svg")
    stepper = write_network_stepper(model, x, y, out / "network_stepper.html")
    return [
        Picture(
            "The worked example: 3 → 4 → 2",
            drawing,
            "The network of the textbook derivation's worked example (sigmoid everywhere) for its "
            "input x and target y: each neuron shows z_j^l, a_j^l and δ_j^l, then its weights "
            "w_jk^l with ∂C/∂w_jk^l = a_k^(l−1) δ_j^l (eq. 5) and its bias with ∂C/∂b_j^l = δ_j^l "
            "(eq. 6). The edges show each weight's sign (blue +, orange −) and size. "
            "`chainrule example` prints the same numbers, equation by equation; "
            "docs/derivation.md in the project derives each equation.",
        ),
        Picture(
            "The worked example, equation by equation",
            stepper,
            "The same network as a step-through page: the forward pass layer by layer "
            "(eqs. 1 and 2), the cost C, then δ for each output neuron (eq. 3), δ for each hidden "
            "neuron (eq. 4) and the gradient of every weight and bias (eqs. 5 and 6). Each step "
            "highlights what it reads and what it writes, with its numbers.",
        ),
    ]


def train_on_moons(out: Path, epochs: int, progress: bool) -> Training:
    """Fit MLP(2, [16, 16, 1]) to the two moons with Adam; the model is saved to out/model.json.

    After each epoch the decision boundary and the loss are recorded in `Training.timeline`.
    """
    X, y = moons(n=MOONS_POINTS, noise=MOONS_NOISE, seed=0)
    model = MLP(2, LAYER_SIZES, seed=0)
    grid_x, grid_y = _grid(X, TIMELINE_STEPS)
    timeline: list[Snapshot] = []

    def record(epoch: int, mean_loss: float) -> None:
        probability = probabilities(model, [[gx, gy] for gy in grid_y for gx in grid_x])
        rows = [probability[i : i + len(grid_x)] for i in range(0, len(probability), len(grid_x))]
        timeline.append(Snapshot(epoch, mean_loss, accuracy(model, X, y), rows))

    history = fit(
        model,
        X,
        y,
        "binary_cross_entropy",
        Adam(model.parameters(), lr=LEARNING_RATE),
        epochs=epochs,
        batch_size=BATCH_SIZE,
        progress=progress,
        checkpoint=out / "model.json",
        on_epoch=record,
    )
    return Training(model, X, y, history, epochs, accuracy(model, X, y), timeline)


def probabilities(model: MLP, points: Sequence[Sequence[float]]) -> list[float]:
    """σ(output) = P(class 1) at each point: the model's eqs. (1) and (2) for all points at once.

    The demo's model has tanh hidden layers and one linear output neuron (a logit). The plane
    needs thousands of points per picture, so this runs on numpy arrays, not on Values; the
    tests check it against the model itself.
    """
    W, B = backprop.weights_of(model)
    a = np.asarray(points, dtype=float).T  # column i is point i: A¹
    last = max(W)
    for l in range(2, last + 1):
        z = np.asarray(W[l]) @ a + np.asarray(B[l])[:, None]  # eq. (1): Z^l = W^l A^{l-1} + B^l
        a = z if l == last else np.tanh(z)  # eq. (2): A^l = σ(Z^l), the output layer linear
    return [float(p) for p in 1.0 / (1.0 + np.exp(-np.clip(a[0], -500.0, 500.0)))]


def accuracy(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The share of training points on the right side of P(class 1) = 0.5."""
    return sum((p > 0.5) == (label == 1) for p, label in zip(probabilities(model, X), y)) / len(y)


def _training_pictures(out: Path, training: Training) -> list[Picture]:
    """The trained network, its decision boundary and its loss curve."""
    model = training.model
    model.zero_grad()
    first = training.X[0]
    title = (f"training point 1: x = ({format_number(first[0])}, {format_number(first[1])}), "
             f"label {training.y[0]}; the output is a logit (class 1 where it is above 0)")
    network = render(draw_network(model, first, title=title), out / "network.svg")
    boundary = out / "decision_boundary.png"
    write_atomically(boundary, _png(decision_boundary_figure(training)))
    loss = out / "loss.png"
    write_atomically(loss, _png(loss_figure(training.history)))
    epochs = len(training.history)
    pictures = [
        Picture(
            "The trained network",
            network,
            f"MLP(2, {LAYER_SIZES}) after {epochs} epochs, drawn like the worked example: layers "
            "1 to L from left to right, each neuron a_j^l with its activation for the first "
            "training point. Edges are the weights w_jk^l, too many to list by number: blue "
            "positive, orange negative, thicker for larger |w|.",
        ),
        Picture(
            "What the network learned",
            boundary,
            f"The {len(training.X)} training points of the two moons, and the colour of "
            "σ(output), the probability of class 1 the network gives each point of the plane. "
            f"The black line is where it is 0.5: the decision boundary. Training accuracy: "
            f"{training.accuracy:.0%}.",
        ),
        Picture(
            "The loss while training",
            loss,
            "The mean binary cross-entropy of each epoch (log scale). Each step of fit averages "
            "the losses of a mini-batch of 20 points, calls backward(), and lets Adam move every "
            "weight a little against its grad.",
        ),
    ]
    if training.timeline:  # none when Ctrl-C came before the first epoch ended
        page = out / "training.html"
        grid_x, grid_y = _grid(training.X, TIMELINE_STEPS)
        html = timeline_html(training.timeline, grid_x, grid_y, training.X, training.y)
        write_atomically(page, html.encode("utf-8"))
        pictures.insert(1, Picture(
            "Training, epoch by epoch",
            page,
            "Press Play, or drag the slider, to watch the decision boundary and the loss after "
            f"each of the {len(training.timeline)} epochs: the network starts with a boundary that "
            "ignores the data, and every epoch of mini-batch steps bends it towards the moons.",
            frame_height=540,
        ))
    return pictures


def decision_boundary_figure(training: Training) -> Figure:
    """P(class 1) over the plane as colour, the 0.5 line, and the training points on top."""
    grid_x, grid_y = _grid(training.X, GRID_STEPS)
    flat = probabilities(training.model, [[gx, gy] for gy in grid_y for gx in grid_x])
    probability = [flat[i : i + GRID_STEPS] for i in range(0, len(flat), GRID_STEPS)]
    figure = Figure(figsize=(7.5, 5.2), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    shading = axes.contourf(grid_x, grid_y, probability, levels=20, cmap="RdBu", vmin=0, vmax=1,
                            alpha=0.45)
    axes.contour(grid_x, grid_y, probability, levels=[0.5], colors="black", linewidths=2)
    for label, (color, marker) in enumerate(zip(CLASS_COLORS, ("o", "s"))):
        points = [p for p, c in zip(training.X, training.y) if c == label]
        axes.scatter([p[0] for p in points], [p[1] for p in points], c=color, marker=marker,
                     edgecolors="black", linewidths=0.6, s=42, label=f"class {label}")
    figure.colorbar(shading, ax=axes, label="σ(output) = P(class 1)", ticks=[0, 0.25, 0.5, 0.75, 1])
    axes.set_title(f"Decision boundary after {len(training.history)} epochs "
                   f"(training accuracy {training.accuracy:.0%})", fontsize=13)
    axes.set_xlabel("x₁", fontsize=13)
    axes.set_ylabel("x₂", fontsize=13)
    axes.legend(loc="upper right", framealpha=0.9)
    return figure


def _grid(X: Sequence[Sequence[float]], steps: int) -> tuple[list[float], list[float]]:
    """`steps` evenly spaced x₁ and x₂ values covering the points X with a margin around them."""
    return (_span([p[0] for p in X], steps), _span([p[1] for p in X], steps))


def _span(values: list[float], steps: int) -> list[float]:
    """`steps` evenly spaced numbers from a margin below min(values) to a margin above max."""
    low, high = min(values), max(values)
    margin = 0.15 * (high - low)
    start, stop = low - margin, high + margin
    return [start + (stop - start) * i / (steps - 1) for i in range(steps)]


def loss_figure(history: list[float]) -> Figure:
    """The mean loss of each epoch, on a log scale so the late, small improvements show."""
    figure = Figure(figsize=(7.5, 4.2), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    epochs = list(range(1, len(history) + 1))
    axes.plot(epochs, history, color=CLASS_COLORS[1], linewidth=2.2, marker="o", markersize=3)
    axes.set_yscale("log")
    axes.set_title("Training loss: mean binary cross-entropy per epoch", fontsize=13)
    axes.set_xlabel("epoch", fontsize=13)
    axes.set_ylabel("loss (log scale)", fontsize=13)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no "epoch 2.5"
    axes.yaxis.set_major_formatter(FormatStrFormatter("%g"))  # 0.1, not 10⁻¹
    if max(history) < 10 * min(history):  # within one decade the in-between ticks are labelled
        axes.yaxis.set_minor_formatter(FormatStrFormatter("%.2g"))  # 0.3, not 3 × 10⁻¹
    axes.grid(True, which="both", alpha=0.3)
    return figure


def _png(figure: Figure) -> bytes:
    """The figure as PNG bytes, drawn by matplotlib's Agg renderer (no display needed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def index_html(pictures: list[Picture], training: Training) -> str:
    """The demo's front page: each picture with its explanation, in the same folder as the files."""
    notes = []
    if training.interrupted:
        notes.append(
            f"Training was stopped early (Ctrl-C) after {len(training.history)} of "
            f"{training.epochs} epochs; the pictures show the network as it was then."
        )
    if shutil.which("dot") is None:
        notes.append(
            "Graphviz's dot program is not installed here, so chainrule drew the SVG pictures "
            f"with its own simpler layout; Graphviz draws them better. To get it, {INSTALL_HINT}, "
            "then run chainrule demo again."
        )
    contents = "".join(f'<li><a href="#picture-{number}">{escape(picture.title)}</a></li>'
                       for number, picture in enumerate(pictures, start=1))
    sections = "\n".join(_section(picture, number)
                         for number, picture in enumerate(pictures, start=1))
    note_html = "".join(f'<p class="note">{escape(note)}</p>' for note in notes)
    return INDEX_TEMPLATE.format(notes=note_html, contents=contents, sections=sections)


def _section(picture: Picture, number: int) -> str:
    """One picture: as an image or an embedded page."""
    name = escape(picture.path.name)
    if picture.path.suffix == ".html":
        body = (f'<iframe src="{name}" title="{escape(picture.title)}" '
                f'style="height: {picture.frame_height}px"></iframe>'
                f'<p><a href="{name}">Open this page on its own</a></p>')
    else:
        body = f'<a href="{name}"><img src="{name}" alt="{escape(picture.title)}"></a>'
    return (f'<section id="picture-{number}"><h2>{escape(picture.title)}</h2>'
            f"<p>{_with_code(picture.explanation)}</p>{body}</section>")


def _with_code(text: str) -> str:
    """Plain text as HTML, each `span` in backticks shown as <code>span</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chainrule demo: backpropagation, drawn</title>
<style>
  body {{ font-family: Helvetica, Arial, "Liberation Sans", sans-serif; color: #212121;
         max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; font-size: 19px;
         line-height: 1.5; background: #fafafa; }}
  h1 {{ font-size: 34px; margin: 0 0 4px; }}
  .lead {{ color: #546e7a; margin-top: 0; }}
  section {{ background: #fff; border: 1px solid #e0e0e0; border-radius: 10px;
            padding: 18px 24px 22px; margin: 22px 0; }}
  h2 {{ font-size: 25px; margin: 0 0 6px; }}
  img {{ display: block; max-width: 100%; margin: 12px auto 0; }}
  iframe {{ width: 100%; border: 1px solid #cfd8dc; border-radius: 8px; }}
  .note {{ background: #fff3e0; border-left: 5px solid #ef6c00; padding: 8px 14px; }}
  code {{ background: #eceff1; padding: 1px 5px; border-radius: 4px; }}
  nav ol {{ columns: 2; margin: 8px 0 0; }}
</style>
</head>
<body>
<h1>chainrule demo: backpropagation, drawn</h1>
<p class="lead">Every picture below was made by <code>chainrule demo</code> from the code in this
project: a scalar autodiff engine, a tiny neural-network library and its drawings.</p>
{notes}
<nav><ol>{contents}</ol></nav>
{sections}
<p>Make your own: <code>chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o neuron.svg
--stepper neuron.html</code> · the worked example in numbers: <code>chainrule example</code> ·
how each equation follows from the chain rule: <code>docs/derivation.md</code> in the project</p>
</body>
</html>
"""
