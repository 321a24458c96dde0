"""render: svg/png/pdf by suffix; without Graphviz an own-layout SVG, DOT source or an error."""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree

import graphviz
import pytest

from autograd import Value
from viz import GraphvizMissing, draw_dot, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def drawing() -> graphviz.Digraph:
    x = Value(2.0, "x")
    y = (x * x).tanh()
    y.backward()
    return draw_dot(y)


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which there is no `dot` program."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


@needs_dot
@pytest.mark.parametrize(
    ("suffix", "start"),
    [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF"), (".PNG", b"\x89PNG")],
)
def test_writes_the_format_its_suffix_names(tmp_path: Path, suffix: str, start: bytes) -> None:
    path = render(drawing(), tmp_path / f"graph{suffix}")
    assert path.read_bytes().startswith(start)


@pytest.mark.parametrize("suffix", [".dot", ".gv"])
def test_writes_dot_source_even_without_graphviz(tmp_path: Path, no_dot: None, suffix: str) -> None:
    graph = drawing()
    path = render(graph, str(tmp_path / f"graph{suffix}"))
    assert path.read_text(encoding="utf-8") == graph.source


def test_without_dot_a_png_says_how_to_install_graphviz_and_what_to_save_instead(
    tmp_path: Path, no_dot: None
) -> None:
    with pytest.raises(GraphvizMissing) as error:
        render(drawing(), tmp_path / "graph.png")
    message = str(error.value)
    hints = ("apt-get install graphviz", "brew install graphviz", "conda install graphviz",
             ".svg", ".dot")
    assert all(hint in message for hint in hints)
    assert isinstance(error.value, RuntimeError) and isinstance(error.value, OSError)
    assert list(tmp_path.iterdir()) == []


def test_without_dot_an_svg_is_a_real_picture_of_the_drawing(tmp_path: Path, no_dot: None) -> None:
    path = render(drawing(), tmp_path / "graph.svg")
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    words = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for word in ("tanh", "×", "data 2", "grad 0.005364", "∂ 2", "∂ 0.001341", "key"):
        assert word in words
    assert len(list(root.iter("{http://www.w3.org/2000/svg}path"))) >= 5
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]


def test_without_dot_says_once_per_process_that_graphviz_draws_better(
    tmp_path: Path, no_dot: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(importlib.import_module("viz.render"), "_SAID", set())
    for name in ("a.svg", "b.svg", "c.svg"):
        render(drawing(), tmp_path / name)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Graphviz draws them better" in err and "apt-get install graphviz" in err


def test_without_dot_nothing_but_the_named_file_is_written(tmp_path: Path, no_dot: None) -> None:
    (tmp_path / "y.dot").write_text("mine")
    (tmp_path / "z.dot").mkdir()
    render(drawing(), tmp_path / "y.svg")
    render(drawing(), tmp_path / "z.svg")
    assert (tmp_path / "y.dot").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["y.dot", "y.svg", "z.dot", "z.svg"]


def test_a_failed_render_leaves_an_existing_file_untouched(tmp_path: Path, no_dot: None) -> None:
    target = tmp_path / "graph.png"
    target.write_bytes(b"old picture")
    with pytest.raises(GraphvizMissing):
        render(drawing(), target)
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.png"]


def test_writes_with_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = render(drawing(), tmp_path / "graph.dot")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_refuses_an_unknown_suffix_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"graph\.jpeg.*\.svg, \.png, \.pdf, \.dot, \.gv"):
        render(drawing(), tmp_path / "graph.jpeg")


def test_refuses_what_is_not_a_drawing_or_a_path(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="graph must be a graphviz Digraph, got str"):
        render("digraph {}", tmp_path / "graph.svg")
    with pytest.raises(TypeError, match="path must be a str or a Path, got int"):
        render(drawing(), 3)  # type: ignore[arg-type]
