"""Small data sets generated in code (no downloads), and the seed's 3-4-2 worked example.

`moons` and `circles` follow scikit-learn's make_moons and make_circles: points on the curves,
Gaussian noise of standard deviation `noise` on each coordinate, then shuffled; the label is
0 for the outer curve and 1 for the inner one. They are seeded with `random.Random(seed)`.
"""

from __future__ import annotations

import math
import random

from autograd import Value
from nn.backprop import assign
from nn.checks import integer, number
from nn.module import MLP

Points = list[list[float]]
Labels = list[int]


def _checked(n: object, noise: object, seed: object, name: str) -> tuple[int, float, int]:
    """(n, noise, seed) as plain Python numbers, or TypeError/ValueError naming the bad one."""
    return (
        integer(n, f"{name}: n", minimum=2, why=" (one point per class at least)"),
        number(noise, f"{name}: noise", lambda x: x >= 0.0, "a finite number >= 0"),
        integer(seed, f"{name}: seed"),
    )


def _linspace(start: float, stop: float, count: int, endpoint: bool = True) -> list[float]:
    """`count` evenly spaced numbers from start to stop (like numpy.linspace)."""
    intervals = count - 1 if endpoint and count > 1 else count
    step = (stop - start) / intervals if intervals else 0.0
    return [start + i * step for i in range(count)]


def _noisy_shuffled(
    points: Points, labels: Labels, noise: float, seed: int
) -> tuple[Points, Labels]:
    """Add N(0, noise²) to every coordinate, then shuffle the examples (both from one seed)."""
    rng = random.Random(seed)
    noisy = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in points]
    order = list(range(len(noisy)))
    rng.shuffle(order)
    return [noisy[i] for i in order], [labels[i] for i in order]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[Points, Labels]:
    """Two interleaving half circles: n points [x0, x1] and their labels 0/1."""
    n, noise, seed = _checked(n, noise, seed, "moons")
    n_outer = n // 2
    n_inner = n - n_outer
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_outer)]
    inner = [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_inner)]
    return _noisy_shuffled(outer + inner, [0] * n_outer + [1] * n_inner, noise, seed)


def circles(
    n: int = 100, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> tuple[Points, Labels]:
    """A small circle (label 1, radius `factor`) inside a unit circle (label 0)."""
    n, noise, seed = _checked(n, noise, seed, "circles")
    factor = number(
        factor, "circles: factor", lambda f: 0.0 < f < 1.0, "between 0 and 1 (exclusive)"
    )
    n_outer = n // 2
    n_inner = n - n_outer
    outer = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, 2 * math.pi, n_outer, False)]
    inner = [
        [factor * math.cos(t), factor * math.sin(t)]
        for t in _linspace(0.0, 2 * math.pi, n_inner, False)
    ]
    return _noisy_shuffled(outer + inner, [0] * n_outer + [1] * n_inner, noise, seed)


def xor() -> tuple[Points, Labels]:
    """The four corners of the unit square, labelled x0 XOR x1."""
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]


# The seed's figure: 3 inputs -> 4 hidden -> 2 outputs. The numbers are chosen by hand: small,
# distinct and of both signs, so each one is easy to find again in the printed example.
SEED_W2 = [
    [0.1, 0.2, 0.3],  # w_11^2 w_12^2 w_13^2
    [-0.4, 0.5, -0.6],  # w_21^2 w_22^2 w_23^2
    [0.7, -0.8, 0.9],  # w_31^2 w_32^2 w_33^2
    [-0.2, 0.4, 0.6],  # w_41^2 w_42^2 w_43^2
]
SEED_B2 = [0.1, -0.1, 0.2, 0.0]  # b_1^2 .. b_4^2
SEED_W3 = [
    [0.3, -0.5, 0.8, 0.2],  # w_11^3 .. w_14^3
    [-0.6, 0.4, 0.1, -0.7],  # w_21^3 .. w_24^3
]
SEED_B3 = [0.05, -0.05]  # b_1^3 b_2^3
SEED_X = [1.0, 0.5, -1.0]  # a_1^1 a_2^1 a_3^1
SEED_Y = [1.0, 0.0]  # y_1 y_2


def seed_example(expand: bool = False) -> tuple[MLP, list[float], list[float]]:
    """The seed's 3-4-2 network (σ = sigmoid everywhere) with the weights above, x and y."""
    model = MLP(3, [4, 2], activation="sigmoid", output_activation="sigmoid", expand=expand)
    assign(model, {2: SEED_W2, 3: SEED_W3}, {2: SEED_B2, 3: SEED_B3})
    return model, list(SEED_X), list(SEED_Y)


def neuron_example() -> Value:
    """o = tanh(x1·w1 + x2·w2 + b): the classic first graph to backpropagate by hand.

    Inputs x1 = 2, x2 = 0, weights w1 = -3, w2 = 1 and the bias b = 6.8813735870195432, chosen so
    that n = x1·w1 + x2·w2 + b = 0.8814 and o = tanh(n) = 1/√2. Every value is labelled
    (x1, x2, w1, w2, b, n, o); backward() is left to the caller.
    """
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o
