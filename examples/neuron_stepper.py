"""Build one neuron by hand, run backward(), and write a page that steps through backward().

    python examples/neuron_stepper.py            # writes neuron_stepper.html here
    python examples/neuron_stepper.py page.html

Open the page in a browser and press Next (or →): each step visits one value, from the output o
back to the inputs, and passes o's gradient on by the chain rule.
"""

import sys

from autograd import Value
from viz import write_stepper

# o = tanh(x1·w1 + x2·w2 + b): two inputs, two weights and a bias, as in a neuron of an MLP.
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
b = Value(6.8813735870195432, "b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"

o.backward()
print(f"o = {o.data:.4f};  do/dx1 = {x1.grad:.4f}, do/dw1 = {w1.grad:.4f}, do/db = {b.grad:.4f}")

path = write_stepper(o, sys.argv[1] if len(sys.argv) > 1 else "neuron_stepper.html")
print(f"wrote {path}: open it in a browser and press Next")
