"""Turn user text such as "tanh(x*w + b)" into a `Value` graph, safely.

The text is parsed by Python's `ast` module and then walked against an allow-list: numbers, the
names the caller binds, `+ - * / **`, unary `-`/`+`, and calls by plain name to the engine's
functions. Anything else is refused. The text is never run (no eval, exec or compile to code),
and every limit is checked before work grows: length before parsing, nesting depth and the
number of parts while walking. Every problem raises `ExpressionError` with a one-line reason.

Parts made only of numbers are computed at once, so `x * (1/2)` becomes one node `x * 0.5`.
A sum of more than MAX_CHAINED_TERMS terms joined by + is one `Value.sum` node.
Each new node is labelled with its piece of the text when that is short (`x*w`, `tanh(n)`), so a
drawing says what every box is.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import numbers
import operator
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

import autograd
from autograd import OPS, Value

MAX_LENGTH = 10_000
MAX_DEPTH = 100
MAX_PARTS = 2_000
MAX_LABEL = 24
# A sum of more terms than this, all joined by +, becomes one "sum" node (Value.sum, the same
# left-to-right additions): a drawing then shows one Σ with every term beside it instead of a
# staircase of one + per term. Shorter sums, like a neuron's x1*w1 + x2*w2 + b, stay a chain.
MAX_CHAINED_TERMS = 8

FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": autograd.exp,
    "log": autograd.log,
    "sqrt": autograd.sqrt,
    "tanh": autograd.tanh,
    "sigmoid": autograd.sigmoid,
    "relu": autograd.relu,
}

# Python's operator node → the engine's op name (for parts made only of numbers, whose checked
# forward function refuses what plain floats would get wrong, e.g. (-8) ** (1/3) being complex)
# and the Python operator (for parts with a Value, which record the op in the graph).
BINARY_OPS: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}

# Operators of one group written one after another without brackets (x + y - z) are one flat
# chain: one level of nesting however long it is.
FLAT_GROUPS: dict[type[ast.operator], int] = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}

# What a student most likely meant by an operator that is not allowed.
OPERATOR_ADVICE: dict[type[ast.AST], str] = {
    ast.BitXor: "`^` is not a power here; write {left}**{right}",
    ast.FloorDiv: "`//` rounds down, which has no useful derivative; write {left} / {right}",
    ast.Mod: "`%` (remainder) has no useful derivative and is not allowed",
    ast.Not: "`not` is logic, not arithmetic; write -{operand} to change the sign",
}
# A number written against a name, as in 2x: Python reads no multiplication there.
NUMBER_THEN_NAME = re.compile(r"(?<![\w.])(\d[\d_]*(?:\.\d*)?)([^\W\d]\w*)")

# What to call the constructs a student might try, for the "not allowed" message.
REFUSED_NAMES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (a[i])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.NamedExpr: "assignment (:=)",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Starred: "starred arguments",
    ast.Await: "await",
}

Part: TypeAlias = Value | float


class ExpressionError(ValueError):
    """The expression or its bindings cannot be turned into a graph; the message says why."""


def parse_expression(text: str, bindings: Mapping[str, float | Value]) -> Value:
    """The Value graph computed by `text`, with each name taken from `bindings`.

    A number bound to a name becomes a leaf Value labelled with that name; a bound Value is used
    as it is. Raises ExpressionError for anything outside the allow-list or past a limit.
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got {type(text).__name__}")
    if not isinstance(bindings, Mapping):
        raise TypeError(
            f"bindings must be a mapping of name to number, got {type(bindings).__name__}"
        )
    leaves: dict[str, Value] = {}
    for name, value in bindings.items():
        parsed, leaf = _leaf(name, value)
        if parsed in leaves:
            raise ExpressionError(
                f"{name!r} is bound twice: Python reads it as {parsed!r}, which is bound already"
            )
        leaves[parsed] = leaf
    tree = _parse(text)
    result = _Builder(leaves, text.strip()).build(tree.body)
    return result if isinstance(result, Value) else Value(result)


def parse_bindings(items: Iterable[str]) -> dict[str, float]:
    """`["x=2", "w=-3"]` → `{"x": 2.0, "w": -3.0}`; a malformed, repeated or non-number binding
    raises ExpressionError."""
    bindings: dict[str, float] = {}
    for item in items:
        name, equals, number = item.partition("=")
        name = _as_parsed(name.strip())
        if not equals:
            raise ExpressionError(f"binding {item!r} must look like name=number, e.g. x=1.5")
        _check_name(name)
        if name in bindings:
            raise ExpressionError(f"{name!r} is bound twice; give each name one value")
        try:
            if not number.isascii():  # float() reads "１２"; an expression does not
                raise ValueError(number)
            value = float(number)
        except ValueError:
            raise ExpressionError(f"binding {item!r}: {number.strip()!r} is not a number") from None
        bindings[name] = _finite(value, f"binding {item!r}")
    return bindings


def _leaf(name: object, value: object) -> tuple[str, Value]:
    """The name as Python's parser spells it, and the Value it stands for."""
    if not isinstance(name, str):
        raise TypeError(f"binding names must be str, got {type(name).__name__} {name!r}")
    _check_name(_as_parsed(name))
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Value)):
        raise TypeError(f"binding {name!r} must be a real number or a Value, got {value!r:.60}")
    if not isinstance(value, Value):
        try:
            number = float(value)
        except OverflowError:
            raise ExpressionError(f"binding {name!r}: too large for a float") from None
        value = Value(_finite(number, f"binding {name!r}"), name)
    return _as_parsed(name), value


def _as_parsed(name: str) -> str:
    """Python's parser reads names in NFKC form (the ligature "ﬁ" is read as "fi"); so do we."""
    return unicodedata.normalize("NFKC", name)


def _check_name(name: str) -> None:
    """A bindable name is a Python identifier that is neither a keyword nor a function name."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ExpressionError(f"{name!r} is not a valid name (use letters, digits and _)")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function name and cannot be bound to a number")


def _finite(value: float, what: str) -> float:
    """`value` itself, or an ExpressionError when it is inf or nan."""
    if not math.isfinite(value):
        raise ExpressionError(f"{what}: {value!r} is not a finite number")
    return value


def _parse(text: str) -> ast.Expression:
    """The syntax tree of `text`, with length checked first and parser failures made ours."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if _bracket_depth(text) > MAX_DEPTH:
        raise _too_deep()
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": our error says it all
            warnings.simplefilter("ignore")
            return ast.parse(text.strip(), mode="eval")
    except (RecursionError, MemoryError):
        raise _too_deep_for_python(text) from None
    except SyntaxError as error:
        if "too many nested" in str(error.msg):
            raise _too_deep_for_python(text) from None
        column = f" at column {error.offset}" if error.offset else ""
        reason = str(error.msg).split(";")[0]
        juxtaposed = NUMBER_THEN_NAME.search(text.strip())
        if juxtaposed:
            number, name = juxtaposed.groups()
            reason = f"{juxtaposed[0]} is not a number or a name; write {number}*{name}"
        raise ExpressionError(f"not a valid expression{column}: {reason}") from None
    except ValueError as error:
        raise ExpressionError(f"not a valid expression: {error}") from None


def _bracket_depth(text: str) -> int:
    """How deep the brackets of `text` go: "((x))" is 2."""
    depth = deepest = 0
    for character in text:
        if character in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in ")]}":
            depth -= 1
    return deepest


FLAT_CHAIN = re.compile(r"\s*[\w.]+(?:\s*(?:[-+/]|\*(?!\*))\s*[\w.]+)*\s*")


def _too_deep_for_python(text: str) -> ExpressionError:
    """Python's own parser gave up: for a flat chain (x + y + ...) say it has too many parts,
    since a flat chain is one level here; otherwise it is nested too deeply.
    """
    if FLAT_CHAIN.fullmatch(text):
        parts = len(re.findall(r"[\w.]+", text)) * 2 - 1  # each operand and each operator
        if parts > MAX_PARTS:
            return ExpressionError(f"the expression has more than {MAX_PARTS:,} parts")
    return _too_deep()


def _too_deep() -> ExpressionError:
    """The one error for nesting past the limit, whoever notices it (our walk or Python's)."""
    return ExpressionError(
        f"the expression is nested more than {MAX_DEPTH} levels deep (brackets in brackets, "
        "calls in calls, operators in operators; a flat chain like x + y - z is one level)"
    )


class _Builder:
    """Walks an allowed syntax tree and computes it, counting its parts and its depth."""

    __slots__ = ("leaves", "lines", "parts", "source")

    def __init__(self, leaves: dict[str, Value], source: str) -> None:
        self.leaves = leaves
        self.parts = 0
        self.source = source
        self.lines = re.split(r"\r\n|\r|\n", source)

    def build(self, node: ast.expr, depth: int = 1) -> Part:
        """The value of `node`: a Value if it depends on a bound name, else a plain float."""
        if depth > MAX_DEPTH:
            raise _too_deep()
        return self._checked(node, lambda: self._compute(node, depth))

    def column(self, node: ast.expr) -> int:
        """The 1-based character column of `node` (ast counts UTF-8 bytes)."""
        line = self.lines[node.lineno - 1].encode("utf-8")
        return len(line[: node.col_offset].decode("utf-8", "replace")) + 1

    def _checked(self, node: ast.expr, compute: Callable[[], Part]) -> Part:
        """compute(), counted as a part, its errors ours, its result finite and labelled."""
        self._count_parts(1)
        try:
            result = compute()
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise ExpressionError(f"at column {self.column(node)}: {error}") from None
        number = result.data if isinstance(result, Value) else result
        if not math.isfinite(number):
            raise ExpressionError(
                f"at column {self.column(node)}: the result {number!r} is not a finite number"
            )
        if isinstance(result, Value) and result.op and not result.label:
            result.label = self._short_text(node)
        return result

    def _count_parts(self, count: int) -> None:
        """Count `count` more parts (each operator and each operand is one), up to MAX_PARTS."""
        self.parts += count
        if self.parts > MAX_PARTS:
            raise ExpressionError(f"the expression has more than {MAX_PARTS:,} parts")

    def _short_text(self, node: ast.expr) -> str:
        """The piece of the text that computed `node`, spaces tidied, or "" when it is long."""
        if node.end_lineno != node.lineno or node.end_col_offset is None:
            return ""
        if node.end_col_offset - node.col_offset > 4 * MAX_LABEL:
            return ""
        text = " ".join((ast.get_source_segment(self.source, node) or "").split())
        return text if len(text) <= MAX_LABEL else ""

    def _compute(self, node: ast.expr, depth: int) -> Part:
        """One allowed construct, its parts built first; anything else is refused."""
        if isinstance(node, ast.Constant):
            return _number(node, self.column(node))
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY_OPS:
            return self._chain(node, depth)
        if isinstance(node, ast.Call):
            function, argument = _call_parts(node, self.column(node))
            return function(self.build(argument, depth + 1))  # type: ignore[no-any-return]
        raise _refused(node, self.column(node), self.source)

    def _chain(self, node: ast.BinOp, depth: int) -> Part:
        """a + b - c ...: a flat chain is one level deep, walked as a loop, not by recursion."""
        links = [node]
        while _continues_flat(links[-1]):
            links.append(links[-1].left)  # type: ignore[arg-type]
            if len(links) > MAX_PARTS:
                raise ExpressionError(f"the expression has more than {MAX_PARTS:,} parts")
        if len(links) >= MAX_CHAINED_TERMS and all(isinstance(link.op, ast.Add) for link in links):
            return self._sum(links, depth)
        result = self.build(links[-1].left, depth + 1)
        for link in reversed(links[1:]):
            result = self._checked(link, functools.partial(self._link, link, result, depth))
        return self._link(node, result, depth)

    def _sum(self, links: list[ast.BinOp], depth: int) -> Part:
        """t_1 + t_2 + ... + t_n as one Value.sum node (plain floats when no term is a Value)."""
        self._count_parts(len(links) - 1)  # every + is a part, as in a chain; _checked counts one
        terms = [self.build(links[-1].left, depth + 1)]
        terms += [self.build(link.right, depth + 1) for link in reversed(links)]
        if not any(isinstance(term, Value) for term in terms):
            return functools.reduce(lambda left, right: _combine(ast.Add, left, right), terms)
        return Value.sum(terms)

    def _link(self, node: ast.BinOp, left: Part, depth: int) -> Part:
        return _combine(type(node.op), left, self.build(node.right, depth + 1))

    def _name(self, node: ast.Name) -> Value:
        """The leaf bound to a name; a function name or an unbound name is refused."""
        if node.id in self.leaves:
            return self.leaves[node.id]
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id!r} is a function: call it, as in {node.id}(x)")
        bound = ", ".join(sorted(self.leaves)) or "none"
        raise ExpressionError(f"unknown name {node.id!r} (bound names: {bound})")


def _continues_flat(node: ast.BinOp) -> bool:
    """True if node's left operand is an operator of the same group written without brackets."""
    left = node.left
    return (
        isinstance(left, ast.BinOp)
        and FLAT_GROUPS.get(type(left.op), 0) == FLAT_GROUPS.get(type(node.op), -1)
        and (left.lineno, left.col_offset) == (node.lineno, node.col_offset)
    )


def _number(node: ast.Constant, column: int) -> float:
    """A numeric literal as a finite float; text, bytes, bools, None and complex are refused."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError(f"at column {column}: {value!r:.60} is not a real number")
    return float(value)


def _combine(op: type[ast.operator], left: Part, right: Part) -> Part:
    """left op right: recorded in the graph when a Value is involved, else on plain floats."""
    name, apply = BINARY_OPS[op]
    if isinstance(left, float) and isinstance(right, float):
        return OPS[name].forward(left, right)
    return apply(left, right)  # type: ignore[no-any-return]


def _call_parts(node: ast.Call, column: int) -> tuple[Callable[[Any], Any], ast.expr]:
    """The engine function and the one argument of `f(x)`; any other call shape is refused."""
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        allowed = ", ".join(FUNCTIONS)
        raise ExpressionError(
            f"at column {column}: only these functions may be called, "
            f"by plain name: {allowed}"
        )
    name = node.func.id
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise ExpressionError(
            f"at column {column}: {name} takes exactly one argument, by position"
        )
    return FUNCTIONS[name], node.args[0]


def _operand_text(source: str, node: ast.expr) -> str:
    """An operand's text for advice, bracketed when it is itself an operation: x**(y+1)."""
    text = " ".join((ast.get_source_segment(source, node) or "").split())
    return f"({text})" if isinstance(node, (ast.BinOp, ast.UnaryOp)) else text


def _refused(node: ast.expr, column: int, source: str) -> ExpressionError:
    """The error for a construct outside the allow-list, named as a student would know it."""
    if isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) in OPERATOR_ADVICE:
        parts = {name: _operand_text(source, getattr(node, name))
                 for name in ("left", "right", "operand") if hasattr(node, name)}
        advice = OPERATOR_ADVICE[type(node.op)].format_map(parts)
        return ExpressionError(f"not allowed at column {column}: {advice}")
    what = REFUSED_NAMES.get(type(node))
    if what is None and isinstance(node, (ast.BinOp, ast.UnaryOp)):
        what = f"the operator {type(node.op).__name__}"
    return ExpressionError(
        f"not allowed at column {column}: {what or type(node).__name__}. "
        "Use numbers, names, + - * / ** and the functions " + ", ".join(FUNCTIONS)
    )
