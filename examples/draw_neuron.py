"""Draw the pictures the README shows: one neuron's graph after backward(), and the worked
example's network.

    python examples/draw_neuron.py            # writes docs/neuron.svg and docs/network.svg
    python examples/draw_neuron.py out/       # or into another folder

Without Graphviz's `dot` program chainrule lays the SVGs out itself and says once how to get
`dot`, which draws them better.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nn.datasets import neuron_example, seed_example
from viz import draw_dot, draw_network
from viz.render import render


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model, x, y = seed_example()
    neuron = neuron_example()  # o = tanh(x1·w1 + x2·w2 + b)
    neuron.backward()
    print(render(draw_dot(neuron), folder / "neuron.svg"))
    print(render(draw_network(model, x, y), folder / "network.svg"))


if __name__ == "__main__":
    docs = Path(__file__).resolve().parent.parent / "docs"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else docs)
