"""local_response_norm, lp_pool1d/2d, pdist and channel_shuffle against torch: values, gradients
and grad_fn names in float64 over drawn shapes and options, float32 kept, the layers' repr, and
torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.testing import assert_function_matches_torch, assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@given(st.data(), st.integers(1, 3), st.integers(1, 6), st.lists(st.integers(1, 3), min_size=1, max_size=2),
       st.integers(1, 5), mst.reals(1e-3, 1), mst.reals(0.2, 1.5), mst.reals(0.5, 2))
@settings(max_examples=8)
def test_local_response_norm_matches_torch(data, batch, channels, spatial, size, alpha, beta, k):
    x = data.draw(mst.arrays("float64", (batch, channels, *spatial), mst.reals(-3, 3)))
    ours, theirs = nn.LocalResponseNorm(size, alpha, beta, k), torch.nn.LocalResponseNorm(size, alpha, beta, k)
    assert repr(ours) == repr(theirs)
    out = assert_function_matches_torch(ours, theirs, [x])
    assert out.grad_fn.name() == "DivBackward0"


@given(st.data(), st.sampled_from([1, 2, 3, 1.5]), st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=8)
def test_lp_pool2d_matches_torch(data, norm_type, batched, strided, ceil_mode):
    kernel = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3)) | st.integers(1, 2))
    stride = data.draw(st.integers(1, 2)) if strided else None
    shape = (2, 3, 4, 5) if batched else (3, 4, 5)
    x = data.draw(mst.arrays("float64", shape, mst.reals(0.1, 3) if norm_type == 1.5 else mst.reals(-3, 3)))
    ours = nn.LPPool2d(norm_type, kernel, stride, ceil_mode)
    theirs = torch.nn.LPPool2d(norm_type, kernel, stride, ceil_mode)
    assert repr(ours) == repr(theirs)
    out = assert_function_matches_torch(ours, theirs, [x])
    assert out.grad_fn.name() == "PowBackward0"


@given(st.data(), st.sampled_from([1, 2, 3]), st.integers(1, 3), st.sampled_from([None, 1, 2]), st.booleans())
@settings(max_examples=6)
def test_lp_pool1d_matches_torch(data, norm_type, kernel, stride, ceil_mode):
    shape = data.draw(st.sampled_from([(2, 3, 5), (3, 4)]))
    x = data.draw(mst.arrays("float64", shape, mst.reals(-3, 3)))
    ours = nn.LPPool1d(norm_type, kernel, stride, ceil_mode)
    theirs = torch.nn.LPPool1d(norm_type, kernel, stride, ceil_mode)
    assert repr(ours) == repr(theirs)
    assert_function_matches_torch(ours, theirs, [x])


def test_windows_of_zeros_get_torchs_gradient():
    x = np.zeros((1, 2, 4, 4))
    x[0, 1] = np.arange(16).reshape(4, 4) - 5
    assert_function_matches_torch(lambda t: minigrad.nn.functional.lp_pool2d(t, 2, 2),
                                  lambda t: torch.nn.functional.lp_pool2d(t, 2, 2), [x])
    assert_function_matches_torch(lambda t: minigrad.nn.functional.local_response_norm(t, 2),
                                  lambda t: torch.nn.functional.local_response_norm(t, 2), [x])


@given(st.data(), st.integers(1, 5), st.integers(0, 4), st.sampled_from([0, 0.5, 1, 1.5, 2, 3, np.inf]),
       st.booleans())
@settings(max_examples=15)
def test_pdist_matches_torch(data, rows, columns, p, repeated):
    # (no input of 0 rows: torch's backward crashes on one)
    # small integers: equal rows (distance 0) and ties for the largest difference are common
    elements = st.integers(-2, 2).map(float) if repeated else mst.reals(-3, 3)
    x = data.draw(mst.arrays("float64", (rows, columns), elements))
    check_parity(data, lambda lib, t: lib.pdist(t, p), [x], requires_grad=[True])
    if rows > 1:
        assert minigrad.pdist(minigrad.tensor(x, requires_grad=True), p).grad_fn.name() == "PdistBackward0"


@given(st.data(), st.integers(1, 3), st.sampled_from([(6, 1), (6, 2), (6, 3), (4, 4), (5, 5)]),
       st.lists(st.integers(1, 3), max_size=2))
@settings(max_examples=6)
def test_channel_shuffle_matches_torch(data, batch, channels_groups, spatial):
    channels, groups = channels_groups
    x = data.draw(mst.arrays("float64", (batch, channels, 1, *spatial), mst.reals(-3, 3)))
    check_parity(data, lambda lib, t: lib.nn.functional.channel_shuffle(t, groups), [x], requires_grad=[True])
    out = nn.ChannelShuffle(groups)(minigrad.tensor(x, requires_grad=True))
    assert out.grad_fn.name() == "ChannelShuffleBackward0"
    assert repr(nn.ChannelShuffle(groups)) == repr(torch.nn.ChannelShuffle(groups))


def test_float32_stays_float32():
    x = minigrad.rand(2, 4, 6, 6)
    for out in (nn.LocalResponseNorm(3)(x), nn.LPPool2d(2, 2)(x), nn.LPPool1d(3, 2)(x[0]),
                minigrad.pdist(x[0, 0]), nn.ChannelShuffle(2)(x)):
        assert out.dtype is minigrad.float32


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.local_response_norm(lib.ones(2, 3), 2),
    lambda lib: lib.nn.functional.lp_pool1d(lib.ones(2, 6, 3), 2, 5),
    lambda lib: lib.nn.functional.lp_pool2d(lib.ones(2, 3, 4, 4), 0, 2),
    lambda lib: lib.pdist(lib.ones(4, 3, 2)),
    lambda lib: lib.pdist(lib.ones(4, 3), -1),
    lambda lib: lib.pdist(lib.ones(3, 2, dtype=lib.int64)),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6), 3),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6, 3), 4),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6, 3), 0),
    lambda lib: lib.nn.functional.channel_shuffle(lib.ones(2, 6, 3), 2.0),
])
def test_errors_match_torch(call):
    mine, theirs = assert_raises_like_torch(call)
    complaint = " ".join(str(theirs).split(",")[0].split(":")[0].split())  # (torch's LRN message has stray spaces)
    assert complaint in str(mine)  # the same complaint, perhaps with more detail


def test_channel_shuffle_keeps_integers_and_lr_norm_passes_an_empty_input():
    for lib in (minigrad, torch):
        out = lib.nn.functional.channel_shuffle(lib.arange(12).reshape(2, 6, 1), 2)
        assert out.reshape(-1).tolist() == [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]
        empty = lib.ones(0, 3, 2)
        assert lib.nn.functional.local_response_norm(empty, 2) is empty
