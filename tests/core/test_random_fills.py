"""exponential_, geometric_, cauchy_ and log_normal_: draws from minigrad's generator, which cannot
equal torch's, so they are tested by their support, dtype, shape and seeding, by their moments
within bounds derived from the sample size, and by their errors and graph nodes against torch's."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch

torch = torch_or_skip()

N = 20000  # draws per moment check; each bound is five standard errors of the statistic


def _draws(fill, dtype=minigrad.float64, seed=0):
    minigrad.manual_seed(seed)
    out = fill(minigrad.zeros(N, dtype=dtype))
    return out.numpy().astype(np.float64)


@given(lambd=st.floats(0.1, 10.0), seed=st.integers(0, 2 ** 16))
@settings(max_examples=5)
def test_exponential_draws_have_mean_and_spread_one_over_lambda(lambd, seed):
    draws = _draws(lambda t: t.exponential_(lambd), seed=seed)
    assert (draws >= 0).all()
    scale = 1 / lambd                                                # the mean and the standard deviation
    assert abs(draws.mean() - scale) < 5 * scale / math.sqrt(N)
    assert abs(draws.std() - scale) < 5 * scale * math.sqrt(2) / math.sqrt(N)  # (excess kurtosis 6: sd of s ~ sqrt(2) s / sqrt(n))


@given(p=st.floats(0.05, 0.95), seed=st.integers(0, 2 ** 16))
@settings(max_examples=5)
def test_geometric_draws_count_trials_up_to_the_first_success(p, seed):
    draws = _draws(lambda t: t.geometric_(p), seed=seed)
    assert (draws >= 1).all() and (draws == np.round(draws)).all()
    assert abs(draws.mean() - 1 / p) < 5 * math.sqrt((1 - p) / p ** 2 / N)
    # P(X = 1) = p: the share of first-trial successes
    assert abs((draws == 1).mean() - p) < 5 * math.sqrt(p * (1 - p) / N)


@given(median=st.floats(-5.0, 5.0), sigma=st.floats(0.1, 5.0), seed=st.integers(0, 2 ** 16))
@settings(max_examples=5)
def test_cauchy_draws_have_their_median_and_half_of_them_within_sigma(median, sigma, seed):
    """A Cauchy distribution has no mean; its median and quartiles (median -+ sigma) are checked."""
    draws = _draws(lambda t: t.cauchy_(median, sigma), seed=seed)
    # the sample median's standard error: 1 / (2 density(median) sqrt(n)), the density there 1 / (pi sigma)
    assert abs(np.median(draws) - median) < 5 * math.pi * sigma / (2 * math.sqrt(N))
    within = (np.abs(draws - median) < sigma).mean()
    assert abs(within - 0.5) < 5 * math.sqrt(0.25 / N)


@given(mean=st.floats(-2.0, 2.0), std=st.floats(0.1, 2.0), seed=st.integers(0, 2 ** 16))
@settings(max_examples=5)
def test_log_normal_draws_have_normal_logarithms(mean, std, seed):
    draws = _draws(lambda t: t.log_normal_(mean, std), seed=seed)
    assert (draws > 0).all()
    logs = np.log(draws)
    assert abs(logs.mean() - mean) < 5 * std / math.sqrt(N)
    assert abs(logs.std() - std) < 5 * std / math.sqrt(2 * N)


FILLS = {
    "exponential_": lambda t, **g: t.exponential_(2.0, **g),
    "geometric_": lambda t, **g: t.geometric_(0.3, **g),
    "cauchy_": lambda t, **g: t.cauchy_(1.0, 2.0, **g),
    "log_normal_": lambda t, **g: t.log_normal_(0.0, 0.5, **g),
}


@pytest.mark.parametrize("name", sorted(FILLS))
def test_fills_are_in_place_seeded_and_keep_the_dtype(name):
    fill = FILLS[name]
    for dtype in (minigrad.float32, minigrad.float64):
        t = minigrad.zeros(3, 4, dtype=dtype)
        version = t._version
        assert fill(t) is t and t.dtype == dtype and t.shape == (3, 4) and t._version == version + 1
    minigrad.manual_seed(7)
    first = fill(minigrad.zeros(50))
    minigrad.manual_seed(7)
    assert minigrad.equal(fill(minigrad.zeros(50)), first)
    mine, other = minigrad.Generator().manual_seed(3), minigrad.Generator().manual_seed(3)
    assert minigrad.equal(fill(minigrad.zeros(50), generator=mine), fill(minigrad.zeros(50), generator=other))
    assert not minigrad.equal(fill(minigrad.zeros(50), generator=mine), fill(minigrad.zeros(50), generator=mine))


def test_geometric_fills_integer_tensors_as_torch_does():
    def program(lib):
        t = lib.zeros(100, dtype=lib.int64).geometric_(0.5)
        return str(t.dtype)[-5:], bool((t >= 1).all())

    assert_same_as_torch(program)


@pytest.mark.parametrize("name", sorted(FILLS))
def test_a_fill_on_a_tensor_in_the_graph_is_its_node_and_passes_no_gradient(name):
    def program(lib):
        x = lib.ones(3, requires_grad=True)
        y = FILLS[name](x * 2)
        (y * 3).sum().backward()
        return y.grad_fn.name(), y.requires_grad, x.grad

    assert_same_as_torch(program)


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(3).exponential_(0.0),
    lambda lib: lib.zeros(3).exponential_(-1.0),
    lambda lib: lib.zeros(3).exponential_(float("nan")),
    lambda lib: lib.zeros(3).geometric_(0.0),
    lambda lib: lib.zeros(3).geometric_(1.0),
    lambda lib: lib.zeros(3).geometric_(-0.5),
    lambda lib: lib.zeros(3).cauchy_(0.0, 0.0),
    lambda lib: lib.zeros(3).cauchy_(0.0, -1.0),
    lambda lib: lib.zeros(3).log_normal_(0.0, 0.0),
    lambda lib: lib.zeros(3).log_normal_(0.0, -1.0),
    lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(2.0),
    lambda lib: lib.zeros(3, dtype=lib.bool).exponential_(2.0),
    lambda lib: lib.zeros(3, dtype=lib.int32).cauchy_(),
    lambda lib: lib.zeros(3, dtype=lib.uint8).cauchy_(),
    lambda lib: lib.zeros(3, dtype=lib.int64).log_normal_(),
    lambda lib: lib.zeros(3, dtype=lib.bool).geometric_(0.5),
    lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(0.0),
    lambda lib: lib.zeros(3, requires_grad=True).exponential_(),
    lambda lib: lib.zeros(3, requires_grad=True).geometric_(0.5),
])
def test_fill_errors_match_torch(call):
    assert_raises_like_torch(call, same_message=True)
