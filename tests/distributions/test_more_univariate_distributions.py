"""Cauchy, HalfNormal, HalfCauchy, Gumbel, Weibull, Pareto, StudentT, Kumaraswamy and the
AbsTransform and PowerTransform they are built from, against torch.distributions.

Every deterministic quantity (log_prob, cdf, icdf, entropy, mean, mode, variance, stddev) is
compared with torch on drawn parameters and values of broadcasting shapes, in float64 and float32,
with the gradient of every parameter and value; so is log_prob after expand.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])

# StudentT's and Kumaraswamy's entropies have digamma terms, whose gradients are trigamma: torch computes
# trigamma to about 1e-9 relative only (see test_gamma.py), so float64 gradients get an absolute 2e-7 there.
# In float32 a parameter shared by a broadcast batch sums dozens of terms that cancel: about 1e-4 absolute.
GRAD_TOLERANCES = {np.float64: (1e-6, 2e-7), np.float32: (1e-4, 1e-4)}


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))


def _arrays(data, specs):
    """One array per (label, low, high), of mutually broadcasting shapes, elements in [low, high]."""
    shapes = data.draw(mst.mutually_broadcastable_shapes(len(specs), max_dims=3, max_side=3), label="shapes")
    return [data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)
            for shape, (label, low, high) in zip(shapes, specs)]


def _with_cdf(d, value, p):
    """The quantities of a family with a cdf and an icdf."""
    return (d.log_prob(value), d.cdf(value), d.icdf(p), d.entropy(), d.mean, d.mode, d.variance, d.stddev,
            list(d.batch_shape), _expanded_to(d, value).log_prob(value))


# name: (parameter specs, how to build it, the value's spec): values drawn inside the support
FAMILIES = {
    "Cauchy": ([("loc", -2, 2), ("scale", 0.2, 3)], lambda d, loc, scale: d.Cauchy(loc, scale), ("value", -6, 6)),
    "HalfNormal": ([("scale", 0.2, 3)], lambda d, scale: d.HalfNormal(scale), ("value", 0, 6)),
    "HalfCauchy": ([("scale", 0.2, 3)], lambda d, scale: d.HalfCauchy(scale), ("value", 0, 6)),
    "Weibull": ([("scale", 0.3, 3), ("concentration", 0.5, 4)], lambda d, scale, k: d.Weibull(scale, k),
                ("value", 0.05, 5)),
}


@settings(max_examples=30)
@given(data=st.data(), family=st.sampled_from(sorted(FAMILIES)), dtype=DTYPES)
def test_families_with_cdf_against_torch(data, family, dtype):
    specs, build, value_spec = FAMILIES[family]
    arrays = _arrays(data, specs + [value_spec, ("p", 0.02, 0.98)])

    def quantities(lib, *arrays):
        *params, value, p = arrays
        return _with_cdf(build(lib.distributions, *params), value, p)

    check_parity(data, quantities, arrays, dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_gumbel(data, dtype):
    """Values within 4 scales of loc: further out, the uniform draw behind the cdf leaves
    [tiny, 1 - eps] in float32 and both libraries reject it."""
    loc, scale, t, p = _arrays(data, [("loc", -2, 2), ("scale", 0.3, 3), ("t", -4, 4), ("p", 0.02, 0.98)])
    value = np.asarray(loc + scale * t)

    def quantities(lib, loc, scale, value, p):
        return _with_cdf(lib.distributions.Gumbel(loc, scale), value, p)

    check_parity(data, quantities, [loc, scale, value, p], dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_pareto(data, dtype):
    """alpha on both sides of 1 and 2, where the mean and the variance become infinite; values above the scale."""
    scale, alpha, t, p = _arrays(data, [("scale", 0.3, 3), ("alpha", 0.5, 4), ("t", 0, 3), ("p", 0.02, 0.98)])
    value = np.asarray(scale * (1 + t))

    def quantities(lib, scale, alpha, value, p):
        d = lib.distributions.Pareto(scale, alpha)
        return (*_with_cdf(d, value, p), d.support.check(value), d.support.check(0.9 * value))

    check_parity(data, quantities, [scale, alpha, value, p], dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES)
def test_student_t(data, dtype):
    """df on both sides of 1 and 2, where the mean is undefined and the variance infinite."""
    arrays = _arrays(data, [("df", 0.5, 5), ("loc", -2, 2), ("scale", 0.2, 3), ("value", -6, 6)])

    def quantities(lib, df, loc, scale, value):
        d = lib.distributions.StudentT(df, loc, scale)
        return (d.log_prob(value), d.entropy(), d.mean, d.mode, d.variance, list(d.batch_shape),
                _expanded_to(d, value).log_prob(value), lib.distributions.StudentT(df).log_prob(value))

    check_parity(data, quantities, arrays, dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES)
def test_kumaraswamy(data, dtype):
    """Everything but the mode (see test_kumaraswamy_mode_maximises_the_density)."""
    arrays = _arrays(data, [("a", 0.3, 4), ("b", 0.3, 4), ("value", 0.02, 0.98), ("p", 0.02, 0.98)])

    def quantities(lib, a, b, value, p):
        d = lib.distributions.Kumaraswamy(a, b)
        return (d.log_prob(value), d.cdf(value), d.icdf(p), d.entropy(), d.mean, d.variance, list(d.batch_shape),
                _expanded_to(d, value).log_prob(value))

    check_parity(data, quantities, arrays, dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES)
def test_kumaraswamy_mode_maximises_the_density(data, dtype):
    """torch's Kumaraswamy.mode is nan everywhere (its formula takes the log of 1 - b < 0), so the
    oracle is the definition: for a, b > 1 the density is lower a little to either side of the mode
    (and the mode is inside (0, 1)); for a < 1 or b < 1 the mode is nan, as in torch."""
    import minigrad

    a, b = _arrays(data, [("a", 1.2, 5), ("b", 1.2, 5)])
    d = minigrad.distributions.Kumaraswamy(minigrad.tensor(a, dtype=dtype), minigrad.tensor(b, dtype=dtype))
    mode = d.mode.double()
    assert d.mode.dtype == d.concentration1.dtype and bool(((mode > 0) & (mode < 1)).all())
    exact = minigrad.distributions.Kumaraswamy(minigrad.tensor(a), minigrad.tensor(b))
    at_mode = exact.log_prob(mode)
    for step in (-1e-3, 1e-3):
        assert bool((exact.log_prob(mode + step) < at_mode).all())
    low = minigrad.distributions.Kumaraswamy(minigrad.tensor([0.5, 2.0, 0.7]), minigrad.tensor([2.0, 0.5, 0.7]))
    assert bool(low.mode.isnan().all())


def test_kumaraswamy_mode_gradient():
    """d mode / da and d mode / db against central differences of the mode; no nan from the
    masked members (a < 1)."""
    import minigrad

    a = minigrad.tensor([2.0, 3.5, 0.5], requires_grad=True, dtype=minigrad.float64)
    b = minigrad.tensor([1.5, 4.0, 2.0], requires_grad=True, dtype=minigrad.float64)
    minigrad.distributions.Kumaraswamy(a, b).mode[:2].sum().backward()

    def mode(a, b):
        return ((a - 1) / (a * b - 1)) ** (1 / a)

    h = 1e-6
    an, bn = a.detach().numpy()[:2], b.detach().numpy()[:2]
    np.testing.assert_allclose(a.grad.numpy()[:2], (mode(an + h, bn) - mode(an - h, bn)) / (2 * h), rtol=1e-7)
    np.testing.assert_allclose(b.grad.numpy()[:2], (mode(an, bn + h) - mode(an, bn - h)) / (2 * h), rtol=1e-7)
    assert a.grad.numpy()[2] == 0 and b.grad.numpy()[2] == 0


@settings(max_examples=20)
@given(data=st.data(), name=st.sampled_from(["Abs", "Power", "PowerNegative"]), dtype=DTYPES)
def test_abs_and_power_transforms(data, name, dtype):
    """Forward, inverse and (for PowerTransform) the log Jacobians both ways, with gradients."""
    x = data.draw(mst.arrays("float64", mst.shapes(max_dims=2, max_side=3), elements=mst.reals(-3, 3)), label="x")
    exponent = data.draw(mst.arrays("float64", x.shape[-1:], elements=mst.reals(0.3, 3)), label="exponent")
    if name != "Abs":
        x = np.asarray(np.abs(x) + 0.1)  # PowerTransform's domain is the positive numbers
    if name == "PowerNegative":
        exponent = np.asarray(-exponent)

    def quantities(lib, x, exponent):
        d = lib.distributions
        if name == "Abs":
            transform = d.AbsTransform()
            y = transform(x)
            return (y, transform.inv(y), repr(transform.domain), repr(transform.codomain), transform.bijective)
        transform = d.PowerTransform(exponent)
        y = transform(x)
        return (y, transform.inv(y), transform.log_abs_det_jacobian(x, y), transform.inv.log_abs_det_jacobian(y, x),
                transform.sign, repr(transform.domain), repr(transform.codomain), transform.bijective,
                list(transform.forward_shape((2, 1))), list(transform.inv.forward_shape((1,))))

    check_parity(data, quantities, [x, exponent], dtype=dtype)


def test_transform_equality_caching_and_reprs():
    def program(lib):
        d = lib.distributions
        power = d.PowerTransform(lib.tensor([2.0, 0.5]))
        cached = d.PowerTransform(lib.tensor(3.0), cache_size=1)
        x = lib.tensor([0.5, 2.0])
        y = cached(x)
        return [d.AbsTransform() == d.AbsTransform(), d.AbsTransform() == d.ExpTransform(),
                power == d.PowerTransform(lib.tensor([2.0, 0.5])), power == d.PowerTransform(lib.tensor([2.0, 1.0])),
                power == d.AbsTransform(), d.PowerTransform(2.0) == d.PowerTransform(2.0), cached.inv(y) is x,
                cached(x) is y, power.with_cache(1).inv(power.with_cache(1)(x)) is not None,
                type(power.with_cache(1)).__name__, power.with_cache(0) is power, repr(d.AbsTransform()),
                repr(power), repr(power.inv), d.PowerTransform(2.0).exponent, d.PowerTransform(2.0).event_dim]

    assert_same_as_torch(program)


ERRORS = {
    "Cauchy: zero scale": lambda lib: lib.distributions.Cauchy(lib.zeros(2), lib.tensor([1.0, 0.0])),
    "HalfNormal: negative scale": lambda lib: lib.distributions.HalfNormal(lib.tensor([1.0, -1.0])),
    "HalfNormal: negative value": lambda lib: lib.distributions.HalfNormal(1.0).log_prob(lib.tensor([1.0, -1.0])),
    "HalfCauchy: negative value": lambda lib: lib.distributions.HalfCauchy(lib.ones(2)).cdf(lib.tensor([-1.0, 1.0])),
    "Gumbel: negative scale": lambda lib: lib.distributions.Gumbel(lib.zeros(2), lib.tensor([1.0, -1.0])),
    "Gumbel: a value whose cdf underflows": lambda lib: lib.distributions.Gumbel(lib.zeros(1), lib.ones(1)).cdf(
        lib.tensor([-10.0])),
    "Weibull: negative concentration": lambda lib: lib.distributions.Weibull(lib.ones(2), lib.tensor([1.0, -2.0])),
    "Weibull: zero value": lambda lib: lib.distributions.Weibull(1.0, 1.0).log_prob(lib.tensor([0.0])),
    "Pareto: negative alpha": lambda lib: lib.distributions.Pareto(lib.ones(2), lib.tensor([-1.0, 2.0])),
    "Pareto: below the scale": lambda lib: lib.distributions.Pareto(lib.tensor([2.0]), 3.0).log_prob(
        lib.tensor([1.0])),
    "StudentT: zero df": lambda lib: lib.distributions.StudentT(lib.tensor([0.0, 1.0])),
    "StudentT: negative scale": lambda lib: lib.distributions.StudentT(1.0, 0.0, lib.tensor([-1.0])),
    "Kumaraswamy: negative concentration": lambda lib: lib.distributions.Kumaraswamy(lib.tensor([-1.0]), 1.0),
    "Kumaraswamy: value above 1": lambda lib: lib.distributions.Kumaraswamy(2.0, 2.0).log_prob(lib.tensor([1.5])),
    "Kumaraswamy: value not a tensor": lambda lib: lib.distributions.Kumaraswamy(2.0, 2.0).log_prob(0.5),
    "AbsTransform has no log Jacobian": lambda lib: lib.distributions.AbsTransform().log_abs_det_jacobian(
        lib.ones(1), lib.ones(1)),
    "AbsTransform has no sign": lambda lib: lib.distributions.AbsTransform().sign,
    "PowerTransform of a string": lambda lib: lib.distributions.PowerTransform("2"),
}


# the same exception type, but a message of minigrad's own: torch names __torch_function__ where minigrad
# names the types it got
OWN_MESSAGES = {"PowerTransform of a string": ["Number or Tensor", "['str']"]}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    if name in OWN_MESSAGES:
        assert all(part in str(mine) for part in OWN_MESSAGES[name]), str(mine)
    else:
        assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_reprs_supports_and_flags():
    def program(lib):
        d = lib.distributions
        made = [d.Cauchy(0.0, 1.0), d.HalfNormal(2.0), d.HalfCauchy(lib.ones(2)), d.Gumbel(0.0, 1.0),
                d.Weibull(1.0, 2.0), d.Pareto(1.0, 2.0), d.StudentT(3.0), d.Kumaraswamy(2.0, 3.0)]
        return ([repr(m).replace(lib.__name__, "lib") for m in made] + [m.has_rsample for m in made]
                + [repr(type(m).support) for m in made if type(m) is not d.Pareto]
                + [type(m.base_dist).__name__ for m in made if isinstance(m, d.TransformedDistribution)]
                + [[type(t).__name__ for t in m.transforms] for m in made if isinstance(m, d.TransformedDistribution)]
                + [list(m.batch_shape) for m in made] + [list(m.expand((3,)).batch_shape) for m in made]
                + [type(m.expand((3,))).__name__ for m in made] + [d.Pareto.support.event_dim,
                                                                   d.Pareto.support.is_discrete])

    assert_same_as_torch(program)
