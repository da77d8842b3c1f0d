"""Reductions of large values, where float32 squares overflow (beyond 1.8e19) but the results fit.

torch's CPU kernels keep such results finite in two ways, and minigrad must too: std and var
sum the squared deviations in float64, and a norm over a single element is that element's
magnitude (no square is formed), which normalize, cosine_similarity and pairwise_distance
meet on a dim of size 1. Values and gradients are compared with torch, in float64 and float32.
"""

from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import strategies as mst

cases = Cases()


def _large():
    """Signed magnitudes from 1e15 to 1e21: their float32 squares overflow, their spreads fit."""
    magnitude = st.floats(15.0, 21.0).map(lambda e: 10.0 ** e)
    return st.tuples(magnitude, st.sampled_from([-1.0, 1.0])).map(lambda pair: pair[0] * pair[1])


def _array(draw, shape=None):
    return draw(mst.arrays("float64", shape or mst.shapes(min_dims=1, max_dims=3), elements=_large()))


@cases.add
def std(draw):
    x = _array(draw)
    dim = draw(mst.dims(x.ndim, allow_none=True))
    correction = draw(st.sampled_from([0, 1]))
    keepdim = draw(st.booleans())
    return (lambda lib, t: t.std(dim, correction=correction, keepdim=keepdim)), [x]


@cases.add
def var(draw):
    x = _array(draw)
    dim = draw(mst.dims(x.ndim, allow_none=True))
    correction = draw(st.sampled_from([0, 1]))
    return (lambda lib, t: t.var(dim, correction=correction)), [x]


@cases.add
def std_mean(draw):
    x = _array(draw)
    dim = draw(mst.dim(x.ndim))
    return (lambda lib, t: lib.std_mean(t, dim)), [x]


@cases.add
def norm(draw):
    x = _array(draw)
    dim = draw(mst.dims(x.ndim, allow_none=True))
    p = draw(st.sampled_from([2, 2.0, 3, 1.5]))
    return (lambda lib, t: t.norm(p, dim)), [x]


@cases.add
def normalize(draw):
    x = _array(draw)
    dim = draw(mst.dim(x.ndim))
    return (lambda lib, t: lib.nn.functional.normalize(t, dim=dim)), [x]


@cases.add
def cosine_similarity(draw):
    shape_a, shape_b = draw(mst.broadcastable_pairs(min_dims=1, max_dims=3))
    a, b = _array(draw, shape_a), _array(draw, shape_b)
    dim = draw(mst.dim(min(a.ndim, b.ndim)))
    return (lambda lib, s, t: lib.nn.functional.cosine_similarity(s, t, dim=dim)), [a, b]


@cases.add
def pairwise_distance(draw):
    shape = draw(mst.shapes(min_dims=1, max_dims=2))
    a, b = _array(draw, shape), _array(draw, shape)
    return (lambda lib, s, t: lib.nn.functional.pairwise_distance(s, t)), [a, b]


test_parity = cases.test()
