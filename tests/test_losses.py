"""nn.losses: values against formulas (sympy), gradients against finite differences, errors."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, gradcheck, topological_order
from nn import LOSSES, binary_cross_entropy, half_squared_error, hinge, l2, mse

reals = st.floats(-20, 20, allow_nan=False)
labels = st.sampled_from([0, 1])


def _bce_sympy(z: float, y: int) -> tuple[float, float]:
    """The textbook −[y log σ(z) + (1−y) log(1−σ(z))] and its derivative, in exact arithmetic."""
    s = sympy.Symbol("z")
    sigma = 1 / (1 + sympy.exp(-s))
    expression = -(y * sympy.log(sigma) + (1 - y) * sympy.log(1 - sigma))
    at = {s: sympy.Rational(z)}
    return float(expression.subs(at).evalf(30)), float(sympy.diff(expression, s).subs(at).evalf(30))


@given(st.lists(st.tuples(reals, reals), min_size=1, max_size=4))
def test_half_squared_error_is_half_the_sum_of_squares(pairs: list[tuple[float, float]]) -> None:
    preds = [Value(a) for a, _ in pairs]
    targets = [y for _, y in pairs]
    loss = half_squared_error(preds, targets)
    assert loss.data == pytest.approx(0.5 * math.fsum((y - a) ** 2 for a, y in pairs), rel=1e-12)
    loss.backward()
    for p, (a, y) in zip(preds, pairs):
        assert p.grad == pytest.approx(a - y, rel=1e-12, abs=1e-12)  # ∂C/∂a_j = a_j − y_j


@given(st.lists(st.tuples(reals, reals), min_size=1, max_size=4))
def test_mse_is_the_mean_over_outputs(pairs: list[tuple[float, float]]) -> None:
    preds = [Value(a) for a, _ in pairs]
    targets = [y for _, y in pairs]
    expected = math.fsum((y - a) ** 2 for a, y in pairs) / len(pairs)
    assert mse(preds, targets).data == pytest.approx(expected, rel=1e-12, abs=1e-300)


@given(reals, labels)
def test_binary_cross_entropy_matches_the_textbook_formula_and_derivative(z: float, y: int) -> None:
    value, slope = _bce_sympy(z, y)
    logit = Value(z)
    loss = binary_cross_entropy(logit, y)
    loss.backward()
    assert loss.data == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert logit.grad == pytest.approx(slope, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("z", "y"), [(1000.0, 0), (-1000.0, 1), (745.0, 0), (-1e300, 1)])
def test_binary_cross_entropy_is_stable_for_huge_logits(z: float, y: int) -> None:
    logit = Value(z)
    loss = binary_cross_entropy(logit, y)
    loss.backward()
    assert loss.data == abs(z)  # the wrong side by |z|: the loss is |z| (log1p(e^-|z|) = 0)
    assert logit.grad == (1.0 if y == 0 else -1.0)


def test_binary_cross_entropy_gradient_at_zero_is_half_minus_y() -> None:
    for y in (0, 1):
        logit = Value(0.0)
        binary_cross_entropy(logit, y).backward()
        assert logit.grad == 0.5 - y


@given(reals, labels)
def test_hinge_maps_label_zero_to_minus_one(z: float, y: int) -> None:
    t = 1 if y == 1 else -1
    assert hinge(Value(z), y).data == pytest.approx(max(0.0, 1.0 - t * z), abs=1e-12)


@pytest.mark.parametrize("loss", [half_squared_error, mse, hinge, binary_cross_entropy])
def test_gradients_match_finite_differences(loss: object) -> None:
    preds = [Value(0.3), Value(-1.7), Value(2.2)]
    assert gradcheck(lambda *p: loss(list(p), [1, 0, 1]), preds)  # type: ignore[operator]


def test_l2_is_the_sum_of_squares_with_gradient_2p() -> None:
    params = [Value(1.5), Value(-2.0), Value(0.25)]
    penalty = l2(params)
    penalty.backward()
    assert penalty.data == 1.5**2 + 2.0**2 + 0.25**2
    assert [p.grad for p in params] == [3.0, -4.0, 0.5]


def test_one_value_and_a_one_item_list_are_the_same_example() -> None:
    assert half_squared_error(Value(0.2), 1.0).data == half_squared_error([Value(0.2)], [1.0]).data


@pytest.mark.parametrize("loss", list(LOSSES.values()))
def test_length_mismatch_names_both_lengths(loss: object) -> None:
    with pytest.raises(ValueError, match="2 predictions but 3 targets"):
        loss([Value(0.1), Value(0.2)], [0, 1, 1])  # type: ignore[operator]


@pytest.mark.parametrize("loss", [hinge, binary_cross_entropy])
def test_classification_losses_require_labels_zero_or_one(loss: object) -> None:
    with pytest.raises(ValueError, match="labels must be 0 or 1, got -1"):
        loss(Value(0.1), -1)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: mse([0.5], [1.0]), TypeError, "predictions must be Values"),
        (lambda: mse(Value(0.5), "1"), TypeError, "targets must be numbers"),
        (lambda: mse([], []), ValueError, "no predictions"),
        (lambda: l2([]), ValueError, "no parameters"),
        (lambda: l2([1.0]), TypeError, "must be Values"),
    ],
)
def test_bad_inputs_raise_clear_errors(call: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]


def test_binary_cross_entropy_is_accurate_in_relative_terms() -> None:
    loss = binary_cross_entropy(Value(40.0), 1)
    assert loss.data == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-15)
    assert loss.data == pytest.approx(4.248354255291589e-18, rel=1e-12)


@pytest.mark.parametrize("loss", list(LOSSES.values()))
def test_targets_may_be_tuples_numpy_arrays_and_numpy_scalars(loss: object) -> None:
    np = pytest.importorskip("numpy", reason="numpy is optional")
    preds = [Value(0.3), Value(-1.2)]
    expected = loss(preds, [1.0, 0.0]).data  # type: ignore[operator]
    for targets in ((1, 0), np.array([1, 0]), np.array([1.0, 0.0]), [np.int64(1), np.float64(0)]):
        assert loss(preds, targets).data == expected  # type: ignore[operator]
    assert loss(Value(0.3), np.int64(1)).data == loss(Value(0.3), 1).data  # type: ignore[operator]


# ∂loss/∂y at prediction a = z = 0.3 and target y = 1, by hand.
TARGET_SLOPES = {
    "half_squared_error": 0.7,  # −(a − y)
    "mse": 1.4,  # −2(a − y)
    "hinge": -0.6,  # −2z, since 1 − (2y − 1)z = 0.7 > 0
    "binary_cross_entropy": -0.3,  # −z
}


@pytest.mark.parametrize("name", sorted(TARGET_SLOPES))
def test_a_value_target_is_a_graph_input_with_its_own_gradient(name: str) -> None:
    label = Value(1.0, "y")
    out = LOSSES[name]([Value(0.3)], [label])
    assert label in topological_order(out)
    assert grad(out, label)[0] == pytest.approx(TARGET_SLOPES[name], rel=1e-12)


@pytest.mark.parametrize("loss", list(LOSSES.values()))
def test_every_example_records_the_same_graph(loss: object) -> None:
    def shape(z: float, y: int) -> list[tuple[str, int]]:
        out = loss(Value(z), y)  # type: ignore[operator]
        return [(n.op, len(n.inputs)) for n in topological_order(out)]

    shapes = [shape(z, y) for z in (-3.0, 0.0, 2.0) for y in (0, 1)]
    assert all(s == shapes[0] for s in shapes)


def test_a_target_that_is_not_a_sequence_is_named() -> None:
    with pytest.raises(TypeError, match="targets must be numbers, Values or a sequence"):
        mse(Value(0.5), None)  # type: ignore[arg-type]
