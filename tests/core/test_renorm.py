"""renorm: the slices along a dim whose p-norm exceeds maxnorm, scaled down to it, against torch in
the same test (values, every gradient, the in-place and function forms, the errors)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_raises_like_torch, check_parity

torch = torch_or_skip()


@st.composite
def renorm_cases(draw):
    shape = draw(mst.shapes(min_dims=2, max_dims=3, max_side=4))
    x = draw(mst.arrays("float64", shape, mst.reals(-3, 3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    p = draw(st.sampled_from([1, 2, 3, 0.5, float("inf")]))
    # maxnorm among the slices' own norms and between them, so that some slices are scaled and some not;
    # kept 1e-4 away from every norm, where the choice between the two flips (also in float32)
    norms = np.linalg.norm(np.moveaxis(x, dim, 0).reshape(shape[dim], -1), ord=p, axis=1) if p != 0.5 else \
        (np.abs(np.moveaxis(x, dim, 0).reshape(shape[dim], -1)) ** 0.5).sum(axis=1) ** 2
    maxnorm = draw(st.floats(0, 6).filter(lambda m: np.all(np.abs(norms - m) > 1e-4)))
    return x, p, dim, maxnorm


@settings(max_examples=40)
@given(renorm_cases(), st.sampled_from(["method", "function", "in place"]), st.data())
def test_renorm_matches_torch(case, form, data):
    x, p, dim, maxnorm = case

    def renorm(lib, t):
        if form == "method":
            return t.renorm(p, dim, maxnorm)
        if form == "function":
            return lib.renorm(t, p, dim, maxnorm)
        return (t * 1).renorm_(p, dim, maxnorm)

    check_parity(data, renorm, [x])
    check_parity(data, renorm, [x.astype(np.float32)], dtype=np.float32)


@pytest.mark.parametrize("call", [
    lambda lib: lib.renorm(lib.ones(3), 2, 0, 1.0),
    lambda lib: lib.ones(2, 2).renorm(0, 0, 1.0),
    lambda lib: lib.ones(2, 2).renorm(-1, 0, 1.0),
    lambda lib: lib.ones(2, 2).renorm(2, 0, -1.0),
    lambda lib: lib.ones(2, 2).renorm(2, 2, 1.0),
    lambda lib: lib.ones(2, 2, dtype=lib.int64).renorm(2, 0, 1.0),
])
def test_renorm_refuses_what_torch_refuses(call):
    assert_raises_like_torch(call)
