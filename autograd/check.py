"""`gradcheck`: compare the engine's gradients with central finite differences."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from autograd.engine import Value, grad
from autograd.modes import no_grad


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> bool:
    """True when d f / d x matches (f(x+eps) − f(x−eps)) / 2eps for every input x.

    Otherwise raises AssertionError naming the worst input and both values. `f(*inputs)` must
    return a Value; the inputs' `.data` is nudged and restored, their `.grad` left untouched.
    """
    for name, number in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(number, bool) or not isinstance(number, numbers.Real) or not number >= 0:
            raise ValueError(f"gradcheck: {name} must be a number >= 0, got {number!r}")
    if eps == 0:
        raise ValueError("gradcheck: eps must be > 0, got 0")
    inputs = list(inputs)
    if not all(isinstance(x, Value) for x in inputs):
        raise TypeError("gradcheck: inputs must all be Values")
    output = f(*inputs)
    if not isinstance(output, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(output).__name__}")
    analytic = grad(output, inputs)

    worst: tuple[float, int, float, float] | None = None
    for i, (x, exact) in enumerate(zip(inputs, analytic)):
        numeric = _central_difference(f, inputs, x, eps)
        excess = abs(exact - numeric) - (atol + rtol * abs(numeric))
        if excess > 0 and (worst is None or excess > worst[0]):
            worst = (excess, i, exact, numeric)
    if worst is not None:
        _, i, exact, numeric = worst
        name = f" {inputs[i].label!r}" if inputs[i].label else ""
        raise AssertionError(
            f"gradcheck: input #{i}{name} (data={inputs[i].data!r}): backward gives {exact!r}, "
            f"finite differences give {numeric!r} (atol={atol}, rtol={rtol})"
        )
    return True


def _central_difference(
    f: Callable[..., Value], inputs: list[Value], x: Value, eps: float
) -> float:
    """(f(x + eps) − f(x − eps)) / 2eps, with x.data restored afterwards."""
    original = x.data
    try:
        with no_grad():
            x.data = original + eps
            above = f(*inputs).data
            x.data = original - eps
            below = f(*inputs).data
    finally:
        x.data = original
    return (above - below) / (2 * eps)
