"""Save an MLP to JSON and load it back: every float bit-exact, every write atomic.

The file holds a format name and version, the architecture and every parameter:

    {"format": "chainrule-mlp", "version": 1,
     "architecture": {"nin": 3, "nouts": [4, 2], "activation": "sigmoid",
                      "output_activation": "sigmoid", "expand": false},
     "weights": {"2": [[w_11^2, w_12^2, ...], ...], "3": [...]},
     "biases":  {"2": [b_1^2, ...], "3": [...]}}

Floats are written with repr(), the shortest text that reads back as the same float. `load`
accepts nothing else: a file that is too big, truncated, not JSON, nested too deeply, of another
format or version, of the wrong shape, or holding NaN or infinity raises ValueError saying which.
"""


from __future__ import annotations

import json
import math
import os
import secrets
import stat
from contextlib import suppress
from typing import Any

from nn.backprop import Biases, Weights, assign, weights_of
from nn.module import ACTIVATIONS, MLP

FORMAT = "chainrule-mlp"
VERSION = 1
MAX_BYTES = 100 * 1024 * 1024  # load refuses larger files before reading them

PathLike = str | os.PathLike[str]


def save(model: MLP, path: PathLike) -> None:
    """Write `model` to `path` atomically: a temp file in the same folder, then os.replace.

    If anything fails on the way, the file that was at `path` before is left as it was.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"save needs an MLP, got {type(model).__name__}")
    path = os.fspath(_path(path, "save"))
    for p in model.parameters():
        if not math.isfinite(p.data):
            raise ValueError(
                f"save: parameter {p.label} is {p.data!r}; only finite models can be saved"
            )
    W, B = weights_of(model)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {
            "nin": model.nin,
            "nouts": model.nouts,
            "activation": model.activation,
            "output_activation": model.output_activation,
            "expand": model.expand,
        },
        "weights": {str(l): rows for l, rows in W.items()},
        "biases": {str(l): row for l, row in B.items()},
    }
    write_atomically(path, json.dumps(document, allow_nan=False).encode("utf-8"))


def write_atomically(path: PathLike, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path` in one step.

    A crash, a kill or a full disk at any moment leaves the old file or the new one, never half
    of one. The file gets the usual permissions (0666 less the umask), as open() would give it.
    Every file chainrule writes (models, drawings, pages, results) goes through here.
    """
    target = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(target))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def load(path: PathLike) -> MLP:
    """The MLP saved at `path`, or ValueError naming what is wrong with the file."""
    path = _path(path, "load")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ValueError(f"load: {path!s} is not a regular file")
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_BYTES:
                raise ValueError(f"load: {path!s} is larger than the {MAX_BYTES} byte limit")
            raw = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise ValueError(f"load: cannot read {path!s}: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise ValueError(f"load: {path!s} is larger than the {MAX_BYTES} byte limit")
    return _model(_parse(raw, path))


def _path(path: object, caller: str) -> PathLike:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{caller}: path must be a str or a path, got {type(path).__name__}")
    return path


def _reject_constant(name: str) -> float:
    raise ValueError(f"the file holds {name}; a model's numbers must be finite")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return number


def _parse(raw: bytes, path: PathLike) -> Any:
    """The JSON document in `raw`, or ValueError saying why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"load: {path!s} is not a chainrule model (not UTF-8 text: {error})"
        ) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(f"load: {path!s} is nested too deeply to be a chainrule model") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"load: {path!s} is not valid JSON (truncated or corrupt?): {error}"
        ) from None
    except ValueError as error:
        raise ValueError(f"load: {path!s}: {error}") from None


def _model(document: Any) -> MLP:
    """Check the document field by field, then build the MLP it describes."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"load: not a chainrule model file (no \"format\": \"{FORMAT}\")")
    version = document.get("version")
    if version != VERSION or type(version) is not int:
        raise ValueError(
            f"load: unsupported format version {version!r:.40}; this reader knows {VERSION}"
        )
    architecture = _field(document, "architecture", dict)
    nin = _count(architecture.get("nin"), "architecture.nin")
    nouts = _field(architecture, "nouts", list)
    if not nouts:
        raise ValueError("load: architecture.nouts is empty")
    widths = [nin, *(_count(n, "architecture.nouts") for n in nouts)]
    activation = _activation(architecture, "activation")
    output_activation = _activation(architecture, "output_activation")
    expand = _field(architecture, "expand", bool)
    W = _weights(_field(document, "weights", dict), widths)
    B = _biases(_field(document, "biases", dict), widths)
    model = MLP(nin, widths[1:], activation, output_activation, expand=expand)
    assign(model, W, B)
    return model


def _field(container: dict[str, Any], key: str, kind: type) -> Any:
    value = container.get(key)
    if not isinstance(value, kind):
        raise ValueError(f"load: field {key!r} must be a {kind.__name__}, got {value!r:.60}")
    return value


def _count(value: object, name: str) -> int:
    if type(value) is not int or value < 1:
        raise ValueError(f"load: {name} must be a positive integer, got {value!r:.60}")
    return value


def _activation(architecture: dict[str, Any], key: str) -> str:
    name = architecture.get(key)
    if name not in ACTIVATIONS:
        raise ValueError(f"load: architecture.{key} must be one of {ACTIVATIONS}, got {name!r:.60}")
    return str(name)


def _layer_entries(table: dict[str, Any], widths: list[int], what: str) -> dict[int, Any]:
    """table["l"] for l = 2..L, after checking that exactly those layers are there."""
    expected = [str(l) for l in range(2, len(widths) + 1)]
    if sorted(table) != sorted(expected):
        raise ValueError(f"load: {what} must have the layers {expected}, got {sorted(table)!r:.80}")
    return {l: table[str(l)] for l in range(2, len(widths) + 1)}


def _weights(table: dict[str, Any], widths: list[int]) -> Weights:
    """W[l]: widths[l-1] rows of widths[l-2] floats each."""
    return {
        l: [
            _floats(row, widths[l - 2], f"weights[{l}] row {j}")
            for j, row in enumerate(_list(rows, widths[l - 1], f"weights[{l}]"), start=1)
        ]
        for l, rows in _layer_entries(table, widths, "weights").items()
    }


def _biases(table: dict[str, Any], widths: list[int]) -> Biases:
    """B[l]: widths[l-1] floats."""
    return {
        l: _floats(row, widths[l - 1], f"biases[{l}]")
        for l, row in _layer_entries(table, widths, "biases").items()
    }


def _list(value: Any, length: int, name: str) -> list[Any]:
    """`value` if it is a list of `length` items, else ValueError naming it."""
    if not isinstance(value, list) or len(value) != length:
        size = f"{len(value)} entries" if isinstance(value, list) else f"a {type(value).__name__}"
        raise ValueError(f"load: {name} must be a list of {length} entries, got {size}")
    return value


def _floats(value: Any, length: int, name: str) -> list[float]:
    """`value` as `length` finite floats, else ValueError naming it."""
    numbers = []
    for item in _list(value, length, name):
        if type(item) not in (int, float):
            raise ValueError(f"load: {name} must hold numbers, got {item!r:.60}")
        try:
            numbers.append(float(item))
        except OverflowError:
            raise ValueError(f"load: {name} holds an integer too large for a float") from None
    return numbers
