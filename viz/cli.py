"""The `chainrule` command: draw an expression's derivatives, print the worked example, the demo.

    chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.8813735870195432 -o neuron.svg --stepper n.html
    chainrule example            (also: chainrule seed)
    chainrule demo --out out

Every mistake in what was typed, argument errors included, gets one line on stderr and exit code
2, never a traceback. Ctrl-C gets one line and exit code 130. A reader that stops early
(`chainrule example | head`) ends the command quietly. Files are written atomically, so none is
ever left half-written, and only the files named on the command line are written.
"""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from autograd import Value, count_paths, evaluation_trace, grad, graph_stats, leaves, paths
from nn.datasets import seed_example
from nn.seed_report import seed_report
from nn.serialize import write_atomically
from viz.dot import draw_dot
from viz.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, parse_bindings, parse_expression
from viz.network_stepper import write_network_stepper
from viz.render import IMAGE_FORMATS, SOURCE_SUFFIXES, render
from viz.stepper import MAX_VALUES, stepper_html
from viz.text import graph_text

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_READER_GONE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`
DRAWING_SUFFIXES = (*IMAGE_FORMATS, *SOURCE_SUFFIXES)
PAGE_SUFFIXES = (".html", ".htm")
MAX_PATHS = 1000  # --paths prints at most this many
DERIVATION = "docs/derivation.md"
DASH_HINT = ('an EXPR or NAME=NUMBER that starts with - goes after --, as in: '
             'chainrule graph -- "-x**2" x=3')
INTERRUPTED = "interrupted (Ctrl-C); no file was left half-written"

Command = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A mistake in what the user typed; main prints its message as one line and exits with 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, except that a mistake is one line (a UsageError) instead of the usage text."""

    def error(self, message: str) -> NoReturn:
        hint = DASH_HINT if "unrecognized arguments: -" in message or "graph" in self.prog else ""
        raise UsageError(f"{message}; {hint or f'see {self.prog} --help'}")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """--help and --version, without argparse's silence when the write fails (/dev/full)."""
        if message:
            (file or sys.stderr).write(message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit code."""
    try:
        code = _run(sys.argv[1:] if argv is None else list(argv))
        with _writing_stdout():  # what --help or --version left in the buffer
            sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        _say(INTERRUPTED)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _stop_writing_stdout()
        return EXIT_READER_GONE
    except (UsageError, ExpressionError) as error:
        _say(str(error))
        return EXIT_USAGE


def _run(argv: list[str]) -> int:
    """Parse `argv` and run its command; --help and --version return 0 after printing."""
    parser = build_parser()
    _check_leading_option(parser, argv)
    try:
        with _writing_stdout():
            arguments = parser.parse_args(argv)
    except SystemExit as done:  # --help or --version printed what was asked
        return done.code if isinstance(done.code, int) else 0
    command: Command = arguments.command
    return command(arguments)


def _check_leading_option(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """UsageError naming an unknown option before the command (argparse would only say that the
    command is missing)."""
    if not argv or not argv[0].startswith("-") or argv[0] == "--":
        return
    known = list(parser._option_string_actions)
    option = argv[0].split("=", 1)[0]
    if option in known or (option.startswith("--") and any(k.startswith(option) for k in known)):
        return
    close = difflib.get_close_matches(option, known, n=1)
    suggestion = f" (did you mean {close[0]}?)" if close else ""
    raise UsageError(f"unknown option {option}{suggestion}; see chainrule --help")


@contextmanager
def _writing_stdout() -> Iterator[None]:
    """Turns a failed write to stdout (a full disk: `> /dev/full`) into a one-line UsageError;
    a reader that went away (`| head`) is left to main, which then ends quietly."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        _stop_writing_stdout()
        raise UsageError(f"cannot write to standard output: {error.strerror or error}") from None


def _emit(text: str) -> None:
    """Print one result and flush it, so that a failed write is reported where it happens."""
    with _writing_stdout():
        print(text, flush=True)


def _stop_writing_stdout() -> None:
    """Point stdout at /dev/null, so that Python's last flush at exit has nothing to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a test's captured one): nothing to redirect
        pass


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: a sub-command each for graph, example (alias seed) and demo."""
    parser = _Parser(
        prog="chainrule",
        description="Backpropagation you can see: draw the derivatives of an expression, print "
        "the worked example of the textbook derivation, or run the demo.",
        epilog=f"The textbook derivation these commands follow: {DERIVATION} in the project.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_graph_command(commands)
    seed = commands.add_parser(
        "example",
        aliases=["seed"],
        help="print the 3-4-2 worked example of the textbook derivation, equation by equation",
        description="Print the worked example of the textbook derivation: a 3-4-2 network, its "
        "Z^l, A^l, the cost C, every δ_j^l, ∂C/∂w_jk^l and ∂C/∂b_j^l, from eqs. (1)-(6), "
        "checked against backward(). The command chainrule seed is the same one.",
        epilog=f"The derivation, in this notation: {DERIVATION} in the project.",
    )
    seed.add_argument("--stepper", type=Path, metavar="FILE.html",
                      help="also write a page stepping through eqs. (1)-(6) on the network figure")
    seed.set_defaults(command=_seed)
    demo = commands.add_parser(
        "demo",
        help="train a small network and write every picture into a folder",
        description="Train MLP(2, [16, 16, 1]) on the two moons and write into a folder: the "
        "graph of a neuron, its step-through page, the worked example's network, the trained "
        "network, its decision boundary and loss curve epoch by epoch, and an index.html "
        "showing them all.",
    )
    demo.add_argument("--out", default="out", metavar="DIR", help="the folder (default: out)")
    demo.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                      help="training epochs (default: 100, a few seconds)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(command=_demo)
    return parser


def _add_graph_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    """The graph sub-command and its options."""
    graph = commands.add_parser(
        "graph",
        help="draw an expression's graph with every derivative on it",
        description="Parse EXPR, run backward() on it and draw its graph.\n"
        "EXPR may use numbers, the names you bind, + - * / ** and the functions\n"
        "exp, log, sqrt, tanh, sigmoid and relu. It is parsed, never run as Python,\n"
        f"and may not be longer than {MAX_LENGTH:,} characters or nested deeper than {MAX_DEPTH}.",
        epilog='example:\n  chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.8813735870195432 \\\n'
        "      -o neuron.svg --stepper neuron.html\n"
        "An EXPR that starts with - goes after --, as in: chainrule graph -- \"-x**2\" x=3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    graph.add_argument("expression", metavar="EXPR", help='the expression, e.g. "tanh(x*w + b)"')
    graph.add_argument("bindings", nargs="*", metavar="NAME=NUMBER", help="a value for each name")
    graph.add_argument("-o", "--output", type=Path, metavar="FILE",
                       help="the drawing: .svg, .png, .pdf or .dot (without Graphviz, an .svg is "
                       "drawn by chainrule's own layout and a .png or .pdf is refused)")
    graph.add_argument("--stepper", type=Path, metavar="FILE.html",
                       help=f"a page stepping through backward() node by node (up to "
                       f"{MAX_VALUES} values)")
    graph.add_argument("--text", action="store_true",
                       help="print the graph as indented text (the default without -o/--stepper)")
    graph.add_argument("--no-grad", action="store_true",
                       help="the forward pass only, without calling backward(): no grads are "
                       "shown (not with --stepper, which steps through backward())")
    _add_algorithm_options(graph)
    graph.set_defaults(command=_graph)


def _add_algorithm_options(graph: argparse.ArgumentParser) -> None:
    """--trace and --paths: the algorithm made visible, printed."""
    graph.add_argument("--trace", action="store_true",
                       help="print the evaluation trace: the forward (primal) and reverse "
                       "(adjoint) tables, with v_i and v̄_i names")
    graph.add_argument("--paths", metavar="NAME",
                       help="print every chain-rule path from the result down to the input NAME, "
                       "their products and their sum, and the edges backward() visits instead")


def _graph(arguments: argparse.Namespace) -> int:
    """chainrule graph: parse, differentiate, then write each requested output."""
    output: Path | None = arguments.output
    stepper: Path | None = arguments.stepper
    if output is not None:
        check_output(output, DRAWING_SUFFIXES, "-o")
    if stepper is not None:
        check_output(stepper, PAGE_SUFFIXES, "--stepper")
        if arguments.no_grad:
            raise UsageError("--stepper steps through backward(), which --no-grad leaves out; "
                             "drop one of the two")
    root = parse_expression(arguments.expression, parse_bindings(arguments.bindings))
    if not arguments.no_grad:
        root.backward()
    page = _stepper_page(root) if stepper is not None else ""
    if output is not None:
        drawing = draw_dot(root, show_grad=not arguments.no_grad)
        with _writing(output):
            written = render(drawing, output)
        _emit(f"wrote {written}")
    if stepper is not None:
        with _writing(stepper):
            write_atomically(stepper, page.encode("utf-8"))
        _emit(f"wrote {stepper}")
    printed_view = _print_algorithm(root, arguments)
    if arguments.text or (output is None and stepper is None and not printed_view):
        _emit(graph_text(root, show_grad=not arguments.no_grad))
        if arguments.no_grad:
            _emit("forward pass only (--no-grad): backward() was not called, so no grad is shown")
    return 0


def _print_algorithm(root: Value, arguments: argparse.Namespace) -> bool:
    """Print what --trace and --paths ask for; True if either was asked for."""
    if arguments.trace:
        _emit(str(evaluation_trace(root)))
    if arguments.paths is not None:
        _emit(_paths_text(root, arguments.paths))
    return bool(arguments.trace or arguments.paths is not None)


def _paths_text(root: Value, name: str) -> str:
    """The chain-rule paths from root to the input `name`, their sum, and backward()'s edges."""
    inputs = [x for x in leaves(root) if x.label == name and not _is_constant(x)]
    if not inputs:
        names = sorted({x.label for x in leaves(root) if not _is_constant(x)})
        raise UsageError(
            f"--paths {name}: no input of that name; the inputs are {', '.join(names)}"
        )
    x = inputs[0]
    try:
        found = paths(root, x, limit=MAX_PATHS)
    except ValueError:
        raise UsageError(
            f"--paths {name}: {count_paths(root, x):,} paths, too many to print (the limit is "
            f"{MAX_PATHS:,}); autograd.count_paths counts them"
        ) from None
    lines = [f"{len(found)} chain-rule path{'s' if len(found) != 1 else ''} from the result "
             f"down to {name}:"]
    steps = [" → ".join(node.label or f"({node.op})" for node in p.nodes) for p in found]
    width = max(len(text) for text in steps)
    for number, (text, path) in enumerate(zip(steps, found), start=1):
        lines.append(f"  {number:>3}. {text:<{width}}   product {path.product:.6g}")
    total = sum(p.product for p in found)
    stats = graph_stats(root)
    lines.append(f"sum of the products: d result/d {name} = {total:.6g}  "
                 f"(backward() gives {grad(root, [x])[0]:.6g})")
    lines.append(f"backward() visits each of the graph's {stats.edges} edges once instead of "
                 f"walking {len(found)} path{'s' if len(found) != 1 else ''}")
    return "\n".join(lines)


def _is_constant(x: Value) -> bool:
    """A number written in EXPR (labelled with its digits), not a name the user bound."""
    return not x.label.isidentifier()


def _stepper_page(root: Value) -> str:
    """The step-through page's text, made before any file is written (a big graph is refused)."""
    try:
        return stepper_html(root)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _seed(arguments: argparse.Namespace) -> int:
    """chainrule example (or seed): the worked example, as examples/seed_example.py prints it."""
    if arguments.stepper is not None:
        check_output(arguments.stepper, PAGE_SUFFIXES, "--stepper")
    _emit(seed_report())
    if arguments.stepper is not None:
        _write_seed_stepper(arguments.stepper)
    return 0


def _write_seed_stepper(path: Path) -> None:
    """chainrule example --stepper FILE.html: the worked example, stepped on its network figure."""
    model, x, y = seed_example()
    with _writing(path):
        write_network_stepper(model, x, y, path)
    _emit(f"wrote {path}")


def _demo(arguments: argparse.Namespace) -> int:
    """chainrule demo: write everything into --out, then print where index.html is."""
    with _ctrl_c_held():  # only the demo needs matplotlib, which is slow to load
        from viz.demo import run_demo

    out = Path(arguments.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    with _writing(out):
        index = run_demo(out, epochs=arguments.epochs, progress=not arguments.quiet)
    _emit(str(index))
    return 0


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """While inside, Ctrl-C only sets a flag, raised as KeyboardInterrupt at the end: a library
    loading inside cannot swallow it."""
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def check_output(path: Path, suffixes: Sequence[str], option: str) -> None:
    """UsageError unless `path` has one of `suffixes` and can be written: its folder exists and
    is writable, and it is not itself a folder."""
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"{option} {path}: the name must end in one of {', '.join(suffixes)}")
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder, not a file")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: no permission to write in the folder {folder}")


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turns an OSError while writing `path` into a one-line UsageError that names `path`."""
    try:
        yield
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is less than 1")
    return number


def _version() -> str:
    """The installed distribution's version (from its metadata, so it is never out of date)."""
    try:
        return metadata.version("chainrule")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _say(message: str) -> None:
    """One line on stderr, prefixed with the program's name."""
    print(f"chainrule: {' '.join(message.split())}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
