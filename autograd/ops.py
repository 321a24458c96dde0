"""The table of operations: every op's forward function and its local derivatives, in one place.

Each entry is an `Op`:

- `forward(*xs)` computes the output from plain floats and refuses inputs outside the op's domain
  with a `ValueError` that names the op (never a silent NaN);
- `local_grads(out, *xs)` returns one partial derivative ∂out/∂x_i per input. It is written with
  ordinary arithmetic, so the same rule runs on floats (the fast path: computed once at forward
  time and stored on the node), on `Value`s (`grad(..., create_graph=True)`, which builds a
  graph of the derivative so it can be differentiated again) and on the traced numbers of
  `autograd.compile`; a branch on the numbers goes through `select`, never an `if`;
- `formula(*xs)` is the forward as plain arithmetic and math calls (`x.exp()`), without the
  checks, for `autograd.compile` to write out as code. Wherever `forward` refuses its inputs,
  `formula` must raise or give a non-finite number (math.log(0) raises, x/0 raises, inf·0 is
  NaN): the compiled code then re-runs the engine, which raises forward's own error.

Adding an op is one entry in `OPS` (and a method on `Value` that calls it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

Number = Any  # a float on the fast path, a Value when building a derivative graph


class Op(NamedTuple):
    """One differentiable operation: its name, forward function and local-derivative rule."""

    name: str
    forward: Callable[..., float]
    local_grads: Callable[..., tuple[Number, ...]]
    formula: Callable[..., Number] | None = None


def _data(x: Number) -> Number:
    """The number behind `x`: a float as it is, a Value's `.data` (for branches inside rules)."""
    return x if isinstance(x, float) else x.data


def select(condition: Any, if_true: Number, if_false: Number) -> Number:
    """`if_true if condition else if_false`, also when the condition is a traced number."""
    if isinstance(condition, bool):
        return if_true if condition else if_false
    return condition.select(if_true, if_false)


def _divide(x: float, y: float) -> float:
    if y == 0.0:
        raise ValueError(f"division by zero: {x!r} / {y!r}")
    return x / y


def _power(x: float, y: float) -> float:
    if x == 0.0 and y < 0.0:
        raise ValueError(f"pow: 0 ** {y!r} is undefined (zero to a negative power)")
    if x < 0.0 and not y.is_integer():
        raise ValueError(
            f"pow: {x!r} ** {y!r} is not a real number (negative base, fractional power)"
        )
    try:
        return math.pow(x, y)
    except OverflowError:
        raise OverflowError(f"pow: {x!r} ** {y!r} overflows a float") from None


def _power_of_variable(x: float, y: float) -> float:
    """x ** y where y is a variable too: ∂/∂y = x^y·ln x only exists for x >= 0."""
    if x < 0.0:
        raise ValueError(
            f"pow: {x!r} ** y with a Value exponent needs a base >= 0 (∂/∂y = x^y·ln x); "
            "use a plain-number exponent for a negative base"
        )
    return _power(x, y)


def _power_grads(out: Number, x: Number, y: Number) -> tuple[Number, Number]:
    """∂(x**y)/∂x = y·x^(y-1), ∂(x**y)/∂y = x^y·ln x (0 at x = 0, its limit from the right)."""
    positive = _data(x) > 0.0
    return _base_grad(x, y), select(positive, out, 0.0) * _ln(select(positive, x, 1.0))


def _base_grad(x: Number, y: Number) -> Number:
    """∂(x**y)/∂x = y·x^(y-1); infinite where x is 0 and y < 1 (as for √x at 0)."""
    singular = (_data(x) == 0.0) & (_data(y) < 1.0)
    at_zero = select(_data(y) == 0.0, 0.0, math.inf)
    return select(singular, at_zero, y * select(singular, 1.0, x) ** (y - 1.0))


def _power_of_variable_formula(x: Number, y: Number) -> Number:
    """x ** y, NaN for a negative base (where _power_of_variable refuses)."""
    return select(x >= 0.0, x**y, math.nan)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp({x!r}) overflows a float (the largest exp argument is about 709.78)"
        ) from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log({x!r}) is undefined: log needs a positive number")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt({x!r}) is undefined: sqrt needs a number >= 0")
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), written so that neither branch can overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _dot(*xs: float) -> float:
    """z = Σ_k w_k·a_k + b for inputs laid out as (w_1..w_n, a_1..a_n, b).

    Summed left to right, exactly as the expanded graph of `*` and `+` nodes sums it, so both
    give bit-identical values on every Python version.
    """
    n = len(xs) // 2
    z = 0.0
    for w, a in zip(xs[:n], xs[n : 2 * n]):
        z += w * a
    return z + xs[-1]


def _dot_grads(out: Number, *xs: Number) -> tuple[Number, ...]:
    """∂z/∂w_k = a_k, ∂z/∂a_k = w_k, ∂z/∂b = 1 (eq. (1) for one neuron)."""
    n = len(xs) // 2
    return (*xs[n : 2 * n], *xs[:n], 1.0)


def _sqrt_grads(out: Number, x: Number) -> tuple[Number]:
    """∂√x/∂x = 1/(2√x), infinite at x = 0."""
    positive = _data(out) > 0.0
    return (select(positive, 0.5, math.inf) / select(positive, out, 1.0),)


def _sigmoid_formula(x: Number) -> Number:
    """_sigmoid as one expression: each side of the select is only evaluated where it is safe."""
    return select(x >= 0.0, 1.0 / (1.0 + (-x).exp()), x.exp() / (1.0 + x.exp()))


def _relu_grads(out: Number, x: Number) -> tuple[Number]:
    """relu'(x) = 1 for x > 0, else 0 (0 at x = 0 too)."""
    return (select(_data(x) > 0.0, 1.0, 0.0),)


def _relu_formula(x: Number) -> Number:
    return select(x <= 0.0, 0.0, x)


_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)

OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("+", float.__add__, lambda out, x, y: _ONE_ONE, lambda x, y: x + y),
        Op("-", float.__sub__, lambda out, x, y: _ONE_MINUS_ONE, lambda x, y: x - y),
        Op("*", float.__mul__, lambda out, x, y: (y, x), lambda x, y: x * y),
        Op("/", _divide, lambda out, x, y: (1.0 / y, -out / y), lambda x, y: x / y),
        Op("neg", float.__neg__, lambda out, x: (-1.0,), lambda x: -x),
        # x ** c with a plain-number exponent c: the exponent is a constant, its derivative 0.
        Op("**", _power, lambda out, x, c: (_base_grad(x, c), 0.0), lambda x, c: x**c),
        # x ** y with a Value exponent: both sides are variables.
        Op("pow", _power_of_variable, _power_grads, _power_of_variable_formula),
        Op("exp", _exp, lambda out, x: (out,), lambda x: x.exp()),
        Op("log", _log, lambda out, x: (1.0 / x,), lambda x: x.log()),
        Op("sqrt", _sqrt, _sqrt_grads, lambda x: x.sqrt()),
        Op("tanh", math.tanh, lambda out, x: (1.0 - out * out,), lambda x: x.tanh()),
        Op("sigmoid", _sigmoid, lambda out, x: (out * (1.0 - out),), _sigmoid_formula),
        Op("relu", lambda x: 0.0 if x <= 0.0 else x, _relu_grads, _relu_formula),
        Op("dot", _dot, _dot_grads, _dot),
    )
}


def _ln(x: Number) -> Number:
    """ln x for a float or a Value (the pow rule runs on both)."""
    return _log(x) if isinstance(x, float) else x.log()
