"""lgamma, digamma, polygamma, mvlgamma, erfinv and i0 against torch in the same test.

Their values come from minigrad's own expansions (minigrad/_ops/special.py), so besides the
usual parity of values and gradients in float64 and float32, the float64 values are compared
with torch's at a tight tolerance over wide ranges (large, tiny and negative non-integer
arguments), and at the poles and edges, where torch's conventions (inf, -inf or nan, and a
huge finite trigamma at the negative integers) are matched value for value.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import method_or_function

torch = torch_or_skip()


def _off_the_integers(low, high):
    """Numbers in [low, high] at least 0.05 from an integer: the poles of the gamma family, near
    which torch computes float32 trigamma from sin(pi x) rounded to float32, good to 1e-4 only."""
    return st.builds(lambda n, fraction: n + fraction, st.integers(low, high - 1), st.floats(0.05, 0.95))


def _wide(low=-30, high=30):
    """Moderate arguments, tiny ones and large ones (the recurrence, the reflection and the
    asymptotic series each get their share)."""
    return _off_the_integers(low, high) | st.floats(1e-6, 1e-2) | st.floats(30, 1e5)


cases = Cases()


@cases.add
def lgamma(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=_wide()))
    return (lambda lib, a, fn: fn(lib, a)), [x, draw(method_or_function("lgamma"))]


@cases.add
def digamma(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=_wide(-8, 30)))
    return (lambda lib, a, fn: fn(lib, a)), [x, draw(method_or_function("digamma"))]


@cases.add
def polygamma(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=_off_the_integers(-6, 10)))
    n = draw(st.integers(0, 4))
    as_method = draw(st.booleans())
    return (lambda lib, a: a.polygamma(n) if as_method else lib.polygamma(n, a)), [x]


@cases.add
def mvlgamma(draw):
    p = draw(st.integers(1, 4))
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=mst.reals((p - 1) / 2 + 0.01, 12)))
    as_method = draw(st.booleans())
    return (lambda lib, a: a.mvlgamma(p) if as_method else lib.mvlgamma(a, p=p)), [x]


@cases.add
def erfinv(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(-0.999, 0.999)))
    return (lambda lib, a, fn: fn(lib, a)), [x, draw(method_or_function("erfinv"))]


@cases.add
def i0(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(-40, 40)))
    return (lambda lib, a, fn: fn(lib, a)), [x, draw(method_or_function("i0"))]


@cases.add
def in_place(draw):
    """y = 2 * x; y.op_(): recorded after the product, as in torch."""
    name, args = draw(st.sampled_from([("lgamma_", ()), ("digamma_", ()), ("polygamma_", (2,)),
                                       ("mvlgamma_", (2,)), ("erfinv_", ()), ("i0_", ())]))
    elements = {"erfinv_": mst.reals(-0.49, 0.49), "mvlgamma_": mst.reals(0.3, 5)}.get(name, _off_the_integers(-3, 3))
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=elements))

    def fn(lib, a):
        y = a * 2
        getattr(y, name)(*args)
        return y

    return fn, [x]


@cases.add
def second_derivative(draw):
    """d/dx lgamma = digamma and d/dx digamma = trigamma: gradients recorded under create_graph."""
    x = draw(mst.arrays("float64", (3,), elements=mst.reals(0.2, 8)))
    name = draw(st.sampled_from(["lgamma", "digamma", "i0", "erfinv"]))

    def fn(lib, a):
        y = getattr(a, name)() if name != "erfinv" else (a / 10).erfinv()
        (grad,) = lib.autograd.grad(y.sum(), a, create_graph=True)
        return grad

    return fn, [x], [True]


test_parity = cases.test(max_examples=10)


# ---------------------------------------------------------------- accuracy in float64
def _same_values(ours, theirs, rtol, atol=0.0):
    """Elementwise |ours - theirs| <= rtol |theirs| + atol, or the same value (an infinity, NaN);
    rtol may be one per element."""
    a, b = ours.numpy(), theirs.numpy()
    with np.errstate(invalid="ignore"):  # (inf - inf)
        bad = ~((a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= rtol * np.abs(b) + atol))
    assert not bad.any(), f"{a[bad]!r} differ from torch's {b[bad]!r}"


@settings(max_examples=20)
@given(x=mst.arrays("float64", (64,), elements=_wide(-200, 200) | st.floats(1e5, 1e300) | st.floats(-1e6, -200)))
def test_lgamma_and_digamma_agree_with_torch_to_double_precision(x):
    """Tight where the value is not near a root (lgamma at 1 and 2, digamma at 1.4616...), where
    both libraries lose relative digits to cancellation; an absolute 1e-13 covers those. For
    x < 0 torch computes digamma's pi cot(pi r) from r = x - trunc(x), which loses digits of the
    cotangent where r is close to -1 (minigrad takes r nearest to 0): 1e-9 there, and more, up to
    torch's own bound of a few eps / (1 + r), just above a pole (at 1.2e-10 above -200, torch is
    7e-7 off and minigrad exact)."""
    x = x[x != np.round(x)]
    for name in ["lgamma", "digamma"]:
        for part, rtol in ((x[x > 0], 1e-12), (x[x < 0], 1e-12 if name == "lgamma" else 1e-9)):
            if name == "digamma" and part.size and part[0] < 0:
                rtol = np.maximum(rtol, 8 * np.finfo(np.float64).eps / (1 + (part - np.trunc(part))))
            ours, theirs = getattr(minigrad, name)(minigrad.tensor(part)), getattr(torch, name)(torch.tensor(part))
            _same_values(ours, theirs, rtol=rtol, atol=1e-13)


@settings(max_examples=20)
@given(positive=mst.arrays("float64", (48,), elements=st.floats(1e-3, 60) | st.floats(60, 1e6)),
       negative=mst.arrays("float64", (16,), elements=mst.reals(-10, 0)), n=st.integers(1, 8))
def test_polygamma_agrees_with_torch_to_double_precision(positive, negative, n):
    """torch's trigamma (n = 1) uses a short asymptotic series, good to about 1e-9 relative:
    only it gets a wider tolerance. For x < 0 torch sums the series term by term from x on,
    whose terms cancel for even n (at x = -20.5 its polygamma(8, x) is off by 1e-2, where
    minigrad's reflection formula keeps double precision), so negative x is compared for
    n <= 3 and |x| <= 10 only."""
    _same_values(minigrad.polygamma(n, minigrad.tensor(positive)), torch.polygamma(n, torch.tensor(positive)),
                 rtol=1e-9 if n == 1 else 1e-12)
    negative = negative[negative != np.round(negative)]
    if n <= 3:
        _same_values(minigrad.polygamma(n, minigrad.tensor(negative)), torch.polygamma(n, torch.tensor(negative)),
                     rtol=1e-9 if n == 1 else 1e-11)


@settings(max_examples=20)
@given(x=mst.arrays("float64", (64,), elements=mst.reals(-1, 1) | st.floats(1e-300, 1e-5)
                    | st.floats(-1e-12, 1e-12).map(lambda e: 1 - abs(e))))
def test_erfinv_agrees_with_torch_to_double_precision(x):
    _same_values(minigrad.erfinv(minigrad.tensor(x)), torch.erfinv(torch.tensor(x)), rtol=1e-13)


@settings(max_examples=20)
@given(x=mst.arrays("float64", (64,), elements=mst.reals(-700, 700)))
def test_i0_agrees_with_torch_to_double_precision(x):
    _same_values(minigrad.i0(minigrad.tensor(x)), torch.i0(torch.tensor(x)), rtol=1e-13)


# ---------------------------------------------------------------- poles and edges
_EDGES = [0.0, -0.0, -1.0, -2.0, -3.0, -7.0, 1.0, 2.0, -2.5, 0.5, 1e-300, 1e300, 1e308, -1e20, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma1", "polygamma2", "polygamma3", "mvlgamma",
                                  "erfinv", "i0"])
def test_poles_and_edges_are_torch_s(name, dtype):
    """inf, -inf, nan, signed zeros and torch's huge finite trigamma at the negative integers;
    the gradient there too."""
    with np.errstate(over="ignore"):  # (1e300 is inf in float32)
        edges = np.array(_EDGES + [0.5, -0.5, 1 - 1e-16, 1.5, -1.5]).astype(dtype)

    def run(lib):
        x = lib.tensor(edges, requires_grad=True)
        if name.startswith("polygamma"):
            y = lib.polygamma(int(name[-1]), x)
        elif name == "mvlgamma":
            y = lib.mvlgamma(x, 3)
        else:
            y = getattr(lib, name)(x)
        y.backward(lib.ones_like(y))
        return y, x.grad

    (ours, our_grad), (theirs, their_grad) = run(minigrad), run(torch)
    assert_close(ours, theirs, what=name)
    assert_close(our_grad, their_grad, what=f"gradient of {name}")
    ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    numbers = ~np.isnan(theirs)
    assert np.array_equal(np.signbit(ours[numbers]), np.signbit(theirs[numbers])), "the signs of zeros and infinities"


# ---------------------------------------------------------------- dtypes, names, errors
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32", "float64"])
@pytest.mark.parametrize("call", [lambda lib, x: x.lgamma(), lambda lib, x: lib.digamma(x),
                                  lambda lib, x: lib.polygamma(1, x), lambda lib, x: x.erfinv(),
                                  lambda lib, x: lib.i0(x)])
def test_integer_and_bool_inputs_promote_as_torch_s(call, dtype):
    x = np.array([1, 0, 3]).astype(dtype)
    assert_close(call(minigrad, minigrad.tensor(x)), call(torch, torch.tensor(x)))


@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_mvlgamma_dtypes(dtype):
    x = np.array([3, 4]).astype(dtype)
    assert_close(minigrad.mvlgamma(minigrad.tensor(x), 2), torch.mvlgamma(torch.tensor(x), 2))


def test_grad_fn_names_are_torch_s():
    for name in ["lgamma", "digamma", "erfinv", "i0"]:
        expected = getattr(torch, name)(torch.ones(2, requires_grad=True) / 2).grad_fn.name()
        assert getattr(minigrad, name)(minigrad.ones(2, requires_grad=True) / 2).grad_fn.name() == expected
    assert minigrad.polygamma(2, minigrad.ones(1, requires_grad=True)).grad_fn.name() == "PolygammaBackward0"
    assert minigrad.mvlgamma(minigrad.ones(1, requires_grad=True), 1).grad_fn.name() == "MvlgammaBackward0"


@pytest.mark.parametrize("call", [
    lambda lib: lib.polygamma(-1, lib.ones(2)),
    lambda lib: lib.ones(2).polygamma(1.5),
    lambda lib: lib.polygamma(True, lib.ones(2)),
    lambda lib: lib.ones(2).polygamma_(-1),
    lambda lib: lib.polygamma(lib.ones(2), 1),
    lambda lib: lib.mvlgamma(lib.ones(2), 0),
    lambda lib: lib.mvlgamma(lib.ones(2), 1.5),
    lambda lib: lib.mvlgamma(lib.tensor([True]), 1),
    lambda lib: lib.tensor([1, 2]).mvlgamma_(1),
    lambda lib: lib.tensor([1, 2]).lgamma_(),
    lambda lib: lib.tensor([1, 2]).erfinv_(),
    lambda lib: lib.tensor([True]).i0_(),
    lambda lib: lib.lgamma(2.0),
])
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


def test_out_and_in_place_version():
    x = minigrad.tensor([0.5, 2.0])
    out = minigrad.empty(2)
    assert minigrad.lgamma(x, out=out) is out
    assert_close(out, torch.lgamma(torch.tensor([0.5, 2.0])))
    y = x.clone()
    version = y._version
    y.digamma_()
    assert y._version == version + 1
    assert_close(y, torch.digamma(torch.tensor([0.5, 2.0])))
