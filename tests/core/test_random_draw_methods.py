"""Tensor.bernoulli and Tensor.multinomial: draws from minigrad's generator, so they are tested by
their properties (dtype, shape, support, seeding, frequencies) and their errors against torch's."""

import numpy as np
import pytest

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch

torch = torch_or_skip()


def test_bernoulli_method_draws_each_element_with_its_probability():
    probs = minigrad.tensor([[0.0, 1.0, 0.3]] * 20000, dtype=minigrad.float64)
    minigrad.manual_seed(3)
    draws = probs.bernoulli()
    assert draws.dtype == minigrad.float64 and draws.shape == probs.shape
    assert set(np.unique(draws.numpy())) <= {0.0, 1.0}
    frequency = draws.numpy().mean(axis=0)
    assert frequency[0] == 0 and frequency[1] == 1
    assert abs(frequency[2] - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 20000)       # four standard errors
    minigrad.manual_seed(3)
    assert minigrad.equal(minigrad.bernoulli(probs), draws)                # the function draws the same
    with_p = probs.bernoulli(0.5)
    assert abs(with_p.numpy().mean() - 0.5) < 4 * np.sqrt(0.25 / with_p.numel())


def test_multinomial_method_draws_indices_by_their_weights():
    weights = minigrad.tensor([[0.0, 1.0, 3.0], [2.0, 0.0, 0.0]])
    minigrad.manual_seed(5)
    draws = weights.multinomial(4000, replacement=True)
    assert draws.dtype == minigrad.int64 and draws.shape == (2, 4000)
    first = np.bincount(draws[0].numpy(), minlength=3) / 4000
    assert first[0] == 0 and abs(first[2] - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 4000)
    assert (draws[1] == 0).all()
    minigrad.manual_seed(5)
    assert minigrad.equal(minigrad.multinomial(weights, 4000, True), draws)
    unique = minigrad.tensor([1.0, 1.0, 1.0, 1.0]).multinomial(4)
    assert sorted(unique.tolist()) == [0, 1, 2, 3]                        # without replacement: each once


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.5]).bernoulli(),
    lambda lib: lib.tensor([1, 2]).bernoulli(),
    lambda lib: lib.tensor([0.5]).bernoulli(1.5),
    lambda lib: lib.tensor([[-1.0, 2.0]]).multinomial(1),
    lambda lib: lib.tensor([1.0, 1.0]).multinomial(3),
])
def test_draw_methods_refuse_what_torch_refuses(call):
    assert_raises_like_torch(call)


def test_draw_methods_give_torchs_dtypes_and_shapes():
    assert_same_as_torch(lambda lib: [str(t.dtype).rpartition(".")[2] for t in (
        lib.ones(2, 3).bernoulli(), lib.ones(2, 3, dtype=lib.float64).bernoulli(0.5),
        lib.ones(2, 3).multinomial(2))] + [list(lib.ones(4).multinomial(3).shape)])
