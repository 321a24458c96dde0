"""chainrule's engine: a scalar reverse-mode autodiff `Value`, standard library only.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0
"""

from autograd.check import gradcheck
from autograd.compile import CompiledGraph, compile
from autograd.engine import (
    Value,
    as_value,
    cycle_collector_paused,
    dot,
    function,
    grad,
    topological_order,
)
from autograd.modes import detect_anomaly, no_grad
from autograd.ops import OPS, Op

exp = function("exp")
log = function("log")
sqrt = function("sqrt")
tanh = function("tanh")
sigmoid = function("sigmoid")
relu = function("relu")

__all__ = [
    "OPS",
    "CompiledGraph",
    "Op",
    "Value",
    "as_value",
    "compile",
    "cycle_collector_paused",
    "detect_anomaly",
    "dot",
    "exp",
    "grad",
    "gradcheck",
    "log",
    "no_grad",
    "relu",
    "sigmoid",
    "sqrt",
    "tanh",
    "topological_order",
]
