"""torch.special's orthogonal polynomials against mpmath and against torch.

mpmath (50 digits) is the reference of truth; torch must agree within its own distance from it.
mpmath's own chebyt, hermite, laguerre, ... are sums of hypergeometric series that fail to
converge at the roots (x = 0 for odd degrees, x = 1 for L_1), so the references are written out:
T and U by their recurrence and H, L, P by their explicit sums, all in mpmath's 50 digits; V and
W are U_n -+ U_(n-1), and He_n(x) = 2^(-n/2) H_n(x / sqrt 2). The
tolerance is relative to the polynomial's size on the interval where it oscillates (not to the
value, which may be near a root), times (n + 1)^2: a recurrence's rounding errors are carried
forward by solutions that grow like n there, and one ulp of the argument (2x - 1 for the shifted
ones is rounded) moves p_n by |p_n'| ulps, up to n^2 times its size near the ends of the interval.
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
mpmath.mp.dps = 50


def _chebyshev(n, y, first):
    """The Chebyshev polynomial with p_0 = 1 and p_1 = first, by p_(k+1) = 2y p_k - p_(k-1) in mpmath."""
    previous, current = mpmath.mpf(1), first
    if n == 0:
        return previous
    for _ in range(n - 1):
        previous, current = current, 2 * y * current - previous
    return current


def _hermite(n, y):
    """H_n(y) = n! sum_m (-1)^m (2y)^(n - 2m) / (m! (n - 2m)!)."""
    return sum((-1) ** m * math.factorial(n) * (2 * y) ** (n - 2 * m) / (math.factorial(m) * math.factorial(n - 2 * m))
               for m in range(n // 2 + 1))


def _laguerre(n, y):
    """L_n(y) = sum_k C(n, k) (-y)^k / k!."""
    return sum(math.comb(n, k) * (-y) ** k / math.factorial(k) for k in range(n + 1))


def _legendre(n, y):
    """P_n(y) = sum_k C(n, k)^2 ((y - 1) / 2)^(n - k) ((y + 1) / 2)^k."""
    return sum(math.comb(n, k) ** 2 * ((y - 1) / 2) ** (n - k) * ((y + 1) / 2) ** k for k in range(n + 1))


def _u(n, y):
    return _chebyshev(n, y, 2 * y) if n >= 0 else mpmath.mpf(0)


EXACT = {  # name -> (p_n(x) for whole n >= 0, the shift of x onto the family's own interval)
    "chebyshev_polynomial_t": (lambda n, y: _chebyshev(n, y, y), False),
    "chebyshev_polynomial_u": (lambda n, y: _u(n, y), False),
    "chebyshev_polynomial_v": (lambda n, y: _u(n, y) - _u(n - 1, y), False),
    "chebyshev_polynomial_w": (lambda n, y: _u(n, y) + _u(n - 1, y), False),
    "hermite_polynomial_h": (_hermite, False),
    "hermite_polynomial_he": (lambda n, y: _hermite(n, y / mpmath.sqrt(2)) / mpmath.sqrt(2) ** n, False),
    "laguerre_polynomial_l": (_laguerre, False),
    "legendre_polynomial_p": (_legendre, False),
}
for _kind in "tuvw":
    EXACT[f"shifted_chebyshev_polynomial_{_kind}"] = (EXACT[f"chebyshev_polynomial_{_kind}"][0], True)
NAMES = sorted(EXACT)


def size(name, n, x):
    """A bound on |p_n| about x: where the polynomial oscillates, its envelope; beyond, 0 (there
    it grows without cancellation, and the value itself sets the scale)."""
    y = 2 * x - 1 if EXACT[name][1] else x
    n = max(n, 0)
    if "chebyshev" in name:
        inside = {"t": 1, "u": n + 1, "v": 2 * n + 1, "w": 2 * n + 1}[name[-1]]
        return np.where(np.abs(y) <= 1, inside, 0.0)
    if name == "legendre_polynomial_p":
        return np.where(np.abs(y) <= 1, 1.0, 0.0)
    if name == "laguerre_polynomial_l":
        return np.exp(np.abs(y) / 2)
    if name == "hermite_polynomial_h":
        return 1.09 * math.sqrt(2.0 ** n * math.factorial(n)) * np.exp(y * y / 2)
    return 1.09 * math.sqrt(math.factorial(n)) * np.exp(y * y / 4)


def exact(name, n, x):
    """p_n at each x for a whole n, from mpmath (0 for n < 0, as torch defines it)."""
    polynomial, shift = EXACT[name]
    if n < 0:
        return np.zeros_like(x)
    return np.array([float(polynomial(n, 2 * mpmath.mpf(float(v)) - 1 if shift else mpmath.mpf(float(v))))
                     for v in x])


def within(actual, expected, tolerance, what):
    bad = ~(np.abs(actual - expected) <= tolerance)
    assert not bad.any(), f"{what}: {actual[bad]!r} should be {expected[bad]!r}"


@st.composite
def draws(draw, name):
    """Eight x in the interval where the family oscillates (or a little beyond), and a degree:
    mostly small, sometimes past the Chebyshev closed forms' threshold, sometimes negative."""
    low, high = (-0.2, 1.2) if EXACT[name][1] else (-1.2, 1.2)
    if name.startswith(("hermite", "laguerre")):
        low, high = (-4.0, 4.0) if name.startswith("hermite") else (0.0, 12.0)
    x = draw(mst.arrays("float64", (8,), elements=mst.reals(low, high)))
    n = draw(st.one_of(st.integers(-2, 12), st.integers(13, 40)))
    return x, n


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_float64_agrees_with_mpmath_and_with_torch_within_its_error(name, data):
    x, n = data.draw(draws(name))
    mine = getattr(minigrad.special, name)(minigrad.tensor(x), n).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x), n).numpy()
    truth = exact(name, n, x)
    tolerance = 2e-15 * (max(n, 0) + 1) ** 2 * np.maximum(np.abs(truth), size(name, n, x))
    within(mine, truth, tolerance, f"{name}, n={n}, x={x!r} vs mpmath")
    within(mine, theirs, np.abs(theirs - truth) + tolerance, f"{name}, n={n}, x={x!r} vs torch")


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_float32_agrees_with_torch_within_its_error(name, data):
    x, n = data.draw(draws(name))
    x = x.astype(np.float32)
    n_tensor = np.full(x.shape, n, dtype=np.int64)
    mine = getattr(minigrad.special, name)(minigrad.tensor(x), minigrad.tensor(n_tensor))
    theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n_tensor)).numpy().astype(np.float64)
    assert mine.dtype == minigrad.float32
    truth = exact(name, n, x.astype(np.float64))
    tolerance = 1.2e-7 * (max(n, 0) + 1) ** 2 * np.maximum(np.abs(truth), size(name, n, x.astype(np.float64)))
    within(mine.numpy().astype(np.float64), truth, tolerance, f"{name}, n={n}, x={x!r} vs mpmath")
    within(mine.numpy().astype(np.float64), theirs, np.abs(theirs - truth) + tolerance, f"{name}, n={n} vs torch")


@pytest.mark.parametrize("name", NAMES)
def test_degrees_as_torch_reads_them(name):
    """n is truncated toward zero; negative, nan, infinite and huge n (past int64) give 0."""
    x = np.array([0.25, -0.75, 0.5, 1.0, -1.0, 3.0])
    degrees = [2.7, -0.5, 3.99, -1, -2.5, float("nan"), float("inf"), -float("inf"), 1e30, 0, 1]
    for n in degrees:
        mine = getattr(minigrad.special, name)(minigrad.tensor(x), n).numpy()
        theirs = getattr(torch.special, name)(torch.tensor(x), n).numpy()
        within(mine, theirs, 1e-13 * np.abs(theirs), f"{name}, n={n}")
    per_element = np.array([2.7, -0.5, 3.99, -1.0, float("nan"), 1e30])
    mine = getattr(minigrad.special, name)(minigrad.tensor(x), minigrad.tensor(per_element)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(per_element)).numpy()
    within(mine, theirs, 1e-13 * np.abs(theirs), f"{name}, n={per_element!r}")


@pytest.mark.parametrize("name", NAMES)
def test_infinities_and_the_ends_of_the_interval_as_in_torch(name):
    """+-inf go through the recurrence as in torch (inf, then inf - inf = nan); at +-1 (and 0, 1
    for the shifted ones) the values are exact whole numbers, for degrees up to 60."""
    if name.startswith("shifted"):
        x = np.array([np.inf, -np.inf, 0.0, 1.0])
    elif name.startswith(("hermite", "laguerre")):
        x = np.array([np.inf, -np.inf])
    else:
        x = np.array([np.inf, -np.inf, 1.0, -1.0])
    for n in range(0, 61, 3):
        mine = getattr(minigrad.special, name)(minigrad.tensor(x), n).numpy()
        theirs = getattr(torch.special, name)(torch.tensor(x), n).numpy()
        assert np.array_equal(mine, theirs, equal_nan=True), (name, n, mine, theirs)


@pytest.mark.parametrize("name", NAMES)
def test_nan_gives_nan(name):
    """A nan x gives nan for n >= 1 (1 for n = 0, 0 for n < 0). torch agrees for most; where its
    kernel reads nan as 0 or leaves the result unwritten (U, W, Legendre, Laguerre and the
    shifted U, W), minigrad's nan is the difference the README lists."""
    f = getattr(minigrad.special, name)
    result = f(minigrad.tensor([np.nan] * 4), minigrad.tensor([-1, 0, 1, 5])).numpy()
    assert result[0] == 0 and result[1] == 1 and np.isnan(result[2:]).all()


@pytest.mark.parametrize("name", NAMES)
def test_dtypes_broadcasting_numbers_and_out_as_in_torch(name):
    def program(lib):
        f = getattr(lib.special, name)
        x = lib.tensor([[0.25], [0.75]], dtype=lib.float64)
        results = [f(lib.tensor([0.5, 0.3]), 3), f(lib.tensor([1, 2]), 2), f(lib.tensor([1, 2]), lib.tensor([2, 3])),
                   f(lib.tensor([0.5, 0.2]), lib.tensor([2, 3])), f(x, lib.tensor([2.0, 3.0])),
                   f(0.5, lib.tensor([2, 3])), f(0.5, lib.tensor([2.0, 3.0], dtype=lib.float64)),
                   f(x, lib.tensor([1, 2, 3])), f(lib.tensor([True]), True), f(lib.tensor(0.5, dtype=lib.float64), 4)]
        out = lib.empty(2, 3, dtype=lib.float64)
        written = f(x, lib.tensor([1, 2, 3]), out=out)
        grad = f(lib.tensor([0.5], requires_grad=True), lib.tensor([2.0], requires_grad=True))
        transposed = f(lib.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=lib.float64).T, 2)
        return ([(str(r.dtype).split(".")[-1], tuple(r.shape), r) for r in results]
                + [written is out, out, grad.requires_grad, transposed.stride(), transposed])

    assert_same_as_torch(program, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_no_gradient_as_in_torch(name):
    def backward(lib):
        x = lib.tensor([0.5, 0.25], requires_grad=True)
        getattr(lib.special, name)(x, 3).sum().backward()

    assert_raises_like_torch(backward)


@pytest.mark.parametrize("name", NAMES)
def test_errors_as_in_torch(name):
    def f(lib):
        return getattr(lib.special, name)

    assert_raises_like_torch(lambda lib: f(lib)(0.5, 2))
    assert_raises_like_torch(lambda lib: f(lib)(lib.tensor([0.5]), [2]))
    mine, _ = assert_raises_like_torch(lambda lib: f(lib)(lib.ones(2), lib.ones(3)))
    assert "size of tensor a (2) must match the size of tensor b (3)" in str(mine)
    assert_raises_like_torch(lambda lib: f(lib)(lib.tensor([0.5], dtype=lib.float16), 2), same_message=True)
    assert_raises_like_torch(lambda lib: f(lib)(lib.tensor([0.5]), 2, out=lib.empty(1, dtype=lib.int64)),
                             same_message=True)


@pytest.mark.parametrize("name", NAMES)
def test_large_degrees_as_in_torch(name):
    """Degrees in the hundreds and beyond: the same values as torch where they are finite, and nan
    where the recurrence overflows (inf - inf) as in torch; the Chebyshev polynomials at |x| < 1
    by their closed forms, for any n (here a billion)."""
    x = np.array([0.5, 0.95, -0.3, 3.0, -2.0])
    degrees = [100, 200, 1000] + ([10 ** 9] if "chebyshev" in name else [])
    for n in degrees:
        mine = getattr(minigrad.special, name)(minigrad.tensor(x), n).numpy()
        theirs = getattr(torch.special, name)(torch.tensor(x), n).numpy()
        assert np.array_equal(np.isnan(mine), np.isnan(theirs)), (name, n, mine, theirs)
        finite = np.isfinite(theirs)
        scale = np.maximum(np.abs(theirs[finite]), 1.0)
        # (n = 1e9: cos(n arccos x) itself moves by n ulps of arccos x, in torch as here)
        within(mine[finite], theirs[finite], 1e-15 * min(n, 10 ** 3) ** 2 * scale + 1e-15 * n, f"{name}, n={n}")


@pytest.mark.parametrize("name", ["chebyshev_polynomial_u", "chebyshev_polynomial_v", "shifted_chebyshev_polynomial_u",
                                  "shifted_chebyshev_polynomial_v"])
@pytest.mark.parametrize("n", [7, 8, 13, 40])
def test_closed_forms_keep_their_digits_next_to_minus_one(name, n):
    """U's and V's closed forms divide by sin(theta) and cos(theta / 2), which vanish as x tends to -1:
    taken from the angle of -x there, they keep their digits (V_7 at -1 + 2e-16 used to be
    -15.0000001, a relative 1e-8 off)."""
    shift = name.startswith("shifted")
    x = np.array([1e-16, 5e-10, 0.02] if shift else [-1 + 2e-16, -1 + 1e-9, -0.96])
    mine = getattr(minigrad.special, name)(minigrad.tensor(x), n).numpy()
    truth = exact(name, n, x)
    np.testing.assert_allclose(mine, truth, rtol=1e-13)
