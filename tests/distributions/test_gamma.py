"""Gamma against torch.distributions, and its reparameterised draws.

The gradient of a draw x of Gamma(alpha, 1) with respect to alpha is the implicit one,
-(dF/dalpha) / p(x) with F the CDF. torch approximates it (to about 1e-3 relative, see
torch._standard_gamma_grad); minigrad sums the exact series, so the oracle here is the definition
itself: a central difference of torch's regularised incomplete gamma function (F) over alpha,
divided by the density, accurate to about 1e-7 relative with the step used.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import Gamma
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


@settings(max_examples=25)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_gamma_against_torch(data, dtype):
    shapes = data.draw(mst.mutually_broadcastable_shapes(5, max_dims=3, max_side=3), label="shapes")
    alpha, beta, value, alpha_q, beta_q = [
        data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)
        for shape, (low, high), label in zip(shapes, [(0.2, 5), (0.2, 3), (0.01, 6), (0.2, 5), (0.2, 3)],
                                             ["alpha", "beta", "value", "q alpha", "q beta"])]

    def quantities(lib, alpha, beta, value, alpha_q, beta_q):
        p, q = lib.distributions.Gamma(alpha, beta), lib.distributions.Gamma(alpha_q, beta_q)
        return (p.log_prob(value), p.entropy(), p.perplexity(), p.mean, p.mode, p.variance, p.stddev,
                lib.distributions.kl_divergence(p, q), list(p.batch_shape),
                _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [alpha, beta, value, alpha_q, beta_q], dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


def _implicit_gradient_oracle(alpha, x):
    """-(dF/dalpha) / p(x) for Gamma(alpha, 1), from torch's incomplete gamma function."""
    a, z = torch.tensor(alpha, dtype=torch.float64), torch.tensor(x, dtype=torch.float64)
    h = 1e-5 * a
    dF = (torch.special.gammainc(a + h, z) - torch.special.gammainc(a - h, z)) / (2 * h)
    density = torch.exp((a - 1) * torch.log(z) - z - torch.lgamma(a))
    return (-dF / density).numpy()


@pytest.mark.parametrize("alpha", [0.02, 0.3, 1.0, 2.5, 9.0, 40.0, 700.0])
def test_rsample_gradients_are_the_implicit_reparameterisation_gradients(alpha):
    """x = z / beta: dx/dalpha = (dz/dalpha) / beta, with dz/dalpha the implicit gradient at the draw z,
    and dx/dbeta = -x / beta."""
    concentration = minigrad.full((300,), alpha, dtype=minigrad.float64, requires_grad=True)
    rate = minigrad.tensor(1.7, dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(11)
    x = Gamma(concentration, rate).rsample()
    assert x.grad_fn.next_functions[0][0].name() == "StandardGammaBackward0"  # torch's node name
    x.sum().backward()
    z = x.detach().numpy() * 1.7
    expected = _implicit_gradient_oracle(np.full(300, alpha), z) / 1.7
    np.testing.assert_allclose(concentration.grad.numpy(), expected, rtol=2e-6)
    np.testing.assert_allclose(rate.grad.item(), (-x.detach().numpy() / 1.7).sum(), rtol=1e-12)


def test_torch_s_approximate_gradient_is_close_to_minigrad_s():
    """The same draws through torch._standard_gamma_grad: within torch's approximation error."""
    alpha = np.repeat([0.1, 1.0, 5.0, 50.0], 200)
    concentration = minigrad.tensor(alpha, requires_grad=True)
    minigrad.manual_seed(5)
    z = Gamma(concentration, 1.0).rsample()
    z.sum().backward()
    theirs = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(z.detach().numpy())).numpy()
    np.testing.assert_allclose(concentration.grad.numpy(), theirs, rtol=2e-3)


def test_gradient_of_a_float32_draw_is_float32():
    concentration = minigrad.tensor([0.5, 4.0], requires_grad=True)
    x = Gamma(concentration, minigrad.tensor([1.0, 2.0])).rsample((3,))
    x.sum().backward()
    assert x.dtype == concentration.grad.dtype == minigrad.float32
    assert bool(minigrad.isfinite(concentration.grad).all())


def test_a_gradient_with_create_graph_has_no_derivative_itself_as_in_torch():
    def program(lib):
        concentration = lib.tensor([0.5, 3.0], requires_grad=True)
        x = lib.distributions.Gamma(concentration, 1.0).rsample()
        (grad,) = lib.autograd.grad(x.sum(), concentration, create_graph=True)
        grad.sum().backward()

    mine, theirs = assert_raises_like_torch(program)
    assert str(mine) == str(theirs)


@pytest.mark.parametrize("alpha, beta", [(0.5, 2.0), (3.0, 0.5), (40.0, 4.0)])
def test_mean_and_variance_of_many_draws(alpha, beta):
    """Within 5 standard errors; the fourth central moment of Gamma(alpha, beta) is 3 alpha (alpha + 2) / beta^4."""
    n = 20000
    minigrad.manual_seed(0)
    draws = Gamma(alpha, beta).sample((n,)).numpy()
    mean, variance, fourth = alpha / beta, alpha / beta ** 2, 3 * alpha * (alpha + 2) / beta ** 4
    assert abs(draws.mean() - mean) < 5 * math.sqrt(variance / n)
    assert abs(draws.var() - variance) < 5 * math.sqrt((fourth - variance ** 2) / n)


def test_draws_shape_dtype_support_and_seed():
    d = Gamma(minigrad.tensor([0.01, 1.0, 30.0]), minigrad.tensor([1.0, 5.0, 0.1]))
    minigrad.manual_seed(2)
    draws = d.sample((400,))
    assert tuple(draws.shape) == (400, 3) and draws.dtype == minigrad.float32 and not draws.requires_grad
    assert bool((draws > 0).all())  # even draws of concentration 0.01, which underflow, stay positive
    assert bool(minigrad.isfinite(d.log_prob(draws)).all())
    minigrad.manual_seed(2)
    assert np.array_equal(d.sample((400,)).numpy(), draws.numpy())


ERRORS = {
    "negative concentration": lambda lib: lib.distributions.Gamma(lib.tensor([-1.0, 1.0]), 1.0),
    "zero rate": lambda lib: lib.distributions.Gamma(1.0, 0.0),
    "negative value": lambda lib: lib.distributions.Gamma(lib.ones(2), lib.ones(2)).log_prob(lib.tensor([1.0, -1.0])),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_repr_support_and_a_python_number_value():
    assert_same_as_torch(lambda lib: [repr(lib.distributions.Gamma(lib.ones(2), 2.0)).replace(lib.__name__, "lib"),
                                      repr(lib.distributions.Gamma.support), lib.distributions.Gamma.has_rsample,
                                      lib.distributions.Gamma(2.0, 3.0).log_prob(0.5)])
