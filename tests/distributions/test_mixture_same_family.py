"""MixtureSameFamily against torch.distributions, and its draws."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import Categorical, MixtureSameFamily, Normal
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@settings(max_examples=25)
@given(data=st.data(), k=st.integers(1, 3), dtype=st.sampled_from([np.float64, np.float32]),
       given_as=st.sampled_from(["probs", "logits"]))
def test_a_mixture_of_normals(data, k, dtype, given_as):
    """Mixture weights of a batch that broadcasts against the components' batch; values of a wider batch."""
    mix_batch, comp_batch, value_batch = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=2, max_side=3),
                                                   label="batch shapes")
    comp_batch = np.broadcast_shapes(mix_batch, comp_batch)  # the mixture's batch may not be the wider one
    low, high = (0.1, 2) if given_as == "probs" else (-2, 2)
    weights = data.draw(mst.arrays("float64", mix_batch + (k,), elements=mst.reals(low, high)), label="weights")
    loc = data.draw(mst.arrays("float64", comp_batch + (k,), elements=mst.reals(-2, 2)), label="loc")
    scale = data.draw(mst.arrays("float64", comp_batch + (k,), elements=mst.reals(0.3, 2)), label="scale")
    value = data.draw(mst.arrays("float64", value_batch, elements=mst.reals(-4, 4)), label="value")

    def quantities(lib, weights, loc, scale, value):
        d = lib.distributions
        mix = d.MixtureSameFamily(d.Categorical(**{given_as: weights}), d.Normal(loc, scale))
        wider = mix.expand((2,) + np.broadcast_shapes(tuple(mix.batch_shape), value.shape))
        return (mix.log_prob(value), mix.cdf(value), mix.mean, mix.variance, mix.stddev, list(mix.batch_shape),
                list(mix.event_shape), wider.log_prob(value), list(wider.batch_shape))

    check_parity(data, quantities, [weights, loc, scale, value], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), k=st.integers(1, 3), n=st.integers(1, 3))
def test_a_mixture_of_vector_distributions(data, k, n):
    """Components with events of size n (Independent Normals): the components' axis sits left of the event."""
    weights = data.draw(mst.arrays("float64", (2, k), elements=mst.reals(0.1, 2)), label="weights")
    loc = data.draw(mst.arrays("float64", (2, k, n), elements=mst.reals(-2, 2)), label="loc")
    scale = data.draw(mst.arrays("float64", (k, n), elements=mst.reals(0.3, 2)), label="scale")
    value = data.draw(mst.arrays("float64", (3, 1, n), elements=mst.reals(-3, 3)), label="value")

    def quantities(lib, weights, loc, scale, value):
        d = lib.distributions
        mix = d.MixtureSameFamily(d.Categorical(weights), d.Independent(d.Normal(loc, scale), 1))
        return (mix.log_prob(value), mix.mean, mix.variance, list(mix.batch_shape), list(mix.event_shape),
                repr(mix.support), mix.support.check(value), list(mix.sample((4,)).shape))

    check_parity(data, quantities, [weights, loc, scale, value])


def test_draws_of_a_mixture():
    """Mean and variance of many draws within 5 standard errors; the mixture's fourth central moment is
    sum_k pi_k E[(X_k - m)^4], and for X_k ~ N(mu_k, s_k^2), with d = mu_k - m, E[(X_k - m)^4] = d^4 + 6 d^2 s_k^2 + 3 s_k^4."""
    pi, mu, s = np.array([0.2, 0.5, 0.3]), np.array([-2.0, 0.5, 3.0]), np.array([0.5, 1.0, 0.3])
    n = 20000
    mix = MixtureSameFamily(Categorical(minigrad.tensor(pi)), Normal(minigrad.tensor(mu), minigrad.tensor(s)))
    minigrad.manual_seed(0)
    draws = mix.sample((n,)).numpy()
    mean = pi @ mu
    variance = pi @ (s ** 2 + (mu - mean) ** 2)
    d = mu - mean
    fourth = pi @ (d ** 4 + 6 * d ** 2 * s ** 2 + 3 * s ** 4)
    assert draws.shape == (n,) and draws.dtype == np.float64
    assert abs(draws.mean() - mean) < 5 * math.sqrt(variance / n)
    assert abs(draws.var() - variance) < 5 * math.sqrt((fourth - variance ** 2) / n)
    minigrad.manual_seed(0)
    assert np.array_equal(mix.sample((n,)).numpy(), draws)
    assert not mix.has_rsample


ERRORS = {
    "mixture not a Categorical": lambda lib: lib.distributions.MixtureSameFamily(
        lib.distributions.Normal(0.0, 1.0), lib.distributions.Normal(lib.zeros(2), 1.0)),
    "components not a distribution": lambda lib: lib.distributions.MixtureSameFamily(
        lib.distributions.Categorical(lib.ones(2)), lib.zeros(2)),
    "different numbers of components": lambda lib: lib.distributions.MixtureSameFamily(
        lib.distributions.Categorical(lib.ones(3)), lib.distributions.Normal(lib.zeros(2), 1.0)),
    "batches that do not broadcast": lambda lib: lib.distributions.MixtureSameFamily(
        lib.distributions.Categorical(lib.ones(3, 2)), lib.distributions.Normal(lib.zeros(4, 2), 1.0)),
    "value of the wrong event size": lambda lib: lib.distributions.MixtureSameFamily(
        lib.distributions.Categorical(lib.ones(2)),
        lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2, 3), 1.0), 1)).log_prob(lib.zeros(2)),
    "value outside the support": lambda lib: lib.distributions.MixtureSameFamily(
        lib.distributions.Categorical(lib.ones(2)), lib.distributions.Exponential(lib.ones(2))).log_prob(
        lib.tensor([-1.0])),
}

SAME_TEXT = {"different numbers of components", "batches that do not broadcast", "value of the wrong event size"}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    if name in SAME_TEXT:
        assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_repr_and_accessors():
    def program(lib):
        d = lib.distributions
        mix = d.MixtureSameFamily(d.Categorical(lib.ones(2)), d.Normal(lib.zeros(2), 1.0))
        return (repr(mix).replace(lib.__name__, "lib"), type(mix.mixture_distribution).__name__,
                type(mix.component_distribution).__name__, repr(d.constraints.MixtureSameFamilyConstraint(
                    d.constraints.positive)), d.constraints.MixtureSameFamilyConstraint(d.constraints.simplex).event_dim)

    assert_same_as_torch(program)
