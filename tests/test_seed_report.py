"""nn.seed_report: the worked example as text, every number checked against the engine; and
docs/derivation.md, whose worked example quotes those numbers."""


from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value
from nn import MLP, datasets, half_squared_error, seed_report

ROOT = Path(__file__).resolve().parent.parent
REPORT = seed_report()


def _engine() -> tuple[Value, dict[int, list[Value]], dict[int, list[Value]], MLP]:
    """The seed example through the engine: C, Z^l and A^l Values after backward(), the model."""
    model, x, y = datasets.seed_example()
    trace = model.trace(x)
    cost = half_squared_error(trace.A[3], y)
    cost.backward()
    return cost, trace.Z, trace.A, model


def _number_after(prefix: str) -> float:
    """The last number on the report's line that starts with `prefix` (after indentation)."""
    lines = [line for line in REPORT.splitlines() if line.strip().startswith(prefix)]
    assert len(lines) == 1, f"{prefix!r} appears {len(lines)} times"
    return float(lines[0].rsplit("=", 1)[1])


def test_shows_each_layer_the_cost_and_both_deltas() -> None:
    for heading in ("Z² = (", "A² = (", "Z³ = (", "A³ = (", "Δ³ = (", "Δ² = (", "C = ½ ‖Y − A³‖²"):
        assert heading in REPORT
    for equation in ("eq. (1)", "eq. (2)", "eq. (3)", "eq. (4)", "eq. (5)", "eq. (6)"):
        assert equation in REPORT


def test_mentions_the_erratum_in_eq_2() -> None:
    assert "A^l = σ(Z^l)" in REPORT and "textbook prints Z^l = σ(A^l), a typo" in REPORT


def test_speaks_of_the_worked_example_and_points_to_the_derivation() -> None:
    assert REPORT.startswith("The worked example: 3 inputs")
    assert "docs/derivation.md" in REPORT and "seed" not in REPORT


DERIVATION = (ROOT / "docs" / "derivation.md").read_text(encoding="utf-8")


def test_the_derivation_quotes_only_numbers_the_project_computes() -> None:
    example = DERIVATION.split("## The worked example", 1)[1].split("## Mini-batches", 1)[0]
    quoted = re.findall(r"−?\d+\.\d{6}", example)
    assert len(quoted) >= 25
    for number in quoted:
        assert number.replace("−", "-") in REPORT, number


def test_the_derivation_has_every_equation_and_the_erratum() -> None:
    for equation in ("(1)   Z^l = W^l A^{l−1} + B^l", "(2)   A^l = σ(Z^l)",
                     "(3)   Δ^L = (A^L − Y) ⊙ σ'(Z^L)", "(4)   Δ^l = (W^{l+1})ᵀ Δ^{l+1} ⊙ σ'(Z^l)",
                     "(5)   ∂C/∂w_jk^l = ∂z_j^l/∂w_jk^l · δ_j^l = a_k^{l−1} δ_j^l",
                     "(6)   ∂C/∂b_j^l  = ∂z_j^l/∂b_j^l  · δ_j^l = δ_j^l"):
        assert equation in DERIVATION
    assert "**Erratum.** The textbook prints equation (2) as `Z = σ(A)`" in DERIVATION
    assert "shared/" not in DERIVATION


def test_every_weight_and_bias_gradient_matches_the_engine() -> None:
    _, _, _, model = _engine()
    for l, (rows, cols) in {2: (4, 3), 3: (2, 4)}.items():
        for j in range(1, rows + 1):
            bias = model.bias(l, j)
            assert _number_after(f"∂C/∂b_{j}^{l} =") == pytest.approx(bias.grad, abs=5e-7)
            for k in range(1, cols + 1):
                weight = model.weight(l, j, k)
                shown = _number_after(f"∂C/∂w_{j}{k}^{l} =")
                assert shown == pytest.approx(weight.grad, abs=5e-7)
    assert REPORT.count("∂C/∂w_") == 20 + 1 and REPORT.count("∂C/∂b_") == 6 + 1  # + eq. lines


def _result_below(prefix: str) -> float:
    """The number ending the line below the one that starts with `prefix` (a continued line)."""
    lines = REPORT.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(prefix))
    return float(lines[start + 1].rsplit("=", 1)[1])


def test_activations_and_weighted_inputs_match_the_engine() -> None:
    _, Z, A, _ = _engine()
    for l in (2, 3):
        for j, (z, a) in enumerate(zip(Z[l], A[l]), start=1):
            assert _result_below(f"z_{j}^{l} =") == pytest.approx(z.data, abs=5e-7)
            assert _number_after(f"a_{j}^{l} = σ") == pytest.approx(a.data, abs=5e-7)


def test_cost_matches_the_engine() -> None:
    cost, _, _, _ = _engine()
    assert _result_below("Cost  C =") == pytest.approx(cost.data, abs=5e-7)


def test_output_deltas_match_the_engine() -> None:
    _, Z, _, _ = _engine()
    for j, z in enumerate(Z[3], start=1):
        assert _number_after(f"δ_{j}^3 =") == pytest.approx(z.grad, abs=5e-7)


def test_hidden_deltas_match_the_engine() -> None:
    _, Z, _, _ = _engine()
    for j, z in enumerate(Z[2], start=1):
        assert _result_below(f"δ_{j}^2 =") == pytest.approx(z.grad, abs=5e-7)


def test_ends_by_saying_engine_and_equations_agree() -> None:
    last = REPORT.splitlines()[-1]
    match = re.fullmatch(r"engine and equations agree \(max diff ([0-9.e+-]+)\)", last)
    assert match is not None and float(match.group(1)) <= 1e-12


def test_example_script_prints_the_report_from_the_project_root() -> None:
    result = subprocess.run(
        [sys.executable, "examples/seed_example.py"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=True,
    )
    assert result.stdout == REPORT + "\n"
