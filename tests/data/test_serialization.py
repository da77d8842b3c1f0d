"""minigrad.save / minigrad.load: exact round trips, corrupt files, atomic writes, torch interop."""

import collections
import contextlib
import fcntl
import io
import json
import math
import os
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import nn
from minigrad.serialization import _TENSOR_FIELDS, SerializationError, from_torch_state_dict, to_torch_state_dict
from minigrad.testing import torch_or_skip

torch = torch_or_skip()

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
            if isinstance(error, OSError):  # a failed write is torch's RuntimeError, naming the file
                with pytest.raises(SerializationError, match=r"model.pt.*No space left on device") as raised:
                    minigrad.save({"new": new}, path)
                assert raised.value.__cause__ is error
            else:
                with pytest.raises(KeyboardInterrupt):
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


def assert_exported(exported, original, where="obj"):
    """What torch.load gives back for an exported object: torch's equivalent of each minigrad object."""
    if isinstance(original, minigrad.Tensor):
        assert isinstance(exported, torch.Tensor), where
        assert type(exported).__name__ == type(original).__name__, f"{where}: {type(exported)}"
        assert str(exported.dtype) == f"torch.{original.dtype.name}" and tuple(exported.shape) == original.shape
        assert exported.detach().numpy().tobytes() == original.detach().numpy().tobytes(), f"{where}: values"
        assert exported.requires_grad == original.requires_grad, where
    elif isinstance(original, np.ndarray):
        assert isinstance(exported, torch.Tensor) and exported.numpy().dtype == original.dtype, where
        assert exported.shape == original.shape and exported.numpy().tobytes() == original.tobytes(), where
    elif isinstance(original, (np.bool_, np.number)):
        assert type(exported) is type(original.item()) and struct.pack("<d", exported) == struct.pack(
            "<d", original.item()), where
    elif isinstance(original, minigrad.dtype):
        assert exported == getattr(torch, original.name), where
    elif isinstance(original, minigrad.Size):
        assert type(exported) is torch.Size and list(exported) == list(original), where
    elif isinstance(original, dict):
        assert type(exported) is type(original) and list(map(type, exported)) == list(map(type, original)), where
        assert list(exported) == list(original), where
        for (key, value), original_value in zip(exported.items(), original.values()):
            assert_exported(value, original_value, f"{where}[{key!r}]")
    elif isinstance(original, (list, tuple)):
        assert type(exported) is type(original) and len(exported) == len(original), where
        for i, (value, original_value) in enumerate(zip(exported, original)):
            assert_exported(value, original_value, f"{where}[{i}]")
    else:
        assert_identical(exported, original, where)


def holds_empty_bytes(obj):
    if isinstance(obj, dict):
        return any(holds_empty_bytes(key) or holds_empty_bytes(value) for key, value in obj.items())
    if isinstance(obj, (list, tuple)):
        return any(holds_empty_bytes(item) for item in obj)
    return isinstance(obj, bytes) and obj == b""


@given(obj=structures)
def test_export_torch_writes_what_torch_loads_with_weights_only(obj):
    buffer = io.BytesIO()
    if holds_empty_bytes(obj):  # torch pickles b"" as a call its weights_only loader refuses
        with pytest.raises(ValueError, match="empty bytes object"):
            minigrad.serialization.export_torch(obj, buffer)
        return
    minigrad.serialization.export_torch(obj, buffer)
    buffer.seek(0)
    assert_exported(torch.load(buffer, weights_only=True), obj)


def test_export_torch_moves_a_model_to_torch_in_one_line(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model.train()(minigrad.randn(5, 3))  # running statistics away from their initial values
    shared = minigrad.randn(2)
    minigrad.serialization.export_torch({"model": model.state_dict(), "tied": [shared, shared],
                                         "point": collections.namedtuple("Point", "x y")(1, 2)}, tmp_path / "t.pt")
    checkpoint = torch.load(tmp_path / "t.pt", weights_only=True)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    reference.load_state_dict(checkpoint["model"])
    x = np.random.default_rng(0).standard_normal((6, 3), dtype=np.float32)
    model.eval(), reference.eval()
    np.testing.assert_allclose(reference(torch.from_numpy(x)).detach().numpy(),
                               model(minigrad.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert checkpoint["tied"][0] is checkpoint["tied"][1] and checkpoint["point"] == (1, 2)
    assert os.listdir(tmp_path) == ["t.pt"]


def test_export_torch_refuses_what_save_refuses(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['s'\] of type builtins.set"):
        minigrad.serialization.export_torch({"s": {1}}, tmp_path / "t.pt")
    assert os.listdir(tmp_path) == []


def test_the_torch_functions_say_how_to_install_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    for function in (lambda: minigrad.serialization.export_torch({}, io.BytesIO()),
                     lambda: to_torch_state_dict({}), lambda: from_torch_state_dict({})):
        with pytest.raises(ImportError, match=r"needs torch.*pip install torch==2.13.0"):
            function()


def test_torch_dtypes_sizes_devices_and_shared_tensors_convert_both_ways():
    weight = torch.nn.Parameter(torch.ones(2))
    state = {"dtype": torch.int64, "size": torch.Size([2, 3]), "device": torch.device("cpu"), "a": weight,
             "b": weight}
    ours = from_torch_state_dict(state)
    assert ours["dtype"] is minigrad.int64 and ours["size"] == minigrad.Size([2, 3])
    assert ours["device"] == minigrad.device("cpu") and ours["a"] is ours["b"]
    back = to_torch_state_dict(ours)
    assert back["dtype"] is torch.int64 and type(back["size"]) is torch.Size and back["a"] is back["b"]
    assert back["device"] == torch.device("cpu")
    exported = io.BytesIO()
    minigrad.serialization.export_torch({(1, minigrad.int64): "tuple key", np.float32(2.5): "NumPy key"}, exported)
    exported.seek(0)
    assert torch.load(exported, weights_only=True) == {(1, torch.int64): "tuple key", 2.5: "NumPy key"}
    with pytest.raises(ValueError, match="empty bytes object"):
        minigrad.serialization.export_torch({b"": 1}, io.BytesIO())
    with pytest.raises(TypeError, match="minigrad has no dtype torch.complex64"):
        from_torch_state_dict({"dtype": torch.complex64})


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


# ------------------------------------------------------------------ hostile files
def npy(descr="<f4", shape=(2, 3), fortran_order=False, data=None, version=(1, 0)):
    """.npy bytes whose header says anything (np.save would refuse to write a lie)."""
    header = f"{{'descr': {descr!r}, 'fortran_order': {fortran_order!r}, 'shape': {tuple(shape)!r}, }}"
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    length = struct.pack("<H" if version == (1, 0) else "<I", len(header))
    if data is None:
        data = np.arange(math.prod(shape), dtype=np.dtype(descr)).tobytes()
    return b"\x93NUMPY" + bytes(version) + length + header.encode("latin1") + data


def manifest(root, **fields):
    return json.dumps({"format": "minigrad-checkpoint", "version": 1, "root": root, **fields}).encode()


def tensor_ref(entry="tensors/0.npy", dtype="float32", shape=(2, 3), requires_grad=False, parameter=False):
    return {"$tensor": {"entry": entry, "dtype": dtype, "shape": list(shape), "requires_grad": requires_grad,
                        "parameter": parameter}}


def forged(members, compression=zipfile.ZIP_STORED):
    """A zip archive holding exactly these (name, bytes) members, checksums right, whatever they say."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(out, "w", compression=compression) as archive:
            for name, content in members:
                archive.writestr(name, content)
    return out.getvalue()


def load_forged(members, **kwargs):
    return load_bytes(forged(members, **kwargs))


def peak_memory(function):
    """The most memory (bytes) Python and NumPy held at once while function ran."""
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_forged_archive_of_a_valid_checkpoint_loads():
    """The forging helpers write what save writes, so every refusal below is about the one thing changed."""
    loaded = load_forged([("manifest.json", manifest({"$dict": [["w", tensor_ref()]]})),
                          ("tensors/0.npy", npy())])
    assert loaded["w"].tolist() == np.arange(6, dtype=np.float32).reshape(2, 3).tolist()


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_compressed_members_are_refused_before_they_expand(compression):
    size = 20_000_000  # a few hundred compressed bytes
    bomb = forged([("manifest.json", manifest({"$ndarray": {"entry": "tensors/0.npy", "dtype": "uint8",
                                                            "shape": [size]}})),
                   ("tensors/0.npy", npy("|u1", (size,), data=bytes(size)))], compression=compression)
    assert len(bomb) < size // 100

    def load():
        with pytest.raises(SerializationError, match=r"member '(manifest.json|tensors/0.npy)' is compressed"):
            load_bytes(bomb)

    assert peak_memory(load) < size // 10


def with_declared_size(data, member, size):
    """The archive with member's sizes in its local header and central directory entry set to size."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(member).header_offset
        central = data.index(b"PK\x01\x02", archive.start_dir)
        while data[central + 46:central + 46 + len(member)] != member.encode():  # 46: the fixed part
            name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, central + 28)
            central += 46 + name_length + extra_length + comment_length
    struct.pack_into("<II", data, local + 18, size, size)
    struct.pack_into("<II", data, central + 20, size, size)
    return bytes(data)


@pytest.mark.parametrize("member", ["manifest.json", "tensors/0.npy"])
@pytest.mark.parametrize("size", [2 ** 30, 2 ** 32 - 2])
def test_sizes_larger_than_the_archive_are_refused_before_reading(tmp_path, member, size):
    path = tmp_path / "liar.pt"
    path.write_bytes(with_declared_size(saved_bytes(minigrad.ones(2, 3)), member, size))

    def load():
        with pytest.raises(SerializationError, match=rf"liar.pt.*{member}.*declares"):
            minigrad.load(path)

    assert path.stat().st_size < 1000 and peak_memory(load) < 2 ** 20


def test_a_directory_placing_members_before_the_file_is_refused():
    data = bytearray(saved_bytes(minigrad.ones(2)))
    struct.pack_into("<I", data, data.rindex(b"PK\x05\x06") + 16, 2 ** 32 - 1)  # the directory's offset
    with pytest.raises(SerializationError, match="'manifest.json' is placed before the start of the file"):
        load_bytes(bytes(data))


def test_an_array_referenced_twice_is_read_once_or_refused():
    big = npy("|u1", (2 ** 18,), data=bytes(2 ** 18))
    twice = {"$ndarray": {"entry": "tensors/0.npy", "dtype": "uint8", "shape": [2 ** 18]}}

    def load():
        with pytest.raises(SerializationError, match=r"tensors/0.npy is used twice"):
            load_forged([("manifest.json", manifest([twice] * 200)), ("tensors/0.npy", big)])

    assert peak_memory(load) < 2 ** 18 * 10
    as_scalar = {"$numpy_scalar": {"entry": "tensors/0.npy", "dtype": "float32", "shape": []}}
    with pytest.raises(SerializationError, match=r"used twice \(as \$tensor and \$numpy_scalar\)"):
        load_forged([("manifest.json", manifest([tensor_ref(shape=()), as_scalar])),
                     ("tensors/0.npy", npy(shape=()))])


@pytest.mark.parametrize("change", [dict(dtype="int32"), dict(shape=(3, 2)), dict(shape=(6,)),
                                    dict(requires_grad=True), dict(parameter=True)])
def test_one_entry_described_twice_differently_is_refused(change):
    """Saved twice, one tensor has two identical descriptions (and loads as one object); different ones
    are ambiguous, whichever description comes first."""
    with pytest.raises(SerializationError, match=r"tensors/0.npy is described twice, differently"):
        load_forged([("manifest.json", manifest([tensor_ref(), tensor_ref(**change)])), ("tensors/0.npy", npy())])
    with pytest.raises(SerializationError, match=r"tensors/0.npy"):  # the first description is the wrong one
        load_forged([("manifest.json", manifest([tensor_ref(**change), tensor_ref()])), ("tensors/0.npy", npy())])
    same = load_forged([("manifest.json", manifest([tensor_ref(), tensor_ref()])), ("tensors/0.npy", npy())])
    assert same[0] is same[1]


@pytest.mark.parametrize("members, message", [
    ([("manifest.json", manifest(None)), ("manifest.json", manifest(1))], "'manifest.json' appears twice"),
    ([("manifest.json", manifest(tensor_ref())), ("tensors/0.npy", npy()), ("tensors/0.npy", npy())],
     "'tensors/0.npy' appears twice"),
    ([("manifest.json", manifest(None)), ("../../evil.npy", b"")], "'../../evil.npy' is not one minigrad writes"),
    ([("manifest.json", manifest(None)), ("/etc/passwd", b"")], "'/etc/passwd' is not one minigrad writes"),
    ([("manifest.json", manifest(None)), ("tensors/../manifest.json", b"")], "is not one minigrad writes"),
    ([("manifest.json", manifest(None)), ("tensors/00.npy", b"")], "is not one minigrad writes"),
    ([("manifest.json", manifest(None)), ("tensors\\0.npy", b"")], "is not one minigrad writes"),
    ([("manifest.json", manifest(None)), ("tensors/", b"")], "is not one minigrad writes"),
    ([("manifest.json", manifest(None)), ("tensors/0.npy", npy())], "tensors/0.npy which the manifest does not use"),
    ([("manifest.json", manifest(tensor_ref("tensors/1.npy"))), ("tensors/0.npy", npy())],
     "names entry 'tensors/1.npy', which the archive does not hold"),
    ([("manifest.json", manifest(tensor_ref("manifest.json")))], "names entry 'manifest.json'"),
    ([("manifest.json", manifest(tensor_ref("../x")))], "names entry '../x'"),
    ([("manifest.json", manifest({"$dict": [["a", 1], ["a", 2]]}))], "has the key 'a' twice"),
    ([("manifest.json", manifest({"$dict": [[[1], 2]]}))], "key of type list cannot be a dict key"),
    ([("manifest.json", manifest({"$dict": ["ab"]}))], r"other than \[key, value\] pairs"),
    ([("manifest.json", manifest({"$tuple": "abc"}))], r"\$tuple does not hold a list"),
    ([("manifest.json", manifest({"$size": ["3"]}))], "not a list of 64-bit integers"),
    ([("manifest.json", manifest({"$size": [10 ** 30]}))], "not a list of 64-bit integers"),
    ([("manifest.json", manifest({"$dtype": "object"}))], "unknown \\$dtype 'object'"),
    ([("manifest.json", manifest({"$float": "1.5"}))], "is not nan, inf, -inf or 64 bits in hex"),
    ([("manifest.json", manifest({"$bytes": "not base64!"}))], "not base64"),
    ([("manifest.json", manifest({"$device": 0}))], r"\$device 0 is not a string"),
    ([("manifest.json", manifest({"$pickle": "cos\nsystem\n"}))], "unknown manifest tag"),
    ([("manifest.json", manifest(None, version=True))], "format version True"),
    ([("manifest.json", manifest(None, extra="field"))], "fields other than format, version and root"),
    ([("manifest.json", b'{"format": "minigrad-checkpoint", "version": 1, "root": {"$tensor": {"entry": '
                        b'"tensors/0.npy", "entry": "tensors/1.npy", "dtype": "float32", "shape": [2, 3], '
                        b'"requires_grad": false, "parameter": false}}}'),
      ("tensors/0.npy", npy()), ("tensors/1.npy", npy())], "the key 'entry' appears twice in one object"),
    ([("manifest.json", b'{"format": "minigrad-checkpoint", "version": 1, "root": 1e999}')], "not finite"),
    ([("manifest.json", b'{"format": "minigrad-checkpoint", "version": 1, "root": ' + b"9" * 5000 + b"}")],
     "not valid JSON"),
    ([("manifest.json", b"[" * 100_000)], "nested too deeply|not valid JSON"),
    ([("manifest.json", manifest(json.loads("[" * 101 + "]" * 101)))], "nested more than 100 levels"),
    ([("manifest.json", manifest(tensor_ref(dtype="int64", requires_grad=True))), ("tensors/0.npy", npy("<i8"))],
     "of dtype int64 cannot require grad"),
    ([("manifest.json", manifest(tensor_ref(requires_grad=1))), ("tensors/0.npy", npy())],
     "requires_grad is not true or false"),
    ([("manifest.json", manifest({"$tensor": {"entry": "tensors/0.npy", "dtype": "float32", "shape": [2, 3]}})),
      ("tensors/0.npy", npy())], "needs exactly the fields"),
    ([("manifest.json", manifest({"$numpy_scalar": {"entry": "tensors/0.npy", "dtype": "float32",
                                                    "shape": [2, 3]}})), ("tensors/0.npy", npy())],
     r"\$numpy_scalar has shape \[2, 3\]"),
])
def test_ambiguous_and_malformed_archives_are_named(members, message):
    with pytest.raises(SerializationError, match=message):
        load_forged(members)


def test_a_member_name_cut_by_a_null_byte_is_refused():
    """zipfile reads 'tensors/0.npy\\0.txt' as 'tensors/0.npy'; such a name is not one save writes."""
    data = forged([("manifest.json", manifest(tensor_ref())), ("tensors/0.npyX.txt", npy())])
    with pytest.raises(SerializationError, match=r"'tensors/0.npy\\x00.txt' is not one minigrad writes"):
        load_bytes(data.replace(b"tensors/0.npyX.txt", b"tensors/0.npy\x00.txt"))


def test_a_manifest_nested_as_deep_as_save_allows_loads():
    deep = []
    for _ in range(99):
        deep = [deep]
    assert load_bytes(saved_bytes(deep)) == deep
    with pytest.raises(ValueError, match="nested more than 100 levels"):
        saved_bytes([deep])


@pytest.mark.parametrize("header, message", [
    (dict(descr="|O"), "holds a object array"),
    (dict(descr=">f4"), "holds a >f4 array"),
    (dict(descr="<f8"), "holds a float64 array"),
    (dict(shape=(3, 2)), r"of shape \(3, 2\), but the manifest says float32 of shape \(2, 3\)"),
    (dict(shape=(2 ** 62, 2 ** 62), data=b""), "of shape"),
    (dict(fortran_order="yes"), "not a valid .npy file"),
    (dict(descr="<f4", data=bytes(20)), "has 20 bytes of data, but a float32 array of shape \\(2, 3\\) needs 24"),
    (dict(descr="<f4", data=bytes(28)), "has 28 bytes of data"),
    (dict(version=(3, 0)), r"format version \(3, 0\)"),
    (dict(version=(9, 9)), "not a valid .npy file|format version"),
])
def test_lying_npy_headers_are_named(header, message):
    with pytest.raises(SerializationError, match=message):
        load_forged([("manifest.json", manifest(tensor_ref())), ("tensors/0.npy", npy(**header))])


def test_a_fortran_ordered_entry_loads_in_its_order():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    loaded = load_forged([("manifest.json", manifest(tensor_ref())),
                          ("tensors/0.npy", npy(fortran_order=True, data=array.tobytes(order="F")))])
    assert loaded.tolist() == array.tolist()


def test_bool_entries_hold_only_zero_and_one():
    with pytest.raises(SerializationError, match="bool array holding bytes other than 0 and 1"):
        load_forged([("manifest.json", manifest(tensor_ref(dtype="bool", shape=(3,)))),
                     ("tensors/0.npy", npy("|b1", (3,), data=b"\x00\x01\x02"))])


json_leaves = st.one_of(st.none(), st.booleans(), st.integers(-3, 2 ** 64), st.floats(allow_nan=False),
                        st.sampled_from(["tensors/0.npy", "tensors/1.npy", "../x", "float32", "int64", "nan",
                                         "0x7ff8000000000001", "cpu", "AAE=", ""]))
tags = st.sampled_from(["$tensor", "$ndarray", "$numpy_scalar", "$tuple", "$dict", "$ordered_dict", "$float",
                        "$dtype", "$size", "$device", "$bytes", "$set", "entry"])
json_values = st.recursive(json_leaves, lambda children: st.one_of(
    st.lists(children, max_size=3),
    st.builds(lambda tag, content: {tag: content}, tags, children),
    st.dictionaries(st.sampled_from(sorted(_TENSOR_FIELDS)), children, max_size=5).map(
        lambda fields: {"$tensor": fields}),
), max_leaves=10)


@given(root=json_values, entries=st.lists(st.sampled_from([npy(), npy("<i8", (3,)), npy(shape=()), b"junk"]),
                                          max_size=2))
def test_any_manifest_loads_or_raises_a_serialization_error(root, entries):
    members = [("manifest.json", manifest(root))] + [(f"tensors/{i}.npy", data) for i, data in enumerate(entries)]
    try:
        load_forged(members)
    except SerializationError as err:
        assert str(err).startswith("cannot load '<BytesIO>'")


@given(obj=checkpoints(), data=st.data())
def test_a_cut_or_damaged_file_on_disk_raises_or_loads_equal(tmp_path_factory, obj, data):
    """Truncations and random byte changes of a file on disk, read through a path."""
    damaged = bytearray(saved_bytes(obj))
    for _ in range(data.draw(st.integers(1, 4))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    damaged = damaged[:data.draw(st.integers(0, len(damaged)))]
    path = tmp_path_factory.mktemp("damaged") / "model.pt"
    path.write_bytes(bytes(damaged))
    try:
        loaded = minigrad.load(path)
    except SerializationError as err:
        assert "model.pt" in str(err)
        return
    assert_identical(loaded, obj)


def test_a_file_object_not_at_the_start_is_told_where_to_seek():
    stream = io.BytesIO(saved_bytes({"w": minigrad.ones(2)}))
    stream.seek(10)
    with pytest.raises(SerializationError, match=r"reading started at byte 10.*f.seek\(0\)"):
        minigrad.load(stream)
    stream.seek(0)
    assert minigrad.load(stream)["w"].tolist() == [1.0, 1.0]


def test_text_mode_files_are_refused_with_the_mode_to_use(tmp_path):
    path = tmp_path / "m.pt"
    with open(path, "w") as text, pytest.raises(TypeError, match="text mode.*'wb'"):
        minigrad.save(minigrad.ones(1), text)
    minigrad.save(minigrad.ones(1), path)
    with open(path) as text, pytest.raises(TypeError, match="text mode.*'rb'"):
        minigrad.load(text)


def test_directories_as_targets_are_refused_as_torch_refuses_them(tmp_path):
    with pytest.raises(IsADirectoryError):
        torch.load(tmp_path)
    with pytest.raises(IsADirectoryError):
        minigrad.load(tmp_path)
    with pytest.raises(RuntimeError):
        torch.save({}, tmp_path)
    with pytest.raises(SerializationError, match=f"{tmp_path.name}'.*is a directory"):
        minigrad.save({}, tmp_path)
    assert os.listdir(tmp_path) == []


def test_a_pipe_is_neither_waited_on_nor_replaced(tmp_path):
    fifo = tmp_path / "pipe.pt"
    os.mkfifo(fifo)
    with pytest.raises(SerializationError, match="pipe.pt.*not a regular file"):
        minigrad.load(fifo)  # no writer: waiting for one would hang
    with pytest.raises(SerializationError, match="pipe.pt.*cannot be opened for writing"):
        minigrad.save(minigrad.ones(1), fifo)  # no reader: likewise
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
    reader.start()
    while not received and reader.is_alive():  # save once the reader has the pipe open
        with contextlib.suppress(SerializationError):
            minigrad.save({"w": minigrad.ones(2)}, fifo)
            break
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe.pt"]
    assert load_bytes(received[0])["w"].tolist() == [1.0, 1.0]


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a.pt").symlink_to(tmp_path / "b.pt")
    (tmp_path / "b.pt").symlink_to(tmp_path / "a.pt")
    with pytest.raises(SerializationError, match="a.pt.*symbolic links form a loop"):
        minigrad.save(minigrad.ones(1), tmp_path / "a.pt")
    with pytest.raises(OSError):
        minigrad.load(tmp_path / "a.pt")
    assert sorted(os.listdir(tmp_path)) == ["a.pt", "b.pt"] and (tmp_path / "a.pt").is_symlink()


def test_a_read_only_target_is_refused_not_replaced(tmp_path):
    target = tmp_path / "frozen.pt"
    minigrad.save({"w": minigrad.zeros(2)}, target)
    before = target.read_bytes()
    os.chmod(target, 0o444)
    with pytest.raises(PermissionError, match="frozen.pt"):
        minigrad.save({"w": minigrad.ones(2)}, target)
    assert target.read_bytes() == before and os.listdir(tmp_path) == ["frozen.pt"]


def stale(path, seconds_old):
    path.write_bytes(b"half a checkpoint")
    os.utime(path, (time.time() - seconds_old,) * 2)
    return path


def test_a_name_as_long_as_the_system_allows_can_be_saved_to(tmp_path):
    name = "m" * 250 + ".pt"
    minigrad.save(minigrad.ones(1), tmp_path / name)
    assert minigrad.load(tmp_path / name).tolist() == [1.0] and os.listdir(tmp_path) == [name]


def test_temporary_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    """A save killed hard cannot clean up; the next save to the same file removes what it left, but never
    the temporary file of a save still running (locked, or written recently) nor anyone else's files."""
    old = stale(tmp_path / ".m.pt.0123456789ab.tmp", seconds_old=3600)
    recent = stale(tmp_path / ".m.pt.ba9876543210.tmp", seconds_old=5)
    running = stale(tmp_path / ".m.pt.00000000cafe.tmp", seconds_old=3600)
    others = [stale(tmp_path / name, seconds_old=3600) for name in
              (".other.pt.0123456789ab.tmp", ".m.pt.notours.tmp", "m.pt.0123456789ab.tmp")]
    with open(running, "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        minigrad.save(minigrad.ones(1), tmp_path / "m.pt")
    assert not old.exists()
    assert recent.exists() and running.exists() and all(path.exists() for path in others)
    minigrad.save(minigrad.ones(1), tmp_path / "m.pt")  # no longer locked
    assert not running.exists() and recent.exists()


def test_a_real_killed_save_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    script = ("import minigrad, os, signal, numpy as np\n"
              "real = np.save\n"
              "def killed(*args, **kwargs): real(*args, **kwargs); os.kill(os.getpid(), signal.SIGKILL)\n"
              "np.save = killed\n"
              f"minigrad.save(minigrad.ones(3), {str(tmp_path / 'm.pt')!r})\n")
    minigrad.save(minigrad.zeros(3), tmp_path / "m.pt")
    process = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert process.returncode == -signal.SIGKILL
    left = [name for name in os.listdir(tmp_path) if name != "m.pt"]
    assert len(left) == 1 and left[0].startswith(".m.pt.")
    assert minigrad.load(tmp_path / "m.pt").tolist() == [0.0, 0.0, 0.0]
    os.utime(tmp_path / left[0], (time.time() - 3600,) * 2)
    minigrad.save(minigrad.ones(3), tmp_path / "m.pt")
    assert os.listdir(tmp_path) == ["m.pt"]
