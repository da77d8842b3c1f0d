"""RelaxedBernoulli, RelaxedOneHotCategorical and LowRankMultivariateNormal against
torch.distributions, and their draws.

Deterministic quantities are compared with torch on drawn parameters and values of broadcasting
shapes, in float64 and float32, with the gradient of every parameter (the temperature included).
Draws are checked against the distribution itself: a relaxed Bernoulli draw exceeds 1/2 with
probability exactly p, the largest entry of a relaxed one-hot draw is a Categorical(p) draw (the
Gumbel-max trick), and frequencies and means lie within 5 standard errors.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import LowRankMultivariateNormal, RelaxedBernoulli, RelaxedOneHotCategorical
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])
N = 20000


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))


def _shapes(data, count, max_dims=3):
    return data.draw(mst.mutually_broadcastable_shapes(count, max_dims=max_dims, max_side=3), label="shapes")


def _array(data, shape, low, high, label):
    return data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]))
def test_relaxed_bernoulli_against_torch(data, dtype, given_as):
    """The temperature is one number or one per member of the batch (torch's draws and expand do
    not broadcast it further)."""
    param_shape, value_shape = _shapes(data, 2)
    temperature_shape = data.draw(st.sampled_from([(), param_shape]), label="temperature shape")
    temperature = _array(data, temperature_shape, 0.2, 3, "temperature")
    low, high = (0.02, 0.98) if given_as == "probs" else (-4, 4)
    param = _array(data, param_shape, low, high, given_as)
    value = _array(data, value_shape, 0.01, 0.99, "value")

    def quantities(lib, temperature, param, value):
        d = lib.distributions.RelaxedBernoulli(temperature, **{given_as: param})
        return (d.log_prob(value), d.probs, d.logits, d.temperature, list(d.batch_shape),
                _expanded_to(d, value).log_prob(value), d.base_dist.log_prob(value * 6 - 3))

    check_parity(data, quantities, [temperature, param, value], dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]), k=st.integers(1, 4))
def test_relaxed_one_hot_categorical_against_torch(data, dtype, given_as, k):
    """Values on the simplex (positive, normalised). The temperature is one number (one per member
    of the batch would not broadcast with the categories, in torch as here)."""
    param_batch, value_batch = _shapes(data, 2, max_dims=2)
    temperature = _array(data, (), 0.2, 3, "temperature")
    low, high = (0.05, 2) if given_as == "probs" else (-4, 4)
    param = _array(data, param_batch + (k,), low, high, given_as)
    positive = _array(data, value_batch + (k,), 0.05, 1, "value")
    value = np.asarray(positive / positive.sum(-1, keepdims=True))

    def quantities(lib, temperature, param, value):
        d = lib.distributions.RelaxedOneHotCategorical(temperature, **{given_as: param})
        return (d.log_prob(value), d.probs, d.logits, list(d.batch_shape), list(d.event_shape),
                _expanded_to(d, value).log_prob(value))

    check_parity(data, quantities, [temperature, param, value], dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, n=st.integers(1, 4), rank=st.integers(1, 3))
def test_low_rank_multivariate_normal_against_torch(data, dtype, n, rank):
    loc_batch, factor_batch, diag_batch, value_batch = _shapes(data, 4, max_dims=2)
    loc = _array(data, loc_batch + (n,), -2, 2, "loc")
    cov_factor = _array(data, factor_batch + (n, rank), -1.5, 1.5, "cov_factor")
    cov_diag = _array(data, diag_batch + (n,), 0.3, 2, "cov_diag")
    value = _array(data, value_batch + (n,), -3, 3, "value")

    def quantities(lib, loc, cov_factor, cov_diag, value):
        d = lib.distributions.LowRankMultivariateNormal(loc, cov_factor, cov_diag)
        return (d.log_prob(value), d.entropy(), d.mean, d.mode, d.variance, d.stddev, d.scale_tril,
                d.covariance_matrix, d.precision_matrix, d.cov_factor, d.cov_diag, list(d.batch_shape),
                list(d.event_shape), _expanded_to(d, value).log_prob(value))

    check_parity(data, quantities, [loc, cov_factor, cov_diag, value], dtype=dtype)


def test_relaxed_bernoulli_draws():
    """y > 1/2 exactly when logit(u) > -logits, an event of probability p whatever the temperature;
    draws inside (0, 1), of the parameters' dtype, reproducible under manual_seed."""
    probs = np.array([0.1, 0.5, 0.85])
    for temperature in (0.1, 2.0):
        d = RelaxedBernoulli(minigrad.tensor(temperature), minigrad.tensor(probs, dtype=minigrad.float32))
        minigrad.manual_seed(0)
        draws = d.sample((N,))
        assert tuple(draws.shape) == (N, 3) and draws.dtype == minigrad.float32 and not draws.requires_grad
        assert bool(d.support.check(draws).all())
        frequencies = (draws.numpy() > 0.5).mean(0)
        assert np.all(np.abs(frequencies - probs) < 5 * np.sqrt(probs * (1 - probs) / N))
        minigrad.manual_seed(0)
        assert np.array_equal(d.sample((N,)).numpy(), draws.numpy())


def test_relaxed_bernoulli_rsample_gradients():
    """y = sigmoid(x), x = (logits + logit(u)) / tau: dy/dlogits = y (1 - y) / tau and
    dy/dtau = -y (1 - y) x / tau."""
    logits = minigrad.tensor([0.3, -1.2], dtype=minigrad.float64, requires_grad=True)
    temperature = minigrad.tensor(0.7, dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(5)
    y = RelaxedBernoulli(temperature, logits=logits).rsample((100,))
    y.sum().backward()
    drawn = y.detach().numpy()
    x = np.log(drawn) - np.log1p(-drawn)
    np.testing.assert_allclose(logits.grad.numpy(), (drawn * (1 - drawn) / 0.7).sum(0), rtol=1e-9)
    np.testing.assert_allclose(temperature.grad.item(), (-drawn * (1 - drawn) * x / 0.7).sum(), rtol=1e-9)


def test_relaxed_one_hot_categorical_draws():
    """Points of the simplex; the index of the largest entry is a Categorical(probs) draw."""
    probs = np.array([0.1, 0.6, 0.3])
    d = RelaxedOneHotCategorical(minigrad.tensor(0.5), minigrad.tensor(probs, dtype=minigrad.float32))
    minigrad.manual_seed(0)
    draws = d.sample((N,))
    assert tuple(draws.shape) == (N, 3) and draws.dtype == minigrad.float32
    assert bool(d.support.check(draws).all())
    frequencies = np.bincount(draws.numpy().argmax(-1), minlength=3) / N
    assert np.all(np.abs(frequencies - probs) < 5 * np.sqrt(probs * (1 - probs) / N))
    minigrad.manual_seed(0)
    assert np.array_equal(d.sample((N,)).numpy(), draws.numpy())


def test_relaxed_one_hot_categorical_rsample_gradient():
    """y = softmax((logits + g) / tau): d(sum_i c_i y_i)/dlogits_j = y_j (c_j - c.y) / tau."""
    logits = minigrad.tensor([0.3, -1.2, 0.5], dtype=minigrad.float64, requires_grad=True)
    weights = np.array([1.0, -2.0, 0.5])
    minigrad.manual_seed(5)
    y = RelaxedOneHotCategorical(minigrad.tensor(0.7, dtype=minigrad.float64), logits=logits).rsample((50,))
    (y * minigrad.tensor(weights)).sum().backward()
    drawn = y.detach().numpy()
    expected = drawn * (weights - (drawn * weights).sum(-1, keepdims=True)) / 0.7
    np.testing.assert_allclose(logits.grad.numpy(), expected.sum(0), rtol=1e-9)


def test_low_rank_multivariate_normal_draws_and_their_gradients():
    """Sample means within 5 standard errors; each draw's gradient of |x|^2 is an unbiased estimate of
    d E|x|^2 = d (|mu|^2 + tr(W W^T) + tr D): 2 mu for mu, 2 W for W, 1 for D; their means lie within
    5 standard errors (estimated from the same per-draw gradients) of those."""
    loc = np.array([0.5, -1.0, 2.0])
    W = np.array([[1.0, 0.2], [0.3, -0.5], [0.0, 1.0]])
    D = np.array([1.0, 0.5, 2.0])
    leaves = [minigrad.tensor(np.broadcast_to(a, (N,) + a.shape).copy(), requires_grad=True) for a in (loc, W, D)]
    minigrad.manual_seed(0)
    x = LowRankMultivariateNormal(*leaves).rsample()
    assert tuple(x.shape) == (N, 3) and x.dtype == minigrad.float64
    variance = (W ** 2).sum(-1) + D
    assert np.all(np.abs(x.detach().numpy().mean(0) - loc) < 5 * np.sqrt(variance / N))
    x.pow(2).sum().backward()
    for leaf, expected in zip(leaves, (2 * loc, 2 * W, np.ones(3))):
        gradients = leaf.grad.numpy()
        standard_error = gradients.std(0) / math.sqrt(N)
        assert np.all(np.abs(gradients.mean(0) - expected) < 5 * standard_error + 1e-12)
    minigrad.manual_seed(0)
    again = LowRankMultivariateNormal(*(minigrad.tensor(a) for a in (loc, W, D))).sample((4,))
    minigrad.manual_seed(0)
    assert np.array_equal(again.numpy(), LowRankMultivariateNormal(
        *(minigrad.tensor(a) for a in (loc, W, D))).sample((4,)).numpy())


ERRORS = {
    "RelaxedBernoulli: neither": lambda lib: lib.distributions.RelaxedBernoulli(lib.tensor(1.0)),
    "RelaxedBernoulli: probs above 1": lambda lib: lib.distributions.RelaxedBernoulli(
        lib.tensor(1.0), lib.tensor([0.5, 1.5])),
    "RelaxedBernoulli: value above 1": lambda lib: lib.distributions.RelaxedBernoulli(
        lib.tensor(1.0), lib.tensor([0.5])).log_prob(lib.tensor([1.5])),
    "RelaxedOneHotCategorical: both": lambda lib: lib.distributions.RelaxedOneHotCategorical(
        lib.tensor(1.0), lib.ones(3), lib.ones(3)),
    "RelaxedOneHotCategorical: off the simplex": lambda lib: lib.distributions.RelaxedOneHotCategorical(
        lib.tensor(1.0), lib.ones(3)).log_prob(lib.tensor([0.5, 0.5, 0.5])),
    "LowRank: loc a number": lambda lib: lib.distributions.LowRankMultivariateNormal(
        lib.tensor(0.0), lib.ones(3, 1), lib.ones(3)),
    "LowRank: factor a vector": lambda lib: lib.distributions.LowRankMultivariateNormal(
        lib.zeros(3), lib.ones(3), lib.ones(3)),
    "LowRank: factor of the wrong height": lambda lib: lib.distributions.LowRankMultivariateNormal(
        lib.zeros(3), lib.ones(2, 1), lib.ones(3)),
    "LowRank: diag of the wrong size": lambda lib: lib.distributions.LowRankMultivariateNormal(
        lib.zeros(3), lib.ones(3, 1), lib.ones(2)),
    "LowRank: batches that do not broadcast": lambda lib: lib.distributions.LowRankMultivariateNormal(
        lib.zeros(2, 3), lib.ones(4, 3, 1), lib.ones(3)),
    "LowRank: a zero in the diagonal": lambda lib: lib.distributions.LowRankMultivariateNormal(
        lib.zeros(2), lib.ones(2, 1), lib.tensor([1.0, 0.0])),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_reprs_flags_and_structure():
    def program(lib):
        d = lib.distributions
        made = [d.RelaxedBernoulli(lib.tensor(0.5), lib.tensor([0.3, 0.6])),
                d.RelaxedOneHotCategorical(lib.tensor(0.5), logits=lib.zeros(2, 3)),
                d.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(3))]
        return ([repr(m).replace(lib.__name__, "lib") for m in made] + [m.has_rsample for m in made]
                + [type(m.base_dist).__name__ for m in made[:2]] + [m.base_dist.has_rsample for m in made[:2]]
                + [[type(t).__name__ for t in m.transforms] for m in made[:2]]
                + [repr(type(m).support) for m in made] + [type(m.expand((4,) + tuple(m.batch_shape))).__name__
                                                           for m in made]
                + [list(m.expand((4,) + tuple(m.batch_shape)).sample().shape) for m in made])

    assert_same_as_torch(program)
