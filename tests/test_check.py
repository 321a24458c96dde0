"""gradcheck: True where backward() matches finite differences, a precise error where not."""

from __future__ import annotations

import pytest

from autograd import Value, gradcheck


def test_gradcheck_accepts_correct_gradients() -> None:
    a, b = Value(0.5, "a"), Value(1.3, "b")
    assert gradcheck(lambda a, b: (a * b).tanh() + a**b / b.exp(), [a, b]) is True
    assert a.grad == 0.0 and a.data == 0.5  # inputs are restored and their grads untouched


def test_gradcheck_names_the_worst_input_and_both_values() -> None:
    kink, smooth = Value(0.0, "kink"), Value(1.0, "smooth")
    # relu at 0: backward says 0, the central difference sees the average slope 0.5.
    expected = r"'kink'.*backward gives 0.0.*finite differences give 0.49999"
    with pytest.raises(AssertionError, match=expected):
        gradcheck(lambda k, s: k.relu() + s * s, [kink, smooth])


@pytest.mark.parametrize(("option", "value"), [("eps", 0.0), ("eps", -1e-6), ("atol", -1.0),
                                               ("rtol", float("nan"))])
def test_gradcheck_rejects_bad_tolerances(option: str, value: float) -> None:
    with pytest.raises(ValueError, match=option):
        gradcheck(lambda x: x * x, [Value(1.0)], **{option: value})


def test_gradcheck_rejects_non_value_inputs_and_outputs() -> None:
    with pytest.raises(TypeError, match="inputs must all be Values"):
        gradcheck(lambda x: x, [1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [Value(1.0)])  # type: ignore[arg-type, return-value]


def test_tolerances_may_be_numpy_scalars() -> None:
    np = pytest.importorskip("numpy", reason="numpy is optional")
    x = Value(0.4)
    assert gradcheck(lambda v: v.tanh(), [x], eps=np.float64(1e-6), atol=np.float32(1e-5))
