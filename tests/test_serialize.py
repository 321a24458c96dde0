"""nn.save / nn.load: exact round trips, atomic writes, and only ValueError for any bad file."""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import struct
import tempfile
import time
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


def _save_forever(path: Path) -> None:
    """The child process: save the same model again and again, every parameter = the round."""
    model = datasets.seed_example()[0]
    for round_number in range(1, 10**9):
        for p in model.parameters():
            p.data = float(round_number)
        save(model, path)


def test_sigkill_in_the_middle_of_saving_always_leaves_a_complete_model(tmp_path: Path) -> None:
    path, _ = _seed_file(tmp_path)
    rng = random.Random(0)
    kills, progressed, last = 100, 0, -1.0
    for _ in range(kills):
        pid = os.fork()
        if pid == 0:  # the child never returns to pytest
            try:
                _save_forever(path)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        values = {p.data for p in load(path).parameters()}
        assert len(values) == 1, "a file mixing two saves"
        value = values.pop()
        progressed += value != last
        last = value
    assert progressed > kills // 2  # the children really were saving when killed
    interrupted = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    print(f"{kills} kills, {len(interrupted)} of them halfway through a save")
    assert interrupted  # and some were killed halfway through a save (their temp file remains)


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
        (lambda d: {**d, "version": True}, "unsupported format version True"),
        (lambda d: {**d, "format": "keras"}, "not a chainrule model"),
        (lambda d: [d], "not a chainrule model"),
        (lambda d: {**d, "weights": {**d["weights"], "3": d["weights"]["3"][:1]}},
         "weights\\[3\\] must be a list of 2 entries, got 1"),
        (lambda d: {**d, "biases": {"2": d["biases"]["2"]}}, "biases must have the layers"),
        (lambda d: {**d, "architecture": {**d["architecture"], "nin": 4}},
         "weights\\[2\\] row 1 must be a list of 4 entries, got 3"),
        (lambda d: {**d, "architecture": {**d["architecture"], "nin": 0}}, "positive integer"),
        (lambda d: {**d, "architecture": {**d["architecture"], "activation": "gelu"}},
         "activation must be one of"),
        (lambda d: {**d, "biases": {**d["biases"], "3": [0.1, "0.2"]}}, "must hold numbers"),
        (lambda d: {**d, "biases": {**d["biases"], "3": [0.1, 10**400]}}, "too large"),
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
        (b"", "not valid JSON"),
        (b"hello", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 200_000, "nested too deeply"),
        (b'{"format": ' + b"{" * 100_000, "nested too deeply|not valid JSON"),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, "nested too deeply"),
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


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(serialize.MAX_BYTES + 1)  # sparse: no time or disk spent writing it
    started = time.perf_counter()
    with pytest.raises(ValueError, match="larger than the 104857600 byte limit"):
        load(path)
    assert time.perf_counter() - started < 0.5


def test_missing_files_directories_and_fifos_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="not a regular file"):
        load(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="not a regular file"):
        load(tmp_path / "pipe")


def test_wrong_argument_types_raise_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="save needs an MLP"):
        save("model", tmp_path / "m.json")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str"):
        load(42)  # type: ignore[arg-type]


def test_write_atomically_replaces_the_file_with_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")
    serialize.write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["page.html"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
