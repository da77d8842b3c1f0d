"""Draws of Cauchy, HalfNormal, HalfCauchy, Gumbel, Weibull, Pareto, StudentT and Kumaraswamy:
shapes, dtypes, support, reproducibility, statistics of many draws, and the gradients rsample
passes back to the parameters.

minigrad's random stream is not torch's, so draws are checked against the distribution itself.
The fraction of N draws at or below x is a binomial proportion: it must lie within 5 standard
errors, sqrt(F (1 - F) / N), of F(x), the distribution's cdf (itself checked against torch).
StudentT, which has no cdf, is checked by its mean and variance, within 5 standard errors
computed from its moments.
"""

import math

import numpy as np
import pytest

import minigrad
from minigrad.distributions import Cauchy, Gumbel, HalfCauchy, HalfNormal, Kumaraswamy, Pareto, StudentT, Weibull

N = 20000

WITH_CDF = {
    "Cauchy": lambda: Cauchy(1.5, 2.0),
    "HalfNormal": lambda: HalfNormal(2.0),
    "HalfCauchy": lambda: HalfCauchy(0.7),
    "Gumbel": lambda: Gumbel(-1.0, 1.5),
    "Weibull": lambda: Weibull(2.0, 0.8),
    "Pareto": lambda: Pareto(1.5, 2.5),
    "Kumaraswamy": lambda: Kumaraswamy(0.6, 2.5),
}


@pytest.mark.parametrize("name", sorted(WITH_CDF))
def test_fraction_of_draws_below_each_quartile(name):
    """At the 5%, 25%, 50%, 75% and 95% quantiles x (from icdf), the fraction of draws <= x is F(x)."""
    d = WITH_CDF[name]()
    minigrad.manual_seed(0)
    draws = d.sample((N,)).double().numpy()
    quantiles = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    points = d.icdf(minigrad.tensor(quantiles, dtype=minigrad.float32))
    expected = d.cdf(points).double().numpy()
    observed = (draws[:, None] <= points.double().numpy()).mean(0)
    assert np.all(np.abs(observed - expected) < 5 * np.sqrt(expected * (1 - expected) / N))


def test_student_t_mean_and_variance_of_many_draws():
    """nu = 10: mean mu, variance sigma^2 nu / (nu - 2), fourth central moment 3 sigma^4 nu^2 / ((nu - 2)(nu - 4))."""
    nu, mu, sigma = 10.0, 0.5, 2.0
    minigrad.manual_seed(0)
    draws = StudentT(nu, mu, sigma).sample((N,)).double().numpy()
    variance = sigma ** 2 * nu / (nu - 2)
    fourth = 3 * sigma ** 4 * nu ** 2 / ((nu - 2) * (nu - 4))
    assert abs(draws.mean() - mu) < 5 * math.sqrt(variance / N)
    assert abs(draws.var() - variance) < 5 * math.sqrt((fourth - variance ** 2) / N)


def _all_families(dtype):
    t = lambda *values: minigrad.tensor(values, dtype=dtype)  # noqa: E731
    return {
        "Cauchy": Cauchy(t(0.0, 1.0, 2.0), t(1.0, 0.5, 2.0)),
        "HalfNormal": HalfNormal(t(1.0, 0.5, 2.0)),
        "HalfCauchy": HalfCauchy(t(1.0, 0.5, 2.0)),
        "Gumbel": Gumbel(t(0.0, 1.0, 2.0), t(1.0, 0.5, 2.0)),
        "Weibull": Weibull(t(1.0, 0.5, 2.0), t(0.3, 1.0, 5.0)),
        "Pareto": Pareto(t(1.0, 0.5, 2.0), t(0.3, 1.0, 5.0)),
        "StudentT": StudentT(t(0.3, 1.0, 30.0), t(0.0, 1.0, 2.0), t(1.0, 0.5, 2.0)),
        # not b much below 1 with a large a: then float32 draws round to 1 often, where the log density is nan
        # (as in torch, whose draws do the same)
        "Kumaraswamy": Kumaraswamy(t(0.3, 1.0, 5.0), t(5.0, 1.0, 0.8)),
    }


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@pytest.mark.parametrize("name", sorted(_all_families(minigrad.float64)))
def test_draws_have_the_shape_dtype_and_support(name, dtype):
    """sample_shape + batch_shape, the parameters' dtype, inside the support, with a finite log density."""
    d = _all_families(dtype)[name]
    for sample_shape in [(), (5,), (2, 4)]:
        draws = d.sample(sample_shape)
        assert tuple(draws.shape) == sample_shape + (3,)
        assert draws.dtype == dtype and not draws.requires_grad
    draws = d.sample((500,))
    assert bool(d.support.check(draws).all())
    assert bool(minigrad.isfinite(d.log_prob(draws)).all())


@pytest.mark.parametrize("name", sorted(_all_families(minigrad.float64)))
def test_draws_are_reproducible_under_manual_seed(name):
    d = _all_families(minigrad.float64)[name]
    minigrad.manual_seed(123)
    first = d.sample((4,)).numpy()
    minigrad.manual_seed(123)
    assert np.array_equal(d.sample((4,)).numpy(), first)
    assert not np.array_equal(d.sample((4,)).numpy(), first)


def _reparameterised(make, *params):
    """Draws x = rsample((200,)) of make(*params) and the gradients of x.sum() for each parameter."""
    leaves = [minigrad.tensor(p, dtype=minigrad.float64, requires_grad=True) for p in params]
    minigrad.manual_seed(7)
    x = make(*leaves).rsample((200,))
    assert x.requires_grad
    x.sum().backward()
    return x.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def test_location_scale_rsample_gradients():
    """x = mu + beta eps for Cauchy, Gumbel and StudentT (for fixed df): dx/dmu = 1, dx/dbeta = (x - mu) / beta."""
    loc, scale = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    for make in (Cauchy, Gumbel, lambda loc, scale: StudentT(4.0, loc, scale)):
        x, (d_loc, d_scale) = _reparameterised(make, loc, scale)
        np.testing.assert_allclose(d_loc, [200.0, 200.0], rtol=1e-12)
        np.testing.assert_allclose(d_scale, ((x - loc) / scale).sum(0), rtol=1e-9)


def test_half_distributions_rsample_gradients():
    """x = sigma |eps|: dx/dsigma = x / sigma."""
    scale = np.array([2.0, 0.3])
    for make in (HalfNormal, HalfCauchy):
        x, (d_scale,) = _reparameterised(make, scale)
        assert (x >= 0).all()
        np.testing.assert_allclose(d_scale, (x / scale).sum(0), rtol=1e-9)


def test_weibull_rsample_gradients():
    """x = lambda e^(1/k): dx/dlambda = x / lambda, dx/dk = -x log(e) / k^2 with e = (x / lambda)^k."""
    scale, k = np.array([2.0, 0.3]), np.array([0.7, 3.0])
    x, (d_scale, d_k) = _reparameterised(Weibull, scale, k)
    e = (x / scale) ** k
    np.testing.assert_allclose(d_scale, (x / scale).sum(0), rtol=1e-9)
    np.testing.assert_allclose(d_k, (-x * np.log(e) / k ** 2).sum(0), rtol=1e-9)


def test_pareto_rsample_gradients():
    """x = x_m exp(e / alpha) with e ~ Exponential(1): dx/dx_m = x / x_m, dx/dalpha = -x log(x / x_m) / alpha."""
    scale, alpha = np.array([2.0, 0.3]), np.array([0.7, 3.0])
    x, (d_scale, d_alpha) = _reparameterised(Pareto, scale, alpha)
    assert (x >= scale).all()
    np.testing.assert_allclose(d_scale, (x / scale).sum(0), rtol=1e-9)
    np.testing.assert_allclose(d_alpha, (-x * np.log(x / scale) / alpha).sum(0), rtol=1e-9)


def test_kumaraswamy_rsample_gradients():
    """x = (1 - u^(1/b))^(1/a): dx/da = -x log(x) / a, dx/db = x^(1 - a) (1 - x^a) log(1 - x^a) / (a b)."""
    a, b = np.array([0.7, 3.0]), np.array([2.0, 0.5])
    x, (d_a, d_b) = _reparameterised(Kumaraswamy, a, b)
    np.testing.assert_allclose(d_a, (-x * np.log(x) / a).sum(0), rtol=1e-8)
    expected_b = x ** (1 - a) * (1 - x ** a) * np.log1p(-x ** a) / (a * b)
    np.testing.assert_allclose(d_b, expected_b.sum(0), rtol=1e-8)


def test_student_t_rsample_gradient_of_df_is_unbiased():
    """Through the chi-squared draw (Gamma's implicit gradient). Each draw's gradient of x^2 is an
    unbiased estimate of d E[X^2] / d nu = d (sigma^2 nu / (nu - 2)) / d nu = -2 sigma^2 / (nu - 2)^2:
    their mean lies within 5 standard errors (estimated from the same gradients) of it."""
    nu, sigma = 10.0, 1.5
    df = minigrad.full((N,), nu, dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(3)
    x = StudentT(df, 0.0, sigma).rsample()
    x.pow(2).sum().backward()
    gradients = df.grad.numpy()
    standard_error = gradients.std() / math.sqrt(N)
    assert abs(gradients.mean() - (-2 * sigma ** 2 / (nu - 2) ** 2)) < 5 * standard_error
