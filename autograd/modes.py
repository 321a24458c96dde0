"""Per-thread switches: `no_grad()` (record no graph) and `detect_anomaly()` (check every gradient).

Each thread has its own switches, so a `no_grad` block in one thread never affects another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Switches(threading.local):
    """Each thread sees its own copy of these attributes, starting from the class defaults."""

    recording: bool = True
    checking: bool = False
    # While grad(create_graph=True) builds a derivative graph, ops follow IEEE 754 instead of
    # raising: 1/0 is inf and an overflow is ±inf, because a derivative may truly be infinite
    # there (d²/dx² √x at 0 is −inf). User code never runs in this mode.
    ieee: bool = False


_switches = _Switches()


class _OpenBlocks:
    """How many `no_grad()` blocks are open, in all threads together.

    While none is, every thread records, so an op that checks `_open.count` first never reads
    its thread's own switch: a thread-local attribute costs three plain ones, and every new node
    asks. Within a block the thread's switch decides.
    """

    __slots__ = ("count", "lock")

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def change(self, by: int) -> None:
        with self.lock:
            self.count += by


_open = _OpenBlocks()


def is_recording() -> bool:
    """True unless this thread is inside a `no_grad()` block."""
    return not _open.count or _switches.recording


def is_checking() -> bool:
    """True while this thread is inside a `detect_anomaly()` block."""
    return _switches.checking


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations compute values only: no graph, no local derivatives.

    Use it for evaluation and for parameter updates, where nothing needs a gradient.
    """
    before = _switches.recording
    _open.change(+1)
    _switches.recording = False
    try:
        yield
    finally:
        _switches.recording = before
        _open.change(-1)


@contextmanager
def _ieee_arithmetic() -> Iterator[None]:
    """Inside this block ops give ±inf or NaN where they would raise (see `_Switches.ieee`)."""
    before = _switches.ieee
    _switches.ieee = True
    try:
        yield
    finally:
        _switches.ieee = before


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block backward() and grad() stop at the first NaN or infinite gradient.

    They name the op and node whose edge made it, or the node whose sum of finite contributions
    overflowed.
    """
    before = _switches.checking
    _switches.checking = True
    try:
        yield
    finally:
        _switches.checking = before
