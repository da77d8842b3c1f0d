"""Error parity with torch: the same exception type as torch (run in the same test) and a
message that names what was wrong (both sizes, the bad dim and the allowed range)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import strategies as mst


def raised(fn, lib):
    """The exception that fn(lib) raises (the test fails if it raises none)."""
    try:
        fn(lib)
    except Exception as error:  # noqa: BLE001  (any type: comparing it with torch's is the point)
        return error
    raise AssertionError(f"{lib.__name__} raised nothing")


def assert_raises_like_torch(fn):
    """minigrad raises exactly the exception type torch raises; returns both exceptions."""
    expected, actual = raised(fn, torch), raised(fn, minigrad)
    assert type(actual) is type(expected), (
        f"minigrad raised {type(actual).__name__}: {actual}; torch raises {type(expected).__name__}: {expected}")
    return actual, expected


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: one axis has sizes that differ and are not 1."""
    a = draw(mst.shapes(min_dims=1, max_dims=3, min_side=2))
    b = list(draw(mst.broadcastable_shapes(a, min_dims=1)))
    axis = draw(st.integers(1, len(b)))  # counted from the right, as broadcasting does
    b[-axis] = draw(st.integers(2, 6).filter(lambda n: n != a[-axis]))
    return a, tuple(b), a[-axis], b[-axis]


BROADCASTING_OPS = {
    "+": lambda lib, x, y: x + y,
    "*": lambda lib, x, y: x * y,
    "==": lambda lib, x, y: x == y,
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "where": lambda lib, x, y: lib.where(x > 0, x, y),
}


@given(clashing_shapes(), st.sampled_from(sorted(BROADCASTING_OPS)))
def test_broadcast_mismatch_names_both_sizes(shapes, name):
    a, b, size_a, size_b = shapes

    def call(lib):
        return BROADCASTING_OPS[name](lib, lib.ones(a), lib.ones(b))

    actual, _ = assert_raises_like_torch(call)
    assert f"({size_a})" in str(actual) and f"({size_b})" in str(actual), str(actual)


DIM_OPS = {
    "sum": lambda x, d: x.sum(d),
    "mean": lambda x, d: x.mean(d),
    "amax": lambda x, d: x.amax(d),
    "max": lambda x, d: x.max(d),
    "argmax": lambda x, d: x.argmax(d),
    "var": lambda x, d: x.var(d),
    "logsumexp": lambda x, d: x.logsumexp(d),
    "cumsum": lambda x, d: x.cumsum(d),
    "squeeze": lambda x, d: x.squeeze(d),
    "transpose": lambda x, d: x.transpose(0, d),
    "sort": lambda x, d: x.sort(d),
    "flatten": lambda x, d: x.flatten(d),
}


@given(st.sampled_from(sorted(DIM_OPS)), mst.shapes(min_dims=1, max_dims=3), st.data())
def test_bad_dim_raises_index_error_with_the_allowed_range(name, shape, data):
    n = len(shape)
    dim = data.draw(st.one_of(st.integers(n, n + 3), st.integers(-n - 3, -n - 1)), label="dim")

    def call(lib):
        return DIM_OPS[name](lib.ones(shape), dim)

    actual, expected = assert_raises_like_torch(call)
    assert isinstance(actual, IndexError)
    assert f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})" in str(actual)


def test_bad_dim_message_is_torchs():
    actual, expected = assert_raises_like_torch(lambda lib: lib.ones(2, 3).sum(2))
    assert str(actual) == "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    assert str(expected) == str(actual)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_matmul_mismatch_names_both_shapes(n, k, j, m):
    if k == j:
        j += 1

    def call(lib):
        return lib.ones(n, k) @ lib.ones(j, m)

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {j}x{m})"
    assert str(actual) == str(expected)


@given(mst.shapes(min_dims=1, max_dims=3), st.data())
def test_out_of_range_index_raises_index_error(shape, data):
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    size = shape[axis]
    bad = data.draw(st.one_of(st.integers(size, size + 3), st.integers(-size - 3, -size - 1)), label="index")
    as_tensor = data.draw(st.booleans(), label="as tensor")

    def call(lib):
        index = lib.tensor([bad]) if as_tensor else bad
        return lib.zeros(shape)[(slice(None),) * axis + (index,)]

    actual, _ = assert_raises_like_torch(call)
    assert str(bad) in str(actual) and str(size) in str(actual), str(actual)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.tensor([True]).requires_grad_(),
    lambda lib: lib.arange(3).requires_grad_(True),
])
def test_requires_grad_on_integer_tensor(make):
    actual, _ = assert_raises_like_torch(make)
    assert isinstance(actual, RuntimeError) and "floating point" in str(actual)


# Each bad call must raise the exception type torch raises for it.
BAD_CALLS = {
    "minus on bool tensors": lambda lib: lib.tensor([True]) - lib.tensor([False]),
    "mean of an int tensor": lambda lib: lib.tensor([1, 2]).mean(),
    "var of an int tensor": lambda lib: lib.tensor([1, 2]).var(),
    "std of an int tensor": lambda lib: lib.tensor([1, 2]).std(dim=0),
    "view to a wrong size": lambda lib: lib.zeros(2, 3).view(4),
    "reshape with two -1": lambda lib: lib.zeros(2, 3).reshape(-1, -1),
    "expand a non-singleton": lambda lib: lib.zeros(2).expand(3),
    "cat of mismatched sizes": lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3, 2)]),
    "cat of a 0-d tensor": lambda lib: lib.cat([lib.tensor(1.0)]),
    "stack of mismatched shapes": lambda lib: lib.stack([lib.zeros(2), lib.zeros(3)]),
    "gather index out of range": lambda lib: lib.zeros(3).gather(0, lib.tensor([5])),
    "scatter index out of range": lambda lib: lib.zeros(3).scatter(0, lib.tensor([5]), lib.ones(1)),
    "gather with a float index": lambda lib: lib.zeros(3).gather(0, lib.tensor([0.0])),
    "backward of a non-scalar": lambda lib: lib.ones(2, requires_grad=True).mul(2).backward(),
    "item of two elements": lambda lib: lib.ones(2).item(),
    "topk k too large": lambda lib: lib.ones(3).topk(4),
    "mm of a vector": lambda lib: lib.ones(3).mm(lib.ones(3, 2)),
    "bmm batch mismatch": lambda lib: lib.ones(2, 3, 4).bmm(lib.ones(3, 4, 5)),
    "matmul of a 0-d tensor": lambda lib: lib.tensor(2.0) @ lib.ones(2),
    "masked_fill with an int mask": lambda lib: lib.ones(2).masked_fill(lib.tensor([1, 0]), 0.0),
    "clamp without bounds": lambda lib: lib.ones(2).clamp(),
    "split sections that do not add up": lambda lib: lib.ones(5).split([2, 2]),
    "index with a float tensor": lambda lib: lib.ones(3)[lib.tensor([0.0])],
    "mask of the wrong shape": lambda lib: lib.ones(3)[lib.tensor([True, False])],
    "too many indices": lambda lib: lib.ones(3)[0, 0],
    "permute of the wrong length": lambda lib: lib.ones(2, 3).permute(0),
    "repeat with too few sizes": lambda lib: lib.ones(2, 3).repeat(2),
    "t of a 3-d tensor": lambda lib: lib.ones(2, 3, 4).t(),
    "numpy of a tensor that requires grad": lambda lib: lib.ones(2, requires_grad=True).numpy(),
    "in-place on a leaf that requires grad": lambda lib: lib.ones(2, requires_grad=True).add_(1),
    "setitem on a leaf that requires grad": lambda lib: lib.ones(2, requires_grad=True).__setitem__(0, 1.0),
    "second backward through a freed graph": lambda lib: _backward_twice(lib),
    "bool of a two-element tensor": lambda lib: bool(lib.ones(2)),
    "int tensor to a negative power": lambda lib: lib.tensor([2]) ** -1,
}


def _backward_twice(lib):
    y = (lib.ones(2, requires_grad=True) * 3).exp().sum()
    y.backward()
    y.backward()


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception_type(name):
    assert_raises_like_torch(BAD_CALLS[name])


def test_backward_gradient_of_the_wrong_shape_names_both_shapes():
    def call(lib):
        lib.ones(2, requires_grad=True).mul(1).backward(lib.ones(3))

    actual, _ = assert_raises_like_torch(call)
    assert "(3,)" in str(actual) and "(2,)" in str(actual), str(actual)
