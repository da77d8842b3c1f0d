"""Shape and index ops at the corners where NumPy's rules and torch's differ: negative starts
and indices, ranges past the end, empty dims, broadcasting index tensors, and where the
dims picked by index tensors land. Each case runs on minigrad and on torch in the same test;
where torch raises, minigrad must raise the same exception type, else values and gradients
must agree.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _torch_outcome(fn, args):
    """The exception type torch raises for fn(args), or None when it succeeds."""
    tensors = [torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args]
    try:
        fn(torch, *tensors)
    except Exception as error:  # noqa: BLE001 - any exception torch raises is the expectation
        return type(error)
    return None


def check_parity_or_same_error(data, fn, args, dtype, errors=None):
    """Values and gradients as torch's, or torch's exception type where torch refuses the call
    (or one of `errors`, where torch's type depends on which of its kernels runs)."""
    error = _torch_outcome(fn, [a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                                for a in args])
    if error is None:
        check_parity(data, fn, args, dtype=dtype)
        return
    error = errors or error
    tensors = [minigrad.tensor(a.astype(dtype) if a.dtype.kind == "f" else a) if isinstance(a, np.ndarray) else a
               for a in args]
    with pytest.raises(error):
        fn(minigrad, *tensors)


def _sized_shapes(min_side=0):
    return mst.shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=5)


DTYPES = pytest.mark.parametrize("dtype", ["float64", "float32"])


@DTYPES
@given(data=st.data())
def test_narrow(dtype, data):
    x = data.draw(mst.arrays("float64", _sized_shapes()), label="x")
    dim = data.draw(mst.dim(x.ndim), label="dim")
    size = x.shape[dim]
    start = data.draw(st.integers(-size - 2, size + 2), label="start")
    length = data.draw(st.integers(-1, size + 2), label="length")
    check_parity_or_same_error(data, lambda lib, t: t.narrow(dim, start, length), [x], dtype)


@DTYPES
@given(data=st.data())
def test_tensor_split(dtype, data):
    x = data.draw(mst.arrays("float64", _sized_shapes()), label="x")
    dim = data.draw(mst.dim(x.ndim), label="dim")
    size = x.shape[dim]
    indices = st.lists(st.integers(-size - 2, size + 2), max_size=4)
    split = data.draw(st.one_of(st.integers(1, size + 2), indices, indices.map(tuple)), label="indices_or_sections")
    as_tensor = data.draw(st.booleans(), label="as a tensor")

    def fn(lib, t):
        argument = lib.tensor(split, dtype=lib.int64) if as_tensor else split
        return t.tensor_split(argument, dim)

    check_parity_or_same_error(data, fn, [x], dtype)


@DTYPES
@given(data=st.data())
def test_chunk(dtype, data):
    x = data.draw(mst.arrays("float64", _sized_shapes()), label="x")
    dim = data.draw(mst.dim(x.ndim), label="dim")
    chunks = data.draw(st.integers(1, 6), label="chunks")
    check_parity_or_same_error(data, lambda lib, t: t.chunk(chunks, dim), [x], dtype)


@DTYPES
@given(data=st.data())
def test_take_along_dim_broadcasts(dtype, data):
    """x and the indices broadcast against each other on every dim but `dim`."""
    shape = data.draw(mst.shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    dim = data.draw(mst.dim(len(shape)), label="dim")
    axis = dim % len(shape)
    x_shape = tuple(n if i == axis or data.draw(st.booleans(), label="x keeps") else 1 for i, n in enumerate(shape))
    index_shape = tuple(data.draw(st.integers(0, 3), label="picks") if i == axis else
                        n if data.draw(st.booleans(), label="index keeps") else 1 for i, n in enumerate(shape))
    x = data.draw(mst.arrays("float64", x_shape), label="x")
    index = data.draw(mst.arrays("int64", index_shape, elements=st.integers(0, x_shape[axis] - 1)), label="index")
    check_parity_or_same_error(data, lambda lib, t, i: lib.take_along_dim(t, i, dim), [x, index], dtype)


@DTYPES
@given(data=st.data())
def test_take_along_dim_flat(dtype, data):
    x = data.draw(mst.arrays("float64", mst.shapes(max_dims=3)), label="x")
    index = data.draw(mst.arrays("int64", mst.shapes(max_dims=2), elements=st.integers(0, x.size - 1)), label="index")
    check_parity_or_same_error(data, lambda lib, t, i: t.take_along_dim(i), [x, index], dtype)


@DTYPES
@given(data=st.data())
def test_index_select_does_not_wrap_negative_indices(dtype, data):
    x = data.draw(mst.arrays("float64", _sized_shapes(min_side=1)), label="x")
    dim = data.draw(mst.dim(x.ndim), label="dim")
    size = x.shape[dim]
    index = data.draw(mst.arrays("int64", st.integers(0, 4), elements=st.integers(-size - 1, size)), label="index")
    # torch raises IndexError along dim 0 and RuntimeError along the others (two kernels).
    check_parity_or_same_error(data, lambda lib, t, i: t.index_select(dim, i), [x, index], dtype,
                               errors=(IndexError, RuntimeError))


@st.composite
def _mixed_index(draw, ndim):
    """A torch index mixing index tensors with slices, ints, None and at most one Ellipsis,
    given as a list of tokens (an index tensor as ("tensor", values))."""
    tokens = []
    for _ in range(draw(st.integers(1, ndim + 1))):
        tokens.append(draw(st.sampled_from(["tensor", "tensor", "slice", "int", "none", "ellipsis"])))
    if tokens.count("ellipsis") > 1:
        first = tokens.index("ellipsis")
        tokens = tokens[:first + 1] + [t for t in tokens[first + 1:] if t != "ellipsis"]
    return tokens


@DTYPES
@given(data=st.data())
def test_index_tensors_around_ellipsis_and_slices(dtype, data):
    """Index tensors that are neighbours once the Ellipsis is spelled out keep their place in
    the result, as in torch (NumPy sends them to the front whenever an Ellipsis lies between)."""
    x = data.draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=4, min_side=2, max_side=3)), label="x")
    tokens = data.draw(_mixed_index(x.ndim), label="tokens")
    picks = data.draw(mst.arrays("int64", st.integers(1, 3), elements=st.integers(0, 1)), label="picks")

    def fn(lib, t, p):
        index = tuple({"tensor": p, "slice": slice(None), "int": 1, "none": None, "ellipsis": Ellipsis}[k]
                      for k in tokens)
        return t[index]

    check_parity_or_same_error(data, fn, [x, picks], dtype)


@DTYPES
@given(data=st.data())
def test_constant_pad_with_negative_amounts(dtype, data):
    """Negative amounts crop; cropping more than a dim holds raises, as in torch."""
    x = data.draw(mst.arrays("float64", _sized_shapes()), label="x")
    padded = data.draw(st.integers(1, x.ndim), label="padded dims")
    pad = []
    for axis in reversed(range(x.ndim - padded, x.ndim)):
        size = x.shape[axis]
        pad += [data.draw(st.integers(-size - 1, 2), label="before"), data.draw(st.integers(-size - 1, 2), label="after")]
    value = data.draw(mst.reals(), label="value")
    check_parity_or_same_error(data, lambda lib, t: lib.nn.functional.pad(t, pad, value=value), [x], dtype)


_VIEW_DTYPES = ["float32", "float64", "int64", "int32", "int16", "uint8", "bool"]


@given(data=st.data())
def test_view_dtype_reinterprets_bits(data):
    """view(dtype) reads the same bytes as another dtype (1.0 as int32 is 1065353216); no value
    is converted. The last dim scales with the element size, and must allow it."""
    source = data.draw(st.sampled_from(["float32", "float64", "int64", "int32", "uint8"]), label="source")
    target = data.draw(st.sampled_from(_VIEW_DTYPES), label="target")
    shape = data.draw(mst.shapes(max_dims=3, max_side=4), label="shape")
    x = data.draw(mst.arrays(source, shape, elements=None if source[0] != "u" else st.integers(0, 1)), label="x")
    transpose = data.draw(st.booleans(), label="transpose") and x.ndim >= 2

    def fn(lib, t):
        t = t.transpose(0, 1) if transpose else t
        return t.view(getattr(lib, target))

    error = _torch_outcome(fn, [x])
    mine = minigrad.tensor(x)
    if error is not None:
        with pytest.raises(error):
            fn(minigrad, mine)
        return
    expected, out = fn(torch, torch.from_numpy(x)), fn(minigrad, mine)
    assert out.dtype.itemsize == expected.dtype.itemsize and tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    mine.add_(1)  # a view: it shares memory with x
    np.testing.assert_array_equal(out.numpy(), fn(torch, torch.from_numpy(mine.numpy())).numpy())


def test_view_dtype_to_a_narrower_dtype_needs_a_last_stride_of_one_even_for_one_element():
    """torch checks stride(-1) == 1 whatever the last dim's size: a column of a transposed matrix
    (stride 2, one element wide) is refused, where the bytes alone would allow the view."""
    for make in (lambda lib: lib.zeros(1, 2).transpose(0, 1), lambda lib: lib.zeros(2, 3).t()[:, :1]):
        assert_raises_like_torch(lambda lib: make(lib).view(lib.int16))


def test_view_dtype_is_not_differentiable():
    x = minigrad.randn(2, 4, requires_grad=True)
    expected = torch.randn(2, 4, requires_grad=True)
    for name in ("float32", "float64", "int32"):
        out, reference = x.view(getattr(minigrad, name)), expected.view(getattr(torch, name))
        assert out.requires_grad == reference.requires_grad
        assert tuple(out.shape) == tuple(reference.shape)


@DTYPES
@given(data=st.data())
def test_interpolate_linear_copies_an_axis_whose_size_stays(dtype, data):
    """A non-integer scale factor that leaves an axis's size as it is (1.1 on 4 elements)
    copies that axis in torch's linear modes rather than interpolating it."""
    mode = data.draw(st.sampled_from(["linear", "bilinear", "trilinear"]), label="mode")
    spatial = {"linear": 1, "bilinear": 2, "trilinear": 3}[mode]
    shape = data.draw(mst.shapes(min_dims=spatial + 2, max_dims=spatial + 2, min_side=1, max_side=4), label="shape")
    x = data.draw(mst.arrays("float64", shape), label="x")
    factors = [data.draw(st.sampled_from([1.1, 1.2, 1.25, 1.5, 1.6, 2.0, 2.5]), label="factor")
               for _ in range(spatial)]
    align = data.draw(st.sampled_from([None, False, True]), label="align_corners")

    def fn(lib, t):
        return lib.nn.functional.interpolate(t, scale_factor=factors, mode=mode, align_corners=align)

    check_parity_or_same_error(data, fn, [x], dtype)


@pytest.mark.parametrize("shape, tokens", [
    ((2, 3), ["tensor", "ellipsis", "tensor"]),
    ((2, 3), ["none", "tensor", "ellipsis", "tensor"]),
    ((2, 3, 4), ["slice", "tensor", "ellipsis", "tensor"]),
    ((2, 3, 4, 5), ["tensor", "ellipsis", "tensor"]),
    ((2, 3, 4, 5), ["tensor", "slice", "tensor"]),
])
def test_index_tensors_next_to_an_empty_ellipsis(shape, tokens):
    """An Ellipsis that stands for no dim does not separate the index tensors around it."""
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    picks = np.array([1, 0])

    def index(lib):
        return tuple({"tensor": lib.tensor(picks), "slice": slice(None), "none": None, "ellipsis": Ellipsis}[k]
                     for k in tokens)

    mine = minigrad.tensor(x, requires_grad=True)
    out, expected = mine[index(minigrad)], torch.from_numpy(x)[index(torch)]
    assert_close(out, expected)
    out.sum().backward()
    reference = torch.from_numpy(x).requires_grad_(True)
    reference[index(torch)].sum().backward()
    assert_close(mine.grad, reference.grad)
