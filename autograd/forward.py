"""Forward mode: a directional derivative in one sweep over the recorded graph, inputs first.

Where backward() carries ∂root/∂node from the root down to every input, forward mode carries
ṅ = Σ_inputs ∂node/∂input · inpuṫ (the tangent) from the inputs up to the root. One sweep gives
the derivative along one direction of the inputs, so a full gradient of n inputs takes n sweeps
against backward()'s one.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from autograd.engine import Value, topological_order
from autograd.local import local_derivatives


def jvp(output: Value, tangents: Mapping[Value, float]) -> float:
    """Σ_x ∂output/∂x · tangents[x] for the leaves x given, in one forward sweep.

    Leaves not in `tangents` have tangent 0; a leaf in `tangents` that output does not depend on
    adds nothing. Only leaves may be given: an op's tangent is what the sweep computes.
    """
    if not isinstance(output, Value):
        raise TypeError(f"jvp: output must be a Value, got {type(output).__name__} {output!r}")
    if not isinstance(tangents, Mapping):
        raise TypeError(
            f"jvp: tangents must be a dict {{Value: float}}, got {type(tangents).__name__}"
        )
    for x, t in tangents.items():
        if not isinstance(x, Value):
            raise TypeError(
                f"jvp: every key of tangents must be a Value, got {type(x).__name__} {x!r}"
            )
        if x.inputs:
            raise ValueError(
                f"jvp: tangents are for leaves, but {x!r} was computed by {x.op!r}; "
                "give the tangents of the leaves it was computed from"
            )
        if isinstance(t, bool) or not isinstance(t, numbers.Real):
            raise TypeError(f"jvp: the tangent of {x!r} must be a real number, got {t!r}")
        if not math.isfinite(t):
            raise ValueError(f"jvp: the tangent of {x!r} must be finite, got {t!r}")
    dot: dict[Value, float] = {}
    for node in topological_order(output):  # inputs first: their tangents are ready
        if not node.inputs:
            dot[node] = float(tangents.get(node, 0.0))
            continue
        tangent = 0.0
        for x, local in zip(node.inputs, local_derivatives(node)):
            if dot[x] != 0.0:  # a zero tangent adds nothing, even where the local derivative is inf
                tangent += local * dot[x]  # the chain rule, forwards: ṅ += ∂node/∂x · ẋ
        dot[node] = tangent
    return dot[output]
