"""`compile(root, inputs)`: a recorded graph written out once as straight-line Python.

A training step of a fixed network records the same graph every time; only the numbers change.
`compile` walks the graph once and writes it as a Python function with the `ast` module: forward
lines (`v3 = v1 * v2`, each op's `formula` from the table in ops.py), then adjoint lines
(`g1 = g3 * v2`, each op's own `local_grads` rule run on `Traced` numbers, which write code
instead of computing). The function is compiled once and then called with new numbers.

Nothing of the engine's guarantees is lost: whenever the code raises or gives a non-finite
number anywhere, the graph is re-run through the engine, which raises the engine's own error
(log of 0, x / 0, overflow, detect_anomaly) or returns the engine's own numbers.
"""

from __future__ import annotations

import ast
import builtins
import math
import numbers
import operator
import textwrap
import types
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar, Union

from autograd.engine import Value, _apply, cycle_collector_paused, grad, topological_order
from autograd.modes import _switches
from autograd.ops import OPS

Number = Union["Traced", float, bool]

# Python's compiler refuses expressions nested more than a few hundred deep; a longer sum is
# split into statements of at most this height.
MAX_HEIGHT = 48

# The functions the generated code may call: math's, under the names `Traced` writes.
_NAMESPACE: dict[str, Any] = {
    "__builtins__": {},
    "inf": math.inf,
    "nan": math.nan,
    "abs": abs,
    "exp": math.exp,
    "log": math.log,
    "log1p": math.log1p,
    "pow": math.pow,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
}


# -- traced numbers: arithmetic that writes expressions ------------------------------------------


class _Code:
    """The statements of the function being written, and fresh names for temporaries."""

    __slots__ = ("lines", "temporaries")

    def __init__(self) -> None:
        self.lines: list[ast.stmt] = []
        self.temporaries = 0

    def assign(self, name: str, value: Traced) -> Traced:
        """`name = value` as a new line; the name, as a traced number."""
        self.lines.append(_at(ast.Assign([_store(name)], value.tree)))
        return _name(name, self)

    def add_to(self, name: str, value: Traced) -> None:
        """`name += value` as a new line."""
        self.lines.append(_add_to(name, value))

    def low(self, value: Traced) -> Traced:
        """`value` itself, or a temporary holding it when it is nested too deep to grow."""
        if value.height < MAX_HEIGHT:
            return value
        self.temporaries += 1
        return self.assign(f"t{self.temporaries}", value)

    def expression(self, tree: ast.expr, *parts: Traced) -> Traced:
        """A new traced number for `tree`, an expression built from `parts`."""
        height = 1
        for part in parts:
            if part.height >= height:
                height = part.height + 1
        return Traced(tree, self, height)


def _add_to(name: str, value: Traced) -> ast.stmt:
    return _at(ast.AugAssign(_store(name), ast.Add(), value.tree))


def _store(name: str) -> ast.Name:
    return _at(ast.Name(name, ast.Store()))


def _load(name: str) -> ast.Name:
    return _at(ast.Name(name, ast.Load()))


def _name(name: str, code: _Code) -> Traced:
    """The variable `name` of the generated code, as a traced number."""
    return Traced(_load(name), code)


def _product(a: Traced, b: Traced) -> Number | None:
    """a·b written more simply where that is exact (NaN and inf included), else None.

    1·v is v, −1·v is −v, and v·(c1 if t else c2) is (v·c1 if t else v·c2) for a name or a
    constant v: a relu's local derivative times its upstream becomes `g if z > 0 else g * 0.0`.
    """
    for u, v in ((a, b), (b, a)):
        if u.constant == 1.0:
            return v
        if u.constant == -1.0:
            return -v
        tree = v.tree
        if (
            isinstance(tree, ast.IfExp)
            and isinstance(u.tree, (ast.Name, ast.Constant))
            and isinstance(tree.body, ast.Constant)
            and isinstance(tree.orelse, ast.Constant)
        ):
            code = u.code
            test = Traced(tree.test, code, v.height - 1)
            return test.select(u * Traced(tree.body, code), u * Traced(tree.orelse, code))
    return None


Located = TypeVar("Located", bound=ast.stmt | ast.expr | ast.arg)


def _at(node: Located) -> Located:
    """`node` placed at line 1 (the code has no source file: every node needs a position)."""
    node.lineno = 1
    node.col_offset = 0
    return node


def _binary(kind: ast.operator | ast.cmpop, compute: Callable[[Any, Any], Any],
            reflected: bool = False) -> Callable[[Traced, Number], Number]:
    """The Traced method for a binary operator: `self <op> other` (or `other <op> self`)."""

    def method(self: Traced, other: Number) -> Number:
        code = self.code
        a, b = self, _traced(other, code)
        if reflected:
            a, b = b, a
        x, y = a.constant, b.constant
        if x is not None and y is not None:
            folded = _fold(compute, (x, y))
            if folded is not None:
                return folded if isinstance(folded, bool) else _constant(folded, code)
        if isinstance(kind, ast.Mult):
            simpler = _product(a, b)
            if simpler is not None:
                return simpler
        if isinstance(kind, ast.Add) and x == 0.0:
            return b  # a sum that starts from 0.0 (as a dot does) starts from its first term
        a, b = code.low(a), code.low(b)
        if isinstance(kind, ast.cmpop):
            tree: ast.expr = ast.Compare(a.tree, [kind], [b.tree])
        else:
            tree = ast.BinOp(a.tree, kind, b.tree)
        return code.expression(tree, a, b)

    return method


class Traced:
    """A number in the function being written: arithmetic on it writes an `ast` expression.

    Operations on two constants are folded into a constant; a comparison of constants is a
    plain bool, so `ops.select` picks its branch at once. `bool()` of a traced number raises:
    a rule that branches must use `ops.select`, which becomes `a if condition else b`.
    """

    __slots__ = ("tree", "code", "height", "constant")

    def __init__(self, tree: ast.expr, code: _Code, height: int = 1) -> None:
        self.tree = _at(tree)
        self.code = code
        self.height = height
        value = tree.value if isinstance(tree, ast.Constant) else None
        self.constant: float | None = value if isinstance(value, float) else None  # the number

    @property
    def data(self) -> Traced:
        """What `ops._data` reads: the traced number itself."""
        return self

    def __bool__(self) -> bool:
        raise TypeError(
            "a rule branched with `if` on a traced number; write the branch with ops.select"
        )

    def select(self, if_true: Number, if_false: Number) -> Number:
        """`if_true if self else if_false` (lazily, as Python evaluates it)."""
        code = self.code
        a, b = _traced(if_true, code), _traced(if_false, code)
        if a.constant is not None and a.constant == b.constant:
            return a
        test, a, b = code.low(self), code.low(a), code.low(b)
        return code.expression(ast.IfExp(test.tree, a.tree, b.tree), test, a, b)

    def _call(self, name: str, *others: Number) -> Traced:
        """`name(self, *others)`, one of the math functions of the generated code."""
        code = self.code
        args = [code.low(_traced(x, code)) for x in (self, *others)]
        numbers_ = [a.constant for a in args]
        if None not in numbers_:
            folded = _fold(_NAMESPACE[name], numbers_)
            if folded is not None:
                return _constant(folded, code)
        return code.expression(
            ast.Call(_load(name), [a.tree for a in args], []), *args
        )

    def exp(self) -> Traced:
        return self._call("exp")

    def log(self) -> Traced:
        return self._call("log")

    def log1p(self) -> Traced:
        return self._call("log1p")

    def sqrt(self) -> Traced:
        return self._call("sqrt")

    def tanh(self) -> Traced:
        return self._call("tanh")

    def __abs__(self) -> Traced:
        return self._call("abs")

    def __pow__(self, other: Number) -> Traced:
        if _traced(other, self.code).constant == 1.0:
            return self  # x ** 1.0 is exactly x
        return self._call("pow", other)  # math.pow: a real number or an error, never complex

    def __rpow__(self, other: Number) -> Traced:
        return _traced(other, self.code)._call("pow", self)

    def __neg__(self) -> Traced:
        value = self.constant
        if value is not None:
            return _constant(-value, self.code)
        operand = self.code.low(self)
        return self.code.expression(ast.UnaryOp(ast.USub(), operand.tree), operand)

    def __and__(self, other: Number) -> Number:
        if isinstance(other, bool):
            return self if other else False
        code = self.code
        a, b = code.low(self), code.low(_traced(other, code))
        return code.expression(ast.BoolOp(ast.And(), [a.tree, b.tree]), a, b)

    __rand__ = __and__
    __add__ = _binary(ast.Add(), operator.add)
    __radd__ = _binary(ast.Add(), operator.add, reflected=True)
    __sub__ = _binary(ast.Sub(), operator.sub)
    __rsub__ = _binary(ast.Sub(), operator.sub, reflected=True)
    __mul__ = _binary(ast.Mult(), operator.mul)
    __rmul__ = _binary(ast.Mult(), operator.mul, reflected=True)
    __truediv__ = _binary(ast.Div(), operator.truediv)
    __rtruediv__ = _binary(ast.Div(), operator.truediv, reflected=True)
    __lt__ = _binary(ast.Lt(), operator.lt)
    __le__ = _binary(ast.LtE(), operator.le)
    __gt__ = _binary(ast.Gt(), operator.gt)
    __ge__ = _binary(ast.GtE(), operator.ge)
    __eq__ = _binary(ast.Eq(), operator.eq)  # type: ignore[assignment]
    __ne__ = _binary(ast.NotEq(), operator.ne)  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]  # == writes a comparison, so no hashing


def _traced(x: Number, code: _Code) -> Traced:
    """A traced number for `x`: itself, or a constant for a plain number."""
    if isinstance(x, Traced):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"a rule gave {type(x).__name__} {x!r} where a number was expected")
    return _constant(float(x), code)


def _constant(x: float, code: _Code) -> Traced:
    """A number written into the code (inf and nan by name: they have no literal)."""
    if math.isfinite(x):
        return Traced(ast.Constant(x), code)
    name = _load("nan" if math.isnan(x) else "inf")
    return Traced(ast.UnaryOp(ast.USub(), name) if x < 0.0 else name, code, 2)


def _fold(compute: Callable[..., Any], args: Sequence[Any]) -> Any:
    """`compute(*args)` on constants, or None where Python raises (the generated code will too)."""
    try:
        result = compute(*args)
    except (ArithmeticError, ValueError):
        return None
    return result if isinstance(result, (float, bool)) else None


# -- a recorded graph as forward and adjoint lines -------------------------------------------------


class _Graph:
    """What the generated code computes: the graph's nodes in order and the role of each leaf.

    `variables` are the leaves to differentiate by (their gradients are returned), `data` the
    leaves whose numbers change from call to call without a gradient; every other leaf, and
    every node computed from such leaves only, is a constant written into the code.
    """

    __slots__ = ("root", "order", "index", "variables", "data")

    def __init__(self, root: Value, variables: Sequence[Value], data: Sequence[Value],
                 what: str) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"{what}: root must be a Value, got {type(root).__name__} {root!r}")
        self.root = root
        self.order = _evaluation_order(root)
        self.index = {node: k for k, node in enumerate(self.order, start=1)}
        self.variables = _leaves(variables, what, "inputs")
        self.data = _leaves(data, what, "data")
        if not self.variables.keys().isdisjoint(self.data):
            raise ValueError(f"{what}: a leaf is both an input and data")

    def name(self, node: Value) -> str:
        return f"v{self.index[node]}"


def _evaluation_order(root: Value) -> list[Value]:
    """The nodes in the order Python evaluated the expression that built them: each node's
    inputs left to right, before the node. So the first failing op is the one the user's own
    code meets first, and its error is the same.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((x, False) for x in reversed(node.inputs) if x not in seen)
    return order


def _leaves(values: Sequence[Value], what: str, kind: str) -> dict[Value, int]:
    """{leaf: its position} for a list of distinct leaf Values, or an error naming the bad one."""
    if isinstance(values, Value) or not isinstance(values, Sequence):
        raise TypeError(f"{what}: {kind} must be a list of leaf Values, got {values!r}")
    positions: dict[Value, int] = {}
    for i, x in enumerate(values):
        if not isinstance(x, Value):
            raise TypeError(f"{what}: {kind}[{i}] must be a Value, got {type(x).__name__} {x!r}")
        if x.inputs:
            raise ValueError(
                f"{what}: {kind}[{i}] ({x!r}) is not a leaf: it is computed by {x.op!r}; "
                "compile differentiates by leaves only"
            )
        if x in positions:
            raise ValueError(f"{what}: {kind}[{i}] ({x!r}) appears twice")
        positions[x] = i
    return positions


class _Written(NamedTuple):
    """The generated lines' results: the root's value, the variables' gradients, the check."""

    values: dict[Value, Traced]
    grads: list[Traced]
    check: list[Traced]  # numbers whose sum is finite only if every number computed is

    def variables(self, graph: _Graph) -> list[Traced]:
        """The variables' values (checked once per call, as they do not change per row)."""
        return [self.values[x] for x in graph.variables if x in graph.index]


def _write(graph: _Graph, code: _Code, seed: Traced, totals: bool) -> _Written:
    """Append the forward lines, then the adjoint lines, of `graph` to `code`.

    With `totals`, each variable's gradient is added to a running total named after it
    (`g1 += ...`, set to 0 before), as when the lines run once per example of a batch.
    """
    value: dict[Value, Traced] = {}
    computed: list[Value] = []
    active: set[Value] = set()  # nodes whose number changes from call to call
    wanted: set[Value] = set()  # nodes that lead to a variable, so need an adjoint
    for node in graph.order:
        if node in graph.variables or node in graph.data:
            value[node] = _name(graph.name(node), code)
            active.add(node)
            if node in graph.variables:
                wanted.add(node)
        elif not node.inputs or active.isdisjoint(node.inputs):
            value[node] = _constant(node.data, code)
        else:
            result = _traced(_rule(node, "formula", [value[x] for x in node.inputs]), code)
            value[node] = code.assign(graph.name(node), result)
            computed.append(node)
            active.add(node)
            if not wanted.isdisjoint(node.inputs):
                wanted.add(node)
    computed.extend(x for x in graph.data if x in graph.index)
    checked = {graph.name(x) for x in graph.variables if x in graph.index}
    trees = [value[x].tree for x in computed]
    checked.update(tree.id for tree in trees if isinstance(tree, ast.Name))
    # The check sums every number except those that + - * neg dot sum consume: a NaN or inf
    # given to one of those makes its result NaN or inf too (inf·0 and inf − inf are NaN), so
    # the result's place in the check (or its own consumer's) catches it.
    passed_on = {x for node in computed if node.op in _PASS_ON_NON_FINITE for x in node.inputs}
    check = [value[x] for x in computed if x not in passed_on]
    terms: dict[Value, list[Traced]] = {}  # the contributions to each adjoint, in sweep order
    pushed: set[Value] = set()  # nodes whose adjoint is added to edge by edge (`g_k += ...`)

    def adjoint(node: Value) -> Traced:
        """g_k = the sum of node k's contributions, once all of them are in (see `_sum`).

        A lone contribution that is already a name (what `+` passes down) is used as it is.
        """
        if node in pushed:
            return _name(f"g{graph.index[node]}", code)
        contributions = terms.pop(node)
        if len(contributions) == 1 and isinstance(contributions[0].tree, ast.Name):
            return contributions[0]
        return code.assign(f"g{graph.index[node]}", _sum(contributions, code))

    for node in reversed(topological_order(graph.root)):  # the edges in backward()'s order
        if node not in wanted or not node.inputs:
            continue
        upstream = seed if node is graph.root else adjoint(node)
        local_grads = _rule(node, "local_grads", [value[node], *(value[x] for x in node.inputs)])
        edges = [
            (x, _traced(upstream * local, code))  # the chain rule, one edge at a time
            for x, local in zip(node.inputs, local_grads)
            if x in wanted
        ]
        # In a batch, 0 × a finite local derivative adds nothing: a node whose upstream is 0 (a
        # dead ReLU's z) skips its edges, as backward() does. What they add to is then added to
        # edge by edge, starting from what it has so far: the sums keep backward()'s order.
        skippable = (
            totals
            and len(edges) > 1
            and all(_is_checked(_traced(d, code), checked) for d in local_grads)
        )
        lines: list[ast.stmt] = []
        for x, contribution in edges:
            name = f"g{graph.index[x]}"
            if skippable and x not in pushed and x not in graph.variables:
                code.assign(name, _sum(terms.pop(x, []), code))
                pushed.add(x)
            if x in pushed or (totals and x in graph.variables):
                lines.append(_add_to(name, contribution))
            else:
                terms.setdefault(x, []).append(contribution)
        if skippable:
            test = _at(ast.Compare(upstream.tree, [ast.NotEq()], [_at(ast.Constant(0.0))]))
            code.lines.append(_at(ast.If(test, lines, [])))
        else:
            code.lines.extend(lines)
    grads = []
    for x in graph.variables:
        if totals or x not in wanted:
            grads.append(_name(f"g{graph.index[x]}", code)
                         if totals and x in graph.index else _constant(0.0, code))
        elif x is graph.root:
            grads.append(seed)
        else:  # an input's gradient under its own name, even where `+` passed another down
            name = f"g{graph.index[x]}"
            gradient = adjoint(x)
            if not (isinstance(gradient.tree, ast.Name) and gradient.tree.id == name):
                gradient = code.assign(name, gradient)
            grads.append(gradient)
    return _Written(value, grads, check)


_PASS_ON_NON_FINITE = frozenset({"+", "-", "*", "neg", "dot", "sum"})


def _is_checked(local: Traced, checked: set[str]) -> bool:
    """Is this local derivative a finite constant or a number the check sums (so finite)?"""
    tree = local.tree
    if isinstance(tree, ast.Name):
        return tree.id in checked
    return local.constant is not None and math.isfinite(local.constant)


def _rule(node: Value, field: str, operands: list[Traced]) -> Any:
    """The op's `formula` or `local_grads` run on traced operands, or a clear error.

    An op without a formula is tried with its forward, which works where forward is plain
    arithmetic (as a sum's or a dot's is) and fails clearly where it checks its inputs.
    """
    op = OPS.get(node.op)
    if op is None:
        raise ValueError(f"compile: the op {node.op!r} is not in autograd.ops.OPS")
    rule = getattr(op, field)
    if rule is None:
        field, rule = "forward (it has no formula)", op.forward
    try:
        return rule(*operands)
    except TypeError as error:
        raise ValueError(
            f"compile: the {field} of op {node.op!r} cannot run on traced numbers: {error}"
        ) from error


def _sum(terms: Sequence[Traced], code: _Code) -> Traced:
    """t_1 + t_2 + ... (0.0 for none), split into statements where it grows deep."""
    total = _constant(0.0, code)
    for term in terms:
        total = _traced(total + term, code)
    return total


def _module(name: str, arguments: list[str], docstring: str, code: _Code) -> ast.Module:
    """`def name(arguments): docstring; code.lines` as a module's tree."""
    definition = ast.FunctionDef(
        name=name,
        args=ast.arguments(
            posonlyargs=[], args=[_at(ast.arg(a)) for a in arguments], vararg=None, kwonlyargs=[],
            kw_defaults=[], kwarg=None, defaults=[],
        ),
        body=[_at(ast.Expr(_at(ast.Constant(docstring)))), *code.lines],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    return ast.Module([_at(definition)], type_ignores=[])


def _function(module: ast.Module) -> Callable[..., Any]:
    """The one function that `module` defines, compiled (the tree can go once this returns)."""
    definition = module.body[0]
    assert isinstance(definition, ast.FunctionDef)
    bytecode = builtins.compile(module, f"<chainrule: {definition.name}>", "exec")
    function_code = next(c for c in bytecode.co_consts if isinstance(c, types.CodeType))
    return types.FunctionType(function_code, dict(_NAMESPACE), definition.name)


def _list(items: list[Traced]) -> ast.expr:
    return _at(ast.List([x.tree for x in items], ast.Load()))


def _return(*values: ast.expr) -> ast.stmt:
    """`return value_1, value_2, ...`."""
    return _at(ast.Return(_at(ast.Tuple(list(values), ast.Load()))))


def _unpack(names: list[str], argument: str) -> ast.stmt:
    """`n1, n2, ... = argument`."""
    target = _at(ast.Tuple([_store(n) for n in names], ast.Store()))
    return _at(ast.Assign([target], _load(argument)))


def _docstring(summary: str, graph: _Graph, written: _Written) -> str:
    """The generated function's docstring: what it returns, how to read it, the graph's labels."""
    root = graph.name(graph.root)
    labels = ", ".join(
        f"{graph.name(node)} = {node.label}"
        for node in graph.order
        if node.label and isinstance(written.values[node].tree, ast.Name)
    )
    lines = [
        summary,
        "",
        "Forward lines compute each node v_i (its op's formula in autograd.ops), in the order the",
        f"expression computed them; adjoint lines compute g_i = d {root} / d v_i, edge by edge.",
        *textwrap.wrap(f"Labels: {labels or '(none)'}", 92),
    ]
    return "\n".join(f"    {line}" if line else "" for line in lines).lstrip() + "\n    "


# -- compile(root, inputs) ----------------------------------------------------------------------


class CompiledGraph:
    """A recorded graph as a Python function: `f(values)` → (root's value, d root/d inputs).

    `f.source` is the generated code: forward lines `v_i = ...`, then adjoint lines
    `g_i = ...` (g_i = d root/d v_i), edge by edge as backward() visits them.
    """

    __slots__ = ("_function", "_shape")

    def __init__(self, root: Value, inputs: Sequence[Value]) -> None:
        with cycle_collector_paused():  # thousands of tree nodes, and no cycle among them
            graph = _Graph(root, inputs, [], "compile")
            self._function = _function(_graph_module(graph))
            self._shape = _Shape(graph, [])

    @property
    def source(self) -> str:
        """The generated code (written out again from the graph's shape: no tree is kept)."""
        with cycle_collector_paused():
            return ast.unparse(_graph_module(self._shape.graph()[0]))

    def __call__(self, values: Sequence[float]) -> tuple[float, list[float]]:
        """The root's value and its gradient by each input, for these input values."""
        numbers_ = _numbers(values, len(self._shape.variables))
        if not _switches.checking:  # detect_anomaly checks every edge: only the engine does
            try:
                value, grads, check = self._function(numbers_)
            except (ArithmeticError, ValueError):
                pass
            else:
                if math.isfinite(check):
                    return value, grads
        return self._shape.run(numbers_)

    def __repr__(self) -> str:
        return f"CompiledGraph({len(self._shape.variables)} inputs, {len(self._shape.steps)} nodes)"


def _graph_module(graph: _Graph) -> ast.Module:
    """The code of a CompiledGraph: `compiled_graph(values)` → (value, gradients, check)."""
    code = _Code()
    names = [graph.name(x) if x in graph.index else "_" for x in graph.variables]
    if names:
        code.lines.append(_unpack(names, "values"))
    written = _write(graph, code, _constant(1.0, code), totals=False)
    check = _sum([*written.check, *written.variables(graph), *written.grads], code)
    check = code.assign("check", check)  # finite only if every number above is
    code.lines.append(_return(written.values[graph.root].tree, _list(written.grads), check.tree))
    docstring = _docstring(
        f"{graph.name(graph.root)} and its gradient by each input, written out by "
        "autograd.compile.", graph, written)
    return _module("compiled_graph", ["values"], docstring, code)


def compile(root: Value, inputs: Sequence[Value]) -> CompiledGraph:
    """The graph recorded under `root` as a function of the leaves `inputs` (see CompiledGraph).

    Every other leaf is a constant. `f(values)` gives the same value and gradients as a fresh
    graph's backward() would, and raises the same errors where the engine raises.
    """
    return CompiledGraph(root, inputs)


def _numbers(values: Sequence[float], count: int) -> list[float]:
    """`values` as floats, or an error naming the bad one or the wrong count."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"compiled graph: values must be a list of numbers, got {values!r}")
    if len(values) != count:
        raise ValueError(
            f"compiled graph: expected {count} values (one per input), got {len(values)}"
        )
    result: list[float] = []
    for i, x in enumerate(values):
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(
                f"compiled graph: values[{i}] must be a real number, got {type(x).__name__} {x!r}"
            )
        result.append(float(x))
    return result


class _Shape:
    """A graph's shape and numbers, kept instead of the graph itself (no nodes, no tree).

    From it the engine builds the graph again: for new numbers (`run`, where the generated code
    cannot answer) or to write the code out again (`source`). Each step is a node's op, the
    positions of its inputs, its data and its label; the variables, data and outputs are
    positions too (-1: not in the graph).
    """

    __slots__ = ("steps", "variables", "data", "outputs")

    def __init__(self, graph: _Graph, outputs: Sequence[Value]) -> None:
        position = {node: k - 1 for node, k in graph.index.items()}
        self.steps: list[tuple[str, tuple[int, ...], float, str]] = [
            (node.op, tuple(position[x] for x in node.inputs), node.data, node.label)
            for node in graph.order
        ]
        self.variables = [position.get(x, -1) for x in graph.variables]
        self.data = [position.get(x, -1) for x in graph.data]
        self.outputs = [position[x] for x in outputs]

    def nodes(self, values: dict[int, float]) -> list[Value]:
        """The graph built again by the engine, with `values[k]` in leaf k instead of its data."""
        nodes: list[Value] = []
        recording = _switches.recording
        _switches.recording = True  # a compiled graph gives gradients inside no_grad() too
        try:
            with cycle_collector_paused():
                for k, (op, inputs, data, label) in enumerate(self.steps):
                    if inputs:
                        operands = tuple(nodes[i] for i in inputs)
                        nodes.append(_apply(OPS[op], operands, [x.data for x in operands]))
                    else:
                        nodes.append(Value(values.get(k, data)))
                    nodes[-1].label = label
        finally:
            _switches.recording = recording
        return nodes

    def graph(self) -> tuple[_Graph, list[Value]]:
        """The graph built again as it was compiled, and its outputs."""
        nodes = self.nodes({})

        def pick(positions: list[int]) -> list[Value]:
            return [nodes[k] if k >= 0 else Value(0.0) for k in positions]

        graph = _Graph(nodes[-1], pick(self.variables), pick(self.data), "compile")
        return graph, [nodes[k] for k in self.outputs]

    def run(self, values: list[float]) -> tuple[float, list[float]]:
        """The engine's value and gradients for these input values, or the engine's error."""
        nodes = self.nodes({k: x for k, x in zip(self.variables, values) if k >= 0})
        leaves = [nodes[k] if k >= 0 else Value(x) for k, x in zip(self.variables, values)]
        return nodes[-1].data, grad(nodes[-1], leaves)


# -- many evaluations of one graph, summed: a mini-batch -------------------------------------------


class CompiledBatch:
    """One example's graph compiled to run over many examples and sum (a mini-batch's loss).

    `f(variable_values, rows, seed)` runs the graph once per row (the values of the `data`
    leaves), adding up the root's values and `seed` × the gradients by the variables; it
    returns (total, gradients, outputs) with the values of the `outputs` nodes per row, or None
    when the code failed or met a non-finite number: then the engine must run the batch.
    """

    __slots__ = ("_function", "_shape")

    def __init__(self, root: Value, variables: Sequence[Value], data: Sequence[Value],
                 outputs: Sequence[Value]) -> None:
        graph = _Graph(root, variables, data, "compile_batch")
        for i, node in enumerate(outputs):
            if node not in graph.index:
                raise ValueError(f"compile_batch: outputs[{i}] ({node!r}) is not in the graph")
        with cycle_collector_paused():  # thousands of tree nodes, and no cycle among them
            self._function = _function(_batch_module(graph, outputs))
            self._shape = _Shape(graph, outputs)

    @property
    def source(self) -> str:
        """The generated code (written out again from the graph's shape: no tree is kept)."""
        with cycle_collector_paused():
            return ast.unparse(_batch_module(*self._shape.graph()))

    def __call__(self, variables: Sequence[float], rows: Sequence[Sequence[float]],
                 seed: float) -> tuple[float, list[float], list[tuple[float, ...]]] | None:
        try:
            total, grads, outputs, check = self._function(variables, rows, seed)
        except (ArithmeticError, ValueError):
            return None
        return (total, grads, outputs) if math.isfinite(check) else None


def _batch_module(graph: _Graph, outputs: Sequence[Value]) -> ast.Module:
    """The code of a CompiledBatch: a loop over the rows around one graph's lines."""
    body = _Code()
    written = _write(graph, body, _name("seed", body), totals=True)
    body.add_to("total", written.values[graph.root])
    body.add_to("check", _sum(written.check, body))
    append = _at(ast.Attribute(_load("outputs"), "append", ast.Load()))
    row_outputs = _at(ast.Tuple([written.values[n].tree for n in outputs], ast.Load()))
    body.lines.append(_at(ast.Expr(_at(ast.Call(append, [row_outputs], [])))))
    code = _Code()
    in_graph = [x for x in graph.variables if x in graph.index]
    if in_graph:
        names = [graph.name(x) if x in graph.index else "_" for x in graph.variables]
        code.lines.append(_unpack(names, "variables"))
        totals: list[ast.expr] = [_store(f"g{graph.index[x]}") for x in in_graph]
        code.lines.append(_at(ast.Assign(totals, _at(ast.Constant(0.0)))))
    zero = _at(ast.Constant(0.0))
    code.lines.append(_at(ast.Assign([_store("total"), _store("check")], zero)))
    code.lines.append(_at(ast.Assign([_store("outputs")], _list([]))))
    row = _at(ast.Tuple([_store(graph.name(x)) for x in graph.data], ast.Store()))
    code.lines.append(_at(ast.For(row, _load("rows"), body.lines, [], None)))
    check = _sum([_name("check", code), *written.variables(graph), *written.grads], code)
    check = code.assign("check", check)
    code.lines.append(_return(_load("total"), _list(written.grads), _load("outputs"), check.tree))
    docstring = _docstring(
        "Sums over the rows: the root, seed × its gradient by each variable; and the outputs.",
        graph, written)
    return _module("compiled_batch", ["variables", "rows", "seed"], docstring, code)


def compile_batch(root: Value, variables: Sequence[Value], data: Sequence[Value],
                  outputs: Sequence[Value] = ()) -> CompiledBatch:
    """The graph under `root` compiled to run once per row of `data` values (see CompiledBatch)."""
    return CompiledBatch(root, variables, data, outputs)
