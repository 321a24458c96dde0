"""The op table: every forward function and local-derivative rule against sympy and `math`."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import pytest
import sympy

from autograd import OPS, Value

x, y = sympy.symbols("x y")

SYMBOLIC: dict[str, tuple[Any, tuple[sympy.Symbol, ...]]] = {
    "+": (x + y, (x, y)),
    "-": (x - y, (x, y)),
    "*": (x * y, (x, y)),
    "/": (x / y, (x, y)),
    "neg": (-x, (x,)),
    "pow": (x**y, (x, y)),
    "exp": (sympy.exp(x), (x,)),
    "log": (sympy.log(x), (x,)),
    "sqrt": (sympy.sqrt(x), (x,)),
    "tanh": (sympy.tanh(x), (x,)),
    "sigmoid": (1 / (1 + sympy.exp(-x)), (x,)),
    "relu": (sympy.Max(0, x), (x,)),
}
POINTS = [(0.7, 1.9), (2.5, -0.6), (1e-3, 3.0), (-1.4, 2.0)]


def _cases() -> list[tuple[str, tuple[float, ...]]]:
    cases = []
    for name, (_, symbols) in SYMBOLIC.items():
        for point in POINTS:
            args = point[: len(symbols)]
            if name in ("log", "sqrt", "pow") and args[0] <= 0:
                continue
            cases.append((name, args))
    return cases


@pytest.mark.parametrize(("name", "args"), _cases())
def test_forward_and_local_grads_match_sympy(name: str, args: tuple[float, ...]) -> None:
    expression, symbols = SYMBOLIC[name]
    at = dict(zip(symbols, args))
    op = OPS[name]
    out = op.forward(*args)
    assert out == pytest.approx(float(expression.subs(at).evalf(30)), rel=1e-15, abs=1e-300)
    for local, s in zip(op.local_grads(out, *args), symbols):
        expected = float(sympy.diff(expression, s).subs(at).evalf(30))
        assert local == pytest.approx(expected, rel=1e-14)


def test_constant_exponent_has_zero_derivative() -> None:
    out = OPS["**"].forward(-2.0, 3.0)
    assert out == -8.0 and OPS["**"].local_grads(out, -2.0, 3.0) == (12.0, 0.0)


def test_dot_rule_is_equation_one_for_one_neuron() -> None:
    w1, w2, a1, a2, b = 0.5, -2.0, 3.0, 0.25, 0.1
    z = OPS["dot"].forward(w1, w2, a1, a2, b)
    assert z == w1 * a1 + w2 * a2 + b
    assert OPS["dot"].local_grads(z, w1, w2, a1, a2, b) == (a1, a2, w1, w2, 1.0)


SUBNORMAL = 5e-324
EXTREMES = [1e308, -1e308, 1e-308, -1e-308, SUBNORMAL, -SUBNORMAL, 0.0, -0.0]
AGAINST_MATH: dict[str, Callable[[float], float]] = {
    "tanh": math.tanh,
    "neg": lambda v: -v,
    "relu": lambda v: max(v, 0.0),
}


@pytest.mark.parametrize("value", EXTREMES)
@pytest.mark.parametrize("name", sorted(AGAINST_MATH))
def test_extreme_inputs_agree_with_math(name: str, value: float) -> None:
    assert OPS[name].forward(value) == AGAINST_MATH[name](value)


@pytest.mark.parametrize("value", EXTREMES)
def test_sigmoid_at_extremes_is_finite_and_exact(value: float) -> None:
    out = Value(value).sigmoid().data
    expected = float((1 / (1 + sympy.exp(-sympy.Float(value, 400)))).evalf(30))
    assert 0.0 <= out <= 1.0 and out == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("value", [v for v in EXTREMES if v > 0])
def test_log_and_sqrt_of_tiny_and_huge_positives(value: float) -> None:
    assert Value(value).log().data == math.log(value)
    assert Value(value).sqrt().data == math.sqrt(value)


def test_exp_at_the_overflow_boundary() -> None:
    largest = math.log(sys.float_info.max)
    assert math.isfinite(Value(largest).exp().data)
    assert Value(-1e308).exp().data == 0.0
    with pytest.raises(OverflowError, match="overflows"):
        Value(largest + 1e-9 * largest).exp()


def test_pow_overflow_raises_with_a_message() -> None:
    with pytest.raises(OverflowError, match=r"pow: 10.0 \*\* 400.0 overflows"):
        Value(10.0) ** 400


def test_sqrt_at_zero_has_an_infinite_local_derivative() -> None:
    root = Value(0.0).sqrt()
    assert root.data == 0.0 and root.local_grads == (math.inf,)


def test_infinity_given_by_the_user_propagates_by_ieee_rules() -> None:
    inf = Value(math.inf)
    assert (inf + 1).data == math.inf and (inf * -1).data == -math.inf
    assert inf.tanh().data == 1.0 and inf.sigmoid().data == 1.0
    assert math.isnan((inf - inf).data)


def test_relu_of_signed_zero_is_zero() -> None:
    assert OPS["relu"].forward(-0.0) == 0.0 and OPS["relu"].local_grads(0.0, -0.0) == (0.0,)
