"""as_strided and its family against torch: views read straight from a tensor's storage.

Hypothesis draws an input (maybe a view of a larger tensor: a slice, a transpose, an expanded
one) and a window (size, stride, offset) that fits its storage, overlapping windows and strides
of 0 included. Values, strides, storage offsets, grad_fn names and the gradients (each storage
place collects the gradient of every output element that reads it) are compared with torch's.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch, check_parity

torch = torch_or_skip()

# How the drawn array becomes the input of as_strided: itself or a view of it. (A storage of
# its own for an expanded input: an expanded leaf's gradient would be summed back by expand.)
VIEWS = {
    "itself": lambda x: x,
    "rows after the first": lambda x: x[1:],
    "transposed": lambda x: x.transpose(0, -1),
    "expanded": lambda x: x[:1].expand(3, *x.shape[1:]),
}


@st.composite
def windows(draw, storage_size, own_offset=0):
    """(size, stride, offset) of a window that lies inside a storage of `storage_size` elements. An
    offset of None keeps the input's own (own_offset): drawn only where the window fits from there."""
    ndim = draw(st.integers(0, 3), label="window dims")
    size = draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim), label="size")
    stride = draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim), label="stride")
    reach = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if reach > storage_size:  # too long for the storage: every step of one element instead
        stride = [0] * ndim
        reach = 1 if 0 not in size else 0
    keep_own = st.none() if own_offset + reach <= storage_size else st.nothing()
    offset = draw(st.integers(0, storage_size - reach) | keep_own, label="offset")
    return size, stride, offset


@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]), view=st.sampled_from(sorted(VIEWS)),
       shape=mst.shapes(min_dims=1, max_dims=3, min_side=2, max_side=4), as_method=st.booleans())
@settings(max_examples=60)
def test_as_strided_values_and_gradients_match_torch(data, dtype, view, shape, as_method):
    own_offset = int(np.prod(shape[1:])) if view == "rows after the first" else 0
    size, stride, offset = data.draw(windows(int(np.prod(shape)), own_offset), label="window")
    array = data.draw(mst.arrays(np.float64, shape), label="x")

    def fn(lib, x):
        source = VIEWS[view](x)
        out = source.as_strided(size, stride, offset) if as_method else lib.as_strided(source, size, stride, offset)
        assert tuple(out.stride()) == tuple(stride) and out.storage_offset() == (
            source.storage_offset() if offset is None else offset)
        if out.requires_grad:
            assert out.grad_fn.name() == "AsStridedBackward0"
        return out

    check_parity(data, fn, [array], dtype=dtype)


def test_overlapping_windows_add_up_their_gradients():
    """The windows of three neighbours of a 1-D x overlap: x[i] is read by up to three windows, so its
    gradient is the sum of theirs (torch's gradient, and the count written out)."""
    def program(lib):
        x = lib.arange(6.0, dtype=lib.float64).requires_grad_()
        windows = x.as_strided((4, 3), (1, 1))
        windows.sum().backward()
        return windows, x.grad

    windows, grad = assert_same_as_torch(program)
    assert grad == [1.0, 2.0, 3.0, 3.0, 2.0, 1.0]


def test_an_expanded_input_shares_each_place_s_gradient_as_torch_does():
    """Four elements of an expanded tensor lie on one place of storage: the gradient that reaches
    that place is shared among them (torch divides by the count), so their sum is that gradient."""
    def program(lib):
        x = lib.tensor([[1.0, 2.0, 3.0]], dtype=lib.float64).expand(4, 3).detach().requires_grad_()
        x.as_strided((2, 2), (1, 1)).backward(lib.tensor([[1.0, 10.0], [100.0, 1000.0]], dtype=lib.float64))
        return x.grad

    grad = assert_same_as_torch(program)
    assert sum(row[1] for row in grad) == 10.0 + 100.0


@given(data=st.data(), n=st.integers(1, 2), channels=st.integers(1, 2), side=st.integers(3, 5),
       out_channels=st.integers(1, 3), kernel=st.integers(1, 3), dtype=st.sampled_from([np.float64, np.float32]))
@settings(max_examples=15)
def test_a_convolution_by_im2col_with_as_strided_matches_torch_s_conv2d(data, n, channels, side, out_channels,
                                                                          kernel, dtype):
    """im2col as learners write it: as_strided reads every kernel-sized patch of the (contiguous)
    input without a copy, a matmul with the flattened weight does the rest. Values and both
    gradients agree with torch's conv2d."""
    x = data.draw(mst.arrays(dtype, (n, channels, side, side)), label="x")
    w = data.draw(mst.arrays(dtype, (out_channels, channels, kernel, kernel)), label="w")
    upstream = data.draw(mst.arrays(dtype, (n, out_channels, side - kernel + 1, side - kernel + 1)), label="g")

    def im2col_conv(lib, x, w):
        out_side = side - kernel + 1
        patches = x.as_strided((n, out_side, out_side, channels, kernel, kernel),
                               (channels * side * side, side, 1, side * side, side, 1))
        columns = patches.reshape(n * out_side * out_side, channels * kernel * kernel)
        out = columns @ w.reshape(out_channels, -1).t()
        return out.reshape(n, out_side, out_side, out_channels).permute(0, 3, 1, 2)

    ours = [minigrad.tensor(a, requires_grad=True) for a in (x, w)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w)]
    mine, reference = im2col_conv(minigrad, *ours), torch.nn.functional.conv2d(*theirs)
    assert_close(mine, reference)
    mine.backward(minigrad.tensor(upstream))
    reference.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad)


@given(data=st.data(), shape=mst.shapes(min_dims=1, max_dims=2, min_side=2, max_side=4))
@settings(max_examples=20)
def test_second_derivatives_through_as_strided_match_torch(data, shape):
    size, stride, offset = data.draw(windows(int(np.prod(shape))).filter(lambda w: 0 not in w[0]), label="window")
    array = data.draw(mst.arrays(np.float64, shape), label="x")
    direction = data.draw(mst.arrays(np.float64, shape), label="direction")

    def second(lib):
        x = lib.tensor(array, requires_grad=True)
        y = x.as_strided(size, stride, offset)
        (first,) = lib.autograd.grad((y ** 3).sum(), x, create_graph=True)
        (seconds,) = lib.autograd.grad((first * lib.tensor(direction)).sum(), x)
        return first.detach(), seconds

    for mine, reference in zip(second(minigrad), second(torch)):
        assert_close(mine, reference)


def test_as_strided_is_a_view_of_the_storage():
    """Writing through the window writes the base (also where the window lies outside the view it was
    taken from), and the version counter is shared, as in torch."""
    def program(lib):
        base = lib.zeros(3, 4)
        window = base[2:].as_strided((2,), (5,), 0)
        window.fill_(7.0)
        return base, base._version, window._version, window._base is base

    assert_same_as_torch(program)


def test_as_strided_in_place_changes_the_tensor_s_geometry():
    def program(lib):
        x = lib.arange(12.0).reshape(3, 4)
        version = x._version
        y = x.as_strided_((2, 2), (1, 3), 1)
        z = (lib.arange(12.0, requires_grad=True) * 2).as_strided_((3,), (4,), 2)
        return (y is x, x, x.stride(), x.storage_offset(), x._version - version, x.as_strided((2,), (1,), 0),
                z.grad_fn.name())

    assert_same_as_torch(program)


def test_as_strided_in_place_on_a_leaf_that_requires_grad_raises_like_torch():
    assert_raises_like_torch(lambda lib: lib.zeros(4, requires_grad=True).as_strided_((2,), (1,)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(12.0).as_strided((4, 4), (4, 1)),          # needs 16 elements of 12
    lambda lib: lib.arange(12.0).as_strided((2, 2), (1, 1), 11),      # from the last element on
    lambda lib: lib.arange(12.0)[4:].as_strided((3, 4), (4, 1), 1),   # a view's storage is its base's
    lambda lib: lib.arange(12.0).as_strided((2, 2), (-1, 1)),         # a negative stride
    lambda lib: lib.arange(12.0).as_strided((-1, 2), (1, 1)),         # a negative size
    lambda lib: lib.arange(12.0).as_strided((2, 2), (1,)),            # a stride short
    lambda lib: lib.arange(12.0).as_strided((2, 2), (1, 1), -1),      # a negative offset
    lambda lib: lib.arange(12.0).as_strided((2, 2), (1, 1), 1.5),     # an offset that is no int
    lambda lib: lib.arange(12.0).as_strided(4, 1),                    # sizes that are no tuples
    lambda lib: lib.as_strided_copy(lib.arange(3.0), (4,), (1,)),
], ids=["too far", "offset too far", "view", "negative stride", "negative size", "lengths", "negative offset",
        "float offset", "int size", "copy"])
def test_as_strided_errors_match_torch(call):
    mine, theirs = assert_raises_like_torch(call)
    if "setStorage" in str(theirs):  # out of bounds: the same sizes, strides, offset and byte counts
        assert str(mine) == str(theirs)


def test_windows_without_elements_may_start_anywhere_as_in_torch():
    """(Past the storage's end, minigrad's storage_offset() is that end: see README.)"""
    assert_same_as_torch(lambda lib: [lib.arange(12.0).as_strided((0, 2), (1, 1), 13).shape,
                                      lib.arange(12.0).as_strided((), (), 11)])


@given(data=st.data(), shape=mst.shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
       dtype=st.sampled_from([np.float64, np.float32]))
@settings(max_examples=30)
def test_as_strided_copy_is_a_contiguous_copy_with_the_same_gradient(data, shape, dtype):
    size, stride, offset = data.draw(windows(int(np.prod(shape))), label="window")

    def fn(lib, x):
        out = lib.as_strided_copy(x, size, stride, offset)
        assert out.is_contiguous() and out._base is None
        if out.requires_grad:
            assert out.grad_fn.name() == "AsStridedBackward0_copy"
        return out

    check_parity(data, fn, [data.draw(mst.arrays(np.float64, shape), label="x")], dtype=dtype)


@given(data=st.data(), shape=mst.shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
       dtype=st.sampled_from([np.float64, np.float32]))
@settings(max_examples=30)
def test_as_strided_scatter_matches_torch(data, shape, dtype):
    """src is written over the window of a copy of x, and reads the window's gradient (every element
    of it, even where a later one overwrote it), as in torch. x's gradient is compared with the true
    one, not torch's: torch's is wrong (it fails torch's own gradcheck: it keeps the gradient over
    the window and zeroes it elsewhere, where it should do the opposite)."""
    size, stride, offset = data.draw(windows(int(np.prod(shape))), label="window")
    x = data.draw(mst.arrays(np.float64, shape), label="x")
    src = data.draw(mst.arrays(np.float64, tuple(size)), label="src")

    def fn(lib, x, src):
        out = lib.as_strided_scatter(x, src, size, stride, offset)
        if out.requires_grad:
            assert out.grad_fn.name() == "AsStridedScatterBackward0"
        return out

    if 0 not in size and any(n > 1 and s == 0 for n, s in zip(size, stride)):  # refused, as in torch
        assert_raises_like_torch(lambda lib: fn(lib, lib.tensor(x), lib.tensor(src)))
        return
    if _overlaps(size, stride):  # which of the src elements written to one place wins is not specified
        src = np.full(tuple(size), 0.5)
    check_parity(data, fn, [x, src], requires_grad=[False, True], dtype=dtype)

    upstream = data.draw(mst.arrays(dtype, shape), label="upstream")
    inputs = minigrad.tensor(x.astype(dtype), requires_grad=True), minigrad.tensor(src.astype(dtype))
    fn(minigrad, *inputs).backward(minigrad.tensor(upstream))
    expected = torch.tensor(upstream)  # the upstream gradient, zero where src was written
    expected.as_strided(size, stride, offset).fill_(0.0)
    assert_close(inputs[0].grad, expected)


def _overlaps(size, stride):
    places = [0]
    for n, s in zip(size, stride):
        places = [p + i * s for p in places for i in range(n)]
    return len(places) != len(set(places))


def test_as_strided_scatter_of_a_transposed_input_uses_the_copy_s_own_storage():
    def program(lib):
        x = lib.arange(12.0).reshape(3, 4).t()
        out = lib.as_strided_scatter(x, lib.full((2,), -1.0, dtype=lib.float64), (2,), (3,), 1)
        return out, out.stride(), str(out.dtype)[-7:]

    assert_same_as_torch(program)


@pytest.mark.parametrize("call", [
    lambda lib: lib.as_strided_scatter(lib.zeros(3, 4), lib.ones(2, 3), (2, 2), (1, 1), 3),
    lambda lib: lib.as_strided_scatter(lib.zeros(3, 4), lib.ones(2, 2), (4, 4), (4, 1)),
    lambda lib: lib.as_strided_scatter(lib.zeros(4, 3, requires_grad=True).t(), lib.ones(2, 2), (2, 2), (1, 1)),
    lambda lib: lib.as_strided_scatter(lib.zeros(3, 4), lib.ones(2, 2), (2, 2), (0, 1)),
], ids=["src size", "out of bounds", "non-contiguous input that requires grad", "stride 0"])
def test_as_strided_scatter_errors_match_torch(call):
    assert_raises_like_torch(call)


@pytest.mark.parametrize("program", [
    lambda lib: lib.empty_strided((2, 3), (1, 2)),
    lambda lib: lib.empty_strided((2, 3), (0, 0), dtype=lib.float64, requires_grad=True).as_strided((1,), (1,)),
    lambda lib: lib.empty_strided((), ()),
    lambda lib: lib.zeros(2, dtype=lib.float64).new_empty_strided((2, 3), (4, 1)),
    lambda lib: lib.zeros(2).new_empty_strided((2, 3), (1, 2), dtype=lib.int32),
    lambda lib: lib.empty_permuted((2, 3, 4), (2, 0, 1)),
    lambda lib: lib.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1), dtype=lib.float64),
    lambda lib: lib.empty_permuted((), ()),
], ids=["strided", "overlapping storage of one element", "0-d", "new", "new int", "permuted", "channels-last",
        "permuted 0-d"])
def test_empty_strided_and_permuted_lay_out_as_torch(program):
    """The values are uninitialised in torch: shape, strides, dtype and requires_grad are compared."""
    def layout(lib):
        t = program(lib)
        return list(t.shape), t.stride(), str(t.dtype).split(".")[1], t.requires_grad, t.is_contiguous()

    assert_same_as_torch(layout)


@pytest.mark.parametrize("call", [
    lambda lib: lib.empty_strided(2, 1),
    lambda lib: lib.empty_strided((2, 3), (1,)),
    lambda lib: lib.empty_strided((2, -3), (1, 2)),
    lambda lib: lib.empty_strided((2, 3), (1, -2)),
    lambda lib: lib.empty_strided((2, 3), (1, 2), dtype=lib.int64, requires_grad=True),
    lambda lib: lib.zeros(2).new_empty_strided((2, 3), (1, -2)),
    lambda lib: lib.empty_permuted((2, 3), (1,)),
    lambda lib: lib.empty_permuted((2, 3), (1, 1)),
    lambda lib: lib.empty_permuted((2, 3), (1, 2)),
    lambda lib: lib.empty_permuted((2, 3), (1, -1)),
    lambda lib: lib.empty_permuted((2, -3), (1, 0)),
])
def test_empty_strided_and_permuted_errors_match_torch(call):
    assert_raises_like_torch(call)
