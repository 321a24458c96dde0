"""format_number: 4 significant digits, checked against Python's own rounding and by hand."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from viz.format import drawable_text, format_number, format_sum, pretty_label

finite = st.floats(allow_nan=False, allow_infinity=False)
# Well below the largest float, so rounding to 4 digits cannot overflow when read back.
readable = st.floats(min_value=-1e307, max_value=1e307)


@given(readable)
def test_reads_back_within_half_a_unit_in_the_fourth_digit(x: float) -> None:
    shown = float(format_number(x))
    assert abs(shown - x) <= 5e-4 * abs(x) * (1 + 1e-12)


@given(finite)
def test_shows_at_most_four_significant_digits(x: float) -> None:
    mantissa = format_number(x).partition("e")[0]
    digits = re.sub(r"[^0-9]", "", mantissa).lstrip("0")
    assert len(digits) <= 4


@given(finite)
def test_matches_round_to_four_significant_digits(x: float) -> None:
    assert float(format_number(x)) == float(f"{x:.3e}")


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (-1.4999999999999993, "-1.5"),
        (0.1 + 0.2, "0.3"),
        (2, "2"),
        (0.7071067811865476, "0.7071"),
        (12345.678, "1.235e4"),
        (1e300, "1e300"),
        (1e-300, "1e-300"),
        (5e-324, "4.941e-324"),
        (0.00012345, "0.0001234"),
    ],
)
def test_writes_numbers_short_and_plain(x: float, text: str) -> None:
    assert format_number(x) == text


def test_shows_special_values_by_name() -> None:
    assert [format_number(x) for x in (math.inf, -math.inf, math.nan)] == ["inf", "-inf", "nan"]


def test_negative_zero_prints_as_zero() -> None:
    assert format_number(-0.0) == "0"


@pytest.mark.parametrize("bad", [True, "1.5", None, 1j])
def test_refuses_what_is_not_a_real_number(bad: object) -> None:
    with pytest.raises(TypeError, match="format_number"):
        format_number(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "pretty"),
    [("w_12^2", "w₁₂²"), ("a_1^1", "a₁¹"), ("w_10,3^2", "w₁₀,₃²"), ("y_2", "y₂"), ("x1", "x1")],
)
def test_pretty_label_writes_seed_indices_as_sub_and_superscripts(label: str, pretty: str) -> None:
    assert pretty_label(label) == pretty


def test_pretty_label_refuses_a_non_string() -> None:
    with pytest.raises(TypeError, match="pretty_label"):
        pretty_label(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "drawn"),
    [("x", "x"), ("a\nb", "a␊b"), ("\x00\x1f\x7f", "␀␟␡"), ("\x85", "\\x85"),
     ("\ud800z", "\N{REPLACEMENT CHARACTER}z"), ("é∂", "é∂")],
)
def test_drawable_text_shows_control_characters_and_surrogates_visibly(
    label: str, drawn: str
) -> None:
    assert drawable_text(label) == drawn


@given(st.text(max_size=200), st.integers(min_value=1, max_value=60))
def test_drawable_text_is_encodable_and_at_most_limit_characters(label: str, limit: int) -> None:
    drawn = drawable_text(label, limit)
    drawn.encode("utf-8")
    assert len(drawn) <= limit
    assert not any(ord(c) < 0x20 for c in drawn)


def test_drawable_text_cuts_a_long_label_with_an_ellipsis() -> None:
    assert drawable_text("z" * 20_000, 5) == "zzzz…"


def test_drawable_text_refuses_a_bad_limit() -> None:
    with pytest.raises(ValueError, match="limit must be a positive int, got 0"):
        drawable_text("x", 0)


def test_format_sum_shows_rounding_noise_next_to_its_terms_as_zero() -> None:
    noise = 0.1 + 0.2 - 0.3
    assert noise != 0.0
    assert format_sum(noise, 0.6) == "0"
    assert format_sum(1e-17, 1e-16) == "1e-17"  # small, but not small against its terms
    assert format_sum(-1.5, 2.0) == "-1.5"
