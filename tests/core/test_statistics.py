"""Torch parity of statistics and search: nanmedian, quantile and nanquantile (values, dtypes
and gradients), and the functions that count, find and enumerate without gradients."""

import numpy as np
import pytest
from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
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


test_parity = cases.test(max_examples=15)


def test_nanmedian_of_integers_and_of_nothing():
    def nanmedian(lib):
        x = lib.tensor([[3, 1, 2, 2], [0, 5, 5, 4]])
        return x.nanmedian(), x.nanmedian(1), x.nanmedian(0, keepdim=True), lib.tensor([]).nanmedian()

    assert_same_as_torch(nanmedian)


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
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    assert_raises_like_torch(ERRORS[name])
