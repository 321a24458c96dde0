"""chainrule's tiny neural-network library, in the notation of the seed text.

    >>> from nn import MLP
    >>> model = MLP(3, [4, 2], activation="sigmoid", output_activation="sigmoid")
    >>> model.weight(2, 1, 3).label      # w_13^2: neuron 3 of layer 1 -> neuron 1 of layer 2
    'w_13^2'
"""

from nn import backprop, datasets
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
