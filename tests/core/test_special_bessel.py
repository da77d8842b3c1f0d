"""torch.special's Bessel functions and airy_ai against mpmath and against torch.

mpmath (at 30 digits) is the reference of truth: torch's own float64 values are coarse in places
(bessel_j0/j1/y0/y1 lose up to 1e-6 absolute for 2 < x < 25, airy_ai for 2 < |x| < 8 as much),
so agreement with torch is asked within torch's own distance from mpmath. The oscillating
functions are held to a fraction of their envelope near their zeros, where relative accuracy is
lost by any method that does not expand about each zero.
"""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
mpmath.mp.dps = 30

RTOL = 1e-13          # minigrad's float64 accuracy relative to the value...
ENVELOPE_TOL = 4e-15  # ...and, for the oscillating functions, to their envelope
FLOAT32_RTOL = 1.2e-7  # float32: computed in float64 and rounded once (half an ulp is 6e-8)

EXACT = {
    "bessel_j0": lambda x: mpmath.besselj(0, x),
    "bessel_j1": lambda x: mpmath.besselj(1, x),
    "bessel_y0": lambda x: mpmath.bessely(0, x),
    "bessel_y1": lambda x: mpmath.bessely(1, x),
    "modified_bessel_i0": lambda x: mpmath.besseli(0, x),
    "modified_bessel_i1": lambda x: mpmath.besseli(1, x),
    "modified_bessel_k0": lambda x: mpmath.besselk(0, x),
    "modified_bessel_k1": lambda x: mpmath.besselk(1, x),
    "scaled_modified_bessel_k0": lambda x: mpmath.besselk(0, x) * mpmath.exp(x),
    "scaled_modified_bessel_k1": lambda x: mpmath.besselk(1, x) * mpmath.exp(x),
    "spherical_bessel_j0": lambda x: mpmath.sin(x) / x,
    "airy_ai": mpmath.airyai,
}
NAMES = sorted(EXACT)

# Where each is drawn (log10 |x| from, to; and whether negative x too), in float64 and in float32,
# the float32 ranges kept to results within float32's normal numbers.
RANGES = {
    "bessel_j0": ((-8, 8), True), "bessel_j1": ((-8, 8), True),
    "bessel_y0": ((-8, 8), False), "bessel_y1": ((-8, 8), False),
    "modified_bessel_i0": ((-8, 2.8), True), "modified_bessel_i1": ((-8, 2.8), True),
    "modified_bessel_k0": ((-8, 2.8), False), "modified_bessel_k1": ((-8, 2.8), False),
    "scaled_modified_bessel_k0": ((-8, 8), False), "scaled_modified_bessel_k1": ((-8, 8), False),
    "spherical_bessel_j0": ((-8, 6), True), "airy_ai": ((-8, 2), True),
}
FLOAT32_HIGH = {"modified_bessel_i0": 1.9, "modified_bessel_i1": 1.9, "modified_bessel_k0": 1.9,
                "modified_bessel_k1": 1.9, "airy_ai": 1.3, "bessel_y1": 3}
# Some zeros of J0, J1, Y0, Y1 (positive) and of Ai (negative), where values are drawn close to them too.
ZEROS = {"bessel_j0": [float(mpmath.besseljzero(0, k)) for k in (1, 2, 7)],
         "bessel_j1": [float(mpmath.besseljzero(1, k)) for k in (1, 2, 7)],
         "bessel_y0": [float(mpmath.besselyzero(0, k)) for k in (1, 2, 7)],
         "bessel_y1": [float(mpmath.besselyzero(1, k)) for k in (1, 2, 7)],
         "airy_ai": [float(mpmath.airyaizero(k)) for k in (1, 3, 6, 12)]}


def envelope(name, x):
    """The size of the oscillation about x (0 for the functions that do not oscillate): absolute
    errors below ENVELOPE_TOL of it are allowed near the zeros."""
    a = np.abs(x)
    if name.startswith("bessel"):
        return np.where(a >= 0.5, np.sqrt(2 / (np.pi * np.maximum(a, 0.5))), 0.0)
    if name == "spherical_bessel_j0":
        return np.where(a >= 1, 1 / np.maximum(a, 1), 0.0)
    if name == "airy_ai":
        return np.where(x <= -1, a ** -0.25 / math.sqrt(math.pi), 0.0)
    return np.zeros_like(a)


def tolerance(name, x, truth, rtol, envelope_tol):
    """rtol of the value plus envelope_tol of the envelope."""
    return rtol * np.abs(truth) + envelope_tol * envelope(name, x)


def exact(name, x):
    return np.array([float(EXACT[name](mpmath.mpf(float(v)))) for v in x])


@st.composite
def points(draw, name, high=None):
    """Six x of one function's range, log-uniform in |x|, and one next to each of its ZEROS."""
    (low_exponent, high_exponent), negative = RANGES[name]
    high_exponent = high_exponent if high is None else high
    exponents = draw(mst.arrays("float64", (6,), elements=mst.reals(low_exponent, high_exponent)))
    signs = draw(mst.arrays("float64", (6,), elements=st.sampled_from([1.0, -1.0] if negative else [1.0])))
    x = signs * 10.0 ** exponents
    if name == "airy_ai":  # and far out on the negative side, where the phase (2/3)|x|^(3/2) is large
        x = np.concatenate([x, -10.0 ** draw(mst.arrays("float64", (2,), elements=mst.reals(2, 7)))])
    if name in ZEROS:
        zeros = np.array(ZEROS[name])
        x = np.concatenate([x, zeros * (1 + draw(mst.arrays("float64", zeros.shape, elements=mst.reals(-1e-6, 1e-6))))])
    return x


def within(actual, expected, tolerance, what):
    bad = ~(np.abs(actual - expected) <= tolerance)
    assert not bad.any(), f"{what}: at x where {actual[bad]!r} should be {expected[bad]!r}"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_float64_agrees_with_mpmath_and_with_torch_within_its_error(name, data):
    x = data.draw(points(name))
    mine = getattr(minigrad.special, name)(minigrad.tensor(x)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    truth = exact(name, x)
    allowed = tolerance(name, x, truth, RTOL, ENVELOPE_TOL)
    within(mine, truth, allowed, f"{name} vs mpmath, x={x!r}")
    within(mine, theirs, np.abs(theirs - truth) + allowed, f"{name} vs torch, x={x!r}")


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_float32_is_float64_rounded_and_agrees_with_torch(name, data):
    x = data.draw(points(name, FLOAT32_HIGH.get(name, 3.5))).astype(np.float32)
    mine = getattr(minigrad.special, name)(minigrad.tensor(x))
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    assert mine.dtype == minigrad.float32
    truth = exact(name, x.astype(np.float64))
    allowed = tolerance(name, x.astype(np.float64), truth, FLOAT32_RTOL, 1e-7)
    within(mine.numpy().astype(np.float64), truth, allowed, f"{name} float32 vs mpmath, x={x!r}")
    within(mine.numpy().astype(np.float64), theirs, np.abs(theirs - truth) + allowed,
           f"{name} float32 vs torch, x={x!r}")


# 0, -0, +-inf, nan, negative x, the least subnormal, and values past under- and overflow: exactly
# torch's (signed zeros included); the tiny arguments, where the result is finite, to 1e-12.
EDGES = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.5, 5e-324, 1e-300, -1e-300, 1e-20, 750.0, 1e300])


@pytest.mark.parametrize("name", NAMES)
def test_edge_values_are_torchs(name):
    # (torch's modified_bessel_i1 of the least subnormal, 5e-324, is 5e-324: x/2 rounded up; here 0, rounded to even)
    x = EDGES[EDGES != 5e-324] if name == "modified_bessel_i1" else EDGES
    if name.startswith("bessel"):  # (torch's phase x - pi/4 has lost all its digits at 1e300)
        x = x[x != 1e300]
    mine = getattr(minigrad.special, name)(minigrad.tensor(x)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    special = ~np.isfinite(theirs) | (theirs == 0) | ~np.isfinite(mine) | (mine == 0)
    assert np.array_equal(mine[special], theirs[special], equal_nan=True), (x[special], mine[special], theirs[special])
    signed = special & ~np.isnan(theirs)
    assert np.array_equal(np.signbit(mine[signed]), np.signbit(theirs[signed])), (x[signed], mine[signed])
    within(mine[~special], theirs[~special], 1e-12 * np.abs(theirs[~special]), f"{name} at x={x[~special]!r}")


@pytest.mark.parametrize("name", NAMES)
def test_no_gradient_as_in_torch(name):
    """torch defines no derivative: the result does not require grad, and backward raises."""
    def backward(lib):
        x = lib.tensor([0.5, 2.0], requires_grad=True)
        y = getattr(lib.special, name)(x)
        assert not y.requires_grad and y.grad_fn is None
        y.sum().backward()

    assert_raises_like_torch(backward)


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_shapes_and_out_as_in_torch(name):
    """Integers and bools compute in the default dtype (float32 here, float64 when it is the
    default), to the same values as the float32 tensor of the same numbers."""
    def program(lib):
        f = getattr(lib.special, name)
        data = [[0.25, 0.5, 1.5], [1.0, 30.0, 40.0]]  # (where torch's own float64 values are accurate)
        results = [f(lib.tensor([[1, 2, 3], [0, 7, 40]])), f(lib.tensor([True, False])), f(lib.tensor(2.5)),
                   f(lib.empty(0, 2))]
        out = lib.empty(2, 3, dtype=lib.float64)
        written = f(lib.tensor(data, dtype=lib.float64, requires_grad=True), out=out)
        transposed = f(lib.tensor(data, dtype=lib.float64).T)
        return ([(str(r.dtype).split(".")[-1], tuple(r.shape)) for r in results]
                + [written is out, out, out.requires_grad, tuple(transposed.shape), transposed.stride(), transposed])

    assert_same_as_torch(program, rtol=1e-12)
    f = getattr(minigrad.special, name)
    integers = [[1, 2, 3], [0, 7, 40]]
    assert np.array_equal(f(minigrad.tensor(integers)).numpy(),
                          f(minigrad.tensor(integers, dtype=minigrad.float32)).numpy(), equal_nan=True)
    previous = minigrad.get_default_dtype()
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert f(minigrad.tensor([1, 2])).dtype == minigrad.float64
    finally:
        minigrad.set_default_dtype(previous)


@pytest.mark.parametrize("name", NAMES)
def test_errors_as_in_torch(name):
    cases = [lambda lib: getattr(lib.special, name)(1.0),
             lambda lib: getattr(lib.special, name)([1.0, 2.0]),
             lambda lib: getattr(lib.special, name)(lib.tensor([1.0], dtype=lib.float16)),
             lambda lib: getattr(lib.special, name)(lib.tensor([1.0]), out=lib.empty(1, dtype=lib.int64))]
    for case in cases[:3]:
        assert_raises_like_torch(case, same_message=True)
    assert_raises_like_torch(cases[3])
