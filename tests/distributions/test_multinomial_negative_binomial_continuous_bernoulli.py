"""Multinomial, NegativeBinomial and ContinuousBernoulli against torch.distributions, and their draws.

Deterministic quantities are compared with torch on drawn parameters and values of broadcasting
shapes, in float64 and float32, with the gradient of every parameter. Draws are checked against
the distribution itself (minigrad's random stream is not torch's): sample means within 5 standard
errors computed from the distribution's variance.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import ContinuousBernoulli, Multinomial, NegativeBinomial
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])
N = 20000


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))


def _shapes(data, count):
    return data.draw(mst.mutually_broadcastable_shapes(count, max_dims=3, max_side=3), label="shapes")


def _array(data, shape, low, high, label):
    return data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]), k=st.integers(1, 4),
       total_count=st.integers(0, 5))
def test_multinomial_against_torch(data, dtype, given_as, k, total_count):
    """Counts summing to total_count (validated), and to other totals with validation off."""
    batch_shape, value_batch = _shapes(data, 2)
    low, high = (0.05, 2) if given_as == "probs" else (-4, 4)
    param = _array(data, batch_shape + (k,), low, high, given_as)
    value = data.draw(mst.arrays("float64", value_batch + (k,), elements=st.integers(0, 3).map(float)), label="value")
    within = np.minimum(value, total_count // k)  # k of these sum to at most total_count

    def quantities(lib, param, value, within):
        d = lib.distributions.Multinomial(total_count, **{given_as: param})
        loose = lib.distributions.Multinomial(total_count, validate_args=False, **{given_as: param})
        return (d.log_prob(within), loose.log_prob(value), d.entropy(), d.mean, d.variance, d.probs, d.logits,
                list(d.batch_shape), list(d.event_shape), d.support.check(value),
                _expanded_to(d, within).log_prob(within))

    check_parity(data, quantities, [param, value, within], dtype=dtype)


def test_multinomial_with_a_category_of_probability_zero():
    """Given as probs (whose logits are clamped to log eps) or as a logit of -inf: log_prob of counts
    with none in it is finite; with some, very negative or -inf. The entropy ignores it."""
    def program(lib):
        counts = lib.tensor([[1.0, 0.0, 2.0], [1.0, 1.0, 1.0]], dtype=lib.float64)
        by_probs = lib.distributions.Multinomial(3, lib.tensor([0.5, 0.0, 0.5], dtype=lib.float64))
        by_logits = lib.distributions.Multinomial(3, logits=lib.tensor([0.0, -math.inf, 0.0], dtype=lib.float64),
                                                  validate_args=False)
        return [by_probs.log_prob(counts), by_probs.entropy(), by_logits.log_prob(counts)]

    assert_same_as_torch(program)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]))
def test_negative_binomial_against_torch(data, dtype, given_as):
    """Real total counts, and counts of 0 with a value of 0 (probability 1)."""
    count_shape, param_shape, value_shape = _shapes(data, 3)
    total_count = _array(data, count_shape, 0.2, 6, "total_count")
    low, high = (0.02, 0.95) if given_as == "probs" else (-3, 3)
    param = _array(data, param_shape, low, high, given_as)
    value = data.draw(mst.arrays("float64", value_shape, elements=st.integers(0, 9).map(float)), label="value")

    def quantities(lib, total_count, param, value):
        d = lib.distributions.NegativeBinomial(total_count, **{given_as: param})
        empty = lib.distributions.NegativeBinomial(lib.zeros_like(param), **{given_as: param})
        return (d.log_prob(value), d.mean, d.mode, d.variance, d.stddev, d.probs, d.logits, list(d.batch_shape),
                _expanded_to(d, value).log_prob(value), empty.log_prob(lib.zeros_like(param)))

    check_parity(data, quantities, [total_count, param, value], dtype=dtype)


@settings(max_examples=30)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]),
       lims=st.sampled_from([(0.499, 0.501), (0.4, 0.6)]))
def test_continuous_bernoulli_against_torch(data, dtype, given_as, lims):
    """Parameters anywhere, and near 1/2, inside lims, where the Taylor series take over (lims wider
    than the default make their higher terms count)."""
    param_shape, value_shape, p_shape = _shapes(data, 3)
    near_half = data.draw(st.booleans(), label="near 1/2")
    half_width = lims[1] - 0.5
    if given_as == "probs":
        low, high = (0.5 - half_width, 0.5 + half_width) if near_half else (0.02, 0.98)
    else:
        low, high = (-4 * half_width, 4 * half_width) if near_half else (-4, 4)
    param = _array(data, param_shape, low, high, given_as)
    value = _array(data, value_shape, 0, 1, "value")
    p = _array(data, p_shape, 0.01, 0.99, "p")

    def quantities(lib, param, value, p):
        d = lib.distributions.ContinuousBernoulli(**{given_as: param}, lims=lims)
        return (d.log_prob(value), d.cdf(value), d.icdf(p), d.entropy(), d.mean, d.variance, d.stddev, d.probs,
                d.logits, list(d.batch_shape), _expanded_to(d, value).log_prob(value))

    check_parity(data, quantities, [param, value, p], dtype=dtype)


def test_multinomial_draws():
    """Counts summing to total_count, in the probs' dtype; their means within 5 standard errors of n p."""
    probs = np.array([0.1, 0.0, 0.6, 0.3])
    d = Multinomial(7, minigrad.tensor(probs * 3, dtype=minigrad.float32))  # unnormalised probs
    minigrad.manual_seed(0)
    draws = d.sample((N,))
    assert tuple(draws.shape) == (N, 4) and draws.dtype == minigrad.float32
    counts = draws.numpy()
    assert (counts.sum(-1) == 7).all() and (counts[:, 1] == 0).all()
    assert np.all(np.abs(counts.mean(0) - 7 * probs) <= 5 * np.sqrt(7 * probs * (1 - probs) / N))
    minigrad.manual_seed(0)
    assert np.array_equal(d.sample((N,)).numpy(), counts)
    batched = Multinomial(3, minigrad.ones(2, 5, dtype=minigrad.float64)).sample((4,))
    assert tuple(batched.shape) == (4, 2, 5) and batched.dtype == minigrad.float64


def test_negative_binomial_draws():
    """Whole numbers of the parameters' dtype; mean within 5 standard errors of r p / (1 - p)."""
    r, p = 3.5, 0.4
    d = NegativeBinomial(minigrad.tensor([r, 0.0]), minigrad.tensor([p, p]))
    minigrad.manual_seed(0)
    draws = d.sample((N,))
    assert tuple(draws.shape) == (N, 2) and draws.dtype == minigrad.float32 and not draws.requires_grad
    counts = draws.numpy()
    assert (counts == np.round(counts)).all() and (counts >= 0).all()
    assert (counts[:, 1] == 0).all()  # no failures to wait for: no successes
    mean, variance = r * p / (1 - p), r * p / (1 - p) ** 2
    assert abs(counts[:, 0].mean() - mean) < 5 * math.sqrt(variance / N)
    minigrad.manual_seed(0)
    assert np.array_equal(d.sample((N,)).numpy(), counts)


def test_continuous_bernoulli_draws_and_rsample_gradient():
    """Draws in [0, 1] with the mean within 5 standard errors; rsample's gradient is the inverse
    cdf's: d icdf(u) / d lambda at the draw's u = cdf(x), checked against a central difference."""
    lam = 0.8
    d = ContinuousBernoulli(minigrad.tensor([lam, 0.5], dtype=minigrad.float64))
    minigrad.manual_seed(0)
    draws = d.sample((N,)).numpy()
    assert draws.dtype == np.float64 and ((draws >= 0) & (draws <= 1)).all()
    mean, variance = d.mean.numpy(), d.variance.numpy()
    assert np.all(np.abs(draws.mean(0) - mean) < 5 * np.sqrt(variance / N))

    probs = minigrad.tensor([lam], dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(1)
    x = ContinuousBernoulli(probs).rsample((50,))
    x.sum().backward()
    u = ContinuousBernoulli(minigrad.tensor([lam], dtype=minigrad.float64)).cdf(x.detach())
    h = 1e-6
    plus = ContinuousBernoulli(minigrad.tensor([lam + h], dtype=minigrad.float64)).icdf(u)
    minus = ContinuousBernoulli(minigrad.tensor([lam - h], dtype=minigrad.float64)).icdf(u)
    np.testing.assert_allclose(probs.grad.item(), ((plus - minus) / (2 * h)).sum().item(), rtol=1e-6)


ERRORS = {
    "Multinomial: a float total_count": lambda lib: lib.distributions.Multinomial(2.5, lib.ones(3)),
    "Multinomial: probs and logits": lambda lib: lib.distributions.Multinomial(2, lib.ones(3), lib.ones(3)),
    "Multinomial: negative probs": lambda lib: lib.distributions.Multinomial(2, lib.tensor([1.0, -1.0, 1.0])),
    "Multinomial: counts above total_count": lambda lib: lib.distributions.Multinomial(2, lib.ones(3)).log_prob(
        lib.tensor([1.0, 1.0, 1.0])),
    "Multinomial: wrong number of categories": lambda lib: lib.distributions.Multinomial(2, lib.ones(3)).log_prob(
        lib.tensor([1.0, 1.0])),
    "NegativeBinomial: neither probs nor logits": lambda lib: lib.distributions.NegativeBinomial(2.0),
    "NegativeBinomial: probs of 1": lambda lib: lib.distributions.NegativeBinomial(2.0, lib.tensor([0.5, 1.0])),
    "NegativeBinomial: negative total_count": lambda lib: lib.distributions.NegativeBinomial(
        lib.tensor([-1.0]), lib.tensor([0.5])),
    "NegativeBinomial: a fractional value": lambda lib: lib.distributions.NegativeBinomial(
        2.0, lib.tensor([0.5])).log_prob(lib.tensor([1.5])),
    "ContinuousBernoulli: probs above 1, validated": lambda lib: lib.distributions.ContinuousBernoulli(
        lib.tensor([1.5]), validate_args=True),
    "ContinuousBernoulli: both": lambda lib: lib.distributions.ContinuousBernoulli(lib.ones(1), lib.ones(1)),
    "ContinuousBernoulli: value above 1": lambda lib: lib.distributions.ContinuousBernoulli(
        lib.tensor([0.3])).log_prob(lib.tensor([1.5])),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_reprs_flags_and_clamped_probs():
    """An invalid probs given without validate_args is clamped into (0, 1), not rejected, as in torch."""
    def program(lib):
        d = lib.distributions
        made = [d.Multinomial(3, lib.ones(2)), d.NegativeBinomial(2.0, lib.tensor([0.5])),
                d.ContinuousBernoulli(0.3), d.ContinuousBernoulli(logits=lib.ones(2))]
        return ([repr(m).replace(lib.__name__, "lib") for m in made] + [m.has_rsample for m in made]
                + [repr(d.NegativeBinomial.support), repr(d.ContinuousBernoulli.support),
                   repr(made[0].support).replace(lib.__name__, "lib"), d.Multinomial.support.event_dim,
                   d.ContinuousBernoulli(lib.tensor([1.5, 0.0], dtype=lib.float64)).probs, list(made[2].batch_shape),
                   made[0].param_shape, made[1].param_shape])

    assert_same_as_torch(program)


def test_multinomial_entropy_after_expand():
    """torch's expanded Multinomial has no entropy (an AttributeError: expand does not carry the
    Binomial it uses); minigrad's is the entropy of the original, broadcast to the new batch."""
    d = Multinomial(4, minigrad.tensor([[0.2, 0.3, 0.5], [0.1, 0.0, 0.9]], dtype=minigrad.float64))
    expanded = d.expand((3, 2))
    np.testing.assert_allclose(expanded.entropy().numpy(), np.broadcast_to(d.entropy().numpy(), (3, 2)), rtol=1e-14)
