"""Poisson, Geometric and Binomial against torch.distributions, and their draws."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import Binomial, Geometric, Poisson
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))

DTYPES = st.sampled_from([np.float64, np.float32])


def _counts(data, shape, high, label):
    return data.draw(mst.arrays("float64", shape, elements=st.integers(0, high).map(float)), label=label)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_poisson_against_torch(data, dtype):
    rate_shape, value_shape, q_shape = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3),
                                                 label="shapes")
    rate = data.draw(mst.arrays("float64", rate_shape, elements=mst.reals(0.1, 6)), label="rate")
    q_rate = data.draw(mst.arrays("float64", q_shape, elements=mst.reals(0.1, 6)), label="q rate")
    value = _counts(data, value_shape, 9, "value")

    def quantities(lib, rate, value, q_rate):
        p, q = lib.distributions.Poisson(rate), lib.distributions.Poisson(q_rate)
        return (p.log_prob(value), p.mean, p.mode, p.variance, p.stddev, lib.distributions.kl_divergence(p, q),
                list(p.batch_shape), _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [rate, value, q_rate], dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]))
def test_geometric_against_torch(data, dtype, given_as):
    param_shape, value_shape, q_shape = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3),
                                                  label="shapes")
    low, high = (0.05, 0.95) if given_as == "probs" else (-3, 3)
    param = data.draw(mst.arrays("float64", param_shape, elements=mst.reals(low, high)), label=given_as)
    q_param = data.draw(mst.arrays("float64", q_shape, elements=mst.reals(low, high)), label="q")
    value = _counts(data, value_shape, 7, "value")

    def quantities(lib, param, value, q_param):
        p = lib.distributions.Geometric(**{given_as: param})
        q = lib.distributions.Geometric(**{given_as: q_param})
        return (p.log_prob(value), p.entropy(), p.mean, p.mode, p.variance, p.probs, p.logits,
                lib.distributions.kl_divergence(p, q), list(p.batch_shape),
                _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [param, value, q_param], dtype=dtype)


def test_geometric_of_certain_success():
    """p = 1: x = 0 has log probability 0 (not 0 * log 0), any other x -inf."""
    def quantities(lib, p, value):
        return lib.distributions.Geometric(p).log_prob(value)

    @settings(max_examples=5)
    @given(data=st.data())
    def run(data):
        check_parity(data, quantities, [np.array([1.0, 1.0, 0.5]), np.array([0.0, 2.0, 0.0])])

    run()


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]))
def test_binomial_against_torch(data, dtype, given_as):
    """Counts k <= n broadcast with n; q's n is p's or less (KL inf where less)."""
    n_shape, param_shape, q_shape = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3),
                                              label="shapes")
    low, high = (0.05, 0.95) if given_as == "probs" else (-3, 3)
    n = _counts(data, n_shape, 6, "n")
    param = data.draw(mst.arrays("float64", param_shape, elements=mst.reals(low, high)), label=given_as)
    q_param = data.draw(mst.arrays("float64", q_shape, elements=mst.reals(low, high)), label="q")
    fraction = data.draw(mst.arrays("float64", np.broadcast_shapes(n_shape, param_shape),
                                    elements=mst.reals(0, 1)), label="fraction")
    value = np.asarray(np.floor(fraction * n))
    q_n = np.asarray(np.maximum(n - _counts(data, n_shape, 1, "q fewer"), 0))

    def quantities(lib, n, param, value, q_n, q_param):
        d = lib.distributions
        p = d.Binomial(n, **{given_as: param})
        return (p.log_prob(value), p.mean, p.mode, p.variance, p.probs, p.logits, list(p.batch_shape),
                d.kl_divergence(p, d.Binomial(q_n, **{given_as: q_param})), repr(p.support).replace(lib.__name__, "lib"),
                _expanded_to(p, value).log_prob(value))

    check_parity(data, quantities, [n, param, value, q_n, q_param], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), n=st.integers(0, 6), dtype=DTYPES)
def test_binomial_entropy_and_support_with_one_total_count(data, n, dtype):
    shape = data.draw(mst.shapes(max_dims=2, max_side=3), label="shape")
    probs = data.draw(mst.arrays("float64", shape, elements=mst.reals(0.05, 0.95)), label="probs")

    def quantities(lib, probs):
        d = lib.distributions.Binomial(n, probs)
        return d.entropy(), d.enumerate_support(), d.enumerate_support(expand=False)

    check_parity(data, quantities, [probs], dtype=dtype)


N = 20000

# name: (distribution, mean, variance, excess kurtosis)
CASES = {
    "Poisson": (lambda: Poisson(3.5), 3.5, 3.5, 1 / 3.5),
    "Geometric": (lambda: Geometric(0.3), 0.7 / 0.3, 0.7 / 0.09, 6 + 0.09 / 0.7),
    "Binomial": (lambda: Binomial(12, minigrad.tensor(0.35)), 12 * 0.35, 12 * 0.35 * 0.65,
                 (1 - 6 * 0.35 * 0.65) / (12 * 0.35 * 0.65)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mean_and_variance_of_many_draws(name):
    """Within 5 standard errors; the fourth central moment is (excess kurtosis + 3) variance^2."""
    make, mean, variance, excess_kurtosis = CASES[name]
    minigrad.manual_seed(0)
    draws = make().sample((N,)).numpy().astype(np.float64)
    fourth = (excess_kurtosis + 3) * variance ** 2
    assert abs(draws.mean() - mean) < 5 * math.sqrt(variance / N)
    assert abs(draws.var() - variance) < 5 * math.sqrt((fourth - variance ** 2) / N)


@pytest.mark.parametrize("make", [lambda: Poisson(minigrad.tensor([0.0, 0.5, 30.0])),
                                  lambda: Geometric(minigrad.tensor([1.0, 0.5, 0.01])),
                                  lambda: Binomial(minigrad.tensor([0.0, 3.0, 50.0]), minigrad.tensor([0.5, 1.0, 0.2]))])
def test_draws_shape_dtype_support_and_seed(make):
    d = make()
    minigrad.manual_seed(8)
    draws = d.sample((300,))
    assert tuple(draws.shape) == (300, 3) and draws.dtype == minigrad.float32 and not draws.requires_grad
    assert bool(d.support.check(draws).all())
    minigrad.manual_seed(8)
    assert np.array_equal(d.sample((300,)).numpy(), draws.numpy())


ERRORS = {
    "negative rate": lambda lib: lib.distributions.Poisson(lib.tensor([-1.0, 1.0])),
    "poisson value not a count": lambda lib: lib.distributions.Poisson(lib.ones(2)).log_prob(lib.tensor([0.5, 1.0])),
    "poisson negative value": lambda lib: lib.distributions.Poisson(lib.ones(2)).log_prob(lib.tensor([-1.0, 1.0])),
    "geometric probs zero": lambda lib: lib.distributions.Geometric(lib.tensor([0.0, 0.5])),
    "geometric probs above one": lambda lib: lib.distributions.Geometric(lib.tensor([1.5])),
    "geometric probs and logits": lambda lib: lib.distributions.Geometric(lib.tensor(0.5), lib.tensor(0.5)),
    "geometric value not a count": lambda lib: lib.distributions.Geometric(0.5).log_prob(lib.tensor(1.5)),
    "binomial negative count": lambda lib: lib.distributions.Binomial(lib.tensor([-1.0, 2.0]), lib.tensor([0.5, 0.5])),
    "binomial fractional count": lambda lib: lib.distributions.Binomial(lib.tensor([2.5]), lib.tensor([0.5])),
    "binomial neither": lambda lib: lib.distributions.Binomial(3),
    "binomial value above the count": lambda lib: lib.distributions.Binomial(3, lib.tensor([0.5])).log_prob(
        lib.tensor([4.0])),
    "binomial kl with q's count larger": lambda lib: lib.distributions.kl_divergence(
        lib.distributions.Binomial(2, lib.tensor([0.5])), lib.distributions.Binomial(3, lib.tensor([0.5]))),
    "binomial entropy of mixed counts": lambda lib: lib.distributions.Binomial(
        lib.tensor([2.0, 3.0]), lib.tensor([0.5, 0.5])).entropy(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_reprs_flags_and_supports():
    assert_same_as_torch(lambda lib: [
        repr(lib.distributions.Poisson(2.0)), repr(lib.distributions.Geometric(logits=lib.zeros(2))).replace(
            lib.__name__, "lib"),
        repr(lib.distributions.Binomial(4, lib.tensor(0.5))), repr(lib.distributions.Poisson.support),
        repr(lib.distributions.Geometric.support), repr(lib.distributions.Binomial(4, lib.tensor(0.5)).support),
        [c.has_rsample for c in (lib.distributions.Poisson, lib.distributions.Geometric, lib.distributions.Binomial)],
        lib.distributions.Binomial.has_enumerate_support, lib.distributions.Poisson(lib.ones(2)).log_prob(
            lib.tensor([1.0, 2.0]))])
