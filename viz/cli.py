"""The `chainrule` command: draw an expression's derivatives, print the seed's example, the demo.

    chainrule graph "tanh(x*w + b)" x=2 w=-3 b=6.8813735870195432 -o neuron.svg --stepper n.html
    chainrule seed
    chainrule demo --out out

A mistake in what was typed gets one line on stderr and exit code 2, never a traceback. Ctrl-C
gets one line and exit code 130. Files are written atomically, so none is ever left half-written,
and only the files named on the command line are written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from autograd import Value, count_paths, evaluation_trace, grad, graph_stats, leaves, paths
from nn.datasets import seed_example
from nn.seed_report import seed_report
from nn.serialize import write_atomically
from viz.dot import draw_dot
from viz.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, parse_bindings, parse_expression
from viz.network_stepper import write_network_stepper
from viz.output import save_drawing
from viz.render import IMAGE_FORMATS, SOURCE_SUFFIXES
from viz.stepper import MAX_VALUES, stepper_html
from viz.text import graph_text

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DRAWING_SUFFIXES = (*IMAGE_FORMATS, *SOURCE_SUFFIXES)
PAGE_SUFFIXES = (".html", ".htm")
MAX_PATHS = 1000  # --paths prints at most this many

Command = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A mistake in what the user typed; main prints its message as one line and exits with 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit code."""
    arguments = build_parser().parse_args(argv)
    command: Command = arguments.command
    try:
        return command(arguments)
    except KeyboardInterrupt:
        _say("interrupted (Ctrl-C); no file was left half-written")
        return EXIT_INTERRUPTED
    except (UsageError, ExpressionError) as error:
        _say(str(error))
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: a sub-command each for graph, seed and demo."""
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Backpropagation you can see: draw the derivatives of an expression, print "
        "the seed's worked example, or run the demo.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_graph_command(commands)
    seed = commands.add_parser(
        "seed",
        help="print the seed's 3-4-2 worked example in its notation",
        description="Print the seed's 3-4-2 worked example: Z^l, A^l, the cost C, every δ_j^l, "
        "∂C/∂w_jk^l and ∂C/∂b_j^l, from eqs. (1)-(6), checked against backward().",
    )
    seed.add_argument("--stepper", type=Path, metavar="FILE.html",
                      help="also write a page stepping through eqs. (1)-(6) on the network figure")
    seed.set_defaults(command=_seed)
    demo = commands.add_parser(
        "demo",
        help="train a small network and write every picture into a folder",
        description="Train MLP(2, [16, 16, 1]) on the two moons and write into a folder: the "
        "graph of a neuron, its step-through page, the seed's network, the trained network, "
        "its decision boundary and loss curve, and an index.html showing them all.",
    )
    demo.add_argument("--out", default="out", metavar="DIR", help="the folder (default: out)")
    demo.add_argument("--epochs", type=_positive_int, default=100, metavar="N",
                      help="training epochs (default: 100, a few seconds)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(command=_demo)
    return parser


def _add_graph_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
                       help="the drawing: .svg, .png, .pdf or .dot (without Graphviz, a .dot "
                       "file is written instead of an image)")
    graph.add_argument("--stepper", type=Path, metavar="FILE.html",
                       help=f"a page stepping through backward() node by node (up to "
                       f"{MAX_VALUES} values)")
    graph.add_argument("--text", action="store_true",
                       help="print the graph as indented text (the default without -o/--stepper)")
    graph.add_argument("--no-grad", action="store_true",
                       help="draw the forward pass only, without calling backward()")
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
    root = parse_expression(arguments.expression, parse_bindings(arguments.bindings))
    if not arguments.no_grad:
        root.backward()
    page = _stepper_page(root) if stepper is not None else ""
    if output is not None:
        drawing = draw_dot(root, show_grad=not arguments.no_grad)
        with _writing(output):
            print(f"wrote {save_drawing(drawing, output)}")
    if stepper is not None:
        with _writing(stepper):
            write_atomically(stepper, page.encode("utf-8"))
        print(f"wrote {stepper}")
    printed_view = _print_algorithm(root, arguments)
    if arguments.text or (output is None and stepper is None and not printed_view):
        print(graph_text(root))
    return 0


def _print_algorithm(root: Value, arguments: argparse.Namespace) -> bool:
    """Print what --trace and --paths ask for; True if either was asked for."""
    if arguments.trace:
        print(evaluation_trace(root))
    if arguments.paths is not None:
        print(_paths_text(root, arguments.paths))
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
    """chainrule seed: the worked example, exactly as examples/seed_example.py prints it."""
    if arguments.stepper is not None:
        check_output(arguments.stepper, PAGE_SUFFIXES, "--stepper")
    print(seed_report())
    if arguments.stepper is not None:
        _write_seed_stepper(arguments.stepper)
    return 0


def _write_seed_stepper(path: Path) -> None:
    """chainrule seed --stepper FILE.html: the seed's example, stepped on its network figure."""
    model, x, y = seed_example()
    with _writing(path):
        write_network_stepper(model, x, y, path)
    print(f"wrote {path}")


def _demo(arguments: argparse.Namespace) -> int:
    """chainrule demo: write everything into --out, then print where index.html is."""
    # Imported here: only the demo needs matplotlib, which is slow to load.
    from viz.demo import run_demo

    out = Path(arguments.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    with _writing(out):
        index = run_demo(out, epochs=arguments.epochs, progress=not arguments.quiet)
    print(index)
    return 0


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
