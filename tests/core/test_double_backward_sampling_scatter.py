"""Second derivatives of grid_sample, affine_grid, scatter_reduce and index_reduce against torch.

As in test_double_backward: g_i = d <f(x), u> / d x_i with create_graph=True, then the gradient
of sum_i <g_i, v_i> with respect to every input and to the upstream u itself (so the part of a
gradient rule that is linear in u is checked too), in float64, from the same drawn inputs in both
libraries. A derivative that is zero may be None in one library and zeros in the other: both are
compared as zeros.
"""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst


def _derivatives(lib, fn, arrays, upstream, directions):
    """The first derivatives of <fn(*inputs), u>, their grad_fn names, and the second derivatives
    (for each input, then for u)."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    u = lib.tensor(upstream, requires_grad=True)
    firsts = lib.autograd.grad(fn(lib, *inputs), inputs, u, create_graph=True, allow_unused=True)
    terms = [(g * lib.tensor(v)).sum() for g, v in zip(firsts, directions) if g is not None]
    seconds = lib.autograd.grad(sum(terms[1:], terms[0]), inputs + [u], allow_unused=True)
    names = [None if g is None or g.grad_fn is None else g.grad_fn.name() for g in firsts]
    return firsts, names, seconds


def _as_array(g, like):
    return np.zeros_like(like) if g is None else g.detach().numpy()


def _assert_second_order_matches_torch(data, fn, arrays):
    with torch.no_grad():
        shape = tuple(fn(torch, *(torch.from_numpy(a) for a in arrays)).shape)
    upstream = data.draw(mst.arrays("float64", shape), label="upstream")
    directions = [data.draw(mst.arrays("float64", a.shape), label="direction") for a in arrays]
    mine = _derivatives(minigrad, fn, arrays, upstream, directions)
    theirs = _derivatives(torch, fn, arrays, upstream, directions)
    for i, (m, t, a) in enumerate(zip(mine[0], theirs[0], arrays)):
        assert_close(_as_array(m, a), _as_array(t, a), what=f"first derivative for input {i}")
    assert mine[1] == theirs[1]
    for i, (m, t, a) in enumerate(zip(mine[2], theirs[2], arrays + [upstream])):
        assert_close(_as_array(m, a), _as_array(t, a), what=f"second derivative for input {i} (the last: upstream)")


# ---------------------------------------------------------------- sampling
@given(st.data(), st.sampled_from(["bilinear", "nearest"]), st.sampled_from(["zeros", "border", "reflection"]),
       st.booleans())
@settings(max_examples=20)
def test_grid_sample_second_derivatives_match_torch(data, mode, padding_mode, align_corners):
    batch, channels = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    height, width = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = data.draw(mst.arrays("float64", (batch, channels, height, width)))
    # positions past the image too, where reflection folds back
    grid = data.draw(mst.arrays("float64", (batch, 2, 3, 2), mst.reals(-2.5, 2.5)))
    _assert_second_order_matches_torch(
        data, lambda lib, a, b: lib.nn.functional.grid_sample(a, b, mode, padding_mode, align_corners), [x, grid])


@given(st.data(), st.booleans())
@settings(max_examples=10)
def test_affine_grid_then_grid_sample_second_derivatives_match_torch(data, align_corners):
    # a spatial transformer: theta reaches the image through the grid, so theta's second derivative
    # runs through grid_sample's grid-of-grid terms and affine_grid's recorded gradient
    x = data.draw(mst.arrays("float64", (2, 2, 3, 4)))
    theta = data.draw(mst.arrays("float64", (2, 2, 3), mst.reals(-1.5, 1.5)))

    def warp(lib, image, t):
        grid = lib.nn.functional.affine_grid(t, [2, 2, 3, 2], align_corners)
        return lib.nn.functional.grid_sample(image, grid, "bilinear", "border", align_corners)

    _assert_second_order_matches_torch(data, warp, [x, theta])
