"""Build one neuron, run backward(), and write a page that steps through backward().

    python examples/neuron_stepper.py            # writes out/neuron_stepper.html
    python examples/neuron_stepper.py page.html  # or that file

Open the page in a browser and press Next (or →): each step visits one value, from the output o
back to the inputs, and passes o's gradient on by the chain rule.
"""

import sys
from pathlib import Path

from autograd import topological_order
from nn.datasets import neuron_example
from viz import write_stepper

o = neuron_example()  # o = tanh(x1·w1 + x2·w2 + b), every value labelled
o.backward()
print(f"o = {o.data:.4f}")
for value in topological_order(o):
    if not value.inputs:  # the leaves: inputs, weights and bias
        print(f"  do/d{value.label} = {value.grad:.4f}")

if len(sys.argv) > 1:
    target = Path(sys.argv[1])
else:
    target = Path("out") / "neuron_stepper.html"
    target.parent.mkdir(exist_ok=True)
path = write_stepper(o, target)
print(f"wrote {path}: open it in a browser and press Next")
