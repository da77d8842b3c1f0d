"""Gamma.cdf and Chi2 against torch.distributions."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@settings(max_examples=15, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_gamma_cdf_against_torch(data, dtype):
    """P(alpha, beta x): gradients to beta and x (none asked of alpha: torch has none)."""
    shapes = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3))
    alpha, beta, value = [data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)))
                          for shape, (low, high) in zip(shapes, [(0.2, 8.0), (0.2, 3.0), (0.01, 10.0)])]
    check_parity(data, lambda lib, a, b, v: lib.distributions.Gamma(a, b).cdf(v), [alpha, beta, value],
                 requires_grad=[False, data.draw(st.booleans()), True], dtype=dtype)


@settings(max_examples=15, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_chi2_against_torch(data, dtype):
    shapes = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3))
    df, value, df_q = [data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)))
                       for shape, (low, high) in zip(shapes, [(0.5, 10.0), (0.01, 15.0), (0.5, 10.0)])]

    def quantities(lib, df, value, df_q):
        p, q = lib.distributions.Chi2(df), lib.distributions.Chi2(df_q)
        expanded = p.expand((2,) + tuple(p.batch_shape))
        return (p.log_prob(value), p.entropy(), p.mean, p.mode, p.variance, p.df, list(p.batch_shape),
                lib.distributions.kl_divergence(p, q), lib.distributions.kl_divergence(p, lib.distributions.Gamma(df_q, 1.5)),
                expanded.df, type(expanded).__name__, p.concentration, p.rate)

    # entropy and KL hold digamma and lgamma, whose gradients torch gets to about 1e-9 (its trigamma)
    check_parity(data, quantities, [df, value, df_q], dtype=dtype,
                 grad_tolerances=(1e-6, 2e-7) if dtype == np.float64 else (1e-4, 1e-4))


def test_chi2_cdf_and_draws():
    """cdf through Gamma's; draws have Chi2's shape, positive values, and its mean df."""
    def program(lib):
        d = lib.distributions.Chi2(lib.tensor([1.0, 3.0, 7.5], dtype=lib.float64))
        return d.cdf(lib.tensor([0.5, 3.0, 9.0], dtype=lib.float64)), list(d.sample((4,)).shape)

    assert_same_as_torch(program, rtol=1e-12)
    minigrad.manual_seed(0)
    draws = minigrad.distributions.Chi2(minigrad.tensor([4.0, 9.0])).sample((20000,))
    assert (draws > 0).all()
    np.testing.assert_allclose(draws.mean(0).numpy(), [4.0, 9.0], rtol=0.03)


def test_chi2_with_a_number_and_errors():
    assert_same_as_torch(lambda lib: (list(lib.distributions.Chi2(3.0).batch_shape),
                                      lib.distributions.Chi2(3.0).df, lib.distributions.Chi2(3.0).log_prob(
                                          lib.tensor(2.0, dtype=lib.float64))), rtol=1e-7)
    assert_raises_like_torch(lambda lib: lib.distributions.Chi2(lib.tensor([-1.0, 2.0]), validate_args=True))
    assert_raises_like_torch(lambda lib: lib.distributions.Chi2(lib.tensor([1.0]), validate_args=True).cdf(
        lib.tensor([-1.0])))
    # the gradient of the cdf in the concentration (df) raises at backward, as in torch
    assert_raises_like_torch(lambda lib: lib.distributions.Chi2(lib.tensor([2.0], requires_grad=True)).cdf(
        lib.tensor([1.0])).sum().backward())
