"""max_pool*_with_indices, adaptive_max_pool*_with_indices and max_unpool1d/2d against torch:
values, indices, gradients and grad_fn names in float64 over drawn shapes and options, the
layers' repr, output_size handling, and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.testing import assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@given(st.data(), st.booleans(), st.integers(1, 3), st.sampled_from([None, 1, 2]), st.booleans())
@settings(max_examples=5)
def test_pooling_with_indices_matches_torch(data, batched, kernel, stride, ceil_mode):
    x = data.draw(mst.arrays("float64", (2, 3, 5, 4) if batched else (3, 5, 4), mst.reals(-3, 3), unique=True))
    padding = data.draw(st.integers(0, kernel // 2))
    check_parity(data, lambda lib, t: lib.nn.functional.max_pool2d_with_indices(t, kernel, stride, padding, 1,
                                                                                 ceil_mode), [x])
    check_parity(data, lambda lib, t: lib.nn.functional.max_pool1d_with_indices(t[..., 0], kernel, stride, padding,
                                                                                 1, ceil_mode), [x])
    size = data.draw(st.integers(1, 4))
    check_parity(data, lambda lib, t: lib.nn.functional.adaptive_max_pool2d_with_indices(t, (size, 2)), [x])
    check_parity(data, lambda lib, t: lib.nn.functional.adaptive_max_pool1d_with_indices(t[..., 0], size), [x])


@given(st.data(), st.booleans(), st.integers(1, 3), st.sampled_from([None, 1, 2]), st.booleans())
@settings(max_examples=8)
def test_max_unpool2d_matches_torch(data, batched, kernel, stride, sized):
    x = data.draw(mst.arrays("float64", (2, 3, 5, 4) if batched else (3, 5, 4), mst.reals(-3, 3), unique=True))
    padding = data.draw(st.integers(0, kernel // 2))
    with minigrad.no_grad():
        _, positions = minigrad.nn.functional.max_pool2d(minigrad.tensor(x), kernel, stride, padding,
                                                         return_indices=True)
    default = [(n - 1) * (stride or kernel) + kernel - 2 * padding for n in positions.shape[-2:]]
    # the size before pooling, which the indices point into, where unpooling may restore it
    output_size = list(x.shape[-2:]) if sized and all(abs(n - d) < (stride or kernel)
                                                      for n, d in zip(x.shape[-2:], default)) else None
    if output_size is None and default != list(x.shape[-2:]):
        positions = minigrad.tensor(np.minimum(positions.numpy(), default[0] * default[1] - 1))  # inside the plane
    # One value per position of the plane, read at the indices: where two windows name the same
    # position (overlapping windows, or indices clipped above) they carry the same value, since
    # which of two values torch writes there last is up to its threads.
    lead, flat = positions.shape[:-2], positions.numpy().reshape(*positions.shape[:-2], -1)
    table = data.draw(mst.arrays("float64", (*lead, int(flat.max()) + 1), mst.reals(-3, 3)))
    pooled = np.take_along_axis(table, flat, axis=-1).reshape(tuple(positions.shape))

    def unpool(lib, values, indices):
        layer = lib.nn.MaxUnpool2d(kernel, stride, padding)
        return layer(values, indices, output_size)

    check_parity(data, unpool, [pooled, positions.numpy()], requires_grad=[True, False])
    out = unpool(minigrad, minigrad.tensor(pooled, requires_grad=True), positions)
    assert out.grad_fn.name() == "MaxUnpool2DBackward0"
    assert repr(nn.MaxUnpool2d(kernel, stride, padding)) == repr(torch.nn.MaxUnpool2d(kernel, stride, padding))


@given(st.data(), st.booleans(), st.integers(1, 3), st.sampled_from([None, 1, 2]))
@settings(max_examples=6)
def test_max_unpool1d_matches_torch(data, batched, kernel, stride):
    x = data.draw(mst.arrays("float64", (2, 3, 6) if batched else (3, 6), mst.reals(-3, 3), unique=True))
    padding = data.draw(st.integers(0, kernel // 2))
    values, positions = minigrad.nn.functional.max_pool1d(minigrad.tensor(x), kernel, stride, padding,
                                                          return_indices=True)
    default = (positions.shape[-1] - 1) * (stride or kernel) + kernel - 2 * padding
    # the length before pooling, which the indices point into, where unpooling may restore it
    output_size = [x.shape[-1]] if abs(x.shape[-1] - default) < (stride or kernel) else None
    if output_size is None:
        positions = minigrad.tensor(np.minimum(positions.numpy(), default - 1))  # inside the unpooled length
    check_parity(data, lambda lib, v, i: lib.nn.MaxUnpool1d(kernel, stride, padding)(v, i, output_size),
                 [values.numpy(), positions.numpy()], requires_grad=[True, False])
    assert repr(nn.MaxUnpool1d(kernel, stride, padding)) == repr(torch.nn.MaxUnpool1d(kernel, stride, padding))


def test_unpooling_a_repeated_index_keeps_the_later_value_and_sends_each_its_gradient():
    values = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    positions = np.array([[[[0, 0], [5, 15]]]])
    check = []
    for lib in (minigrad, torch):
        v = lib.tensor(values, requires_grad=True)
        out = lib.nn.functional.max_unpool2d(v, lib.tensor(positions), 2)
        out.backward(lib.arange(16.0, dtype=lib.float64).reshape(1, 1, 4, 4))
        check.append((out.detach().numpy().tolist(), v.grad.numpy().tolist()))
    assert check[0] == check[1]
    assert check[0][0][0][0][0][0] == 2.0 and check[0][1] == [[[[0.0, 0.0], [5.0, 15.0]]]]


@pytest.mark.parametrize("call", [
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i, 2, output_size=(6, 5)),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i, 2, output_size=(5,)),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i + 20, 2),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i - 20, 2),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i.int(), 2),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v, i[:, :2], 2),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v[0, 0], i[0, 0], 2),
    lambda lib, v, i: lib.nn.functional.max_unpool2d(v.long(), i, 2),
    lambda lib, v, i: lib.nn.functional.max_unpool1d(v[..., 0], i[..., 0], 2, output_size=[7]),
    lambda lib, v, i: lib.nn.functional.max_unpool1d(v[..., 0], i[..., 0] + 10, 2),
])
def test_unpool_errors_match_torch(call):
    def run(lib):
        values, indices = lib.nn.functional.max_pool2d(lib.ones(2, 3, 4, 4), 2, return_indices=True)
        return call(lib, values, indices)

    mine, theirs = assert_raises_like_torch(run)
    assert str(theirs).split(":")[0].split("(")[0] in str(mine)


def test_unpooled_sizes_accept_output_size_with_batch_and_channel_axes():
    values, indices = minigrad.nn.functional.max_pool2d(minigrad.rand(2, 3, 5, 5), 2, return_indices=True)
    out = minigrad.nn.functional.max_unpool2d(values, indices, 2, output_size=(2, 3, 5, 5))
    assert tuple(out.shape) == (2, 3, 5, 5) and out.dtype is minigrad.float32
