"""Torch parity of statistics and search: nanmedian, quantile and nanquantile (values, dtypes
and gradients), and the functions that count, find and enumerate without gradients."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()
INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]
# Whole numbers as floats, often NaN: ties, and rows with some or only NaNs.
FEW_VALUES_OR_NAN = st.sampled_from([-1.0, 0.0, 1.0, 2.0, np.nan])


@cases.add
def nanmedian_of_all(draw):
    """The lower median of the values that are not NaN; the gradient shared among the elements
    equal to it (among the NaNs when all are NaN)."""
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=FEW_VALUES_OR_NAN))
    function = draw(st.booleans())
    return (lambda lib, x: lib.nanmedian(x) if function else x.nanmedian()), [x]


@cases.add
def nanmedian_along_a_dim(draw):
    """(values, indices) along a dim; the first of equal values is picked, as in torch. (A row of
    NaNs only is left out: torch's index there follows its selection algorithm.)"""
    shape = draw(mst.shapes(min_dims=1, max_dims=3))
    x = draw(mst.arrays("float64", shape, elements=FEW_VALUES_OR_NAN))
    dim = draw(mst.dim(x.ndim))
    x[(slice(None),) * (dim % x.ndim) + (0,)] = 5.0  # every row holds a number
    keepdim = draw(st.booleans())
    return (lambda lib, x: x.nanmedian(dim, keepdim)), [x]


@cases.add
def quantile(draw):
    """Every interpolation, q a number or a 1-d tensor, with or without dim and keepdim; ties in
    the values, and (nanquantile) NaNs among them."""
    nan = draw(st.booleans())
    # At most 16 elements: torch sorts longer rows with an unstable sort, which among equal values
    # may send the gradient to another one than the first (minigrad's sort is stable).
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2),
                        elements=FEW_VALUES_OR_NAN if nan else st.integers(-2, 2).map(float) | mst.reals()))
    dim = draw(st.none() | mst.dim(x.ndim))
    levels = draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1 / 3, 0.6, 0.875, 1.0]) | st.floats(0, 1), max_size=3))
    as_number = draw(st.booleans()) and levels
    keepdim, interpolation = draw(st.booleans()), draw(st.sampled_from(INTERPOLATIONS))
    name = "nanquantile" if nan else "quantile"

    def quantile(lib, x):
        q = levels[0] if as_number else lib.tensor(levels, dtype=x.dtype)
        return getattr(x, name)(q, dim, keepdim, interpolation=interpolation)

    return quantile, [x]


@cases.add
def quantile_of_a_row_holding_nan(draw):
    """quantile is NaN for a row holding a NaN; the gradient goes to that NaN."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=2), elements=FEW_VALUES_OR_NAN))
    dim = draw(mst.dim(x.ndim))
    q, interpolation = draw(st.floats(0, 1)), draw(st.sampled_from(INTERPOLATIONS))
    return (lambda lib, x: lib.quantile(x, q, dim, interpolation=interpolation)), [x]


@cases.add
def cartesian_prod(draw):
    """Rows of one element from each vector; each element's gradient sums over its rows."""
    vectors = draw(st.lists(mst.arrays("float64", st.tuples(st.integers(0, 3))), min_size=1, max_size=3))
    return (lambda lib, *vectors: lib.cartesian_prod(*vectors)), vectors


@cases.add
def combinations(draw):
    x = draw(mst.arrays("float64", st.tuples(st.integers(0, 5))))
    r, with_replacement = draw(st.integers(0, 4)), draw(st.booleans())
    return (lambda lib, x: lib.combinations(x, r, with_replacement)), [x]


test_parity = cases.test(max_examples=15)


@settings(max_examples=10)
@given(data=st.data())
def test_nearest_rounds_half_way_points_to_even(data):
    """q * (n - 1) = 0.5, 1.5, 2.5, 3.5: "nearest" takes element 0, 2, 2, 4, as torch does."""
    x = data.draw(mst.arrays("float64", (5,), unique=True), label="x")
    q = np.array([0.125, 0.375, 0.625, 0.875])
    check_parity(data, lambda lib, x, q: x.quantile(q, interpolation="nearest"), [x, q], requires_grad=[True, False])


def test_nanmedian_of_integers_and_of_nothing():
    def nanmedian(lib):
        x = lib.tensor([[3, 1, 2, 2], [0, 5, 5, 4]])
        return x.nanmedian(), x.nanmedian(1), x.nanmedian(0, keepdim=True), lib.tensor([]).nanmedian()

    assert_same_as_torch(nanmedian)


@settings(max_examples=20)
@given(data=st.data())
def test_search_and_count(data):
    """bucketize, isin, histc, histogram and unique_consecutive, on drawn values with ties and NaNs."""
    shape = data.draw(mst.shapes(max_dims=2), label="shape")
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    x = data.draw(mst.arrays(dtype, shape, elements=FEW_VALUES_OR_NAN | mst.reals(width=32)), label="x")
    finite = np.nan_to_num(x, nan=0.5)
    boundaries = np.sort(data.draw(mst.arrays(dtype, st.tuples(st.integers(0, 5)), elements=FEW_VALUES_OR_NAN
                                              .filter(lambda v: v == v)), label="boundaries"))
    tests = data.draw(mst.arrays(dtype, st.tuples(st.integers(0, 4)), elements=FEW_VALUES_OR_NAN), label="test")
    weight = data.draw(mst.arrays(dtype, shape, elements=st.integers(0, 3).map(float)), label="weight")
    bins = data.draw(st.integers(1, 5), label="bins")
    low, high = sorted(data.draw(st.lists(st.integers(-3, 3).map(float), min_size=2, max_size=2), label="range"))
    right, invert, density = (data.draw(st.booleans(), label=name) for name in ("right", "invert", "density"))
    dim = data.draw(st.none() | mst.dim(len(shape)), label="dim")

    def program(lib):
        t, w = lib.tensor(x), lib.tensor(weight)
        return {"bucketize": lib.bucketize(t, lib.tensor(boundaries), right=right),
                "isin": lib.isin(t, lib.tensor(tests), invert=invert),
                "histc": [lib.histc(lib.tensor(finite), bins), t.histc(bins, low, high)],
                "histogram": [list(lib.histogram(lib.tensor(finite), bins, weight=w, density=density)),
                              list(t.histogram(bins, range=(low, high), density=density)),
                              list(t.histogram(lib.tensor(boundaries), weight=w))],
                "unique_consecutive": lib.unique_consecutive(lib.tensor(np.round(finite)), return_inverse=True,
                                                             return_counts=True, dim=dim),
                "dtypes": [repr(lib.histc(t, bins, 0, 1).dtype).split(".")[-1], repr(lib.bucketize(t, lib.tensor(boundaries),
                                                                                    out_int32=True).dtype).split(".")[-1]]}

    assert_same_as_torch(program, rtol=1e-5 if dtype == "float32" else 1e-6)


@settings(max_examples=20)
@given(data=st.data())
def test_enumerating_indices(data):
    """unravel_index, tril_indices and triu_indices."""
    shape = data.draw(mst.shapes(max_dims=3), label="shape")
    size = int(np.prod(shape))
    positions = data.draw(st.lists(st.integers(-3 * size, 3 * size), max_size=4), label="positions")  # (wrapped)
    row, col, offset = (data.draw(st.integers(low, 5), label=name) for name, low in
                        (("row", 0), ("col", 0), ("offset", -6)))

    def program(lib):
        return {"unravel_index": lib.unravel_index(lib.tensor(positions, dtype=lib.int64), shape),
                "tril_indices": lib.tril_indices(row, col, offset), "triu_indices": lib.triu_indices(row, col, offset),
                "dtype": str(lib.tril_indices(row, col, offset, dtype=lib.int32).dtype).split(".")[-1]}

    assert_same_as_torch(program)


ERRORS = {
    "nanmedian: bool": lambda lib: lib.tensor([True]).nanmedian(),
    "nanmedian: bool along a dim": lambda lib: lib.tensor([True]).nanmedian(0),
    "nanmedian: an empty dim": lambda lib: lib.ones(1, 0).nanmedian(1),
    "nanmedian: a bad dim": lambda lib: lib.ones(2).nanmedian(1),
    "quantile: q above 1": lambda lib: lib.ones(3).quantile(1.5),
    "quantile: q below 0": lambda lib: lib.ones(3).quantile(-0.5),
    "quantile: a q tensor out of range": lambda lib: lib.ones(3).quantile(lib.tensor([0.5, 1.5])),
    "quantile: a 2-d q": lambda lib: lib.ones(3).quantile(lib.tensor([[0.5]])),
    "quantile: q of another dtype": lambda lib: lib.ones(3).quantile(lib.tensor([0.5], dtype=lib.float64)),
    "quantile: an unknown interpolation": lambda lib: lib.ones(3).quantile(0.5, interpolation="cubic"),
    "quantile: integers": lambda lib: lib.tensor([1, 2]).quantile(0.5),
    "quantile: an empty tensor": lambda lib: lib.ones(0).quantile(0.5),
    "quantile: a bad dim": lambda lib: lib.ones(3).quantile(0.5, dim=1),
    "nanquantile: an empty row": lambda lib: lib.ones(2, 0).nanquantile(0.5, dim=0),
    "bucketize: 2-d boundaries": lambda lib: lib.bucketize(lib.tensor([3]), lib.tensor([[1, 2]])),
    "isin: bools": lambda lib: lib.isin(lib.tensor([1.0, 2.0]), lib.tensor([True])),
    "histc: integers": lambda lib: lib.histc(lib.tensor([1, 2]), bins=3),
    "histc: no bins": lambda lib: lib.histc(lib.tensor([1.0, 2.0]), bins=0),
    "histc: min above max": lambda lib: lib.histc(lib.tensor([1.0, 2.0]), bins=3, min=3, max=1),
    "histc: a NaN range": lambda lib: lib.histc(lib.tensor([1.0, float("nan")]), bins=3),
    "histc: an infinite range": lambda lib: lib.histc(lib.tensor([1.0, float("inf")]), bins=3),
    "histogram: integers": lambda lib: lib.histogram(lib.tensor([1, 2]), 3),
    "histogram: no bins": lambda lib: lib.histogram(lib.tensor([1.0, 2.0]), 0),
    "histogram: a reversed range": lambda lib: lib.histogram(lib.tensor([1.0, 2.0]), 2, range=(2.0, 1.0)),
    "histogram: a weight of another shape": lambda lib: lib.histogram(lib.tensor([1.0, 2.0]), 2, weight=lib.ones(3)),
    "histogram: a weight of another dtype": lambda lib: lib.histogram(lib.tensor([1.0, 2.0]), 2,
                                                                      weight=lib.ones(2, dtype=lib.float64)),
    "histogram: 2-d bins": lambda lib: lib.histogram(lib.tensor([1.0, 2.0]), lib.tensor([[0.0, 1.0]])),
    "histogram: a NaN range": lambda lib: lib.histogram(lib.tensor([1.0, float("nan")]), 2),
    "unique_consecutive: an empty dim not selected": lambda lib: lib.unique_consecutive(lib.ones(2, 0), dim=0),
    "unique_consecutive: a bad dim": lambda lib: lib.unique_consecutive(lib.ones(2), dim=1),
    "unravel_index: float indices": lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 3)),
    "unravel_index: a negative size": lambda lib: lib.unravel_index(lib.tensor([1]), (2, -3)),
    "tril_indices: a negative row": lambda lib: lib.tril_indices(-1, 4),
    "triu_indices: a negative col": lambda lib: lib.triu_indices(2, -4),
    "tril_indices: a float dtype": lambda lib: lib.tril_indices(3, 3, dtype=lib.float32),
    "cartesian_prod: a matrix": lambda lib: lib.cartesian_prod(lib.tensor([[1, 2]])),
    "cartesian_prod: mixed dtypes": lambda lib: lib.cartesian_prod(lib.tensor([1, 2]), lib.tensor([3.0, 4.0])),
    "cartesian_prod: nothing": lambda lib: lib.cartesian_prod(),
    "combinations: a negative r": lambda lib: lib.combinations(lib.tensor([1, 2, 3]), -1),
    "combinations: a matrix": lambda lib: lib.combinations(lib.tensor([[1, 2, 3]]), 2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    assert_raises_like_torch(ERRORS[name])


@pytest.mark.parametrize("weighted", [False, True])
def test_a_density_histogram_of_nothing_counted_is_nan_without_a_warning(weighted):
    """Every value outside the range, or every weight 0: the density is 0 / 0, nan in each bin as in
    torch, and NumPy's division warning stays inside."""
    def program(lib):
        values = lib.tensor([5.0, 6.0])
        weight = lib.zeros(2) if weighted else None
        return lib.histogram(values, 3, range=(0.0, 1.0) if not weighted else None, weight=weight, density=True)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist, _ = assert_same_as_torch(program)
    assert np.isnan(hist).all()
