"""Train MLP(2, [16, 16, 1]) on the two-moons data set, save it to out/moons.json, load it back
and print its accuracy (a few seconds): the README's "Training a network" example.

Run from the project root:  python examples/train_moons.py
"""

from pathlib import Path

from nn import MLP, Adam, datasets, fit, load, save

if __name__ == "__main__":
    X, y = datasets.moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="tanh", output_activation="linear", seed=0)
    history = fit(model, X, y, "binary_cross_entropy", Adam(model.parameters(), lr=0.05),
                  epochs=60, batch_size=20)
    path = Path("out") / "moons.json"
    path.parent.mkdir(exist_ok=True)
    save(model, path)
    model = load(path)
    correct = sum((model(x).data > 0) == (label == 1) for x, label in zip(X, y))
    print(f"loss {history[0]:.4f} -> {history[-1]:.4f}; accuracy {correct}/{len(X)}; "
          f"saved {path}")
