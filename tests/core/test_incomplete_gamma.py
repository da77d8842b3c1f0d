"""igamma and igammac (torch.special.gammainc and gammaincc) against torch and against mpmath.

torch computes them with Cephes' methods, which are coarser in two places: for a > 20 with x
within 30% of a (an asymptotic expansion, good to about 2e-9 relative) and for Q at very small
a and x near 1 (about 1e-10). There minigrad is held to mpmath's value at 40 digits instead;
everywhere else it must agree with torch to 1e-11 relative.
"""

import math

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
mpmath.mp.dps = 40

MPMATH_RTOL = 3e-13  # minigrad's accuracy, as its docstring states (about 1e-13)
TORCH_RTOL = 1e-11


def _exact(a, x, upper):
    """P(a, x) or Q(a, x) from mpmath, as a float."""
    if upper:
        return float(mpmath.gammainc(a, x, mpmath.inf, regularized=True))
    return float(mpmath.gammainc(a, 0, x, regularized=True))


@st.composite
def _points(draw):
    """(a, x): a in (0, 100], x in [0, 200], half of the x near a (where both methods work hardest)."""
    a = draw(mst.arrays("float64", (6,), elements=st.one_of(mst.reals(1e-6, 1.0), mst.reals(1.0, 100.0))))
    near = draw(mst.arrays("float64", (6,), elements=mst.reals(0.7, 1.3)))
    spread = draw(mst.arrays("float64", (6,), elements=st.one_of(mst.reals(0.0, 5.0), mst.reals(0.0, 200.0))))
    return a, np.concatenate([a[:3] * near[:3], spread[3:]])


@settings(max_examples=30, deadline=None)
@given(points=_points(), upper=st.booleans())
def test_float64_agrees_with_mpmath_and_with_torch(points, upper):
    a, x = points
    mine = (minigrad.igammac if upper else minigrad.igamma)(minigrad.tensor(a), minigrad.tensor(x)).numpy()
    theirs = (torch.igammac if upper else torch.igamma)(torch.tensor(a), torch.tensor(x)).numpy()
    for ai, xi, m, t in zip(a, x, mine, theirs):
        exact = _exact(ai, xi, upper)
        if exact > 1e-280:  # (below, the value is near float64's underflow and has few digits anyway)
            assert abs(m - exact) <= MPMATH_RTOL * exact, f"a={ai!r}, x={xi!r}: {m!r}, mpmath {exact!r}"
        torch_is_coarse = abs(t - exact) > TORCH_RTOL * abs(exact)
        if not torch_is_coarse:
            assert abs(m - t) <= TORCH_RTOL * abs(t), f"a={ai!r}, x={xi!r}: {m!r}, torch {t!r}"


def test_torch_is_coarse_only_where_this_file_says():
    """The places where the test above lets mpmath judge: torch's error there, measured."""
    a, x = np.array([30.0, 50.0, 2e-6]), np.array([33.0, 45.0, 1.05])
    theirs_p, theirs_q = (torch.igamma(torch.tensor(a), torch.tensor(x)).numpy(),
                          torch.igammac(torch.tensor(a), torch.tensor(x)).numpy())
    ours_q = minigrad.igammac(minigrad.tensor(a), minigrad.tensor(x)).numpy()
    for i in range(2):
        exact = _exact(a[i], x[i], False)
        assert 1e-11 < abs(theirs_p[i] - exact) / exact < 1e-8
    exact = _exact(a[2], x[2], True)
    assert 1e-11 < abs(theirs_q[2] - exact) / exact < 1e-8
    assert abs(ours_q[2] - exact) <= MPMATH_RTOL * exact


EDGES = [0.0, -0.0, 1e-300, 0.5, 1.0, 3.0, 150.0, 1e300, math.inf, -math.inf, -1.0, math.nan]
# Where torch is off, judged by mpmath: its asymptotic expansion at a = x = 150 (3e-10 relative),
# and Q at a = 1e-300, which it gets wrong by a factor up to 3.6 (Q(1e-300, 1) = 1e-300 E1(1) =
# 2.19e-301; torch says 7.97e-301).
TORCH_OFF = {(150.0, 150.0), (1e-300, 1e-300), (1e-300, 0.5), (1e-300, 1.0), (1e-300, 3.0)}


def _torch_off_exact(a, x, upper):
    """mpmath's value at a TORCH_OFF point; for a = 1e-300, Q = a E1(x) + O(a^2), which is
    exact in double precision (and much faster than mpmath's gammainc there)."""
    if a == 1e-300:
        q = float(a * mpmath.e1(x))
        return q if upper else 1.0
    return _exact(a, x, upper)


def test_edges_are_torch_s():
    """Every pair of special arguments: 0, -0, tiny, huge, inf, negatives, nan. Not a = x = 1e300,
    where torch's asymptotic expansion gives 0.5 and minigrad's series run out (a difference from
    torch, past a ~ 1e6 with x near a)."""
    a, x = (v.ravel() for v in np.meshgrid(EDGES, EDGES))
    kept = ~((a == 1e300) & (x == 1e300))
    for name in ("igamma", "igammac"):
        mine = getattr(minigrad, name)(minigrad.tensor(a[kept]), minigrad.tensor(x[kept])).numpy()
        theirs = getattr(torch, name)(torch.tensor(a[kept]), torch.tensor(x[kept])).numpy()
        for ai, xi, m, t in zip(a[kept], x[kept], mine, theirs):
            reference = _torch_off_exact(ai, xi, name == "igammac") if (ai, xi) in TORCH_OFF else t
            assert m == reference or abs(m - reference) <= TORCH_RTOL * abs(reference) or (
                np.isnan(m) and np.isnan(reference)), f"{name}({ai!r}, {xi!r}) = {m!r}, expected {reference!r}"


@settings(max_examples=20, deadline=None)
@given(data=st.data(), name=st.sampled_from(["igamma", "igammac", "special.gammainc", "special.gammaincc"]),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_values_and_gradient_in_x_against_torch(data, name, dtype):
    """Broadcast shapes; the gradient goes to x alone (a wants none here, see below)."""
    shape_a, shape_x = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    a = data.draw(mst.arrays("float64", shape_a, elements=mst.reals(0.1, 20.0)))
    x = data.draw(mst.arrays("float64", shape_x, elements=mst.reals(0.05, 30.0)))

    def function(lib, a, x):
        f = lib.special if name.startswith("special") else lib
        out = getattr(f, name.split(".")[-1])(a, x)
        return out, out.grad_fn.name()

    check_parity(data, function, [a, x], requires_grad=[False, True], dtype=dtype)


def test_grad_fn_names_and_gradient_at_zero():
    """torch's formula exp((a - 1) log x - x - lgamma(a)): inf, nan and 0 at x = 0 for a < 1, = 1, > 1."""
    for name, node in (("igamma", "IgammaBackward0"), ("igammac", "IgammacBackward0")):
        def program(lib):
            x = lib.tensor([0.0, 0.0, 0.0, 2.0], dtype=lib.float64, requires_grad=True)
            out = getattr(lib, name)(lib.tensor([0.5, 1.0, 2.0, 3.0], dtype=lib.float64), x)
            out.sum().backward()
            return type(out.grad_fn).__name__ if lib is torch else out.grad_fn.name(), x.grad
        assert assert_same_as_torch(program, rtol=1e-14)[0] == node


def test_gradient_in_a_raises_at_backward_as_in_torch():
    for name in ("igamma", "igammac", "special.gammainc"):
        def forward(lib):
            f = lib.special.gammainc if name == "special.gammainc" else getattr(lib, name)
            return f(lib.tensor([1.5, 2.0], requires_grad=True), lib.tensor([0.5, 3.0], requires_grad=True))
        assert forward(minigrad).requires_grad and forward(torch).requires_grad  # the forward raises nothing
        mine, _ = assert_raises_like_torch(lambda lib: forward(lib).sum().backward())
        assert "derivative" in str(mine) and f"{name.replace('special.gammainc', 'igamma')}: input" in str(mine)


def test_dtypes_promote_as_in_torch():
    cases = [("float32", "float32"), ("float32", "float64"), ("int64", "float32"), ("float64", "int32"),
             ("float16", "float16")]
    for first, second in cases:
        def program(lib):
            a = lib.tensor([0.5, 2.0, 7.0]).to(getattr(lib, first)) + 1
            x = lib.tensor([1.0, 2.5, 6.0]).to(getattr(lib, second))
            return [str(lib.igamma(a, x).dtype).split(".")[-1], lib.igamma(a, x), lib.igammac(a, x)]
        assert_same_as_torch(program, rtol=1e-3 if "float16" in (first, second) else 2e-6)
    # a float32 tensor with a 0-d float64 one stays float32
    assert_same_as_torch(lambda lib: str(lib.igamma(lib.tensor([1.0, 2.0]), lib.tensor(2.0, dtype=lib.float64)).dtype
                                         ).split(".")[-1], rtol=0)


def test_errors_are_torch_s():
    calls = [
        lambda lib: lib.igamma(lib.tensor([1, 2]), lib.tensor([1, 2])),           # integers: no kernel
        lambda lib: lib.igammac(lib.tensor([True]), lib.tensor([True])),
        lambda lib: lib.igamma(lib.tensor([1.0, 2.0]), 2.0),                      # numbers are refused
        lambda lib: lib.igamma(2.0, lib.tensor([1.0, 2.0])),
        lambda lib: lib.tensor([1.0, 2.0]).igammac(2),
        lambda lib: lib.special.gammainc(lib.tensor([1.0]), 2),
        lambda lib: lib.special.gammaincc(2, lib.tensor([1.0])),
        lambda lib: lib.igamma(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0, 3.0])),  # shapes
        lambda lib: lib.tensor([1, 2]).igamma_(lib.tensor([1.0, 2.0])),          # a float result into integers
        lambda lib: lib.tensor([1, 2]).igammac_(lib.tensor([1, 2])),
        lambda lib: lib.tensor([1.0, 2.0]).igamma_(lib.tensor([[1.0, 2.0]])),    # the result's shape is not self's
        lambda lib: lib.igamma(lib.tensor([1.0]), lib.tensor([1.0], requires_grad=True), out=lib.empty(1)),
        lambda lib: lib.igamma(lib.tensor([1.0]), lib.tensor([1.0]), out=lib.empty(1, dtype=lib.int64)),
    ]
    for call in calls:
        mine, theirs = assert_raises_like_torch(call)
        assert str(theirs).split("(")[0].split(" ")[0] in str(mine)  # both name the function, type or rule


def test_in_place_and_out_forms():
    def program(lib):
        a = lib.tensor([0.5, 2.0, 7.0])
        x = lib.tensor([[1.0, 2.5, 6.0], [0.1, 3.0, 9.0]], dtype=lib.float64)
        b = a.expand(2, 3).clone()
        version = b._version
        b.igamma_(x)                                  # float32 stays float32
        c = a.expand(2, 3).clone().igammac_(x)
        out = lib.empty(2, 3, dtype=lib.float64)
        result = lib.special.gammaincc(a, x, out=out)
        return [b, c, str(b.dtype).split(".")[-1], b._version - version, result is out, out]

    assert_same_as_torch(program, rtol=2e-6)
