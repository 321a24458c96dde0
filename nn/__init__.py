"""chainrule's tiny neural-network library, in the notation of the seed text.

    >>> from nn import MLP
    >>> model = MLP(3, [4, 2], activation="sigmoid", output_activation="sigmoid")
    >>> model.weight(2, 1, 3).label      # w_13^2: neuron 3 of layer 1 -> neuron 1 of layer 2
    'w_13^2'
"""

import sys
from typing import TYPE_CHECKING

from nn import backprop, datasets
from nn.checks import missing_attribute
from nn.export import to_torch
from nn.losses import LOSSES, binary_cross_entropy, half_squared_error, hinge, l2, mse
from nn.module import ACTIVATIONS, MLP, Layer, Module, Neuron, Trace
from nn.optim import SGD, Adam
from nn.seed_report import seed_report
from nn.serialize import load, save
from nn.train import fit

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Module",
    "Neuron",
    "Trace",
    "backprop",
    "binary_cross_entropy",
    "datasets",
    "fit",
    "half_squared_error",
    "hinge",
    "l2",
    "load",
    "mse",
    "save",
    "seed_report",
    "to_torch",
]

# What PyTorch's torch.nn offers under names chainrule does not use, and chainrule's way.
_ATTRIBUTE_HINTS = {
    "Linear": 'use nn.Layer(nin, nout, activation="linear")',
    "Sequential": "use nn.MLP(nin, [width, ..., nout]) for a stack of layers",
    "ReLU": 'activations are by name: activation="relu"',
    "Tanh": 'activations are by name: activation="tanh"',
    "Sigmoid": 'activations are by name: activation="sigmoid"',
    "MSELoss": "losses are functions of (prediction, target): nn.mse",
    "BCEWithLogitsLoss": "losses are functions of (prediction, target): nn.binary_cross_entropy",
    "functional": "losses are nn.mse, nn.hinge and nn.binary_cross_entropy",
}

if not TYPE_CHECKING:  # hidden from mypy, which would otherwise allow any name in nn

    def __getattr__(name: str) -> object:
        """Only for names nn lacks: say what to use instead, if we know."""
        raise missing_attribute(sys.modules[__name__], name, _ATTRIBUTE_HINTS)
