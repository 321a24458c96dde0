"""The benchmark on a tiny size: its own correctness (every variant agrees, the timing helper, the
report writer, the command line), never a timing test."""

from __future__ import annotations

import gc
import math
import platform
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from autograd import Value
from benchmarks import bench, instructions, report, timing, variants
from benchmarks.graphs import chain, chainrule_inputs, count_nodes, expanded_moons_loss
from benchmarks.moons import (
    ChainruleStep,
    CompiledStep,
    FloatStep,
    Moons,
    MoonsStep,
    moons_problem,
)
from benchmarks.other_python import OtherPython, measure_under
from benchmarks.variants import Collector, Variant

TINY = timing.Plan(
    moons_points=8,
    backward_nodes=3_000,
    memory_nodes=2_000,
    long_chain_nodes=5_000,
    repeats=1,
    repeat_seconds=0.001,
)
MICROGRAD = variants.optional_module("micrograd.nn")
needs_micrograd = pytest.mark.skipif(
    MICROGRAD is None, reason="micrograd is not installed (pip install micrograd)"
)


@pytest.fixture(scope="module")
def results() -> report.Results:
    return bench.run(TINY, other_python=False)


def test_every_pure_python_variant_reaches_the_same_step(results: report.Results) -> None:
    names = {variant.name for variant in variants.pure_python_variants(MICROGRAD)}
    assert names == set(results.moons.differences) - {variants.TORCH}
    assert all(d <= variants.TOLERANCE for d in results.moons.differences.values())


def test_variants_agree_on_a_deeper_narrower_network() -> None:
    problem = moons_problem(6, widths=(4, 3, 1))
    steps = {v.name: v.make(problem) for v in variants.pure_python_variants(MICROGRAD)}
    differences = variants.check_agreement(ChainruleStep(problem), steps)
    assert max(differences.values()) <= variants.TOLERANCE


@pytest.mark.parametrize("widths", [variants.WIDE, (4, 3, 1)])
def test_compiled_step_agrees_with_the_engine_and_the_floor(widths: tuple[int, ...]) -> None:
    problem = moons_problem(5, widths=widths)
    steps = {"compiled": CompiledStep(problem), "floor": FloatStep(problem)}
    for _ in range(2):  # the second step starts from the weights the first one moved
        differences = variants.check_agreement(ChainruleStep(problem), steps)
        assert differences["compiled"] <= variants.TOLERANCE
        problem = replace(problem, W=steps["floor"].W, B=steps["floor"].B)


def test_compiled_step_runs_the_compiled_code_not_the_engine() -> None:
    step = CompiledStep(moons_problem(5))
    values = [p.data for p in step.parameters_]
    assert step.batch(values, step.rows, 0.2) is not None  # None: it would need the engine
    assert "for " in step.batch.source


def test_agreement_check_catches_a_wrong_gradient() -> None:
    class Off(FloatStep):
        def gradients(self) -> list[float]:
            return [g + 1e-9 for g in super().gradients()]

    problem = moons_problem(4)
    steps: dict[str, MoonsStep] = {variants.FLOOR: FloatStep(problem), "off": Off(problem)}
    with pytest.raises(AssertionError, match="off disagrees .* gradient #0"):
        variants.check_agreement(ChainruleStep(problem), steps)


class CollectorProbe(ChainruleStep):
    """chainrule's step, noting whether the cycle collector was on during each step."""

    seen: dict[str, list[bool]] = {}

    def __init__(self, problem: Moons, name: str) -> None:
        super().__init__(problem)
        self.name = name

    def step(self) -> float:
        CollectorProbe.seen.setdefault(self.name, []).append(gc.isenabled())
        return super().step()


def test_each_variant_is_timed_with_its_collector_setting() -> None:
    modes = {"default": Collector.DEFAULT, "paused": Collector.PAUSED, "off": Collector.OFF}
    rows = [Variant(name, partial(CollectorProbe, name=name), mode) for name, mode in modes.items()]
    CollectorProbe.seen.clear()
    measured = variants.measure_variants(rows, moons_problem(3), TINY)
    assert list(measured.timings) == list(modes)
    timed = {name: seen[2:] for name, seen in CollectorProbe.seen.items()}  # past check, warm-up
    assert timed["default"] and all(timed["default"])
    assert timed["paused"] and not any(timed["paused"])
    assert timed["off"] and not any(timed["off"])
    assert gc.isenabled()


def test_chainrule_graph_is_freed_by_reference_counting(results: report.Results) -> None:
    assert results.cycle_garbage[variants.DEFAULT] == 0
    assert results.cycle_garbage[variants.EXPANDED] == 0


@needs_micrograd
def test_micrograd_graph_needs_the_cycle_collector(results: report.Results) -> None:
    problem = moons_problem(TINY.moons_points)
    nodes = count_nodes(expanded_moons_loss(Value, problem), chainrule_inputs)
    assert results.cycle_garbage[variants.MICROGRAD] > nodes / 2


@needs_micrograd
def test_both_engines_build_the_same_expanded_graph(results: report.Results) -> None:
    assert results.backward["chainrule"].nodes == results.backward[variants.MICROGRAD].nodes
    assert "RecursionError" in results.long_chain.micrograd


def test_setup_runs_outside_the_clock_before_every_timed_call() -> None:
    log: list[str] = []
    plan = timing.Plan(1, 1, 1, 1, repeats=2, repeat_seconds=1e-9)
    timings = timing.time_rounds(
        {"f": lambda: log.append("call")}, plan, min_calls=3, setup={"f": lambda: log.append("set")}
    )
    assert log == ["call"] + ["set", "call"] * 6  # one warm-up, then 2 repeats of 3 calls
    assert len(timings["f"].seconds) == 2


def test_functions_take_turns_in_every_round() -> None:
    log: list[str] = []
    plan = timing.Plan(1, 1, 1, 1, repeats=3, repeat_seconds=1e-9)
    timing.time_rounds({"a": lambda: log.append("a"), "b": lambda: log.append("b")}, plan)
    assert log == ["a", "b"] + ["a", "b"] * 3  # the warm-ups, then a and b in turn


@pytest.mark.parametrize("clock", ["cpu", "wall"])
def test_cpu_clock_leaves_out_the_time_spent_waiting(clock: str) -> None:
    plan = timing.Plan(1, 1, 1, 1, repeats=1, repeat_seconds=1e-9, clock=clock)
    waited = timing.time_rounds({"sleep": partial(time.sleep, 0.02)}, plan)["sleep"].median
    assert (waited < 0.01) if clock == "cpu" else (waited >= 0.02)


def test_timing_reports_the_median_repeat() -> None:
    assert timing.Timing("f", [3.0, 1.0, 100.0, 2.0, 4.0]).median == 3.0


def test_chain_has_the_asked_number_of_nodes() -> None:
    assert count_nodes(chain(Value, 100), chainrule_inputs) == 100 + 3


def test_report_states_every_measurement_and_target(results: report.Results) -> None:
    written = report.render(results)
    headings = ["## Method", "## Targets", *(f"## {n}." for n in range(1, 7))]
    assert all(heading in written for heading in headings)
    verdicts = ("| met |", "**not met**", "not measured")
    assert sum(written.count(verdict) for verdict in verdicts) == 11
    assert f"### The compiled step on MLP(2, {list(variants.WIDE)})" in written
    assert "Compiled step's set-up, MLP(2, [16, 16, 1]): ≤ 0.5 s" in written
    assert results.machine["Python"] in written
    assert "Not measured: --no-other-python." in written


@needs_micrograd  # the targets' ratios are against micrograd
def test_report_names_the_python_beside_each_ratio(results: report.Results) -> None:
    other = OtherPython("3.99.0", "CPython 3.99.0 (gc 1/2/3)", results.moons)
    written = report.render(replace(results, other_python=other))
    assert "### The same step under Python 3.99.0" in written
    assert "| variant, CPython 3.99.0 (gc 1/2/3) |" in written
    first_target = next(line for line in written.splitlines() if "≥ 50×" in line)
    assert f"on Python {results.version}" in first_target
    assert "on Python 3.99.0" in first_target


def test_floor_target_is_judged_with_the_collector_paused(results: report.Results) -> None:
    target = next(t for t in report.targets(results) if "floor" in t.claim and "3×" in t.claim)
    paused = report.times_the_floor(results.moons, variants.DEFAULT_PAUSED)
    assert paused is not None and target.met == (paused <= 3)
    assert target.measured.startswith(report.times(paused))


def test_wide_network_is_reported_without_targets(results: report.Results) -> None:
    claims = [t.claim for t in report.targets(results)]
    assert not any(f"MLP(2, {list(variants.WIDE)})" in claim for claim in claims)
    assert "reported for scale with no target of its own" in report.render(results)


def test_child_process_hands_back_the_moons_timings() -> None:
    measured = measure_under(Path(sys.executable), TINY, site=None)
    assert measured.moons is not None, measured.note
    assert measured.version == platform.python_version()
    names = [variant.name for variant in variants.pure_python_variants(MICROGRAD)]
    assert list(measured.moons.timings) == names


def test_command_line_writes_the_scratch_copy_unless_asked_to_record(
    results: report.Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "run", lambda plan, other_python: results)
    monkeypatch.setattr(bench, "SCRATCH", tmp_path / "build" / "RESULTS.md")
    monkeypatch.setattr(bench, "RECORD", tmp_path / "RESULTS.md")
    assert bench.main([]) == 0
    assert (tmp_path / "build" / "RESULTS.md").is_file()
    assert not (tmp_path / "RESULTS.md").exists()
    assert bench.main(["--record"]) == 0
    assert (tmp_path / "RESULTS.md").read_text(encoding="utf-8").startswith("# Benchmark results")


@pytest.mark.parametrize("argv", [["--repeats", "0"], ["--record", "--quick"]])
def test_command_line_refuses(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        bench.main(argv)


def test_plan_refuses_a_bad_size() -> None:
    with pytest.raises(ValueError, match="moons_points"):
        timing.Plan(0, 1, 1, 1, 1, 0.1)


def test_plan_refuses_an_unknown_clock() -> None:
    with pytest.raises(ValueError, match="clock must be one of"):
        timing.Plan(1, 1, 1, 1, 1, 0.1, clock="sundial")


def test_instruction_count_is_read_from_callgrinds_report() -> None:
    report_text = "==1== Events    : Ir\n==1== Collected : 621288751\n==1== I   refs: 621,288,751"
    assert instructions.collected(report_text) == 621_288_751
    with pytest.raises(RuntimeError, match="no instruction count"):
        instructions.collected("==1== ERROR SUMMARY: 0 errors")


def test_instruction_counter_says_how_to_get_valgrind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    assert instructions.main(["floor"]) == 2
    assert "apt-get install valgrind" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["sundial"], ["--steps", "0"]])
def test_instruction_counter_refuses(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        instructions.main(argv)


@pytest.mark.parametrize("variant", sorted(instructions.VARIANTS))
def test_instruction_counters_child_takes_the_steps(variant: str) -> None:
    first, second = (instructions.take_steps(variant, 3, steps) for steps in (1, 2))
    assert math.isfinite(first) and math.isfinite(second) and second != first  # SGD moved
    assert instructions.main(["--child", variant, "--points", "3", "--steps", "1"]) == 0
