"""nn.optim: SGD (with momentum) and Adam against their published update rules, and validation."""

from __future__ import annotations

import math

import pytest

from autograd import Value
from nn import SGD, Adam
from nn.optim import Optimizer

GRADIENTS = [0.5, -1.25, 3.0, 0.0, -0.75]


def _run(optimizer: Optimizer, p: Value) -> list[float]:
    """Feed the fixed gradient sequence; return the parameter after each step."""
    trail = []
    for g in GRADIENTS:
        p.grad = g
        optimizer.step()
        trail.append(p.data)
    return trail


def test_sgd_step_is_p_minus_lr_times_grad() -> None:
    p = Value(2.0)
    assert _run(SGD([p], lr=0.1), p)[0] == 2.0 - 0.1 * 0.5


def test_sgd_momentum_follows_the_heavy_ball_recurrence() -> None:
    p = Value(1.0)
    trail = _run(SGD([p], lr=0.1, momentum=0.9), p)
    # Unrolled: v_t = Σ_{i<=t} 0.9^{t-i} g_i, and p_t = p_0 − 0.1 Σ_{s<=t} v_s.
    expected, position = [], 1.0
    for t in range(len(GRADIENTS)):
        velocity = sum(0.9 ** (t - i) * GRADIENTS[i] for i in range(t + 1))
        position -= 0.1 * velocity
        expected.append(position)
    assert trail == pytest.approx(expected, rel=1e-12)


def test_adam_matches_algorithm_1_of_kingma_and_ba() -> None:
    p = Value(1.0)
    trail = _run(Adam([p], lr=0.01, betas=(0.8, 0.99), eps=1e-8), p)
    expected, position, m, v = [], 1.0, 0.0, 0.0
    for t, g in enumerate(GRADIENTS, start=1):
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g**2
        m_hat, v_hat = m / (1 - 0.8**t), v / (1 - 0.99**t)
        position -= 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8)
        expected.append(position)
    assert trail == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e6, 1e200, 1.7e308])
def test_adam_first_step_is_lr_whatever_the_gradient_scale(scale: float) -> None:
    p = Value(0.0)
    p.grad = scale
    Adam([p], lr=0.1).step()
    assert p.data == pytest.approx(-0.1, rel=1e-3)


def test_adam_steps_do_not_depend_on_the_gradient_scale_even_past_1e154() -> None:
    # g² overflows above 1e154; Adam's steps are scale-free, so 1e200 must move as 1e100 does
    trails = []
    for scale in (1e100, 1e200):
        p = Value(1.0)
        optimizer = Adam([p], lr=0.01)
        trail = []
        for g in GRADIENTS:
            p.grad = g * scale
            optimizer.step()
            trail.append(p.data)
        trails.append(trail)
    assert trails[1] == pytest.approx(trails[0], rel=1e-12)
    assert trails[0][-1] != pytest.approx(1.0, abs=1e-3)  # it moved


def test_sgd_without_momentum_forgets_a_nan_gradient() -> None:
    p = Value(1.0)
    optimizer = SGD([p], lr=0.1)
    p.grad = math.nan
    optimizer.step()
    p.data, p.grad = 1.0, 0.5  # the user restores the parameter and goes on
    optimizer.step()
    assert p.data == 1.0 - 0.1 * 0.5


def test_numpy_scalars_and_arrays_are_accepted_as_hyperparameters() -> None:
    np = pytest.importorskip("numpy")
    p = Value(1.0)
    optimizer = Adam([p], lr=np.float32(0.5), betas=np.array([0.8, 0.99]), eps=np.float64(1e-8))
    assert (optimizer.lr, optimizer.beta1, optimizer.beta2) == (0.5, 0.8, 0.99)
    assert SGD([p], lr=np.float64(0.1), momentum=np.float32(0.5)).momentum == 0.5


def test_pytorch_habits_on_optimizers() -> None:
    p = Value(1.0)
    p.grad = 2.0
    optimizer = SGD([p], lr=0.1)
    optimizer.zero_grad(set_to_none=True)
    assert p.grad == 0.0
    with pytest.raises(AttributeError, match=r"set optimizer\.lr directly"):
        optimizer.param_groups  # noqa: B018


@pytest.mark.parametrize(
    "make", [lambda ps: SGD(ps, lr=0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.1)]
)
def test_optimizers_minimise_a_quadratic(make: object) -> None:
    x = Value(-4.0)
    optimizer = make([x])  # type: ignore[operator]
    for _ in range(300):
        optimizer.zero_grad()
        ((x - 3.0) * (x - 3.0)).backward()
        optimizer.step()
    assert x.data == pytest.approx(3.0, abs=1e-3)


def test_zero_grad_clears_the_parameters_gradients() -> None:
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 5.0
    SGD(params, lr=0.1).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SGD([Value(1.0)], lr=0), ValueError, "SGD lr must be > 0, got 0"),
        (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "SGD lr must be > 0, got nan"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "SGD lr must be a number"),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError, "momentum must be in"),
        (lambda: Adam([Value(1.0)], lr=-1), ValueError, "Adam lr must be > 0"),
        (lambda: Adam([Value(1.0)], lr=0.1, betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
        (lambda: Adam([Value(1.0)], lr=0.1, betas=0.9), TypeError, "pair of numbers"),
        (lambda: Adam([Value(1.0)], lr=0.1, eps=0), ValueError, "eps must be > 0"),
        (lambda: SGD([], lr=0.1), ValueError, "empty list of parameters"),
        (lambda: SGD([1.0], lr=0.1), TypeError, "must be a Value, got float"),
        (lambda: SGD(Value(1.0), lr=0.1), TypeError, "list of Values"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    make: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]
