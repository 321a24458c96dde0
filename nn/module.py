"""Neurons, layers and multi-layer perceptrons built from `Value`s, labelled in the seed's notation.

Layers are numbered as in the seed: layer 1 is the input, layers 2..L hold neurons. Neuron j of
layer l owns the weights w_jk^l (from neuron k of layer l-1) and the bias b_j^l, and computes

    z_j^l = Σ_k w_jk^l a_k^{l-1} + b_j^l     (eq. (1), one "dot" node)
    a_j^l = σ(z_j^l)                          (eq. (2), one node; none for "linear")

Initialisation (seeded): every weight is drawn uniformly from [-1/√nin, 1/√nin] (LeCun-style
uniform, so a unit's z starts at a similar scale whatever its fan-in); every bias starts at 0.
"""


from __future__ import annotations

import math
import numbers
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from autograd import Value, as_value, cycle_collector_paused, dot
from autograd.engine import dots
from nn.checks import (
    integer,
    is_sequence,
    missing_attribute,
    no_unexpected_keywords,
    positive_int,
    sequence,
)

Operand = Value | float | int
Seed = int | random.Random | None

ACTIVATIONS: tuple[str, ...] = ("tanh", "sigmoid", "relu", "linear")
_SIGMA: dict[str, Callable[[Value], Value] | None] = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "linear": None,
}


def seed_label(symbol: str, indices: Sequence[int], layer: int) -> str:
    """A name in the seed's notation: ("w", (1, 2), 2) -> "w_12^2"; indices past 9 get commas."""
    separator = "," if any(i > 9 for i in indices) else ""
    return f"{symbol}_{separator.join(map(str, indices))}^{layer}"


# micrograd's nonlin=True is a ReLU neuron, nonlin=False a linear one.
_NONLIN = {True: "relu", False: "linear"}


def check_activation(activation: object) -> str:
    """`activation` itself if it names one of ACTIVATIONS, else a ValueError listing them."""
    if isinstance(activation, bool):
        raise ValueError(
            f"activation must be one of {ACTIVATIONS}, got {activation!r}; for micrograd's "
            f'nonlin={activation!r} write activation="{_NONLIN[activation]}"'
        )
    if not isinstance(activation, str) or activation not in _SIGMA:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


def _reject_unexpected(owner: str, keywords: dict[str, object]) -> None:
    """TypeError for a keyword the class does not take, naming chainrule's word for micrograd's."""
    if not keywords:
        return
    nonlin = keywords.get("nonlin")
    hints = {
        "nonlin": "chainrule names it activation: "
        + (
            f'activation="{_NONLIN[nonlin]}" for micrograd\'s nonlin={nonlin!r}'
            if isinstance(nonlin, bool)
            else f"one of {ACTIVATIONS}"
        ),
        "bias": "every chainrule neuron has a bias (it starts at 0)",
    }
    no_unexpected_keywords(owner, keywords, hints)


# What micrograd and PyTorch users reach for on a module, and chainrule's way to do it.
_ATTRIBUTE_HINTS = {
    "w": "a neuron's weights are neuron.weights (micrograd's w), or model.weight(l, j, k)",
    "b": "a neuron's bias is neuron.bias (micrograd's b), or model.bias(l, j)",
    "nonlin": "chainrule names it .activation ('tanh', 'sigmoid', 'relu' or 'linear')",
    "weight": "each neuron has .weights; on an MLP, model.weight(l, j, k) is w_jk^l",
    "forward": "call the module itself: model(x)",
    "train": "chainrule modules have no training or evaluation mode; drop the call",
    "eval": "chainrule modules have no training or evaluation mode; drop the call",
    "named_parameters": "use .parameters(); each Value's .label is its name (w_jk^l, b_j^l)",
    "state_dict": "save with nn.save(model, path), read back with nn.load(path)",
    "load_state_dict": "save with nn.save(model, path), read back with nn.load(path)",
    "to": "chainrule computes with Python floats on the CPU; there is no device to move to",
    "cuda": "chainrule computes with Python floats on the CPU; there is no device to move to",
}


def as_values(x: Sequence[Operand], what: str) -> Sequence[Value]:
    """`x` itself when it holds only Values; else a copy with each number made a constant leaf."""
    sequence(x, what, "numbers or Values")
    if set(map(type, x)) <= {Value}:
        return x  # type: ignore[return-value]
    return [as_value(a) for a in x]


def _rng(seed: Seed) -> random.Random:
    """A generator for `seed`: an int seeds a new one, a Random is shared, None is unseeded."""
    if seed is None:
        return random.Random()
    if isinstance(seed, random.Random):
        return seed
    return random.Random(integer(seed, "seed"))


class Module(ABC):
    """Anything with parameters: a Neuron, a Layer or an MLP."""

    __slots__ = ()

    @abstractmethod
    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's gradient to 0 before the next backward pass.

        `set_to_none` is accepted for PyTorch code and changes nothing: the gradient is 0.0.
        """
        for p in self.parameters():
            p.grad = 0.0

    @abstractmethod
    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:
        """The forward pass on one example."""

    if not TYPE_CHECKING:  # hidden from mypy, which would otherwise allow any attribute

        def __getattr__(self, name: str) -> object:
            """Only for attributes that do not exist: say what to use instead, if we know."""
            raise missing_attribute(self, name, _ATTRIBUTE_HINTS)


class Neuron(Module):
    """Neuron j of layer l: z = dot(w, a, b) (eq. (1)), then a = σ(z) (eq. (2))."""

    __slots__ = ("weights", "bias", "activation", "expand", "_sigma", "_z_label", "_a_label")

    weights: list[Value]
    bias: Value
    activation: str
    expand: bool

    def __init__(
        self,
        nin: int,
        activation: str = "tanh",
        seed: Seed = None,
        *,
        expand: bool = False,
        layer: int = 2,
        index: int = 1,
        **unexpected: object,
    ) -> None:
        _reject_unexpected("Neuron", unexpected)
        nin = positive_int(nin, "Neuron(nin)")
        index = positive_int(index, "Neuron(index)")
        layer = integer(layer, "Neuron(layer)", minimum=2, why=" (layer 1 is the input)")
        self.activation = check_activation(activation)
        self.expand = bool(expand)
        rng = _rng(seed)
        bound = 1.0 / math.sqrt(nin)
        self.weights = [
            Value(rng.uniform(-bound, bound), seed_label("w", (index, k), layer))
            for k in range(1, nin + 1)
        ]
        self.bias = Value(0.0, seed_label("b", (index,), layer))
        self._sigma = _SIGMA[activation]
        self._z_label = seed_label("z", (index,), layer)
        self._a_label = seed_label("a", (index,), layer)

    def weighted_input(self, x: Sequence[Value]) -> Value:
        """z_j^l = Σ_k w_jk^l a_k^{l-1} + b_j^l  (eq. (1) for one neuron); `x` must be Values."""
        if self.expand:
            z = _expanded_dot(self.weights, x, self.bias)
        else:
            z = dot(self.weights, x, self.bias)
        z.label = self._z_label
        return z

    def activate(self, z: Value) -> Value:
        """a_j^l = σ(z_j^l)  (eq. (2)); "linear" adds no node and returns z itself."""
        if self._sigma is None:
            return z
        a = self._sigma(z)
        a.label = self._a_label
        return a

    def __call__(self, x: Sequence[Operand]) -> Value:
        return self.activate(self.weighted_input(as_values(x, "Neuron input")))

    def parameters(self) -> list[Value]:
        return [*self.weights, self.bias]

    def __repr__(self) -> str:
        return f"Neuron({len(self.weights)}, activation={self.activation!r})"


def _expanded_dot(weights: Sequence[Value], x: Sequence[Value], bias: Value) -> Value:
    """w_1·a_1 + w_2·a_2 + ... + b from single `*` and `+` nodes, summed left to right like dot."""
    if len(weights) != len(x):
        raise ValueError(
            f"dot: {len(weights)} weights but {len(x)} activations; they must match"
        )
    z = weights[0] * x[0]
    for w, a in zip(weights[1:], x[1:]):
        z = z + w * a
    return z + bias


class Layer(Module):
    """Layer l: `nout` neurons that each see all `nin` activations of layer l-1."""

    __slots__ = ("neurons", "activation")

    neurons: list[Neuron]
    activation: str

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        seed: Seed = None,
        *,
        expand: bool = False,
        layer: int = 2,
        **unexpected: object,
    ) -> None:
        _reject_unexpected("Layer", unexpected)
        nout = positive_int(nout, "Layer(nout)")
        rng = _rng(seed)
        self.activation = check_activation(activation)
        self.neurons = [
            Neuron(nin, activation, rng, expand=expand, layer=layer, index=j)
            for j in range(1, nout + 1)
        ]

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        """A^l = σ(W^l A^{l-1} + B^l), always a list (a layer of width 1 too)."""
        return self.forward_values(as_values(x, "Layer input"))

    def forward_values(self, values: Sequence[Value]) -> list[Value]:
        """A^l from A^{l-1} given as Values: the same nodes and labels as each neuron makes.

        With fused dots, the layer's z are made together (`dots` reads A^{l-1}'s data once) and
        σ is called directly: this is the hot loop of every training step.
        """
        neurons = self.neurons
        if neurons[0].expand:
            return [neuron.activate(neuron.weighted_input(values)) for neuron in neurons]
        Z = dots([n.weights for n in neurons], values, [n.bias for n in neurons])
        sigma = neurons[0]._sigma
        for neuron, z in zip(neurons, Z):
            z.label = neuron._z_label
        if sigma is None:
            return Z
        A = list(map(sigma, Z))
        for neuron, a in zip(neurons, A):
            a.label = neuron._a_label
        return A

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        nin = len(self.neurons[0].weights)
        return f"Layer({nin}, {len(self.neurons)}, activation={self.activation!r})"


class Trace(NamedTuple):
    """One forward pass in the seed's notation: Z[l] and A[l] by layer (A[1] is the input)."""

    Z: dict[int, list[Value]]
    A: dict[int, list[Value]]


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs (layer 1), then one Layer per entry of `nouts`.

    Hidden layers use `activation`, the output layer `output_activation`. `expand=True` builds
    each z from single `*` and `+` nodes instead of one "dot" node (same numbers, finer graph).
    """

    __slots__ = ("nin", "nouts", "activation", "output_activation", "expand", "layers", "_inputs")

    nin: int
    nouts: list[int]
    activation: str
    output_activation: str
    expand: bool
    layers: list[Layer]

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: Seed = 0,
        expand: bool = False,
        **unexpected: object,
    ) -> None:
        _reject_unexpected("MLP", unexpected)
        self.nin = positive_int(nin, "MLP(nin)")
        if not is_sequence(nouts) or len(nouts) == 0:
            raise TypeError(f"MLP(nouts) must be a non-empty list of layer widths, got {nouts!r}")
        self.nouts = [positive_int(n, "each of MLP(nouts)") for n in nouts]
        self.activation = check_activation(activation)
        self.output_activation = check_activation(output_activation)
        self.expand = bool(expand)
        rng = _rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                rng,
                expand=expand,
                layer=i + 2,
            )
            for i in range(len(self.nouts))
        ]
        self._inputs = [seed_label("a", (k,), 1) for k in range(1, self.nin + 1)]

    def input_values(self, x: Sequence[Operand]) -> list[Value]:
        """A^1: the example as Values labelled a_k^1 (Values given are kept as they are)."""
        sequence(x, "MLP input", f"{self.nin} numbers")
        if len(x) != self.nin:
            raise ValueError(f"MLP expects {self.nin} inputs, got {len(x)}")
        return [
            a if isinstance(a, Value) else Value(a, label)
            for a, label in zip(x, self._inputs)
        ]

    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:
        """The output A^L: one Value if the output layer has one neuron, else a list."""
        activations = self.input_values(x)
        with cycle_collector_paused():  # a forward pass allocates many nodes and no cycles
            for layer in self.layers:
                activations = layer.forward_values(activations)
        return activations[0] if len(activations) == 1 else activations

    def trace(self, x: Sequence[Operand]) -> Trace:
        """The pass on `x` layer by layer: Z[l] and A[l] for l = 2..L, and A[1] the input."""
        Z: dict[int, list[Value]] = {}
        A: dict[int, list[Value]] = {1: self.input_values(x)}
        for l, layer in enumerate(self.layers, start=2):
            Z[l] = [neuron.weighted_input(A[l - 1]) for neuron in layer.neurons]
            A[l] = [neuron.activate(z) for neuron, z in zip(layer.neurons, Z[l])]
        return Trace(Z, A)

    def neuron(self, l: int, j: int) -> Neuron:
        """Neuron j of layer l (l = 2..L, j from 1), or IndexError stating the valid ranges."""
        L = len(self.layers) + 1
        if not _index_in(l, 2, L):
            raise IndexError(
                f"layer l must be an int from 2 to {L} (layer 1 is the input), got {l!r}"
            )
        neurons = self.layers[l - 2].neurons
        if not _index_in(j, 1, len(neurons)):
            raise IndexError(f"layer {l} has neurons j = 1..{len(neurons)}, got j={j!r}")
        return neurons[j - 1]

    def weight(self, l: int, j: int, k: int) -> Value:
        """w_jk^l: the weight from neuron k of layer l-1 to neuron j of layer l (1-based)."""
        weights = self.neuron(l, j).weights
        if not _index_in(k, 1, len(weights)):
            raise IndexError(f"layer {l - 1} has neurons k = 1..{len(weights)}, got k={k!r}")
        return weights[k - 1]

    def bias(self, l: int, j: int) -> Value:
        """b_j^l: the bias of neuron j of layer l (1-based)."""
        return self.neuron(l, j).bias

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


def _index_in(index: object, low: int, high: int) -> bool:
    """True when `index` is an int (numpy's too, not bool) with low <= index <= high."""
    return (
        isinstance(index, numbers.Integral)
        and not isinstance(index, bool)
        and low <= int(index) <= high
    )
