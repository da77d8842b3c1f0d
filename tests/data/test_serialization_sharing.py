"""minigrad.save / minigrad.load keep tensors that share memory sharing it, as torch.save / torch.load
keep the tensors of one storage together: after loading, writing into one changes the others as in
torch. And a file whose views reach outside their storage is refused."""

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.serialization import SerializationError
from minigrad.testing import assert_close, torch_or_skip

torch = torch_or_skip()

# (name, view of a (4, 6) tensor, whether it may be written into: an expanded view repeats elements)
VIEWS = [
    ("whole", lambda x: x, True),
    ("rows", lambda x: x[1:3], True),
    ("every other column", lambda x: x[:, ::2], True),
    ("transposed", lambda x: x.t(), True),
    ("one row", lambda x: x[2], True),
    ("reshaped", lambda x: x.view(3, 8), True),
    ("narrowed", lambda x: x.narrow(1, 2, 3), True),
    ("slice of a slice", lambda x: x[1:][:, 2:5], True),
    ("expanded", lambda x: x[0].unsqueeze(0).expand(2, 6), False),
]


def _round_trip(lib, objects):
    buffer = io.BytesIO()
    lib.save(objects, buffer)
    buffer.seek(0)
    return lib.load(buffer)


@settings(max_examples=30)
@given(picks=st.lists(st.sampled_from(VIEWS), min_size=1, max_size=4), data=st.data())
def test_views_of_one_tensor_still_share_memory_after_loading(picks, data):
    base = np.arange(24.0).reshape(4, 6)
    loaded = {}
    for lib in (minigrad, torch):
        x = lib.tensor(base)
        loaded[lib] = _round_trip(lib, [view(x) for _, view, _ in picks])
    writable = [i for i, (_, _, may_write) in enumerate(picks) if may_write]
    if writable:
        target = data.draw(st.sampled_from(writable), label="written")
        factor = data.draw(st.sampled_from([-2.0, 0.5, 3.0]), label="factor")
        for lib in (minigrad, torch):
            loaded[lib][target].mul_(factor)
    for ours, theirs, (name, _, _) in zip(loaded[minigrad], loaded[torch], picks):
        assert_close(ours, theirs, what=name)


def test_separate_tensors_of_one_memory_stay_separate_objects_that_share_it():
    for lib in (minigrad, torch):
        y = lib.ones(3)
        first, detached, again = _round_trip(lib, [y[1:], y.detach()[1:], y[1:]])
        assert first is not detached and first is not again  # three tensor objects were saved
        detached[0] = 5.0
        assert first.tolist() == again.tolist() == [5.0, 1.0], lib.__name__


def test_a_view_saved_alone_keeps_its_values_and_dtype():
    for dtype in ("float32", "int64", "bool"):
        x = minigrad.tensor(np.arange(12).reshape(3, 4).astype(dtype))
        (view,) = _round_trip(minigrad, [x[:, 1::2].t()])
        assert view.dtype == x.dtype
        np.testing.assert_array_equal(view.numpy(), x.numpy()[:, 1::2].T)


def _forged_view(offset, shape, strides):
    """A checkpoint of one tensor viewing the 6 float32 elements of tensors/0.npy as it says."""
    view = {"storage": {"entry": "tensors/0.npy", "dtype": "float32", "shape": [6]}, "offset": offset,
            "strides": strides, "dtype": "float32", "shape": shape, "requires_grad": False, "parameter": False,
            "id": 0}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "minigrad-checkpoint", "version": 1,
                                                      "root": {"$tensor": view}}))
        with archive.open("tensors/0.npy", "w") as stream:
            np.save(stream, np.arange(6, dtype=np.float32))
    out.seek(0)
    return out


@pytest.mark.parametrize("offset, shape, strides", [(0, [7], [4]), (8, [2, 3], [12, 4]), (-4, [1], [4]),
                                                    (24, [1], [4]), (0, [2], [-4]), (28, [0], [4])])
def test_a_view_reaching_outside_its_storage_is_refused(offset, shape, strides):
    with pytest.raises(SerializationError, match="reaches outside its storage tensors/0.npy"):
        minigrad.load(_forged_view(offset, shape, strides))


def test_a_view_inside_its_storage_loads():
    loaded = minigrad.load(_forged_view(20, [3], [-8]))  # elements 5, 3, 1
    assert loaded.tolist() == [5.0, 3.0, 1.0]


def test_an_activation_in_kept_memory_is_stored_alone_in_its_own_dtype(tmp_path):
    """A layer's output takes its memory from the blocks minigrad keeps from step to step (raw
    bytes): the file holds the tensor itself, as float32, not the block it happens to lie in."""
    layer = minigrad.nn.Linear(784, 256)
    with minigrad.no_grad():
        out = layer(minigrad.randn(64, 784))
    assert out._array.base is not None and out._array.base.dtype != out._array.dtype  # (the premise)
    minigrad.save(out, tmp_path / "out.pt")
    with zipfile.ZipFile(tmp_path / "out.pt") as archive:
        root = json.loads(archive.read("manifest.json"))["root"]
    assert root["$tensor"]["dtype"] == "float32" and "storage" not in root["$tensor"]
    np.testing.assert_array_equal(minigrad.load(tmp_path / "out.pt").numpy(), out.numpy())
