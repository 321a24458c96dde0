"""nn.fit: it learns, averages mini-batch gradients, stops on NaN, checkpoints, obeys Ctrl-C."""

from __future__ import annotations

import gc
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, backprop, checks, datasets, fit, half_squared_error, load, mse
from nn import train as train_module
from nn.losses import Prediction, Target


class RecordingSGD(SGD):
    """SGD that keeps a copy of the parameters after every step (the test's own record)."""

    def __init__(self, params: list[Value], lr: float) -> None:
        super().__init__(params, lr)
        self.after_step: list[list[float]] = [[p.data for p in params]]

    def step(self) -> None:
        super().step()
        self.after_step.append([p.data for p in self.params])


def _accuracy(model: MLP, X: list[list[float]], y: list[int]) -> float:
    outputs = [model(x) for x in X]
    return sum((o.data > 0) == (t == 1) for o, t in zip(outputs, y)) / len(X)  # type: ignore[union-attr]


def test_reaches_100_percent_on_moons_with_mlp_2_16_16_1() -> None:
    X, y = datasets.moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(model, X, y, "binary_cross_entropy", Adam(model.parameters(), lr=0.05),
                  epochs=60, batch_size=20, progress=False)
    assert _accuracy(model, X, y) == 1.0
    assert len(history) == 60 and history[-1] < history[0] / 10


def test_learns_xor_with_mlp_2_4_1() -> None:
    X, y = datasets.xor()
    model = MLP(2, [4, 1], seed=0)
    fit(model, X, y, "binary_cross_entropy", Adam(model.parameters(), lr=0.1),
        epochs=200, batch_size=4, progress=False)
    assert _accuracy(model, X, y) == 1.0


def test_one_full_batch_step_applies_the_seeds_averaged_gradients() -> None:
    model = MLP(2, [3, 2], "sigmoid", "sigmoid", seed=1)
    X = [[0.5, -0.2], [1.0, 0.3], [-0.7, 0.9], [0.1, 0.1]]
    Y = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    W, B = backprop.weights_of(model)
    dW, dB = backprop.minibatch_gradients(W, B, X, Y)  # eqs. (3)-(6), averaged
    fit(model, X, Y, half_squared_error, SGD(model.parameters(), lr=0.5),
        epochs=1, batch_size=len(X), shuffle=False, progress=False)
    for l in (2, 3):
        for j in range(1, len(B[l]) + 1):
            expected = B[l][j - 1] - 0.5 * dB[l][j - 1]
            assert model.bias(l, j).data == pytest.approx(expected, abs=1e-12)
            for k in range(1, len(W[l][0]) + 1):
                expected = W[l][j - 1][k - 1] - 0.5 * dW[l][j - 1][k - 1]
                assert model.weight(l, j, k).data == pytest.approx(expected, abs=1e-12)


def test_the_cycle_collector_is_paused_during_each_step_and_restored_after() -> None:
    seen: list[bool] = []

    def watching_loss(pred: Prediction, target: Target) -> Value:
        seen.append(gc.isenabled())
        return mse(pred, target)

    X, y = datasets.xor()
    model = MLP(2, [2, 1], seed=0)
    fit(model, X, y, watching_loss, SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
    assert seen and not any(seen)
    assert gc.isenabled()


def test_history_is_the_mean_per_example_loss_of_each_epoch() -> None:
    X, y = [[0.0], [1.0], [2.0]], [1.0, -1.0, 0.5]
    model = MLP(1, [1], seed=0)
    before = [mse(model([x[0]]), t).data for x, t in zip(X, y)]
    optimizer = RecordingSGD(model.parameters(), lr=1e-9)  # too small to move the loss
    history = fit(model, X, y, mse, optimizer, epochs=1, batch_size=2, progress=False)
    assert history == [pytest.approx(sum(before) / 3, rel=1e-6)]
    assert len(optimizer.after_step) == 1 + 2  # batches of 2 and 1


def test_shuffling_is_seeded() -> None:
    X, y = datasets.moons(n=20)

    def trained(seed: int) -> list[float]:
        model = MLP(2, [4, 1], seed=0)
        fit(model, X, y, "hinge", SGD(model.parameters(), lr=0.1), epochs=2, batch_size=5,
            seed=seed, progress=False)
        return [p.data for p in model.parameters()]

    assert trained(3) == trained(3)
    assert trained(3) != trained(4)


def test_progress_bar_shows_loss_and_accuracy_and_can_be_turned_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = datasets.xor()
    model = MLP(2, [4, 1], seed=0)
    fit(model, X, y, "hinge", SGD(model.parameters(), lr=0.1), epochs=3, batch_size=2)
    shown = capsys.readouterr().err
    assert "epoch 3/3" in shown and "loss=" in shown and "acc=" in shown
    fit(model, X, y, "hinge", SGD(model.parameters(), lr=0.1), epochs=3, progress=False)
    assert capsys.readouterr() == ("", "")


def test_a_diverging_loss_stops_with_epoch_and_step_and_keeps_the_last_finite_parameters() -> None:
    X, y = datasets.moons(n=40)
    model = MLP(2, [8, 1], seed=0)
    optimizer = RecordingSGD(model.parameters(), lr=1e6)
    with pytest.raises(FloatingPointError, match=r"epoch \d+, step \d+"), pytest.warns(
        RuntimeWarning, match="diverging"
    ):
        fit(model, X, y, "mse", optimizer, epochs=50, batch_size=10, progress=False)
    finite = [s for s in optimizer.after_step if all(map(lambda v: abs(v) < float("inf"), s))]
    assert [p.data for p in model.parameters()] == finite[-1]


def test_an_update_that_overflows_a_parameter_is_undone() -> None:
    model = MLP(1, [1], seed=0)
    model.weight(2, 1, 1).data, model.bias(2, 1).data = 1.0, 0.0
    before = [p.data for p in model.parameters()]
    # loss (w·1 + b − 0)² = 1 and gradient 2 are finite, but w − 1e308·2 overflows to −inf
    with pytest.raises(FloatingPointError, match=r"parameter w_11\^2 became -inf at epoch 1"):
        fit(model, [[1.0]], [0.0], "mse", SGD(model.parameters(), lr=1e308), epochs=1,
            progress=False)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("loss", ["hinge", "binary_cross_entropy"])
@pytest.mark.parametrize("lr", [1e6, 1e300])
def test_a_loss_that_grows_by_orders_of_magnitude_warns_once(loss: str, lr: float) -> None:
    # hinge and BCE grow only linearly in the weights: the loss stays finite however large
    X, y = datasets.moons(n=40)
    model = MLP(2, [8, 1], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(model, X, y, loss, SGD(model.parameters(), lr=lr), epochs=5,
                      batch_size=10, progress=False)
    assert history[-1] > 1e3
    (warning,) = caught  # one warning, although every later step is as bad
    assert warning.category is RuntimeWarning
    assert "training is diverging; try a smaller learning rate" in str(warning.message)
    assert "at epoch 1, step 2" in str(warning.message)
    assert warning.filename == __file__  # it points at the user's call of fit


def test_healthy_training_gives_no_warning() -> None:
    X, y = datasets.moons(n=40)
    model = MLP(2, [8, 1], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(model, X, y, "binary_cross_entropy", Adam(model.parameters(), lr=0.05), epochs=10,
            batch_size=10, progress=False)


def test_on_epoch_is_called_after_each_epoch_with_its_number_and_mean_loss() -> None:
    X, y = datasets.xor()
    model = MLP(2, [3, 1], seed=0)
    calls: list[tuple[int, float]] = []
    history = fit(model, X, y, "hinge", SGD(model.parameters(), lr=0.1), epochs=4, batch_size=2,
                  progress=False, on_epoch=lambda epoch, loss: calls.append((epoch, loss)))
    assert calls == list(enumerate(history, start=1))
    assert len(calls) == 4


def test_on_epoch_sees_the_checkpoint_of_its_epoch(tmp_path: Path) -> None:
    X, y = datasets.xor()
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "ckpt.json"
    saved: list[list[float]] = []
    fit(model, X, y, "hinge", SGD(model.parameters(), lr=0.1), epochs=2, checkpoint=path,
        progress=False, on_epoch=lambda epoch, loss: saved.append(
            [p.data for p in load(path).parameters()]))
    assert saved[-1] == [p.data for p in model.parameters()]


def _never_called(pred: Prediction, target: Target) -> Value:
    raise AssertionError("fit trained although its arguments were bad")


@pytest.mark.parametrize(
    ("checkpoint", "error", "message"),
    [
        ("{tmp}/missing/c.json", FileNotFoundError,
         "folder '{tmp}/missing' of '{tmp}/missing/c.json' does not exist"),
        ("{tmp}", ValueError, "'{tmp}' is a folder"),
        ("{tmp}/file.txt/c.json", ValueError,
         "'{tmp}/file.txt' in '{tmp}/file.txt/c.json' is a file"),
    ],
)
def test_a_checkpoint_that_cannot_be_written_fails_before_training(
    tmp_path: Path, checkpoint: str, error: type[Exception], message: str
) -> None:
    (tmp_path / "file.txt").write_text("not a folder")
    model = MLP(2, [1], seed=0)
    with pytest.raises(error, match=re.escape(message.format(tmp=tmp_path))):
        fit(model, [[0.0, 1.0]], [1], _never_called, SGD(model.parameters(), lr=0.1),
            checkpoint=checkpoint.format(tmp=tmp_path), progress=False)


def test_a_checkpoint_folder_that_is_not_writable_fails_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks.os, "access", lambda path, mode: False)  # root may write anywhere
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="is not writable"):
        fit(model, [[0.0, 1.0]], [1], _never_called, SGD(model.parameters(), lr=0.1),
            checkpoint=tmp_path / "c.json", progress=False)


def test_numpy_arrays_and_scalars_train_exactly_as_lists() -> None:
    np = pytest.importorskip("numpy")
    X, y = datasets.moons(n=20)

    def trained(X: Any, y: Any, epochs: Any = 3, seed: Any = 1) -> list[float]:
        model = MLP(2, [4, 1], seed=0)
        fit(model, X, y, "binary_cross_entropy", Adam(model.parameters(), lr=0.1),
            epochs=epochs, batch_size=5, seed=seed, progress=False)
        return [p.data for p in model.parameters()]

    expected = trained(X, y)
    assert trained(np.array(X), np.array(y)) == expected
    assert trained(np.array(X), np.array(y, dtype=np.int64), np.int64(3), np.int64(1)) == expected
    assert trained([np.array(x) for x in X], [np.int64(t) for t in y]) == expected
    X32 = np.array(X, dtype=np.float32)
    assert trained(X32, y) == trained(X32.astype(float).tolist(), y)


def test_numpy_one_hot_targets_train_exactly_as_lists() -> None:
    np = pytest.importorskip("numpy")
    X = [[0.5, -0.2], [1.0, 0.3], [-0.7, 0.9], [0.1, 0.1]]
    Y = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    results = []
    for data in ((X, Y), (np.array(X), np.array(Y))):
        model = MLP(2, [3, 2], seed=1)
        results.append(fit(model, *data, "mse", SGD(model.parameters(), lr=0.5), epochs=3,
                           batch_size=2, progress=False))
    assert results[0] == results[1]


def test_any_sequence_of_examples_is_accepted() -> None:
    model = MLP(1, [1], seed=0)
    history = fit(model, ((0.0,), (1.0,)), (1.0, 0.0), "mse", SGD(model.parameters(), lr=0.1),
                  epochs=2, progress=False)
    assert len(history) == 2


def test_checkpoint_is_saved_every_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved: list[Path] = []
    real_save = train_module.save

    def counting_save(model: MLP, path: Path) -> None:
        saved.append(path)
        real_save(model, path)

    monkeypatch.setattr(train_module, "save", counting_save)
    X, y = datasets.xor()
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "ckpt.json"
    fit(model, X, y, "hinge", SGD(model.parameters(), lr=0.1), epochs=4, checkpoint=path,
        progress=False)
    assert saved == [path] * 4
    assert [p.data for p in load(path).parameters()] == [p.data for p in model.parameters()]


def _interrupting(after_calls: int, how: str) -> Any:
    """A loss that presses Ctrl-C (a real SIGINT, or a bare KeyboardInterrupt) on call N."""
    calls = 0

    def loss(pred: Prediction, target: Target) -> Value:
        nonlocal calls
        calls += 1
        if calls == after_calls:
            if how == "signal":
                os.kill(os.getpid(), signal.SIGINT)
            else:
                raise KeyboardInterrupt
        return half_squared_error(pred, target)

    return loss


def test_ctrl_c_finishes_the_step_saves_says_where_and_returns_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = datasets.moons(n=40)
    model = MLP(2, [4, 1], seed=0)
    optimizer = RecordingSGD(model.parameters(), lr=0.1)
    handler = signal.getsignal(signal.SIGINT)
    path = tmp_path / "ckpt.json"
    history = fit(model, X, y, _interrupting(45, "signal"), optimizer, epochs=5, batch_size=10,
                  checkpoint=path, progress=False)
    # call 45 is in epoch 2, step 1 (40 examples an epoch): that step completes, then fit stops
    assert len(optimizer.after_step) - 1 == 5
    assert len(history) == 2
    assert f"interrupted at epoch 2, step 1; model saved to {path}" in capsys.readouterr().err
    assert [p.data for p in load(path).parameters()] == optimizer.after_step[-1]
    assert signal.getsignal(signal.SIGINT) is handler


def test_a_bare_keyboard_interrupt_stops_before_the_update(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = datasets.moons(n=40)
    model = MLP(2, [4, 1], seed=0)
    optimizer = RecordingSGD(model.parameters(), lr=0.1)
    history = fit(model, X, y, _interrupting(25, "raise"), optimizer, epochs=5, batch_size=10,
                  progress=False)
    assert len(optimizer.after_step) - 1 == 2  # step 3 was interrupted before its update
    assert [p.data for p in model.parameters()] == optimizer.after_step[-1]
    assert len(history) == 1
    assert "not saved" in capsys.readouterr().err


def test_ctrl_c_on_a_real_process_exits_cleanly_with_a_saved_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.json"
    script = (
        "import sys\n"
        "from nn import MLP, Adam, datasets, fit\n"
        "X, y = datasets.moons()\n"
        "model = MLP(2, [16, 16, 1])\n"
        "history = fit(model, X, y, 'binary_cross_entropy', Adam(model.parameters(), lr=0.01),\n"
        "              epochs=100_000, batch_size=10, checkpoint=sys.argv[1])\n"
        "print('history', len(history))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert f"model saved to {path}" in err
    assert out.startswith("history ")
    assert len(load(path).parameters()) == 337


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, o: fit(m, [[0.0, 1.0]], [1, 0], "mse", o), ValueError, "1 inputs in X but 2"),
        (lambda m, o: fit(m, [], [], "mse", o), ValueError, "X is empty"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "l1", o), ValueError, "unknown loss 'l1'"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], 3, o), TypeError, "loss must be"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "mse", o, epochs=0), ValueError, "epochs"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "mse", o, batch_size=-1), ValueError, "batch_size"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "mse", "sgd"), TypeError, "optimizer must be"),
        (lambda m, o: fit("m", [[0.0, 1.0]], [1], "mse", o), TypeError, "model must be"),
        (lambda m, o: fit(m, 5, [1], "mse", o), TypeError, "fit: X must be a list of examples"),
        (lambda m, o: fit(m, [0.0], [1], "mse", o), TypeError, r"fit: X\[0\] must be a list"),
        (lambda m, o: fit(m, [[0.0, "a"]], [1], "mse", o), TypeError, r"X\[0\]\[1\] must be a"),
        (lambda m, o: fit(m, [[0.0, 1.0]], ["a"], "mse", o), TypeError, r"y\[0\] must be a"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "mse", o, epochs=2.0), TypeError, "epochs"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "mse", o, seed="s"), TypeError, "seed must be"),
        (lambda m, o: fit(m, [[0.0, 1.0]], [1], "mse", o, on_epoch=3), TypeError, "on_epoch"),
    ],
)
def test_bad_arguments_raise_clear_errors(call: Any, error: type[Exception], message: str) -> None:
    model = MLP(2, [1], seed=0)
    with pytest.raises(error, match=message):
        call(model, SGD(model.parameters(), lr=0.1))
