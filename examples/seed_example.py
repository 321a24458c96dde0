"""Print the 3-4-2 worked example of the textbook derivation (docs/derivation.md): the forward
pass, C, Δ³, Δ², every ∂C/∂w and ∂C/∂b. `chainrule example` prints the same.

Run from the project root:  python examples/seed_example.py
"""

from nn import seed_report

if __name__ == "__main__":
    print(seed_report())
