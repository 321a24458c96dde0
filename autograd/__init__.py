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
from autograd.forward import jvp
from autograd.modes import detect_anomaly, no_grad
from autograd.ops import OPS, DivisionByZeroError, Op, select
from autograd.paths import Path, count_paths, paths
from autograd.stats import GraphStats, graph_stats, leaves
from autograd.trace import AdjointRow, EvaluationTrace, PrimalRow, evaluation_trace

exp = function("exp")
log = function("log")
log1p = function("log1p")
sqrt = function("sqrt")
tanh = function("tanh")
sigmoid = function("sigmoid")
relu = function("relu")

__all__ = [
    "OPS",
    "AdjointRow",
    "CompiledGraph",
    "DivisionByZeroError",
    "EvaluationTrace",
    "GraphStats",
    "Op",
    "Path",
    "PrimalRow",
    "Value",
    "as_value",
    "compile",
    "count_paths",
    "cycle_collector_paused",
    "detect_anomaly",
    "dot",
    "evaluation_trace",
    "exp",
    "grad",
    "gradcheck",
    "graph_stats",
    "jvp",
    "leaves",
    "log",
    "log1p",
    "no_grad",
    "paths",
    "relu",
    "select",
    "sigmoid",
    "sqrt",
    "tanh",
    "topological_order",
]
