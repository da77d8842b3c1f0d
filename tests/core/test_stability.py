"""Numerical stability at extreme inputs (+-1e4): sigmoid, tanh and logsumexp stay finite,
in value and in gradient, and agree with torch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import strategies as mst

# Logits far beyond where exp overflows (exp(89) is inf in float32, exp(710) in float64).
EXTREME = st.one_of(st.sampled_from([-1e4, 1e4, -1e4 + 1, 1e4 - 0.5, -800.0, 800.0, 0.0]), mst.reals(-100, 100))

cases = Cases()


@cases.add
def sigmoid_tanh(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=EXTREME))
    name = draw(st.sampled_from(["sigmoid", "tanh"]))
    return (lambda lib, x: getattr(lib, name)(x)), [x], [True]


@cases.add
def logsumexp(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3), elements=EXTREME))
    dim = draw(mst.dims(x.ndim))
    keepdim = draw(st.booleans())
    return (lambda lib, x: x.logsumexp(dim, keepdim=keepdim)), [x], [True]


test_matches_torch_at_extremes = cases.test()


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@given(x=mst.arrays("float64", mst.shapes(min_dims=1, max_dims=2), elements=EXTREME))
def test_values_and_gradients_stay_finite(dtype, x):
    for fn in (lambda t: t.sigmoid(), lambda t: t.tanh(), lambda t: t.logsumexp(-1)):
        t = minigrad.tensor(x, dtype=dtype, requires_grad=True)
        out = fn(t)
        out.sum().backward()
        assert np.isfinite(out.detach().numpy()).all()
        assert np.isfinite(t.grad.numpy()).all()
