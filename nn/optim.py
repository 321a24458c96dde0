"""Optimizers: they move each parameter's `.data` against its `.grad` (plain floats, no graph)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from autograd import Value
from nn.checks import is_sequence, missing_attribute, number


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

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's gradient to 0 before the next backward pass.

        `set_to_none` is accepted for PyTorch code and changes nothing: the gradient is 0.0.
        """
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Apply one update from the current gradients."""
        raise NotImplementedError

    if not TYPE_CHECKING:  # hidden from mypy, which would otherwise allow any attribute

        def __getattr__(self, name: str) -> object:
            """Only for attributes that do not exist: say what to use instead, if we know."""
            raise missing_attribute(self, name, _ATTRIBUTE_HINTS)


# What PyTorch users reach for on an optimizer, and chainrule's way to do it.
_ATTRIBUTE_HINTS = {
    "param_groups": "a chainrule optimizer has one group: read or set optimizer.lr directly",
    "state_dict": "optimizer state is not saved; nn.save(model, path) saves the parameters",
    "load_state_dict": "optimizer state is not saved; nn.save(model, path) saves the parameters",
}


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum: v ← μv + g, p ← p − lr·v.

    With momentum 0 there is no velocity: p ← p − lr·g, so one NaN gradient is not remembered.
    """

    __slots__ = ("lr", "momentum", "_velocity")

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params)
        self.lr = number(lr, "SGD lr", _positive, "> 0")
        self.momentum = number(momentum, "SGD momentum", _fraction, "in [0, 1)")
        self._velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, momentum, velocity = self.lr, self.momentum, self._velocity
        if momentum == 0.0:  # 0·v would keep a NaN in v for ever
            for p in self.params:
                p.data -= lr * p.grad
            return
        for i, p in enumerate(self.params):
            velocity[i] = momentum * velocity[i] + p.grad
            p.data -= lr * velocity[i]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running estimates of the gradient's moments.

    The second moment v is kept as its square root r = √v, updated with math.hypot, which never
    overflows: v itself would become inf for any gradient above 1e154 (g² overflows) and freeze
    that parameter for good. So every finite gradient, up to the largest float, gives a step of
    about lr, as Adam promises whatever the gradient's scale.
    """

    __slots__ = ("lr", "beta1", "beta2", "eps", "_m", "_root_v", "_t")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        self.lr = number(lr, "Adam lr", _positive, "> 0")
        if not is_sequence(betas) or len(betas) != 2:
            raise TypeError(f"Adam betas must be a pair of numbers, got {betas!r}")
        self.beta1 = number(betas[0], "Adam betas[0]", _fraction, "in [0, 1)")
        self.beta2 = number(betas[1], "Adam betas[1]", _fraction, "in [0, 1)")
        self.eps = number(eps, "Adam eps", _positive, "> 0")
        self._m = [0.0] * len(self.params)
        self._root_v = [0.0] * len(self.params)
        self._t = 0

    def step(self) -> None:
        self._t += 1
        lr, beta1, eps, m, root_v = self.lr, self.beta1, self.eps, self._m, self._root_v
        # v ← β₂v + (1 − β₂)g² as r = √v: r ← hypot(√β₂·r, √(1 − β₂)·g), with no g² to overflow
        root_beta2, root_one_minus_beta2 = math.sqrt(self.beta2), math.sqrt(1.0 - self.beta2)
        # The moments start at 0; dividing by 1 − β^t removes that bias from the early steps.
        m_correction = 1.0 - beta1**self._t
        root_v_correction = math.sqrt(1.0 - self.beta2**self._t)
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            root_v[i] = math.hypot(root_beta2 * root_v[i], root_one_minus_beta2 * g)
            p.data -= lr * (m[i] / m_correction) / (root_v[i] / root_v_correction + eps)
