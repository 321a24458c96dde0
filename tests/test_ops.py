"""The op table: every forward function and local-derivative rule against sympy and `math`."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, DivisionByZeroError, Value, select
from autograd.ops import Huge, _data, _over, _power_of

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
    "log1p": (sympy.log(1 + x), (x,)),
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
            if name in ("log", "sqrt", "pow") and args[0] <= 0 or name == "log1p" and args[0] <= -1:
                continue
            cases.append((name, args))
    return cases


@pytest.mark.parametrize(("name", "args"), _cases())
def test_forward_and_local_grads_match_sympy(name: str, args: tuple[float, ...]) -> None:
    expression, symbols = SYMBOLIC[name]
    at = {s: sympy.Rational(v) for s, v in zip(symbols, args)}  # the float exactly
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


_FINITE = st.floats(min_value=-1e150, max_value=1e150, allow_subnormal=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_FINITE, _FINITE), min_size=1, max_size=20), _FINITE)
def test_dot_sums_left_to_right_bit_for_bit(pairs: list[tuple[float, float]], b: float) -> None:
    w, a = (tuple(column) for column in zip(*pairs))
    z = 0.0
    for w_k, a_k in pairs:
        z = z + w_k * a_k  # the chain of `*` and `+` nodes the expanded graph records
    got = OPS["dot"].forward(*w, *a, b)
    assert math.copysign(1.0, got) == math.copysign(1.0, z + b) and got == z + b


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


def test_select_picks_by_a_bool_and_lets_a_symbolic_condition_choose() -> None:
    class Condition:
        def select(self, if_true: object, if_false: object) -> tuple[object, object]:
            return ("chosen by", if_true, if_false)

    assert select(True, 1.0, 2.0) == 1.0 and select(False, 1.0, 2.0) == 2.0
    assert select(Condition(), 1.0, 2.0) == ("chosen by", 1.0, 2.0)


def test_data_of_a_float_is_itself_and_of_a_value_its_data() -> None:
    assert _data(2.5) == 2.5 and _data(Value(-1.0)) == -1.0


def test_sum_is_one_op_with_derivative_one_per_input() -> None:
    assert OPS["sum"].forward(0.5, 0.25, -2.0) == 0.5 + 0.25 + -2.0
    assert OPS["sum"].local_grads(0.0, 1.0, 2.0, 3.0) == (1.0, 1.0, 1.0)


def test_log1p_keeps_relative_accuracy_near_zero() -> None:
    assert Value(1e-20).log1p().data == 1e-20 and autograd.log1p(4.25e-18) == math.log1p(4.25e-18)
    with pytest.raises(ValueError, match=r"log1p\(-1.0\) is undefined"):
        Value(-1.0).log1p()


def test_division_by_zero_is_both_value_error_and_zero_division_error() -> None:
    for error in (ValueError, ZeroDivisionError, DivisionByZeroError):
        with pytest.raises(error, match="division by zero: 1.0 / 0.0"):
            Value(1.0) / 0


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda: Value(1e308) + Value(1e308), r"\+: 1e\+308 \+ 1e\+308 overflows"),
        (lambda: Value(-1e308) - Value(1e308), r"-: -1e\+308 - 1e\+308 overflows"),
        (lambda: Value(1e200) * Value(1e200), r"\*: 1e\+200 \* 1e\+200 overflows"),
        (lambda: 1e300 / Value(1e-300), r"/: 1e\+300 / 1e-300 overflows"),
        (lambda: autograd.dot([Value(1e200)], [Value(1e200)], Value(0.0)), r"dot\(1e\+200"),
        (lambda: Value.sum([1e308, 1e308]), r"sum\(1e\+308, 1e\+308\) overflows"),
    ],
)
def test_arithmetic_that_overflows_raises_naming_op_and_operands(
    make: Callable[[], Value], shown: str
) -> None:
    with pytest.raises(OverflowError, match=shown):
        make()


def test_an_overflow_is_refused_without_recording_too() -> None:
    with autograd.no_grad(), pytest.raises(OverflowError, match="overflows"):
        Value(1e200) * 1e200


@pytest.mark.parametrize(("x", "c", "expected"), [(1e-200, -1.0, 1e200), (1e-320, 0.0, 1.0)])
def test_a_local_derivative_that_overflows_never_stops_the_forward_pass(
    x: float, c: float, expected: float
) -> None:
    power = Value(x) ** c
    assert power.data == expected
    slope = power.local_grads[0]
    assert slope == (-math.inf if c < 0 else 0.0)
    assert 1e-300 * slope == pytest.approx(-1e100 if c < 0 else 0.0, rel=1e-13)


def test_huge_multiplies_exactly_and_shows_its_parts() -> None:
    local = _over(1.0, 1e-310)
    assert isinstance(local, Huge) and local == math.inf
    assert 1e-10 * local == pytest.approx(1e300, rel=1e-14) and 0.0 * local == 0.0
    assert isinstance(1e10 * local, Huge) and "2**" in repr(local)
    assert _over(-1.0, 5e-324) * 5e-324 == -1.0


def test_powers_inside_rules_follow_ieee_at_zero_and_keep_overflow_exact() -> None:
    assert _power_of(0.0, -0.5) == math.inf and _power_of(-0.0, -1.0) == -math.inf
    big = _power_of(1e-200, -2.0)
    assert isinstance(big, Huge) and 1e-300 * big == pytest.approx(1e100, rel=1e-12)
    assert _power_of(-1e-200, -3.0) * 1e-300 == pytest.approx(-1e300, rel=1e-12)


def test_relu_derivative_at_zero_is_zero() -> None:
    assert OPS["relu"].local_grads(0.0, 0.0) == (0.0,)
