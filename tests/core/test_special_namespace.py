"""minigrad.special against torch.special in the same test.

The functions that are other names for minigrad's own (gammaln, psi, expit, ...) are run under
their torch.special names; the special primitives (erfcx, ndtr, ndtri, log_ndtr, i0e, i1, i1e,
entr, xlog1py, zeta, logit) are compared in value and gradient, in float64 at a tight tolerance
over wide ranges, and at their edges (inf, nan, the ends of their domains).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

# name -> the values it is drawn from (elementwise functions of one tensor)
_UNARY = {
    "erfcx": mst.reals(-5, 30), "ndtr": mst.reals(-8, 8), "log_ndtr": mst.reals(-30, 8),
    "ndtri": mst.reals(0.001, 0.999), "i0e": mst.reals(-40, 40), "i1": mst.reals(-40, 40),
    "i1e": mst.reals(-40, 40), "entr": mst.reals(0.01, 5), "logit": mst.reals(0.01, 0.99),
    "expit": mst.reals(), "erf": mst.reals(), "erfc": mst.reals(), "erfinv": mst.reals(-0.9, 0.9),
    "gammaln": mst.reals(0.1, 20), "digamma": mst.reals(0.1, 20), "psi": mst.reals(0.1, 20),
    "i0": mst.reals(-20, 20), "sinc": mst.reals(), "log1p": mst.reals(-0.9, 3), "expm1": mst.reals(),
    "exp2": mst.reals(), "round": mst.reals(),
}

cases = Cases()


@cases.add
def unary(draw):
    name = draw(st.sampled_from(sorted(_UNARY)))
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=_UNARY[name]))
    return (lambda lib, a: getattr(lib.special, name)(a)), [x]


@cases.add
def logit_with_eps(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=mst.reals(0.01, 0.99)))
    eps = draw(st.sampled_from([0.05, 0.3]))
    return (lambda lib, a: lib.special.logit(a, eps=eps)), [x]


@cases.add
def along_a_dim(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    name = draw(st.sampled_from(["softmax", "log_softmax", "logsumexp"]))
    return (lambda lib, a: getattr(lib.special, name)(a, dim)), [x]


@cases.add
def gamma_family(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=mst.reals(1.6, 10)))
    n = draw(st.integers(0, 3))
    return (lambda lib, a: lib.special.polygamma(n, a) + lib.special.multigammaln(a, 3)), [x]


@cases.add
def binary(draw):
    shape_x, shape_y = draw(mst.broadcastable_pairs(max_dims=3))
    name = draw(st.sampled_from(["xlogy", "xlog1py"]))
    x = draw(mst.arrays("float64", shape_x, elements=mst.reals(-3, 3) | st.just(0.0)))
    y = draw(mst.arrays("float64", shape_y, elements=mst.reals(0.1, 5)))
    return (lambda lib, a, b: getattr(lib.special, name)(a, b)), [x, y]


@cases.add
def zeta(draw):
    """The gradient in q only: torch defines none in x."""
    shape_x, shape_q = draw(mst.broadcastable_pairs(max_dims=2))
    x = draw(mst.arrays("float64", shape_x, elements=mst.reals(1.5, 12)))
    q = draw(mst.arrays("float64", shape_q, elements=mst.reals(0.2, 20)))
    return (lambda lib, a, b: lib.special.zeta(a, b)), [x, q], [False, True]


@cases.add
def with_a_number(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=mst.reals(0.5, 5)))
    name, first = draw(st.sampled_from([("xlog1py", 2.5), ("xlogy", 2.5), ("zeta", 3.0)]))
    number_first = draw(st.booleans())
    if name == "zeta" and not number_first:  # (no gradient in x)
        return (lambda lib, a: lib.special.zeta(a + 1, 2.0)), [x], [False]
    return (lambda lib, a: getattr(lib.special, name)(first, a) if number_first
            else getattr(lib.special, name)(a, first)), [x]


test_parity = cases.test(max_examples=10)


# ---------------------------------------------------------------- accuracy in float64
_WIDE = {
    "erfcx": mst.reals(-25, 1e3) | st.floats(1e3, 1e300), "log_ndtr": mst.reals(-1e3, 30) | st.floats(-1e150, -1e3),
    "ndtri": mst.reals(0, 1) | st.floats(1e-300, 1e-3) | st.floats(1e-16, 1e-3).map(lambda e: 1 - e),
    "i0e": mst.reals(-1e4, 1e4), "i1": mst.reals(-700, 700), "i1e": mst.reals(-1e4, 1e4),
    "entr": st.floats(1e-300, 1e300),
}


@settings(max_examples=8)
@given(data=st.data(), name=st.sampled_from(sorted(_WIDE)))
def test_values_agree_with_torch_to_double_precision(data, name):
    """Each library is within about 1e-13 of the true value, so the two may differ by twice that:
    log_ndtr(24) is -1.39039211854970306e-127, minigrad's is 5.7e-14 above it and torch's 7e-14 below."""
    x = data.draw(mst.arrays("float64", (64,), elements=_WIDE[name]), label="x")
    _assert_as_torch_to_double_precision(name, x)


def test_log_ndtr_where_both_libraries_round_away_from_the_true_value_on_either_side():
    _assert_as_torch_to_double_precision("log_ndtr", np.array([24.0]))


def _assert_as_torch_to_double_precision(name, x):
    ours, theirs = getattr(minigrad.special, name)(minigrad.tensor(x)), getattr(torch.special, name)(torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-13, atol=0, err_msg=name)


@settings(max_examples=10)
@given(x=mst.arrays("float64", (32,), elements=mst.reals(1.01, 60) | st.integers(2, 9).map(float)),
       q=mst.arrays("float64", (32,), elements=mst.reals(1e-3, 100) | st.floats(100, 1e8)
                    | st.builds(lambda n, f: n + f, st.integers(-20, -1), st.floats(0.05, 0.95))))
def test_zeta_agrees_with_torch_to_double_precision(x, q):
    """Negative q only where x is a whole number (elsewhere zeta is nan there, in both)."""
    ours, theirs = minigrad.special.zeta(minigrad.tensor(x), minigrad.tensor(q)), torch.special.zeta(
        torch.tensor(x), torch.tensor(q))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-11, atol=1e-300)


# ---------------------------------------------------------------- edges, dtypes, errors
_EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1.9999, -40.0, 40.0, 1e-300, 1e300, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["erfcx", "ndtr", "log_ndtr", "ndtri", "i0e", "i1", "i1e", "entr", "logit",
                                  "expit"])
def test_edges_are_torch_s(name, dtype):
    """inf, nan, signed zeros and the ends of each domain, in value and in gradient."""
    with np.errstate(over="ignore"):  # (1e300 is inf in float32)
        edges = _EDGES.astype(dtype)

    def run(lib):
        x = lib.tensor(edges, requires_grad=True)
        y = getattr(lib.special, name)(x)
        y.backward(lib.ones_like(y))
        return y, x.grad

    (ours, our_grad), (theirs, their_grad) = run(minigrad), run(torch)
    assert_close(ours, theirs, what=name)
    assert_close(our_grad, their_grad, what=f"gradient of {name}")
    assert ours.grad_fn.name() == theirs.grad_fn.name() or name == "ndtr"  # (torch's composite ends in mul.Scalar)
    ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    numbers = ~np.isnan(theirs)
    assert np.array_equal(np.signbit(ours[numbers]), np.signbit(theirs[numbers])), "the signs of zeros and infinities"


@pytest.mark.parametrize("x, q", [
    ([1.0, 0.5, 2.0, 2.0, 2.5, 2.0, 2.0, 3.0, np.nan, 2.0], [1.0, 1.0, 0.0, -2.5, -2.5, np.inf, -np.inf, -3.5, 1.0, np.nan]),
])
def test_zeta_edges_are_torch_s(x, q):
    assert_close(minigrad.special.zeta(minigrad.tensor(x), minigrad.tensor(q)),
                 torch.special.zeta(torch.tensor(x), torch.tensor(q)))


@pytest.mark.parametrize("dtype", ["int64", "bool", "float32"])
@pytest.mark.parametrize("name", ["erfcx", "ndtr", "ndtri", "log_ndtr", "i0e", "i1", "i1e", "entr", "expit",
                                  "gammaln"])
def test_integer_and_bool_inputs_promote_as_torch_s(name, dtype):
    x = np.array([1, 0, 3]).astype(dtype)
    assert_close(getattr(minigrad.special, name)(minigrad.tensor(x)), getattr(torch.special, name)(torch.tensor(x)))


@pytest.mark.parametrize("name", ["xlog1py", "zeta"])
def test_binary_dtypes(name):
    for x, y in [([2, 3], [1, 2]), ([2.0, 3.0], [1, 2]), ([2, 3], 2), (np.float32([2, 3]), np.float64([1, 2]))]:
        ours = getattr(minigrad.special, name)(minigrad.tensor(x), y if np.isscalar(y) else minigrad.tensor(y))
        theirs = getattr(torch.special, name)(torch.tensor(x), y if np.isscalar(y) else torch.tensor(y))
        assert_close(ours, theirs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.special.zeta(lib.tensor([2.0], requires_grad=True), lib.tensor([1.5])).sum().backward(),
    lambda lib: lib.special.zeta(2.0, 3.0),
    lambda lib: lib.special.xlog1py(lib.ones(2), lib.ones(3)),
    lambda lib: lib.special.polygamma(-1, lib.ones(2)),
    lambda lib: lib.special.multigammaln(lib.ones(2), 0),
    lambda lib: lib.special.erfcx(1.0),
])
def test_errors_are_torch_s(call):
    """The exception type is torch's; the messages say the same thing, in minigrad's words where
    torch lists its overloads or names its kernel (special_zeta)."""
    assert_raises_like_torch(call)


def test_zeta_s_missing_derivative_is_named_as_in_torch():
    assert_raises_like_torch(lambda lib: lib.special.zeta(lib.tensor([2.0], requires_grad=True), lib.tensor([1.5]))
                             .sum().backward(), same_message=True)


def test_every_name_is_torch_special_s_and_takes_out():
    for name in minigrad.special.__all__:
        assert hasattr(torch.special, name), name
    out = minigrad.empty(2)
    assert minigrad.special.i1(minigrad.tensor([0.5, 2.0]), out=out) is out
    assert_close(out, torch.special.i1(torch.tensor([0.5, 2.0])))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.special.xlog1py(x, x), lambda lib, x: lib.special.xlog1py(2.0, x),
    lambda lib, x: lib.special.xlog1py(x, 2), lambda lib, x: lib.special.zeta(x + 1, x),
    lambda lib, x: lib.special.zeta(3.0, x), lambda lib, x: lib.special.zeta(x + 1, 2.0),
    lambda lib, x: lib.special.erfcx(x), lambda lib, x: lib.special.ndtri(x), lambda lib, x: lib.special.log_ndtr(x),
    lambda lib, x: lib.special.i0e(x), lambda lib, x: lib.special.i1(x), lambda lib, x: lib.special.i1e(x),
    lambda lib, x: lib.special.entr(x), lambda lib, x: lib.special.logit(x), lambda lib, x: lib.special.expit(x),
    lambda lib, x: lib.special.psi(x), lambda lib, x: lib.special.gammaln(x),
    lambda lib, x: lib.special.multigammaln(x + 1, 2),
])
def test_grad_fn_names_are_torch_s(call):
    names = [call(lib, lib.tensor([0.25, 0.5], requires_grad=True)).grad_fn.name() for lib in (minigrad, torch)]
    assert names[0] == names[1]
