"""no_grad and detect_anomaly: per-thread switches, restored on exit."""

from __future__ import annotations

import math
import threading

import pytest

import autograd
from autograd import Value, detect_anomaly, grad, modes, no_grad
from autograd.modes import is_checking, is_recording


def test_no_grad_nests_and_restores() -> None:
    assert is_recording()
    with no_grad():
        with no_grad():
            assert not is_recording()
        assert not is_recording()
    assert is_recording()


def test_no_grad_restores_after_an_exception() -> None:
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_recording()


def test_a_new_thread_starts_recording_even_inside_no_grad() -> None:
    seen: list[bool] = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(is_recording()))
        worker.start()
        worker.join()
    assert seen == [True]


def test_a_block_open_in_one_thread_leaves_the_others_recording() -> None:
    inside, done = threading.Event(), threading.Event()
    made: list[Value] = []

    def hold_no_grad() -> None:
        with no_grad():
            made.append(Value(2.0) * 3.0)
            inside.set()
            done.wait(5.0)

    holder = threading.Thread(target=hold_no_grad)
    holder.start()
    assert inside.wait(5.0)
    x = Value(2.0)
    recorded = [x * 3.0, x.exp(), autograd.dot([x], [x], x)]
    done.set()
    holder.join()
    assert made[0].inputs == () and all(v.inputs for v in recorded)
    assert modes._open.count == 0


def test_detect_anomaly_names_the_op_label_and_inputs() -> None:
    x = Value(0.0, "x")
    root = x.sqrt()
    root.label = "root"
    loss = root * 3
    with detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        loss.backward()
    message = str(caught.value)
    assert "'sqrt'" in message and "'root'" in message and "(0.0)" in message and "inf" in message
    assert not is_checking()


def test_detect_anomaly_catches_nan_from_inf_times_zero() -> None:
    x = Value(0.0)
    loss = x.sqrt() * 0.0
    with detect_anomaly(), pytest.raises(FloatingPointError, match="nan"):
        loss.backward()


def test_without_anomaly_mode_an_infinite_gradient_just_propagates() -> None:
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_anomaly_mode_passes_finite_gradients() -> None:
    x = Value(2.0)
    with detect_anomaly():
        (x.sqrt() * x.log()).backward()
    assert math.isfinite(x.grad)


def test_a_stopped_backward_leaves_every_grad_as_it_was() -> None:
    x = Value(0.0, "x")
    y = Value(2.0, "y")
    loss = x.sqrt() * y
    y.grad = 5.0
    with detect_anomaly(), pytest.raises(FloatingPointError):
        loss.backward()
    assert (x.grad, y.grad, loss.grad) == (0.0, 5.0, 0.0)


def test_detect_anomaly_catches_a_sum_of_finite_contributions_that_overflows_at_a_leaf() -> None:
    x = Value(1e-300, "x")
    y = x * 1e308 + x * 1e308
    with detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        y.backward()
    message = str(caught.value)
    assert "'x'" in message and "1e+308 + 1e+308" in message and "became inf" in message
    assert x.grad == 0.0  # stopped: every grad as it was


def test_detect_anomaly_checks_the_sums_of_grad_too() -> None:
    x = Value(1e-300, "x")
    y = x * 1e308 + x * 1e308
    assert grad(y, x) == [math.inf]
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'x'.*became inf"):
        grad(y, x)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="became inf"):
        grad(y, x, create_graph=True)


def test_detect_anomaly_reports_the_infinite_derivative_of_sqrt_at_zero_in_grad() -> None:
    x = Value(0.0)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'sqrt'"):
        grad(x.sqrt(), x)
