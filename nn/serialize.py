"""Save an MLP to JSON and load it back: every float bit-exact, every write atomic.

The file holds a format name and version, the architecture and every parameter:

    {"format": "chainrule-mlp", "version": 1,
     "architecture": {"nin": 3, "nouts": [4, 2], "activation": "sigmoid",
                      "output_activation": "sigmoid", "expand": false},
     "weights": {"2": [[w_11^2, w_12^2, ...], ...], "3": [...]},
     "biases":  {"2": [b_1^2, ...], "3": [...]}}

Floats are written with repr(), the shortest text that reads back as the same float. `load`
accepts exactly this: the fields in this order (any JSON whitespace between the pieces), each
number as repr() writes it. It reads the bytes piece by piece against that pattern and stops at
the first one that does not fit, so a hostile file costs little more memory than its own size.
Anything else raises ValueError saying what and where.
"""


from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import math
import os
import re
import secrets
import stat
import time
from array import array
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from nn.backprop import assign, weights_of
from nn.module import ACTIVATIONS, MLP

FORMAT = "chainrule-mlp"
VERSION = 1
MAX_BYTES = 8 * 1024 * 1024  # load's default limit: about 400,000 parameters as save writes them
STALE_SECONDS = 60  # a temp file unlocked for this long belongs to a save that was killed
SHOWN_BYTES = 200  # how much of the target's name a temp file repeats (NAME_MAX is 255)

PathLike = str | os.PathLike[str]
Item = TypeVar("Item")


def save(model: MLP, path: PathLike) -> None:
    """Write `model` to `path` atomically (see write_atomically)."""
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
        "weights": {str(l): [[float(w) for w in row] for row in rows] for l, rows in W.items()},
        "biases": {str(l): [float(b) for b in row] for l, row in B.items()},
    }
    write_atomically(path, json.dumps(document, allow_nan=False).encode("utf-8"))


def write_atomically(path: PathLike, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path` in one step.

    A crash, a kill or a full disk at any moment leaves the old file or the new one, never half
    of one. Only a regular file is replaced, keeping its mode (and owner, where permitted); a
    symbolic link, folder, device or pipe at `path` is refused. A new file gets 0666 less the
    umask. Errors name `path`, never the temporary file. Every file chainrule writes (models,
    drawings, pages, results) goes through here.
    """
    target = os.fspath(path)
    try:
        _write(target, data)
    except OSError as error:
        if error.errno is None or (error.filename == target and error.filename2 is None):
            raise
        raise OSError(error.errno, error.strerror, target) from None


def _write(target: str, data: bytes) -> None:
    """write_atomically's work; its OSErrors may name the temporary file."""
    existing = _replaceable(target)
    folder, name = os.path.split(os.path.abspath(target))
    prefix = _temporary_prefix(name)
    _remove_abandoned_temporaries(folder, prefix)
    temporary = os.path.join(folder, f"{prefix}{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    handle = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            fcntl.flock(handle, fcntl.LOCK_EX)  # held until renamed: the file is in use
            if existing is not None:
                _keep_owner_and_mode(handle, existing)
            file.write(data)
            file.flush()
            os.fsync(handle)
            _replaceable(target)  # again, just before: the path may have changed meanwhile
            os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _replaceable(target: str) -> os.stat_result | None:
    """The status of the regular file at `target`, None if nothing is there; else OSError."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(status.st_mode):
        raise OSError(
            errno.EINVAL,
            "is a symbolic link; chainrule replaces only regular files, so give the path of "
            f"the file it points to ({os.path.realpath(target)})",
            target,
        )
    if not stat.S_ISREG(status.st_mode):
        raise OSError(
            errno.EINVAL, f"is {_kind(status.st_mode)}, not a regular file; refusing to replace it",
            target,
        )
    return status


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    kinds = {stat.S_ISDIR: "a folder", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device", stat.S_ISFIFO: "a pipe (FIFO)",
             stat.S_ISSOCK: "a socket"}
    return next((word for test, word in kinds.items() if test(mode)), "a special file")


def _keep_owner_and_mode(handle: int, existing: os.stat_result) -> None:
    """Give the new file the old one's owner (where permitted) and then its mode."""
    try:
        os.fchown(handle, existing.st_uid, existing.st_gid)
    except PermissionError:  # only root may give a file away; the group we may keep
        with suppress(PermissionError):
            os.fchown(handle, -1, existing.st_gid)
    os.fchmod(handle, stat.S_IMODE(existing.st_mode))  # after chown, which may clear set-id bits


def _temporary_prefix(name: str) -> str:
    """".model.json.<8 hex>.": the target's name (cut to fit NAME_MAX) and a hash of all of it."""
    encoded = os.fsencode(name)
    digest = hashlib.sha256(encoded).hexdigest()[:8]
    return f".{os.fsdecode(encoded[:SHOWN_BYTES])}.{digest}."


def _remove_abandoned_temporaries(folder: str, prefix: str) -> None:
    """Delete this target's temp files left by killed saves: named by us, unlocked, not new.

    A live save holds a lock on its temp file from creation to rename; the kernel drops the lock
    when a process dies, even by kill -9. The age check covers the instant before the lock.
    """
    ours = re.compile(re.escape(prefix) + "[0-9a-f]{8}\\.tmp")
    with suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if ours.fullmatch(entry.name):
                _remove_if_abandoned(entry.path)


def _remove_if_abandoned(path: str) -> None:
    with suppress(OSError):
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode) or time.time() - status.st_mtime < STALE_SECONDS:
            return
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if in use
            os.unlink(path)
        finally:
            os.close(handle)


def load(path: PathLike, max_bytes: int = MAX_BYTES) -> MLP:
    """The MLP saved at `path`.

    FileNotFoundError (or another OSError) when the file cannot be opened; ValueError naming
    what is wrong when it is not a regular file, is larger than `max_bytes`, or is not exactly
    what save writes.
    """
    path = _path(path, "load")
    if type(max_bytes) is not int or max_bytes < 1:
        raise ValueError(f"load: max_bytes must be a positive integer, got {max_bytes!r:.60}")
    _check_status(os.stat(path), path, max_bytes)  # refuse a device before even opening it
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        _check_status(os.fstat(handle), path, max_bytes)  # it may have been swapped meanwhile
        raw = _read_at_most(handle, max_bytes + 1, path)
    finally:
        os.close(handle)
    if len(raw) > max_bytes:
        raise ValueError(f"load: {path!s} is larger than the {max_bytes} byte limit")
    return _Reader(raw, path).model()


def _path(path: object, caller: str) -> PathLike:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{caller}: path must be a str or a path, got {type(path).__name__}")
    return path


def _check_status(status: os.stat_result, path: PathLike, max_bytes: int) -> None:
    """ValueError unless `status` is of a non-empty regular file within the size limit."""
    if not stat.S_ISREG(status.st_mode):
        raise ValueError(f"load: {path!s} is {_kind(status.st_mode)}, not a regular file")
    if status.st_size == 0:
        raise ValueError(f"load: {path!s} is empty (0 bytes), not a chainrule model")
    if status.st_size > max_bytes:
        raise ValueError(
            f"load: {path!s} is larger than the {max_bytes} byte limit "
            "(raise it with load(path, max_bytes=...))"
        )


def _read_at_most(handle: int, limit: int, path: PathLike) -> bytes:
    """Up to `limit` bytes from `handle`; ValueError if reading would wait (not a disk file)."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size < limit and (chunk := os.read(handle, limit - size)):
            chunks.append(chunk)
            size += len(chunk)
    except BlockingIOError:
        raise ValueError(f"load: reading {path!s} would wait; it is not an ordinary file") from None
    except OSError as error:
        raise ValueError(f"load: cannot read {path!s}: {error.strerror or error}") from None
    return b"".join(chunks)


_SPACE = b"[ \t\n\r]*"
_BLANK = re.compile(_SPACE)
_PIECE = re.compile(_SPACE + b'([{}\\[\\],:]|"[A-Za-z0-9_.-]{0,40}"|true|false)')
_INTEGER = re.compile(_SPACE + b"(-?(?:0|[1-9][0-9]{0,17}))(?![0-9.eE])")
_NUMBER_TEXT = b"-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_NUMBER = re.compile(_SPACE + b"(" + _NUMBER_TEXT + b")")
RUN = 4096  # numbers checked at once, with loops in C
_NUMBERS = re.compile(
    _SPACE + _NUMBER_TEXT + b"(?:" + _SPACE + b"," + _SPACE + _NUMBER_TEXT + b"){0,%d}" % (RUN - 1)
)
_BLANKS = re.compile(b"[ \t\n\r]+")
LONGEST_FLOAT = len(repr(-2.2250738585072014e-308))  # no float's repr() is longer
_NOT_FINITE = re.compile(_SPACE + b"(-?(?:NaN|Infinity))")


class _Reader:
    """Reads the bytes of a model file piece by piece, in the order save writes them."""

    __slots__ = ("at", "data", "path")

    def __init__(self, data: bytes, path: PathLike) -> None:
        self.data = data
        self.path = path
        self.at = 0

    def refuse(self, reason: str) -> ValueError:
        return ValueError(f"load: {self.path!s}: {reason}")

    def unexpected(self, wanted: str) -> ValueError:
        at = _BLANK.match(self.data, self.at).end()  # type: ignore[union-attr]
        found = self.data[at : at + 12]
        shown = repr(found.decode("ascii", "replace")) if found else "the end of the file"
        return self.refuse(f"not a chainrule model file: expected {wanted} at byte {at}, "
                           f"found {shown}")

    def piece(self, wanted: str) -> bytes:
        """The next punctuation mark, short string or true/false."""
        match = _PIECE.match(self.data, self.at)
        if match is None:
            raise self.unexpected(wanted)
        self.at = match.end()
        return match[1]

    def expect(self, literal: bytes) -> None:
        start = self.at
        if self.piece(literal.decode()) != literal:
            self.at = start
            raise self.unexpected(literal.decode())

    def key(self, name: str, first: bool = False) -> None:
        """`"name":`, after a comma unless it is the first key of its object."""
        if not first:
            self.expect(b",")
        self.expect(f'"{name}"'.encode())
        self.expect(b":")

    def string(self, name: str) -> str:
        start = self.at
        text = self.piece(f"{name} (a string)")
        if not text.startswith(b'"'):
            self.at = start
            raise self.unexpected(f"{name} (a string)")
        return text[1:-1].decode("ascii")

    def integer(self, name: str) -> int:
        match = _INTEGER.match(self.data, self.at)
        if match is None:
            raise self.unexpected(f"{name} (an integer)")
        self.at = match.end()
        return int(match[1])

    def positive(self, name: str) -> int:
        value = self.integer(name)
        if value < 1:
            raise self.refuse(f"{name} must be a positive integer, got {value}")
        return value

    def boolean(self, name: str) -> bool:
        start = self.at
        text = self.piece(f"{name} (true or false)")
        if text not in (b"true", b"false"):
            self.at = start
            raise self.unexpected(f"{name} (true or false)")
        return text == b"true"

    def number(self, name: str) -> float:
        """A finite float written exactly as repr() writes it."""
        match = _NUMBER.match(self.data, self.at)
        if match is None:
            constant = _NOT_FINITE.match(self.data, self.at)
            if constant:
                raise self.refuse(f"{name} holds {constant[1].decode()}; a model's numbers must "
                                "be finite")
            raise self.unexpected(f"a number in {name}")
        text = match[1].decode()
        if len(text) > LONGEST_FLOAT:
            raise self.refuse(f"{name}: the number {text[:20]}... is longer than any float "
                              "save writes")
        value = float(text)
        if not math.isfinite(value):
            raise self.refuse(f"{name}: the number {text[:40]} is too large for a float")
        if repr(value) != text:
            raise self.refuse(f"{name}: {text[:40]} is not a float as save writes it "
                            f"(it reads as {value!r})")
        self.at = match.end()
        return value

    def items(self, read: Callable[[str], Item], name: str, length: int | None,
              into: list[Item]) -> None:
        """`[item, item, ...]` appended to `into`, refused as soon as it passes `length`."""
        self.expect(b"[")
        closed = self.closes()
        while not closed:
            if len(into) == length:
                raise self.refuse(f"{name} must be a list of {length} entries, got more")
            into.append(read(name))
            if not (closed := self.closes()):
                self.expect(b",")
        if length is not None and len(into) != length:
            raise self.refuse(f"{name} must be a list of {length} entries, got {len(into)}")

    def closes(self, mark: bytes = b"]") -> bool:
        """True, having read it, if `mark` comes next."""
        match = _PIECE.match(self.data, self.at)
        if match is None or match[1] != mark:
            return False
        self.at = match.end()
        return True

    def layers(
        self, read: Callable[[int, str], Item], widths: list[int], what: str
    ) -> dict[int, Item]:
        """`{"2": ..., "3": ..., "L": ...}`, each layer read by `read(l, name)`."""
        self.expect(b"{")
        table = {}
        for l in range(2, len(widths) + 1):
            if l > 2 and self.closes(b"}"):
                raise self.refuse(f"{what} must have the layers 2 to {len(widths)}, "
                                  f"got only 2 to {l - 1}")
            self.key(str(l), first=l == 2)
            table[l] = read(l, f"{what}[{l}]")
        self.expect(b"}")
        return table

    def model(self) -> MLP:
        """Check every piece of the file in order, then build the MLP it describes."""
        self.expect(b"{")
        self.key("format", first=True)
        if self.string("the format name") != FORMAT:
            raise self.refuse(f"not a chainrule model file (no \"format\": \"{FORMAT}\")")
        self.key("version")
        version = self.integer("the format version")
        if version != VERSION:
            raise self.refuse(f"unsupported format version {version}; this reader knows {VERSION}")
        self.key("architecture")
        self.expect(b"{")
        self.key("nin", first=True)
        nin = self.positive("architecture.nin")
        self.key("nouts")
        nouts: list[int] = []
        self.items(self.positive, "architecture.nouts", None, nouts)
        if not nouts:
            raise self.refuse("architecture.nouts is empty")
        widths = [nin, *nouts]
        activation = self.activation("activation")
        output_activation = self.activation("output_activation")
        self.key("expand")
        expand = self.boolean("architecture.expand")
        self.expect(b"}")
        self.key("weights")
        weights = self.layers(lambda l, name: self.rows(widths[l - 1], widths[l - 2], name),
                              widths, "weights")
        self.key("biases")
        biases = self.layers(lambda l, name: self.floats(widths[l - 1], name), widths, "biases")
        self.expect(b"}")
        if self.data[self.at :].strip(b" \t\n\r"):
            raise self.refuse(f"not a chainrule model file: more after its end at byte {self.at}")
        model = MLP(nin, nouts, activation, output_activation, expand=expand)
        assign(model, {l: [row.tolist() for row in rows] for l, rows in weights.items()},
               {l: row.tolist() for l, row in biases.items()})
        return model

    def activation(self, key: str) -> str:
        self.key(key)
        name = self.string(f"architecture.{key}")
        if name not in ACTIVATIONS:
            raise self.refuse(f"architecture.{key} must be one of {ACTIVATIONS}, got {name!r}")
        return name

    def rows(self, count: int, length: int, name: str) -> list[array[float]]:
        rows: list[array[float]] = []
        self.items(lambda row_name: self.floats(length, f"{name} row {len(rows) + 1}"),
                   name, count, rows)
        return rows

    def floats(self, length: int, name: str) -> array[float]:
        """`[x, y, ...]`: `length` floats, each as repr() writes it, checked RUN at a time."""
        numbers = array("d")
        self.expect(b"[")
        while not self.closes():
            if numbers:
                self.expect(b",")
            run = _NUMBERS.match(self.data, self.at)
            text = run[0].strip(b" \t\n\r") if run else b""
            values = array("d", map(float, text.split(b","))) if run else array("d")
            written = ", ".join(map(repr, values)).encode()  # as save writes them
            if not run or (text != written and  # else: the same but for whitespace?
                           _BLANKS.sub(b"", text) != written.replace(b" ", b"")):
                self.first_bad_number(name)
            numbers.extend(values)
            self.at = run.end()  # type: ignore[union-attr]
            if len(numbers) > length:
                raise self.refuse(f"{name} must be a list of {length} entries, got more")
        if len(numbers) != length:
            raise self.refuse(f"{name} must be a list of {length} entries, got {len(numbers)}")
        return numbers

    def first_bad_number(self, name: str) -> None:
        """Read the numbers ahead one by one; number() raises at the first that is wrong."""
        while True:
            self.number(name)
            self.expect(b",")
