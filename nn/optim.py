"""Optimizers: they move each parameter's `.data` against its `.grad` (plain floats, no graph)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd import Value


def _parameters(params: Iterable[Value], owner: str) -> list[Value]:
    """The parameters as a list, or TypeError/ValueError naming `owner`."""
    if isinstance(params, Value) or not isinstance(params, Iterable):
        raise TypeError(f"{owner}: params must be a list of Values (e.g. model.parameters())")
    params = list(params)
    if not params:
        raise ValueError(f"{owner}: got an empty list of parameters")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{owner}: every parameter must be a Value, got {type(p).__name__}")
    return params


def _checked(value: object, name: str, valid: Callable[[float], bool], rule: str) -> float:
    """`value` as a float if it is a finite number that passes `valid`, else an error naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not (math.isfinite(value) and valid(value)):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return float(value)


def _positive(x: float) -> bool:
    return x > 0.0


def _fraction(x: float) -> bool:
    return 0.0 <= x < 1.0


class Optimizer:
    """What SGD and Adam share: the parameter list and zero_grad()."""

    __slots__ = ("params",)

    params: list[Value]

    def __init__(self, params: Iterable[Value]) -> None:
        self.params = _parameters(params, type(self).__name__)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Apply one update from the current gradients."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum: v ← μv + g, p ← p − lr·v."""

    __slots__ = ("lr", "momentum", "_velocity")

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params)
        self.lr = _checked(lr, "SGD lr", _positive, "> 0")
        self.momentum = _checked(momentum, "SGD momentum", _fraction, "in [0, 1)")
        self._velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, momentum, velocity = self.lr, self.momentum, self._velocity
        for i, p in enumerate(self.params):
            velocity[i] = momentum * velocity[i] + p.grad
            p.data -= lr * velocity[i]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running estimates of the gradient's moments."""

    __slots__ = ("lr", "beta1", "beta2", "eps", "_m", "_v", "_t")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        self.lr = _checked(lr, "Adam lr", _positive, "> 0")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam betas must be a pair of numbers, got {betas!r}")
        self.beta1 = _checked(betas[0], "Adam betas[0]", _fraction, "in [0, 1)")
        self.beta2 = _checked(betas[1], "Adam betas[1]", _fraction, "in [0, 1)")
        self.eps = _checked(eps, "Adam eps", _positive, "> 0")
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)
        self._t = 0

    def step(self) -> None:
        self._t += 1
        lr, beta1, beta2, eps, m, v = self.lr, self.beta1, self.beta2, self.eps, self._m, self._v
        # The moments start at 0; dividing by 1 − β^t removes that bias from the early steps.
        m_correction = 1.0 - beta1**self._t
        v_correction = 1.0 - beta2**self._t
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= lr * (m[i] / m_correction) / (math.sqrt(v[i] / v_correction) + eps)
