"""Cross-cutting promises: no dangerous calls in our sources, and threads that never interfere."""

from __future__ import annotations

import ast
import re
import threading
from pathlib import Path

from autograd import Value, no_grad

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("autograd", "nn", "viz", "examples", "benchmarks")
           for p in sorted((ROOT / folder).rglob("*.py"))]
FORBIDDEN = re.compile(r"\beval\(|\bexec\(|\bpickle\b|\bos\.system\b")


def test_sources_never_eval_exec_pickle_or_shell_out() -> None:
    assert len(SOURCES) > 10
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def _compile_calls(tree: ast.AST) -> list[ast.Call]:
    """Calls of Python's compile(): `compile(...)` or `builtins.compile(...)`."""
    return [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Name) and node.func.id == "compile")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "compile"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "builtins")
        )
    ]


def test_only_autograd_compile_calls_compile_and_only_on_a_tree_it_built() -> None:
    """Generated code comes from ast trees built from the op table, never from text."""
    compiler = ROOT / "autograd" / "compile.py"
    elsewhere = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path in SOURCES if path != compiler
        for call in _compile_calls(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert elsewhere == []
    module = ast.parse(compiler.read_text(encoding="utf-8"))
    calls = _compile_calls(module)
    assert len(calls) == 1
    (call,) = calls
    assert isinstance(call.func, ast.Attribute)  # builtins.compile: the name compile is ours
    functions = {f.name: f for f in module.body if isinstance(f, ast.FunctionDef)}
    (compiling,) = [f for f in functions.values() if any(n is call for n in ast.walk(f))]
    # what it compiles is its own argument, an ast.Module ...
    (argument,) = compiling.args.args
    assert isinstance(call.args[0], ast.Name) and call.args[0].id == argument.arg
    assert ast.unparse(argument.annotation or ast.Constant(None)) == "ast.Module"
    # ... made by a function of this module that returns an ast.Module it builds ...
    for use in ast.walk(module):
        if isinstance(use, ast.Call) and getattr(use.func, "id", None) == compiling.name:
            (made,) = use.args
            assert isinstance(made, ast.Call) and isinstance(made.func, ast.Name)
            maker = functions[made.func.id]
            assert ast.unparse(maker.returns or ast.Constant(None)) == "ast.Module"
    # ... and no tree is ever read from text
    assert not any(
        isinstance(n, ast.Attribute) and n.attr == "parse" for n in ast.walk(module)
    )


def _gradients(seed: int) -> list[float]:
    """Build and backpropagate a small graph that depends on `seed`; return the leaves' grads."""
    leaves = [Value((seed * 7 + k) % 11 / 5 - 1, f"x{k}") for k in range(6)]
    out = Value(0.0)
    for i, x in enumerate(leaves):
        out = out + (x * leaves[(i + 1) % 6]).tanh() * (i + 1) + x.sigmoid() ** 2
    (out * out).backward()
    return [x.grad for x in leaves]


def test_eight_threads_get_exactly_the_single_thread_gradients() -> None:
    expected = {seed: _gradients(seed) for seed in range(8)}
    results: dict[int, list[list[float]]] = {seed: [] for seed in range(8)}
    start = threading.Barrier(8)

    def work(seed: int) -> None:
        start.wait()
        for _ in range(200):
            results[seed].append(_gradients(seed))
            if seed % 2:  # half the threads flip no_grad on and off meanwhile
                with no_grad():
                    assert (Value(1.0) * 2).inputs == ()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in range(8):
        assert results[seed] == [expected[seed]] * 200
