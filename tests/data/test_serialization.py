"""minigrad.save / minigrad.load: exact round trips, corrupt files, atomic writes, torch interop."""

import collections
import io
import json
import os
import struct
import tempfile
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import nn
from minigrad.serialization import SerializationError, from_torch_state_dict, to_torch_state_dict

DTYPES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]
arrays = hnp.arrays(dtype=st.sampled_from(DTYPES).map(np.dtype),
                    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))


@st.composite
def tensors(draw):
    array = draw(arrays)
    if array.ndim and draw(st.booleans()):  # a non-contiguous view: reversed axes or every other row
        array = array.T if draw(st.booleans()) else array[::2]
    floating = array.dtype.kind == "f"
    requires_grad = floating and draw(st.booleans())
    if floating and draw(st.booleans()):
        return nn.Parameter(minigrad.from_numpy(array), requires_grad=requires_grad)
    return minigrad.from_numpy(array).requires_grad_(requires_grad) if floating else minigrad.from_numpy(array)


numpy_scalars = st.sampled_from(DTYPES).flatmap(lambda d: hnp.from_dtype(np.dtype(d)).map(np.dtype(d).type))
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), st.binary(max_size=8),
                   tensors(), arrays, numpy_scalars, st.sampled_from([minigrad.float32, minigrad.int64, minigrad.bool]),
                   st.lists(st.integers(0, 5), max_size=3).map(minigrad.Size))
keys = st.one_of(st.text(max_size=5), st.integers(), st.booleans(), st.none(),
                 st.tuples(st.integers(), st.text(max_size=2)))
structures = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.lists(children, max_size=4).map(tuple),
    st.dictionaries(keys, children, max_size=4),
    st.dictionaries(keys, children, max_size=4).map(collections.OrderedDict),
), max_leaves=12)


def assert_identical(loaded, original, where="obj"):
    """Same types all the way down, tensors and floats equal bit for bit, dict keys in order with their types."""
    assert type(loaded) is type(original), f"{where}: {type(loaded)} is not {type(original)}"
    if isinstance(original, minigrad.Tensor):
        assert loaded.dtype == original.dtype and loaded.shape == original.shape, where
        assert loaded.detach().numpy().tobytes() == original.detach().numpy().tobytes(), f"{where}: values"
        assert loaded.requires_grad == original.requires_grad and loaded.is_leaf, f"{where}: requires_grad"
    elif isinstance(original, (np.ndarray, np.generic)):
        assert loaded.dtype == original.dtype and loaded.shape == original.shape, where
        assert loaded.tobytes() == original.tobytes(), f"{where}: values"
    elif isinstance(original, float):
        assert struct.pack("<d", loaded) == struct.pack("<d", original), f"{where}: {loaded!r} != {original!r}"
    elif isinstance(original, dict):
        assert len(loaded) == len(original), where
        for (key, value), (original_key, original_value) in zip(loaded.items(), original.items()):
            assert_identical(key, original_key, f"{where} key {original_key!r}")
            assert_identical(value, original_value, f"{where}[{original_key!r}]")
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original), where
        for i, (value, original_value) in enumerate(zip(loaded, original)):
            assert_identical(value, original_value, f"{where}[{i}]")
    else:
        assert loaded == original, f"{where}: {loaded!r} != {original!r}"


def saved_bytes(obj):
    buffer = io.BytesIO()
    minigrad.save(obj, buffer)
    return buffer.getvalue()


def load_bytes(data, **kwargs):
    return minigrad.load(io.BytesIO(data), **kwargs)


# ------------------------------------------------------------------ round trips
@given(obj=structures, weights_only=st.sampled_from([None, True, False]))
def test_round_trip_is_exact(obj, weights_only):
    assert_identical(load_bytes(saved_bytes(obj), weights_only=weights_only), obj)


@settings(max_examples=10)
@given(obj=structures)
def test_round_trip_through_a_path(obj):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "checkpoint.pt")
        minigrad.save(obj, path)
        assert_identical(minigrad.load(path), obj)
        assert os.listdir(directory) == ["checkpoint.pt"]


def test_checkpoint_with_model_and_optimizer_state():
    state = collections.OrderedDict([("0.weight", nn.Parameter(minigrad.randn(3, 2))), ("0.bias", minigrad.zeros(3)),
                                     ("bn.num_batches_tracked", minigrad.tensor(7))])
    optimizer = {"state": {0: {"step": minigrad.tensor(3.0), "exp_avg": minigrad.randn(3, 2)}, 1: {}},
                 "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "foreach": None}]}
    checkpoint = {"epoch": 4, "best_loss": float("inf"), "model": state, "optimizer": optimizer, "note": "best"}
    assert_identical(load_bytes(saved_bytes(checkpoint)), checkpoint)


def test_requires_grad_and_parameters_load_like_torch():
    x = torch.randn(3, requires_grad=True)
    torch_objects = {"leaf": x, "computed": x * 2, "param": torch.nn.Parameter(torch.ones(2)),
                     "frozen": torch.nn.Parameter(torch.ones(2), requires_grad=False), "plain": torch.ones(2)}
    buffer = io.BytesIO()
    torch.save(torch_objects, buffer)
    buffer.seek(0)
    torch_loaded = torch.load(buffer)

    m = minigrad.randn(3, requires_grad=True)
    ours = {"leaf": m, "computed": m * 2, "param": nn.Parameter(minigrad.ones(2)),
            "frozen": nn.Parameter(minigrad.ones(2), requires_grad=False), "plain": minigrad.ones(2)}
    loaded = load_bytes(saved_bytes(ours))
    for key, expected in torch_loaded.items():
        assert loaded[key].requires_grad == expected.requires_grad, key
        assert loaded[key].is_leaf == expected.is_leaf, key
        assert type(loaded[key]).__name__ == type(expected).__name__, key


def test_a_tensor_saved_twice_loads_as_one_object():
    shared = minigrad.randn(4)
    loaded = load_bytes(saved_bytes({"a": shared, "b": [shared]}))
    assert loaded["a"] is loaded["b"][0]


# ------------------------------------------------------------------ bad files
@given(data=st.binary(max_size=300))
def test_random_bytes_give_a_serialization_error(data):
    with pytest.raises(SerializationError, match="cannot load"):
        load_bytes(data)


@st.composite
def checkpoints(draw):
    return {"weights": draw(tensors()), "step": draw(st.integers()), "extra": draw(st.lists(tensors(), max_size=2))}


@given(obj=checkpoints(), data=st.data())
def test_a_truncated_file_gives_a_serialization_error(obj, data):
    good = saved_bytes(obj)
    cut = data.draw(st.integers(0, len(good) - 1))
    with pytest.raises(SerializationError, match="cannot load"):
        load_bytes(good[:cut])


@given(obj=checkpoints(), data=st.data())
def test_a_bit_flip_anywhere_is_caught_or_harmless(obj, data):
    """A flipped bit raises SerializationError, or (in a field nothing reads, e.g. a timestamp) changes nothing."""
    good = bytearray(saved_bytes(obj))
    position = data.draw(st.integers(0, len(good) * 8 - 1))
    good[position // 8] ^= 1 << (position % 8)
    try:
        loaded = load_bytes(bytes(good))
    except SerializationError:
        return
    assert_identical(loaded, obj)


@given(obj=checkpoints(), data=st.data())
def test_a_bit_flip_in_the_manifest_or_the_arrays_is_caught(obj, data):
    good = bytearray(saved_bytes(obj))
    with zipfile.ZipFile(io.BytesIO(bytes(good))) as archive:
        entry = data.draw(st.sampled_from(archive.infolist()))
    name_length, extra_length = struct.unpack("<HH", good[entry.header_offset + 26:entry.header_offset + 30])
    start = entry.header_offset + 30 + name_length + extra_length
    position = data.draw(st.integers(start * 8, (start + entry.compress_size) * 8 - 1))
    good[position // 8] ^= 1 << (position % 8)
    with pytest.raises(SerializationError, match="cannot load"):
        load_bytes(bytes(good))


def rewritten(manifest_change=None, drop_entry=None, entry_bytes=None):
    """A checkpoint whose archive is valid (checksums right) but whose content was tampered with."""
    original = zipfile.ZipFile(io.BytesIO(saved_bytes({"w": minigrad.ones(2, 3), "n": 1})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == "manifest.json" and manifest_change:
                manifest = json.loads(content)
                manifest_change(manifest)
                content = json.dumps(manifest).encode()
            if info.filename == drop_entry:
                continue
            if info.filename != "manifest.json" and entry_bytes is not None:
                content = entry_bytes(content)
            archive.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize("damage, message", [
    (dict(manifest_change=lambda m: m.update(format="something-else")), "does not describe"),
    (dict(manifest_change=lambda m: m.update(version=99)), "format version 99"),
    (dict(manifest_change=lambda m: m["root"]["$dict"][0][1]["$tensor"].update(shape=[3, 2])), "shape"),
    (dict(manifest_change=lambda m: m["root"]["$dict"][0][1].update({"$tensor": 5})), "corrupt"),
    (dict(manifest_change=lambda m: m["root"]["$dict"].append(["x", {"$pickle": "..."}])), "unknown manifest tag"),
    (dict(drop_entry="tensors/0.npy"), "corrupt"),
    (dict(drop_entry="manifest.json"), "without manifest.json"),
    (dict(entry_bytes=lambda b: b[:-4]), "bytes of data"),
    (dict(entry_bytes=lambda b: b"\x93NUMPY\x01\x00" + b[8:].replace(b"'<f4'", b"'|O' ")), "corrupt"),
])
def test_a_consistent_archive_with_bad_content_is_named(damage, message):
    with pytest.raises(SerializationError, match=message):
        load_bytes(rewritten(**damage))


def test_foreign_files_are_named(tmp_path):
    torch_file = tmp_path / "torch_model.pt"
    torch.save(torch.nn.Linear(2, 1).state_dict(), torch_file)
    with pytest.raises(SerializationError, match=r"torch_model.pt.*torch.load.*from_torch_state_dict"):
        minigrad.load(torch_file)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    with pytest.raises(SerializationError, match=r"notes.txt.*not a minigrad checkpoint"):
        minigrad.load(text_file)
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(SerializationError, match="empty.pt"):
        minigrad.load(empty)
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "missing.pt")


# ------------------------------------------------------------------ atomic writes
@settings(max_examples=15)
@given(old=checkpoints(), new=st.lists(tensors(), min_size=1, max_size=4), data=st.data())
def test_an_interrupted_save_leaves_the_old_file(old, new, data):
    fail_at = data.draw(st.integers(0, len(new) - 1))
    error = data.draw(st.sampled_from([OSError("No space left on device"), KeyboardInterrupt()]))
    real_save = np.save
    calls = []

    def failing_save(*args, **kwargs):
        calls.append(1)
        if len(calls) > fail_at:
            raise error
        return real_save(*args, **kwargs)

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.pt")
        minigrad.save(old, path)
        before = open(path, "rb").read()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(np, "save", failing_save)
            with pytest.raises(type(error)):
                minigrad.save({"new": new}, path)
        assert open(path, "rb").read() == before
        assert os.listdir(directory) == ["model.pt"]
        assert_identical(minigrad.load(path), old)


def test_a_failed_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    def no_rename(source, target):
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(PermissionError):
        minigrad.save(minigrad.ones(2), tmp_path / "m.pt")
    assert os.listdir(tmp_path) == []


def test_saving_beside_a_missing_directory_or_an_unsupported_object_is_named(tmp_path):
    with pytest.raises(RuntimeError, match="does not exist"):
        minigrad.save(minigrad.ones(1), tmp_path / "missing" / "m.pt")
    with pytest.raises(TypeError, match=r"obj\['model'\]\[1\] of type builtins.set"):
        minigrad.save({"model": [1, {2}]}, tmp_path / "m.pt")
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="reference cycle"):
        minigrad.save(loop, tmp_path / "m.pt")
    assert os.listdir(tmp_path) == []


@given(first=structures, second=structures, prefix=st.binary(max_size=20))
def test_a_stream_is_read_from_its_position_and_never_yields_another_checkpoint(first, second, prefix):
    """Two checkpoints written one after the other into one stream (after some other bytes): each loads from
    where it starts; read from anywhere else, the stream is refused instead of giving the wrong object."""
    stream = io.BytesIO(prefix)
    stream.seek(0, io.SEEK_END)
    minigrad.save(first, stream)
    second_start = stream.tell()
    minigrad.save(second, stream)
    stream.seek(second_start)
    assert_identical(minigrad.load(stream), second)
    single = io.BytesIO(prefix + saved_bytes(first))
    single.seek(len(prefix))
    assert_identical(minigrad.load(single), first)
    for stream_start in {0, len(prefix)}:
        stream.seek(stream_start)
        with pytest.raises(SerializationError, match="another checkpoint after it"):
            minigrad.load(stream)
    if prefix:
        single.seek(0)
        with pytest.raises(SerializationError, match="other data before it"):
            minigrad.load(single)


def test_map_location():
    data = saved_bytes({"w": minigrad.ones(2)})
    for location in (None, "cpu", minigrad.device("cpu"), torch.device("cpu"), {"cuda:0": "cpu"}):
        assert load_bytes(data, map_location=location)["w"].tolist() == [1.0, 1.0]
    assert load_bytes(data, map_location=lambda storage, location: storage * 2)["w"].tolist() == [2.0, 2.0]
    for location in ("cuda", torch.device("cuda", 1), {"cpu": "cuda:0"}):
        with pytest.raises(RuntimeError, match="cuda"):
            load_bytes(data, map_location=location)


# ------------------------------------------------------------------ torch interop
torch_dtypes = st.sampled_from(DTYPES).map(np.dtype)


@given(arrays=st.lists(hnp.arrays(dtype=torch_dtypes, shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                                               max_side=3)), min_size=1, max_size=4))
def test_state_dicts_move_to_torch_and_back_exactly(arrays):
    state = collections.OrderedDict((f"layer{i}.weight", minigrad.from_numpy(a)) for i, a in enumerate(arrays))
    optimizer = {"state": {i: {"momentum_buffer": minigrad.from_numpy(a.copy())} for i, a in enumerate(arrays)},
                 "param_groups": [{"lr": 0.1, "params": list(range(len(arrays)))}]}
    for original in (state, optimizer):
        in_torch = to_torch_state_dict(original)
        assert type(in_torch) is type(original)
        assert_identical(from_torch_state_dict(in_torch), original)
    for (key, value), array in zip(to_torch_state_dict(state).items(), arrays):
        assert isinstance(value, torch.Tensor) and str(value.dtype) == f"torch.{array.dtype}"
        assert value.numpy().tobytes() == array.tobytes(), key


def test_a_torch_model_survives_a_minigrad_checkpoint():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    model(torch.randn(5, 3))  # updates the running statistics
    checkpoint = saved_bytes({"model": from_torch_state_dict(model.state_dict())})
    restored = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    restored.load_state_dict(to_torch_state_dict(load_bytes(checkpoint)["model"]))
    for (key, value), (_, expected) in zip(restored.state_dict().items(), model.state_dict().items()):
        assert value.dtype == expected.dtype and torch.equal(value, expected), key
    params = from_torch_state_dict({"w": torch.nn.Parameter(torch.ones(2))})
    assert isinstance(params["w"], nn.Parameter) and params["w"].requires_grad


def test_saving_over_a_file_keeps_its_permissions_and_writes_through_symlinks(tmp_path):
    target = tmp_path / "real.pt"
    minigrad.save(minigrad.zeros(1), target)
    os.chmod(target, 0o640)
    link = tmp_path / "latest.pt"
    link.symlink_to(target)
    minigrad.save({"w": minigrad.ones(3)}, link)
    assert link.is_symlink() and (os.stat(target).st_mode & 0o777) == 0o640
    assert minigrad.load(target)["w"].tolist() == [1.0, 1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ["latest.pt", "real.pt"]
