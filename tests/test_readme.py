"""The README's examples run as written and print what the README shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_prints_what_it_shows(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    code, shown = re.findall(r"```(?:python|text)\n(.*?)```", text, flags=re.DOTALL)[:2]
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert run.stdout == shown


def test_readme_training_loop_prints_the_loss_its_comment_shows(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### A training loop of your own", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert code is not None
    shown = re.search(r"# (loss [0-9.]+)\n", code.group(1))
    assert shown is not None
    script = tmp_path / "loop.py"
    script.write_text(code.group(1), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert run.stdout == shown.group(1) + "\n"


def test_micrograd_lectures_training_loop_runs_as_is_and_prints_what_the_readme_shows(
    tmp_path: Path,
) -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Coming from micrograd or PyTorch", 1)[1].split("\n## ", 1)[0]
    code, shown = re.findall(r"```(?:python|text)\n(.*?)```", section, flags=re.DOTALL)
    assert "p.data += -0.05 * p.grad" in code and "n = MLP(3, [4, 4, 1])" in code
    script = tmp_path / "lecture.py"
    script.write_text(code, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert run.stdout == shown
    last_loss = float(shown.splitlines()[-2].split()[1])
    assert last_loss < 0.05  # the loop trains: the four predictions end near their targets
