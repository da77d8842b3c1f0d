"""InverseGamma, FisherSnedecor, LogisticNormal and GeneralizedPareto against torch.distributions.

Every deterministic quantity (log_prob, cdf, icdf, survival, entropy, mean, mode, variance, the
support, after expand too) is compared with torch on drawn parameters and values of broadcasting
shapes, in float64 and float32, with the gradient of every parameter and value. Draws (minigrad's
random stream is not torch's) are checked by shape, support, seeding and the statistics of many
of them, within 5 standard errors derived from the distribution's moments or cdf; LogisticNormal's
rsample gradient is compared with torch's given the same normal noise.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])
N = 20000

# digamma's gradient is trigamma, which torch computes to about 1e-9 relative (see test_gamma.py); in
# float32 a parameter shared by a broadcast batch sums terms that cancel
GRAD_TOLERANCES = {np.float64: (1e-6, 2e-7), np.float32: (1e-4, 1e-4)}


def _arrays(data, specs):
    """One array per (label, low, high), of mutually broadcasting shapes, elements in [low, high]."""
    shapes = data.draw(mst.mutually_broadcastable_shapes(len(specs), max_dims=2, max_side=3), label="shapes")
    return [data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)
            for shape, (label, low, high) in zip(shapes, specs)]


def _expanded(d, value):
    """d expanded to a batch wider than both its own and value's (an extra axis of 2 in front)."""
    value_batch = tuple(value.shape[:value.dim() - len(d.event_shape)])
    return d.expand((2,) + tuple(np.broadcast_shapes(tuple(d.batch_shape), value_batch)))


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_inverse_gamma(data, dtype):
    """alpha on both sides of 1 and 2, where the mean and the variance become infinite. The cdf (the
    gamma's upper incomplete gamma function) has no gradient in alpha, in either library: it is
    taken of a detached alpha."""
    arrays = _arrays(data, [("concentration", 0.5, 4), ("rate", 0.3, 3), ("value", 0.1, 5)])

    def quantities(lib, alpha, beta, value):
        d = lib.distributions.InverseGamma(alpha, beta)
        cdf = lib.distributions.InverseGamma(alpha.detach(), beta).cdf(value)
        return (d.log_prob(value), cdf, d.entropy(), d.mean, d.mode, d.variance, list(d.batch_shape),
                _expanded(d, value).log_prob(value), repr(d), repr(d.support), d.has_rsample)

    check_parity(data, quantities, arrays, dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_fisher_snedecor(data, dtype):
    """df1 on both sides of 2 (the mode), df2 on both sides of 2 and 4 (the mean, the variance): nan there."""
    arrays = _arrays(data, [("df1", 0.5, 7), ("df2", 0.5, 7), ("value", 0.05, 5)])

    def quantities(lib, df1, df2, value):
        d = lib.distributions.FisherSnedecor(df1, df2)
        return (d.log_prob(value), d.mean, d.mode, d.variance, list(d.batch_shape),
                _expanded(d, value).log_prob(value), repr(d.support), d.has_rsample)

    check_parity(data, quantities, arrays, dtype=dtype)


@settings(max_examples=12)
@given(data=st.data(), dtype=DTYPES, size=st.integers(1, 3))
def test_logistic_normal(data, dtype, size):
    """size normals broken onto the simplex of size + 1 entries; a loc and a scale with no axes give one normal."""
    batch = data.draw(mst.shapes(max_dims=2, max_side=3), label="batch")
    loc = data.draw(mst.arrays("float64", batch + (size,), elements=mst.reals(-1.5, 1.5)), label="loc")
    scale = data.draw(mst.arrays("float64", (size,), elements=mst.reals(0.3, 2)), label="scale")
    positive = data.draw(mst.arrays("float64", batch + (size + 1,), elements=mst.reals(0.05, 1)), label="positive")
    value = np.asarray(positive / positive.sum(-1, keepdims=True))

    def quantities(lib, loc, scale, value):
        d = lib.distributions
        logistic = d.LogisticNormal(loc, scale)
        one = d.LogisticNormal(lib.tensor(0.3, dtype=value.dtype), 1.5)
        pair = value[..., :2] / value[..., :2].sum(-1, keepdim=True)
        return (logistic.log_prob(value), logistic.loc, logistic.scale, list(logistic.batch_shape),
                list(logistic.event_shape), _expanded(logistic, value).log_prob(value), one.log_prob(pair),
                list(one.batch_shape), list(one.event_shape), list(logistic.sample((2,)).shape), repr(logistic),
                repr(logistic.support), logistic.has_rsample)

    check_parity(data, quantities, [loc, scale, value], dtype=dtype)


@settings(max_examples=10)
@given(data=st.data(), dtype=DTYPES, seed=st.integers(0, 100))
def test_logistic_normal_rsample_gradient_given_the_same_noise(data, dtype, seed):
    """minigrad's rsample, and torch's LogisticNormal pushing the same standard normal noise (read back
    from minigrad's draw) through its own transforms: the same draws, the same gradients of loc and scale."""
    loc = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-1, 1)), label="loc")
    scale = data.draw(mst.arrays("float64", (3,), elements=mst.reals(0.3, 1.5)), label="scale")
    weights = data.draw(mst.arrays("float64", (4, 2, 4), elements=mst.reals(-1, 1)), label="weights")
    mine = [minigrad.tensor(a, dtype=dtype, requires_grad=True) for a in (loc, scale)]
    minigrad.manual_seed(seed)
    drawn = minigrad.distributions.LogisticNormal(*mine).rsample((4,))
    (drawn * minigrad.tensor(weights, dtype=dtype)).sum().backward()
    noise = ((minigrad.distributions.StickBreakingTransform().inv(drawn) - mine[0]) / mine[1]).detach().numpy()

    theirs = [torch.tensor(a, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True) for a in (loc, scale)]
    reference = torch.distributions.LogisticNormal(*theirs)
    pushed = reference.transforms[0](reference.loc + reference.scale * torch.from_numpy(noise))
    (pushed * torch.tensor(weights, dtype=pushed.dtype)).sum().backward()
    tolerance = 1e-9 if dtype == np.float64 else 2e-4
    for ours, reference_tensor in zip([drawn] + [m.grad for m in mine], [pushed] + [t.grad for t in theirs]):
        np.testing.assert_allclose(ours.detach().numpy(), reference_tensor.detach().numpy(), rtol=tolerance,
                                   atol=tolerance)


class _torch_default_dtype:
    """torch's default dtype set for a block and restored after: torch's GeneralizedPareto compares
    its concentration with torch.tensor(0.0), of the default dtype, and raises for float64
    parameters otherwise."""

    def __init__(self, dtype):
        self.dtype = torch.float64 if dtype == np.float64 else torch.float32

    def __enter__(self):
        self.saved = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.saved)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES)
def test_generalized_pareto(data, dtype):
    """xi negative (a bounded support), 0 (exponential), positive; xi on both sides of 1/2 and 1, where
    the variance and the mean become nan; values inside the support, from the quantile function."""
    loc, scale, concentration, u, p = _arrays(
        data, [("loc", -1, 1), ("scale", 0.3, 3), ("concentration", -0.8, 1.5), ("u", 0.02, 0.98), ("p", 0.02, 0.98)])
    if dtype == np.float32:
        # Near 0 but not at it, the cdf's log1p(xi z) / xi has a gradient in xi that is the difference of
        # two terms about z / xi in size: at xi = 1e-7 float32 leaves only noise (torch's 0, minigrad's
        # 0.06, where it is -0.005). float64 keeps xi that small.
        concentration = np.where(np.abs(concentration) < 0.2, np.copysign(0.2, concentration), concentration)
    concentration = np.where(data.draw(mst.arrays("bool", concentration.shape), label="xi is 0"), 0.0, concentration)
    xi_safe = np.where(concentration == 0, 1.0, concentration)
    value = np.asarray(loc + np.where(concentration == 0, -scale * np.log1p(-u),
                                      scale / xi_safe * np.expm1(-xi_safe * np.log1p(-u))))

    def quantities(lib, loc, scale, concentration, value, p):
        d = lib.distributions.GeneralizedPareto(loc, scale, concentration)
        return (d.log_prob(value), d.cdf(value), d.log_cdf(value), d.log_survival_function(value), d.icdf(p),
                d.entropy(), d.mean, d.mode, d.variance, list(d.batch_shape), _expanded(d, value).log_prob(value),
                d.support.check(value), d.support.check(value - 0.1), d.has_rsample)

    with _torch_default_dtype(dtype):
        check_parity(data, quantities, [loc, scale, concentration, value, p], dtype=dtype)


def test_numbers_as_parameters_and_constraints():
    def program(lib):
        d = lib.distributions
        families = [d.InverseGamma(2.0, 3.0), d.FisherSnedecor(3.0, 5.0), d.LogisticNormal(0.5, 2.0),
                    d.GeneralizedPareto(0.0, 1.0, 0.5)]
        return [[repr(f), list(f.batch_shape), list(f.event_shape), repr(f.arg_constraints), f.has_rsample,
                 f.rsample().dtype == lib.float32, type(f).support is f.support if not isinstance(
                     f, d.GeneralizedPareto) else repr(type(f).support)] for f in families]

    assert_same_as_torch(program)


# ------------------------------------------------------------------ draws
def _five_standard_errors(draws, mean, variance):
    return abs(draws.mean() - mean) < 5 * math.sqrt(variance / len(draws))


def test_inverse_gamma_draws():
    """alpha = 6, beta = 2: mean beta / (alpha - 1), variance beta^2 / ((alpha - 1)^2 (alpha - 2)); the fraction
    of draws below the median-ish point 0.35 is the cdf there, within 5 standard errors of a proportion."""
    alpha, beta = 6.0, 2.0
    d = minigrad.distributions.InverseGamma(minigrad.tensor(alpha, dtype=minigrad.float64), beta)
    minigrad.manual_seed(0)
    draws = d.sample((N,)).numpy()
    assert _five_standard_errors(draws, beta / (alpha - 1), beta ** 2 / ((alpha - 1) ** 2 * (alpha - 2)))
    below = d.cdf(minigrad.tensor(0.35, dtype=minigrad.float64)).item()
    assert abs((draws <= 0.35).mean() - below) < 5 * math.sqrt(below * (1 - below) / N)


def test_fisher_snedecor_draws():
    """df1 = 5, df2 = 12: the mean d2 / (d2 - 2) within 5 standard errors of the variance."""
    d = minigrad.distributions.FisherSnedecor(minigrad.tensor([5.0], dtype=minigrad.float64), 12.0)
    minigrad.manual_seed(0)
    draws = d.sample((N,)).numpy()[:, 0]
    assert _five_standard_errors(draws, d.mean.item(), d.variance.item())


def test_logistic_normal_draws():
    """The first coordinate of the normal behind each draw, log(y_0 / (1 - y_0)) + log K, is N(loc_0, scale_0)."""
    d = minigrad.distributions.LogisticNormal(minigrad.tensor([0.5, -1.0, 0.3], dtype=minigrad.float64),
                                              minigrad.tensor([1.5, 0.5, 1.0], dtype=minigrad.float64))
    minigrad.manual_seed(0)
    draws = d.sample((N,)).numpy()
    assert np.allclose(draws.sum(-1), 1.0) and (draws > 0).all()
    first = np.log(draws[:, 0] / (1 - draws[:, 0])) + math.log(3)
    assert _five_standard_errors(first, 0.5, 1.5 ** 2)


@pytest.mark.parametrize("concentration", [-0.4, 0.0, 0.3])
def test_generalized_pareto_draws(concentration):
    """The fraction of draws below each quartile (from icdf) is the cdf there, within 5 standard errors."""
    d = minigrad.distributions.GeneralizedPareto(minigrad.tensor(0.5, dtype=minigrad.float64), 2.0, concentration)
    minigrad.manual_seed(0)
    draws = d.sample((N,)).numpy()
    assert d.support.check(minigrad.tensor(draws)).all()
    points = d.icdf(minigrad.tensor([0.25, 0.5, 0.75], dtype=minigrad.float64))
    expected = d.cdf(points).numpy()
    observed = (draws[:, None] <= points.numpy()).mean(0)
    assert np.all(np.abs(observed - expected) < 5 * np.sqrt(expected * (1 - expected) / N))


@pytest.mark.parametrize("name", ["InverseGamma", "FisherSnedecor", "LogisticNormal", "GeneralizedPareto"])
def test_draws_shapes_dtypes_seeding_and_gradients(name):
    """float32 parameters give float32 draws of sample_shape + batch_shape + event_shape, the same
    after the same seed; rsample passes a finite gradient back to every parameter."""
    d = minigrad.distributions
    params = [minigrad.tensor([1.5, 3.0], requires_grad=True), minigrad.tensor([2.0, 0.5], requires_grad=True)]
    build = {"InverseGamma": lambda: d.InverseGamma(*params), "FisherSnedecor": lambda: d.FisherSnedecor(*params),
             "LogisticNormal": lambda: d.LogisticNormal(*params),
             "GeneralizedPareto": lambda: d.GeneralizedPareto(params[0], params[1], -0.2)}[name]
    minigrad.manual_seed(3)
    first = build().rsample((4, 5))
    minigrad.manual_seed(3)
    second = build().rsample((4, 5))
    expected_shape = (4, 5) + ((3,) if name == "LogisticNormal" else (2,))
    assert tuple(first.shape) == expected_shape and first.dtype == minigrad.float32
    assert np.array_equal(first.detach().numpy(), second.detach().numpy())
    first.sum().backward()
    assert all(p.grad is not None and np.isfinite(p.grad.numpy()).all() for p in params)


def _d(lib):
    return lib.distributions


ERRORS = {
    "InverseGamma: a concentration not positive": lambda lib: _d(lib).InverseGamma(lib.tensor([1.0, 0.0]), 1.0),
    "InverseGamma: a negative value": lambda lib: _d(lib).InverseGamma(2.0, 1.0).log_prob(lib.tensor(-1.0)),
    "FisherSnedecor: df2 not positive": lambda lib: _d(lib).FisherSnedecor(lib.tensor(1.0), lib.tensor(-2.0)),
    "FisherSnedecor: a value not positive": lambda lib: _d(lib).FisherSnedecor(1.0, 2.0).log_prob(lib.tensor(0.0)),
    "LogisticNormal: a scale not positive": lambda lib: _d(lib).LogisticNormal(lib.zeros(2), lib.tensor([1.0, 0.0])),
    "LogisticNormal: a value off the simplex": lambda lib: _d(lib).LogisticNormal(lib.zeros(2), lib.ones(2)).log_prob(
        lib.tensor([0.5, 0.5, 0.5])),
    "LogisticNormal: the wrong event size": lambda lib: _d(lib).LogisticNormal(lib.zeros(2), lib.ones(2)).log_prob(
        lib.tensor([0.5, 0.5])),
    "GeneralizedPareto: a scale not positive": lambda lib: _d(lib).GeneralizedPareto(0.0, lib.tensor(-1.0), 0.1),
    "GeneralizedPareto: a value below loc": lambda lib: _d(lib).GeneralizedPareto(0.0, 1.0, 0.1).log_prob(
        lib.tensor(-0.5)),
    "GeneralizedPareto: a value above the bound": lambda lib: _d(lib).GeneralizedPareto(0.0, 1.0, -0.5).cdf(
        lib.tensor(2.5)),
    "GeneralizedPareto: a concentration that is nan": lambda lib: _d(lib).GeneralizedPareto(
        0.0, 1.0, lib.tensor(float("nan"))),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


NEW_FAMILIES = ["FisherSnedecor", "GeneralizedPareto", "InverseGamma", "LKJCholesky", "LogisticNormal", "VonMises",
                "Wishart"]


def test_kl_divergence_dispatches_as_in_torch():
    """For every pair of families with one of the new families in it, kl_divergence picks the rule
    torch picks (none for most; the transformed-distribution rule for InverseGamma and LogisticNormal,
    the exponential-family rule for Wishart)."""
    mine, theirs = minigrad.distributions, torch.distributions
    families = [name for name in theirs.__all__ if isinstance(getattr(theirs, name), type)
                and issubclass(getattr(theirs, name), theirs.Distribution)]
    assert set(NEW_FAMILIES) <= set(families)
    different = []
    for p in families:
        for q in families:
            if p in NEW_FAMILIES or q in NEW_FAMILIES:
                rule = theirs.kl._dispatch_kl(getattr(theirs, p), getattr(theirs, q))
                my_rule = mine.kl._dispatch_kl(getattr(mine, p), getattr(mine, q))
                if getattr(rule, "__name__", rule) != getattr(my_rule, "__name__", my_rule):
                    different.append((p, q))
    assert different == []


@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES)
def test_kl_divergence_of_transformed_families(data, dtype):
    """InverseGamma to InverseGamma (the gammas' divergence) and LogisticNormal to LogisticNormal (the normals')."""
    arrays = _arrays(data, [("p alpha", 0.5, 4), ("p beta", 0.3, 3), ("q alpha", 0.5, 4), ("q beta", 0.3, 3)])
    locs = [data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-1, 1)), label=label) for label in "pq"]
    scales = [data.draw(mst.arrays("float64", (3,), elements=mst.reals(0.3, 2)), label=label) for label in "pq"]

    def divergences(lib, p_alpha, p_beta, q_alpha, q_beta, p_loc, q_loc, p_scale, q_scale):
        d = lib.distributions
        return (d.kl_divergence(d.InverseGamma(p_alpha, p_beta), d.InverseGamma(q_alpha, q_beta)),
                d.kl_divergence(d.LogisticNormal(p_loc, p_scale), d.LogisticNormal(q_loc, q_scale)))

    check_parity(data, divergences, arrays + locs + scales, dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])
