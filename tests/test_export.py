"""nn.export.to_torch: the PyTorch copy computes the same outputs and gradients as the engine.

PyTorch is the independent oracle here. Where it is not installed these tests are skipped with the
reason, except under CHAINRULE_REQUIRE_TORCH=1 (set by CI), where a missing torch fails them.
"""

from __future__ import annotations

import os
import random
import sys
from types import ModuleType

import pytest

from nn.export import to_torch
from nn.losses import half_squared_error
from nn.module import MLP

TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    try:
        import torch
    except ImportError as error:
        if os.environ.get("CHAINRULE_REQUIRE_TORCH") == "1":
            pytest.fail(f"CHAINRULE_REQUIRE_TORCH=1 but PyTorch cannot be imported: {error}")
        pytest.skip("PyTorch is not installed (pip install -e '.[torch]'): nothing to compare")
    return torch


def examples(nin: int, count: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(count)]


def outputs_of(model: MLP, x: list[float]) -> list[float]:
    out = model(x)
    return [v.data for v in (out if isinstance(out, list) else [out])]


def assert_close(got: float, want: float, what: str) -> None:
    assert abs(got - want) <= TOLERANCE * max(1.0, abs(want)), f"{what}: {got!r} != {want!r}"


@pytest.mark.parametrize(
    ("activation", "output_activation"),
    [("tanh", "linear"), ("sigmoid", "sigmoid"), ("relu", "tanh"), ("linear", "relu")],
)
@pytest.mark.parametrize("expand", [False, True])
def test_same_outputs(
    torch: ModuleType, activation: str, output_activation: str, expand: bool
) -> None:
    model = MLP(3, [5, 4, 2], activation, output_activation, seed=7, expand=expand)
    net = to_torch(model)
    inputs = examples(3, 10, seed=1)
    got = net(torch.tensor(inputs, dtype=torch.float64)).tolist()
    for i, x in enumerate(inputs):
        for j, (g, want) in enumerate(zip(got[i], outputs_of(model, x))):
            assert_close(g, want, f"example {i} output {j}")


def test_same_gradients(torch: ModuleType) -> None:
    model = MLP(3, [4, 2], "sigmoid", "sigmoid", seed=3)
    net = to_torch(model)
    inputs = examples(3, 6, seed=2)
    targets = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0], [0.0, 0.0], [0.25, 0.75]]

    total = None
    for x, y in zip(inputs, targets):
        cost = half_squared_error(model(x), y)
        total = cost if total is None else total + cost
    assert total is not None
    total.backward()
    prediction = net(torch.tensor(inputs, dtype=torch.float64))
    (0.5 * ((prediction - torch.tensor(targets, dtype=torch.float64)) ** 2).sum()).backward()

    assert_close(prediction.sum().item(), sum(sum(outputs_of(model, x)) for x in inputs), "sum")
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for l, linear in enumerate(linears, start=2):
        for j, row in enumerate(linear.weight.grad.tolist(), start=1):
            for k, g in enumerate(row, start=1):
                assert_close(g, model.weight(l, j, k).grad, f"dC/dw_{j}{k}^{l}")
            assert_close(linear.bias.grad[j - 1].item(), model.bias(l, j).grad, f"dC/db_{j}^{l}")


def test_layers_mirror_the_model(torch: ModuleType) -> None:
    net = to_torch(MLP(2, [16, 16, 1], activation="relu"))
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert all(p.dtype == torch.float64 for p in net.parameters())


def test_copy_is_independent(torch: ModuleType) -> None:
    model = MLP(2, [3, 1], seed=5)
    net = to_torch(model)
    model.weight(2, 1, 1).data += 1.0
    assert net[0].weight[0, 0].item() == model.weight(2, 1, 1).data - 1.0


def test_rejects_a_non_mlp() -> None:
    with pytest.raises(TypeError, match="nn.MLP"):
        to_torch([1, 2, 3])  # type: ignore[arg-type]


def test_missing_torch_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="pip install"):
        to_torch(MLP(2, [1]))
