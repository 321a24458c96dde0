"""`fit(..., compile=True)`: training steps run by one compiled graph instead of new graphs.

One example's loss is recorded once with the engine and compiled (`autograd.compile`) as a
function of the parameters and of the numbers that differ between examples (the constant leaves
holding its inputs and its target); the generated code loops over a mini-batch and sums. The
parameters then move exactly as `compile=False` moves them.

A compiled graph only stands for examples whose graphs have the same shape. So before training
every example's graph is fingerprinted, at the parameters and at three sets of random ones, and
at every step one example of the batch again: a model or loss whose graph depends on the
numbers (a branch on `.data`) is reported rather than trained on wrong numbers. Only running
the Python code sees its branches, so a branch that none of these traces takes goes unseen:
compile=True is for models and losses whose graph is fixed, as nn's are.

Where the generated code fails or meets a non-finite number, and inside `detect_anomaly()`, the
step runs through the engine, which raises its own errors.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import NamedTuple

from autograd import Value, cycle_collector_paused
from autograd.compile import CompiledBatch, compile_batch
from autograd.modes import is_checking, is_recording
from nn.losses import Loss, Target
from nn.module import Module
from nn.optim import Optimizer
from nn.train import Example, _is_correct, _Trainer

# Before training, every example is traced again at one set of random parameters per scale
# (normal, this standard deviation): wide ones push sums to both signs, where branches differ.
PROBES = (1.0, 4.0, 16.0)
PROBED_EXAMPLES = 8  # about this many, spread over the data set

# A node of a fingerprint: (op, input positions), a parameter's index, or None for a constant.
Mark = tuple[str, tuple[int, ...]] | int | None


class Fingerprint(NamedTuple):
    """The shape of a recorded graph and the numbers in its constant leaves, in graph order."""

    marks: tuple[Mark, ...]
    constants: tuple[float, ...]


def fingerprint(root: Value, parameters: dict[Value, int]) -> Fingerprint:
    """What must stay the same for one compiled graph to stand for the graph under `root`."""
    return _walk(root, parameters)[0]


def _walk(root: Value, parameters: dict[Value, int]) -> tuple[Fingerprint, list[Value]]:
    """The fingerprint and the constant leaves, in one depth-first walk (inputs before nodes).

    Leaves are placed as soon as a node that uses them is expanded, rather than pushed on the
    stack like topological_order does: a network's graph is mostly parameter leaves.
    """
    position: dict[Value, int] = {}
    marks: list[Mark] = []
    constant_leaves: list[Value] = []
    expanded: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)] if root.inputs else []
    leaves = [] if root.inputs else [root]
    while stack or leaves:
        for leaf in leaves:  # the leaves met while expanding the last node
            if leaf not in position:
                position[leaf] = len(marks)
                index = parameters.get(leaf)
                marks.append(index)
                if index is None:
                    constant_leaves.append(leaf)
        leaves = []
        if not stack:
            break
        node, done = stack.pop()
        if done:
            position[node] = len(marks)
            marks.append((node.op, tuple(map(position.__getitem__, node.inputs))))
        elif node not in expanded:
            expanded.add(node)
            stack.append((node, True))
            for x in node.inputs:
                if not x.inputs:
                    leaves.append(x)
                elif x not in expanded:
                    stack.append((x, False))
    constants = tuple(leaf.data for leaf in constant_leaves)
    return Fingerprint(tuple(marks), constants), constant_leaves


def _difference(got: Fingerprint, expected: Fingerprint) -> str:
    """Where two fingerprints first differ, in words."""
    if len(got.marks) != len(expected.marks):
        return f"{len(got.marks)} nodes instead of {len(expected.marks)}"
    for k, (a, b) in enumerate(zip(got.marks, expected.marks), start=1):
        if a != b:
            return f"node {k} is {_describe(a)} instead of {_describe(b)}"
    for k, (x, y) in enumerate(zip(got.constants, expected.constants), start=1):
        if x != y:
            return f"constant {k} is {x!r} instead of {y!r}"
    return "no difference"


def _describe(mark: Mark) -> str:
    if mark is None:
        return "a constant"
    if isinstance(mark, int):
        return f"parameter {mark}"
    op, inputs = mark
    return f"{op!r} of nodes {[i + 1 for i in inputs]}"


class CompiledTrainer(_Trainer):
    """A _Trainer whose steps run one compiled graph over the mini-batch."""

    __slots__ = ("parameters", "index", "compiled", "reference", "constants", "rows", "turn",
                 "single")

    def __init__(
        self,
        model: Module,
        X: Sequence[Example],
        y: Sequence[Target],
        loss_fn: Loss,
        optimizer: Optimizer,
    ) -> None:
        super().__init__(model, X, y, loss_fn, optimizer)
        optimized = set(optimizer.params)
        self.parameters = [
            *optimizer.params, *(p for p in model.parameters() if p not in optimized)
        ]
        self.index = {p: k for k, p in enumerate(self.parameters)}
        self.turn = 0
        self.compiled: CompiledBatch | None = None
        with cycle_collector_paused():
            try:
                first_loss, first_outputs = self._trace(0)
                prints = [fingerprint(first_loss, self.index)]
                for i in range(1, len(X)):
                    prints.append(fingerprint(self._trace(i)[0], self.index))
            except (ArithmeticError, ValueError):
                return  # the engine meets this too, and reports it at its step
            self.reference = prints[0]
            for i, other in enumerate(prints):
                if other.marks != self.reference.marks:
                    raise ValueError(_changed(i, "than example 0's", other, self.reference))
            self._probe(prints)
            self._compile(first_loss, first_outputs, prints)

    def _probe(self, prints: list[Fingerprint]) -> None:
        """Trace every example again at random parameters (PROBES): the same graphs, or say so.

        A loss that branches on a number computed from the parameters (such as the sign of the
        output) shows it here, before any step, rather than after the parameters have moved.
        """
        rng = random.Random(0)
        saved = [p.data for p in self.parameters]
        try:
            for scale in PROBES:
                for p in self.parameters:
                    p.data = rng.gauss(0.0, scale)
                for i in range(0, len(prints), max(1, len(prints) // PROBED_EXAMPLES)):
                    expected = prints[i]
                    try:
                        got = fingerprint(self._trace(i)[0], self.index)
                    except (ArithmeticError, ValueError):
                        continue  # no graph at these numbers, so nothing to compare
                    if got != expected:
                        raise ValueError(_changed(i, "for other parameter values", got, expected))
        finally:
            for p, data in zip(self.parameters, saved):
                p.data = data

    def _compile(self, loss: Value, outputs: list[Value], prints: list[Fingerprint]) -> None:
        """Compile `loss`; its constant leaves that differ between examples become per-row data."""
        first = prints[0].constants
        varying = [k for k, x in enumerate(first) if any(p.constants[k] != x for p in prints)]
        constant_leaves = _walk(loss, self.index)[1]
        data = [constant_leaves[k] for k in varying]
        self.constants = [p.constants for p in prints]
        self.rows = [tuple(p.constants[k] for k in varying) for p in prints]
        self.compiled = compile_batch(loss, self.parameters, data, outputs)

    def _trace(self, i: int) -> tuple[Value, list[Value]]:
        """Example i's loss and the model's outputs, recorded by the engine."""
        prediction = self.model(self.X[i])
        self.single = isinstance(prediction, Value)
        outputs = [prediction] if isinstance(prediction, Value) else list(prediction)
        return self.loss_fn(prediction, self.y[i]), outputs

    def step(self, batch: list[int], where: str) -> tuple[float, int]:
        """One update from the compiled graph, or from the engine where the graph cannot do it."""
        if self.compiled is None or is_checking() or not is_recording():
            return super().step(batch, where)
        with cycle_collector_paused():
            i = batch[self.turn % len(batch)]
            self.turn += 1
            try:
                now = fingerprint(self._trace(i)[0], self.index)
            except (ArithmeticError, ValueError):
                return super().step(batch, where)
            if now != (self.reference.marks, self.constants[i]):
                expected = Fingerprint(self.reference.marks, self.constants[i])
                raise ValueError(_changed(i, f"at {where} than before training", now, expected))
            result = self.compiled(
                [p.data for p in self.parameters], [self.rows[i] for i in batch], 1.0 / len(batch)
            )
        if result is None:
            return super().step(batch, where)
        total, grads, outputs = result
        count = len(self.optimizer.params)
        for p, g in zip(self.parameters[:count], grads):
            p.grad = g
        for p, g in zip(self.parameters[count:], grads[count:]):
            p.grad += g  # as backward() adds to parameters the optimizer does not zero
        self.update(where)
        correct = sum(
            _is_correct(self._prediction(numbers), self.y[i], self.threshold)
            for numbers, i in zip(outputs, batch)
        )
        return total / len(batch), correct

    def _prediction(self, numbers: tuple[float, ...]) -> Value | list[Value]:
        """The model's output for one example as Values, as _is_correct reads it."""
        values = [Value(x) for x in numbers]
        return values[0] if self.single else values


def _changed(i: int, when: str, got: Fingerprint, expected: Fingerprint) -> str:
    return (
        f"fit(compile=True): the loss of example {i} records a different graph {when} "
        f"({_difference(got, expected)}): the model or the loss branches on the numbers, so "
        "one compiled graph cannot stand for every example; train with compile=False"
    )
