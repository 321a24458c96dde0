"""Loss functions for one example, built from Value operations so that backward() works through.

Each `loss(pred, target) -> Value` takes a prediction (a Value or a list of Values) and a target:
a number, a Value, or a sequence of them (list, tuple, 1-D numpy array) as long as the
predictions. Every loss records the same graph for every example (no branch on the data), and a
target given as a Value is an input of that graph, not a constant frozen into it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from autograd import Value

Prediction = Value | Sequence[Value]
# What the annotations promise; at run time Values and any sequence (a numpy array) work too.
Target = float | int | Sequence[float | int]
Loss = Callable[[Prediction, Target], Value]


def _pairs(pred: Prediction, target: Target, name: str) -> list[tuple[Value, float | Value]]:
    """(prediction, target) pairs, or ValueError/TypeError naming `name` and both lengths."""
    preds = [pred] if isinstance(pred, Value) else list(pred)
    targets = [_target(t, name) for t in _entries(target, name)]
    if len(preds) != len(targets):
        raise ValueError(
            f"{name}: {len(preds)} predictions but {len(targets)} targets; they must match"
        )
    if not preds:
        raise ValueError(f"{name}: got no predictions")
    for p in preds:
        if not isinstance(p, Value):
            raise TypeError(f"{name}: predictions must be Values, got {type(p).__name__} {p!r}")
    return list(zip(preds, targets))


def _entries(target: object, name: str) -> list[object]:
    """The target's entries: itself for one number or Value, else the items of the sequence."""
    if isinstance(target, (Value, numbers.Real)):
        return [target]
    try:
        return list(cast(Iterable[object], target))
    except TypeError:
        raise TypeError(
            f"{name}: targets must be numbers, Values or a sequence of them, "
            f"got {type(target).__name__} {target!r}"
        ) from None


def _target(t: object, name: str) -> float | Value:
    """One target entry: a Value as it is (a graph input), any real number as a float."""
    if isinstance(t, Value):
        return t
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise TypeError(f"{name}: targets must be numbers, got {type(t).__name__} {t!r}")
    return float(t)


def _labels(pred: Prediction, target: Target, name: str) -> list[tuple[Value, float | Value]]:
    """Like _pairs, but every target must be a class label 0 or 1."""
    pairs = _pairs(pred, target, name)
    for _, t in pairs:
        label = t.data if isinstance(t, Value) else t
        if label not in (0.0, 1.0):
            raise ValueError(f"{name}: labels must be 0 or 1, got {label!r}")
    return pairs


def sum_values(terms: Iterable[Value]) -> Value:
    """t_1 + t_2 + ... summed left to right, with no extra 0 node (needs at least one term)."""
    iterator = iter(terms)
    total = next(iterator)
    for term in iterator:
        total = total + term
    return total


def _squared_errors(pairs: list[tuple[Value, float | Value]]) -> Value:
    """Σ_j (y_j − a_j)², each written as d·d (one difference node, reused)."""
    return sum_values((a - y) * (a - y) for a, y in pairs)


def half_squared_error(pred: Prediction, target: Target) -> Value:
    """The seed's cost C = ½ ‖Y − A^L‖² = ½ Σ_j (y_j − a_j^L)², summed over outputs."""
    return 0.5 * _squared_errors(_pairs(pred, target, "half_squared_error"))


def mse(pred: Prediction, target: Target) -> Value:
    """The mean over outputs of (y_j − a_j)²."""
    pairs = _pairs(pred, target, "mse")
    return _squared_errors(pairs) / len(pairs)


def hinge(pred: Prediction, target: Target) -> Value:
    """Σ_j max(0, 1 − t_j·z_j) with label 0 mapped to t = −1 and 1 to t = +1 (z a raw score)."""
    pairs = _labels(pred, target, "hinge")
    return sum_values((1.0 - (2.0 * y - 1.0) * z).relu() for z, y in pairs)


def binary_cross_entropy(pred: Prediction, target: Target) -> Value:
    """Σ_j −[y log σ(z) + (1−y) log(1−σ(z))] from the logit z, computed stably as

    max(z, 0) − z·y + log1p(e^{−|z|}), which never overflows, never takes log(0) and keeps
    full relative accuracy (z = 40, y = 1 gives 4.25e-18, where log(1 + ...) gives 0).
    """
    return sum_values(
        z.relu() - z * y + _minus_magnitude(z).exp().log1p()
        for z, y in _labels(pred, target, "binary_cross_entropy")
    )


def _minus_magnitude(z: Value) -> Value:
    """−|z| = min(z, 0) − max(z, 0), without a branch on the data: the same graph for every z.

    Its slope at z = 0 is 1 − 0 − 0 = 1 (relu'(0) = 0), which makes d(BCE)/dz = σ(0) − y there.
    """
    positive = z.relu()
    return (z - positive) - positive


def l2(params: Sequence[Value]) -> Value:
    """The weight penalty Σ p² over `params` (add a small multiple of it to a loss)."""
    params = list(params)
    if not params:
        raise ValueError("l2: got no parameters")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"l2: parameters must be Values, got {type(p).__name__} {p!r}")
    return sum_values(p * p for p in params)


LOSSES: dict[str, Loss] = {
    "half_squared_error": half_squared_error,
    "mse": mse,
    "hinge": hinge,
    "binary_cross_entropy": binary_cross_entropy,
}
