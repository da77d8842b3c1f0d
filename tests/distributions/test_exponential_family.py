"""ExponentialFamily against torch: which families are ones, and the entropy and KL that follow from
each family's natural parameters and log normaliser alone (the Bregman forms), with gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

# family: (ranges of its parameters, how to build it from them, whether it has E[log h(X)] for the entropy)
FAMILIES = {
    "Normal": ([(-2, 2), (0.3, 2)], lambda d, a, b: d.Normal(a, b), True),
    "Bernoulli": ([(0.05, 0.95)], lambda d, a: d.Bernoulli(a), True),
    "Exponential": ([(0.2, 3)], lambda d, a: d.Exponential(a), True),
    "Gamma": ([(0.3, 4), (0.3, 3)], lambda d, a, b: d.Gamma(a, b), True),
    "Beta": ([(0.3, 4), (0.3, 4)], lambda d, a, b: d.Beta(a, b), False),
    "Poisson": ([(0.2, 5)], lambda d, a: d.Poisson(a), False),
}

# Gradients of the Bregman forms of Gamma and Beta contain trigamma, which torch computes to about 1e-9
# relative (see test_gamma.py): compared to an absolute 2e-7 in float64, 1e-4 in float32.
GRAD_TOLERANCES = {np.float64: (1e-6, 2e-7), np.float32: (1e-4, 1e-4)}


@pytest.mark.parametrize("family", sorted(FAMILIES))
@settings(max_examples=10)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_bregman_entropy_and_kl(data, family, dtype):
    ranges, build, has_entropy = FAMILIES[family]
    shape = data.draw(mst.shapes(max_dims=2, max_side=3), label="shape")
    params = [data.draw(mst.arrays("float64", shape, elements=mst.reals(*r)), label="param") for r in ranges * 2]

    def quantities(lib, *params):
        d = lib.distributions
        half = len(params) // 2
        p, q = build(d, *params[:half]), build(d, *params[half:])
        bregman_kl = d.kl._kl_expfamily_expfamily(p, q)
        if has_entropy:
            return bregman_kl, d.ExponentialFamily.entropy(p)
        return bregman_kl

    check_parity(data, quantities, params, dtype=dtype, grad_tolerances=GRAD_TOLERANCES[dtype])


@settings(max_examples=10)
@given(data=st.data(), k=st.integers(1, 4))
def test_bregman_kl_of_dirichlets(data, k):
    p = data.draw(mst.arrays("float64", (2, k), elements=mst.reals(0.3, 4)), label="p")
    q = data.draw(mst.arrays("float64", (k,), elements=mst.reals(0.3, 4)), label="q")

    def kl(lib, p, q):
        d = lib.distributions
        return d.kl._kl_expfamily_expfamily(d.Dirichlet(p), d.Dirichlet(q))

    check_parity(data, kl, [p, q], grad_tolerances=GRAD_TOLERANCES[np.float64])


def test_which_families_are_exponential():
    def program(lib):
        d = lib.distributions
        instances = [d.Normal(0.0, 1.0), d.Bernoulli(0.5), d.Exponential(1.0), d.Gamma(1.0, 1.0), d.Beta(1.0, 1.0),
                     d.Dirichlet(lib.ones(2)), d.Poisson(1.0), d.Laplace(0.0, 1.0), d.Uniform(0.0, 1.0),
                     d.Categorical(lib.ones(2)), d.Geometric(0.5), d.Binomial(2, lib.tensor(0.5)),
                     d.LogNormal(0.0, 1.0), d.MultivariateNormal(lib.zeros(2), lib.eye(2))]
        return [[type(x).__name__, isinstance(x, d.ExponentialFamily)] for x in instances]

    assert_same_as_torch(program)


CROSS = {
    "Normal, Bernoulli": lambda d: (d.Normal(0.0, 1.0), d.Bernoulli(0.5)),
    "Poisson, Gamma": lambda d: (d.Poisson(1.0), d.Gamma(1.0, 1.0)),
    "Beta, Poisson": lambda d: (d.Beta(1.0, 1.0), d.Poisson(1.0)),
}


@pytest.mark.parametrize("pair", sorted(CROSS))
def test_kl_across_exponential_families_raises_as_torch(pair):
    """The same message, up to the run of spaces a line continuation leaves in torch's."""
    mine, theirs = assert_raises_like_torch(lambda lib: lib.distributions.kl_divergence(*CROSS[pair](lib.distributions)))
    assert str(mine).split() == str(theirs).split()


def test_poisson_has_no_entropy_as_in_torch():
    assert_raises_like_torch(lambda lib: lib.distributions.Poisson(lib.ones(2)).entropy())
