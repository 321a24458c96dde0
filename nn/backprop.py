"""The seed's backpropagation on plain floats: eqs. (1)-(6), in its notation.

Weights and biases are dicts keyed by the seed's layer number l = 2..L:
`W[l][j-1][k-1]` is w_jk^l (from neuron k of layer l-1 to neuron j of layer l) and
`B[l][j-1]` is b_j^l. One activation σ serves every layer, as in the seed; the cost for one
example is C = ½ ‖Y − A^L‖². Nothing here uses the engine (only `weights_of` and `assign` read
and write a model's Values), so comparing it with `Value.backward()` checks one with the other.
"""


from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nn.module import MLP, check_activation

Vector = list[float]
Matrix = list[list[float]]
Weights = dict[int, Matrix]
Biases = dict[int, Vector]
Layers = dict[int, Vector]


def _sigmoid(z: float) -> float:
    """1 / (1 + e^-z), with each branch written so that it cannot overflow."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _sigmoid_prime(z: float) -> float:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_prime(z: float) -> float:
    t = math.tanh(z)
    return 1.0 - t * t


# σ and σ' for each activation name, on plain floats.
_SIGMA: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "tanh": (math.tanh, _tanh_prime),
    "relu": (lambda z: z if z > 0.0 else 0.0, lambda z: 1.0 if z > 0.0 else 0.0),
    "linear": (lambda z: z, lambda z: 1.0),
}


def weights_of(model: MLP) -> tuple[Weights, Biases]:
    """The model's parameters as floats: W[l][j-1][k-1] = w_jk^l and B[l][j-1] = b_j^l."""
    if not isinstance(model, MLP):
        raise TypeError(f"weights_of needs an MLP, got {type(model).__name__}")
    W: Weights = {}
    B: Biases = {}
    for l, layer in enumerate(model.layers, start=2):
        W[l] = [[w.data for w in neuron.weights] for neuron in layer.neurons]
        B[l] = [neuron.bias.data for neuron in layer.neurons]
    return W, B


def assign(model: MLP, W: Weights, B: Biases) -> None:
    """Set the model's parameters to W and B (the inverse of weights_of)."""
    if not isinstance(model, MLP):
        raise TypeError(f"assign needs an MLP, got {type(model).__name__}")
    widths = layer_widths(W, B)
    if widths != [model.nin, *model.nouts]:
        raise ValueError(
            f"W and B have layer widths {widths} but the model has {[model.nin, *model.nouts]}"
        )
    for l, layer in enumerate(model.layers, start=2):
        for neuron, row, bias in zip(layer.neurons, W[l], B[l]):
            for w, value in zip(neuron.weights, row):
                w.data = value
            neuron.bias.data = bias


def layer_widths(W: Weights, B: Biases) -> list[int]:
    """The number of neurons in layers 1..L, after checking that W and B fit together."""
    if not isinstance(W, dict) or not isinstance(B, dict):
        raise TypeError("W and B must be dicts keyed by the layer number l = 2..L")
    L = len(W) + 1
    if L < 2 or sorted(W) != list(range(2, L + 1)) or sorted(B) != sorted(W):
        raise ValueError(
            "W and B must both have the keys 2..L (layer 1 is the input); "
            f"got W: {sorted(W)}, B: {sorted(B)}"
        )
    widths = [len(W[2][0]) if W[2] else 0]
    for l in range(2, L + 1):
        if not W[l] or len(B[l]) != len(W[l]):
            raise ValueError(
                f"layer {l}: W[{l}] has {len(W[l])} rows but B[{l}] has {len(B[l])} biases"
            )
        for j, row in enumerate(W[l], start=1):
            if len(row) != widths[-1] or not row:
                raise ValueError(
                    f"W[{l}] row {j} has {len(row)} weights "
                    f"but layer {l - 1} has {widths[-1]} neurons"
                )
        widths.append(len(W[l]))
    return widths


def _vector(x: Sequence[float], length: int, name: str) -> Vector:
    """`x` as a list of floats of the given length, or an error naming it."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{name} must be a list of {length} numbers, got {x!r}")
    if len(x) != length:
        raise ValueError(f"{name} has {len(x)} numbers but the network needs {length}")
    for v in x:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{name} must hold numbers, got {type(v).__name__} {v!r}")
    return [float(v) for v in x]


def forward(
    W: Weights, B: Biases, x: Sequence[float], activation: str = "sigmoid"
) -> tuple[Layers, Layers]:
    """(Z, A) by layer, from A[1] = x through eqs. (1) and (2)."""
    sigma = _SIGMA[check_activation(activation)][0]
    widths = layer_widths(W, B)
    return _forward(W, B, _vector(x, widths[0], "x"), sigma)


def _forward(
    W: Weights, B: Biases, a: Vector, sigma: Callable[[float], float]
) -> tuple[Layers, Layers]:
    Z: Layers = {}
    A: Layers = {1: a}
    for l in range(2, len(W) + 2):
        # eq. (1): Z^l = W^l A^{l-1} + B^l, i.e. z_j^l = Σ_k w_jk^l a_k^{l-1} + b_j^l
        Z[l] = [dot_product(row, A[l - 1]) + b for row, b in zip(W[l], B[l])]
        # eq. (2): A^l = σ(Z^l)  (the seed prints Z^l = σ(A^l); that is a typo)
        A[l] = [sigma(z) for z in Z[l]]
    return Z, A


def dot_product(u: Sequence[float], v: Sequence[float]) -> float:
    """Σ_k u_k v_k, summed left to right (the network stepper shows these very sums)."""
    total = 0.0
    for p, q in zip(u, v):
        total += p * q
    return total


@dataclass(frozen=True)
class Backward:
    """Everything one example's backward pass gives, by layer l: Z, A, δ, ∂C/∂W, ∂C/∂B and C."""

    Z: Layers
    A: Layers
    delta: Layers
    dW: Weights
    dB: Biases
    cost: float


def backward(
    W: Weights, B: Biases, x: Sequence[float], y: Sequence[float], activation: str = "sigmoid"
) -> Backward:
    """The forward pass, then eqs. (3)-(6) from the output layer L back to layer 2."""
    sigma, sigma_prime = _SIGMA[check_activation(activation)]
    widths = layer_widths(W, B)
    L = len(widths)
    Z, A = _forward(W, B, _vector(x, widths[0], "x"), sigma)
    target = _vector(y, widths[-1], "y")
    # C = ½ ‖Y − A^L‖² = ½ Σ_j (y_j − a_j^L)²
    cost = 0.5 * sum((y_j - a_j) ** 2 for y_j, a_j in zip(target, A[L]))
    delta: Layers = {}
    # eq. (3): Δ^L = (A^L − Y) ⊙ σ'(Z^L)
    delta[L] = [(a_j - y_j) * sigma_prime(z_j) for a_j, y_j, z_j in zip(A[L], target, Z[L])]
    for l in range(L - 1, 1, -1):
        # eq. (4): Δ^l = (W^{l+1})ᵀ Δ^{l+1} ⊙ σ'(Z^l)
        #          i.e. δ_k^l = (Σ_j w_jk^{l+1} δ_j^{l+1}) σ'(z_k^l)
        delta[l] = [
            dot_product([row[k] for row in W[l + 1]], delta[l + 1]) * sigma_prime(z_k)
            for k, z_k in enumerate(Z[l])
        ]
    # eq. (5): ∂C/∂w_jk^l = a_k^{l-1} δ_j^l
    dW = {l: [[a_k * d_j for a_k in A[l - 1]] for d_j in delta[l]] for l in delta}
    # eq. (6): ∂C/∂b_j^l = δ_j^l
    dB = {l: list(delta[l]) for l in delta}
    return Backward(Z, A, delta, dW, dB, cost)


def minibatch_gradients(
    W: Weights,
    B: Biases,
    X: Sequence[Sequence[float]],
    Y: Sequence[Sequence[float]],
    activation: str = "sigmoid",
) -> tuple[Weights, Biases]:
    """(dW, dB) averaged over the examples of a mini-batch, as the seed's conclusion says."""
    if len(X) != len(Y):
        raise ValueError(f"minibatch_gradients: {len(X)} inputs but {len(Y)} targets")
    if not X:
        raise ValueError("minibatch_gradients: the mini-batch is empty")
    passes = [backward(W, B, x, y, activation) for x, y in zip(X, Y)]
    dW = {l: [_mean([p.dW[l][j] for p in passes]) for j in range(len(W[l]))] for l in W}
    dB = {l: _mean([p.dB[l] for p in passes]) for l in B}
    return dW, dB


def _mean(vectors: list[Vector]) -> Vector:
    """The element-wise mean of equally long vectors."""
    return [math.fsum(column) / len(vectors) for column in zip(*vectors)]
