"""write_network_stepper: one self-contained HTML page stepping through the textbook's algorithm.

On the textbook's network figure it shows, one step at a time: the forward pass layer by layer
(eq. (1) per neuron, then eq. (2) A^l = σ(Z^l) per layer), the cost C = ½ Σ_j (y_j − a_j^L)²,
eq. (3) for each output neuron, eq. (4) for each neuron of the earlier layers, and eqs. (5) and
(6) for each weight and bias. Python does the arithmetic, from exactly the terms each step writes
out, summed in the order nn.backprop sums them, so the last step's numbers are
`nn.backprop.backward`'s; the page (viz/network_stepper_template.html) only shows them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from numbers import Real
from pathlib import Path
from typing import Any

from autograd.local import local_derivatives
from nn import MLP
from nn.backprop import dot_product, weights_of
from nn.module import seed_label
from nn.serialize import write_atomically
from viz.format import format_number, format_sum, pretty_label
from viz.stepper import script_safe_json

TEMPLATE = "network_stepper_template.html"
DATA_MARK = "__CHAINRULE_NETWORK_DATA__"
# Past this many neurons a layer shows its first ones, a "⋯ n more" marker, and its last one.
MAX_SHOWN = 6
# Past this many terms a sum shows its first three, "⋯", and its last one.
MAX_TERMS = 5
# The figure's geometry, in SVG units (about pixels at full size).
BOX_WIDTH, LINE, PAD, ROW_GAP, COLUMN_GAP, TOP = 168.0, 22.0, 8.0, 12.0, 112.0, 34.0
TARGET_GAP = 70.0  # between the output layer and the cost, room for the labels y_j = ...


def write_network_stepper(
    model: MLP, x: Sequence[float], y: Sequence[float], path: str | os.PathLike[str]
) -> Path:
    """Write the page stepping through eqs. (1)-(6) for `model` on input `x`, target `y`.

    Nothing of the model changes (no .grad is touched). Returns the path written (atomically).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"write_network_stepper: path must be a str or a Path, got {type(path).__name__}"
        )
    target = Path(path)
    write_atomically(target, network_stepper_html(model, x, y).encode("utf-8"))
    return target


def network_stepper_html(model: MLP, x: Sequence[float], y: Sequence[float]) -> str:
    """The page as text: the template with the steps embedded as JSON."""
    data = network_stepper_data(model, x, y)
    template = resources.files("viz").joinpath(TEMPLATE).read_text(encoding="utf-8")
    if template.count(DATA_MARK) != 1:
        raise RuntimeError(f"the installed {TEMPLATE} is damaged: reinstall chainrule")
    return template.replace(DATA_MARK, script_safe_json(data))


# -- the numbers ----------------------------------------------------------------------------------


@dataclass
class _Pass:
    """One example's pass in the textbook's notation, filled in step by step (dicts by layer l)."""

    widths: list[int]
    W: dict[int, list[list[float]]]
    B: dict[int, list[float]]
    activation: dict[int, str]
    sigma: dict[int, list[float]]
    sigma_prime: dict[int, list[float]]
    y: list[float]
    Z: dict[int, list[float]] = field(default_factory=dict)
    # z_j^l as the page writes it: 0 where it is only rounding error next to its terms (as the
    # network figure and the text report show it), so 0.1 + 0.1 − 0.3 + 0.1 reads 0, not 2.8e-17.
    Z_text: dict[int, list[str]] = field(default_factory=dict)
    A: dict[int, list[float]] = field(default_factory=dict)
    delta: dict[int, list[float]] = field(default_factory=dict)
    dW: dict[int, list[list[float]]] = field(default_factory=dict)
    dB: dict[int, list[float]] = field(default_factory=dict)
    cost: float = 0.0


def _vector(values: object, length: int, name: str) -> list[float]:
    """`values` as a list of `length` finite floats, or an error naming `name`."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"write_network_stepper: {name} must be a list of {length} numbers, got {values!r}"
        )
    if len(values) != length:
        raise ValueError(
            f"write_network_stepper: {name} has {len(values)} numbers but the network needs "
            f"{length}"
        )
    for v in values:
        if isinstance(v, bool) or not isinstance(v, Real):
            raise TypeError(
                f"write_network_stepper: {name} must hold numbers, got {type(v).__name__} {v!r}"
            )
        if not math.isfinite(v):
            raise ValueError(f"write_network_stepper: {name} must be finite, got {v!r}")
    return [float(v) for v in values]


def _start(model: MLP, x: Sequence[float], y: Sequence[float]) -> _Pass:
    """Check the input; read the weights, and σ'(z_j^l) from the graph of one model pass."""
    if not isinstance(model, MLP):
        raise TypeError(
            f"write_network_stepper: model must be an nn.MLP, got {type(model).__name__}"
        )
    widths = [model.nin, *model.nouts]
    inputs = _vector(x, widths[0], "x")
    targets = _vector(y, widths[-1], "y")
    W, B = weights_of(model)
    trace = model.trace(inputs)
    if any(a is not z and not a.inputs for l in trace.Z for z, a in zip(trace.Z[l], trace.A[l])):
        raise RuntimeError(
            "write_network_stepper reads σ'(z) from the recorded pass: call it outside no_grad()"
        )
    # σ(z_j^l) and σ'(z_j^l) are read from the graph of the model's own pass: a_j^l and its local
    # derivative by z_j^l, stored when it was recorded ("linear" records no σ node: a is z, σ' 1).
    sigma = {l: [a.data for a in layer] for l, layer in trace.A.items() if l > 1}
    sigma_prime = {
        l: [local_derivatives(a)[0] if a is not z else 1.0 for z, a in zip(trace.Z[l], trace.A[l])]
        for l in trace.Z
    }
    activation = {l: layer.activation for l, layer in enumerate(model.layers, start=2)}
    numbers = _Pass(widths, W, B, activation, sigma, sigma_prime, targets)
    numbers.A[1] = inputs
    return numbers


# -- names and text ---------------------------------------------------------------------------


def _name(symbol: str, l: int, *indices: int) -> str:
    """A seed name with real sub- and superscripts: z₁², w₁₂³, δ₂³."""
    return pretty_label(seed_label(symbol, indices, l))


def _y(j: int) -> str:
    return pretty_label(f"y_{j}")


def _n(x: float) -> str:
    """A number as the page shows it; negative ones in brackets where they are multiplied."""
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


def _fold(terms: list[str]) -> list[str]:
    """The terms of a long sum shortened to its first three, "⋯", and its last one."""
    if len(terms) <= MAX_TERMS:
        return terms
    return [*terms[:3], f"⋯ ({len(terms) - 4} more)", terms[-1]]


def _shown(width: int) -> list[int | None]:
    """The neurons a layer draws, None standing for the "⋯ n more" marker of a wide layer."""
    if width <= MAX_SHOWN:
        return list(range(1, width + 1))
    return [*range(1, MAX_SHOWN - 1), None, width]


def _shown_rows(width: int, z: list[str], a: list[float]) -> list[tuple[int | None, str, float]]:
    """(j, z_j as written, a_j) for the neurons a layer draws; j None for its "⋯ more" marker."""
    return [(j, z[j - 1], a[j - 1]) if j is not None else (None, "", 0.0) for j in _shown(width)]


def _nid(l: int, j: int) -> str:
    return f"n{l}_{j}"


def _eid(l: int, j: int, k: int) -> str:
    return f"w{l}_{j}_{k}"


# -- the steps --------------------------------------------------------------------------------

Step = dict[str, Any]


def _steps(numbers: _Pass) -> list[Step]:
    """Every step of the algorithm, in order, each computing what it writes from what it reads."""
    L = len(numbers.widths)
    steps: list[Step] = []
    for l in range(2, L + 1):
        steps += [_eq1(numbers, l, j) for j in range(1, numbers.widths[l - 1] + 1)]
        steps.append(_eq2(numbers, l))
    steps.append(_cost(numbers))
    steps += [_eq3(numbers, j) for j in range(1, numbers.widths[-1] + 1)]
    for l in range(L - 1, 1, -1):
        steps += [_eq4(numbers, l, k) for k in range(1, numbers.widths[l - 1] + 1)]
    for l in range(L, 1, -1):
        numbers.dW[l] = [[] for _ in numbers.W[l]]
        numbers.dB[l] = []
        for j in range(1, numbers.widths[l - 1] + 1):
            steps += [_eq5(numbers, l, j, k) for k in range(1, numbers.widths[l - 2] + 1)]
            steps.append(_eq6(numbers, l, j))
    return _fold_steps(numbers, steps)


def _weighted_sum(weights: list[float], values: list[float]) -> tuple[float, list[str]]:
    """Σ_k w_k v_k as nn.backprop sums it (so the result is bit for bit the same), and its terms
    as the page writes them out."""
    terms = _fold([f"{_n(w)} × {_n(v)}" for w, v in zip(weights, values)])
    return dot_product(weights, values), terms


def _eq1(numbers: _Pass, l: int, j: int) -> Step:
    """eq. (1): z_j^l = Σ_k w_jk^l a_k^{l−1} + b_j^l."""
    weights, a, b = numbers.W[l][j - 1], numbers.A[l - 1], numbers.B[l][j - 1]
    total, terms = _weighted_sum(weights, a)
    z = total + b
    numbers.Z.setdefault(l, []).append(z)
    z_text = format_sum(z, sum(abs(w * v) for w, v in zip(weights, a)) + abs(b))
    numbers.Z_text.setdefault(l, []).append(z_text)
    ks = range(1, len(a) + 1)
    return {
        "eq": "(1)", "layer": l, "neuron": j,
        "title": f"Forward, layer {l}: the weighted input of neuron {j}",
        "general": "zⱼˡ = Σₖ wⱼₖˡ aₖˡ⁻¹ + bⱼˡ",
        "symbols": f"{_name('z', l, j)} = " + " + ".join(
            _fold([f"{_name('w', l, j, k)} {_name('a', l - 1, k)}" for k in ks])
            + [_name("b", l, j)]
        ),
        "numbers": "= " + " + ".join([*terms, _n(b)]),
        "result": f"{_name('z', l, j)} = {z_text}",
        "reads": [_nid(l - 1, k) for k in ks] + [_eid(l, j, k) for k in ks],
        "writes": [_nid(l, j)],
        "set": [[_nid(l, j), "z", z_text]],
    }


def _eq2(numbers: _Pass, l: int) -> Step:
    """eq. (2): A^l = σ(Z^l), one σ per neuron of the layer."""
    numbers.A[l] = list(numbers.sigma[l])
    sigma = numbers.activation[l]
    js = range(1, numbers.widths[l - 1] + 1)
    return {
        "eq": "(2)", "layer": l,
        "title": f"Forward, layer {l}: each neuron's activation, σ = {sigma}",
        "general": "Aˡ = σ(Zˡ), i.e. aⱼˡ = σ(zⱼˡ)   (the textbook prints Z = σ(A): a typo)",
        "lines": [
            f"{_name('a', l, j)} = σ({_name('z', l, j)}) = {sigma}({z}) = {format_number(a)}"
            if j is not None else f"⋯ ({numbers.widths[l - 1] - MAX_SHOWN + 1} more)"
            for j, z, a in _shown_rows(numbers.widths[l - 1], numbers.Z_text[l], numbers.A[l])
        ],
        "reads": [_nid(l, j) for j in js],
        "writes": [_nid(l, j) for j in js],
        "set": [[_nid(l, j), "a", format_number(a)] for j, a in zip(js, numbers.A[l])],
    }


def _cost(numbers: _Pass) -> Step:
    """C = ½ Σ_j (y_j − a_j^L)²."""
    L = len(numbers.widths)
    a, y = numbers.A[L], numbers.y
    numbers.cost = 0.5 * sum((y_j - a_j) ** 2 for y_j, a_j in zip(y, a))
    js = range(1, len(y) + 1)
    return {
        "eq": "C",
        "title": "The cost of this example",
        "general": "C = ½ Σⱼ (yⱼ − aⱼᴸ)²",
        "symbols": "C = ½ (" + " + ".join(
            _fold([f"({_y(j)} − {_name('a', L, j)})²" for j in js])
        ) + ")",
        "numbers": "= ½ (" + " + ".join(
            _fold([f"({format_number(y_j)} − {_n(a_j)})²" for y_j, a_j in zip(y, a)])
        ) + ")",
        "result": f"C = {format_number(numbers.cost)}",
        "reads": [_nid(L, j) for j in js] + ["targets"],
        "writes": ["cost"],
        "set": [["cost", "C", format_number(numbers.cost)]],
    }


def _eq3(numbers: _Pass, j: int) -> Step:
    """eq. (3): δ_j^L = (a_j^L − y_j) σ'(z_j^L)."""
    L = len(numbers.widths)
    a, y, s = numbers.A[L][j - 1], numbers.y[j - 1], numbers.sigma_prime[L][j - 1]
    d = (a - y) * s
    numbers.delta.setdefault(L, []).append(d)
    return {
        "eq": "(3)", "layer": L, "neuron": j,
        "title": f"Backward, output layer {L}: the error of neuron {j}",
        "general": "δⱼᴸ = (aⱼᴸ − yⱼ) σ′(zⱼᴸ)",
        "symbols": f"{_name('δ', L, j)} = ({_name('a', L, j)} − {_y(j)}) σ′({_name('z', L, j)})",
        "numbers": f"= ({format_number(a)} − {_n(y)}) × {_n(s)}",
        "note": f"σ = {numbers.activation[L]}: σ′({numbers.Z_text[L][j - 1]}) = "
        f"{format_number(s)}",
        "result": f"{_name('δ', L, j)} = {format_number(d)}",
        "reads": [_nid(L, j), "targets", "cost"],
        "writes": [_nid(L, j)],
        "set": [[_nid(L, j), "delta", format_number(d)]],
    }


def _eq4(numbers: _Pass, l: int, k: int) -> Step:
    """eq. (4): δ_k^l = (Σ_j w_jk^{l+1} δ_j^{l+1}) σ'(z_k^l)."""
    column = [row[k - 1] for row in numbers.W[l + 1]]
    later = numbers.delta[l + 1]
    total, terms = _weighted_sum(column, later)
    s = numbers.sigma_prime[l][k - 1]
    d = total * s
    numbers.delta.setdefault(l, []).append(d)
    js = range(1, len(later) + 1)
    return {
        "eq": "(4)", "layer": l, "neuron": k,
        "title": f"Backward, layer {l}: the error of neuron {k}, from layer {l + 1}'s errors",
        "general": "δₖˡ = (Σⱼ wⱼₖˡ⁺¹ δⱼˡ⁺¹) σ′(zₖˡ)   i.e. Δˡ = (Wˡ⁺¹)ᵀ Δˡ⁺¹ ⊙ σ′(Zˡ)",
        "symbols": f"{_name('δ', l, k)} = (" + " + ".join(
            _fold([f"{_name('w', l + 1, j, k)} {_name('δ', l + 1, j)}" for j in js])
        ) + f") σ′({_name('z', l, k)})",
        "numbers": "= (" + " + ".join(terms) + f") × {_n(s)} = {format_number(total)} × {_n(s)}",
        "note": f"σ = {numbers.activation[l]}: σ′({numbers.Z_text[l][k - 1]}) = "
        f"{format_number(s)}",
        "result": f"{_name('δ', l, k)} = {format_number(d)}",
        "reads": [_nid(l + 1, j) for j in js] + [_eid(l + 1, j, k) for j in js] + [_nid(l, k)],
        "writes": [_nid(l, k)],
        "set": [[_nid(l, k), "delta", format_number(d)]],
    }


def _eq5(numbers: _Pass, l: int, j: int, k: int) -> Step:
    """eq. (5): ∂C/∂w_jk^l = a_k^{l−1} δ_j^l."""
    a, d = numbers.A[l - 1][k - 1], numbers.delta[l][j - 1]
    g = a * d
    numbers.dW[l][j - 1].append(g)
    w = _name("w", l, j, k)
    return {
        "eq": "(5)", "layer": l, "neuron": j, "input": k,
        "title": f"Gradient of the weight from neuron {k} of layer {l - 1} to neuron {j} of "
        f"layer {l}",
        "general": "∂C/∂wⱼₖˡ = aₖˡ⁻¹ δⱼˡ",
        "symbols": f"∂C/∂{w} = {_name('a', l - 1, k)} {_name('δ', l, j)}",
        "numbers": f"= {_n(a)} × {_n(d)}",
        "result": f"∂C/∂{w} = {format_number(g)}",
        "reads": [_nid(l - 1, k), _nid(l, j)],
        "writes": [_eid(l, j, k)],
        "set": [[_eid(l, j, k), "dw", format_number(g)]],
    }


def _eq6(numbers: _Pass, l: int, j: int) -> Step:
    """eq. (6): ∂C/∂b_j^l = δ_j^l."""
    d = numbers.delta[l][j - 1]
    numbers.dB[l].append(d)
    b = _name("b", l, j)
    return {
        "eq": "(6)", "layer": l, "neuron": j,
        "title": f"Gradient of the bias of neuron {j} of layer {l}",
        "general": "∂C/∂bⱼˡ = δⱼˡ",
        "symbols": f"∂C/∂{b} = {_name('δ', l, j)}",
        "numbers": f"= {format_number(d)}",
        "result": f"∂C/∂{b} = {format_number(d)}",
        "reads": [_nid(l, j)],
        "writes": [_nid(l, j)],
        "set": [[_nid(l, j), "db", format_number(d)]],
    }


def _fold_steps(numbers: _Pass, steps: list[Step]) -> list[Step]:
    """The steps of the neurons (and weights) a folded layer does not draw, merged into one
    "likewise" step per run, so a wide layer costs a few steps, not thousands."""
    shown = {l: set(_shown(width)) for l, width in enumerate(numbers.widths, start=1)}
    kept: list[Step] = []
    for step in steps:
        hidden = (
            "neuron" in step and step["neuron"] not in shown[step["layer"]]
            or "input" in step and step["input"] not in shown[step["layer"] - 1]
        )
        if not hidden:
            for key in ("reads", "writes"):
                step[key] = [i for i in step[key] if _drawn(i, shown)]
            kept.append(step)
        elif kept and kept[-1].get("likewise") == (_group(step), step["layer"]):
            kept[-1]["count"] += 1
            kept[-1]["title"] = _likewise(step, kept[-1]["count"])
        else:
            kept.append({
                "eq": step["eq"], "likewise": (_group(step), step["layer"]), "count": 1,
                "title": _likewise(step, 1),
                "general": step["general"],
                "symbols": f"the same for the neurons of layer {step['layer']} the figure folds "
                "into “⋯ more”",
                "reads": [], "writes": [], "set": [],
            })
    for step in kept:
        step.pop("likewise", None)
    return kept


def _likewise(step: Step, count: int) -> str:
    """The title of a step standing for `count` steps the figure does not draw."""
    return (
        f"Eq. {_group(step)} likewise: {count} more step{'s' if count > 1 else ''} for the "
        f"part of layer {step['layer']} not drawn"
    )


def _group(step: Step) -> str:
    """Steps merged into one "likewise" step share a group: eqs. (5) and (6) go together."""
    return "(5), (6)" if step["eq"] in ("(5)", "(6)") else step["eq"]


def _drawn(element: str, shown: dict[int, set[int | None]]) -> bool:
    """Whether the figure draws this neuron or edge (ids n{l}_{j}, w{l}_{j}_{k})."""
    if element[0] not in "nw":
        return True
    indices = [int(i) for i in element[1:].split("_")]
    l = indices[0]
    if element[0] == "n":
        return indices[1] in shown[l]
    return indices[1] in shown[l] and indices[2] in shown[l - 1]


# -- the figure and the page's data --------------------------------------------------------------


def network_stepper_data(model: MLP, x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data: the figure, every step, the final numbers."""
    numbers = _start(model, x, y)
    steps = _steps(numbers)
    L = len(numbers.widths)
    return {
        "title": f"Backpropagation, step by step: the {'-'.join(map(str, numbers.widths))} network",
        "activations": [numbers.activation[l] for l in range(2, L + 1)],
        **_figure(numbers),
        "start": _start_step(numbers),
        "steps": steps,
        "final": {
            "Z": numbers.Z, "A": numbers.A, "delta": numbers.delta,
            "dW": numbers.dW, "dB": numbers.dB, "cost": numbers.cost,
        },
    }


def _start_step(numbers: _Pass) -> Step:
    """Step 0: the example. Layer 1 is the input, a_k^1 = x_k; y is the target."""
    return {
        "title": "The example: input x in layer 1, target y",
        "general": "aₖ¹ = xₖ; each step below applies one of the textbook's equations (1)–(6)",
        "symbols": "x = (" + ", ".join(_fold([format_number(v) for v in numbers.A[1]])) + ")",
        "numbers": "y = (" + ", ".join(_fold([format_number(v) for v in numbers.y])) + ")",
        "reads": [], "writes": [_nid(1, k) for k in _shown(numbers.widths[0]) if k] + ["targets"],
        "set": [],
    }


def _figure(numbers: _Pass) -> dict[str, Any]:
    """Where each drawn neuron, edge, marker and the cost go, in SVG units."""
    L = len(numbers.widths)
    height_of = {l: LINE * (1 if l == 1 else 4) + 2 * PAD for l in range(1, L + 1)}
    slot = max(height_of.values()) + ROW_GAP
    rows = max(len(_shown(width)) for width in numbers.widths)
    neurons: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    centre: dict[tuple[int, int], tuple[float, float]] = {}
    for l, width in enumerate(numbers.widths, start=1):
        left = PAD + (l - 1) * (BOX_WIDTH + COLUMN_GAP)
        shown = _shown(width)
        offset = TOP + (rows - len(shown)) * slot / 2
        for row, j in enumerate(shown):
            middle = offset + row * slot + slot / 2
            if j is None:
                markers.append({"x": left + BOX_WIDTH / 2, "y": middle,
                                "text": f"⋯ {width - MAX_SHOWN + 1} more"})
                continue
            centre[(l, j)] = (left + BOX_WIDTH / 2, middle)
            neurons.append({
                "id": _nid(l, j), "layer": l, "j": j,
                "kind": "input" if l == 1 else "output" if l == L else "hidden",
                "x": left, "y": middle - height_of[l] / 2, "w": BOX_WIDTH, "h": height_of[l],
                "names": {"a": _name("a", l, j), "z": _name("z", l, j), "delta": _name("δ", l, j),
                          "db": "∂C/∂" + _name("b", l, j)},
                "a": format_number(numbers.A[1][j - 1]) if l == 1 else "",
            })
    edges = [
        {"id": _eid(l, j, k), "from": _nid(l - 1, k), "to": _nid(l, j),
         "name": "∂C/∂" + _name("w", l, j, k),
         "weight": f"{_name('w', l, j, k)} = {format_number(numbers.W[l][j - 1][k - 1])}",
         "x1": centre[(l - 1, k)][0] + BOX_WIDTH / 2, "y1": centre[(l - 1, k)][1],
         "x2": centre[(l, j)][0] - BOX_WIDTH / 2, "y2": centre[(l, j)][1],
         "positive": numbers.W[l][j - 1][k - 1] >= 0}
        for l in range(2, L + 1)
        for j in _shown(numbers.widths[l - 1]) if j is not None
        for k in _shown(numbers.widths[l - 2]) if k is not None
    ]
    cost_left = PAD + L * BOX_WIDTH + (L - 1) * COLUMN_GAP + TARGET_GAP
    cost_y = TOP + rows * slot / 2
    targets = [
        {"x1": centre[(L, j)][0] + BOX_WIDTH / 2, "y1": centre[(L, j)][1],
         "x2": cost_left, "y2": cost_y, "text": f"{_y(j)} = {format_number(numbers.y[j - 1])}"}
        for j in _shown(numbers.widths[-1]) if j is not None
    ]
    titles = [
        {"x": PAD + (l - 1) * (BOX_WIDTH + COLUMN_GAP) + BOX_WIDTH / 2,
         "text": f"layer {l} · " + ("input" if l == 1 else numbers.activation[l])}
        for l in range(1, L + 1)
    ]
    return {
        "width": cost_left + 110 + PAD, "height": TOP + rows * slot + PAD,
        "lineHeight": LINE, "pad": PAD,
        "neurons": neurons, "markers": markers, "edges": edges, "titles": titles,
        "cost": {"x": cost_left, "y": cost_y - LINE - PAD, "w": 110, "h": 2 * (LINE + PAD)},
        "targets": targets,
    }
