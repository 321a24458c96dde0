"""nn.checks: plain Python values back, numpy scalars and sequences accepted, clear messages."""

from __future__ import annotations

import math
from collections import deque
from pathlib import Path

import pytest

from nn import checks


def test_integer_returns_a_plain_int_and_names_what_is_wrong() -> None:
    assert checks.integer(7, "n") == 7 and type(checks.integer(7, "n")) is int
    assert checks.positive_int(1, "n") == 1
    with pytest.raises(TypeError, match="n must be an int, got bool True"):
        checks.integer(True, "n")
    with pytest.raises(TypeError, match="n must be an int, got float 2.0"):
        checks.integer(2.0, "n")
    with pytest.raises(ValueError, match=r"n must be >= 2 \(two at least\), got 1"):
        checks.integer(1, "n", minimum=2, why=" (two at least)")
    with pytest.raises(ValueError, match="width must be >= 1, got 0"):
        checks.positive_int(0, "width")


def test_number_checks_type_then_finiteness_and_rule() -> None:
    assert checks.number(3, "lr") == 3.0 and type(checks.number(3, "lr")) is float
    assert checks.number(math.inf, "x") == math.inf  # no rule: any real number
    with pytest.raises(TypeError, match="lr must be a number, got str '0.1'"):
        checks.number("0.1", "lr")
    with pytest.raises(TypeError, match="lr must be a number, got bool"):
        checks.number(False, "lr")
    for bad in (0.0, math.nan, math.inf):
        with pytest.raises(ValueError, match=f"lr must be > 0, got {bad!r}"):
            checks.number(bad, "lr", lambda x: x > 0, "> 0")


def test_plain_number_keeps_ints_as_ints() -> None:
    assert [type(checks.plain_number(v, "y")) for v in (1, 1.0)] == [int, float]
    with pytest.raises(TypeError, match=r"y\[3\] must be a number, got NoneType"):
        checks.plain_number(None, "y[3]")


def test_numpy_scalars_become_plain_python_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert type(checks.integer(np.int64(5), "n")) is int
    assert type(checks.number(np.float32(0.5), "lr")) is float
    assert type(checks.plain_number(np.int32(1), "y")) is int
    assert type(checks.plain_number(np.float16(0.5), "y")) is float
    with pytest.raises(TypeError, match="must be an int"):
        checks.integer(np.float64(2.0), "n")
    with pytest.raises(TypeError, match="must be a number"):
        checks.number(np.bool_(True), "x")


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([1, 2], True),
        ((1, 2), True),
        (range(3), True),
        (deque([1]), True),
        ("12", False),
        (b"12", False),
        ({0: 1}, False),
        ({1, 2}, False),
        (3.0, False),
        (None, False),
    ],
)
def test_is_sequence_means_len_and_indexing_but_not_text(x: object, expected: bool) -> None:
    assert checks.is_sequence(x) is expected


def test_numpy_arrays_are_sequences_but_a_0d_array_is_not() -> None:
    np = pytest.importorskip("numpy")
    assert checks.is_sequence(np.array([1.0, 2.0]))
    assert checks.is_sequence(np.zeros((2, 3)))
    assert not checks.is_sequence(np.array(1.0))


def test_sequence_returns_its_argument_or_names_what_was_expected() -> None:
    values = [1.0]
    assert checks.sequence(values, "MLP input", "2 numbers") is values
    with pytest.raises(TypeError, match="MLP input must be a list of 2 numbers, got float 1.0"):
        checks.sequence(1.0, "MLP input", "2 numbers")


def test_writable_file_accepts_a_new_file_in_an_existing_folder(tmp_path: Path) -> None:
    assert checks.writable_file(str(tmp_path / "c.json"), "save") == tmp_path / "c.json"
    assert not (tmp_path / "c.json").exists()  # nothing written
    with pytest.raises(TypeError, match="save must be a file path"):
        checks.writable_file(3, "save")


def test_unexpected_keywords_get_the_hint_for_their_name() -> None:
    checks.no_unexpected_keywords("Neuron", {}, {"nonlin": "say activation"})
    with pytest.raises(TypeError, match="^Neuron\\(\\) got an unexpected keyword argument "
                       "'nonlin'; say activation$"):
        checks.no_unexpected_keywords("Neuron", {"nonlin": True}, {"nonlin": "say activation"})


def test_missing_attribute_is_a_standard_attribute_error_with_a_hint() -> None:
    owner = object()
    error = checks.missing_attribute(owner, "w", {"w": "use .weights"})
    assert str(error) == "'object' object has no attribute 'w'; use .weights"
    assert error.name == "w" and error.obj is owner
    assert str(checks.missing_attribute(owner, "q", {})) == "'object' object has no attribute 'q'"


def test_a_missing_module_attribute_reads_as_pythons_own_message() -> None:
    error = checks.missing_attribute(math, "tau2", {"tau2": "use 2 * math.tau"})
    assert str(error) == "module 'math' has no attribute 'tau2'; use 2 * math.tau"
