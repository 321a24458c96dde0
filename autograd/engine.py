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
import operator
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Union

from autograd.modes import _ieee_arithmetic, _open, _switches
from autograd.ops import (
    EXACT_BEYOND_FLOATS,
    OPS,
    Op,
    _data,
    _exact_sum,
    dot_local_grads,
    weighted_sum,
)

Operand = Union["Value", float, int]


# -- building nodes -------------------------------------------------------------------------------
# While recording (outside `no_grad`), a node keeps its inputs and its local derivatives, evaluated
# at forward time as floats: backward() then only multiplies and adds. The one- and two-input ops
# get a function each, made from their table entry, that calls forward and the rule with exactly
# one or two floats: in CPython a call spelled `f(*xs)` costs a third of building a node.
# `_open.count and not _switches.recording` is "inside no_grad": only while some thread has a
# no_grad block open does a node read its own thread's switch (see modes._OpenBlocks).


def _unary(op: Op) -> Callable[[Value], Value]:
    """The Value method for one-input `op`: `x.tanh()`, `-x`."""
    name, forward, local_grads = op.name, op.forward, op.local_grads

    def method(self: Value) -> Value:
        x = self.data
        data = forward(x)  # a one-input op never overflows from a finite x: exp raises itself
        if _open.count and not _switches.recording:
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
        if data - data != 0.0:  # inf or NaN (the cheapest test): an overflow, or inf given in
            data = _beyond_floats(name, data, (xd, yd))
        if _open.count and not _switches.recording:
            return _node(data, "", (), ())
        return _node(data, name, (x, y), local_grads(data, xd, yd))

    inputs = "(other, self)" if reflected else "(self, other)"
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"The op {name!r} as a new node with inputs {inputs}."
    return method


def _beyond_floats(name: str, data: float, xs: Sequence[float]) -> float:
    """An op gave inf or NaN: from finite inputs an OverflowError; inf or NaN given in propagates.

    Inside a derivative graph (see `modes._Switches.ieee`) `+ - * /` give the exact result
    instead, as a `Huge` if need be, and the other ops their IEEE 754 value.
    """
    if _switches.ieee:
        exact = EXACT_BEYOND_FLOATS.get(name)
        return data if exact is None else exact(*xs)
    if not all(map(math.isfinite, xs)):
        return data
    if name in _INFIX:
        shown = f" {name} ".join(map(repr, xs))
    else:
        shown = f"{name}({', '.join(map(repr, xs[:4]))}{', ...' if len(xs) > 4 else ''})"
    raise OverflowError(
        f"{name}: {shown} overflows a float (gives {data!r}; the largest float is about 1.8e308)"
    )


_INFIX = frozenset("+-*/")


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


class _WrongGuess:
    """A name users bring from micrograd or PyTorch: using it says what chainrule calls it.

    A descriptor per name rather than `__getattr__`, which would slow every attribute read.
    """

    __slots__ = ("hint", "name")

    def __init__(self, hint: str) -> None:
        self.hint = hint
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, node: object, owner: type | None = None) -> Any:
        if node is None:  # looked up on the class itself (help(), inspect): the descriptor
            return self
        raise AttributeError(f"a Value has no attribute {self.name!r}; {self.hint}")

    def __set__(self, node: object, value: object) -> None:
        self.__get__(node)


_RECORDS_ALWAYS = (
    "every Value records its graph; use `with autograd.no_grad():` to record nothing, "
    "`v.detach()` to cut the graph"
)
_INPUTS = "the inputs are `.inputs` (ordered) or `._prev` (a set)"
_NUMBER = "the number is `.data` (or `v.item()`, `float(v)`)"


class Value:
    """A real number in a computation graph, with the gradient backward() gives it."""

    __slots__ = ("data", "grad", "label", "op", "inputs", "local_grads")

    data: float
    grad: float
    label: str
    op: str
    inputs: tuple[Value, ...]
    local_grads: tuple[Any, ...]

    # numpy hands `np.float64(2) * v` to Value.__rmul__ instead of making an object array.
    __array_ufunc__ = None

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
    log1p = _unary(OPS["log1p"])
    sqrt = _unary(OPS["sqrt"])
    tanh = _unary(OPS["tanh"])
    sigmoid = _unary(OPS["sigmoid"])
    relu = _unary(OPS["relu"])

    def __pow__(self, exponent: Operand) -> Value:
        """self ** exponent: a Value exponent is a variable (op "pow"), a number is not ("**").

        A Value exponent needs a base >= 0 (∂/∂y = x^y·ln x); at base 0, ∂/∂y is 0.
        """
        return (_power if isinstance(exponent, Value) else _power_of_constant)(self, exponent)

    @staticmethod
    def sum(values: Iterable[Operand]) -> Value:
        """v_1 + v_2 + ... as ONE node (op "sum", local derivative 1 per input); [] gives 0.0."""
        inputs = tuple(as_value(v) for v in values)
        if not inputs:
            return Value(0.0)
        return _apply(OPS["sum"], inputs, [x.data for x in inputs])

    # -- habits from micrograd, PyTorch and numpy: plain numbers out, comparisons of data -------

    def item(self) -> float:
        """The plain float `self.data` (PyTorch's name)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __lt__(self, other: Operand) -> bool:
        return self.data < _compared(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _compared(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _compared(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _compared(other)

    @property
    def is_leaf(self) -> bool:
        """True for a node no op made (a parameter, an input or a constant)."""
        return not self.inputs

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name: the set of this node's inputs (read-only; `.inputs` is ordered)."""
        return set(self.inputs)

    @property
    def _op(self) -> str:
        """micrograd's name for `.op` (read-only)."""
        return self.op

    # -- names other libraries use, answered with what to write instead -----------------------

    _backward = _WrongGuess("each node stores `.local_grads` instead; call `root.backward()`")
    grad_fn = _WrongGuess("a node records how it was made in `.op` and `.inputs`")
    requires_grad = _WrongGuess(_RECORDS_ALWAYS)
    requires_grad_ = _WrongGuess(_RECORDS_ALWAYS)
    retain_grad = _WrongGuess("every node keeps its `.grad` after `backward()`")
    zero_ = _WrongGuess("write `v.grad = 0.0`, or `v.zero_grad()` for every node of the graph")
    _children = _WrongGuess(_INPUTS)
    children = _WrongGuess(_INPUTS)
    value = _WrongGuess(_NUMBER)
    numpy = _WrongGuess(_NUMBER)
    tolist = _WrongGuess(_NUMBER)

    # -- differentiation -----------------------------------------------------------------------

    def backward(self) -> None:
        """Add d self / d node to `node.grad` for every node reachable from self (self gets +1).

        Each call computes this pass's derivatives afresh, so calling it twice doubles every
        `.grad` exactly; call `zero_grad()` (or set `.grad = 0.0`) between independent passes.
        A `.grad` of None counts as 0.0. Threads calling backward() at once take turns.
        """
        with _backward_lock, cycle_collector_paused():
            order = topological_order(self)
            try:
                earlier = _pass_in_grad_slots(self, order)
            except TypeError:
                # A .grad of None (PyTorch's set_to_none) among zeros: the failed pass has set
                # every slot back to 0.0, so the second pass runs. Nothing is checked up front,
                # which would cost every backward().
                earlier = _pass_in_grad_slots(self, order)
            for node, before in zip(order, earlier):
                node.grad += before

    def zero_grad(self) -> None:
        """Set `.grad = 0.0` on every node reachable from self."""
        for node in topological_order(self):
            node.grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data and label: gradients stop here."""
        return Value(self.data, self.label)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the drawing of its graph (viz is imported here only)."""
        from viz.notebook import svg_of

        return svg_of(self)


_backward_lock = threading.Lock()


def _compared(other: Operand) -> float:
    """The float to compare a Value's data with: another Value's data or a plain number."""
    return other.data if isinstance(other, Value) else _real(other, "a Value's comparand")


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
    if data - data != 0.0:
        data = _beyond_floats(op.name, data, xs)
    if _open.count and not _switches.recording:
        return _node(data, "", (), ())
    return _node(data, op.name, inputs, op.local_grads(data, *xs))


def dot(weights: Sequence[Value], activations: Sequence[Value], bias: Value) -> Value:
    """z = Σ_k w_k·a_k + b as ONE node (op "dot"): a neuron's weighted input, eq. (1).

    Its inputs are laid out (w_1..w_n, a_1..a_n, b); its local derivatives are a_k, w_k and 1.
    """
    return dots((weights,), activations, (bias,))[0]


def dots(
    rows: Sequence[Sequence[Value]], activations: Sequence[Value], biases: Sequence[Value]
) -> list[Value]:
    """z_j = Σ_k w_jk·a_k + b_j for every row j: a layer's weighted inputs, eq. (1), as one
    "dot" node per row, exactly as `dot` makes it; the activations' data is read only once."""
    rows, biases = _sequence(rows, "rows", "rows of weights"), _sequence(biases, "biases")
    if len(rows) != len(biases):
        raise ValueError(f"dots: {len(rows)} rows of weights but {len(biases)} biases")
    activations = _sequence(activations, "activations")
    a = _data_of(activations)
    recording = not _open.count or _switches.recording
    Z = []
    for row, bias in zip(rows, biases):
        weights = row if type(row) is list else _sequence(row, "weights")  # no call for a list
        w = _data_of(weights)
        if len(w) != len(a):
            raise ValueError(f"dot: {len(w)} weights but {len(a)} activations; they must match")
        b = bias.data if isinstance(bias, Value) else _data_of((bias,))[0]
        data = weighted_sum(w, a, b)
        if data - data != 0.0:
            data = _beyond_floats("dot", data, w + a + (b,))
        if recording:
            Z.append(_node(data, "dot", (*weights, *activations, bias), dot_local_grads(w, a)))
        else:
            Z.append(_node(data, "", (), ()))
    return Z


def _sequence(values: Iterable[Any], what: str, of: str = "Values") -> Sequence[Any]:
    """`values` as a list or tuple, which can be read twice (an iterator given would be empty
    the second time its inputs are read), or a TypeError naming `what` when it is not a
    collection at all."""
    if type(values) is list or type(values) is tuple:  # the common case: used as it is
        return values
    try:
        return tuple(values)
    except TypeError:
        raise TypeError(
            f"dot: {what} must be a sequence of {of}, got {type(values).__name__} {values!r}"
        ) from None


def _data_of(values: Sequence[Value]) -> tuple[float, ...]:
    """The data of each Value, or a TypeError naming the first input that is not a Value."""
    try:  # a comprehension: in CPython 3.11+ its attribute reads are cheaper than attrgetter's
        return tuple([x.data for x in values])
    except AttributeError:  # cheaper than checking every type first: this runs once per neuron
        bad = next(x for x in values if not isinstance(x, Value))
        raise TypeError(
            f"dot: every input must be a Value, got {type(bad).__name__} {bad!r}"
        ) from None


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from `root`, each after all of its inputs (root last).

    A depth-first search with an explicit stack instead of recursion, so a chain of a million
    nodes needs no deep call stack. A node is pushed twice: first to expand its inputs, then
    (flagged done) to be emitted once everything above it on the stack, its inputs, is emitted.
    A node whose inputs are all seen is emitted at once: in a graph without cycles a seen input
    is an emitted one. In a network most are (the weights, the layer below after its first z).
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
            inputs = node.inputs
            if seen.issuperset(inputs):  # a leaf, or nothing left to expand below
                order.append(node)
                continue
            stack.append((node, True))
            for x in inputs:
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
        earlier = [before or 0.0 for before in earlier]  # a .grad of None counts as 0.0
        for node in order:
            node.grad = 0.0
    else:
        earlier = []
    root.grad = 1.0
    try:
        (_sweep_checked if _switches.checking else _sweep)(order)
    except BaseException:
        for node in order:
            node.grad = 0.0
        for node, before in zip(order, earlier):
            node.grad = before
        raise
    return earlier


def _sweep(order: list[Value]) -> None:
    """The chain rule over `order`, outputs first: a node's grad is complete when it comes up.

    The same products and sums, in the same order, as `_sweep_checked`, with the one- and
    two-input nodes (nearly all of a graph) unrolled.
    """
    for node in reversed(order):
        inputs = node.inputs
        if not inputs:  # a leaf: nothing below it
            continue
        upstream = node.grad
        local_grads = node.local_grads
        if upstream == 0.0 and math.isfinite(sum(local_grads)):
            # 0 × a finite local derivative is 0: nothing below changes, so skip the edges
            # (a dead ReLU's whole z). An inf or NaN among them still makes a NaN below.
            continue
        if len(inputs) == 1:
            inputs[0].grad += upstream * local_grads[0]
        elif len(inputs) == 2:
            x, y = inputs
            x.grad += upstream * local_grads[0]
            y.grad += upstream * local_grads[1]
        else:
            for x, local in zip(inputs, local_grads):
                x.grad += upstream * local


def _sweep_checked(order: list[Value]) -> None:
    """`_sweep` one edge at a time under detect_anomaly, which checks every sum it adds."""
    for node in reversed(order):
        upstream = node.grad
        if upstream == 0.0 and math.isfinite(sum(node.local_grads)):
            continue  # as in _sweep
        for x, local in zip(node.inputs, node.local_grads):
            contribution = upstream * local  # the chain rule, one edge at a time
            _check_gradient(node, x, upstream, local, contribution, x.grad)
            x.grad += contribution


def _sweep_in_dict(
    root: Value, order: list[Value], seed: Any, local_grads_of: Callable[[Value], Sequence[Any]]
) -> dict[Value, Any]:
    """d root / d node for every node of `order`, in a dict of its own: no `.grad` is touched.

    The same chain rule as `_pass_in_grad_slots`. With floats (the stored local derivatives) it
    is `grad()`; with Values (each rule rebuilt on the nodes) every product and sum is recorded
    in a new graph, which can be differentiated again.
    """
    derivatives: dict[Value, Any] = {root: seed}
    checking = _switches.checking
    for node in reversed(order):
        upstream = derivatives.get(node)
        if upstream is None or not node.inputs:
            continue
        for x, local in zip(node.inputs, local_grads_of(node)):
            contribution = upstream * local
            before = derivatives.get(x)
            if checking:
                _check_gradient(node, x, upstream, local, contribution, before)
            if before is None:
                derivatives[x] = contribution
            else:
                total = before + contribution
                if isinstance(total, float) and total - total != 0.0:
                    total = _exact_sum(before, contribution)  # a Huge among them: no inf − inf
                derivatives[x] = total
    return derivatives


_stored_local_grads = operator.attrgetter("local_grads")


def _rebuilt_local_grads(node: Value) -> tuple[Any, ...]:
    """The node's local derivatives as Values: its op's rule run on the nodes themselves."""
    return OPS[node.op].local_grads(node, *node.inputs)


class _Pauses:
    """How many blocks, in all threads, pause the cycle collector, and whether it was on before
    the first: entering counts one more block, leaving one fewer (see cycle_collector_paused).

    A class rather than a generator under @contextmanager, which costs twice as much: the MLP
    forward pass enters it once per example.
    """

    __slots__ = ("count", "was_enabled", "lock")

    def __init__(self) -> None:
        self.count = 0
        self.was_enabled = False
        self.lock = threading.Lock()

    def __enter__(self) -> None:
        with self.lock:
            if self.count == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.count += 1

    def __exit__(self, *exception: object) -> None:
        with self.lock:
            self.count -= 1
            if self.count == 0 and self.was_enabled:
                gc.enable()


_pauses = _Pauses()


def cycle_collector_paused() -> AbstractContextManager[None]:
    """Pause Python's cycle collector while building or walking a graph.

    A graph has no reference cycles, so the collector can free nothing in it, yet every node
    allocated would make it rescan the young nodes, and now and then the whole heap: on a large
    graph that costs more than the work itself. Reference counting still frees as usual. Pauses
    nest and count across threads: the collector resumes when the last one ends, and only if it
    was on before the first began.
    """
    return _pauses


def _check_gradient(
    node: Value, x: Value, upstream: Any, local: Any, contribution: Any, before: Any
) -> None:
    """detect_anomaly: raise where an edge, or the sum of finite edges into x, is not finite."""
    if not math.isfinite(_data(contribution)):
        values = ", ".join(repr(i.data) for i in node.inputs)
        raise FloatingPointError(
            f"backward: the {node.op!r} node{_named(node)} with inputs ({values}) gave its input "
            f"{x.data!r} the gradient {_data(upstream)!r} × {_data(local)!r} = "
            f"{_data(contribution)!r}"
        )
    if before is not None and not math.isfinite(_data(before) + _data(contribution)):
        raise FloatingPointError(
            f"backward: the gradient of the {x.op or 'leaf'!r} node{_named(x)} (data {x.data!r}) "
            f"became {_data(before) + _data(contribution)!r} by summing finite contributions: "
            f"{_data(before)!r} + {_data(contribution)!r} (the last from the {node.op!r} "
            f"node{_named(node)})"
        )


def _named(node: Value) -> str:
    return f" {node.label!r}" if node.label else ""


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> list[Any]:
    """d output / d x for each x in `inputs` (one Value gives a list of one).

    It never reads or writes any `.grad`, so threads may call it at once on graphs that share
    nodes. With `create_graph=True` the results are Values that can be differentiated again
    (second and higher derivatives); otherwise they are floats.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"grad: every input must be a Value, got {type(x).__name__} {x!r}")
    with cycle_collector_paused():
        order = topological_order(output)
        if create_graph:
            with _ieee_arithmetic():
                graphs = _sweep_in_dict(output, order, Value(1.0), _rebuilt_local_grads)
            return [graphs[x] if x in graphs else Value(0.0) for x in inputs]
        derivatives = _sweep_in_dict(output, order, 1.0, _stored_local_grads)
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
