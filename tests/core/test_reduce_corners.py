"""Reductions, sorting and unique at the corners a survey against torch found wrong: integer
dtypes (uint8, the smallest signed value, dtype=), float16 and long float32 running sums, an
empty dim list, NaNs in unique. Each case runs on torch in the same test."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("values, dtype", [
    ([0, 200, 3, 200, 255], "uint8"),
    ([-128, 5, 0, 127, 5, -128], "int8"),
    ([-2**63, 5, 0, 2**63 - 1], "int64"),
    ([True, False, True, True, False], "bool"),
    ([1.0, float("nan"), 3.0, float("nan"), 3.0, -1.0], "float32"),
])
def test_descending_sort_and_topk_as_torch(values, dtype):
    """Largest first, equal values in their order (stable): negating the values to sort them
    ascending wraps uint8 and the smallest int around, and reversed bool ties."""
    def program(T):
        x = T.tensor(values, dtype=getattr(T, dtype))
        result = [x.sort(descending=True, stable=True), x.argsort(descending=True, stable=True)]
        if dtype != "bool":  # torch's topk refuses bool
            result.append(x.topk(2).values)
        return result
    assert_same_as_torch(program)


@given(mst.arrays("int8", mst.shapes(min_dims=1, max_dims=3)), st.data())
def test_stable_descending_sort_of_integers_with_ties_as_torch(x, data):
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert_same_as_torch(lambda T: T.tensor(x).sort(dim=dim, descending=True, stable=True))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "bool"])
def test_integer_sums_and_products_accumulate_in_int64_as_torch(dtype):
    def program(T):
        x = T.tensor([[1, 2, 3], [4, 0, 6]], dtype=getattr(T, dtype))
        results = [x.sum(), x.sum(0, keepdim=True), x.prod(), x.prod(1), x.nansum(), x.cumsum(1), x.cumprod(0)]
        return [(r, _dtype_name(r)) for r in results]
    assert_same_as_torch(program)


def test_a_requested_integer_dtype_is_the_result_dtype_as_torch():
    """dtype=int8 sums wrap around in int8, dtype=bool is whether the sum is nonzero."""
    def program(T):
        x = T.tensor([100, 100, 3], dtype=T.int8)
        results = [x.sum(dtype=T.int8), x.cumsum(0, dtype=T.int8), x.prod(dtype=T.int16), x.nansum(dtype=T.int8),
                   T.tensor([True, True]).sum(dtype=T.bool), T.tensor(5, dtype=T.int8).cumsum(0),
                   T.tensor([1, 2], dtype=T.uint8).sum(dtype=T.float16)]
        return [(r, _dtype_name(r)) for r in results]
    assert_same_as_torch(program)


@pytest.mark.parametrize("dim", [[], ()])
def test_an_empty_dim_list_reduces_over_every_dim_as_torch(dim):
    def program(T):
        x = T.tensor([[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]])
        return [x.var(dim=dim), x.std(dim=dim), T.count_nonzero(x, dim=dim), x.norm(dim=dim),
                x.norm(p=3, dim=dim), x.sum(dim=dim), x.mean(dim=dim)]
    assert_same_as_torch(program)


def test_float16_sums_norms_and_variances_add_up_in_float32_as_torch():
    """NumPy adds float16 in float16: 0.1 four thousand times came to 256, the ones of a cumsum
    stopped at 2048, the squares of 300 overflowed the norm and the sum behind a mean of 1000s
    the variance."""
    def program(T):
        h = T.float16
        return [T.full((4000, 3), 0.1, dtype=h).sum(0), T.ones(5000, dtype=h).cumsum(0)[-1],
                T.full((300,), 300.0, dtype=h).norm(), T.full((300,), 300.0, dtype=h).norm(p=3),
                T.full((100,), 1000.0, dtype=h).var(), T.full((100,), 1000.0, dtype=h).std()]
    assert_same_as_torch(program)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_cumsum_and_its_gradient_equal_torchs_bit_for_bit(dtype):
    """torch keeps the running sums of float32 in float64 (float16's in float32) and rounds each
    once: a million 0.01s add up to 10000, not NumPy's float32 9865."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3000, 4)).astype(dtype)
    g = rng.standard_normal((3000, 4)).astype(dtype)
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(x, requires_grad=True)
        out = t.cumsum(0)
        out.backward(lib.tensor(g))
        results.append((out.detach().numpy(), t.grad.numpy()))
    (out, grad), (torch_out, torch_grad) = results
    assert out.dtype == torch_out.dtype and out.tobytes() == torch_out.tobytes()
    assert grad.tobytes() == torch_grad.tobytes()
    assert_same_as_torch(lambda T: T.full((10**6,), 0.01).cumsum(0)[-1])


def test_unique_keeps_each_nan_and_takes_a_dim_as_torch():
    def program(T):
        x = T.tensor([1.0, float("nan"), 2.0, float("nan"), 1.0])
        rows = T.tensor([[1, 2], [0, 5], [1, 2], [0, 1]])
        return [T.unique(x, return_inverse=True, return_counts=True),
                T.unique(rows, dim=0, return_inverse=True, return_counts=True),
                rows.unique(dim=-1, return_inverse=True), T.unique(T.zeros(0, 3), dim=0, return_inverse=True),
                rows.unique(return_inverse=True)]
    assert_same_as_torch(program)
    assert_same_as_torch(lambda T: T.unique(T.ones(2, 2), dim=2))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "bool", "float32"])
def test_any_and_all_give_uint8_for_uint8_and_bool_otherwise_as_torch(dtype):
    def program(T):
        x = T.tensor([[1, 2, 0], [3, 4, 5]], dtype=getattr(T, dtype))
        return [(r, _dtype_name(r)) for r in (x.all(), x.any(), x.all(1), x.any(0, keepdim=True))]
    assert_same_as_torch(program)


@pytest.mark.parametrize("layout", ["column", "transposed row", "row"])
def test_a_long_float32_sum_down_a_column_keeps_its_digits(layout):
    """NumPy adds a float32 column one value after another (a million 0.01s came to 9865.2, 1.3%
    off); minigrad adds such sums in float64 and rounds once, as close as torch's cascade sum."""
    def program(T):
        if layout == "column":
            x, dim = T.full((10 ** 6, 3), 0.01), 0
        elif layout == "transposed row":
            x, dim = T.full((10 ** 6, 3), 0.01).t(), 1
        else:
            x, dim = T.full((3, 10 ** 6), 0.01), 1
        return [x.sum(dim), x.mean(dim), x.sum(dim, dtype=T.float32)]
    assert_same_as_torch(program, rtol=1e-6)
