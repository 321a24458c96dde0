"""viz.output: a drawing is saved as exactly the file asked for, with or without `dot`."""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz
import pytest

from viz.output import save_drawing
from viz.render import GraphvizMissing


def small_graph() -> graphviz.Digraph:
    graph = graphviz.Digraph()
    graph.edge("x", "y")
    return graph


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")
def test_with_graphviz_the_image_is_written(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.svg"
    assert save_drawing(small_graph(), target) == target
    assert b"<svg" in target.read_bytes()
    assert capsys.readouterr().err == ""


def test_without_graphviz_only_the_named_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    (tmp_path / "g.dot").write_text("keep")
    assert save_drawing(small_graph(), tmp_path / "g.svg") == tmp_path / "g.svg"
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()
    with pytest.raises(GraphvizMissing, match=r"save an \.svg"):
        save_drawing(small_graph(), tmp_path / "g.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.svg"]
    assert (tmp_path / "g.dot").read_text() == "keep"
