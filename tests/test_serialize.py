"""nn.save / nn.load: exact round trips, atomic writes, and only ValueError for any bad file."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import random
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import MLP, datasets, load, save, serialize


def _bits(model: MLP) -> list[bytes]:
    return [struct.pack(">d", p.data) for p in model.parameters()]


def _seed_file(tmp_path: Path) -> tuple[Path, bytes]:
    """The seed example saved in tmp_path: its path and its bytes."""
    path = tmp_path / "model.json"
    save(datasets.seed_example()[0], path)
    return path, path.read_bytes()


@functools.cache
def _good_bytes() -> bytes:
    """The bytes of a valid file, made once for the fuzz tests."""
    with tempfile.TemporaryDirectory() as folder:
        return _seed_file(Path(folder))[1]


def _loads_or_refuses(path: Path, data: bytes) -> bool:
    """Write `data`, load it: True if it loaded, False if ValueError (anything else fails)."""
    path.write_bytes(data)
    try:
        load(path)
    except ValueError as error:
        assert str(error)  # a reason, never an empty message
        return False
    return True


# -- round trips -------------------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=60)
@given(st.lists(finite_floats, min_size=26, max_size=26))
def test_every_float_round_trips_bit_exactly(tmp_path_factory: Any, numbers: list[float]) -> None:
    model = datasets.seed_example()[0]
    for p, number in zip(model.parameters(), numbers):
        p.data = number
    path = tmp_path_factory.mktemp("round") / "model.json"
    save(model, path)
    assert _bits(load(path)) == _bits(model)


def test_extreme_floats_round_trip_bit_exactly(tmp_path: Path) -> None:
    model = MLP(2, [3], seed=0)
    extremes = [-0.0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1 / 3,
                -1e-300, 2.0**-1074 * 3, 123456789.123456789]
    for p, number in zip(model.parameters(), extremes):
        p.data = number
    save(model, tmp_path / "m.json")
    assert _bits(load(tmp_path / "m.json")) == _bits(model)


def test_architecture_and_outputs_survive_a_round_trip(tmp_path: Path) -> None:
    model = MLP(3, [5, 4, 2], activation="relu", output_activation="sigmoid", seed=3, expand=True)
    save(model, tmp_path / "m.json")
    copy = load(tmp_path / "m.json")
    assert (copy.nin, copy.nouts, copy.activation, copy.output_activation, copy.expand) == (
        3, [5, 4, 2], "relu", "sigmoid", True)
    outputs = [[v.data for v in m([0.1, -0.2, 0.3])] for m in (model, copy)]  # type: ignore[union-attr]
    assert outputs[0] == outputs[1]


def test_file_is_json_with_format_version_architecture_and_parameters(tmp_path: Path) -> None:
    path, _ = _seed_file(tmp_path)
    document = json.loads(path.read_text())
    assert document["format"] == "chainrule-mlp" and document["version"] == 1
    assert document["architecture"]["nouts"] == [4, 2]
    assert document["weights"]["3"][1] == datasets.SEED_W3[1]
    assert document["biases"]["2"] == datasets.SEED_B2


# -- atomic saves -----------------------------------------------------------------------------


def test_a_save_that_fails_while_writing_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = _seed_file(tmp_path)

    def disk_full(descriptor: int) -> None:  # the new bytes are written, not yet on disk
        raise OSError("disk full")

    monkeypatch.setattr(serialize.os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        save(MLP(3, [4, 2], seed=9), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.json"]  # no temp file left behind


def test_a_save_that_fails_at_the_rename_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = _seed_file(tmp_path)

    def refuse(source: object, target: object) -> None:
        raise PermissionError("rename refused")

    monkeypatch.setattr(serialize.os, "replace", refuse)
    with pytest.raises(PermissionError):
        save(MLP(3, [4, 2], seed=9), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_model_with_nan_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path, before = _seed_file(tmp_path)
    model = datasets.seed_example()[0]
    model.weight(2, 1, 2).data = float("nan")
    with pytest.raises(ValueError, match="w_12\\^2 is nan"):
        save(model, path)
    assert path.read_bytes() == before


def _save_forever(path: Path, first: int) -> None:
    """The child process: save the same model again and again, every parameter = the round."""
    model = datasets.seed_example()[0]
    for round_number in range(first, first + 10**6):
        for p in model.parameters():
            p.data = float(round_number)
        save(model, path)


def _kill_savers_midway(path: Path, kills: int) -> int:
    """Fork savers and SIGKILL each at a random moment; after each kill the file must hold one
    whole save. Returns how many kills found a save by the child just killed."""
    rng = random.Random(0)
    progressed = 0
    for kill in range(1, kills + 1):
        pid = os.fork()
        if pid == 0:  # the child never returns
            try:
                _save_forever(path, first=kill * 10**6)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.005, 0.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        values = {p.data for p in load(path).parameters()}
        if len(values) != 1:
            raise AssertionError(f"a file mixing two saves: {sorted(values)}")
        progressed += values.pop() >= kill * 10**6
    return progressed


def test_sigkill_in_the_middle_of_saving_always_leaves_a_complete_model(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model = datasets.seed_example()[0]
    for p in model.parameters():
        p.data = 0.0
    save(model, path)
    # The forks happen in a fresh single-threaded interpreter, not in pytest's threaded process.
    kills = 100
    code = ("import sys, test_serialize; "
            f"print(test_serialize._kill_savers_midway(sys.argv[1], {kills}))")
    tests = Path(__file__).resolve().parent
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    child = subprocess.run([sys.executable, "-c", code, str(path)], env=environment,
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr
    assert int(child.stdout) > kills // 4  # the children really were saving when killed
    interrupted = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    print(f"{kills} kills, {len(interrupted)} of them halfway through a save")
    assert interrupted  # and some were killed halfway through a save (their temp file remains)
    for name in interrupted:  # once they are old enough, the next save removes them
        os.utime(tmp_path / name, (0, 0))
    save(MLP(3, [4, 2], seed=1), path)
    assert os.listdir(tmp_path) == ["model.json"]


def _temporary(target: Path, token: str = "0123abcd") -> Path:
    """A temp file of `target` named as write_atomically names them."""
    return target.parent / f"{serialize._temporary_prefix(target.name)}{token}.tmp"


def test_only_abandoned_temp_files_of_the_same_target_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    abandoned, young, in_use = (_temporary(target, t) for t in ("00000001", "00000002", "0000003a"))
    other_target = _temporary(tmp_path / "other.json")
    not_ours = tmp_path / ".model.json.notes.tmp"
    for path in (abandoned, young, in_use, other_target, not_ours):
        path.write_text("half a save")
        if path is not young:
            os.utime(path, (0, 0))
    with open(in_use, "rb") as live:  # a save in progress holds the lock
        fcntl.flock(live.fileno(), fcntl.LOCK_EX)
        save(MLP(2, [1], seed=0), target)
    assert sorted(os.listdir(tmp_path)) == sorted(
        p.name for p in (target, young, in_use, other_target, not_ours))


@pytest.mark.parametrize("name", ["a" * 250 + ".json", "€" * 83 + ".json"])
def test_file_names_up_to_255_bytes_can_be_saved(tmp_path: Path, name: str) -> None:
    assert 250 <= len(os.fsencode(name)) <= 255
    model = MLP(2, [2], seed=4)
    save(model, tmp_path / name)
    save(model, tmp_path / name)  # replacing too
    assert _bits(load(tmp_path / name)) == _bits(model)
    assert os.listdir(tmp_path) == [name]


def _special_files(folder: Path) -> dict[str, Path]:
    """A folder, a pipe, a symbolic link and (as root) a device node like /dev/null."""
    (folder / "real.json").write_text("the file the link points to")
    special = {"folder": folder / "folder", "pipe": folder / "pipe", "link": folder / "link"}
    special["folder"].mkdir()
    os.mkfifo(special["pipe"])
    special["link"].symlink_to(folder / "real.json")
    if os.geteuid() == 0:
        special["device"] = folder / "null"
        os.mknod(special["device"], stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return special


def test_a_special_file_at_the_target_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    special = _special_files(tmp_path)
    if "device" not in special:
        pytest.skip("making a device node needs root")  # the other kinds are checked below
    before = {name: os.lstat(path) for name, path in special.items()}
    for name, path in special.items():
        with pytest.raises(OSError, match="regular file") as error:
            save(MLP(2, [1], seed=0), path)
        assert error.value.filename == str(path) and ".tmp" not in str(error.value), name
        after = os.lstat(path)
        assert (after.st_mode, after.st_ino) == (before[name].st_mode, before[name].st_ino), name
    assert (tmp_path / "real.json").read_text() == "the file the link points to"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_pipes_links_and_folders_are_refused_without_root(tmp_path: Path) -> None:
    special = _special_files(tmp_path)
    for kind in ("pipe", "link", "folder"):
        with pytest.raises(OSError, match="symbolic link|pipe|folder"):
            serialize.write_atomically(special[kind], b"new")
    assert special["link"].is_symlink() and stat.S_ISFIFO(os.lstat(special["pipe"]).st_mode)


def test_overwriting_keeps_the_files_mode_and_owner(tmp_path: Path) -> None:
    path, _ = _seed_file(tmp_path)
    os.chmod(path, 0o600)
    owner = (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        owner = (4321, 4321)
        os.chown(path, *owner)
    save(MLP(3, [4, 2], seed=9), path)
    status = os.stat(path)
    assert stat.S_IMODE(status.st_mode) == 0o600
    assert (status.st_uid, status.st_gid) == owner


@pytest.mark.parametrize("where", ["missing folder", "a file as folder", "permission denied"])
def test_a_failed_save_names_the_path_given_never_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (tmp_path / "file.txt").write_text("")
    folder = {"missing folder": tmp_path / "no" / "such", "a file as folder": tmp_path / "file.txt",
              "permission denied": tmp_path}[where]
    if where == "permission denied":  # root may write anywhere: let the OS refuse for us
        def refuse(name: str, *args: object) -> int:
            raise PermissionError(13, "Permission denied", name)

        monkeypatch.setattr(serialize.os, "open", refuse)
    path = folder / "model.json"
    with pytest.raises(OSError) as error:
        save(MLP(2, [1], seed=0), path)
    assert error.value.filename == str(path)
    assert ".tmp" not in str(error.value)
    if where == "missing folder":
        assert isinstance(error.value, FileNotFoundError)


# -- hostile files: only ValueError, with a reason ----------------------------------------------


def test_every_truncation_is_refused(tmp_path: Path) -> None:
    path, good = _seed_file(tmp_path)
    bad = tmp_path / "bad.json"
    assert not any(_loads_or_refuses(bad, good[:n]) for n in range(len(good)))
    assert _loads_or_refuses(bad, good)


def test_every_single_byte_flip_loads_or_is_refused(tmp_path: Path) -> None:
    path, good = _seed_file(tmp_path)
    bad = tmp_path / "bad.json"
    loaded = 0
    for position in range(len(good)):
        for mask in (0x01, 0x04, 0x20, 0x80):
            flipped = bytearray(good)
            flipped[position] ^= mask
            loaded += _loads_or_refuses(bad, bytes(flipped))
    assert loaded > 0  # some flips only change a digit of a weight: still a valid model


@settings(max_examples=400)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_random_byte_changes_load_or_are_refused(
    tmp_path_factory: Any, changes: list[tuple[int, int]]
) -> None:
    path = tmp_path_factory.mktemp("flip") / "model.json"
    data = bytearray(_good_bytes())
    for position, byte in changes:
        data[position % len(data)] = byte
    _loads_or_refuses(path, bytes(data))


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _replace(document: Any, route: list[int], value: Any) -> Any:
    """A copy of `document` with the part reached by following `route` replaced by `value`."""
    if not route or not isinstance(document, (dict, list)) or not document:
        return value
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[route[0] % len(keys)]
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[key] = _replace(document[key], route[1:], value)  # type: ignore[index]
    return copy


@settings(max_examples=300)
@given(st.lists(st.integers(0, 50), max_size=5), json_values)
def test_wrong_types_anywhere_load_or_are_refused(
    tmp_path_factory: Any, route: list[int], value: Any
) -> None:
    path = tmp_path_factory.mktemp("types") / "model.json"
    document = _replace(json.loads(_good_bytes()), route, value)
    _loads_or_refuses(path, json.dumps(document).encode())


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_nan_or_infinite_weights_are_refused(tmp_path: Path, token: str) -> None:
    path, good = _seed_file(tmp_path)
    path.write_text(good.decode().replace("0.7", token, 1))
    with pytest.raises(ValueError, match="finite|too large"):
        load(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: {**d, "version": 2}, "unsupported format version 2"),
        (lambda d: {**d, "version": True}, "expected the format version \\(an integer\\)"),
        (lambda d: {**d, "format": "keras"}, "not a chainrule model"),
        (lambda d: [d], "not a chainrule model"),
        (lambda d: {**d, "weights": {**d["weights"], "3": d["weights"]["3"][:1]}},
         "weights\\[3\\] must be a list of 2 entries, got 1"),
        (lambda d: {**d, "biases": {"2": d["biases"]["2"]}},
         "biases must have the layers 2 to 3, got only 2 to 2"),
        (lambda d: {**d, "architecture": {**d["architecture"], "nin": 4}},
         "weights\\[2\\] row 1 must be a list of 4 entries, got 3"),
        (lambda d: {**d, "architecture": {**d["architecture"], "nin": 0}}, "positive integer"),
        (lambda d: {**d, "architecture": {**d["architecture"], "activation": "gelu"}},
         "activation must be one of"),
        (lambda d: {**d, "biases": {**d["biases"], "3": [0.1, "0.2"]}},
         "expected a number in biases\\[3\\]"),
        (lambda d: {**d, "biases": {**d["biases"], "3": [0.1, 10**400]}}, "longer than any float"),
        (lambda d: {**d, "comment": "hi"}, "expected } at byte 365, found ', .comment"),
        (lambda d: {"version": 1, **d}, 'expected "format"'),
        (lambda d: {**d, "architecture": {**d["architecture"], "hidden": 3}}, "expected }"),
        (lambda d: {**d, "biases": {**d["biases"], "3": [0.1, 2]}},
         "2 is not a float as save writes it \\(it reads as 2.0\\)"),
    ],
)
def test_wrong_version_format_or_shape_names_the_problem(
    tmp_path: Path, change: Any, message: str
) -> None:
    path, good = _seed_file(tmp_path)
    path.write_text(json.dumps(change(json.loads(good))))
    with pytest.raises(ValueError, match=message):
        load(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"hello", "expected { at byte 0, found 'hello'"),
        (b"\xff\xfe{}", "expected { at byte 0"),
        (b"[" * 200_000, "expected { at byte 0"),
        (b'{"format": ' + b"{" * 100_000, "expected the format name \\(a string\\) at byte 11"),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, 'expected "format" at byte 1'),
        (b" " * 100, "expected { at byte 100, found the end of the file"),
    ],
)
def test_garbage_and_deep_nesting_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        load(path)


@pytest.mark.parametrize("field", ["format", "version", "architecture", "weights", "biases"])
def test_deep_nesting_just_inside_the_parsers_limit_is_refused(tmp_path: Path, field: str) -> None:
    document = json.loads(_good_bytes())
    text = json.dumps({**document, field: None}).replace("null", "[" * 980 + "]" * 980)
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(ValueError, match="load: "):
        load(path)


def test_a_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(serialize.MAX_BYTES + 1)  # sparse: no time or disk spent writing it

    def must_not_read(*args: object) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(serialize.os, "read", must_not_read)
    with pytest.raises(ValueError, match="larger than the 8388608 byte limit"):
        load(path)


def test_the_size_limit_can_be_raised_or_lowered(tmp_path: Path) -> None:
    path, good = _seed_file(tmp_path)
    with pytest.raises(ValueError, match=f"larger than the {len(good) - 1} byte limit"):
        load(path, max_bytes=len(good) - 1)
    assert _bits(load(path, max_bytes=len(good))) == _bits(datasets.seed_example()[0])
    with pytest.raises(ValueError, match="max_bytes must be a positive integer"):
        load(path, max_bytes=0)


LIMIT = 2_000_000
HEAD = _good_bytes()[: _good_bytes().index(b'"nin": 3')]
TAIL = b', "activation": "sigmoid", "output_activation": "sigmoid", "expand": false}'


@pytest.mark.parametrize(
    ("architecture", "body", "reason"),
    [  # the worst cases for a reader: far too many rows; one row as long as the header declares
        (b'"nin": 3, "nouts": [4, 2]', b"[0.0, 0.0, 0.0], " * (LIMIT // 17), "4 entries, got more"),
        (b'"nin": 400000, "nouts": [1]', b"[" + b"0.0, " * 399_999 + b"0.0]]",
         "expected , at byte"),
    ],
)
def test_a_hostile_file_at_the_size_limit_costs_a_few_times_its_size(
    tmp_path: Path, architecture: bytes, body: bytes, reason: str
) -> None:
    path = tmp_path / "hostile.json"
    data = (HEAD + architecture + TAIL + b', "weights": {"2": [' + body)[:LIMIT]
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=reason):
            load(path, max_bytes=LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"{len(data):,} bytes, peak {peak:,} bytes")
    assert peak < 5 * len(data)  # the bytes read, plus 8 bytes per float and growing room


def test_only_what_save_writes_is_read(tmp_path: Path) -> None:
    path, good = _seed_file(tmp_path)
    text = good.decode()
    first = text[text.index('"weights": {"2": [[') + 19 :].split(",")[0]  # 0.15 in the seed file
    for changed, reason in [
        ('{"format": "garbage", ' + text[1:], "not a chainrule model"),
        (text.replace(first, "1e-400", 1), "1e-400 is not a float as save writes it"),
        (text.replace(first, "0.150", 1), "it reads as 0.15"),
        (text.replace(first, "1", 1), "it reads as 1.0"),
        (text.replace('"version": 1', '"version": 1.0'), "format version \\(an integer\\)"),
        (text + "}", "more after its end"),
    ]:
        path.write_text(changed)
        with pytest.raises(ValueError, match=reason):
            load(path)


def test_whitespace_between_the_pieces_is_allowed(tmp_path: Path) -> None:
    path, good = _seed_file(tmp_path)
    path.write_text(json.dumps(json.loads(good), indent=2) + "\n")  # as json.tool would print it
    assert _bits(load(path)) == _bits(datasets.seed_example()[0])


def test_missing_files_directories_and_fifos_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.json"):
        load(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="is a folder, not a regular file"):
        load(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="is a pipe \\(FIFO\\), not a regular file"):
        load(tmp_path / "pipe")


def _finishes(work: Callable[[], object], seconds: float = 10.0) -> BaseException | None:
    """Run `work` in a thread: the exception it raised, or AssertionError if it is stuck."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "load is stuck"
    return outcome[0]


def test_a_fifo_swapped_in_after_the_check_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = tmp_path / "model.json"
    os.mkfifo(pipe)
    (tmp_path / "regular.json").write_bytes(_good_bytes())
    regular = os.stat(tmp_path / "regular.json")
    real_stat = os.stat

    def stale_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        return regular if os.fspath(path) == str(pipe) else real_stat(path, *args, **kwargs)

    monkeypatch.setattr(serialize.os, "stat", stale_stat)  # what stat saw, before the swap
    try:
        error = _finishes(lambda: load(pipe))
    finally:  # a writer unblocks a reader stuck in open(), should there be one
        with suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    assert isinstance(error, ValueError) and "pipe (FIFO)" in str(error)


@pytest.mark.skipif(not os.access("/proc/kmsg", os.R_OK), reason="needs a readable /proc/kmsg")
def test_a_regular_file_whose_read_blocks_does_not_hang() -> None:
    error = _finishes(lambda: load("/proc/kmsg"))  # a "regular file" of size 0 that blocks
    assert isinstance(error, ValueError)


def test_wrong_argument_types_raise_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="save needs an MLP"):
        save("model", tmp_path / "m.json")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str"):
        load(42)  # type: ignore[arg-type]


def test_write_atomically_gives_a_new_file_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    serialize.write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["page.html"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
