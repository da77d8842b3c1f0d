"""Tensor.multinomial against torch: draws differ (each library has its own generator), so what is
compared is what does not depend on the generator: shapes, dtypes, which categories a row can and
must give, the frequencies the weights call for, and every error, message included."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing.parity import assert_raises_like_torch

torch = torch_or_skip()


@st.composite
def weights_with_zeros(draw):
    """(rows, categories) weights, each row with at least one positive weight and maybe some zeros."""
    rows, categories = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    values = np.array(draw(st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.0, 3.0]), min_size=rows * categories,
                                    max_size=rows * categories))).reshape(rows, categories)
    values[:, draw(st.integers(0, categories - 1))] = 2.0
    return values


@settings(max_examples=40)
@given(weights=weights_with_zeros(), one_row=st.booleans(), data=st.data())
def test_without_replacement_zero_weights_fill_the_draws_after_the_others(weights, one_row, data):
    weights = weights[0] if one_row else weights
    rows = weights.reshape(-1, weights.shape[-1])
    positive = (rows > 0).sum(axis=-1)
    n = data.draw(st.integers(1, weights.shape[-1]), label="num_samples")
    for lib in (minigrad, torch):
        lib.manual_seed(data.draw(st.integers(0, 999), label="seed"))
        draws = lib.tensor(weights).multinomial(n)
        assert draws.dtype == lib.int64 and tuple(draws.shape) == weights.shape[:-1] + (n,)
        for row, drawn, count in zip(rows, draws.numpy().reshape(-1, n), positive):
            assert len(set(drawn.tolist())) == n, lib.__name__                       # distinct
            first, rest = drawn[:count], drawn[count:]
            assert (row[first] > 0).all() and (row[rest] == 0).all(), lib.__name__  # nonzero ones first


def test_without_replacement_later_draws_follow_the_remaining_weights():
    """The second draw is j with probability sum over i != j of p_i p_j / (1 - p_i)."""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    second = np.array([sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j) for j in range(4)])
    minigrad.manual_seed(7)
    draws = minigrad.tensor(p).expand(40000, 4).multinomial(2).numpy()
    for position, expected in ((0, p), (1, second)):
        frequency = np.bincount(draws[:, position], minlength=4) / len(draws)
        assert (abs(frequency - expected) < 5 * np.sqrt(expected * (1 - expected) / len(draws))).all()


def test_with_replacement_each_row_follows_its_own_weights():
    weights = np.array([[0.0, 1.0, 0.0, 3.0, 0.0], [5.0, 0.0, 0.0, 0.0, 5.0], [1.0, 1.0, 1.0, 1.0, 6.0]])
    minigrad.manual_seed(11)
    draws = minigrad.tensor(weights, dtype=minigrad.float32).multinomial(20000, replacement=True).numpy()
    expected = weights / weights.sum(axis=1, keepdims=True)
    for row, p in zip(draws, expected):
        frequency = np.bincount(row, minlength=5) / len(row)
        assert (frequency[p == 0] == 0).all()
        assert (abs(frequency - p) < 5 * np.sqrt(p * (1 - p) / len(row)) + 1e-12).all()


def test_draws_are_reproducible_from_the_seed_and_the_generator():
    weights = minigrad.rand(6, 9)
    for replacement in (False, True):
        minigrad.manual_seed(3)
        first = weights.multinomial(5, replacement)
        minigrad.manual_seed(3)
        assert minigrad.equal(weights.multinomial(5, replacement), first)
        generator = minigrad.Generator().manual_seed(4)
        again = minigrad.Generator().manual_seed(4)
        assert minigrad.equal(weights.multinomial(5, replacement, generator=generator),
                              minigrad.multinomial(weights, 5, replacement, generator=again))


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("call", [
    lambda T: T.ones(2, 2, 2).multinomial(1),
    lambda T: T.ones(()).multinomial(1),
    lambda T: T.ones(2, 2, 2, dtype=T.int64).multinomial(0),
    lambda T: T.ones(3, dtype=T.int64).multinomial(1),
    lambda T: T.ones(3, dtype=T.bool).multinomial(1),
    lambda T: T.ones(3).multinomial(0),
    lambda T: T.tensor([-1.0, 1.0]).multinomial(0),
    lambda T: T.tensor([-1.0, 1.0]).multinomial(3),
    lambda T: T.ones(0).multinomial(1),
    lambda T: T.ones(0).multinomial(1, True),
    lambda T: T.ones(2, 0).multinomial(1, True),
    lambda T: T.ones(0).multinomial(2, True),
    lambda T: T.zeros(3).multinomial(1),
    lambda T: T.zeros(2, 3).multinomial(2, True),
    lambda T: T.tensor([[1.0, INF]]).multinomial(1),
    lambda T: T.tensor([[1.0, NAN]]).multinomial(2),
    lambda T: T.tensor([[-1.0, 2.0]]).multinomial(1, True),
    lambda T: T.tensor([[1.0, 2.0], [-1.0, 2.0]]).multinomial(2, True),
    lambda T: T.tensor([[1.0, 2.0], [NAN, INF]]).multinomial(2, True),
    lambda T: T.tensor([[1.0, 2.0], [INF, NAN]]).multinomial(2, True),
    lambda T: T.tensor([[0.0, 0.0], [-1.0, 2.0]]).multinomial(2, True),
    lambda T: T.tensor([[1.0, 2.0], [0.0, 0.0]]).multinomial(3, True),
])
def test_errors_are_torchs(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("bad", [True, 1.5])
def test_a_number_of_samples_that_is_no_int_is_refused_as_in_torch(bad):
    assert_raises_like_torch(lambda T: T.ones(3).multinomial(bad), same_message=True)


def test_an_input_without_rows_gives_no_draws_as_in_torch():
    for replacement, n in ((False, 2), (True, 1), (True, 3)):
        ours, theirs = (lib.ones(0, 3).multinomial(n, replacement) for lib in (minigrad, torch))
        assert tuple(ours.shape) == tuple(theirs.shape) == (0, n) and ours.dtype == minigrad.int64
