"""The window functions against torch: values in float64 and float32, periodic and symmetric,
the lengths 0 and 1, the dtype and requires_grad keywords, and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch

torch = torch_or_skip()

# name -> the extra positional arguments drawn after (window_length, periodic)
WINDOWS = {
    "hann_window": st.just(()),
    "bartlett_window": st.just(()),
    "blackman_window": st.just(()),
    "hamming_window": st.just(()) | st.tuples(st.floats(0.0, 1.0)) | st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    "kaiser_window": st.just(()) | st.tuples(st.floats(-20.0, 20.0)),
}


@given(data=st.data(), name=st.sampled_from(sorted(WINDOWS)), length=st.integers(0, 40), periodic=st.booleans(),
       dtype=st.sampled_from(["float64", "float32"]))
@settings(max_examples=80)
def test_windows_match_torch(data, name, length, periodic, dtype):
    extra = data.draw(WINDOWS[name], label="alpha, beta")
    mine = getattr(minigrad, name)(length, periodic, *extra, dtype=getattr(minigrad, dtype))
    theirs = getattr(torch, name)(length, periodic, *extra, dtype=getattr(torch, dtype))
    # float32: torch computes in float32, minigrad in float64 then rounds; values lie in [0, 1], so an
    # absolute tolerance of a few float32 steps of 1 covers both roundings
    assert_close(mine, theirs, **({"rtol": 1e-12, "atol": 1e-14} if dtype == "float64" else {"rtol": 1e-6, "atol": 1e-6}))


def test_a_periodic_window_is_the_symmetric_window_one_longer_without_its_last_point():
    for name in WINDOWS:
        periodic = getattr(minigrad, name)(8, dtype=minigrad.float64)
        symmetric = getattr(minigrad, name)(9, periodic=False, dtype=minigrad.float64)
        assert_close(periodic, symmetric[:8], what=name)


def test_the_default_dtype_and_requires_grad_as_in_torch():
    def program(lib):
        results = []
        for name in WINDOWS:
            made = getattr(lib, name)
            w, g = made(4), made(3, False, dtype=lib.float64, requires_grad=True)
            results.append((str(w.dtype)[-7:], w.requires_grad, str(g.dtype)[-7:], g.requires_grad, g.is_leaf))
        return results

    assert_same_as_torch(program)


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("call", [
    lambda window, lib: window(-1),
    lambda window, lib: window(3.0),
    lambda window, lib: window(3, dtype=lib.int64),
    lambda window, lib: window(3, dtype=lib.bool),
], ids=["negative length", "float length", "integer dtype", "bool dtype"])
def test_window_errors_match_torch(name, call):
    mine, theirs = assert_raises_like_torch(lambda lib: call(getattr(lib, name), lib))
    assert name in str(mine)


def test_kaiser_window_ends_at_one_over_i0_of_beta():
    beta = 5.0
    w = minigrad.kaiser_window(7, periodic=False, beta=beta, dtype=minigrad.float64)
    assert w[0].item() == pytest.approx(1 / np.i0(beta), rel=1e-12) and w[3].item() == 1.0
