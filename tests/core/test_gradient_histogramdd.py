"""Torch parity of torch.gradient, torch.histogramdd, torch.rsub, torch.constant_pad_nd and
torch.convolution: values, dtypes, gradients and errors; and of the draws torch.binomial and
torch.poisson: support, shape, dtype, seeding, moments, and what their gradients are."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()


@cases.add
def gradient(draw):
    """Every form of spacing: none, a number, one per dim, or coordinates (increasing, unevenly
    spaced: cumulative sums of steps in [0.5, 2]); along all dims or some; both edge orders."""
    edge_order = draw(st.sampled_from([1, 2]))
    shape = draw(mst.shapes(min_dims=1, max_dims=3, min_side=edge_order + 1, max_side=4))
    f = draw(mst.arrays("float64", shape))
    ndim = len(shape)
    dims = draw(st.none() | st.just(draw(mst.dim(ndim))) | st.permutations(range(ndim)).map(lambda p: p[:2]))
    axes = range(ndim) if dims is None else [dims] if isinstance(dims, int) else dims
    form = draw(st.sampled_from(["none", "number", "numbers", "coordinates"]))
    numbers = [draw(st.sampled_from([0.5, 2.0, 3])) for _ in axes]
    coordinates = [np.cumsum(draw(mst.arrays("float64", (shape[a],), elements=mst.reals(0.5, 2)))) for a in axes]
    options = {} if dims is None else {"dim": dims}

    def differentiate(lib, f, *xs):
        spacing = {"none": {}, "number": {"spacing": numbers[0] if numbers else 1.0},
                   "numbers": {"spacing": numbers}, "coordinates": {"spacing": list(xs)}}[form]
        return lib.gradient(f, edge_order=edge_order, **options, **spacing)
    return differentiate, [f, *coordinates] if form == "coordinates" else [f]


@cases.add
def rsub(draw):
    """A tensor or a number as other, and alpha."""
    x_shape, y_shape = draw(mst.broadcastable_pairs(max_dims=3))
    x = draw(mst.arrays("float64", x_shape))
    alpha = draw(st.sampled_from([1, 2, -0.5]))
    if draw(st.booleans()):
        return (lambda lib, x: lib.rsub(x, 1.5, alpha)), [x]
    return (lambda lib, x, y: lib.rsub(x, y, alpha=alpha)), [x, draw(mst.arrays("float64", y_shape))]


@cases.add
def constant_pad_nd(draw):
    """Padding and cropping (negative amounts) of up to all dims, with a fill value or without."""
    shape = draw(mst.shapes(min_dims=1, max_dims=3, min_side=2))
    x = draw(mst.arrays("float64", shape))
    pad = []
    for side in reversed(shape[-draw(st.integers(1, len(shape))):]):
        pad += [draw(st.integers(-1, 2)), draw(st.integers(-1, 2))]
    if draw(st.booleans()):
        return (lambda lib, x: lib.constant_pad_nd(x, pad)), [x]
    return (lambda lib, x: lib.constant_pad_nd(x, pad, 2.5)), [x]


@cases.add
def convolution(draw):
    """1-, 2- and 3-d convolutions and their transposes, the sizes given for every dim or once."""
    spatial = draw(st.integers(1, 3))
    transposed = draw(st.booleans())
    groups = draw(st.sampled_from([1, 2]))
    channels, outputs = 2 * groups, draw(st.integers(1, 2)) * groups
    sides = tuple(draw(st.integers(3, 5)) for _ in range(spatial)) if spatial < 3 else (3, 3, 3)
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(spatial))
    x = draw(mst.arrays("float64", (draw(st.integers(1, 2)), channels) + sides))
    weight_shape = ((channels, outputs // groups) if transposed else (outputs, channels // groups)) + kernel
    weight = draw(mst.arrays("float64", weight_shape))
    bias = draw(st.none() | mst.arrays("float64", (outputs,)))
    stride, dilation = [draw(st.integers(1, 2))], [1]
    padding = [draw(st.integers(0, 1))] * (spatial if draw(st.booleans()) else 1)
    output_padding = [draw(st.integers(0, stride[0] - 1))] if transposed else [0]

    def convolve(lib, x, weight, *bias):
        return lib.convolution(x, weight, bias[0] if bias else None, stride, padding, dilation, transposed,
                               output_padding, groups)
    return convolve, [x, weight] + ([] if bias is None else [bias])


test_parity = cases.test(max_examples=5)


def test_gradient_of_integers_is_of_the_default_dtype():
    mine, theirs = (lib.gradient(lib.tensor([1, 2, 4, 7], dtype=lib.int32), spacing=2) for lib in (minigrad, torch))
    assert_close(mine[0], theirs[0])
    assert minigrad.gradient(minigrad.tensor(3.0)) == () == torch.gradient(torch.tensor(3.0))


def test_gradient_grad_fn_and_coordinates_gradients_are_torch_s():
    """A gradient reaches the coordinates too, as in torch (the result is a function of them)."""
    f, x = np.array([1.0, 4.0, 2.0, 8.0]), np.array([0.0, 1.0, 3.0, 3.5])
    results = []
    for lib in (minigrad, torch):
        fs, xs = lib.tensor(f, requires_grad=True), lib.tensor(x, requires_grad=True)
        (out,) = lib.gradient(fs, spacing=(xs,), edge_order=2)
        (out * lib.tensor([1.0, -2.0, 3.0, 0.5], dtype=lib.float64)).sum().backward()
        results.append((out, fs.grad, xs.grad))
    for mine, theirs in zip(*results):
        assert_close(mine, theirs)


@st.composite
def point_sets(draw):
    """Points (N, D), or (A, B, D), whose coordinates are often equal to each other and to the
    bin edges, the cases where a bin must be chosen exactly as torch does."""
    d = draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(draw(st.integers(0, 8)),), (2, 3)]))
    elements = st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 3.0, -1.0]) | mst.reals(-2, 3)
    return draw(mst.arrays("float64", batch + (d,), elements=elements))


@settings(max_examples=20)
@given(points=point_sets(), data=st.data(), dtype=st.sampled_from(["float64", "float32"]))
def test_histogramdd_is_torch_s(points, data, dtype):
    d = points.shape[-1]
    points = points.astype(dtype)
    bins_form = data.draw(st.sampled_from(["int", "ints", "edges"]))
    bins = {"int": data.draw(st.integers(1, 4)), "ints": [data.draw(st.integers(1, 4)) for _ in range(d)],
            "edges": [np.sort(data.draw(mst.arrays(dtype, (data.draw(st.integers(2, 4)),), elements=mst.reals(-2, 3),
                                                    unique=True))) for _ in range(d)]}[bins_form]
    value_range = None
    if bins_form != "edges" and data.draw(st.booleans()):
        value_range = []
        for _ in range(d):
            low = data.draw(st.sampled_from([-1.0, 0.0, 0.5]))
            value_range += [low, low + data.draw(st.sampled_from([1.0, 2.5]))]
    weight = data.draw(st.none() | mst.arrays(dtype, points.shape[:-1], elements=mst.reals(0, 2)))
    density = data.draw(st.booleans())

    def histogram(lib):
        edges = bins if bins_form != "edges" else [lib.tensor(e) for e in bins]
        return lib.histogramdd(lib.tensor(points), edges, range=value_range,
                               weight=None if weight is None else lib.tensor(weight), density=density)
    mine, theirs = histogram(minigrad), histogram(torch)
    assert_close(mine.hist, theirs.hist, what="hist")
    assert len(mine.bin_edges) == len(theirs.bin_edges) == d
    for m, t in zip(mine.bin_edges, theirs.bin_edges):
        assert_close(m, t, what="bin_edges")


def test_rsub_s_node_names_and_integer_results_are_torch_s():
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        assert lib.rsub(x, x.detach()).grad_fn.name() == "RsubBackward0"
        assert lib.rsub(x, 2).grad_fn.name() == "RsubBackward1"
        assert lib.constant_pad_nd(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"
    for args in [((1, 2), 3, 1), ((1, 2), 1.5, 1), ((1, 2), 1.5, 2.5), ((1, 2), 300, 2)]:
        (values, other, alpha) = args
        results = [lib.rsub(lib.tensor(values, dtype=lib.uint8 if other == 300 else lib.int64), other, alpha=alpha)
                   for lib in (minigrad, torch)]
        assert_close(*results)
    assert_close(*(lib.constant_pad_nd(lib.tensor([1, 2]), (1, 1), 2.5) for lib in (minigrad, torch)))


def test_poisson_draws():
    """Whole numbers >= 0 in the rates' dtype and shape, the same for the same seed, with the mean
    and variance of the rate; a zero gradient for the rates, as torch's."""
    rates = minigrad.tensor([[0.0, 0.5, 4.0], [1.0, 10.0, 30.0]], dtype=minigrad.float32, requires_grad=True)
    draws = minigrad.poisson(rates.expand(4000, 2, 3), generator=minigrad.Generator().manual_seed(1))
    assert draws.dtype == minigrad.float32 and tuple(draws.shape) == (4000, 2, 3)
    values = draws.detach().numpy()
    assert (values >= 0).all() and (values == np.round(values)).all() and (values[:, 0, 0] == 0).all()
    expected = rates.detach().numpy()
    assert np.allclose(values.mean(0), expected, rtol=0.1, atol=0.05)
    assert np.allclose(values.var(0), expected, rtol=0.15, atol=0.05)
    again = minigrad.poisson(rates.expand(4000, 2, 3), generator=minigrad.Generator().manual_seed(1))
    assert (again.detach().numpy() == values).all()
    assert draws.grad_fn.name() == "PoissonBackward0"
    draws.sum().backward()
    assert_close(rates.grad, torch.zeros(2, 3))


def test_binomial_draws():
    """Whole numbers in [0, count] in count's dtype, the shape count and prob broadcast to, the same
    for the same seed, with mean n p and variance n p (1 - p); torch's node refuses a gradient."""
    count = minigrad.tensor([[0.0], [5.0], [20.0]], dtype=minigrad.float64)
    prob = minigrad.tensor([0.0, 0.3, 1.0, 0.5], dtype=minigrad.float64)
    draws = minigrad.binomial(count.expand(3, 4).unsqueeze(0).expand(3000, 3, 4), prob,
                              generator=minigrad.Generator().manual_seed(2))
    assert draws.dtype == minigrad.float64 and tuple(draws.shape) == (3000, 3, 4)
    values = draws.numpy()
    n, p = count.numpy(), prob.numpy()
    assert (values >= 0).all() and (values <= n).all() and (values == np.round(values)).all()
    assert np.allclose(values.mean(0), n * p, rtol=0.1, atol=0.05)
    assert np.allclose(values.var(0), n * p * (1 - p), rtol=0.2, atol=0.05)
    again = minigrad.binomial(count.expand(3, 4).unsqueeze(0).expand(3000, 3, 4), prob,
                              generator=minigrad.Generator().manual_seed(2))
    assert (again.numpy() == values).all()

    def backward(lib):
        c = lib.tensor([3.0, 4.0], requires_grad=True)
        out = lib.binomial(c, lib.tensor([0.5, 0.5]))
        assert out.grad_fn.name() == "torch::autograd::NotImplemented"
        out.sum().backward()
    assert_raises_like_torch(backward, same_message=True)


def test_binomial_s_corner_values_are_torch_s():
    """A probability outside [0, 1] is clipped, a negative count draws 0, a nan probability gives nan."""
    for lib in (minigrad, torch):
        out = lib.binomial(lib.tensor([4.0, -3.0, 5.0, 6.0]), lib.tensor([1.5, 0.5, -0.5, float("nan")]))
        assert out[:3].tolist() == [4.0, 0.0, 0.0] and out[3].isnan(), lib.__name__


BAD_CALLS = [
    lambda lib: lib.gradient(lib.ones(3, 4), edge_order=3),
    lambda lib: lib.gradient(lib.ones(3, 1)),
    lambda lib: lib.gradient(lib.ones(3, 2), edge_order=2),
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[2.0]),
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[2.0, 3.0], dim=1),
    lambda lib: lib.gradient(lib.ones(3, 4), dim=(0, 0)),
    lambda lib: lib.gradient(lib.ones(3, 4), dim=3),
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[lib.tensor(2.0)], dim=1),
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[lib.ones(1, 3)], dim=0),
    lambda lib: lib.gradient(lib.tensor([True, False, True])),
    lambda lib: lib.histogramdd(lib.ones(3, 2, dtype=lib.int32), bins=2),
    lambda lib: lib.histogramdd(lib.ones(3), bins=2),
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=[2]),
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=2, weight=lib.ones(4)),
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=2, weight=lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=2, range=[0.0, 1.0]),
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=0),
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=[lib.ones(2, 2), lib.ones(2)]),
    lambda lib: lib.rsub(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.rsub(lib.ones(2), lib.ones(2), alpha=True),
    lambda lib: lib.rsub(lib.tensor([1, 2]), 3, alpha=1.5),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), (1,)),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), (1, 1, 1, 1, 1, 1)),
    lambda lib: lib.constant_pad_nd(lib.ones(2, 3), (-4, 0)),
    lambda lib: lib.convolution(lib.ones(2, 5), lib.ones(3, 2, 3), None, [1], [0], [1], False, [0], 1),
    lambda lib: lib.convolution(lib.ones(1, 2, 5), lib.ones(3, 2, 3), None, 1, [0], [1], False, [0], 1),
    lambda lib: lib.convolution(lib.ones(1, 2, 5), lib.ones(3, 2, 3), None, [1, 1], [0], [1], False, [0], 1),
    lambda lib: lib.convolution(lib.ones(1, 2, 5), lib.ones(3, 2, 3), None, [1], [0], [1], False, [0], 2),
    lambda lib: lib.binomial(lib.tensor([10, 5]), lib.tensor([0.5, 0.2])),
    lambda lib: lib.binomial(lib.tensor([10.0, 5.0]), lib.tensor([0.5, 0.2], dtype=lib.float64)),
    lambda lib: lib.poisson(lib.tensor([1, 5])),
    lambda lib: lib.poisson(lib.tensor([-1.0, 5.0])),
]
SAME_TYPE_ONLY = [  # the message words the mismatch differently, or prints the range's numbers as floats
    lambda lib: lib.histogramdd(lib.ones(3, 2), bins=2, range=[1.0, 0.0, 0.0, 1.0]),
    lambda lib: lib.binomial(lib.ones(2, 3), lib.ones(2)),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("call", SAME_TYPE_ONLY)
def test_errors_are_of_torch_s_type(call):
    assert_raises_like_torch(call)
