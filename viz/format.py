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
# The textbook's names as nn labels them: w_12^2, b_1^3, a_1^1, z_10,3^2 (commas past index 9).
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


# Longest label a drawing writes out; a longer one ends in "…" (Graphviz chokes near 16,000).
MAX_LABEL_LENGTH = 40
# A sum smaller than this fraction of the sum of its terms' sizes is rounding error, shown as 0.
ROUNDING_NOISE = 1e-12


def drawable_text(text: str, limit: int = MAX_LABEL_LENGTH) -> str:
    """`text` made safe to draw: control characters as ␀-style pictures or \\x escapes, lone
    surrogates as �, and at most `limit` characters (the last one "…" when it was cut)."""
    if not isinstance(text, str):
        raise TypeError(f"drawable_text needs a str, got {type(text).__name__} {text!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"drawable_text: limit must be a positive int, got {limit!r}")
    drawn = "".join(_drawable_character(character) for character in text[: limit + 1])
    return drawn if len(drawn) <= limit else drawn[: limit - 1] + "…"


def _drawable_character(character: str) -> str:
    """One character as a drawing can show it: C0 controls as their Unicode pictures (␊ for a
    newline), other controls as \\x.. escapes, lone surrogates as the replacement character."""
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "␡"
    if 0x80 <= code < 0xA0:
        return f"\\x{code:02x}"
    if 0xD800 <= code < 0xE000:
        return "\N{REPLACEMENT CHARACTER}"
    return character


def format_sum(total: float, size_of_terms: float) -> str:
    """format_number(total), but 0 when `total` is rounding noise next to its terms.

    `size_of_terms` is Σ|term|: z = 0.3 − 0.3 computed as 2.8e-17 is shown as 0.
    """
    if abs(total) <= ROUNDING_NOISE * abs(size_of_terms):
        return "0"
    return format_number(total)


def display_label(label: str) -> str:
    """A node's label as every drawing shows it: made drawable, then in seed notation (w₁₂²)."""
    return pretty_label(drawable_text(label))
