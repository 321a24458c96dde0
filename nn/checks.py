"""The argument checks nn's public functions share, each failing with a message naming the value.

A check returns the value in plain Python form (an `int`, a `float`), so numpy scalars such as
`np.int64(3)` and `np.float32(0.1)` are accepted wherever an int or a number is; bool is not a
number here. A "sequence" is anything with len() and indexing that is not text or a mapping: a
list, a tuple, a range or a 1-D numpy array. numpy itself is never imported.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any


def integer(value: object, what: str, minimum: int | None = None, why: str = "") -> int:
    """`value` as an int (bool excluded), else TypeError; below `minimum`, ValueError (+ `why`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be >= {minimum}{why}, got {value!r}")
    return int(value)


def positive_int(value: object, what: str) -> int:
    """`value` as an int >= 1, else TypeError/ValueError naming `what`."""
    return integer(value, what, minimum=1)


def number(
    value: object, what: str, valid: Callable[[float], bool] | None = None, rule: str = ""
) -> float:
    """`value` as a float; with `valid`, it must also be finite and pass it (ValueError: `rule`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__} {value!r}")
    result = float(value)
    if valid is not None and not (math.isfinite(result) and valid(result)):
        raise ValueError(f"{what} must be {rule}, got {value!r}")
    return result


def plain_number(value: object, what: str) -> int | float:
    """An int stays an int and any other real number becomes a float (numpy scalars included)."""
    if type(value) is float or type(value) is int:  # the common case, before the slower checks
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return number(value, what)


def is_sequence(x: object) -> bool:
    """True for anything with len() and indexing (a list, tuple, 1-D numpy array), not text."""
    if isinstance(x, (list, tuple)):
        return True
    if isinstance(x, (str, bytes, bytearray, Mapping)):
        return False
    if isinstance(x, Sequence):
        return True
    try:
        len(x)  # type: ignore[arg-type]
    except TypeError:  # a 0-d numpy array has __len__ but no length
        return False
    return hasattr(x, "__getitem__")


def sequence(x: object, what: str, of: str) -> Sequence[Any]:
    """`x` itself if it is a sequence, else TypeError: "`what` must be a list of `of`"."""
    if not is_sequence(x):
        raise TypeError(f"{what} must be a list of {of}, got {type(x).__name__} {x!r:.80}")
    return x  # type: ignore[return-value]


def writable_file(path: object, what: str) -> Path:
    """`path` as a Path to a file that can be written: its folder exists and is writable.

    FileNotFoundError when the folder is missing; ValueError when `path` is a folder, or its
    folder is a file or not writable; TypeError when `path` is not a str or os.PathLike.
    Nothing is written.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what} must be a file path (str or Path), got {type(path).__name__}")
    file = Path(path)
    folder = file.parent
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{what}: {str(folder)!r} in {str(path)!r} is a file, not a folder")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{what}: the folder {str(folder)!r} of {str(path)!r} does not exist; create it first"
        )
    if file.is_dir():
        raise ValueError(f"{what}: {str(path)!r} is a folder; give a file name such as run.json")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{what}: the folder {str(folder)!r} of {str(path)!r} is not writable")
    return file


def no_unexpected_keywords(
    owner: str, keywords: Mapping[str, object], hints: Mapping[str, str]
) -> None:
    """TypeError for the first keyword `owner` does not take, giving chainrule's name if known."""
    for name in keywords:
        hint = hints.get(name)
        raise TypeError(
            f"{owner}() got an unexpected keyword argument {name!r}" + (f"; {hint}" if hint else "")
        )


def missing_attribute(owner: object, name: str, hints: Mapping[str, str]) -> AttributeError:
    """The AttributeError for `owner.name`, saying what to use instead when `hints` knows."""
    hint = hints.get(name)
    if isinstance(owner, ModuleType):
        message = f"module {owner.__name__!r} has no attribute {name!r}"
    else:
        message = f"{type(owner).__name__!r} object has no attribute {name!r}"
    return AttributeError(message + (f"; {hint}" if hint else ""), name=name, obj=owner)
