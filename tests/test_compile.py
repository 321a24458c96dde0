"""autograd.compile: the generated code against fresh graphs, its errors, its source, its limits."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Op, Value, detect_anomaly, dot, no_grad
from autograd.compile import MAX_HEIGHT, CompiledGraph, compile_batch
from autograd.engine import _apply

TOLERANCE = 1e-12

# -- random expressions over every op of the table -----------------------------------------------

UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu"]
BINARY = ["+", "-", "*", "/", "pow", "**", "dot"]
Tree = Any  # ("x", i) | ("c", number) | (op, tree) | (op, tree, tree)


def trees() -> st.SearchStrategy[Tree]:
    leaves = st.one_of(
        st.tuples(st.just("x"), st.integers(0, 2)),
        st.tuples(st.just("c"), st.sampled_from([-1.5, -0.5, 0.0, 0.5, 2.0])),
    )

    def extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
        return st.one_of(
            st.tuples(st.sampled_from(UNARY), children),
            st.tuples(st.sampled_from(BINARY), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def build(tree: Tree, xs: list[Value]) -> Value:
    """The Value graph of `tree` on the leaves xs (a constant becomes a constant leaf)."""
    kind = tree[0]
    if kind == "x":
        return xs[tree[1]]
    if kind == "c":
        return Value(tree[1])
    a = build(tree[1], xs)
    if kind in UNARY:
        return -a if kind == "neg" else getattr(autograd, kind)(a)
    if kind == "**":  # a plain-number exponent: the second subtree is not used
        return a**3.0
    b = build(tree[2], xs)
    if kind == "dot":
        return dot([a, b], [b, xs[0]], a)
    return CALLS[kind](a, b)


def fresh(
    make: Callable[[list[Value]], Value], values: list[float]
) -> tuple[float, list[float]] | BaseException:
    """What the engine gives on a freshly built graph: (value, grads), or the error it raises."""
    xs = [Value(v) for v in values]
    try:
        root = make(xs)
        root.backward()
    except (ArithmeticError, ValueError) as error:
        return error
    return root.data, [x.grad for x in xs]


def assert_same(
    got: tuple[float, list[float]] | BaseException, want: tuple[float, list[float]] | BaseException
) -> None:
    """The same numbers to 1e-12 (NaN and inf exactly), or the same error and message."""
    if isinstance(want, BaseException):
        assert isinstance(got, BaseException), f"expected {want!r}, got {got!r}"
        assert type(got) is type(want) and str(got) == str(want)
        return
    assert not isinstance(got, BaseException), f"expected {want!r}, got {got!r}"
    for a, b in zip([got[0], *got[1]], [want[0], *want[1]]):
        if math.isfinite(b):
            assert a == pytest.approx(b, rel=TOLERANCE, abs=TOLERANCE)
        else:
            assert a == b or (math.isnan(a) and math.isnan(b))


def run(f: CompiledGraph, values: list[float]) -> tuple[float, list[float]] | BaseException:
    try:
        return f(values)
    except (ArithmeticError, ValueError) as error:
        return error


numbers = st.floats(-3.0, 3.0, allow_nan=False).map(lambda v: round(v, 1))


def test_the_first_failing_op_is_the_one_the_expression_meets_first() -> None:
    x, y, z = Value(1.0), Value(1.0), Value(1.0)
    f = autograd.compile(x / z + y / z, [x, y, z])
    with pytest.raises(ValueError, match=r"division by zero: 0\.0 / 0\.0"):  # x / z comes first
        f([0.0, 1.0, 0.0])


@settings(max_examples=150)
@given(trees(), st.lists(numbers, min_size=3, max_size=3),
       st.lists(numbers, min_size=3, max_size=3))
def test_compiled_graph_gives_a_fresh_graphs_value_gradients_and_errors(
    tree: Tree, traced_at: list[float], run_at: list[float]
) -> None:
    xs = [Value(v) for v in traced_at]
    try:
        root = build(tree, xs)
    except (ArithmeticError, ValueError):
        return  # no graph to compile at these numbers
    f = autograd.compile(root, xs)
    assert_same(run(f, run_at), fresh(lambda leaves: build(tree, leaves), run_at))
    assert_same(run(f, traced_at), fresh(lambda leaves: build(tree, leaves), traced_at))


@settings(max_examples=30)
@given(st.sampled_from(["tanh", "relu", "sigmoid", "linear"]), st.integers(1, 3),
       st.lists(numbers, min_size=5, max_size=5))
def test_compiled_mlp_matches_a_fresh_graph(activation: str, depth: int, xs: list[float]) -> None:
    from nn import MLP, mse

    model = MLP(2, [3] * depth + [1], activation=activation, seed=depth)
    params = model.parameters()
    inputs = [Value(xs[0]), Value(xs[1])]
    f = autograd.compile(mse(model(inputs), xs[2]), [*params, *inputs])
    values = [p.data * 1.5 - 0.1 for p in params] + [xs[3], xs[4]]
    for p, v in zip(params, values):
        p.data = v
    loss = mse(model(values[len(params):]), xs[2])
    loss.backward()
    value, grads = f(values)
    assert value == pytest.approx(loss.data, rel=TOLERANCE, abs=TOLERANCE)
    assert grads[: len(params)] == pytest.approx([p.grad for p in params], rel=1e-12, abs=1e-12)


def fresh_values(make: Callable[[list[Value]], Value], values: list[float]) -> Any:
    xs = [Value(v) for v in values]
    root = make(xs)
    root.backward()
    return root.data, [x.grad for x in xs]


# -- every op, at its branch points ------------------------------------------------------------

POINTS = [-2.0, -0.5, 0.0, 0.5, 1.0, 3.0, 800.0, -800.0]
CALLS: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "neg": lambda a, b: -a,
    "**": lambda a, b: a ** b.data,
    "pow": lambda a, b: a**b,
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "log1p": lambda a, b: a.log1p(),
    "sqrt": lambda a, b: a.sqrt(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "dot": lambda a, b: dot([a, b], [b, a], a),
    "sum": lambda a, b: Value.sum([a, b, a]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_op_compiles_to_what_its_table_entry_computes(name: str) -> None:
    """At every branch point of the rules (0, ±, large): same numbers or the same error."""
    assert name in CALLS, f"op {name!r} has no case in this test"
    call = CALLS[name]
    if name == "**":  # the exponent is a constant of the traced graph: one graph per exponent
        for c in (2.0, 0.5, -1.0, 0.0, 3.0):
            x = Value(1.5)
            f = autograd.compile(x**c, [x])
            for a0 in POINTS:
                assert_same(run(f, [a0]), fresh(lambda leaves, c=c: leaves[0] ** c, [a0]))
        return
    xs = [Value(1.5), Value(0.75)]
    f = autograd.compile(call(*xs), xs)
    for a0 in POINTS:
        for b0 in POINTS:
            assert_same(run(f, [a0, b0]), fresh(lambda leaves: call(*leaves), [a0, b0]))


# -- the engine's guarantees ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "at"),
    [
        (lambda x: x.log(), 0.0),
        (lambda x: 1.0 / x, 0.0),
        (lambda x: x.sqrt(), -1.0),
        (lambda x: x.exp(), 1000.0),
        (lambda x: x**0.5, -4.0),
        (lambda x: x ** Value(2.0), -1.0),
    ],
)
def test_domain_errors_are_the_engines_with_the_same_message(
    make: Callable[[Value], Value], at: float
) -> None:
    x = Value(2.0)
    f = autograd.compile(make(x), [x])
    want = fresh(lambda xs: make(xs[0]), [at])
    assert isinstance(want, BaseException)
    with pytest.raises(type(want)) as raised:
        f([at])
    assert str(raised.value) == str(want)


def test_an_infinite_gradient_is_the_engines() -> None:
    x = Value(4.0)
    f = autograd.compile(x.sqrt(), [x])
    assert f([0.0]) == (0.0, [math.inf])


def test_inside_detect_anomaly_the_engine_checks_every_edge() -> None:
    x = Value(4.0)
    f = autograd.compile(x.sqrt() * 2.0, [x])
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'sqrt'"):
        f([0.0])


def test_a_masked_overflow_is_not_hidden() -> None:
    """relu(-inf) is 0 in plain floats; the code's check hands the call to the engine instead."""
    x = Value(1e-300)  # traced where nothing overflows, run where the product does
    f = autograd.compile((x * 1e308 * -10.0).relu() + x, [x])
    engine = fresh(lambda xs: (xs[0] * 1e308 * -10.0).relu() + xs[0], [1.0])
    assert_same(run(f, [1.0]), engine)


HIDING = [  # an op after the overflow that turns its inf into a finite number
    lambda p: (-p).relu(),
    lambda p: 1.0 / p,
    lambda p: (-p).exp(),
    lambda p: p.tanh(),
    lambda p: (-(p * 2.0 + 1.0)).sigmoid(),
]


@pytest.mark.parametrize("hide", HIDING)
def test_an_overflow_that_a_later_op_hides_still_raises_the_engines_error(
    hide: Callable[[Value], Value],
) -> None:
    """The check leaves out what + - * neg dot sum consume, never what can hide an inf."""
    x, y = Value(1.0), Value(1.0)
    f = autograd.compile(hide(x * y) + x, [x, y])
    engine = fresh(lambda xs: hide(xs[0] * xs[1]) + xs[0], [1e200, 1e200])
    assert isinstance(engine, OverflowError)
    assert_same(run(f, [1e200, 1e200]), engine)


def test_a_batch_row_whose_hidden_overflow_is_caught_asks_for_the_engine() -> None:
    w, x = Value(1.0), Value(1.0)
    batch = compile_batch((-(w * x)).relu() + w, [w], [x])
    assert batch([1e200], [(1.0,), (1e200,)], 1.0) is None
    assert batch([1e200], [(1.0,)], 1.0) == (1e200, [1.0], [()])


def test_gradients_come_back_inside_no_grad_too() -> None:
    x = Value(1.0)
    f = autograd.compile(x.log(), [x])
    with no_grad():
        assert f([2.0]) == (math.log(2.0), [0.5])
        with pytest.raises(ValueError, match="log"):
            f([0.0])


def test_a_relu_at_zero_has_slope_zero_as_in_the_table() -> None:
    x = Value(1.0)
    f = autograd.compile(x.relu(), [x])
    assert f([0.0]) == (0.0, [0.0])
    assert f([2.0]) == (2.0, [1.0])


# -- what it accepts ---------------------------------------------------------------------------


def test_other_leaves_are_constants_and_missing_inputs_get_zero() -> None:
    x, y, unused = Value(2.0), Value(3.0), Value(5.0)
    f = autograd.compile(x * y, [x, unused])
    assert f([4.0, 1.0]) == (12.0, [3.0, 0.0])


def test_a_root_that_is_an_input_has_gradient_one() -> None:
    x = Value(2.0)
    assert autograd.compile(x, [x])([7.0]) == (7.0, [1.0])


@pytest.mark.parametrize(
    ("root", "inputs", "error", "message"),
    [
        (2.0, [], TypeError, "root must be a Value"),
        (Value(1.0), Value(1.0), TypeError, "must be a list of leaf Values"),
        (Value(1.0), [1.0], TypeError, r"inputs\[0\] must be a Value"),
        (Value(1.0) * 2, [], None, None),
    ],
)
def test_bad_arguments_are_named(root: Any, inputs: Any, error: Any, message: Any) -> None:
    if error is None:
        assert autograd.compile(root, inputs)([]) == (2.0, [])
        return
    with pytest.raises(error, match=message):
        autograd.compile(root, inputs)


def test_an_input_that_is_not_a_leaf_is_refused() -> None:
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(ValueError, match=r"inputs\[1\].*is not a leaf: it is computed by '\*'"):
        autograd.compile(y + x, [x, y])


def test_an_input_given_twice_is_refused() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match="appears twice"):
        autograd.compile(x * x, [x, x])


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([1.0], ValueError, "expected 2 values"),
        ([1.0, 2.0, 3.0], ValueError, "expected 2 values"),
        ([1.0, "2"], TypeError, r"values\[1\] must be a real number, got str"),
        ([True, 1.0], TypeError, r"values\[0\] must be a real number, got bool"),
        ("12", TypeError, "must be a list of numbers"),
    ],
)
def test_bad_values_are_named(values: Any, error: type[Exception], message: str) -> None:
    x, y = Value(1.0), Value(2.0)
    f = autograd.compile(x * y, [x, y])
    with pytest.raises(error, match=message):
        f(values)


def test_a_rule_that_branches_with_if_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def branchy(out: Any, x: Any) -> tuple[Any]:
        return (1.0 if x > 0.0 else 0.0,)

    op = Op("branchy", lambda x: x, branchy, lambda x: x)
    monkeypatch.setitem(OPS, "branchy", op)
    x = Value(1.0)
    node = _apply(op, (x,), [1.0])
    with pytest.raises(ValueError, match="local_grads of op 'branchy'.*ops.select"):
        autograd.compile(node, [x])


def test_an_op_without_a_formula_runs_its_forward_if_that_is_plain_arithmetic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = Op("plain", lambda x, y: 2.0 * x + y, lambda out, x, y: (2.0, 1.0))
    checked = Op("checked", lambda x: math.sqrt(x), lambda out, x: (0.5 / out,))
    monkeypatch.setitem(OPS, "plain", plain)
    monkeypatch.setitem(OPS, "checked", checked)
    x, y = Value(1.0), Value(2.0)
    assert autograd.compile(_apply(plain, (x, y), [1.0, 2.0]), [x, y])([3.0, 1.0]) == (
        7.0, [2.0, 1.0])
    with pytest.raises(ValueError, match=r"forward \(it has no formula\) of op 'checked'"):
        autograd.compile(_apply(checked, (x,), [1.0]), [x])


# -- the source -----------------------------------------------------------------------------------


def test_the_source_is_the_evaluation_trace_as_code() -> None:
    x1, w1, b = Value(2.0, "x1"), Value(-3.0, "w1"), Value(6.88, "b")
    o = (x1 * w1 + b).tanh()
    f = autograd.compile(o, [x1, w1, b])
    # Python 3.10's ast.unparse brackets a tuple target: (v1, v2, v4) = values
    lines = [line.strip().replace("(v1, v2, v4) =", "v1, v2, v4 =")
             for line in f.source.splitlines()]
    # forward: one line per node, as the expression computed them; then adjoints, edge by edge
    assert lines[lines.index("v1, v2, v4 = values"):][:8] == [
        "v1, v2, v4 = values",
        "v3 = v1 * v2",
        "v5 = v3 + v4",
        "v6 = tanh(v5)",
        "g5 = 1.0 - v6 * v6",  # tanh' = 1 − o², from the table
        "g1 = g5 * v2",
        "g2 = g5 * v1",
        "g4 = g5",  # + passes g5 down unchanged
    ]
    assert "Labels: v1 = x1, v2 = w1, v4 = b" in f.source
    tree = ast.parse(f.source)  # it is Python, and nothing but one function
    assert [type(node) for node in tree.body] == [ast.FunctionDef]


def test_no_tree_is_kept_after_compiling() -> None:
    x = Value(1.0)
    f = autograd.compile(x * x, [x])
    assert not any(isinstance(getattr(f, slot, None), ast.AST) for slot in CompiledGraph.__slots__)


def depth(node: ast.AST) -> int:
    return 1 + max((depth(child) for child in ast.iter_child_nodes(node)), default=0)


def test_long_sums_are_split_into_statements() -> None:
    n = 3000
    ws, xs = [Value(0.001 * k) for k in range(n)], [Value(1.0) for _ in range(n)]
    chain = Value(0.0)
    for w in ws:
        chain = chain + w
    root = dot(ws, xs, Value(1.0)) + chain.tanh()
    f = autograd.compile(root, ws)
    assert max(depth(s) for s in ast.parse(f.source).body[0].body) <= 2 * MAX_HEIGHT + 8
    values = [0.002 * k for k in range(n)]
    value, grads = f(values)
    want = fresh_values(
        lambda leaves: dot(leaves, [Value(1.0)] * n, Value(1.0)) + sum_of(leaves).tanh(), values
    )
    assert value == pytest.approx(want[0], rel=TOLERANCE)
    assert grads == pytest.approx(want[1], rel=TOLERANCE)


def sum_of(values: list[Value]) -> Value:
    total = Value(0.0)
    for v in values:
        total = total + v
    return total


# -- compile_batch --------------------------------------------------------------------------------


def test_a_batch_sums_each_rows_value_and_seeded_gradient() -> None:
    w, x, t = Value(0.5), Value(0.0), Value(0.0)
    d = w * x - t
    batch = compile_batch(d * d, [w], [x, t], [d])
    rows = [(1.0, 2.0), (3.0, -1.0)]
    total, grads, outputs = batch([2.0], rows, 0.5)  # type: ignore[misc]
    residuals = [2.0 * 1.0 - 2.0, 2.0 * 3.0 + 1.0]
    assert total == sum(r * r for r in residuals)
    assert grads == [0.5 * sum(2.0 * r * x for r, (x, _) in zip(residuals, rows))]
    assert outputs == [(r,) for r in residuals]


def test_a_batch_that_meets_a_domain_error_asks_for_the_engine() -> None:
    w, x = Value(1.0), Value(1.0)
    batch = compile_batch((w * x).log(), [w], [x])
    assert batch([1.0], [(2.0,), (0.0,)], 1.0) is None
    assert batch([1.0], [(2.0,)], 1.0) == (math.log(2.0), [1.0], [()])  # d/dw log(w·x) = 1/w


def test_batch_outputs_must_be_in_the_graph() -> None:
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"outputs\[0\].*is not in the graph"):
        compile_batch(w * 2.0, [w], [], [Value(3.0)])


def test_a_leaf_cannot_be_both_input_and_data() -> None:
    w = Value(1.0)
    with pytest.raises(ValueError, match="both an input and data"):
        compile_batch(w * 2.0, [w], [w])
