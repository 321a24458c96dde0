"""Forward mode against reverse mode for the gradient of one loss by an MLP's many parameters.

Forward mode (autograd.jvp) gives the derivative along one direction per sweep, so the whole
gradient takes one sweep per parameter; reverse mode (backward) gives all of it in one sweep.
This times both on the same recorded graph and prints the ratio.

Run from the project root:  python examples/forward_vs_reverse.py [HIDDEN_WIDTH]
"""

import sys
import time

from autograd import grad, jvp
from nn import MLP, half_squared_error


def compare(width: int) -> tuple[int, float, float, float]:
    """(parameters, seconds for n forward sweeps, seconds for one reverse sweep, largest gap)."""
    model = MLP(4, [width, width, 1], activation="tanh", seed=0)
    loss = half_squared_error(model([0.5, -1.0, 0.25, 2.0]), 0.5)
    parameters = model.parameters()

    start = time.perf_counter()
    forward = [jvp(loss, {p: 1.0}) for p in parameters]  # one sweep per parameter
    forward_seconds = time.perf_counter() - start

    reverse_seconds = float("inf")
    for _ in range(5):  # best of five: one sweep is short enough for the clock to matter
        start = time.perf_counter()
        reverse = grad(loss, parameters)  # one sweep for all of them
        reverse_seconds = min(reverse_seconds, time.perf_counter() - start)

    gap = max(abs(f - r) for f, r in zip(forward, reverse))
    return len(parameters), forward_seconds, reverse_seconds, gap


if __name__ == "__main__":
    width = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    n, forward_seconds, reverse_seconds, gap = compare(width)
    print(f"MLP(4, [{width}, {width}, 1]): the gradient of one loss by its {n} parameters")
    print(f"  forward mode: {n} sweeps  {forward_seconds * 1e3:9.2f} ms")
    print(f"  reverse mode:   1 sweep   {reverse_seconds * 1e3:9.2f} ms")
    print(f"  forward / reverse = {forward_seconds / reverse_seconds:.0f}x: {n} sweeps, each "
          f"{forward_seconds / n / reverse_seconds:.1f}x a reverse sweep")
    print(f"  the same gradient: largest difference {gap:.1e}")
