"""The table of operations: every op's forward function and its local derivatives, in one place.

Each entry is an `Op`:

- `forward(*xs)` computes the output from plain floats and refuses inputs outside the op's domain
  with a `ValueError` that names the op (never a silent NaN);
- `local_grads(out, *xs)` returns one partial derivative ∂out/∂x_i per input. It is written with
  ordinary arithmetic, so the same rule runs on floats (the fast path: computed once at forward
  time and stored on the node), on `Value`s (`grad(..., create_graph=True)`, which builds a
  graph of the derivative so it can be differentiated again) and on symbolic operands (a
  compiler). Where a rule depends on the data (relu, √x at 0) it chooses through `select`,
  never through an `if`; `_over` and `_power_of` divide and raise to a power by IEEE rules
  (√x at 0 has slope inf) and keep a result beyond the float range exactly, as a `Huge`.
- `formula(*xs)` is the forward as plain arithmetic and math calls (`x.exp()`), without the
  checks, for `autograd.compile` to write out as code. Wherever `forward` refuses its inputs,
  `formula` must raise or give a non-finite number (math.log(0) raises, x/0 raises, inf·0 is
  NaN): the compiled code then re-runs the engine, which raises forward's own error.

Adding an op is one entry in `OPS` (and a method on `Value` that calls it).
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from autograd.modes import _switches

Number = Any  # a float on the fast path, a Value when building a derivative graph


class Op(NamedTuple):
    """One differentiable operation: its name, forward function and local-derivative rule."""

    name: str
    forward: Callable[..., float]
    local_grads: Callable[..., tuple[Number, ...]]
    formula: Callable[..., Number] | None = None


class DivisionByZeroError(ZeroDivisionError, ValueError):
    """`x / 0`: a ZeroDivisionError as Python says, and a ValueError like every other bad input."""


class Huge(float):
    """A local derivative beyond the float range, kept exactly as `mantissa · 2**exponent`.

    As a float it is ±inf. Multiplied by a finite number (the sweep's upstream × local) it gives
    the exact product, which is finite wherever the gradient is: 1e-10 × (1 / 1e-310) = 1e300.
    """

    __slots__ = ("mantissa", "exponent")

    mantissa: float
    exponent: int

    def __rmul__(self, other: float) -> float:
        return _exact_product(other, self)

    __mul__ = __rmul__

    def __repr__(self) -> str:
        return f"Huge({self.mantissa!r} * 2**{self.exponent})"


def _scaled(mantissa: float, exponent: int) -> float:
    """mantissa · 2**exponent as a float, or as a Huge when it is beyond the float range."""
    try:
        return math.ldexp(mantissa, exponent)
    except OverflowError:
        huge = Huge(math.copysign(math.inf, mantissa))
        huge.mantissa, huge.exponent = mantissa, exponent
        return huge


def _parts(x: float) -> tuple[float, int]:
    """(mantissa, exponent) with x = mantissa · 2**exponent, for a Huge as for any float."""
    return (x.mantissa, x.exponent) if isinstance(x, Huge) else math.frexp(x)


def _exact_product(x: float, y: float) -> float:
    (x_fraction, x_exponent), (y_fraction, y_exponent) = _parts(x), _parts(y)
    return _scaled(x_fraction * y_fraction, x_exponent + y_exponent)


def _exact_quotient(x: float, y: float) -> float:
    if y == 0.0:
        return _ieee_quotient(x, y)
    (x_fraction, x_exponent), (y_fraction, y_exponent) = _parts(x), _parts(y)
    return _scaled(x_fraction / y_fraction, x_exponent - y_exponent)


def _exact_sum(x: float, y: float) -> float:
    (x_fraction, x_exponent), (y_fraction, y_exponent) = _parts(x), _parts(y)
    top = max(x_exponent, y_exponent)
    total = math.ldexp(x_fraction, x_exponent - top) + math.ldexp(y_fraction, y_exponent - top)
    return _scaled(total, top)


# Inside a derivative graph, `+ - * /` on values beyond the float range (a Huge, or an overflow)
# give the exact result, so that d/dy (y/y) at y = 1e-320 is 0, not inf − inf = NaN.
EXACT_BEYOND_FLOATS: dict[str, Callable[[float, float], float]] = {
    "+": _exact_sum,
    "-": lambda x, y: _exact_sum(x, -1.0 * y),
    "*": _exact_product,
    "/": _exact_quotient,
}


def select(condition: Any, if_true: Number, if_false: Number) -> Number:
    """`if_true` where condition holds, else `if_false`; a symbolic condition chooses itself."""
    return (
        (if_true if condition else if_false)
        if isinstance(condition, bool)
        else condition.select(if_true, if_false)
    )


def _data(x: Number) -> float:
    """The float behind `x`, whether `x` is a float or a Value (for the conditions of rules)."""
    return x if isinstance(x, float) else x.data


def _ieee_quotient(x: float, y: float) -> float:
    """x / 0 as IEEE 754 says: ±inf, or NaN for 0 / 0."""
    if x == 0.0 or x != x:
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, y)


def _over(x: Number, y: Number) -> Number:
    """x / y inside a rule: ±inf at y = 0 (√x at 0), and a Huge where the quotient overflows."""
    if not (isinstance(x, float) and isinstance(y, float)):
        return x / y
    if y == 0.0:
        return _ieee_quotient(x, y)
    quotient = x / y
    if quotient - quotient == 0.0 or not (math.isfinite(x) or isinstance(x, Huge)):
        return quotient
    return _exact_quotient(x, y)


def _power_of(x: Number, y: Number) -> Number:
    """x ** y inside a rule: ±inf for 0 ** negative, and a Huge where the power overflows."""
    if not (isinstance(x, float) and isinstance(y, float)):
        return x**y
    odd = y.is_integer() and y % 2.0 == 1.0
    if x == 0.0 and y < 0.0:
        return math.copysign(math.inf, x) if odd else math.inf
    try:
        return math.pow(x, y)
    except OverflowError:
        log2 = y * math.log2(abs(x))
        whole = math.floor(log2)
        return _scaled((-1.0 if x < 0.0 and odd else 1.0) * 2.0 ** (log2 - whole), whole)


def _divide(x: float, y: float) -> float:
    if y == 0.0:
        if _switches.ieee:
            return _ieee_quotient(x, y)
        raise DivisionByZeroError(f"division by zero: {x!r} / {y!r}")
    return x / y


def _power(x: float, y: float) -> float:
    if x < 0.0 and not y.is_integer():
        raise ValueError(
            f"pow: {x!r} ** {y!r} is not a real number (negative base, fractional power)"
        )
    if _switches.ieee:  # inside a derivative graph: 0 ** -1 is inf, an overflow a Huge
        power: float = _power_of(x, y)
        return power
    if x == 0.0 and y < 0.0:
        raise ValueError(f"pow: 0 ** {y!r} is undefined (zero to a negative power)")
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


def _constant_power_grads(out: Number, x: Number, c: Number) -> tuple[Number, Number]:
    """∂(x**c)/∂x = c·x^(c−1), exactly 0 for c = 0; the exponent c is a constant (∂ = 0).

    The power inside keeps a constant exponent (op "**" again), so it can be differentiated
    again at a negative x too.
    """
    exponent = _data(c)
    return select(exponent == 0.0, 0.0, c * _power_of(x, exponent - 1.0)), 0.0


def _power_grads(out: Number, x: Number, y: Number) -> tuple[Number, Number]:
    """∂(x**y)/∂x = y·x^(y−1), ∂(x**y)/∂y = x^y·ln x (0 at x = 0, its limit from the right)."""
    positive = x > 0.0
    return y * _power_of(x, y - 1.0), select(positive, out * _ln(select(positive, x, 1.0)), 0.0)


def _power_of_variable_formula(x: Number, y: Number) -> Number:
    """x ** y, NaN for a negative base (where _power_of_variable refuses)."""
    return select(x >= 0.0, x**y, math.nan)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        if _switches.ieee:
            return math.inf
        raise OverflowError(
            f"exp({x!r}) overflows a float (the largest exp argument is about 709.78)"
        ) from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log({x!r}) is undefined: log needs a positive number")
    return math.log(x)


def _log1p(x: float) -> float:
    if x <= -1.0:
        raise ValueError(f"log1p({x!r}) is undefined: log1p needs a number > -1")
    return math.log1p(x)


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


if sys.version_info >= (3, 12):

    def weighted_sum(weights: Sequence[float], activations: Sequence[float], bias: float) -> float:
        """z = Σ_k w_k·a_k + b, summed left to right exactly as the expanded graph of `*` and `+`
        nodes sums it, so both give bit-identical values (`sum()` compensates rounding here)."""
        z = 0.0
        for w, a in zip(weights, activations):
            z += w * a
        return z + bias

else:

    def weighted_sum(weights: Sequence[float], activations: Sequence[float], bias: float) -> float:
        """z = Σ_k w_k·a_k + b, summed left to right exactly as the expanded graph of `*` and `+`
        nodes sums it: before 3.12 `sum()` adds floats in plain order, in C, as the loop does."""
        return sum(map(operator.mul, weights, activations), 0.0) + bias


def dot_local_grads(
    weights: tuple[Number, ...], activations: tuple[Number, ...]
) -> tuple[Number, ...]:
    """∂z/∂w_k = a_k, ∂z/∂a_k = w_k, ∂z/∂b = 1 (eq. (1) for one neuron), laid out as the
    inputs (w_1..w_n, a_1..a_n, b) are."""
    return activations + weights + (1.0,)


def _dot(*xs: float) -> float:
    """z = Σ_k w_k·a_k + b for inputs laid out as (w_1..w_n, a_1..a_n, b)."""
    n = len(xs) // 2
    return weighted_sum(xs[:n], xs[n : 2 * n], xs[-1])


def _sum(*xs: float) -> float:
    """x_1 + x_2 + ... summed left to right, as a chain of `+` nodes sums it."""
    total = 0.0
    for x in xs:
        total += x
    return total


def _dot_grads(out: Number, *xs: Number) -> tuple[Number, ...]:
    """The dot rule for inputs laid out as (w_1..w_n, a_1..a_n, b)."""
    n = len(xs) // 2
    return dot_local_grads(xs[:n], xs[n : 2 * n])


def _sigmoid_formula(x: Number) -> Number:
    """_sigmoid as one expression: each side of the select is only evaluated where it is safe."""
    return select(x >= 0.0, 1.0 / (1.0 + (-x).exp()), x.exp() / (1.0 + x.exp()))


def _relu_formula(x: Number) -> Number:
    """relu as one expression: 0 at and below the kink, x above."""
    return select(x <= 0.0, 0.0, x)


def _relu_grads(out: Number, x: Number) -> tuple[Number]:
    """relu'(x) = 1 above the kink and 0 at and below it (at 0 the slope of the flat side).

    On a float it is one of two ready-made tuples: the rule runs at every hidden ReLU neuron.
    """
    above = x > 0.0
    return _RELU_SLOPES[above] if isinstance(above, bool) else (select(above, 1.0, 0.0),)


_RELU_SLOPES = {True: (1.0,), False: (0.0,)}
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)

OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("+", operator.add, lambda out, x, y: _ONE_ONE, lambda x, y: x + y),
        Op("-", operator.sub, lambda out, x, y: _ONE_MINUS_ONE, lambda x, y: x - y),
        Op("*", operator.mul, lambda out, x, y: (y, x), lambda x, y: x * y),
        Op("/", _divide, lambda out, x, y: (_over(1.0, y), _over(out, y) * -1.0),
           lambda x, y: x / y),
        Op("neg", operator.neg, lambda out, x: (-1.0,), lambda x: -x),
        # x ** c with a plain-number exponent c: the exponent is a constant, its derivative 0.
        Op("**", _power, _constant_power_grads, lambda x, c: x**c),
        # x ** y with a Value exponent: both sides are variables.
        Op("pow", _power_of_variable, _power_grads, _power_of_variable_formula),
        Op("exp", _exp, lambda out, x: (out,), lambda x: x.exp()),
        Op("log", _log, lambda out, x: (_over(1.0, x),), lambda x: x.log()),
        Op("log1p", _log1p, lambda out, x: (_over(1.0, 1.0 + x),), lambda x: x.log1p()),
        Op("sqrt", _sqrt, lambda out, x: (_over(0.5, out),), lambda x: x.sqrt()),
        Op("tanh", math.tanh, lambda out, x: (1.0 - out * out,), lambda x: x.tanh()),
        Op("sigmoid", _sigmoid, lambda out, x: (out * (1.0 - out),), _sigmoid_formula),
        Op("relu", lambda x: 0.0 if x <= 0.0 else x, _relu_grads, _relu_formula),
        Op("sum", _sum, lambda out, *xs: (1.0,) * len(xs)),
        Op("dot", _dot, _dot_grads, _dot),
    )
}


def _ln(x: Number) -> Number:
    """ln x for a float or a Value (the pow rule runs on both)."""
    return _log(x) if isinstance(x, float) else x.log()
