"""viz.cli: the `chainrule` command writes what it is asked to, and nothing else; every mistake in
what was typed gets one line on stderr and exit code 2; Ctrl-C gets one line and 130."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import viz.demo
from autograd import topological_order
from nn import serialize
from nn.seed_report import seed_report
from viz.cli import main
from viz.expr import MAX_LENGTH, parse_bindings, parse_expression
from viz.text import graph_text

NEURON = ["tanh(x*w + b)", "x=2", "w=-3", "b=6.8813735870195432"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main(argv) → (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str) -> str:
    """The single line on stderr (no traceback), asserted to be just that."""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("chainrule: ")
    return err


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_graph_writes_the_drawing_and_the_stepper(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    drawing, page = tmp_path / "neuron.svg", tmp_path / "neuron.html"
    code, out, err = run(capsys, "graph", *NEURON, "-o", str(drawing), "--stepper", str(page))
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"wrote {drawing}", f"wrote {page}"]
    assert b"<svg" in drawing.read_bytes()
    assert "0.7071" in drawing.read_text(encoding="utf-8")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(files_in(tmp_path)) == ["neuron.html", "neuron.svg"]


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".dot"])
def test_graph_writes_each_format(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  suffix: str) -> None:
    target = tmp_path / f"neuron{suffix}"
    assert run(capsys, "graph", *NEURON, "-o", str(target))[0] == 0
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".dot": b"digraph"}[suffix]
    assert target.read_bytes().startswith(magic)


def test_text_is_the_graph_text_of_the_expression(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", *NEURON, "--text")
    root = parse_expression(NEURON[0], parse_bindings(NEURON[1:]))
    root.backward()
    assert (code, out) == (0, graph_text(root) + "\n")


def test_without_outputs_the_text_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", "x*x", "x=3")
    assert code == 0
    assert "grad 6" in out


def test_no_grad_draws_without_backward(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "forward.dot"
    assert run(capsys, "graph", *NEURON, "--no-grad", "-o", str(target))[0] == 0
    source = target.read_text(encoding="utf-8")
    assert "data 0.7071" in source
    assert "grad" not in source


def test_without_graphviz_the_svg_is_drawn_by_chainrule_and_a_png_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run(capsys, "graph", *NEURON, "-o", str(tmp_path / "neuron.svg"))
    assert code == 0
    assert sorted(files_in(tmp_path)) == ["neuron.svg"]
    assert b"<svg" in (tmp_path / "neuron.svg").read_bytes()
    assert out == f"wrote {tmp_path / 'neuron.svg'}\n"
    code, out, err = run(capsys, "graph", *NEURON, "-o", str(tmp_path / "neuron.png"))
    assert code == 2
    assert "neuron.png" in one_line_error(err) and "install Graphviz" in err
    assert sorted(files_in(tmp_path)) == ["neuron.svg"]


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["graph", "x.__class__", "x=1"], "attribute access"),
        (["graph", "__import__('os').system('true')"], "only these functions"),
        (["graph", "tanh(x*w)", "x=1"], "unknown name 'w'"),
        (["graph", "x", "x=1", "x=2"], "bound twice"),
        (["graph", "x", "x"], "name=number"),
        (["graph", "x", "x=two"], "not a number"),
        (["graph", "x", "1x=2"], "not a valid name"),
        (["graph", "x" * (MAX_LENGTH + 1)], "characters long"),
        (["graph", "tanh(" * 150 + "x" + ")" * 150, "x=1"], "nested more than 100"),
        (["graph", "2**10**10"], "overflows"),
        (["graph", "x**1e308", "x=2"], "overflows"),
        (["graph", "log(x)", "x=0"], "log"),
        (["graph", "1x"], "not a valid expression"),
        (["graph", "x", "x=1", "-o", "x.txt"], "must end in one of"),
        (["graph", "x", "x=1", "--stepper", "x.svg"], "must end in one of .html"),
        (["graph", "x", "x=1", "-o", "/nonexistent/folder/x.svg"], "does not exist"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], reason: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert reason in one_line_error(err)
    assert out == ""


def test_an_output_in_a_file_not_a_folder_is_named(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("keep")
    code, _, err = run(capsys, "graph", "x", "x=1", "-o", str(blocker / "x.svg"))
    assert code == 2
    assert str(blocker / "x.svg") in one_line_error(err)
    assert files_in(tmp_path) == {"file.txt": b"keep"}


def test_an_output_that_is_a_folder_is_refused(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    folder = tmp_path / "drawing.svg"
    folder.mkdir()
    code, _, err = run(capsys, "graph", "x", "x=1", "-o", str(folder))
    assert code == 2
    assert "is a folder" in one_line_error(err)


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (OSError(28, "No space left on device"), 2,
         "cannot write {target}: No space left on device"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
    ids=["disk full", "ctrl-c"],
)
def test_a_write_stopped_midway_keeps_the_old_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    failure: BaseException, code: int, message: str,
) -> None:
    target = tmp_path / "neuron.svg"
    target.write_text("old drawing")

    def fail(*args: object) -> None:
        raise failure

    monkeypatch.setattr(serialize.os, "replace", fail)  # in the middle of the atomic write
    exit_code, _, err = run(capsys, "graph", *NEURON, "-o", str(target))
    assert exit_code == code
    assert message.format(target=target) in one_line_error(err)
    assert files_in(tmp_path) == {"neuron.svg": b"old drawing"}


def test_a_stepper_too_big_is_refused_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    groups = ["(" + "+".join(f"x*{10 * g + k}" for k in range(1, 11)) + ")" for g in range(12)]
    expression = "+".join(groups)  # 361 values, only a few levels deep
    code, _, err = run(capsys, "graph", expression, "x=1", "-o", str(tmp_path / "a.svg"),
                       "--stepper", str(tmp_path / "a.html"))
    assert code == 2
    assert "too many to step" in one_line_error(err)
    assert files_in(tmp_path) == {}


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"chainrule {metadata.version('chainrule')}\n"


@pytest.mark.parametrize("argv", [[], ["graph"], ["demo"], ["seed"]])
def test_help_is_there_for_every_command(capsys: pytest.CaptureFixture[str],
                                         argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main([*argv, "--help"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: chainrule {' '.join(argv)}".rstrip())


@pytest.mark.parametrize("argv", [[], ["nonsense"], ["graph"], ["demo", "--epochs", "0"],
                                  ["demo", "--epochs", "many"], ["graph", "x", "--unknown"]])
def test_wrong_arguments_print_usage_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert "usage: chainrule" in capsys.readouterr().err


def test_seed_prints_the_seed_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "seed") == (0, seed_report() + "\n", "")


def test_demo_passes_its_options_and_prints_the_index(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_demo(out: Path, epochs: int, progress: bool) -> Path:
        calls.append((out, epochs, progress))
        return out / "index.html"

    monkeypatch.setattr(viz.demo, "run_demo", fake_demo)
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path), "--epochs", "7", "--quiet")
    assert calls == [(tmp_path, 7, False)]
    assert (code, out) == (0, f"{tmp_path / 'index.html'}\n")


def test_demo_into_a_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("keep")
    code, _, err = run(capsys, "demo", "--out", str(blocker))
    assert code == 2
    assert "not a folder" in one_line_error(err)
    assert blocker.read_text() == "keep"


def test_the_drawing_shows_every_value_of_the_expression(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    assert run(capsys, "graph", "x*x + y", "x=3", "y=1", "-o", str(target))[0] == 0
    root = parse_expression("x*x + y", {"x": 3.0, "y": 1.0})
    source = target.read_text(encoding="utf-8")
    for node in topological_order(root):
        assert f"<B>{node.label}</B>" in source


@pytest.mark.parametrize("entry", [[sys.executable, "-m", "viz.cli"],
                                   [str(Path(sys.executable).parent / "chainrule")]])
def test_the_installed_command_runs(entry: list[str]) -> None:
    if not Path(entry[0]).exists():
        pytest.skip(f"{entry[0]} is not installed")
    good = subprocess.run([*entry, "graph", "x*x", "x=3"], capture_output=True, text=True,
                          timeout=60)
    assert (good.returncode, good.stderr) == (0, "")
    assert "grad 6" in good.stdout
    bad = subprocess.run([*entry, "graph", "x.__class__", "x=1"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2
    one_line_error(bad.stderr)
