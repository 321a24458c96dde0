"""viz.output: a drawing is saved as the image asked for, or as DOT source when `dot` is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz
import pytest

from viz.output import save_drawing


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


def test_without_graphviz_the_source_is_written_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    written = save_drawing(small_graph(), tmp_path / "g.png")
    assert written == tmp_path / "g.dot"
    assert written.read_text(encoding="utf-8") == small_graph().source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "g.dot" in err and "apt-get install graphviz" in err
