"""Second derivatives of grid_sample, affine_grid, scatter_reduce and index_reduce against torch.

As in test_double_backward: g_i = d <f(x), u> / d x_i with create_graph=True, then the gradient
of sum_i <g_i, v_i> with respect to every input and to the upstream u itself (so the part of a
gradient rule that is linear in u is checked too), in float64, from the same drawn inputs in both
libraries. A derivative that is zero may be None in one library and zeros in the other: both are
compared as zeros.
"""

import numpy as np
import pytest
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


def _assert_second_order_matches_torch(data, fn, arrays, names=True):
    """Derivatives of both orders as torch's; with `names`, also the grad_fn names of the first."""
    with torch.no_grad():
        shape = tuple(fn(torch, *(torch.from_numpy(a) for a in arrays)).shape)
    upstream = data.draw(mst.arrays("float64", shape), label="upstream")
    directions = [data.draw(mst.arrays("float64", a.shape), label="direction") for a in arrays]
    try:
        theirs = _derivatives(torch, fn, arrays, upstream, directions)
    except RuntimeError as refusal:  # a second derivative torch refuses: minigrad refuses it alike
        with pytest.raises(RuntimeError) as raised:
            _derivatives(minigrad, fn, arrays, upstream, directions)
        assert str(raised.value) == str(refusal)
        return
    mine = _derivatives(minigrad, fn, arrays, upstream, directions)
    for i, (m, t, a) in enumerate(zip(mine[0], theirs[0], arrays)):
        assert_close(_as_array(m, a), _as_array(t, a), what=f"first derivative for input {i}")
    if names:
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


# ---------------------------------------------------------------- scatter_reduce and index_reduce
def _reduce_inputs(data, reduce):
    """x (4, 3) and src (5, 3): for prod, some zeros (x's one in five, src's one in ten: a lone zero
    sent to a position and a zero in x take their own branches of the gradient, and two zeros sent
    to one position, which torch refuses to differentiate twice, are drawn less often); for amax and
    amin, values from a few levels, so that results tie between x and the values sent."""
    reals = mst.reals(-2, 2)
    if reduce == "prod":  # (and no near-zero: dividing by one leaves both libraries' results to rounding)
        nonzero = mst.nonzero_reals(0.25, 2)
        return [data.draw(mst.arrays("float64", shape, st.one_of(*[nonzero] * rate, st.just(0.0))))
                for shape, rate in (((4, 3), 4), ((5, 3), 9))]
    if reduce in ("amax", "amin"):
        reals = st.sampled_from([-1.0, 0.5, 2.0]) | reals
    return [data.draw(mst.arrays("float64", shape, reals)) for shape in ((4, 3), (5, 3))]


@pytest.mark.parametrize("reduce", ["sum", "mean", "prod", "amax", "amin"])
@given(st.data(), st.booleans())
@settings(max_examples=15)
def test_scatter_reduce_second_derivatives_match_torch(reduce, data, include_self):
    index = data.draw(mst.arrays("int64", (5, 3), st.integers(0, 3)), label="index")
    _assert_second_order_matches_torch(
        data, lambda lib, x, src: (x.scatter_reduce(0, lib.tensor(index), src, reduce, include_self=include_self)
                                   * x.sum()),
        _reduce_inputs(data, reduce), names=False)


@pytest.mark.parametrize("reduce", ["mean", "prod", "amax", "amin"])
@pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta:UserWarning")  # torch's, once per process
@given(st.data(), st.booleans())
@settings(max_examples=15)
def test_index_reduce_second_derivatives_match_torch(reduce, data, include_self):
    index = data.draw(mst.arrays("int64", (5,), st.integers(0, 3)), label="index")
    _assert_second_order_matches_torch(
        data, lambda lib, x, src: x.index_reduce(0, lib.tensor(index), src, reduce, include_self=include_self) ** 2,
        _reduce_inputs(data, reduce), names=False)


# ---------------------------------------------------------------- gradients torch does not differentiate
def _f(lib):
    return lib.nn.functional


REFUSED = {  # name -> (fn(lib, *tensors), draw -> arrays)
    "embedding_bag_mean": (lambda L, w: _f(L).embedding_bag(L.tensor([0, 2, 1, 2]), w, L.tensor([0, 2]), mode="mean"),
                           lambda d: [d(mst.arrays("float64", (4, 3)))]),
    "embedding_bag_max": (lambda L, w: _f(L).embedding_bag(L.tensor([0, 2, 1, 2]), w, L.tensor([0, 2]), mode="max"),
                          lambda d: [d(mst.arrays("float64", (4, 3), unique=True))]),
    "embedding_bag_per_sample_weights": (
        lambda L, w, p: _f(L).embedding_bag(L.tensor([0, 2, 1]), w, L.tensor([0, 1]), mode="sum", per_sample_weights=p),
        lambda d: [d(mst.arrays("float64", (3, 2))), d(mst.arrays("float64", (3,)))]),
    "multi_margin_loss": (lambda L, x: _f(L).multi_margin_loss(x, L.tensor([0, 2]), p=2),
                          lambda d: [d(mst.arrays("float64", (2, 3)))]),
    "multilabel_margin_loss": (lambda L, x: _f(L).multilabel_margin_loss(x, L.tensor([[0, 2, -1], [1, -1, 0]])),
                               lambda d: [d(mst.arrays("float64", (2, 3)))]),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
@given(st.data())
@settings(max_examples=5)
def test_gradients_torch_does_not_differentiate_are_computed_and_refuse_a_second_backward_like_torch(name, data):
    """Under create_graph the first derivatives are torch's; a backward through any of them raises
    torch's exception, with torch's message, and only then (not when the gradient is taken)."""
    fn, build = REFUSED[name]
    arrays = build(data.draw)
    results = []
    for lib in (minigrad, torch):
        inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        output = fn(lib, *inputs)
        u = lib.tensor(np.ones(tuple(output.shape)), requires_grad=True)
        firsts = lib.autograd.grad(output, inputs, u, create_graph=True)
        refusals = []
        for g in firsts:
            with pytest.raises((RuntimeError, NotImplementedError)) as raised:
                lib.autograd.grad(g.sum(), [u] + inputs, allow_unused=True)
            refusals.append((raised.type, str(raised.value)))
        results.append(([g.detach().numpy() for g in firsts], refusals))
    (mine, my_refusals), (theirs, their_refusals) = results
    for m, t in zip(mine, theirs):
        assert_close(m, t, what=f"{name}: first derivative")
    assert my_refusals == their_refusals


# ---------------------------------------------------------------- recent ops whose rules are recorded
POSITIVE = mst.reals(0.5, 3.0)


def _drawn(*specs):
    """A builder drawing one float64 array per (shape, elements) spec."""
    return lambda draw: [draw(mst.arrays("float64", shape, elements)) for shape, elements in specs]


RECORDED = {  # name -> (fn(lib, *tensors), draw -> arrays): each output squared or curved, so that
    # its gradient depends on its inputs and the second derivative is not trivially zero
    "max_unpool1d": (lambda L, x: _f(L).max_unpool1d(x, L.tensor([[[1, 2], [0, 3]]]), 2, output_size=[4]) ** 2,
                     _drawn(((1, 2, 2), None))),
    "max_unpool2d": (lambda L, x: _f(L).max_unpool2d(x, L.tensor([[[[0, 3]]]]), 2) ** 2, _drawn(((1, 1, 1, 2), None))),
    "local_response_norm": (lambda L, x: _f(L).local_response_norm(x, 2), _drawn(((2, 3, 4), None))),
    "lp_pool1d": (lambda L, x: _f(L).lp_pool1d(x, 2, 2), _drawn(((1, 2, 4), POSITIVE))),
    "lp_pool2d": (lambda L, x: _f(L).lp_pool2d(x, 3, 2), _drawn(((1, 2, 4, 4), POSITIVE))),
    "rrelu_eval": (lambda L, x: _f(L).rrelu(x, training=False) ** 2, _drawn(((5,), None))),
    "channel_shuffle": (lambda L, x: _f(L).channel_shuffle(x, 2) ** 3, _drawn(((1, 4, 2), None))),
    "lgamma_digamma_polygamma": (lambda L, x: x.lgamma() + x.digamma() * x + L.polygamma(1, x),
                                 _drawn(((4,), POSITIVE))),
    "erfinv": (lambda L, x: x.erfinv(), _drawn(((4,), mst.reals(-0.9, 0.9)))),
    "i0_i1": (lambda L, x: L.special.i0(x) + L.special.i0e(x) + L.special.i1(x) * L.special.i1e(x),
              _drawn(((4,), None))),
    "zeta": (lambda L, x, q: L.special.zeta(x, q), _drawn(((3,), mst.reals(1.5, 4.0)), ((3,), POSITIVE))),
    "index_fill": (lambda L, x, v: x.index_fill(0, L.tensor([1]), v) ** 2 * v, _drawn(((3, 2), None), ((), None))),
    "index_copy": (lambda L, x, s: x.index_copy(0, L.tensor([2, 0]), s * x[1]) ** 2,
                   _drawn(((3, 2), None), ((2, 2), None))),
    "masked_scatter": (lambda L, x, s: x.masked_scatter(L.tensor([[True, False], [False, True]]), s * x.sum()) ** 2,
                       _drawn(((2, 2), None), ((3,), None))),
    "select_slice_diagonal_scatter": (
        lambda L, x, s: (x.select_scatter(s, 0, 1) ** 2 + x.slice_scatter(s[None] * x[:1], 0, 0, 1) ** 3
                         + x.diagonal_scatter(s[:2] * x[0, 0]) ** 2),
        _drawn(((3, 2), None), ((2,), None))),
    "nanmedian_median": (lambda L, x: x.nanmedian(1).values ** 2 + x.nanmedian() * x.median(1).values,
                         lambda draw: [draw(mst.arrays("float64", (3, 4), unique=True))]),
    "quantile": (lambda L, x: x.quantile(0.3, dim=1) ** 2 + x.nanquantile(0.6) * x[0, 0],
                 lambda draw: [draw(mst.arrays("float64", (3, 4), unique=True))]),
    "cumulative_trapezoid": (lambda L, x: L.cumulative_trapezoid(x) ** 2, _drawn(((3, 4), None))),
    "cov": (lambda L, x: L.cov(x) ** 2, _drawn(((3, 4), None))),
}


@pytest.mark.parametrize("name", sorted(RECORDED))
@given(st.data())
@settings(max_examples=5)
def test_recent_ops_second_derivatives_match_torch(name, data):
    fn, build = RECORDED[name]
    _assert_second_order_matches_torch(data, fn, build(data.draw), names=False)
