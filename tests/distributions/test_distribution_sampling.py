"""Draws from the distributions: shapes, dtypes, support, reproducibility, statistics of many draws,
and the gradients that rsample passes back to the parameters.

minigrad's random stream is not torch's, so draws are checked against the distribution itself:
sample means and variances must lie within 5 standard errors of the true ones, the standard
errors computed from the distribution's own moments (for a sample variance of n draws, the
standard error is sqrt((mu4 - sigma^4) / n), mu4 the fourth central moment).
"""

import math

import numpy as np
import pytest

import minigrad
from minigrad.distributions import Bernoulli, Categorical, Exponential, Laplace, Normal, Uniform

N = 20000
LOC, SCALE, RATE, LOW, HIGH, P = 1.5, 2.0, 0.7, -1.0, 3.0, 0.3

# name: (distribution, mean, variance, fourth central moment)
CASES = {
    "Normal": (lambda: Normal(LOC, SCALE), LOC, SCALE ** 2, 3 * SCALE ** 4),
    "Laplace": (lambda: Laplace(LOC, SCALE), LOC, 2 * SCALE ** 2, 24 * SCALE ** 4),
    "Exponential": (lambda: Exponential(RATE), 1 / RATE, RATE ** -2, 9 * RATE ** -4),
    "Uniform": (lambda: Uniform(LOW, HIGH), (LOW + HIGH) / 2, (HIGH - LOW) ** 2 / 12, (HIGH - LOW) ** 4 / 80),
    "Bernoulli": (lambda: Bernoulli(P), P, P * (1 - P), P * (1 - P) * (1 - 3 * P * (1 - P))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mean_and_variance_of_many_draws(name):
    make, mean, variance, fourth = CASES[name]
    minigrad.manual_seed(0)
    draws = make().sample((N,)).numpy().astype(np.float64)
    assert abs(draws.mean() - mean) < 5 * math.sqrt(variance / N)
    assert abs(draws.var() - variance) < 5 * math.sqrt((fourth - variance ** 2) / N)


def test_category_frequencies_of_many_draws():
    probs = np.array([0.1, 0.0, 0.6, 0.3])
    minigrad.manual_seed(0)
    draws = Categorical(minigrad.tensor(probs * 7)).sample((N,)).numpy()  # unnormalised probs
    frequencies = np.bincount(draws, minlength=4) / N
    assert frequencies[1] == 0  # a category of probability 0 is never drawn
    assert np.all(np.abs(frequencies - probs) < 5 * np.sqrt(probs * (1 - probs) / N) + 1e-12)


def _all_families(dtype):
    t = lambda *values: minigrad.tensor(values, dtype=dtype)  # noqa: E731
    return {
        "Normal": Normal(t(0.0, 1.0, 2.0), t(1.0, 0.5, 2.0)),
        "Laplace": Laplace(t(0.0, 1.0, 2.0), t(1.0, 0.5, 2.0)),
        "Exponential": Exponential(t(0.5, 1.0, 3.0)),
        "Uniform": Uniform(t(-1.0, 0.0, 2.0), t(0.0, 0.5, 9.0)),
        "Bernoulli": Bernoulli(t(0.0, 0.5, 1.0)),
        "Categorical": Categorical(minigrad.tensor([[0.2, 0.8], [1.0, 0.0], [0.5, 0.5]], dtype=dtype)),
    }


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform", "Bernoulli", "Categorical"])
def test_draws_have_the_shape_dtype_and_support(name, dtype):
    """sample_shape + batch_shape; the parameters' dtype (int64 for Categorical); all inside the support."""
    d = _all_families(dtype)[name]
    for sample_shape in [(), (5,), (2, 4)]:
        draws = d.sample(sample_shape)
        assert tuple(draws.shape) == sample_shape + (3,)
        assert draws.dtype == (minigrad.int64 if name == "Categorical" else dtype)
        assert not draws.requires_grad
        assert bool(d.support.check(draws).all())
    assert bool(d.support.check(d.sample((500,))).all())


def test_categorical_draws_never_take_a_category_of_probability_zero():
    d = Categorical(minigrad.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]]))
    draws = d.sample((2000,)).numpy()
    assert (draws[:, 0] == 1).all() and set(np.unique(draws[:, 1])) == {0, 2}


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform", "Bernoulli", "Categorical"])
def test_draws_are_reproducible_under_manual_seed(name):
    d = _all_families(minigrad.float64)[name]
    minigrad.manual_seed(123)
    first = d.sample((4,)).numpy()
    minigrad.manual_seed(123)
    assert np.array_equal(d.sample((4,)).numpy(), first)
    if name not in ("Bernoulli", "Categorical"):  # discrete draws may repeat by chance
        assert not np.array_equal(d.sample((4,)).numpy(), first)


def _reparameterised(make, *params):
    """Draws x = rsample((200,)) of make(*params) and the gradients of x.sum() for each parameter."""
    leaves = [minigrad.tensor(p, requires_grad=True) for p in params]
    minigrad.manual_seed(7)
    x = make(*leaves).rsample((200,))
    assert x.requires_grad
    x.sum().backward()
    return x.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def test_normal_rsample_gradients_are_one_and_the_standard_noise():
    loc, scale = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    x, (d_loc, d_scale) = _reparameterised(Normal, loc, scale)
    eps = (x - loc) / scale  # the standard noise behind each draw
    np.testing.assert_allclose(d_loc, [200.0, 200.0], rtol=1e-12)
    np.testing.assert_allclose(d_scale, eps.sum(0), rtol=1e-10)
    assert abs(eps.mean()) < 5 / math.sqrt(eps.size)  # and the noise is standard normal


def test_laplace_rsample_gradients():
    loc, scale = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    x, (d_loc, d_scale) = _reparameterised(Laplace, loc, scale)
    np.testing.assert_allclose(d_loc, [200.0, 200.0], rtol=1e-12)
    np.testing.assert_allclose(d_scale, ((x - loc) / scale).sum(0), rtol=1e-10)


def test_exponential_rsample_gradient():
    rate = np.array([0.5, 4.0])
    x, (d_rate,) = _reparameterised(Exponential, rate)
    np.testing.assert_allclose(d_rate, (-x / rate).sum(0), rtol=1e-10)
    assert (x >= 0).all()


def test_uniform_rsample_gradients():
    low, high = np.array([0.0, -3.0]), np.array([1.0, 5.0])
    x, (d_low, d_high) = _reparameterised(Uniform, low, high)
    u = (x - low) / (high - low)  # the Uniform(0, 1) draw behind each
    np.testing.assert_allclose(d_low, (1 - u).sum(0), rtol=1e-10)
    np.testing.assert_allclose(d_high, u.sum(0), rtol=1e-10)


def test_sample_passes_no_gradient_and_discrete_families_have_no_rsample():
    loc = minigrad.tensor([0.0, 1.0], requires_grad=True)
    assert not Normal(loc, 1.0).sample().requires_grad
    for d in (Bernoulli(minigrad.tensor([0.5])), Categorical(minigrad.tensor([0.5, 0.5]))):
        assert not d.has_rsample
        with pytest.raises(NotImplementedError):
            d.rsample()
    assert all(cls.has_rsample for cls in (Normal, Laplace, Exponential, Uniform))


def test_float32_draws_stay_float32_and_finite():
    for d in _all_families(minigrad.float32).values():
        draws = d.sample((1000,))
        assert draws.dtype in (minigrad.float32, minigrad.int64)
        assert bool(minigrad.isfinite(draws.double()).all())
