"""viz.expr: the allow-list parser turns text into the right graph and refuses everything else.

Oracles: sympy (values and derivatives of the same expression built independently), hand
computation, and fuzzing (random text and random hostile syntax trees: the parser only ever
returns a Value or raises ExpressionError, each input within a time bound).
"""

from __future__ import annotations

import ast
import math
import time
from collections.abc import Callable

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from viz.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_PARTS,
    ExpressionError,
    parse_bindings,
    parse_expression,
)

NEURON = {"x": 2.0, "w": -3.0, "b": 6.8813735870195432}
SECONDS_PER_INPUT = 1.0


def test_neuron_value_and_grads_match_sympy() -> None:
    root = parse_expression("tanh(x*w + b)", NEURON)
    root.backward()
    x, w, b = sympy.symbols("x w b")
    f = sympy.tanh(x * w + b)
    at = {x: NEURON["x"], w: NEURON["w"], b: NEURON["b"]}
    leaves = {leaf.label: leaf for leaf in topological_order(root) if not leaf.op}
    assert root.data == pytest.approx(float(f.subs(at)), rel=1e-12)
    for symbol in (x, w, b):
        expected = float(sympy.diff(f, symbol).subs(at))
        assert leaves[str(symbol)].grad == pytest.approx(expected, rel=1e-12)


# Random expressions written twice: as text for the parser and as a sympy expression.
NAMES = {"x": 0.7, "y": -1.3, "z": 2.1}
SYMBOLS = {name: sympy.Symbol(name) for name in NAMES}


def _leaf() -> st.SearchStrategy[tuple[str, sympy.Expr]]:
    names = st.sampled_from(sorted(NAMES)).map(lambda n: (n, SYMBOLS[n]))
    numbers = st.integers(1, 9).map(lambda k: (str(k), sympy.Integer(k)))
    return st.one_of(names, numbers)


def _grow(
    children: st.SearchStrategy[tuple[str, sympy.Expr]],
) -> st.SearchStrategy[tuple[str, sympy.Expr]]:
    Combine = Callable[[sympy.Expr, sympy.Expr], sympy.Expr]

    def binary(op: str, combine: Combine) -> st.SearchStrategy[tuple[str, sympy.Expr]]:
        return st.tuples(children, children).map(
            lambda pair: (f"({pair[0][0]} {op} {pair[1][0]})", combine(pair[0][1], pair[1][1]))
        )

    def unary(
        name: str, apply: Callable[[sympy.Expr], sympy.Expr]
    ) -> st.SearchStrategy[tuple[str, sympy.Expr]]:
        return children.map(lambda c: (f"{name}({c[0]})", apply(c[1])))

    return st.one_of(
        binary("+", lambda a, b: a + b),
        binary("-", lambda a, b: a - b),
        binary("*", lambda a, b: a * b),
        binary("/", lambda a, b: a / b),
        children.map(lambda c: (f"-{c[0]}", -c[1])),
        st.tuples(children, st.integers(2, 3)).map(
            lambda p: (f"({p[0][0]})**{p[1]}", p[0][1] ** p[1])
        ),
        unary("tanh", sympy.tanh),
        unary("sigmoid", lambda a: 1 / (1 + sympy.exp(-a))),
        children.map(lambda c: (f"exp(tanh({c[0]}))", sympy.exp(sympy.tanh(c[1])))),
    )


EXPRESSIONS = st.recursive(_leaf(), _grow, max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_random_expressions_match_sympy(pair: tuple[str, sympy.Expr]) -> None:
    text, expected = pair
    try:
        root = parse_expression(text, NAMES)
    except ExpressionError as error:
        assert "division by zero" in str(error) or "not a finite number" in str(error)
        return
    root.backward()
    at = {SYMBOLS[n]: v for n, v in NAMES.items()}
    assert root.data == pytest.approx(float(expected.subs(at)), rel=1e-9, abs=1e-9)
    leaves = {leaf.label: leaf for leaf in topological_order(root) if leaf.label in NAMES}
    for name, leaf in leaves.items():
        derivative = float(sympy.diff(expected, SYMBOLS[name]).subs(at))
        assert leaf.grad == pytest.approx(derivative, rel=1e-7, abs=1e-9)


def test_a_name_is_one_leaf_however_often_used() -> None:
    root = parse_expression("x*x + x", {"x": 3.0})
    root.backward()
    (x,) = [n for n in topological_order(root) if n.label == "x"]
    assert x.grad == 2 * 3.0 + 1


def test_a_bound_value_is_used_as_it_is() -> None:
    x = Value(1.5, "mine")
    root = parse_expression("exp(x)", {"x": x})
    assert root.inputs == (x,)


def test_number_only_parts_are_computed_at_once() -> None:
    root = parse_expression("x * (1/2)", {"x": 4.0})
    assert root.op == "*"
    assert [i.data for i in root.inputs] == [4.0, 0.5]
    assert parse_expression("2**3 + 1", {}).data == 9.0


def test_new_nodes_are_labelled_with_their_text() -> None:
    root = parse_expression("tanh(x*w + b)", NEURON)
    labels = [n.label for n in reversed(topological_order(root)) if n.op]
    assert labels == ["tanh(x*w + b)", "x*w + b", "x*w"]


def test_long_pieces_stay_unlabelled() -> None:
    text = " + ".join(["x"] * 20)
    assert parse_expression(text, {"x": 1.0}).label == ""


def test_negative_base_with_integer_exponent_works() -> None:
    root = parse_expression("x**2", {"x": -3.0})
    root.backward()
    assert (root.data, root.inputs[0].grad) == (9.0, -6.0)


@pytest.mark.parametrize(
    "text",
    [
        "x.__class__",
        "().__class__.__bases__[0].__subclasses__()",
        "__import__('os').system('echo hi')",
        "x[0]",
        "lambda: x",
        "[x for x in y]",
        "{x: 1}",
        "(x, x)",
        "f'{x}'",
        "'text'",
        "b'bytes'",
        "True",
        "None",
        "1j",
        "...",
        "x if x else x",
        "x < 1",
        "x and x",
        "not x",
        "~x",
        "x // 2",
        "x % 2",
        "x @ x",
        "x << 1",
        "(y := 2)",
        "exp(x=1)",
        "exp(*x)",
        "exp(x, x)",
        "exp()",
        "print(x)",
        "x(1)",
        "exp",
        "unknown",
        "await x",
        "x = 1",
        "x; x",
        "",
        "\x00",
        "1e999",
        "9" * 5000,
        "2**10**10",
        "x**1e308",
        "10.0**400",
        "exp(1000)",
        "log(0)",
        "sqrt(-1)",
        "1/0",
        "x/0",
        "(-8)**(1/3)",
        "1e308*10",
    ],
)
def test_refused_promptly_with_our_error(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as error:
        parse_expression(text, {"x": 2.0})
    assert time.perf_counter() - started < SECONDS_PER_INPUT
    assert "\n" not in str(error.value)


def test_too_long_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ast.parse was called")

    monkeypatch.setattr(ast, "parse", must_not_parse)
    with pytest.raises(ExpressionError, match="10,001 characters"):
        parse_expression("x" * (MAX_LENGTH + 1), {"x": 1.0})


def _nested_calls(depth: int) -> str:
    """tanh(tanh(...(x)...)): `depth` levels counting the name x."""
    return "tanh(" * (depth - 1) + "x" + ")" * (depth - 1)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert parse_expression(_nested_calls(MAX_DEPTH), {"x": 0.5}).op == "tanh"


def test_nesting_past_the_limit_is_refused() -> None:
    with pytest.raises(ExpressionError, match="nested more than 100"):
        parse_expression(_nested_calls(MAX_DEPTH + 1), {"x": 0.5})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-" * 9_990 + "x", "nested"),
        ("+".join(["x"] * 4_999), "parts"),  # a flat chain is one level, on every Python
        ("(" * 3_000 + "x" + ")" * 3_000, "nested"),
        ("**".join("2" * 3_000), "nested"),
    ],
)
def test_deep_text_that_breaks_pythons_parser_gets_our_error(text: str, reason: str) -> None:
    assert len(text) <= MAX_LENGTH
    with pytest.raises(ExpressionError, match=reason):
        parse_expression(text, {"x": 1.0})


def test_too_many_parts_are_refused() -> None:
    terms = ["x"] * 1_100
    while len(terms) > 1:  # a balanced sum: many parts, little depth
        pairs = [f"({a}+{b})" for a, b in zip(terms[::2], terms[1::2])]
        terms = pairs + terms[len(pairs) * 2 :]
    assert len(terms[0]) <= MAX_LENGTH
    with pytest.raises(ExpressionError, match=f"more than {MAX_PARTS:,} parts"):
        parse_expression(terms[0], {"x": 1.0})


def test_unknown_name_lists_the_bound_ones() -> None:
    with pytest.raises(ExpressionError, match=r"unknown name 'y' \(bound names: w, x\)"):
        parse_expression("x*y", {"x": 1.0, "w": 2.0})


def test_bindings_are_parsed() -> None:
    assert parse_bindings(["x=2", " w = -3 ", "b=6.8813735870195432"]) == {
        "x": 2.0,
        "w": -3.0,
        "b": 6.8813735870195432,
    }


@pytest.mark.parametrize(
    ("items", "reason"),
    [
        (["x=1", "x=2"], "bound twice"),
        (["x"], "name=number"),
        (["1x=2"], "not a valid name"),
        (["if=2"], "not a valid name"),
        (["exp=2"], "function name"),
        (["x=abc"], "not a number"),
        (["x="], "not a number"),
        (["x=nan"], "not a finite number"),
        (["x=inf"], "not a finite number"),
        (["x=1e999"], "not a finite number"),
    ],
)
def test_bad_bindings_are_refused(items: list[str], reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason):
        parse_bindings(items)


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        parse_expression(b"x", {"x": 1.0})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mapping"):
        parse_expression("x", [("x", 1.0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="real number or a Value"):
        parse_expression("x", {"x": True})


# -- fuzzing ------------------------------------------------------------------------------------

EXPRESSION_CHARACTERS = list("xyzwb0123456789.eE+-*/()_ ,=[]{}:'\"@%<>!~&|^#\\\n\t") + [
    "exp", "tanh", "log", "sqrt", "relu", "sigmoid", "**", "lambda", "__", "import", "1e308", "if",
]


def _only_a_value_or_our_error(text: str) -> None:
    started = time.perf_counter()
    try:
        result = parse_expression(text, {"x": 0.5, "y": -2.0, "w": 3.0})
    except ExpressionError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(result, Value)
        assert math.isfinite(result.data)
    assert time.perf_counter() - started < SECONDS_PER_INPUT, f"slow input: {text[:80]!r}"


# Each example is a batch of inputs, which keeps hypothesis's own overhead per input small.
BATCH = 10


def test_fuzz_random_strings() -> None:
    tried: list[str] = []
    expression_like = st.lists(st.sampled_from(EXPRESSION_CHARACTERS), max_size=60).map("".join)
    strings = st.one_of(expression_like, st.text(max_size=80))

    @settings(max_examples=1_000, deadline=None, database=None)
    @given(st.lists(strings, min_size=BATCH, max_size=BATCH))
    def check(batch: list[str]) -> None:
        for text in batch:
            tried.append(text)
            _only_a_value_or_our_error(text)

    check()
    print(f"\nfuzz: {len(tried):,} random strings, 0 failures")
    assert len(tried) >= 10_000


def _hostile_leaves() -> st.SearchStrategy[ast.expr]:
    names = st.sampled_from(
        ["x", "y", "w", "exp", "tanh", "__import__", "__class__", "__builtins__", "eval", "os"]
    ).map(lambda n: ast.Name(id=n, ctx=ast.Load()))
    constants = st.one_of(
        st.integers(-(10**30), 10**30),
        st.sampled_from([10**4000, 1e308, 1e-308, 5e-324, 0.0, -0.0, 2, 1e16]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=5),
        st.binary(max_size=3),
        st.booleans(),
        st.none(),
        st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=1e6),
        st.just(...),
    ).map(lambda value: ast.Constant(value=value))
    return st.one_of(names, constants)


ALL_OPERATORS = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod, ast.FloorDiv, ast.MatMult,
                 ast.LShift, ast.BitOr, ast.BitAnd]


def _hostile_composites(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    operators = st.sampled_from(ALL_OPERATORS).map(lambda op: op())
    function_names = st.sampled_from(["exp", "log", "tanh", "relu", "eval", "getattr", "x"])
    no_arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg="x")], kwonlyargs=[],
                                 kw_defaults=[], defaults=[])
    generator = st.just(ast.comprehension(
        target=ast.Name(id="x", ctx=ast.Store()), iter=ast.Name(id="y", ctx=ast.Load()), ifs=[],
        is_async=0,
    ))
    return st.one_of(
        st.builds(ast.BinOp, left=children, op=operators, right=children),
        st.builds(ast.UnaryOp, operand=children,
                  op=st.sampled_from([ast.USub(), ast.UAdd(), ast.Not(), ast.Invert()])),
        st.builds(ast.Call, func=function_names.map(lambda n: ast.Name(id=n, ctx=ast.Load())),
                  args=st.lists(children, max_size=3),
                  keywords=st.lists(st.builds(ast.keyword, arg=st.just("x"), value=children),
                                    max_size=1)),
        st.builds(ast.Attribute, value=children, attr=st.sampled_from(["__class__", "real", "mro"]),
                  ctx=st.just(ast.Load())),
        st.builds(ast.Subscript, value=children, slice=children, ctx=st.just(ast.Load())),
        st.builds(ast.Lambda, args=st.just(no_arguments), body=children),
        st.builds(ast.ListComp, elt=children, generators=generator.map(lambda g: [g])),
        st.builds(ast.GeneratorExp, elt=children, generators=generator.map(lambda g: [g])),
        st.builds(ast.JoinedStr, values=children.map(
            lambda c: [ast.FormattedValue(value=c, conversion=-1, format_spec=None)])),
        st.builds(ast.Compare, left=children, ops=st.just([ast.Lt()]), comparators=children.map(
            lambda c: [c])),
        st.builds(ast.IfExp, test=children, body=children, orelse=children),
        st.builds(ast.Tuple, elts=st.lists(children, max_size=3), ctx=st.just(ast.Load())),
        st.builds(ast.NamedExpr, target=st.just(ast.Name(id="x", ctx=ast.Store())), value=children),
    )


def _deeply_nested(tree: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    """A tree wrapped in 50 to 250 layers of calls, unary minus or sums."""

    def wrap(pair: tuple[ast.expr, int, str]) -> ast.expr:
        node, depth, how = pair
        for _ in range(depth):
            if how == "call":
                node = ast.Call(func=ast.Name(id="tanh", ctx=ast.Load()), args=[node], keywords=[])
            elif how == "minus":
                node = ast.UnaryOp(op=ast.USub(), operand=node)
            else:
                node = ast.BinOp(left=node, op=ast.Add(), right=ast.Name(id="x", ctx=ast.Load()))
        return node

    how = st.sampled_from(["call", "minus", "sum"])
    return st.tuples(tree, st.integers(50, 250), how).map(wrap)


HOSTILE_TREES = st.recursive(_hostile_leaves(), _hostile_composites, max_leaves=12)


def _as_text(node: ast.expr) -> str | None:
    try:
        return ast.unparse(ast.Expression(body=node))
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None


def test_fuzz_hostile_syntax_trees() -> None:
    tried: list[str] = []

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(st.one_of(HOSTILE_TREES, _deeply_nested(HOSTILE_TREES)),
                    min_size=BATCH, max_size=BATCH))
    def check(batch: list[ast.expr]) -> None:
        for node in batch:
            text = _as_text(node)
            if text is not None:
                tried.append(text)
                _only_a_value_or_our_error(text)

    check()
    print(f"\nfuzz: {len(tried):,} hostile syntax trees, 0 failures")
    assert len(tried) >= 2_000


def test_names_are_read_as_pythons_parser_reads_them() -> None:
    # The parser reads the ligature "ﬁ" as "fi" (NFKC); a binding written either way matches.
    assert parse_expression("ﬁ * 2", {"ﬁ": 3.0}).data == 6.0
    assert parse_bindings(["ﬁ=2"]) == {"fi": 2.0}
    with pytest.raises(ExpressionError, match="bound twice"):
        parse_bindings(["ﬁ=2", "fi=3"])


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("x^2", "`^` is not a power here; write x**2"),
        ("x^(x+1)", "write x**(x+1)"),
        ("2x", "2x is not a number or a name; write 2*x"),
        ("3 + 2.5x", "write 2.5*x"),
        ("", "the expression is empty"),
        ("   ", "the expression is empty"),
        ("x // 2", "`//` rounds down, which has no useful derivative; write x / 2"),
        ("x % 2", "`%` (remainder) has no useful derivative"),
        ("not x", "`not` is logic, not arithmetic; write -x"),
    ],
)
def test_common_mistakes_are_explained_in_plain_words(text: str, advice: str) -> None:
    with pytest.raises(ExpressionError) as error:
        parse_expression(text, {"x": 2.0})
    assert advice in str(error.value)


def test_a_flat_sum_or_product_is_one_level_however_long() -> None:
    assert parse_expression(" + ".join(["x"] * 1_000), {"x": 1.0}).data == 1_000.0
    assert parse_expression("*".join(["x"] * 1_000), {"x": 1.0}).data == 1.0
    assert parse_expression("x" + " - x" * 999, {"x": 1.0}).data == -998.0
    with pytest.raises(ExpressionError, match=f"more than {MAX_PARTS:,} parts"):
        parse_expression("+".join(["x"] * 1_500), {"x": 1.0})  # 2,999 parts


def test_brackets_count_toward_the_depth() -> None:
    assert parse_expression("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH, {"x": 1.0}).data == 1.0
    with pytest.raises(ExpressionError, match="nested more than 100"):
        parse_expression("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), {"x": 1.0})
    bracketed_sum = "x"
    for _ in range(MAX_DEPTH):  # ((x+x)+x)+x ...: each bracket nests the sum one level more
        bracketed_sum = f"({bracketed_sum}+x)"
    with pytest.raises(ExpressionError, match="nested more than 100"):
        parse_expression(bracketed_sum, {"x": 1.0})


def test_error_columns_count_characters_not_bytes() -> None:
    with pytest.raises(ExpressionError, match="at column 6: attribute access"):
        parse_expression("éé + x.y", {"éé": 1.0, "x": 2.0})
    with pytest.raises(ExpressionError, match="at column 5: 'no' is not a real number"):
        parse_expression("é + 'no'", {"é": 1.0})


def test_bound_numbers_too_large_for_a_float_are_our_error() -> None:
    with pytest.raises(ExpressionError, match="binding 'x': too large for a float"):
        parse_expression("x", {"x": 10**400})


def test_two_bindings_python_reads_as_one_name_are_refused() -> None:
    with pytest.raises(ExpressionError, match="bound twice"):
        parse_expression("fi", {"ﬁ": 1.0, "fi": 2.0})


def test_a_function_name_cannot_be_bound_in_any_spelling() -> None:
    with pytest.raises(ExpressionError, match="'exp' is a function name"):
        parse_expression("1", {"ｅｘｐ": 1.0})
    with pytest.raises(ExpressionError, match="'exp' is a function name"):
        parse_bindings(["ｅｘｐ=1"])


def test_bindings_take_only_the_digits_an_expression_takes() -> None:
    with pytest.raises(ExpressionError, match="not a valid expression"):
        parse_expression("１２", {})
    with pytest.raises(ExpressionError, match="'１２' is not a number"):
        parse_bindings(["x=１２"])
    assert parse_bindings(["x=1_000"]) == {"x": parse_expression("1_000", {}).data}


def test_a_long_flat_sum_is_one_sum_node_with_the_chains_numbers() -> None:
    names = [f"x{i}" for i in range(1, 41)]
    bindings = {name: 0.1 * i for i, name in enumerate(names, 1)}
    root = parse_expression(" + ".join(names), bindings)
    root.backward()
    chained = 0.0  # the same additions a chain of + nodes does, left to right
    for name in names:
        chained += bindings[name]
    assert root.op == "sum" and len(root.inputs) == 40
    assert root.data == chained
    assert [leaf.label for leaf in root.inputs] == names
    assert all(leaf.grad == 1.0 for leaf in root.inputs)


def test_a_short_sum_such_as_a_neuron_stays_a_chain_of_plus() -> None:
    root = parse_expression("x1*w1 + x2*w2 + b", {"x1": 2, "w1": -3, "x2": 0, "w2": 1, "b": 6.88})
    assert [node.op for node in topological_order(root)].count("+") == 2
    eight = parse_expression("+".join("x" * 8), {"x": 1.0})
    assert eight.op == "+"


def test_a_long_sum_with_a_minus_stays_a_chain() -> None:
    root = parse_expression(" + ".join(f"x{i}" for i in range(12)) + " - x0",
                            {f"x{i}": float(i) for i in range(12)})
    assert root.op == "-" and root.data == 66.0
