"""Numbers as drawings show them: 4 significant digits, `-1.5` and not `-1.4999999999999993`."""

from __future__ import annotations

import math
import numbers
import re

SIGNIFICANT_DIGITS = 4


def format_number(x: float) -> str:
    """`x` to 4 significant digits, short and plain: 2, -1.5, 0.7071, 1.235e5, 1e-300, inf, nan.

    Negative zero prints as 0 (a student should not wonder about a sign that means nothing).
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"format_number needs a real number, got {type(x).__name__} {x!r}")
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0.0:
        return "0"
    text = f"{x:.{SIGNIFICANT_DIGITS}g}"
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return mantissa
    return f"{mantissa}e{int(exponent)}"


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# The seed's names as nn labels them: w_12^2, b_1^3, a_1^1, z_10,3^2 (commas past index 9).
SEED_NAME = re.compile(r"(?P<symbol>[^\W\d_]+)_(?P<lower>\d+(?:,\d+)*)(?:\^(?P<upper>\d+))?")


def pretty_label(label: str) -> str:
    """A seed-notation label with real sub- and superscripts (w_12^2 → w₁₂²); others unchanged."""
    if not isinstance(label, str):
        raise TypeError(f"pretty_label needs a str, got {type(label).__name__} {label!r}")
    match = SEED_NAME.fullmatch(label)
    if match is None:
        return label
    upper = match["upper"] or ""
    return match["symbol"] + match["lower"].translate(SUBSCRIPTS) + upper.translate(SUPERSCRIPTS)
