"""Shape ops in place (t_, transpose_, swapaxes_, swapdims_, squeeze_, unsqueeze_) and the
triangle and diagonal writers (tril_, triu_, fill_diagonal_), against torch.

A shape op in place changes the tensor's dims, not its values: the tensor itself takes the new
shape and strides (views and leaves as in torch), its version moves, and on a tensor in the
graph the gradient flows back through the view.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@st.composite
def shape_calls(draw):
    """(shape, name, args) for a shape op in place that torch accepts on that shape."""
    name = draw(st.sampled_from(["t_", "transpose_", "swapaxes_", "swapdims_", "squeeze_", "unsqueeze_"]))
    if name == "t_":
        return draw(mst.shapes(max_dims=2)), name, ()
    shape = draw(st.lists(st.integers(1, 3), min_size=0 if name == "unsqueeze_" else 1, max_size=4).map(tuple))
    if name == "unsqueeze_":
        return shape, name, (draw(st.integers(-len(shape) - 1, len(shape))),)
    if name == "squeeze_":
        dim = draw(st.none() | mst.dim(len(shape)) | st.lists(st.integers(0, len(shape) - 1), max_size=2,
                                                                unique=True).map(tuple))
        return shape, name, () if dim is None else (dim,)
    return shape, name, (draw(mst.dim(len(shape))), draw(mst.dim(len(shape))))


@settings(max_examples=50)
@given(data=st.data(), call=shape_calls(), dtype=st.sampled_from([np.float64, np.float32]))
def test_shape_ops_in_place_match_torch_with_gradients(data, call, dtype):
    shape, name, args = call
    x = data.draw(mst.arrays(np.float64, shape), label="x")

    def fn(lib, x):
        y = x * 1
        version = y._version
        assert getattr(y, name)(*args) is y
        assert y._version == version + 1
        return y, lib.tensor(y.stride())

    check_parity(data, fn, [x], dtype=dtype)


@given(call=shape_calls())
def test_shape_ops_in_place_on_a_plain_tensor_and_on_a_view(call):
    shape, name, args = call

    def program(lib):
        base = lib.arange(float(np.prod(shape) * 2)).reshape((2,) + shape)
        view = base[1]
        getattr(view, name)(*args)
        return view, list(view.shape), list(view.stride()), list(base.shape), view._version, base._version

    assert_same_as_torch(program)


@pytest.mark.parametrize("call", [("t_", ()), ("transpose_", (0, 1)), ("squeeze_", ()), ("unsqueeze_", (0,))])
def test_a_leaf_that_requires_grad_is_refused_unless_grad_is_off(call):
    name, args = call
    mine, _ = assert_raises_like_torch(lambda lib: getattr(lib.ones(2, 1, requires_grad=True), name)(*args))
    assert "leaf Variable that requires grad" in str(mine)

    def under_no_grad(lib):
        x = lib.ones(2, 1, requires_grad=True)
        with lib.no_grad():
            getattr(x, name)(*args)
        return list(x.shape), x.requires_grad, x.is_leaf, x.grad_fn is None

    assert_same_as_torch(under_no_grad)


def test_a_tensor_saved_for_backward_and_reshaped_in_place_fails_at_backward():
    for lib in (torch, minigrad):
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 1
        z = y * y  # saves y
        y.t_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, 3, 4).t_(),
    lambda lib: lib.ones(2, 3).transpose_(0, 2),
    lambda lib: lib.ones(2, 3).swapdims_(-3, 0),
    lambda lib: lib.ones(2, 3).unsqueeze_(3),
    lambda lib: lib.ones(2, 3).squeeze_(2),
])
def test_shape_ops_in_place_errors_like_torch(call):
    assert_raises_like_torch(call)


@settings(max_examples=20)
@given(data=st.data(), name=st.sampled_from(["tril_", "triu_"]), shape=mst.shapes(min_dims=2, max_dims=3),
       diagonal=st.integers(-3, 3), dtype=st.sampled_from([np.float64, np.float32]))
def test_triangles_in_place_match_torch(data, name, shape, diagonal, dtype):
    x = data.draw(mst.arrays(np.float64, shape), label="x")

    def fn(lib, x):
        y = x * 1
        assert getattr(y, name)(diagonal) is y
        return y

    check_parity(data, fn, [x], dtype=dtype)


@given(name=st.sampled_from(["tril_", "triu_"]), dtype=st.sampled_from(["bool", "int64", "float32"]))
def test_triangles_in_place_keep_the_dtype_and_refuse_one_dim(name, dtype):
    assert_same_as_torch(lambda lib: getattr(lib.ones(3, 3).to(getattr(lib, dtype)), name)(-1))
    assert_raises_like_torch(lambda lib: getattr(lib.ones(3), name)())


@given(rows=st.integers(0, 9), columns=st.integers(0, 5), wrap=st.booleans(),
       value=st.sampled_from([2, -1.5, True, 7.25]), dtype=st.sampled_from(["float32", "float64", "int64", "bool"]))
def test_fill_diagonal_like_torch_with_and_without_wrap(rows, columns, wrap, value, dtype):
    def program(lib):
        x = lib.zeros(rows, columns).to(getattr(lib, dtype))
        assert x.fill_diagonal_(value, wrap=wrap) is x
        return x, x._version > 0  # (torch counts its wrapped second pass as a second write)

    assert_same_as_torch(program)


@given(size=st.integers(1, 3), ndim=st.integers(3, 4))
def test_fill_diagonal_of_a_cube(size, ndim):
    assert_same_as_torch(lambda lib: lib.zeros((size,) * ndim).fill_diagonal_(1.5))


@given(data=st.data(), shape=st.sampled_from([(3, 3), (5, 2), (2, 4), (2, 2, 2)]), wrap=st.booleans())
def test_fill_diagonal_sends_no_gradient_to_the_diagonal(data, shape, wrap):
    x = data.draw(mst.arrays(np.float64, shape), label="x")
    check_parity(data, lambda lib, x: (x * 1).fill_diagonal_(0.5, wrap=wrap), [x])


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(3).fill_diagonal_(1),
    lambda lib: lib.zeros(2, 3, 2).fill_diagonal_(1),
    lambda lib: lib.zeros(2, 2, requires_grad=True).fill_diagonal_(1),
    lambda lib: lib.zeros(2, 2).fill_diagonal_("1"),
])
def test_fill_diagonal_errors_like_torch(call):
    assert_raises_like_torch(call)


def test_fill_diagonal_takes_a_zero_dim_tensor():
    assert_same_as_torch(lambda lib: lib.zeros(3, 2).fill_diagonal_(lib.tensor(4.0)))
