"""`to_torch(model)`: the way out when a model outgrows a scalar engine — the same MLP in PyTorch.

PyTorch is an optional extra (`pip install -e '.[torch]'` from a clone), so it is imported only
inside `to_torch`; the rest of `nn` never needs it.
"""

from __future__ import annotations

from typing import Any

from nn.backprop import weights_of
from nn.module import MLP

# The PyTorch module for each hidden/output activation; "linear" adds no module at all.
_TORCH_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU", "linear": None}


def to_torch(model: MLP) -> Any:
    """A `torch.nn.Sequential` computing what `model` computes: float64, the same weights.

    Layer l of the MLP becomes `Linear(n_{l-1}, n_l)` whose `weight[j-1][k-1]` is w_jk^l and
    `bias[j-1]` is b_j^l, followed by its activation. The copy is independent of `model`.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch needs an nn.MLP, got {type(model).__name__}")
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "to_torch needs PyTorch, which is not installed: "
            "pip install torch (or, from your chainrule clone, pip install -e '.[torch]')"
        ) from error

    W, B = weights_of(model)
    modules = []
    for l, layer in enumerate(model.layers, start=2):
        linear = torch.nn.Linear(len(W[l][0]), len(W[l]), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W[l], dtype=torch.float64))
            linear.bias.copy_(torch.tensor(B[l], dtype=torch.float64))
        modules.append(linear)
        activation = _TORCH_ACTIVATIONS[layer.activation]
        if activation is not None:
            modules.append(getattr(torch.nn, activation)())
    return torch.nn.Sequential(*modules)
