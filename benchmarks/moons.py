"""The moons problem, and the training step on it written four ways.

Every step starts from the same weights (those of chainrule's `MLP(2, [16, 16, 1], seed=0)`),
runs forward, the loss, zero_grad, backward and one SGD update, and reports its loss, gradients
and updated weights so that `variants.check_agreement` can hold them to one another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import mul
from types import ModuleType
from typing import Any, Protocol

import autograd
from autograd import Value
from autograd.compile import compile_batch
from nn import MLP, SGD, hinge, l2
from nn.backprop import Biases, Weights, assign, weights_of
from nn.datasets import moons
from nn.export import to_torch

WIDTHS = (16, 16, 1)  # MLP(2, [16, 16, 1]): ReLU hidden layers, a linear output (micrograd's demo)
NOISE = 0.1
ALPHA = 1e-4  # loss = mean hinge + ALPHA · Σ p²
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Moons:
    """What every variant trains on: the points, labels 0/1, the layer widths of the MLP on
    them (2 inputs), and its starting weights W, B."""

    X: list[list[float]]
    labels: list[int]
    widths: list[int]
    W: Weights
    B: Biases

    @property
    def signs(self) -> list[float]:
        """The labels as y = ±1, as the hinge loss uses them."""
        return [2.0 * label - 1.0 for label in self.labels]


def moons_problem(points: int, widths: Sequence[int] = WIDTHS) -> Moons:
    """`points` moons (noise 0.1) and the weights of chainrule's MLP(2, widths, seed=0)."""
    X, labels = moons(points, noise=NOISE, seed=0)
    W, B = weights_of(MLP(2, list(widths), activation="relu"))
    return Moons(X, labels, list(widths), W, B)


def flatten(W: Weights, B: Biases) -> list[float]:
    """Parameters in the order model.parameters() gives them: per neuron w_j1..w_jn, then b_j."""
    return [p for l in sorted(W) for row, b in zip(W[l], B[l]) for p in (*row, b)]


class MoonsStep(Protocol):
    """One variant of the training step: forward, loss, zero_grad, backward, one SGD update."""

    def step(self) -> float:
        """Take one step; return the loss (computed before the update)."""

    def gradients(self) -> list[float]:
        """∂loss/∂p from the last step, in `flatten` order."""

    def parameters(self) -> list[float]:
        """The current weights, in `flatten` order."""


class ChainruleStep:
    """chainrule's MLP, written as a user writes a training step."""

    __slots__ = ("model", "optimizer", "X", "labels")

    def __init__(self, problem: Moons, expand: bool = False) -> None:
        self.model = MLP(2, problem.widths, activation="relu", expand=expand)
        assign(self.model, problem.W, problem.B)
        self.optimizer = SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.X, self.labels = problem.X, problem.labels

    def step(self) -> float:
        model = self.model
        losses = [hinge(model(x), label) for x, label in zip(self.X, self.labels)]
        loss = sum(losses, Value(0.0)) / len(losses) + ALPHA * l2(model.parameters())
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.data

    def gradients(self) -> list[float]:
        return [p.grad for p in self.model.parameters()]

    def parameters(self) -> list[float]:
        return [p.data for p in self.model.parameters()]


class CompiledStep:
    """chainrule's MLP with one example's loss compiled once (`autograd.compile_batch`, as
    fit(compile=True) trains) and run over the batch; the penalty is compiled on its own.

    Building the step is the set-up: recording the example's graph and writing its code.
    """

    __slots__ = ("parameters_", "optimizer", "batch", "penalty", "rows")

    def __init__(self, problem: Moons) -> None:
        model = MLP(2, problem.widths, activation="relu")
        assign(model, problem.W, problem.B)
        self.parameters_ = model.parameters()
        self.optimizer = SGD(self.parameters_, lr=LEARNING_RATE)
        x = [Value(a) for a in problem.X[0]]
        sign = Value(problem.signs[0])
        example_loss = (1.0 - sign * model(x)).relu()  # hinge, its sign y = ±1 a leaf as x is
        self.batch = compile_batch(example_loss, self.parameters_, [*x, sign])
        self.penalty = autograd.compile(ALPHA * l2(self.parameters_), self.parameters_)
        self.rows = [(*x, y) for x, y in zip(problem.X, problem.signs)]

    def step(self) -> float:
        values = [p.data for p in self.parameters_]
        n = len(self.rows)
        result = self.batch(values, self.rows, 1.0 / n)
        if result is None:
            raise ArithmeticError("the compiled moons step met a non-finite number")
        total, gradients, _ = result
        penalty, penalty_gradients = self.penalty(values)
        for p, g, h in zip(self.parameters_, gradients, penalty_gradients):
            p.grad = g + h
        self.optimizer.step()
        return total / n + penalty

    def gradients(self) -> list[float]:
        return [p.grad for p in self.parameters_]

    def parameters(self) -> list[float]:
        return [p.data for p in self.parameters_]


class MicrogradStep:
    """micrograd 0.1.0 with the same weights copied in, and the loss and update of its demo."""

    __slots__ = ("model", "value", "X", "signs")

    def __init__(self, problem: Moons, micrograd: ModuleType) -> None:
        self.model = micrograd.MLP(2, problem.widths)
        for p, value in zip(self.model.parameters(), flatten(problem.W, problem.B)):
            p.data = value
        self.value = micrograd.Value
        self.X, self.signs = problem.X, problem.signs

    def step(self) -> float:
        model = self.model
        inputs = [list(map(self.value, x)) for x in self.X]
        scores = list(map(model, inputs))
        losses = [(1 + -y * score).relu() for y, score in zip(self.signs, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        loss = data_loss + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return float(loss.data)

    def gradients(self) -> list[float]:
        return [p.grad for p in self.model.parameters()]

    def parameters(self) -> list[float]:
        return [p.data for p in self.model.parameters()]


class FloatStep:
    """The floor: the same step on plain floats with no graph, the seed's eqs. (1)-(6) by hand.

    Hidden layers use ReLU and the output is linear, so σ' is 1 or 0 and the output δ comes from
    the hinge loss instead of the seed's quadratic cost.
    """

    __slots__ = ("W", "B", "dW", "dB", "X", "signs")

    def __init__(self, problem: Moons) -> None:
        self.W = {l: [list(row) for row in rows] for l, rows in problem.W.items()}
        self.B = {l: list(b) for l, b in problem.B.items()}
        self.dW: Weights = {}
        self.dB: Biases = {}
        self.X, self.signs = problem.X, problem.signs

    def step(self) -> float:
        W, B, L, n = self.W, self.B, max(self.W), len(self.X)
        dW = {l: [[0.0] * len(row) for row in W[l]] for l in W}
        dB = {l: [0.0] * len(B[l]) for l in B}
        columns = {l: list(zip(*W[l])) for l in W}  # (W^l)ᵀ, for eq. (4)
        total = 0.0
        for x, y in zip(self.X, self.signs):
            Z, A = self._forward(x)
            margin = 1.0 - y * A[L][0]
            total += margin if margin > 0.0 else 0.0
            # eq. (3) for this loss: δ^L = ∂C/∂z^L = −y/n where the hinge is active, else 0
            delta = [-y / n if margin > 0.0 else 0.0]
            for l in range(L, 1, -1):
                for gradient_row, d_j in zip(dW[l], delta):
                    # eq. (5): ∂C/∂w_jk^l = a_k^{l-1} δ_j^l, summed over the examples
                    for k, a_k in enumerate(A[l - 1]):
                        gradient_row[k] += a_k * d_j
                # eq. (6): ∂C/∂b_j^l = δ_j^l
                dB[l] = [g + d_j for g, d_j in zip(dB[l], delta)]
                if l > 2:
                    # eq. (4): δ_k^{l-1} = Σ_j w_jk^l δ_j^l · σ'(z_k^{l-1}), σ' of ReLU is 1 or 0
                    delta = [
                        sum(map(mul, column, delta)) if z_k > 0.0 else 0.0
                        for column, z_k in zip(columns[l], Z[l - 1])
                    ]
        parameters = flatten(W, B)
        loss = total / n + ALPHA * sum(p * p for p in parameters)
        for l in W:  # the penalty's gradient 2·α·p, then the SGD update p ← p − lr·∂loss/∂p
            for row, gradient_row in zip(W[l], dW[l]):
                for k, w in enumerate(row):
                    gradient_row[k] += 2.0 * ALPHA * w
                    row[k] = w - LEARNING_RATE * gradient_row[k]
            dB[l] = [g + 2.0 * ALPHA * b for g, b in zip(dB[l], B[l])]
            B[l] = [b - LEARNING_RATE * g for b, g in zip(B[l], dB[l])]
        self.dW, self.dB = dW, dB
        return loss

    def _forward(self, x: list[float]) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
        """Z and A by layer for one example: ReLU hidden layers, a linear output layer L."""
        W, B, L = self.W, self.B, max(self.W)
        Z: dict[int, list[float]] = {}
        A = {1: x}
        for l in range(2, L + 1):
            # eq. (1): z_j^l = Σ_k w_jk^l a_k^{l-1} + b_j^l
            Z[l] = [sum(map(mul, row, A[l - 1])) + b for row, b in zip(W[l], B[l])]
            # eq. (2): a_j^l = σ(z_j^l), σ = ReLU below the output, the identity at layer L
            A[l] = Z[l] if l == L else [z if z > 0.0 else 0.0 for z in Z[l]]
        return Z, A

    def gradients(self) -> list[float]:
        return flatten(self.dW, self.dB)

    def parameters(self) -> list[float]:
        return flatten(self.W, self.B)


class TorchStep:
    """PyTorch in float64 on the whole batch at once (for context: compiled kernels)."""

    __slots__ = ("torch", "net", "X", "signs", "optimizer")

    def __init__(self, problem: Moons, torch: ModuleType) -> None:
        model = MLP(2, problem.widths, activation="relu")
        assign(model, problem.W, problem.B)
        self.torch = torch
        self.net = to_torch(model)
        self.X = torch.tensor(problem.X, dtype=torch.float64)
        self.signs = torch.tensor(problem.signs, dtype=torch.float64)
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=LEARNING_RATE)

    def step(self) -> float:
        scores = self.net(self.X).squeeze(1)
        penalty = sum((p * p).sum() for p in self.net.parameters())
        loss = self.torch.relu(1.0 - self.signs * scores).mean() + ALPHA * penalty
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.item())

    def gradients(self) -> list[float]:
        return self._flat(lambda tensor: tensor.grad)

    def parameters(self) -> list[float]:
        return self._flat(lambda tensor: tensor)

    def _flat(self, pick: Callable[[Any], Any]) -> list[float]:
        linears = [m for m in self.net if isinstance(m, self.torch.nn.Linear)]
        W = {l: pick(m.weight).tolist() for l, m in enumerate(linears, start=2)}
        B = {l: pick(m.bias).tolist() for l, m in enumerate(linears, start=2)}
        return flatten(W, B)
