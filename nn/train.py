"""`fit`: mini-batch training with a progress bar, NaN guards, checkpoints and a clean Ctrl-C.

X and y may be lists, tuples or numpy arrays of numbers (numpy scalars included); fit turns them
into lists of plain Python numbers once, before the first step.

Each step averages the per-example losses of one mini-batch, so backward() leaves the averaged
per-example gradients in `.grad` (the seed's conclusion), and the optimizer takes one step.
"""

from __future__ import annotations

import math
import random
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import cast

from tqdm import tqdm

from autograd import Value, cycle_collector_paused
from nn.checks import integer, is_sequence, plain_number, positive_int, sequence, writable_file
from nn.losses import LOSSES, Loss, Target, binary_cross_entropy, hinge, sum_values
from nn.module import MLP, Module
from nn.optim import Optimizer
from nn.serialize import PathLike, save

Example = Sequence[Value | float | int]
EpochCallback = Callable[[int, float], object]

# A step whose mean loss is this many times the first step's (or 1, if larger) is diverging.
DIVERGENCE_FACTOR = 100.0

# Losses that read the output as a score around 0 (class 1 when > 0); the others compare it
# with 0/1 targets directly, so class 1 means an output above 0.5.
_MARGIN_LOSSES: tuple[Loss, ...] = (hinge, binary_cross_entropy)


class _Interrupt:
    """Remembers a Ctrl-C so that fit can stop after the step it is in."""

    __slots__ = ("requested",)

    def __init__(self) -> None:
        self.requested = False

    def request(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


@contextmanager
def _deferred_ctrl_c() -> Iterator[_Interrupt]:
    """While inside, Ctrl-C only sets a flag (main thread only; elsewhere it stays an exception)."""
    interrupt = _Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield interrupt
        return
    previous = signal.signal(signal.SIGINT, interrupt.request)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, previous)


def fit(
    model: Module,
    X: Sequence[Example],
    y: Sequence[Target],
    loss: Loss | str,
    optimizer: Optimizer,
    epochs: int = 100,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int = 0,
    progress: bool = True,
    checkpoint: PathLike | None = None,
    on_epoch: EpochCallback | None = None,
    compile: bool = False,
) -> list[float]:
    """Train `model` on (X, y) and return the mean loss of each epoch.

    `loss` is a loss function or its name in nn.LOSSES. With `checkpoint`, the model is saved
    there (atomically) after every epoch; its folder is checked before training starts.
    `on_epoch(epoch, mean_loss)` is called after each completed epoch (epoch counts from 1).
    A NaN or infinite loss, gradient or parameter stops training with FloatingPointError naming
    the epoch and step; the parameters are left as they were after the last finite step. A loss
    that grows to DIVERGENCE_FACTOR times its first value (and above DIVERGENCE_FACTOR) gives one
    RuntimeWarning and training goes on. Ctrl-C stops after the current step, saves the
    checkpoint, says where, and returns the history so far (its last entry covers the epoch's
    steps done). With `compile=True` each step runs one compiled graph (nn.compiled) instead of
    new graphs.
    """
    loss_fn = _loss_function(loss)
    _check_arguments(model, optimizer, checkpoint, on_epoch)
    if not isinstance(compile, bool):
        raise TypeError(f"fit: compile must be True or False, got {compile!r}")
    X, y = _plain_data(X, y)
    epochs = positive_int(epochs, "fit: epochs")
    batch_size = positive_int(batch_size, "fit: batch_size")
    if compile:
        from nn.compiled import CompiledTrainer  # it builds on this module

        trainer: _Trainer = CompiledTrainer(model, X, y, loss_fn, optimizer)
    else:
        trainer = _Trainer(model, X, y, loss_fn, optimizer)
    rng = random.Random(integer(seed, "fit: seed"))
    order = list(range(len(X)))
    steps = math.ceil(len(X) / batch_size)
    watch = _DivergenceWatch()
    history: list[float] = []
    stopped_at: tuple[int, int] | None = None
    with _deferred_ctrl_c() as interrupt, tqdm(
        total=epochs * steps, disable=not progress, unit="step"
    ) as bar:
        for epoch in range(1, epochs + 1):
            if shuffle:
                rng.shuffle(order)
            bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
            tally = _Tally()
            step = 0
            try:
                for step in range(1, steps + 1):
                    batch = order[(step - 1) * batch_size : step * batch_size]
                    where = f"epoch {epoch}, step {step}"
                    mean_loss, correct = trainer.step(batch, where)
                    watch.check(mean_loss, where)
                    tally.add(mean_loss, correct, len(batch))
                    bar.set_postfix(loss=f"{tally.mean_loss:.4f}", acc=f"{tally.accuracy:.1%}",
                                    refresh=False)
                    bar.update()
                    if interrupt.requested:
                        raise KeyboardInterrupt
            except KeyboardInterrupt:
                stopped_at = (epoch, step)
            if tally.seen:
                history.append(tally.mean_loss)
            if stopped_at is not None:
                break
            if checkpoint is not None:
                _save(model, checkpoint)
            if on_epoch is not None:
                on_epoch(epoch, history[-1])
    if stopped_at is not None:
        _report_interrupt(model, *stopped_at, checkpoint)
    return history


class _DivergenceWatch:
    """Warns once when a step's loss has grown by orders of magnitude since the first step."""

    __slots__ = ("first", "warned")

    def __init__(self) -> None:
        self.first: float | None = None
        self.warned = False

    def check(self, mean_loss: float, where: str) -> None:
        if self.first is None:
            self.first = mean_loss
        elif mean_loss > DIVERGENCE_FACTOR * max(self.first, 1.0) and not self.warned:
            self.warned = True
            warnings.warn(
                f"fit: the loss grew from {self.first:.3g} at the first step to "
                f"{mean_loss:.3g} at {where}: training is diverging; try a smaller learning rate",
                RuntimeWarning,
                stacklevel=3,
            )


class _Tally:
    """An epoch's running totals: summed per-example loss, examples right, examples seen."""

    __slots__ = ("loss_sum", "correct", "seen")

    def __init__(self) -> None:
        self.loss_sum = 0.0
        self.correct = 0
        self.seen = 0

    def add(self, mean_loss: float, correct: int, size: int) -> None:
        self.loss_sum += mean_loss * size
        self.correct += correct
        self.seen += size

    @property
    def mean_loss(self) -> float:
        return self.loss_sum / self.seen

    @property
    def accuracy(self) -> float:
        return self.correct / self.seen


class _Trainer:
    """What every step needs: the model, the data, the loss and the optimizer."""

    __slots__ = ("model", "X", "y", "loss_fn", "optimizer", "threshold")

    def __init__(
        self,
        model: Module,
        X: Sequence[Example],
        y: Sequence[Target],
        loss_fn: Loss,
        optimizer: Optimizer,
    ) -> None:
        self.model, self.X, self.y = model, X, y
        self.loss_fn, self.optimizer = loss_fn, optimizer
        self.threshold = 0.0 if loss_fn in _MARGIN_LOSSES else 0.5

    def step(self, batch: list[int], where: str) -> tuple[float, int]:
        """One update on one mini-batch: (its mean loss, how many examples it got right).

        Nothing is applied unless the loss, every gradient and every updated parameter are
        finite; otherwise FloatingPointError says `where`.
        """
        params = self.optimizer.params
        try:
            with cycle_collector_paused():  # the step's graph has no cycles for it to look for
                predictions = [self.model(self.X[i]) for i in batch]
                losses = [self.loss_fn(p, self.y[i]) for p, i in zip(predictions, batch)]
                mean_loss = sum_values(losses) / len(batch)
                self.optimizer.zero_grad()
                mean_loss.backward()
        except OverflowError as error:
            raise FloatingPointError(f"fit: overflow at {where}: {error}") from error
        if not math.isfinite(mean_loss.data):
            raise FloatingPointError(
                f"fit: the loss became {mean_loss.data!r} at {where}; the update was not "
                "applied, so the parameters are those of the last finite step "
                "(try a smaller learning rate)"
            )
        _check_finite(params, "gradient", lambda p: p.grad, where)
        self.update(where)
        correct = sum(
            _is_correct(p, self.y[i], self.threshold) for p, i in zip(predictions, batch)
        )
        return mean_loss.data, correct

    def update(self, where: str) -> None:
        """optimizer.step(), undone with FloatingPointError if a parameter becomes non-finite."""
        params = self.optimizer.params
        before = [p.data for p in params]
        self.optimizer.step()
        try:
            _check_finite(params, "value", lambda p: p.data, where)
        except FloatingPointError:
            for p, data in zip(params, before):
                p.data = data
            raise


def _check_finite(
    params: list[Value], what: str, read: Callable[[Value], float], where: str
) -> None:
    """FloatingPointError naming the first parameter whose `what` is NaN or infinite."""
    for p in params:
        number = read(p)
        if not math.isfinite(number):
            raise FloatingPointError(
                f"fit: the {what} of parameter {p.label or '?'} became {number!r} at {where}; "
                "the parameters are those of the last finite step (try a smaller learning rate)"
            )


def _is_correct(prediction: Value | list[Value], target: Target, threshold: float) -> bool:
    """One output: is it on the target's side of `threshold`? Several: does the argmax match?"""
    if isinstance(prediction, Value):
        label = target[0] if isinstance(target, Sequence) else target
        return (prediction.data > threshold) == (label == 1)
    outputs = [p.data for p in prediction]
    targets = list(target) if isinstance(target, Sequence) else [target]
    return outputs.index(max(outputs)) == targets.index(max(targets))


def _report_interrupt(model: Module, epoch: int, step: int, checkpoint: PathLike | None) -> None:
    """After Ctrl-C: save the checkpoint if there is one and say where (one line on stderr)."""
    if checkpoint is None:
        outcome = "not saved (pass checkpoint=PATH to fit to save)"
    else:
        _save(model, checkpoint)
        outcome = f"model saved to {checkpoint!s}"
    print(f"fit: interrupted at epoch {epoch}, step {step}; {outcome}", file=sys.stderr)


def _save(model: Module, checkpoint: PathLike) -> None:
    """Save the checkpoint; _check_arguments has made sure that the model is an MLP."""
    save(cast(MLP, model), checkpoint)


def _loss_function(loss: Loss | str) -> Loss:
    """The loss function itself, or the one named in LOSSES."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"fit: unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"fit: loss must be a loss function or its name, got {loss!r}")
    return loss


def _check_arguments(
    model: Module,
    optimizer: Optimizer,
    checkpoint: PathLike | None,
    on_epoch: EpochCallback | None,
) -> None:
    """TypeError/ValueError naming the first bad object given to fit (the data comes next)."""
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn Module (an MLP), got {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be SGD or Adam, got {type(optimizer).__name__}")
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(
            f"fit: on_epoch must be a function on_epoch(epoch, mean_loss) or None, got {on_epoch!r}"
        )
    if checkpoint is not None:
        if not isinstance(model, MLP):
            raise TypeError("fit: checkpoint= saves an MLP; this model is not one")
        writable_file(checkpoint, "fit: checkpoint")


def _plain_data(X: object, y: object) -> tuple[list[Example], list[Target]]:
    """X and y as lists of plain Python numbers (or lists of them); Values in X are kept."""
    examples = sequence(X, "fit: X", "examples (each a list of numbers)")
    targets = sequence(y, "fit: y", "targets (numbers or lists of numbers)")
    if len(examples) != len(targets):
        raise ValueError(
            f"fit: {len(examples)} inputs in X but {len(targets)} targets in y; they must match"
        )
    if len(examples) == 0:
        raise ValueError("fit: X is empty")
    plain_X: list[Example] = [
        [
            a if isinstance(a, Value) else plain_number(a, f"fit: X[{i}][{k}]")
            for k, a in enumerate(sequence(x, f"fit: X[{i}]", "numbers"))
        ]
        for i, x in enumerate(examples)
    ]
    plain_y: list[Target] = [
        [plain_number(v, f"fit: y[{i}][{k}]") for k, v in enumerate(t)]
        if is_sequence(t)
        else plain_number(t, f"fit: y[{i}]")
        for i, t in enumerate(targets)
    ]
    return plain_X, plain_y
