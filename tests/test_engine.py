"""The Value graph and the reverse sweep, checked against sympy, finite differences and by hand."""

from __future__ import annotations

import gc
import math
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, grad, gradcheck, no_grad, topological_order

# -- random expressions, built twice: as a Value graph and as a sympy expression -------------

SYMBOLS = sympy.symbols("x y z")
UNARY = ["neg", "exp", "log", "log1p", "sqrt", "tanh", "sigmoid", "relu", "square"]
BINARY = ["+", "-", "*", "/", "pow", "**", "sum", "dot"]

Tree = Any  # nested tuples: ("leaf", i), ("const", c), ("reuse", t), (op, t) or (op, t, t)


def trees() -> st.SearchStrategy[Tree]:
    leaves = st.one_of(
        st.tuples(st.just("leaf"), st.integers(0, 2)),
        st.tuples(st.just("const"), st.sampled_from([-2.0, -0.5, 0.5, 1.0, 3.0])),
    )

    def extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
        return st.one_of(
            st.tuples(st.sampled_from(UNARY), children),
            st.tuples(st.sampled_from(BINARY), children, children),
            st.tuples(st.just("reuse"), children),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def build(tree: Tree, xs: list[Any], on: str) -> Any:
    """Evaluate `tree` on Values (`on="value"`) or sympy symbols (`on="sympy"`)."""
    kind = tree[0]
    if kind == "leaf":
        return xs[tree[1]]
    if kind == "const":
        return tree[1] if on == "value" else sympy.Float(tree[1])
    if kind == "reuse":  # the same node used twice: its gradient must be the sum of both uses
        inner = build(tree[1], xs, on)
        return inner * inner + inner
    a = build(tree[1], xs, on)
    if kind in UNARY:
        return unary(kind, a, on)
    b = build(tree[2], xs, on)
    if on == "value" and not isinstance(a, Value) and not isinstance(b, Value):
        a = Value(a)  # two constants: still computed by the engine, not by Python's floats
    if kind == "**":  # a plain-number exponent
        exponent = 3.0 if on == "value" else sympy.Integer(3)
        return a**exponent
    if kind == "pow":
        return a**b
    if kind == "sum":  # one node of op "sum"
        return Value.sum([a, b]) if on == "value" else a + b
    if kind == "dot":  # one node of op "dot": a·b + a
        if on == "sympy":
            return a * b + a
        a, b = autograd.as_value(a), autograd.as_value(b)
        return autograd.dot([a], [b], a)
    return {"+": a + b, "-": a - b, "*": a * b}[kind] if kind != "/" else a / b


def unary(kind: str, a: Any, on: str) -> Any:
    if kind == "neg":
        return -a
    if kind == "square":
        return a * a
    if on == "value":
        return getattr(autograd, kind)(a)
    return {
        "exp": sympy.exp,
        "log": sympy.log,
        "log1p": lambda u: sympy.log(1 + u),
        "sqrt": sympy.sqrt,
        "tanh": sympy.tanh,
        "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
        "relu": lambda u: sympy.Max(0, u),
    }[kind](a)


points = st.lists(
    (st.floats(0.2, 1.8) | st.floats(-1.8, -0.2)).map(lambda v: round(v, 3)),
    min_size=3,
    max_size=3,
)


def value_graph(tree: Tree, point: list[float]) -> tuple[list[Value], Value] | None:
    xs = [Value(p, name) for p, name in zip(point, "xyz")]
    try:
        out = build(tree, xs, "value")
    except (ValueError, OverflowError):
        return None
    if not isinstance(out, Value) or not math.isfinite(out.data) or abs(out.data) > 1e6:
        return None
    return xs, out


def sympy_gradient(tree: Tree, point: list[float]) -> list[float] | None:
    expression = build(tree, list(SYMBOLS), "sympy")
    at = dict(zip(SYMBOLS, point))
    exact = []
    for s in SYMBOLS:
        derivative = complex(sympy.diff(expression, s).subs(at).evalf(30))
        if derivative.imag != 0 or not math.isfinite(derivative.real):
            return None
        exact.append(derivative.real)
    return exact


def usable_graph(tree: Tree, point: list[float]) -> tuple[list[Value], Value]:
    """The graph of `tree` at `point`; the example is skipped where it is undefined or kinked."""
    built = value_graph(tree, point)
    assume(built is not None and _no_relu_kink(built[1]))
    assert built is not None
    return built


@settings(max_examples=300)
@given(trees(), points)
def test_random_expressions_match_sympy(tree: Tree, point: list[float]) -> None:
    xs, out = usable_graph(tree, point)
    assume(not _singular_inside(out))
    out.backward()
    exact = sympy_gradient(tree, point)
    assume(exact is not None)
    assert exact is not None
    for x, expected in zip(xs, exact):
        assert x.grad == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=150)
@given(trees(), points)
def test_random_expressions_pass_gradcheck(tree: Tree, point: list[float]) -> None:
    xs, out = usable_graph(tree, point)
    assume(not _singular_inside(out) and _smooth_near(tree, point))
    assert gradcheck(lambda *v: build(tree, list(v), "value"), xs, eps=1e-6, atol=1e-5, rtol=1e-4)


def _no_relu_kink(out: Value) -> bool:
    """False when a relu sits within 1e-3 of its kink, where the derivative jumps."""
    return all(abs(n.inputs[0].data) > 1e-3 for n in topological_order(out) if n.op == "relu")


def _smooth_near(tree: Tree, point: list[float]) -> bool:
    """True when the expression is defined and modest in a small box around the point."""
    for dx in (-1e-4, 1e-4):
        nudged = [p + dx for p in point]
        if value_graph(tree, nudged) is None:
            return False
    return True


# -- orders 1 to 3 at random and extreme points ---------------------------------------------------

EXTREME = [-2.0, 1e-300, 1e-200, 5e-320, 1e-20, 1e10, -1e10, 250.0, 40.0]
# 0 is left out: there (√x)² has no chain-rule derivative (0·∞ is NaN, as in PyTorch) though its
# exact one is 1; the singular points have tests of their own below.
extreme_points = st.lists(
    st.floats(-3, 3).map(lambda v: round(v, 2)).filter(bool) | st.sampled_from(EXTREME),
    min_size=3,
    max_size=3,
)


def _lost_to_underflow(root: Value) -> bool:
    """True when a product, quotient or power of nonzero numbers came out 0 or subnormal (the
    float forward pass has lost what the exact derivative depends on), or when √ or a power sits
    at 0 inside the expression (√(x − x): 0·∞ is NaN by the chain rule, exactly 0 in sympy)."""
    return any(
        abs(n.data) < sys.float_info.min
        and n.op in ("*", "/", "**", "pow", "exp", "sigmoid", "dot")
        and all(i.data != 0.0 for i in n.inputs)
        for n in topological_order(root)
    ) or _singular_inside(root)


def _singular_inside(root: Value) -> bool:
    """True when √ or a power sits at 0 inside the expression (√(x − x): 0·∞ is NaN by the chain
    rule, as in PyTorch, but exactly 0 in sympy, which simplifies first)."""
    return any(n.op in ("sqrt", "**", "pow") and n.inputs[0].data == 0.0
               for n in topological_order(root))


def _agrees(engine: float, exact: complex) -> bool:
    """The engine's number is the exact one: close where it is finite, the same infinity, or NaN
    where the exact derivative is undefined (a sympy NaN)."""
    if exact.imag != 0:
        return True  # outside the real domain: nothing to compare
    value = exact.real
    if math.isnan(value):
        return not math.isfinite(engine)
    if math.isinf(value):
        return engine == value
    return math.isclose(engine, value, rel_tol=1e-6, abs_tol=1e-9) or abs(value) > 1e300


@settings(max_examples=int(os.environ.get("ORDERS_EXAMPLES", "60")))
@given(trees(), extreme_points, st.lists(st.integers(0, 2), min_size=3, max_size=3))
def test_random_expressions_have_derivatives_of_orders_1_to_3_matching_sympy(
    tree: Tree, point: list[float], wrt: list[int]
) -> None:
    xs = [Value(p, name) for p, name in zip(point, "xyz")]
    try:
        out = build(tree, xs, "value")
    except (ValueError, OverflowError):
        out = None
    assume(isinstance(out, Value) and math.isfinite(out.data))
    assert isinstance(out, Value)
    assume(_no_relu_kink(out) and not _lost_to_underflow(out))
    expression = build(tree, list(SYMBOLS), "sympy")
    at = {s: sympy.Float(p, 60) for s, p in zip(SYMBOLS, point)}
    derivative = out
    for i in wrt:
        expression = sympy.diff(expression, SYMBOLS[i])
        derivative = grad(derivative, xs[i], create_graph=True)[0]
        assume(not _lost_to_underflow(derivative))
        exact = complex(expression.subs(at).evalf(30))
        assert _agrees(derivative.data, exact), (derivative.data, exact)
        if not math.isfinite(derivative.data):
            break


# -- second and third derivatives --------------------------------------------------------------


def nth_derivative(f: Callable[..., Value], at: list[float], wrt: list[int]) -> float:
    """d^n f / dx_{wrt[0]} ... dx_{wrt[-1]} through repeated grad(create_graph=True)."""
    xs = [Value(v) for v in at]
    out = f(*xs)
    for i in wrt:
        out = grad(out, [xs[i]], create_graph=True)[0]
    return out.data


def sympy_derivative(f: Callable[..., Any], at: list[float], wrt: list[int]) -> float:
    symbols = sympy.symbols(f"s0:{len(at)}")
    expression = f(*symbols)
    for i in wrt:
        expression = sympy.diff(expression, symbols[i])
    return float(expression.subs(dict(zip(symbols, at))).evalf(30))


HIGHER = [
    ("tanh''", lambda x: x.tanh(), lambda x: sympy.tanh(x), [0.7], [0, 0]),
    ("tanh'''", lambda x: x.tanh(), lambda x: sympy.tanh(x), [0.7], [0, 0, 0]),
    ("x**y d2/dx2", lambda x, y: x**y, lambda x, y: x**y, [1.3, 2.5], [0, 0]),
    ("x**y d2/dxdy", lambda x, y: x**y, lambda x, y: x**y, [1.3, 2.5], [0, 1]),
    ("x**y d3/dy3", lambda x, y: x**y, lambda x, y: x**y, [1.3, 2.5], [1, 1, 1]),
    ("sigmoid'''", lambda x: x.sigmoid(), lambda x: 1 / (1 + sympy.exp(-x)), [-0.4], [0, 0, 0]),
    ("log/sqrt", lambda x: x.log() / x.sqrt(), lambda x: sympy.log(x) / sympy.sqrt(x), [2.0], [0]),
    ("(log/sqrt)''", lambda x: x.log() / x.sqrt(), lambda x: sympy.log(x) / sympy.sqrt(x), [2.0],
     [0, 0]),
    ("exp*x**3", lambda x: x.exp() * x**3, lambda x: sympy.exp(x) * x**3, [0.3], [0, 0, 0]),
    (
        "neuron d2/dw1dx1",
        lambda w1, x1, w2, x2, b: (w1 * x1 + w2 * x2 + b).tanh(),
        lambda w1, x1, w2, x2, b: sympy.tanh(w1 * x1 + w2 * x2 + b),
        [-3.0, 2.0, 1.0, 0.0, 6.8813735870195432],
        [0, 1],
    ),
    (
        "dot neuron d2/dw1^2",
        lambda w1, x1, w2, x2, b: autograd.dot([w1, w2], [x1, x2], b).tanh(),
        lambda w1, x1, w2, x2, b: sympy.tanh(w1 * x1 + w2 * x2 + b),
        [-3.0, 2.0, 1.0, 0.5, 0.2],
        [0, 0],
    ),
]


@pytest.mark.parametrize(
    ("f", "symbolic", "at", "wrt"), [case[1:] for case in HIGHER], ids=[c[0] for c in HIGHER]
)
def test_higher_derivatives_match_sympy(
    f: Callable[..., Value], symbolic: Callable[..., Any], at: list[float], wrt: list[int]
) -> None:
    expected = sympy_derivative(symbolic, at, wrt)
    assert nth_derivative(f, at, wrt) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_grad_returns_values_only_with_create_graph() -> None:
    x = Value(2.0)
    y = x * x
    assert grad(y, [x]) == [4.0]
    (dy,) = grad(y, [x], create_graph=True)
    assert isinstance(dy, Value) and dy.data == 4.0


def test_grad_leaves_dot_grad_untouched() -> None:
    x = Value(3.0)
    y = (x * x).tanh()
    grad(y, [x])
    assert x.grad == 0.0 and y.grad == 0.0


def test_grad_of_unreachable_input_is_zero() -> None:
    x, unused = Value(1.0), Value(5.0)
    assert grad(x * 2, [unused]) == [0.0]
    assert grad(x * 2, [unused], create_graph=True)[0].data == 0.0


# -- backward: the chain rule, by hand ---------------------------------------------------------


def test_neuron_gradients_by_hand() -> None:
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    local = 1 - o.data**2  # d tanh(n) / dn = 1 - tanh(n)^2
    assert o.data == pytest.approx(math.sqrt(0.5))
    assert (w1.grad, w2.grad, x1.grad, x2.grad, b.grad) == (
        local * 2.0,
        local * 0.0,
        local * -3.0,
        local * 1.0,
        local,
    )


def test_reused_node_gets_summed_gradient() -> None:
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y = Value(3.0)
    (y + y + y).backward()
    assert y.grad == 3.0


def test_diamond_sums_both_paths() -> None:
    x = Value(2.0)
    a, b = x * 3, x.exp()
    (a * b).backward()
    assert x.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2), rel=1e-15)


def test_second_backward_doubles_every_grad_exactly() -> None:
    x = Value(0.3)
    h = (x * x).sigmoid()
    out = h * h + h.exp()
    out.backward()
    first = {id(n): n.grad for n in topological_order(out)}
    out.backward()
    for node in topological_order(out):
        assert node.grad == 2 * first[id(node)]
    assert out.grad == 2.0


def test_zero_upstream_times_infinite_local_derivative_is_still_nan() -> None:
    x = Value(0.0)
    (x.sqrt() * 0.0).backward()  # d/dx = 0 · ∞
    assert math.isnan(x.grad)


def test_dead_relu_gives_zero_gradient_below_it() -> None:
    w, a = Value(2.0), Value(-3.0)
    (w * a).relu().backward()
    assert (w.grad, a.grad) == (0.0, 0.0)


def test_constants_work_on_either_side() -> None:
    x = Value(2.0)
    y = 1 + 2 * x - 3 / x + x / 4 - (5 - x) + 2**x + x**2
    y.backward()
    expected = 2 + 3 / 4 + 1 / 4 + 1 + 4 * math.log(2) + 4
    assert x.grad == pytest.approx(expected, rel=1e-15)


def test_constants_become_labelled_leaves() -> None:
    y = Value(1.5) * 3
    assert y.op == "*" and [c.label for c in y.inputs] == ["", "3"]


def test_million_node_chain_needs_no_recursion() -> None:
    limit = sys.getrecursionlimit()
    step = Value(1.0, "step")
    out = Value(0.0)
    for _ in range(1_000_000):
        out = out + step
    out.backward()
    assert step.grad == 1_000_000.0 and out.data == 1_000_000.0
    assert sys.getrecursionlimit() == limit
    del out  # freeing a million-deep chain must not overflow the C stack either


def test_topological_order_puts_inputs_first() -> None:
    x, y = Value(1.0), Value(2.0)
    shared = x * y
    out = (shared + x).tanh() * shared
    order = topological_order(out)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is out and len(position) == len(order)
    for node in order:
        assert all(position[id(i)] < position[id(node)] for i in node.inputs)


def test_graph_has_no_reference_cycles() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(0.5)
        out = sum((x * i).tanh() for i in range(100)) * x
        assert isinstance(out, Value)
        out.backward()
        del out, x
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_no_grad_records_nothing() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
    assert y.inputs == () and y.op == "" and y.data == 5.0


def test_no_grad_is_per_thread() -> None:
    barrier = threading.Barrier(2)
    recorded: dict[str, tuple[Value, ...]] = {}

    def quiet() -> None:
        with no_grad():
            barrier.wait()  # both threads now compute at once, one inside no_grad
            recorded["quiet"] = (Value(1.0) * 2).inputs
            barrier.wait()

    def recording() -> None:
        barrier.wait()
        recorded["recording"] = (Value(1.0) * 2).inputs
        barrier.wait()

    threads = [threading.Thread(target=quiet), threading.Thread(target=recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert recorded["quiet"] == () and len(recorded["recording"]) == 2


def test_detach_is_a_leaf_with_the_same_data() -> None:
    x = Value(2.0, "x")
    y = (x * 3).detach()
    assert (y.data, y.inputs, y.op) == (6.0, (), "")


def test_repr_shows_data_grad_and_label() -> None:
    w = Value(2.0, "w1")
    w.grad = -1.5
    assert repr(w) == "Value(data=2.0, grad=-1.5, label='w1')"
    assert repr(Value(3)) == "Value(data=3.0, grad=0.0)"


def test_dot_is_one_node_with_the_expanded_value_and_gradients() -> None:
    ws = [Value(0.5), Value(-1.25), Value(2.0)]
    acts = [Value(0.1), Value(0.7), Value(-0.3)]
    b = Value(0.2)
    fused = autograd.dot(ws, acts, b)
    expanded = ws[0] * acts[0] + ws[1] * acts[1] + ws[2] * acts[2] + b
    assert fused.op == "dot" and fused.data == expanded.data
    assert grad(fused.tanh(), [*ws, *acts, b]) == grad(expanded.tanh(), [*ws, *acts, b])


def test_dots_makes_each_row_the_node_dot_makes() -> None:
    rows = [[Value(0.5), Value(-1.25)], [Value(2.0), Value(1e-3)]]
    acts = [Value(0.1), Value(0.7)]
    biases = [Value(0.2), Value(-0.4)]
    for z, row, b in zip(autograd.engine.dots(rows, acts, biases), rows, biases):
        single = autograd.dot(row, acts, b)
        assert (z.op, z.data, z.inputs, z.local_grads) == (
            single.op, single.data, single.inputs, single.local_grads
        )
        assert z.local_grads == (0.1, 0.7, *(w.data for w in row), 1.0)


def test_dot_with_a_bias_that_is_no_value_names_it() -> None:
    with pytest.raises(TypeError, match="every input must be a Value, got float 0.5"):
        autograd.dot([Value(1.0)], [Value(1.0)], 0.5)  # type: ignore[arg-type]


def test_dots_rejects_rows_and_biases_that_do_not_match() -> None:
    with pytest.raises(ValueError, match="2 rows of weights but 1 biases"):
        autograd.engine.dots([[Value(1.0)], [Value(2.0)]], [Value(1.0)], [Value(0.0)])
    with pytest.raises(ValueError, match="2 weights but 1 activations"):
        autograd.engine.dots([[Value(1.0), Value(2.0)]], [Value(1.0)], [Value(0.0)])


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(("bad", "name"), [("3", "str"), (None, "NoneType"), (1 + 2j, "complex"),
                                           (True, "bool")])
def test_value_rejects_non_real_numbers(bad: object, name: str) -> None:
    with pytest.raises(TypeError, match=f"real number.*got {name}"):
        Value(bad)  # type: ignore[arg-type]


def test_value_rejects_non_string_label() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, 5)  # type: ignore[arg-type]


def test_operands_must_be_numbers() -> None:
    with pytest.raises(TypeError, match="got str"):
        Value(1.0) + "2"  # type: ignore[operator]


@pytest.mark.parametrize(
    ("compute", "message"),
    [
        (lambda: Value(0.0).log(), r"log\(0.0\)"),
        (lambda: Value(-1.0).log(), r"log\(-1.0\)"),
        (lambda: Value(-1.0).sqrt(), r"sqrt\(-1.0\)"),
        (lambda: Value(1.0) / 0, "division by zero: 1.0 / 0.0"),
        (lambda: Value(0.0) ** -1, r"pow: 0 \*\* -1.0"),
        (lambda: Value(-8.0) ** (1 / 3), "not a real number"),
        (lambda: Value(-2.0) ** Value(2.0), "base >= 0"),
    ],
)
def test_out_of_domain_raises_value_error_naming_the_op(
    compute: Callable[[], Value], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        compute()


def test_exp_overflow_raises_with_a_message() -> None:
    with pytest.raises(OverflowError, match=r"exp\(1000.0\) overflows"):
        Value(1000.0).exp()


def test_sigmoid_saturates_without_overflow() -> None:
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0


def test_nan_given_by_the_user_propagates() -> None:
    nan = Value(math.nan)
    for result in (nan + 1, nan * 2, nan.tanh(), nan.exp(), nan.relu(), nan.sigmoid()):
        assert math.isnan(result.data)


def test_functions_accept_plain_numbers() -> None:
    assert autograd.exp(0.0) == 1.0 and autograd.relu(-2) == 0.0
    assert autograd.tanh(Value(0.0)).op == "tanh"
    with pytest.raises(ValueError, match="log"):
        autograd.log(0)
    with pytest.raises(TypeError, match="got str"):
        autograd.sqrt("4")


def test_dot_rejects_mismatched_or_non_value_inputs() -> None:
    with pytest.raises(ValueError, match="2 weights but 1 activations"):
        autograd.dot([Value(1.0), Value(2.0)], [Value(1.0)], Value(0.0))
    with pytest.raises(TypeError, match="got float"):
        autograd.dot([Value(1.0)], [1.0], Value(0.0))  # type: ignore[list-item]


def test_dot_reads_iterators_once_and_gets_the_gradients_right() -> None:
    w, a, b = Value(2.0), Value(3.0), Value(1.0)
    z = autograd.dot(iter([w]), iter([a]), b)  # type: ignore[arg-type]
    assert z.inputs == (w, a, b) and z.local_grads == (3.0, 2.0, 1.0)
    z.backward()
    assert (w.grad, a.grad, b.grad) == (3.0, 2.0, 1.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((5, [Value(1.0)], Value(0.0)), "weights must be a sequence of Values, got int 5"),
        (([Value(1.0)], 7, Value(0.0)), "activations must be a sequence of Values, got int 7"),
    ],
)
def test_dot_names_an_argument_that_is_no_sequence(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        autograd.dot(*args)


def test_dots_names_rows_that_are_no_sequence() -> None:
    with pytest.raises(TypeError, match="rows must be a sequence of rows of weights, got int 3"):
        autograd.engine.dots(3, [Value(1.0)], [Value(0.0)])  # type: ignore[arg-type]


def test_grad_and_topological_order_reject_non_values() -> None:
    with pytest.raises(TypeError, match="output must be a Value"):
        grad(3.0, [])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="every input must be a Value"):
        grad(Value(1.0), [2.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="needs a Value"):
        topological_order("x")  # type: ignore[arg-type]


def test_cycle_collector_pause_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), autograd.cycle_collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with autograd.cycle_collector_paused():
            pass
        assert not gc.isenabled()  # it was off before, so it stays off
    finally:
        gc.enable()


def test_as_value_keeps_values_and_labels_numbers() -> None:
    x = Value(1.0)
    assert autograd.as_value(x) is x
    half, three = autograd.as_value(0.5), autograd.as_value(3)
    assert (half.data, half.label, three.data, three.label) == (0.5, "0.5", 3.0, "3")
    with pytest.raises(TypeError, match="got str"):
        autograd.as_value("3")  # type: ignore[arg-type]


# -- derivatives of every order at the edges (issue 11) ------------------------------------------


def nth(f: Callable[[Value], Value], at: float, order: int) -> float:
    """The order-th derivative of f at `at`: create_graph for all but the last, floats for it."""
    x = Value(at)
    out = f(x)
    for _ in range(order - 1):
        out = grad(out, x, create_graph=True)[0]
    return float(grad(out, x)[0])


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("at", [-2.0, -1e-150, 1e-150, 3e5])
@pytest.mark.parametrize("exponent", [2, 3, -1, 4])
def test_constant_powers_have_every_derivative_at_negative_and_extreme_x(
    exponent: int, at: float, order: int
) -> None:
    s = sympy.Symbol("s")
    expected = float(sympy.diff(s**exponent, s, order).subs(s, sympy.Rational(at)).evalf(30))
    assert nth(lambda x: x**exponent, at, order) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("f", "second"),
    [
        (lambda x: x.sqrt(), -math.inf),
        (lambda x: x**0.5, -math.inf),
        (lambda x: x**1.5, math.inf),
        (lambda x: x.sqrt().sqrt(), -math.inf),
        (lambda x: x**2.5, 0.0),
    ],
    ids=["sqrt", "x**0.5", "x**1.5", "sqrt(sqrt)", "x**2.5"],
)
def test_second_derivatives_at_a_singular_point_are_the_exact_limits(
    f: Callable[[Value], Value], second: float
) -> None:
    x = Value(0.0)
    (first,) = grad(f(x), x, create_graph=True)
    assert grad(first, x)[0] == second
    assert grad(first, x, create_graph=True)[0].data == second


def test_third_derivative_of_x_to_the_2_5_at_zero_is_infinite() -> None:
    assert nth(lambda x: x**2.5, 0.0, 3) == math.inf


def test_zero_to_a_variable_power_has_the_limit_derivatives() -> None:
    x, y = Value(0.0), Value(2.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]
    (dx,) = grad(x**y, x, create_graph=True)
    assert grad(dx, x)[0] == 2.0  # d²/dx² x² at 0
    assert grad(Value(0.0) ** Value(0.5), [Value(0.0)]) == [0.0]
    assert grad(x ** Value(0.5), x)[0] == math.inf


def test_a_huge_local_derivative_still_gives_the_finite_gradient() -> None:
    x, y = Value(1e-20), Value(1e-310)
    (x / y * 1e-10).backward()
    assert x.grad == pytest.approx(1e300, rel=1e-14)
    assert grad(x / y * 1e-10, x) == [x.grad]


def test_exp_of_log_at_a_subnormal_has_derivative_one() -> None:
    x = Value(5e-320)
    x.log().exp().backward()
    assert x.grad == pytest.approx(1.0, rel=1e-12)


def test_second_derivative_whose_steps_overflow_is_still_finite() -> None:
    t = Value(250.0)
    (first,) = grad(1 / (-t).exp(), t, create_graph=True)
    assert grad(first, t)[0] == pytest.approx(math.exp(250.0), rel=1e-13)
    assert grad(first, t, create_graph=True)[0].data == pytest.approx(math.exp(250.0), rel=1e-13)


def test_a_derivative_graph_adds_and_multiplies_beyond_the_float_range_exactly() -> None:
    y = Value(5e-320)
    (first,) = grad(y / y, y, create_graph=True)  # 1/y − y/y², each beyond the float range
    assert first.data == 0.0
    assert grad(first, y) == [0.0] and grad(first, y, create_graph=True)[0].data == 0.0
    x = Value(1e-20)
    (slope,) = grad(x / Value(1e-310) * 1e-10, x, create_graph=True)
    assert slope.data == pytest.approx(1e300, rel=1e-14)


# -- threads ------------------------------------------------------------------------------------


def _shared_chain(w: Value, length: int) -> Value:
    out = w
    for _ in range(length):
        out = (out * 0.5 + w).tanh()
    return out


def test_grad_neither_reads_nor_writes_any_grad() -> None:
    w = Value(0.3)
    out = _shared_chain(w, 5)
    expected = grad(out, w)
    for node in topological_order(out):
        node.grad = None  # type: ignore[assignment]
    assert grad(out, w) == expected
    assert all(node.grad is None for node in topological_order(out))


def run_interleaved(targets: list[Callable[[], object]]) -> None:
    """Run each target in a thread of its own, switching between them as often as Python can."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=target) for target in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)


def test_threads_calling_grad_on_graphs_sharing_a_parameter_get_exact_answers() -> None:
    w = Value(0.3)
    graphs = [_shared_chain(w, 2000) for _ in range(4)]
    expected = grad(graphs[0], w)[0]
    results: list[float] = []
    run_interleaved([lambda g=g: results.extend(grad(g, w)[0] for _ in range(3)) for g in graphs])
    assert results == [expected] * 12


def test_threads_calling_backward_on_one_graph_add_up_exactly() -> None:
    w = Value(0.3)
    out = _shared_chain(w, 3000)
    out.backward()
    once = w.grad
    w.grad = 0.0
    start = threading.Barrier(4)

    def backward_together() -> None:
        start.wait()
        out.backward()

    run_interleaved([backward_together] * 4)
    assert w.grad == pytest.approx(4 * once, rel=1e-12)


def test_cycle_collector_pauses_nest_and_count_across_threads() -> None:
    entered, leave = threading.Event(), threading.Event()

    def pause_in_a_thread() -> None:
        with autograd.cycle_collector_paused():
            entered.set()
            leave.wait()

    worker = threading.Thread(target=pause_in_a_thread)
    with autograd.cycle_collector_paused():
        worker.start()
        entered.wait()
        with autograd.cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()  # the worker's pause is still on
    leave.set()
    worker.join()
    assert gc.isenabled()


# -- habits users bring (issue 12) --------------------------------------------------------------


def test_item_and_float_give_the_data() -> None:
    v = Value(2.5) * 2
    assert v.item() == 5.0 and float(v) == 5.0 and type(v.item()) is float


def test_comparisons_compare_data_and_equality_stays_identity() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= 1, b > 1.5, b >= a, a > 3) == (True, True, True, True, False)
    assert type(a < b) is bool
    assert a != Value(1.0) and a == a and len({a, Value(1.0)}) == 2
    with pytest.raises(TypeError, match="comparand must be a real number"):
        a < "2"  # type: ignore[operator]  # noqa: B015


def test_is_leaf_prev_and_op_are_micrograds_names() -> None:
    x, y = Value(1.0), Value(2.0)
    z = x * y
    assert x.is_leaf and not z.is_leaf
    assert z._prev == {x, y} and z._op == "*" and x._op == ""
    with pytest.raises(AttributeError):
        z._op = "+"  # type: ignore[misc]


def test_the_lectures_trace_function_runs_on_chainrule_values() -> None:
    def trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
        nodes, edges = set(), set()

        def build(v: Any) -> None:
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)

        build(root)
        return nodes, edges

    a, b = Value(2.0, "a"), Value(-3.0, "b")
    e = a * b
    d = e + Value(10.0, "c")
    nodes, edges = trace(d)
    assert len(nodes) == 5 and len(edges) == 4
    assert {n._op for n in nodes} == {"", "*", "+"} and (e, d) in edges


def test_value_sum_is_one_node_with_derivative_one_per_input() -> None:
    xs = [Value(float(i)) for i in range(4)]
    total = Value.sum(xs + [0.5])
    total.backward()
    assert (total.op, total.data, len(total.inputs)) == ("sum", 6.5, 5)
    assert [x.grad for x in xs] == [1.0] * 4
    empty = Value.sum([])
    assert (empty.data, empty.is_leaf) == (0.0, True)


def test_zero_grad_resets_every_node_reachable() -> None:
    x = Value(2.0)
    y = x * x + x
    y.backward()
    y.zero_grad()
    assert all(n.grad == 0.0 for n in topological_order(y))


def test_a_grad_of_none_counts_as_zero() -> None:
    x = Value(2.0)
    y = x * x
    x.grad = None  # type: ignore[assignment]
    y.backward()
    assert x.grad == 4.0
    x.grad, y.grad = None, 3.0  # type: ignore[assignment]
    y.backward()
    assert (x.grad, y.grad) == (4.0, 4.0)


def test_grad_of_one_value_is_a_list_of_one() -> None:
    x = Value(3.0)
    assert grad(x * x, x) == [6.0]


def test_numpy_scalars_work_wherever_a_number_does() -> None:
    np = pytest.importorskip("numpy", reason="numpy is optional")
    x = Value(np.float64(2.0))
    y = np.float64(3.0) * x + np.int64(1) - x / np.float32(2.0)
    assert isinstance(y, Value) and y.data == 6.0
    assert x < np.float64(3.0) and type(x.data) is float
    with pytest.raises(TypeError, match="got bool"):
        Value(True)


@pytest.mark.parametrize(
    ("attribute", "hint"),
    [
        ("_backward", "root.backward()"),
        ("grad_fn", ".op` and `.inputs"),
        ("requires_grad", "no_grad"),
        ("zero_", "v.grad = 0.0"),
        ("retain_grad", "keeps its `.grad`"),
    ],
)
def test_common_wrong_guesses_say_the_chainrule_way(attribute: str, hint: str) -> None:
    with pytest.raises(AttributeError, match=re.escape(hint)):
        getattr(Value(1.0), attribute)
    with pytest.raises(AttributeError, match="nonsense"):
        Value(1.0).nonsense  # type: ignore[attr-defined]  # noqa: B018


EVERY_OP: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "+": (lambda x, y: x + y, lambda x, y: x + y),
    "-": (lambda x, y: x - y, lambda x, y: x - y),
    "*": (lambda x, y: x * y, lambda x, y: x * y),
    "/": (lambda x, y: x / y, lambda x, y: x / y),
    "**": (lambda x, y: x**3 * y, lambda x, y: x**3 * y),
    "pow": (lambda x, y: y**x, lambda x, y: y**x),
    "neg": (lambda x, y: -x, lambda x, y: -x),
    "exp": (lambda x, y: x.exp(), lambda x, y: sympy.exp(x)),
    "log": (lambda x, y: x.log(), lambda x, y: sympy.log(x)),
    "log1p": (lambda x, y: x.log1p(), lambda x, y: sympy.log(1 + x)),
    "sqrt": (lambda x, y: x.sqrt(), lambda x, y: sympy.sqrt(x)),
    "tanh": (lambda x, y: x.tanh(), lambda x, y: sympy.tanh(x)),
    "sigmoid": (lambda x, y: x.sigmoid(), lambda x, y: 1 / (1 + sympy.exp(-x))),
    "relu": (lambda x, y: x.relu(), lambda x, y: sympy.Piecewise((x, x > 0), (0, True))),
    "sum": (lambda x, y: Value.sum([x, y, x]), lambda x, y: 2 * x + y),
    "dot": (lambda x, y: autograd.dot([x, y], [y, x], x), lambda x, y: 2 * x * y + x),
}


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("at", [-2.0, 0.0, 1e-300, 1e-20, 40.0])
@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_every_op_has_orders_1_to_3_at_negative_zero_tiny_and_large_inputs(
    name: str, at: float, order: int
) -> None:
    f, symbolic = EVERY_OP[name]
    x, y = Value(at), Value(0.75)
    try:
        out = f(x, y)
    except (ValueError, OverflowError):
        pytest.skip(f"{name} is not defined at {at}")
    s, t = sympy.symbols("s t", real=True)
    at_point = {s: sympy.Rational(at), t: sympy.Rational(0.75)}
    exact = sympy.diff(symbolic(s, t), s, order).subs(at_point)
    if not exact.is_finite:
        pytest.skip(f"a singular point of {name}: tested one by one above")
    derivative = out
    for _ in range(order):
        derivative = grad(derivative, x, create_graph=True)[0]
    # abs: σ' = σ(1 − σ) and tanh' = 1 − tanh² are exact to 1e-16 absolutely, not relatively,
    # where they saturate (σ'(40) is 4e-18; 1 − σ(40) rounds to 0)
    assert derivative.data == pytest.approx(float(exact.evalf(30)), rel=1e-12, abs=1e-15)
