"""viz.cli: the `chainrule` command writes what it is asked to, and nothing else; every mistake in
what was typed gets one line on stderr and exit code 2; Ctrl-C gets one line and 130."""

from __future__ import annotations

import signal
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
    groups = ["(" + "+".join(f"x*{10 * g + k}" for k in range(1, 11)) + ")" for g in range(16)]
    expression = "+".join(groups)  # 16 sums of 10 products: 338 values, a few levels deep
    code, _, err = run(capsys, "graph", expression, "x=1", "-o", str(tmp_path / "a.svg"),
                       "--stepper", str(tmp_path / "a.html"))
    assert code == 2
    assert "too many to step" in one_line_error(err)
    assert files_in(tmp_path) == {}


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"chainrule {metadata.version('chainrule')}\n", "")


@pytest.mark.parametrize("argv", [[], ["graph"], ["demo"], ["example"], ["seed"]])
def test_help_is_there_for_every_command(capsys: pytest.CaptureFixture[str],
                                         argv: list[str]) -> None:
    code, out, err = run(capsys, *argv, "--help")
    assert (code, err) == (0, "")
    command = "example" if argv == ["seed"] else " ".join(argv)  # seed is example's alias
    assert out.startswith(f"usage: chainrule {command}".rstrip())


def test_help_points_to_the_derivation(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["example"]):
        assert "docs/derivation.md" in run(capsys, *argv, "--help")[1]
    assert (Path(__file__).resolve().parent.parent / "docs" / "derivation.md").is_file()


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        ([], "arguments are required: COMMAND"),
        (["nonsense"], "invalid choice: 'nonsense'"),
        (["graph"], "arguments are required: EXPR"),
        (["demo", "--epochs", "0"], "0 is less than 1"),
        (["demo", "--epochs", "many"], "'many' is not a whole number"),
        (["graph", "x", "x=1", "--bogus"], "unrecognized arguments: --bogus; an EXPR or "
         'NAME=NUMBER that starts with - goes after --, as in: chainrule graph -- "-x**2" x=3'),
        (["graph", "-x**2", "x=3"], "goes after --"),
        (["graph", "x", "-x=3"], "goes after --"),
        (["--versoin"], "unknown option --versoin (did you mean --version?)"),
        (["--bogus", "graph", "x"], "unknown option --bogus"),
    ],
)
def test_wrong_arguments_get_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                 argv: list[str], reason: str) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert reason in one_line_error(err)
    assert "usage:" not in err


def test_an_expression_after_dashes_is_read_as_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", "--", "-x**2", "x=3")
    assert code == 0 and "data -9" in out


def test_no_grad_text_shows_no_grad_at_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", "x*x", "x=3", "--no-grad")
    assert code == 0
    assert "data 9" in out and "data 3" in out
    text, note = out.rsplit("\n", 2)[:2]
    assert "grad" not in text.replace("backward", "")  # no "grad 0" a student reads as a result
    assert note == "forward pass only (--no-grad): backward() was not called, so no grad is shown"


def test_no_grad_with_a_stepper_is_refused(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, out, err = run(capsys, "graph", "x*x", "x=3", "--no-grad",
                         "--stepper", str(tmp_path / "a.html"))
    assert (code, out) == (2, "")
    assert "--stepper steps through backward(), which --no-grad leaves out" in one_line_error(err)
    assert files_in(tmp_path) == {}


@pytest.mark.parametrize("command", ["example", "seed"])
def test_example_prints_the_worked_example(capsys: pytest.CaptureFixture[str],
                                           command: str) -> None:
    assert run(capsys, command) == (0, seed_report() + "\n", "")


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


CHAINRULE = Path(sys.executable).parent / "chainrule"
needs_command = pytest.mark.skipif(not CHAINRULE.exists(), reason=f"{CHAINRULE} not installed")


@needs_command
def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    process = subprocess.Popen([str(CHAINRULE), "example"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has read all it wants
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141  # 128 + SIGPIPE, as for `yes | head`
    assert err == ""


@needs_command
@pytest.mark.parametrize("argv", [["example"], ["--help"], ["graph", "x", "x=1"]])
def test_a_full_disk_on_stdout_is_one_line(argv: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(CHAINRULE), *argv], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert "cannot write to standard output: No space left" in one_line_error(result.stderr)


@needs_command
@pytest.mark.parametrize("delay", [0.15, 0.3, 0.6, 1.2, 2.5])
def test_ctrl_c_at_any_moment_is_one_line(tmp_path: Path, delay: float) -> None:
    """SIGINT while the command loads, while the demo imports matplotlib, draws or trains."""
    process = subprocess.Popen(
        [str(CHAINRULE), "demo", "--out", str(tmp_path / "out"), "--epochs", "10000", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err
    if "training stopped" in err:  # documented: the demo draws the network as it is
        assert process.returncode == 0 and out.endswith("index.html\n")
    else:
        assert process.returncode == 130
        assert "interrupted (Ctrl-C)" in one_line_error(err)
        assert out == ""
