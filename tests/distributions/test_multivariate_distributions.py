"""MultivariateNormal, Independent and OneHotCategorical against torch.distributions: log_prob,
entropy, moments, the derived matrices, KL divergences and enumerate_support on drawn parameters,
with all gradients; then their draws and errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import Independent, MultivariateNormal, Normal, OneHotCategorical
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))

DTYPES = st.sampled_from([np.float64, np.float32])


def _spd(data, batch, n, label):
    """Symmetric positive definite matrices A A^T + I/2 (well conditioned: eigenvalues >= 1/2)."""
    a = data.draw(mst.arrays("float64", tuple(batch) + (n, n), elements=mst.reals(-1.5, 1.5)), label=label)
    return a @ np.swapaxes(a, -1, -2) + 0.5 * np.eye(n)


def _tril(data, batch, n, label):
    """Lower triangular matrices with a diagonal in [0.5, 2]."""
    a = np.tril(data.draw(mst.arrays("float64", tuple(batch) + (n, n), elements=mst.reals(-1.5, 1.5)), label=label))
    diagonal = data.draw(mst.arrays("float64", tuple(batch) + (n,), elements=mst.reals(0.5, 2)), label=label + " diag")
    return a - a * np.eye(n) + diagonal[..., None] * np.eye(n)


def _matrix(data, kind, batch, n, label):
    return _tril(data, batch, n, label) if kind == "scale_tril" else _spd(data, batch, n, label)


KINDS = ["covariance_matrix", "precision_matrix", "scale_tril"]


@settings(max_examples=25)
@given(data=st.data(), n=st.integers(1, 3), p_kind=st.sampled_from(KINDS), q_kind=st.sampled_from(KINDS),
       dtype=DTYPES)
def test_multivariate_normal(data, n, p_kind, q_kind, dtype):
    """Built from each kind of matrix; batch shapes of loc, matrices and value broadcast."""
    loc_batch, p_batch, q_batch, value_batch = data.draw(
        mst.mutually_broadcastable_shapes(4, max_dims=2, max_side=3), label="batch shapes")
    p_loc = data.draw(mst.arrays("float64", loc_batch + (n,), elements=mst.reals(-2, 2)), label="p loc")
    q_loc = data.draw(mst.arrays("float64", (n,), elements=mst.reals(-2, 2)), label="q loc")
    p_matrix, q_matrix = _matrix(data, p_kind, p_batch, n, "p"), _matrix(data, q_kind, q_batch, n, "q")
    value = data.draw(mst.arrays("float64", value_batch + (n,), elements=mst.reals(-3, 3)), label="value")

    def quantities(lib, p_loc, p_matrix, q_loc, q_matrix, value):
        d = lib.distributions
        p = d.MultivariateNormal(p_loc, **{p_kind: p_matrix})
        q = d.MultivariateNormal(q_loc, **{q_kind: q_matrix})
        return (p.log_prob(value), p.entropy(), p.mean, p.mode, p.variance, p.stddev, p.covariance_matrix,
                p.precision_matrix, p.scale_tril, d.kl_divergence(p, q), d.kl_divergence(q, p),
                list(p.batch_shape), list(p.event_shape), _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [p_loc, p_matrix, q_loc, q_matrix, value], dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES, reinterpreted=st.integers(0, 2))
def test_independent_normals(data, dtype, reinterpreted):
    loc_shape, scale_shape = data.draw(mst.mutually_broadcastable_shapes(2, min_dims=2, max_dims=3, max_side=3),
                                       label="shapes")
    loc = data.draw(mst.arrays("float64", loc_shape, elements=mst.reals(-2, 2)), label="loc")
    scale = data.draw(mst.arrays("float64", scale_shape, elements=mst.reals(0.3, 2)), label="scale")
    value_shape = np.broadcast_shapes(loc_shape, scale_shape)
    value = data.draw(mst.arrays("float64", value_shape, elements=mst.reals(-3, 3)), label="value")

    def quantities(lib, loc, scale, value):
        d = lib.distributions
        p = d.Independent(d.Normal(loc, scale), reinterpreted)
        q = d.Independent(d.Normal(loc.detach() * 0.5, scale + 1), reinterpreted)
        bigger = p.expand((2,) + tuple(p.batch_shape))
        return (p.log_prob(value), p.entropy(), p.mean, p.mode, p.variance, d.kl_divergence(p, q),
                list(p.batch_shape), list(p.event_shape), repr(p.support), p.has_rsample, p.has_enumerate_support,
                bigger.log_prob(value), list(bigger.batch_shape), list(bigger.event_shape))

    check_parity(data, quantities, [loc, scale, value], dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES, k=st.integers(1, 4), given_as=st.sampled_from(["probs", "logits"]))
def test_one_hot_categorical(data, dtype, k, given_as):
    batch, value_batch = data.draw(mst.broadcastable_pairs(max_dims=2, max_side=3), label="batch shapes")
    low, high = (0.05, 2) if given_as == "probs" else (-4, 4)
    param = data.draw(mst.arrays("float64", batch + (k,), elements=mst.reals(low, high)), label=given_as)
    other = data.draw(mst.arrays("float64", batch + (k,), elements=mst.reals(low, high)), label="other")
    index = data.draw(mst.arrays("int64", value_batch, elements=st.integers(0, k - 1)), label="index")
    value = np.eye(k)[index]

    def quantities(lib, param, other, value):
        d = lib.distributions
        p = d.OneHotCategorical(**{given_as: param})
        q = d.OneHotCategorical(**{given_as: other})
        return (p.log_prob(value), p.entropy(), p.probs, p.logits, p.mean, p.mode, p.variance,
                p.enumerate_support(), p.enumerate_support(expand=False), d.kl_divergence(p, q),
                list(p.batch_shape), list(p.event_shape), _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [param, other, value], dtype=dtype)


def test_reprs_and_flags():
    def program(lib):
        d = lib.distributions
        mvn = d.MultivariateNormal(lib.zeros(2), lib.eye(2))
        ind = d.Independent(d.Bernoulli(lib.full((2, 3), 0.5)), 1)
        return ([repr(x).replace(lib.__name__, "lib") for x in (mvn, ind, d.OneHotCategorical(lib.ones(3)),
                                                                  d.Independent(mvn, 0))]
                + [repr(d.MultivariateNormal.support), repr(d.OneHotCategorical.support), repr(ind.support),
                   ind.has_rsample, ind.has_enumerate_support, d.Independent(ind, 0).has_enumerate_support,
                   d.MultivariateNormal.has_rsample, d.OneHotCategorical.has_enumerate_support,
                   d.OneHotCategorical.has_rsample])

    assert_same_as_torch(program)


ERRORS = {
    "loc 0-d": lambda lib: lib.distributions.MultivariateNormal(lib.tensor(0.0), lib.eye(1)),
    "no matrix": lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2)),
    "two matrices": lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2)),
    "covariance 1-d": lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.ones(2)),
    "scale_tril 1-d": lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2)),
    "precision 1-d": lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), precision_matrix=lib.ones(2)),
    "covariance not positive definite": lambda lib: lib.distributions.MultivariateNormal(
        lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "covariance not symmetric": lambda lib: lib.distributions.MultivariateNormal(
        lib.zeros(2), lib.tensor([[1.0, 0.5], [0.0, 1.0]])),
    "scale_tril with a negative diagonal": lambda lib: lib.distributions.MultivariateNormal(
        lib.zeros(2), scale_tril=lib.tensor([[1.0, 0.0], [0.5, -1.0]])),
    "scale_tril not triangular": lambda lib: lib.distributions.MultivariateNormal(
        lib.zeros(2), scale_tril=lib.tensor([[1.0, 0.3], [0.5, 1.0]])),
    "loc and matrix of different sizes": lambda lib: lib.distributions.MultivariateNormal(
        lib.zeros(3), lib.eye(2)).log_prob(lib.zeros(3)),
    "value of the wrong event size": lambda lib: lib.distributions.MultivariateNormal(
        lib.zeros(2), lib.eye(2)).log_prob(lib.zeros(3)),
    "kl of different event sizes": lambda lib: lib.distributions.kl_divergence(
        lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2)),
        lib.distributions.MultivariateNormal(lib.zeros(3), lib.eye(3))),
    "independent over too many axes": lambda lib: lib.distributions.Independent(
        lib.distributions.Normal(lib.zeros(2), 1.0), 2),
    "kl of independents over different axes": lambda lib: lib.distributions.kl_divergence(
        lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2, 2), 1.0), 1),
        lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2, 2), 1.0), 2)),
    "enumerating a product": lambda lib: lib.distributions.Independent(
        lib.distributions.Bernoulli(lib.full((2,), 0.5)), 1).enumerate_support(),
    "independent value outside the support": lambda lib: lib.distributions.Independent(
        lib.distributions.Exponential(lib.ones(2)), 1).log_prob(lib.tensor([1.0, -1.0])),
    "one-hot probs and logits": lambda lib: lib.distributions.OneHotCategorical(lib.ones(2), lib.ones(2)),
    "one-hot value not one-hot": lambda lib: lib.distributions.OneHotCategorical(lib.ones(3)).log_prob(
        lib.tensor([1.0, 1.0, 0.0])),
    "one-hot value of the wrong size": lambda lib: lib.distributions.OneHotCategorical(lib.ones(3)).log_prob(
        lib.tensor([1.0, 0.0])),
}

SAME_TEXT = {"loc 0-d", "no matrix", "two matrices", "covariance 1-d", "scale_tril 1-d", "precision 1-d",
             "independent over too many axes", "enumerating a product", "independent value outside the support",
             "one-hot probs and logits", "one-hot value not one-hot", "value of the wrong event size"}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    if name in SAME_TEXT:
        assert str(mine).replace("minigrad", "torch") == str(theirs)


# ------------------------------------------------------------------ draws
COVARIANCE = np.array([[2.0, 0.6], [0.6, 0.5]])
LOC = np.array([1.0, -2.0])
N = 20000


def test_multivariate_normal_draws_have_the_mean_and_covariance():
    """Sample mean within 5 standard errors sqrt(Sigma_ii / N); sample covariance entries within 5
    standard errors sqrt((Sigma_ii Sigma_jj + Sigma_ij^2) / N) (the variance of a product of two
    centred jointly normal variables)."""
    minigrad.manual_seed(0)
    d = MultivariateNormal(minigrad.tensor(LOC), minigrad.tensor(COVARIANCE))
    draws = d.sample((N,)).numpy()
    assert draws.shape == (N, 2) and draws.dtype == np.float64
    variances = np.diag(COVARIANCE)
    assert np.all(np.abs(draws.mean(0) - LOC) < 5 * np.sqrt(variances / N))
    se = np.sqrt((np.outer(variances, variances) + COVARIANCE ** 2) / N)
    assert np.all(np.abs(np.cov(draws.T) - COVARIANCE) < 5 * se)


def test_multivariate_normal_rsample_gradients():
    """x = mu + L eps: d sum(x) / d mu = 1 per draw, d sum(x) / d L_ij = sum over draws of eps_j (also above
    the diagonal: the product uses the whole matrix, as torch's does)."""
    loc = minigrad.tensor(LOC, requires_grad=True)
    tril = minigrad.tensor(np.linalg.cholesky(COVARIANCE), requires_grad=True)
    minigrad.manual_seed(3)
    x = MultivariateNormal(loc, scale_tril=tril).rsample((100,))
    x.sum().backward()
    eps = np.linalg.solve(np.linalg.cholesky(COVARIANCE), (x.detach().numpy() - LOC).T).T
    np.testing.assert_allclose(loc.grad.numpy(), [100.0, 100.0], rtol=1e-12)
    np.testing.assert_allclose(tril.grad.numpy(), np.ones((2, 2)) * eps.sum(0), rtol=1e-9, atol=1e-9)


def test_draws_of_independent_and_one_hot_categorical():
    minigrad.manual_seed(1)
    ind = Independent(Normal(minigrad.zeros(3, 2), minigrad.ones(3, 2)), 1)
    assert tuple(ind.sample((4,)).shape) == (4, 3, 2) and tuple(ind.rsample().shape) == (3, 2)
    probs = np.array([0.2, 0.0, 0.8])
    draws = OneHotCategorical(minigrad.tensor(probs, dtype=minigrad.float32)).sample((N,))
    assert draws.dtype == minigrad.float32 and tuple(draws.shape) == (N, 3)
    assert bool(OneHotCategorical.support.check(draws).all())
    frequencies = draws.numpy().mean(0)
    assert np.all(np.abs(frequencies - probs) < 5 * np.sqrt(probs * (1 - probs) / N) + 1e-12)
    with pytest.raises(NotImplementedError):
        OneHotCategorical(minigrad.ones(2)).rsample()


def test_float32_multivariate_normal_stays_float32():
    d = MultivariateNormal(minigrad.zeros(2), minigrad.eye(2))
    assert d.sample((3,)).dtype == minigrad.float32
    assert d.log_prob(d.sample()).dtype == minigrad.float32
    assert math.isfinite(d.entropy().item())


@settings(max_examples=15)
@given(data=st.data(), k=st.integers(2, 4), given_as=st.sampled_from(["probs", "logits"]))
def test_straight_through_gradients_are_those_of_the_probabilities(data, k, given_as):
    """The draw is one-hot; d(w . rsample)/dparam is d(w . probs)/dparam whatever was drawn, so it is
    compared with torch's even though the draws differ."""
    batch = data.draw(mst.shapes(max_dims=2, max_side=3), label="batch")
    low, high = (0.05, 2) if given_as == "probs" else (-3, 3)
    param = data.draw(mst.arrays("float64", batch + (k,), elements=mst.reals(low, high)), label=given_as)
    w = data.draw(mst.arrays("float64", (3,) + batch + (k,), elements=mst.reals(-2, 2)), label="w")

    def program(lib):
        leaf = lib.tensor(param, requires_grad=True)
        d = lib.distributions.OneHotCategoricalStraightThrough(**{given_as: leaf})
        x = d.rsample((3,))
        (grad,) = lib.autograd.grad((x * lib.tensor(w)).sum(), leaf)
        on_support = bool(d.support.check(x.detach()).all())
        return grad, on_support, list(x.shape), d.has_rsample, x.requires_grad

    assert_same_as_torch(program, rtol=1e-9, atol=1e-12)
