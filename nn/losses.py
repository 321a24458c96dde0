"""Loss functions for one example, built from Value operations so that backward() works through.

Each `loss(pred, target) -> Value` takes a prediction (a Value or a list of Values) and a target
(a number or a list of numbers of the same length).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from autograd import Value

Prediction = Value | Sequence[Value]
Target = float | int | Sequence[float | int]
Loss = Callable[[Prediction, Target], Value]


def _pairs(pred: Prediction, target: Target, name: str) -> list[tuple[Value, float]]:
    """(prediction, target) pairs, or ValueError/TypeError naming `name` and both lengths."""
    preds = [pred] if isinstance(pred, Value) else list(pred)
    targets = list(target) if isinstance(target, Sequence) else [target]
    if len(preds) != len(targets):
        raise ValueError(
            f"{name}: {len(preds)} predictions but {len(targets)} targets; they must match"
        )
    if not preds:
        raise ValueError(f"{name}: got no predictions")
    for p in preds:
        if not isinstance(p, Value):
            raise TypeError(f"{name}: predictions must be Values, got {type(p).__name__} {p!r}")
    for t in targets:
        if isinstance(t, bool) or not isinstance(t, (int, float)):
            raise TypeError(f"{name}: targets must be numbers, got {type(t).__name__} {t!r}")
    return [(p, float(t)) for p, t in zip(preds, targets)]


def _labels(pred: Prediction, target: Target, name: str) -> list[tuple[Value, float]]:
    """Like _pairs, but every target must be a class label 0 or 1."""
    pairs = _pairs(pred, target, name)
    for _, t in pairs:
        if t not in (0.0, 1.0):
            raise ValueError(f"{name}: labels must be 0 or 1, got {t!r}")
    return pairs


def sum_values(terms: Iterable[Value]) -> Value:
    """t_1 + t_2 + ... summed left to right, with no extra 0 node (needs at least one term)."""
    iterator = iter(terms)
    total = next(iterator)
    for term in iterator:
        total = total + term
    return total


def _squared_errors(pairs: list[tuple[Value, float]]) -> Value:
    """Σ_j (y_j − a_j)², each written as d·d so that a huge d gives inf rather than an error."""
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

    max(z, 0) − z·y + log(1 + e^{−|z|}), which never overflows and never takes log(0).
    """
    return sum_values(
        z.relu() - z * y + (1.0 + _minus_magnitude(z).exp()).log()
        for z, y in _labels(pred, target, "binary_cross_entropy")
    )


def _minus_magnitude(z: Value) -> Value:
    """−|z| as a Value; at z = 0 it takes the branch whose slope gives d(BCE)/dz = σ(0) − y."""
    return -z if z.data > 0.0 else z


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
