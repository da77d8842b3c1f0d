"""Reductions of large values, where float32 squares overflow (beyond 1.8e19) but the results fit.

torch's CPU kernels keep such results finite in two ways, and minigrad must too: std and var
sum the squared deviations in float64, and a norm over a single element is that element's
magnitude (no square is formed), which normalize, cosine_similarity and pairwise_distance
meet on a dim of size 1. Values and gradients are compared with torch, in float64 and float32.
"""

import math

from hypothesis import assume, strategies as st
import numpy as np
from parity import Cases

from minigrad.testing import strategies as mst

cases = Cases()


def _large():
    """Signed magnitudes from 1e15 to 1e21: their float32 squares overflow, their spreads fit."""
    magnitude = st.floats(15.0, 21.0).map(lambda e: 10.0 ** e)
    return st.tuples(magnitude, st.sampled_from([-1.0, 1.0])).map(lambda pair: pair[0] * pair[1])


def _array(draw, shape=None):
    return draw(mst.arrays("float64", shape or mst.shapes(min_dims=1, max_dims=3), elements=_large()))


def _apart_from_their_mean(x, dim):
    """Whether each element of x is at least 1% of its group's largest magnitude away from the
    group's mean (a group: the elements reduced together along `dim`).

    Nearer, its deviation x - mean is mostly cancellation, and what both libraries give for it
    (and so for its gradient, and for the std of nearly equal values) is their rounding noise:
    torch's var of three equal float64 values of -1.9e15 is 0.0625, where the exact answer is 0.
    Comparing noise with noise would test nothing. A group of one element is exact either way.
    """
    x = x.astype(np.float32)  # the values the float32 run sees (float64 ones are closer still)
    if x.size == 0 or math.prod(np.mean(x, axis=dim, keepdims=True).shape) == x.size:
        return True
    deviation = np.abs(x - np.mean(x, axis=dim, dtype=np.float64, keepdims=True))
    return bool(np.all(deviation >= 0.01 * np.max(np.abs(x), axis=dim, keepdims=True)))


@cases.add
def std(draw):
    x = _array(draw)
    dim = draw(mst.dims(x.ndim, allow_none=True))
    assume(_apart_from_their_mean(x, dim))
    correction = draw(st.sampled_from([0, 1]))
    keepdim = draw(st.booleans())
    return (lambda lib, t: t.std(dim, correction=correction, keepdim=keepdim)), [x]


@cases.add
def var(draw):
    x = _array(draw)
    dim = draw(mst.dims(x.ndim, allow_none=True))
    assume(_apart_from_their_mean(x, dim))
    correction = draw(st.sampled_from([0, 1]))
    return (lambda lib, t: t.var(dim, correction=correction)), [x]


@cases.add
def std_mean(draw):
    x = _array(draw)
    dim = draw(mst.dim(x.ndim))
    assume(_apart_from_their_mean(x, dim))
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
