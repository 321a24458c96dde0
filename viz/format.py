"""Numbers as a drawing shows them: 4 significant digits, so `-1.5` and not `-1.4999999999999993`."""

from __future__ import annotations

import math
import numbers

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
