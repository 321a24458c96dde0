"""`Value`, a number that remembers how it was computed, and the reverse sweep over its graph.

Every operation makes a new node holding its output `data`, the nodes it was computed from
(`inputs`), the op's name (`op`) and the local derivatives ∂node/∂input (`local_grads`),
computed once at forward time from the table in `ops.py`. `backward()` then walks the graph once,
outputs before inputs, and applies the chain rule:

    ∂root/∂input += ∂root/∂node × ∂node/∂input

A graph holds no reference cycles (a node points only at its inputs), so reference counting frees
it as soon as the last name for its root goes away.
"""

from __future__ import annotations

import gc
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Union

from autograd.modes import _switches
from autograd.ops import OPS, Op, _data

Operand = Union["Value", float, int]


# -- building nodes -------------------------------------------------------------------------------
# While recording (outside `no_grad`), a node keeps its inputs and its local derivatives, evaluated
# at forward time as floats: backward() then only multiplies and adds. The one- and two-input ops
# get a function each, made from their table entry, that calls forward and the rule with exactly
# one or two floats: in CPython a call spelled `f(*xs)` costs a third of building a node.


def _unary(op: Op) -> Callable[[Value], Value]:
    """The Value method for one-input `op`: `x.tanh()`, `-x`."""
    name, forward, local_grads = op.name, op.forward, op.local_grads

    def method(self: Value) -> Value:
        x = self.data
        data = forward(x)
        if not _switches.recording:
            return _node(data, "", (), ())
        return _node(data, name, (self,), local_grads(data, x))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"The op {name!r} as a new node with input self."
    return method


def _binary(op: Op, reflected: bool = False) -> Callable[[Value, Operand], Value]:
    """The Value method for two-input `op`: `x op y`, or `y op x` when reflected (as in `2 * x`).

    A plain number on either side becomes a constant leaf.
    """
    name, forward, local_grads = op.name, op.forward, op.local_grads

    def method(self: Value, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _constant(other)
        if reflected:
            x, y = other, self
        else:
            x, y = self, other
        xd, yd = x.data, y.data
        data = forward(xd, yd)
        if not _switches.recording:
            return _node(data, "", (), ())
        return _node(data, name, (x, y), local_grads(data, xd, yd))

    inputs = "(other, self)" if reflected else "(self, other)"
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"The op {name!r} as a new node with inputs {inputs}."
    return method


def _node(data: float, op: str, inputs: tuple[Value, ...], local_grads: tuple[Any, ...]) -> Value:
    """A new Value, made without __init__'s checks: an op's forward already gave a float."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.inputs = inputs
    out.local_grads = local_grads
    return out


_new_value = object.__new__
_power = _binary(OPS["pow"])
_power_of_constant = _binary(OPS["**"])


class Value:
    """A real number in a computation graph, with the gradient backward() gives it."""

    __slots__ = ("data", "grad", "label", "op", "inputs", "local_grads")

    data: float
    grad: float
    label: str
    op: str
    inputs: tuple[Value, ...]
    local_grads: tuple[Any, ...]

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _real(data, "Value(data)")
        if not isinstance(label, str):
            raise TypeError(f"Value(label) must be a str, got {type(label).__name__} {label!r}")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.inputs = ()
        self.local_grads = ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic: each operator is one op from the table ------------------------------------

    __add__ = _binary(OPS["+"])
    __radd__ = _binary(OPS["+"], reflected=True)
    __sub__ = _binary(OPS["-"])
    __rsub__ = _binary(OPS["-"], reflected=True)
    __mul__ = _binary(OPS["*"])
    __rmul__ = _binary(OPS["*"], reflected=True)
    __truediv__ = _binary(OPS["/"])
    __rtruediv__ = _binary(OPS["/"], reflected=True)
    __rpow__ = _binary(OPS["pow"], reflected=True)
    __neg__ = _unary(OPS["neg"])
    exp = _unary(OPS["exp"])
    log = _unary(OPS["log"])
    sqrt = _unary(OPS["sqrt"])
    tanh = _unary(OPS["tanh"])
    sigmoid = _unary(OPS["sigmoid"])
    relu = _unary(OPS["relu"])

    def __pow__(self, exponent: Operand) -> Value:
        """self ** exponent: a Value exponent is a variable (op "pow"), a number is not ("**")."""
        return (_power if isinstance(exponent, Value) else _power_of_constant)(self, exponent)

    # -- differentiation -----------------------------------------------------------------------

    def backward(self) -> None:
        """Add d self / d node to `node.grad` for every node reachable from self (self gets +1).

        Each call computes this pass's derivatives afresh, so calling it twice doubles every
        `.grad` exactly; call `zero_grad()` (or set `.grad = 0.0`) between independent passes.
        """
        with cycle_collector_paused():
            order = topological_order(self)
            earlier = _pass_in_grad_slots(self, order)
            for node, before in zip(order, earlier):
                node.grad += before

    def detach(self) -> Value:
        """A new leaf with the same data and label: gradients stop here."""
        return Value(self.data, self.label)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the drawing of its graph (viz is imported here only)."""
        from viz.notebook import svg_of

        return svg_of(self)


def _real(x: object, what: str) -> float:
    """`x` as a float, or a TypeError naming `what` and the bad type (bool is not a number here)."""
    if type(x) is float:  # the common case, answered before the slower checks below
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} must be a real number (int or float), got {type(x).__name__} {x!r}"
        )
    return float(x)


def as_value(x: Operand) -> Value:
    """A Value as it is; a plain number as a constant leaf labelled with its value (`3`, `0.5`)."""
    return x if isinstance(x, Value) else _constant(x)


def _constant(x: Operand) -> Value:
    """A plain number as a constant leaf, labelled with its value."""
    number = _real(x, "an operand of a Value")
    return Value(number, _short(number))


def _short(number: float) -> str:
    """A constant's label: `3` rather than `3.0`."""
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _apply(op: Op, inputs: tuple[Value, ...], xs: Sequence[float]) -> Value:
    """Run an op of any number of inputs (a neuron's "dot") forward on the inputs' data `xs`."""
    data = op.forward(*xs)
    if not _switches.recording:
        return _node(data, "", (), ())
    return _node(data, op.name, inputs, op.local_grads(data, *xs))


def dot(weights: Sequence[Value], activations: Sequence[Value], bias: Value) -> Value:
    """z = Σ_k w_k·a_k + b as ONE node (op "dot"): a neuron's weighted input, eq. (1).

    Its inputs are laid out (w_1..w_n, a_1..a_n, b); its local derivatives are a_k, w_k and 1.
    """
    if len(weights) != len(activations):
        raise ValueError(
            f"dot: {len(weights)} weights but {len(activations)} activations; they must match"
        )
    inputs = (*weights, *activations, bias)
    try:
        xs = [x.data for x in inputs]
    except AttributeError:  # cheaper than checking every type first: this runs once per neuron
        bad = next(x for x in inputs if not isinstance(x, Value))
        raise TypeError(
            f"dot: every input must be a Value, got {type(bad).__name__} {bad!r}"
        ) from None
    return _apply(OPS["dot"], inputs, xs)


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from `root`, each after all of its inputs (root last).

    A depth-first search with an explicit stack instead of recursion, so a chain of a million
    nodes needs no deep call stack. A node is pushed twice: first to expand its inputs, then
    (flagged done) to be emitted once everything above it on the stack, its inputs, is emitted.
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__} {root!r}")
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            for x in node.inputs:
                if x not in seen:
                    stack.append((x, False))
    return order


def _pass_in_grad_slots(root: Value, order: list[Value]) -> list[float]:
    """Leave d root / d node in every `node.grad` of `order`; return what the slots held before.

    The nodes' own `.grad` slots are the fastest place Python offers to add up a pass. Earlier
    grads are set aside first, and the list of them returned, unless they are all 0 (a fresh
    graph after `zero_grad()`): then `[]` comes back and there is nothing to add back. If
    detect_anomaly stops the sweep halfway, every slot gets its earlier value back.
    """
    earlier = [node.grad for node in order]
    if any(earlier):
        for node in order:
            node.grad = 0.0
    else:
        earlier = []
    root.grad = 1.0
    checking = _switches.checking
    try:
        for node in reversed(order):  # outputs first: a node's grad is complete when it comes up
            upstream = node.grad
            if upstream == 0.0 and math.isfinite(sum(node.local_grads)):
                # 0 × a finite local derivative is 0: nothing below changes, so skip the edges
                # (a dead ReLU's whole z). An inf or NaN among them still makes a NaN below.
                continue
            for x, local in zip(node.inputs, node.local_grads):
                contribution = upstream * local  # the chain rule, one edge at a time
                if checking and not math.isfinite(contribution):
                    _report_anomaly(node, x, upstream, local)
                x.grad += contribution
    except BaseException:
        for node in order:
            node.grad = 0.0
        for node, before in zip(order, earlier):
            node.grad = before
        raise
    return earlier


def _derivative_graphs(root: Value) -> dict[Value, Value]:
    """d root / d node for every reachable node, as Values that can be differentiated again.

    The same sweep as `_pass_in_grad_slots`, but each local derivative is rebuilt as a Value
    from the op table's rule, so every product and sum below is recorded in a new graph.
    """
    derivatives: dict[Value, Value] = {root: Value(1.0)}
    for node in reversed(topological_order(root)):
        if not node.inputs:
            continue
        upstream = derivatives[node]
        for x, local in zip(node.inputs, OPS[node.op].local_grads(node, *node.inputs)):
            contribution = upstream * local
            if _switches.checking and not math.isfinite(contribution.data):
                _report_anomaly(node, x, upstream, local)
            previous = derivatives.get(x)
            derivatives[x] = contribution if previous is None else previous + contribution
    return derivatives


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building or walking a graph.

    A graph has no reference cycles, so the collector can free nothing in it, yet every node
    allocated would make it rescan the young nodes, and now and then the whole heap: on a large
    graph that costs more than the work itself. Reference counting still frees as usual, and
    the collector resumes (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _report_anomaly(node: Value, x: Value, upstream: Any, local: Any) -> None:
    """Raise the detect_anomaly error: which op, which node, which inputs made the bad gradient."""
    name = f" {node.label!r}" if node.label else ""
    values = ", ".join(repr(i.data) for i in node.inputs)
    bad = _data(upstream) * _data(local)
    raise FloatingPointError(
        f"backward: the {node.op!r} node{name} with inputs ({values}) gave its input "
        f"{x.data!r} the gradient {_data(upstream)!r} × {_data(local)!r} = {bad!r}"
    )


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d output / d x for each x in `inputs`, leaving every `.grad` as it was.

    With `create_graph=True` the results are Values that can be differentiated again (second and
    higher derivatives); otherwise they are floats.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    inputs = list(inputs)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"grad: every input must be a Value, got {type(x).__name__} {x!r}")
    with cycle_collector_paused():
        if create_graph:
            graphs = _derivative_graphs(output)
            return [graphs[x] if x in graphs else Value(0.0) for x in inputs]
        order = topological_order(output)
        earlier = _pass_in_grad_slots(output, order) or [0.0] * len(order)
        derivatives = {node: node.grad for node in order}
        for node, before in zip(order, earlier):
            node.grad = before
    return [derivatives.get(x, 0.0) for x in inputs]


def function(name: str) -> Callable[[Any], Any]:
    """The op `name` as a function of a Value (recorded) or of a plain number (just computed)."""
    op = OPS[name]
    recorded = _unary(op)

    def apply(x: Any) -> Any:
        if isinstance(x, Value):
            return recorded(x)
        return op.forward(_real(x, f"{name}(x)"))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"{name}(x) for a Value (recorded in the graph) or a plain number (a float)."
    return apply
