"""nn.datasets: points on the right curves, the right noise, seeded; XOR; the seed's example."""


from __future__ import annotations

import math
import statistics

import pytest

from autograd import topological_order
from nn import datasets


def test_moons_without_noise_lie_on_two_half_circles() -> None:
    X, y = datasets.moons(n=101, noise=0.0, seed=3)
    assert len(X) == len(y) == 101 and y.count(0) == 50 and y.count(1) == 51
    for (x0, x1), label in zip(X, y):
        if label == 0:  # upper half of the unit circle
            assert math.hypot(x0, x1) == pytest.approx(1.0) and x1 >= -1e-12
        else:  # the lower half circle centred at (1, 0.5)
            assert math.hypot(x0 - 1.0, x1 - 0.5) == pytest.approx(1.0) and x1 <= 0.5 + 1e-12


def test_circles_without_noise_have_radius_one_and_factor() -> None:
    X, y = datasets.circles(n=60, noise=0.0, factor=0.3, seed=1)
    for (x0, x1), label in zip(X, y):
        assert math.hypot(x0, x1) == pytest.approx(0.3 if label == 1 else 1.0)
    assert y.count(0) == y.count(1) == 30


@pytest.mark.parametrize("make", [datasets.moons, datasets.circles])
def test_noise_is_gaussian_with_the_given_standard_deviation(make: object) -> None:
    clean, labels = make(n=2000, noise=0.0, seed=5)  # type: ignore[operator]
    noisy, same_labels = make(n=2000, noise=0.2, seed=5)  # type: ignore[operator]
    assert same_labels == labels  # same seed: same order, only the noise differs
    offsets = [b - a for p, q in zip(clean, noisy) for a, b in zip(p, q)]
    assert statistics.fmean(offsets) == pytest.approx(0.0, abs=0.01)
    assert statistics.pstdev(offsets) == pytest.approx(0.2, rel=0.05)


def test_data_sets_are_seeded_and_shuffled() -> None:
    assert datasets.moons(seed=1) == datasets.moons(seed=1)
    assert datasets.moons(seed=1) != datasets.moons(seed=2)
    _, y = datasets.moons(n=100)
    assert y != sorted(y)


def test_xor_labels_are_x0_xor_x1() -> None:
    X, y = datasets.xor()
    assert len(X) == 4
    assert y == [int(bool(x0) != bool(x1)) for x0, x1 in X]


def test_seed_example_is_the_3_4_2_sigmoid_network_with_documented_weights() -> None:
    model, x, y = datasets.seed_example()
    assert (model.nin, model.nouts) == (3, [4, 2])
    assert model.activation == model.output_activation == "sigmoid"
    assert (x, y) == (datasets.SEED_X, datasets.SEED_Y)
    documented = {2: (datasets.SEED_W2, datasets.SEED_B2), 3: (datasets.SEED_W3, datasets.SEED_B3)}
    for l, (W, B) in documented.items():
        for j, (row, b) in enumerate(zip(W, B), start=1):
            assert model.bias(l, j).data == b
            assert [model.weight(l, j, k).data for k in range(1, len(row) + 1)] == row


def test_seed_example_can_be_expanded() -> None:
    model, _, _ = datasets.seed_example(expand=True)
    assert model.expand and model.weight(3, 2, 4).data == datasets.SEED_W3[1][3]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: datasets.moons(n=1), ValueError, "n must be >= 2"),
        (lambda: datasets.moons(n=10.0), TypeError, "n must be an int"),
        (lambda: datasets.moons(noise=-0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: datasets.circles(noise=math.inf), ValueError, "noise must be"),
        (lambda: datasets.moons(seed="a"), TypeError, "seed must be an int"),
        (lambda: datasets.circles(factor=1.0), ValueError, "factor must be between 0 and 1"),
        (lambda: datasets.circles(factor="0.5"), TypeError, "factor must be a number, got str"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    call: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]


def test_numpy_scalars_give_the_same_data_as_python_numbers() -> None:
    np = pytest.importorskip("numpy")
    for make in (datasets.moons, datasets.circles):
        given = make(n=np.int64(12), noise=np.float32(0.25), seed=np.int64(3))  # type: ignore[operator]
        assert given == make(n=12, noise=float(np.float32(0.25)), seed=3)  # type: ignore[operator]
    assert datasets.circles(factor=np.float64(0.3)) == datasets.circles(factor=0.3)


def test_neuron_example_is_tanh_of_the_weighted_sum_with_o_one_over_root_two() -> None:
    o = datasets.neuron_example()
    o.backward()
    leaves = {v.label: v for v in topological_order(o) if not v.inputs}
    assert o.data == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    local = 1 - o.data**2  # d tanh(n)/dn
    assert {name: v.grad for name, v in leaves.items()} == {
        "x1": local * -3.0, "w1": local * 2.0, "x2": local * 1.0, "w2": local * 0.0, "b": local,
    }
