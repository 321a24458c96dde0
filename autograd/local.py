"""The one place the algorithm views (trace, paths, forward mode) read a node's local derivatives.

The engine stores ∂node/∂input for each input at forward time (`Value.local_grads`). Reading them
here, as plain floats, keeps those views working unchanged if the engine changes how it stores
them.
"""

from __future__ import annotations

from autograd.engine import Value


def local_derivatives(node: Value) -> tuple[float, ...]:
    """∂node/∂input for each entry of `node.inputs`, in the same order, as floats."""
    return tuple(
        local if isinstance(local, float) else float(getattr(local, "data", local))
        for local in node.local_grads
    )
