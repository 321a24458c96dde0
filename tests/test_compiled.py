"""fit(..., compile=True): the parameters and errors of compile=False; graphs that differ."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import nn.compiled
from autograd import Value, detect_anomaly
from autograd.compile import CompiledBatch
from nn import MLP, SGD, Adam, fit
from nn.compiled import CompiledTrainer, fingerprint
from nn.datasets import moons, seed_example, xor
from nn.losses import LOSSES
from nn.module import Module

TOLERANCE = 1e-9

def train(make: Callable[[], tuple[Module, Any, Any]], loss: str, compile: bool,
          adam: bool = False, **options: Any) -> tuple[list[float], list[float]]:
    """Train a fresh model; return its parameters and the loss history."""
    model, X, y = make()
    params = model.parameters()
    optimizer = Adam(params, lr=0.01) if adam else SGD(params, lr=0.1, momentum=0.5)
    history = fit(model, X, y, loss, optimizer, progress=False, compile=compile, **options)
    return [p.data for p in params], history


def moons_model(activation: str) -> Callable[[], tuple[Module, Any, Any]]:
    def make() -> tuple[Module, Any, Any]:
        X, y = moons(24, noise=0.1, seed=3)
        return MLP(2, [4, 4, 1], activation=activation, seed=1), X, y

    return make


def xor_model(activation: str) -> Callable[[], tuple[Module, Any, Any]]:
    def make() -> tuple[Module, Any, Any]:
        X, y = xor()
        return MLP(2, [3, 1], activation=activation, seed=2), X, y

    return make


def seed_model() -> tuple[Module, Any, Any]:
    model, x, y = seed_example()
    return model, [x, [0.5, -0.5, 0.25]], [y, [0.0, 1.0]]


def assert_same_training(make: Callable[[], tuple[Module, Any, Any]], loss: str,
                         **options: Any) -> None:
    engine = train(make, loss, compile=False, **options)
    compiled = train(make, loss, compile=True, **options)
    assert compiled[0] == pytest.approx(engine[0], rel=TOLERANCE, abs=TOLERANCE)
    assert compiled[1] == pytest.approx(engine[1], rel=TOLERANCE, abs=TOLERANCE)


LOSS_NAMES = sorted(LOSSES)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_moons_reach_the_same_parameters(activation: str, loss: str) -> None:
    assert_same_training(moons_model(activation), loss, epochs=4, batch_size=5)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_xor_reaches_the_same_parameters(activation: str, loss: str) -> None:
    assert_same_training(xor_model(activation), loss, epochs=30, batch_size=4)


@pytest.mark.parametrize("loss", ["half_squared_error", "mse"])
def test_the_seeds_network_reaches_the_same_parameters(loss: str) -> None:
    assert_same_training(seed_model, loss, epochs=20, batch_size=1)


def test_adam_and_unshuffled_batches_too() -> None:
    assert_same_training(moons_model("tanh"), "mse", adam=True, epochs=3, batch_size=7,
                         shuffle=False)


def test_the_steps_run_the_compiled_code(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = CompiledBatch.__call__

    def counting(self: CompiledBatch, *args: Any) -> Any:
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(CompiledBatch, "__call__", counting)
    train(moons_model("relu"), "hinge", compile=True, epochs=2, batch_size=8)
    assert len(calls) == 2 * 3


def test_inside_detect_anomaly_every_step_is_the_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: CompiledBatch, *args: Any) -> Any:
        raise AssertionError("the compiled code ran inside detect_anomaly")

    monkeypatch.setattr(CompiledBatch, "__call__", refuse)
    with detect_anomaly():
        compiled = train(moons_model("tanh"), "mse", compile=True, epochs=2, batch_size=8)
    assert compiled == train(moons_model("tanh"), "mse", compile=False, epochs=2, batch_size=8)


def test_a_diverging_step_raises_the_engines_error() -> None:
    def make() -> tuple[Module, Any, Any]:
        X, y = moons(12, noise=0.1, seed=3)
        return MLP(2, [4, 1], activation="relu", seed=1), X, [100.0 * t for t in y]

    messages = []
    for compile in (False, True):
        model, X, y = make()
        with pytest.raises(FloatingPointError) as raised:
            fit(model, X, y, "mse", SGD(model.parameters(), lr=1e150), epochs=20,
                progress=False, compile=compile)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]


def test_a_domain_error_is_the_engines() -> None:
    def log_loss(prediction: Any, target: Any) -> Value:
        return (prediction * prediction * 0.0).log()  # log 0

    for compile in (False, True):
        model = MLP(2, [2, 1], seed=0)
        with pytest.raises(ValueError, match=r"log\(0.0\) is undefined"):
            fit(model, [[1.0, 2.0]], [1.0], log_loss, SGD(model.parameters(), lr=0.1),
                epochs=1, progress=False, compile=compile)


def test_a_graph_that_differs_between_examples_is_reported() -> None:
    def branchy(prediction: Any, target: Any) -> Value:
        return -prediction if target > 0.5 else prediction * 1.0

    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"example 1 records a different graph than example 0"):
        fit(model, [[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0], branchy,
            SGD(model.parameters(), lr=0.1), epochs=1, progress=False, compile=True)


def test_a_graph_that_changes_during_training_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The loss is (p − 2)² either way, but records one more node once p passes 1."""
    monkeypatch.setattr(nn.compiled, "PROBES", ())  # the check at each step is what is tested

    def switching(prediction: Any, target: Any) -> Value:
        error = prediction - 2.0
        return error * error if prediction.data < 1.0 else error * error * 1.0

    def run(compile: bool) -> list[float]:
        model = MLP(1, [1], activation="linear", seed=0)
        return fit(model, [[1.0]], [0.0], switching, SGD(model.parameters(), lr=0.1),
                   epochs=10, progress=False, compile=compile)

    assert run(compile=False)[-1] < 0.1  # the engine trains through the switch
    with pytest.raises(ValueError, match=r"records a different graph at epoch \d+, step 1"):
        run(compile=True)


def test_a_fingerprint_names_shape_parameters_and_constants() -> None:
    w = Value(2.0)
    print_ = fingerprint((w * 3.0).tanh(), {w: 0})
    assert print_.marks == (0, None, ("*", (0, 1)), ("tanh", (2,)))
    assert print_.constants == (3.0,)


def test_the_trainer_compiles_only_the_numbers_that_differ_as_data() -> None:
    model = MLP(2, [2, 1], seed=0)
    X, y = [[0.0, 1.0], [0.0, 2.0]], [1.0, 1.0]
    trainer = CompiledTrainer(model, X, y, LOSSES["mse"], SGD(model.parameters(), lr=0.1))
    assert trainer.rows == [(1.0,), (2.0,)]  # x_1 and y are the same in both examples


def test_a_graph_that_depends_on_the_parameters_is_reported_before_training() -> None:
    """Every output starts positive, so the examples agree; other parameters show the branch."""

    def sign_branch(prediction: Any, target: Any) -> Value:
        return prediction * 1.0 if prediction.data > 0.0 else -prediction

    model = MLP(1, [1], activation="linear", seed=0)
    model.parameters()[1].data = 5.0  # the bias: every output is positive
    with pytest.raises(ValueError, match="records a different graph for other parameter values"):
        fit(model, [[0.5], [1.0]], [0.0, 1.0], sign_branch, SGD(model.parameters(), lr=0.1),
            epochs=1, progress=False, compile=True)
    assert model.parameters()[1].data == 5.0  # the probes leave the parameters as they were
