"""benchmarks.bench on a tiny size: a behaviour check (every variant agrees), not a timing test."""

from __future__ import annotations

import pytest

from autograd import Value
from benchmarks import bench

TINY = bench.Plan(
    moons_points=8,
    backward_nodes=3_000,
    memory_nodes=2_000,
    long_chain_nodes=5_000,
    repeats=1,
    repeat_seconds=0.001,
)
HAS_MICROGRAD = bench.optional_module("micrograd.nn") is not None


@pytest.fixture(scope="module")
def results() -> bench.Results:
    return bench.run(TINY)


def test_every_variant_reaches_the_same_step(results: bench.Results) -> None:
    expected = {bench.DEFAULT, bench.EXPANDED, bench.FLOOR}
    assert expected <= set(results.moons.differences)
    assert all(d <= bench.TOLERANCE for d in results.moons.differences.values())


def test_agreement_check_catches_a_wrong_gradient() -> None:
    class Off(bench.FloatStep):
        def gradients(self) -> list[float]:
            return [g + 1e-9 for g in super().gradients()]

    problem = bench.moons_problem(4)
    variants: dict[str, bench.MoonsStep] = {
        bench.DEFAULT: bench.ChainruleStep(problem),
        "off": Off(problem),
    }
    with pytest.raises(AssertionError, match="off disagrees .* gradient #0"):
        bench.check_agreement(variants)


def test_chainrule_graph_is_freed_by_reference_counting(results: bench.Results) -> None:
    assert results.cycle_garbage[bench.DEFAULT] == 0
    assert results.cycle_garbage[bench.EXPANDED] == 0


@pytest.mark.skipif(not HAS_MICROGRAD, reason="micrograd is not installed (pip install micrograd)")
def test_micrograd_graph_needs_the_cycle_collector(results: bench.Results) -> None:
    problem = bench.moons_problem(TINY.moons_points)
    nodes = bench.count_nodes(bench.expanded_moons_loss(Value, problem), bench.chainrule_inputs)
    assert results.cycle_garbage[bench.MICROGRAD] > nodes / 2


@pytest.mark.skipif(not HAS_MICROGRAD, reason="micrograd is not installed (pip install micrograd)")
def test_both_engines_build_the_same_expanded_graph(results: bench.Results) -> None:
    assert results.backward[bench.CHAINRULE].nodes == results.backward[bench.MICROGRAD].nodes
    assert "RecursionError" in results.long_chain.micrograd


def test_setup_runs_outside_the_clock_before_every_timed_call() -> None:
    log: list[str] = []
    plan = bench.Plan(1, 1, 1, 1, repeats=2, repeat_seconds=1e-9)
    timings = bench.time_rounds(
        {"f": lambda: log.append("call")}, plan, min_calls=3, setup={"f": lambda: log.append("set")}
    )
    assert log == ["call"] + ["set", "call"] * 6  # one warm-up, then 2 repeats of 3 calls
    assert len(timings["f"].seconds) == 2


def test_chain_has_the_asked_number_of_nodes() -> None:
    assert bench.count_nodes(bench.chain(Value, 100), bench.chainrule_inputs) == 100 + 3


def test_report_states_every_measurement_and_target(results: bench.Results) -> None:
    report = bench.render(results)
    for heading in ("## Targets", "## 1.", "## 2.", "## 3.", "## 4.", "## 5."):
        assert heading in report
    assert report.count("| met |") + report.count("**not met**") + report.count("not measured") == 8
    assert results.machine["Python"] in report


def test_command_line_refuses_zero_repeats() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--repeats", "0"])


def test_plan_refuses_a_bad_size() -> None:
    with pytest.raises(ValueError, match="moons_points"):
        bench.Plan(0, 1, 1, 1, 1, 0.1)
