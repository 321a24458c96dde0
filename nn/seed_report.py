"""The 3-4-2 worked example of the textbook derivation (docs/derivation.md), as a teacher would
write it on the board, in its notation.

`seed_report()` returns the text: the forward pass (eqs. (1)-(2)), the cost, Δ³ and Δ² (eqs.
(3)-(4)), every ∂C/∂w_jk^l and ∂C/∂b_j^l (eqs. (5)-(6)), and a last line comparing all of it
with what the engine's `backward()` gives. examples/seed_example.py and `chainrule example` print
it.
"""


from __future__ import annotations

from collections.abc import Sequence

from nn import backprop
from nn.datasets import seed_example
from nn.losses import half_squared_error
from nn.module import MLP

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sup(l: int) -> str:
    """A layer number as a superscript: 2 -> "²"."""
    return str(l).translate(_SUPERSCRIPT)


def _num(x: float) -> str:
    """A computed number, to 6 decimals."""
    return f"{x:.6f}"


def _factor(x: float, short: bool = True) -> str:
    """A number inside a product, in brackets when negative: a given one short, a computed one
    to 6 decimals."""
    text = f"{x:.6g}" if short else _num(x)
    return f"({text})" if x < 0 else text


def _vector(name: str, values: Sequence[float]) -> str:
    """ "Z² = (0.1, 0.2)": a whole layer's numbers on one line."""
    return f"{name} = (" + ", ".join(_num(v) for v in values) + ")"


def seed_report() -> str:
    """The worked example (nn.datasets.seed_example) as printable text."""
    model, x, y = seed_example()
    W, B = backprop.weights_of(model)
    result = backprop.backward(W, B, x, y, "sigmoid")
    L = max(W)
    lines = [
        "The worked example: 3 inputs → 4 hidden → 2 outputs, σ = sigmoid in every layer.",
        "The derivation of every equation below: docs/derivation.md.",
        "Notation: layer 1 is the input; w_jk^l joins neuron k of layer l-1 to neuron j of "
        "layer l; b_j^l is the bias of neuron j of layer l.",
        "",
        "A¹ = (" + ", ".join(f"{v:g}" for v in x) + ")    Y = (" + ", ".join(f"{v:g}" for v in y)
        + ")",
    ]
    for l in range(2, L + 1):
        lines.append(f"W{_sup(l)} = " + "  ".join(
            "[" + " ".join(f"{w:g}" for w in row) + "]" for row in W[l]
        ) + f"    B{_sup(l)} = [" + " ".join(f"{b:g}" for b in B[l]) + "]")
    lines += _forward_lines(W, B, y, result)
    lines += _backward_lines(W, y, result)
    lines += _gradient_lines(result)
    difference = _engine_difference(model, x, y, result)
    lines += ["", f"engine and equations agree (max diff {difference:.1e})"]
    return "\n".join(lines)


def _forward_lines(
    W: backprop.Weights, B: backprop.Biases, y: list[float], result: backprop.Backward
) -> list[str]:
    """Eqs. (1) and (2) neuron by neuron, then the cost."""
    lines = [
        "",
        "Forward pass",
        "  eq. (1)  Z^l = W^l A^{l-1} + B^l",
        "  eq. (2)  A^l = σ(Z^l)    (the textbook prints Z^l = σ(A^l), a typo: σ turns z into a)",
    ]
    for l in W:
        lines.append("")
        for j, (row, b) in enumerate(zip(W[l], B[l]), start=1):
            symbols = " + ".join(f"w_{j}{k}^{l} a_{k}^{l - 1}" for k in range(1, len(row) + 1))
            numbers = " + ".join(
                f"{_factor(w)}×{_factor(a)}" for w, a in zip(row, result.A[l - 1])
            )
            lines.append(f"  z_{j}^{l} = {symbols} + b_{j}^{l}")
            lines.append(f"        = {numbers} + {_factor(b)} = {_num(result.Z[l][j - 1])}")
            lines.append(f"  a_{j}^{l} = σ(z_{j}^{l}) = {_num(result.A[l][j - 1])}")
        lines.append(_vector(f"Z{_sup(l)}", result.Z[l]))
        lines.append(_vector(f"A{_sup(l)}", result.A[l]))
    L = max(W)
    terms = " + ".join(
        f"({y_j:g} − {_num(a_j)})²" for y_j, a_j in zip(y, result.A[L])
    )
    lines += [
        "",
        f"Cost  C = ½ ‖Y − A{_sup(L)}‖² = ½ Σ_j (y_j − a_j^{L})² = ½ [{terms}]",
        f"        = {_num(result.cost)}",
    ]
    return lines


def _backward_lines(W: backprop.Weights, y: list[float], result: backprop.Backward) -> list[str]:
    """Eq. (3) for the output layer, then eq. (4) back to layer 2."""
    L = max(W)
    lines = [
        "",
        "Backward pass    (σ'(z) = σ(z)(1 − σ(z)) for the sigmoid)",
        f"  eq. (3)  Δ{_sup(L)} = (A{_sup(L)} − Y) ⊙ σ'(Z{_sup(L)})",
    ]
    for j, (a_j, y_j, d_j) in enumerate(
        zip(result.A[L], y, result.delta[L]), start=1
    ):
        lines.append(
            f"  δ_{j}^{L} = (a_{j}^{L} − y_{j}) σ'(z_{j}^{L}) = ({_num(a_j)} − {y_j:g}) × "
            f"{_num(_slope(a_j))} = {_num(d_j)}"
        )
    lines.append(_vector(f"Δ{_sup(L)}", result.delta[L]))
    for l in range(L - 1, 1, -1):
        lines.append(f"  eq. (4)  Δ{_sup(l)} = (W{_sup(l + 1)})ᵀ Δ{_sup(l + 1)} ⊙ σ'(Z{_sup(l)})")
        for k, d_k in enumerate(result.delta[l], start=1):
            symbols = " + ".join(
                f"w_{j}{k}^{l + 1} δ_{j}^{l + 1}" for j in range(1, len(W[l + 1]) + 1)
            )
            column = [row[k - 1] for row in W[l + 1]]
            numbers = " + ".join(
                f"{_factor(w)}×{_factor(d)}" for w, d in zip(column, result.delta[l + 1])
            )
            lines.append(f"  δ_{k}^{l} = ({symbols}) σ'(z_{k}^{l})")
            lines.append(
                f"        = ({numbers}) × {_num(_slope(result.A[l][k - 1]))} = {_num(d_k)}"
            )
        lines.append(_vector(f"Δ{_sup(l)}", result.delta[l]))
    return lines


def _slope(a: float) -> float:
    """σ'(z) for the sigmoid, from its output a = σ(z): a(1 − a)."""
    return a * (1.0 - a)


def _gradient_lines(result: backprop.Backward) -> list[str]:
    """Eqs. (5) and (6) for every weight and bias."""
    lines = ["", "Gradients", "  eq. (5)  ∂C/∂w_jk^l = a_k^{l-1} δ_j^l"]
    for l in sorted(result.dW):
        for j, row in enumerate(result.dW[l], start=1):
            for k, g in enumerate(row, start=1):
                lines.append(
                    f"  ∂C/∂w_{j}{k}^{l} = a_{k}^{l - 1} δ_{j}^{l} = "
                    f"{_factor(result.A[l - 1][k - 1], short=False)} × "
                    f"{_factor(result.delta[l][j - 1], short=False)} = {_num(g)}"
                )
    lines.append("  eq. (6)  ∂C/∂b_j^l = δ_j^l")
    for l in sorted(result.dB):
        for j, g in enumerate(result.dB[l], start=1):
            lines.append(f"  ∂C/∂b_{j}^{l} = δ_{j}^{l} = {_num(g)}")
    return lines


def _engine_difference(
    model: MLP, x: list[float], y: list[float], result: backprop.Backward
) -> float:
    """The largest |engine − equations| over every Z, A, C, δ, ∂C/∂w and ∂C/∂b."""
    model.zero_grad()
    trace = model.trace(x)
    L = max(result.dW)
    cost = half_squared_error(trace.A[L], y)
    cost.backward()
    pairs = [(cost.data, result.cost)]
    for l in range(2, L + 1):
        pairs += [(z.data, v) for z, v in zip(trace.Z[l], result.Z[l])]
        pairs += [(a.data, v) for a, v in zip(trace.A[l], result.A[l])]
        pairs += [(z.grad, v) for z, v in zip(trace.Z[l], result.delta[l])]
        for j in range(1, len(result.dW[l]) + 1):
            pairs.append((model.bias(l, j).grad, result.dB[l][j - 1]))
            pairs += [
                (model.weight(l, j, k).grad, g) for k, g in enumerate(result.dW[l][j - 1], start=1)
            ]
    return max(abs(engine - textbook) for engine, textbook in pairs)
