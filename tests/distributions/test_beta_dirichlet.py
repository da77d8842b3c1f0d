"""Beta and Dirichlet against torch.distributions, and their reparameterised draws.

minigrad reparameterises both through Gamma draws (x_i = z_i / sum z), torch through the implicit
gradient of the Beta marginals: two valid estimators of the same expected gradient, which differ
draw by draw. So the draws' gradients are checked by that expectation: the average gradient of
many draws must equal the gradient of the mean, d E[x] / d alpha, within 5 standard errors (the
standard errors of the gradients estimated from the draws themselves).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import Beta, Dirichlet
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

# Gradients of entropy and KL contain trigamma (the derivative of digamma), which torch computes to about
# 1e-9 relative only (see tests/core/test_special_gamma.py), times concentrations and their differences (up
# to 5), in sums that can cancel: 1e-9 x trigamma(0.2) (about 26) x 5 is about 1.3e-7 absolute, so float64
# gradients are compared to an absolute 2e-7. In float32 a parameter shared by a broadcast batch sums
# dozens of such terms of magnitude up to ~100 that cancel to a small gradient: float32's eps (1.2e-7)
# times that magnitude and a few roundings is about 1e-4 absolute.
GRAD_TOLERANCES = {np.float64: (1e-6, 2e-7), np.float32: (1e-4, 1e-4)}


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))

DTYPES = st.sampled_from([np.float64, np.float32])


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES)
def test_beta_against_torch(data, dtype):
    shapes = data.draw(mst.mutually_broadcastable_shapes(5, max_dims=3, max_side=3), label="shapes")
    a, b, value, a_q, b_q = [
        data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)
        for shape, (low, high), label in zip(shapes, [(0.2, 4), (0.2, 4), (0.02, 0.98), (0.2, 4), (0.2, 4)],
                                             ["a", "b", "value", "q a", "q b"])]

    def quantities(lib, a, b, value, a_q, b_q):
        p, q = lib.distributions.Beta(a, b), lib.distributions.Beta(a_q, b_q)
        return (p.log_prob(value), p.entropy(), p.mean, p.mode, p.variance, p.stddev, p.concentration1,
                p.concentration0, lib.distributions.kl_divergence(p, q), list(p.batch_shape),
                _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [a, b, value, a_q, b_q], dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, k=st.integers(1, 4))
def test_dirichlet_against_torch(data, dtype, k):
    """Concentrations from 0.2 (so that rows all below 1, whose mode is a corner, occur) to 4."""
    batch, q_batch, value_batch = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=2, max_side=3),
                                            label="batch shapes")
    alpha = data.draw(mst.arrays("float64", batch + (k,), elements=mst.reals(0.2, 4)), label="alpha")
    alpha_q = data.draw(mst.arrays("float64", q_batch + (k,), elements=mst.reals(0.2, 4)), label="q alpha")
    weights = data.draw(mst.arrays("float64", value_batch + (k,), elements=mst.reals(0.05, 1)), label="weights")
    value = weights / weights.sum(-1, keepdims=True)

    def quantities(lib, alpha, alpha_q, value):
        p, q = lib.distributions.Dirichlet(alpha), lib.distributions.Dirichlet(alpha_q)
        return (p.log_prob(value), p.entropy(), p.mean, p.mode, p.variance, lib.distributions.kl_divergence(p, q),
                list(p.batch_shape), list(p.event_shape),
                _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [alpha, alpha_q, value], dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


def test_python_numbers_and_reprs():
    assert_same_as_torch(lambda lib: [list(lib.distributions.Beta(2.0, 3.0).batch_shape),
                                      lib.distributions.Beta(2.0, 3.0).concentration1,
                                      repr(lib.distributions.Beta(2.0, 3.0)),
                                      repr(lib.distributions.Dirichlet(lib.ones(2, 3))).replace(lib.__name__, "lib"),
                                      repr(lib.distributions.Beta.support), repr(lib.distributions.Dirichlet.support),
                                      lib.distributions.Beta.has_rsample, lib.distributions.Dirichlet.has_rsample])


N = 20000


def test_beta_draws_have_the_mean_and_variance():
    """Within 5 standard errors; the fourth central moment is (excess kurtosis + 3) variance^2, with
    the Beta's excess kurtosis 6 ((a - b)^2 (a + b + 1) - a b (a + b + 2)) / (a b (a + b + 2) (a + b + 3))."""
    a, b = 2.0, 5.0
    minigrad.manual_seed(0)
    draws = Beta(a, b).sample((N,)).numpy().astype(np.float64)
    mean, variance = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    excess_kurtosis = 6 * ((a - b) ** 2 * (a + b + 1) - a * b * (a + b + 2)) / (a * b * (a + b + 2) * (a + b + 3))
    fourth = (excess_kurtosis + 3) * variance ** 2
    assert abs(draws.mean() - mean) < 5 * math.sqrt(variance / N)
    assert abs(draws.var() - variance) < 5 * math.sqrt((fourth - variance ** 2) / N)


def _mean_gradient_check(per_draw, expected):
    mean, se = per_draw.mean(0), per_draw.std(0) / math.sqrt(per_draw.shape[0])
    assert np.all(np.abs(mean - expected) < 5 * se + 1e-12), (mean, expected, se)


def test_beta_rsample_gradients_average_to_the_gradient_of_the_mean():
    """E[x] = a / (a + b): d/da = b / (a + b)^2, d/db = -a / (a + b)^2."""
    a, b = 1.5, 0.7
    c1 = minigrad.full((N,), a, dtype=minigrad.float64, requires_grad=True)
    c0 = minigrad.full((N,), b, dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(4)
    Beta(c1, c0).rsample().sum().backward()
    _mean_gradient_check(np.stack([c1.grad.numpy(), c0.grad.numpy()], 1),
                         np.array([b / (a + b) ** 2, -a / (a + b) ** 2]))


def test_dirichlet_rsample_gradients_average_to_the_gradient_of_the_mean():
    """For w . x with E[x] = alpha / sum(alpha): d/dalpha_j = (w_j - w . E[x]) / sum(alpha)."""
    alpha, w = np.array([0.4, 1.0, 3.0]), np.array([1.0, -2.0, 0.5])
    concentration = minigrad.tensor(np.tile(alpha, (N, 1)), requires_grad=True)
    minigrad.manual_seed(6)
    x = Dirichlet(concentration).rsample()
    (x * minigrad.tensor(w)).sum().backward()
    _mean_gradient_check(concentration.grad.numpy(), (w - w @ (alpha / alpha.sum())) / alpha.sum())
    assert bool(Dirichlet.support.check(x.detach()).all())


def test_draws_shape_dtype_support_and_seed():
    for d, shape in ((Dirichlet(minigrad.tensor([[0.05, 0.1], [1.0, 9.0]])), (50, 2, 2)),
                     (Beta(minigrad.tensor([0.05, 1.0, 9.0]), minigrad.tensor([0.1, 1.0, 0.3])), (50, 3))):
        minigrad.manual_seed(9)
        draws = d.sample((50,))
        assert tuple(draws.shape) == shape and draws.dtype == minigrad.float32 and not draws.requires_grad
        assert bool(d.support.check(draws).all())
        minigrad.manual_seed(9)
        assert np.array_equal(d.sample((50,)).numpy(), draws.numpy())


ERRORS = {
    "negative beta parameter": lambda lib: lib.distributions.Beta(lib.tensor([1.0, -1.0]), lib.ones(2)),
    "zero beta parameter, numbers": lambda lib: lib.distributions.Beta(0.0, 1.0),
    "beta value above one": lambda lib: lib.distributions.Beta(lib.ones(2), lib.ones(2)).log_prob(lib.tensor([0.5, 1.5])),
    "dirichlet 0-d": lambda lib: lib.distributions.Dirichlet(lib.tensor(1.0)),
    "dirichlet negative": lambda lib: lib.distributions.Dirichlet(lib.tensor([1.0, -0.5])),
    "dirichlet value not on the simplex": lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(
        lib.tensor([0.5, 0.5, 0.5])),
    "dirichlet value of the wrong size": lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(
        lib.tensor([0.5, 0.5])),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)
