"""nn.backprop: the seed's eqs. (1)-(6) on floats give what Value.backward() gives, to 1e-12."""


from __future__ import annotations

import math

import pytest

from autograd import Value
from nn import MLP, backprop, datasets
from nn.losses import half_squared_error

TOLERANCE = 1e-12


def _engine(model: MLP, x: list[float], y: list[float]) -> tuple[float, dict[int, list[Value]]]:
    """C and the Z^l Values after the engine's backward(): z.grad is δ = ∂C/∂z."""
    model.zero_grad()
    trace = model.trace(x)
    cost = half_squared_error(trace.A[len(trace.A)], y)
    cost.backward()
    return cost.data, trace.Z


def _assert_agrees_with_engine(model: MLP, x: list[float], y: list[float], activation: str) -> None:
    W, B = backprop.weights_of(model)
    result = backprop.backward(W, B, x, y, activation)
    cost, Z = _engine(model, x, y)
    assert result.cost == pytest.approx(cost, abs=TOLERANCE)
    for l, zs in Z.items():
        for j, z in enumerate(zs, start=1):
            assert result.Z[l][j - 1] == pytest.approx(z.data, abs=TOLERANCE)
            assert result.delta[l][j - 1] == pytest.approx(z.grad, abs=TOLERANCE)
            assert result.dB[l][j - 1] == pytest.approx(model.bias(l, j).grad, abs=TOLERANCE)
            for k, g in enumerate(result.dW[l][j - 1], start=1):
                assert g == pytest.approx(model.weight(l, j, k).grad, abs=TOLERANCE)


def test_seed_example_every_delta_and_gradient_equals_the_engine() -> None:
    model, x, y = datasets.seed_example()
    _assert_agrees_with_engine(model, x, y, "sigmoid")


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
@pytest.mark.parametrize(
    ("nin", "nouts"), [(1, [1]), (2, [5, 1]), (4, [3, 3, 2]), (3, [6, 2, 5, 3])]
)
def test_random_networks_agree_with_the_engine(activation: str, nin: int, nouts: list[int]) -> None:
    for seed in range(3):
        model = MLP(nin, nouts, activation, activation, seed=seed)
        x = [math.sin(seed + k) for k in range(nin)]
        y = [math.cos(seed * k) for k in range(nouts[-1])]
        _assert_agrees_with_engine(model, x, y, activation)


def test_output_delta_by_hand_for_neuron_1_of_the_seed_example() -> None:
    model, x, y = datasets.seed_example()
    w, b = model.weight, model.bias

    def sigma(z: float) -> float:
        return 1.0 / (1.0 + math.exp(-z))

    # eq. (1) and (2) for the hidden layer, one neuron at a time
    a2 = [
        sigma(
            w(2, j, 1).data * x[0] + w(2, j, 2).data * x[1] + w(2, j, 3).data * x[2]
            + b(2, j).data
        )
        for j in (1, 2, 3, 4)
    ]
    # z_1^3 = w_11^3 a_1^2 + w_12^3 a_2^2 + w_13^3 a_3^2 + w_14^3 a_4^2 + b_1^3
    z13 = (
        w(3, 1, 1).data * a2[0]
        + w(3, 1, 2).data * a2[1]
        + w(3, 1, 3).data * a2[2]
        + w(3, 1, 4).data * a2[3]
        + b(3, 1).data
    )
    a13 = sigma(z13)
    # eq. (3) for j = 1: δ_1^3 = (a_1^3 − y_1) σ'(z_1^3), with σ'(z) = σ(z)(1 − σ(z))
    delta13 = (a13 - y[0]) * a13 * (1.0 - a13)
    W, B = backprop.weights_of(model)
    assert backprop.backward(W, B, x, y).delta[3][0] == pytest.approx(delta13, abs=1e-15)


def test_forward_matches_the_models_trace() -> None:
    model = MLP(3, [4, 2], "tanh", "tanh", seed=9)
    Z, A = backprop.forward(*backprop.weights_of(model), [0.2, -0.4, 0.9], "tanh")
    trace = model.trace([0.2, -0.4, 0.9])
    assert A[1] == [0.2, -0.4, 0.9]
    for l in (2, 3):
        assert Z[l] == pytest.approx([z.data for z in trace.Z[l]], abs=TOLERANCE)
        assert A[l] == pytest.approx([a.data for a in trace.A[l]], abs=TOLERANCE)


def test_minibatch_gradients_average_the_engines_per_example_gradients() -> None:
    model = MLP(2, [3, 2], "sigmoid", "sigmoid", seed=4)
    X = [[0.1, 0.2], [-1.0, 0.5], [0.7, -0.3]]
    Y = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    dW, dB = backprop.minibatch_gradients(*backprop.weights_of(model), X, Y)
    model.zero_grad()
    costs = [half_squared_error(model.trace(x).A[3], y) for x, y in zip(X, Y)]
    ((costs[0] + costs[1] + costs[2]) / 3).backward()
    for l in (2, 3):
        for j in range(1, len(dB[l]) + 1):
            assert dB[l][j - 1] == pytest.approx(model.bias(l, j).grad, abs=TOLERANCE)
            for k, g in enumerate(dW[l][j - 1], start=1):
                assert g == pytest.approx(model.weight(l, j, k).grad, abs=TOLERANCE)


def test_weights_of_and_assign_are_inverse() -> None:
    source, target = MLP(3, [4, 2], seed=1), MLP(3, [4, 2], seed=2)
    backprop.assign(target, *backprop.weights_of(source))
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]
    W, B = backprop.weights_of(source)
    assert W[3][1][3] == source.weight(3, 2, 4).data and B[2][2] == source.bias(2, 3).data


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda W, B: backprop.forward(W, B, [1.0, 2.0]), ValueError, "x has 2 numbers"),
        (lambda W, B: backprop.backward(W, B, [1, 2, 3], [1.0]), ValueError, "y has 1 numbers"),
        (lambda W, B: backprop.forward(W, B, [1, 2, 3], "softmax"), ValueError, "activation"),
        (lambda W, B: backprop.forward({3: W[3]}, B, [1, 2, 3]), ValueError, "keys 2..L"),
        (lambda W, B: backprop.forward({2: W[2], 3: [[1.0]] * 2}, B, [1, 2, 3]), ValueError,
         "row 1 has 1 weights but layer 2 has 4"),
        (lambda W, B: backprop.forward(W, B, [1, 2, "3"]), TypeError, "x must hold numbers"),
        (lambda W, B: backprop.minibatch_gradients(W, B, [[1, 2, 3]], []), ValueError,
         "1 inputs but 0 targets"),
        (lambda W, B: backprop.assign(MLP(3, [4, 3]), W, B), ValueError, "layer widths"),
        (lambda W, B: backprop.weights_of("model"), TypeError, "needs an MLP"),
    ],
)
def test_bad_inputs_raise_clear_errors(call: object, error: type[Exception], message: str) -> None:
    W, B = backprop.weights_of(datasets.seed_example()[0])
    with pytest.raises(error, match=message):
        call(W, B)  # type: ignore[operator]
