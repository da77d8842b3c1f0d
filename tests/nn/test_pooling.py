"""Max, average and adaptive (average and max) pooling, functions and layers, against torch."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import (assert_close, assert_function_matches_torch, assert_module_matches_torch,
                              assert_raises_like_torch, assert_same_as_torch, assert_same_structure, gradcheck,
                              torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional


@st.composite
def pool_cases(draw, dims, dilation=True):
    """Kernel, stride, padding (at most half the kernel, as torch requires), dilation, ceil_mode and a
    fitting input shape (batched or not)."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dil = tuple(draw(st.integers(1, 2)) if dilation else 1 for _ in range(dims))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dil)]
    spatial = tuple(draw(st.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 5)) for e, p in zip(extents, padding))
    lead = draw(st.sampled_from([(2,), (1, 3), (2, 2)]))
    case = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dil, ceil_mode=draw(st.booleans()),
                shape=lead + spatial, seed=draw(st.integers(0, 2**16)))
    # torch's max pooling backward writes outside the input for a window with no input element
    # (heap corruption); such windows are tested on their own, with a numerical oracle.
    assume(not _has_empty_window(case))
    return case


def _has_empty_window(case):
    """Whether some window of the pooling lies wholly in the padding (possible only with dilation)."""
    kernel, stride, padding, dilation = (case[k] for k in ("kernel_size", "stride", "padding", "dilation"))
    for size, k, s, p, d in zip(case["shape"][-len(kernel):], kernel, stride, padding, dilation):
        span = size + 2 * p - d * (k - 1) - 1
        count = (-(-span // s) if case["ceil_mode"] else span // s) + 1
        if case["ceil_mode"] and (count - 1) * s >= size + p:
            count -= 1
        for start in range(-p, -p + count * s, s):
            if not any(0 <= start + tap * d < size for tap in range(k)):
                return True
    return False


def _input(case, dtype="float64", values="normal"):
    rng = np.random.default_rng(case["seed"])
    if values == "ties":  # few distinct values: windows often hold several equal maxima
        return rng.integers(-2, 3, case["shape"]).astype(dtype)
    x = rng.standard_normal(case["shape"]).astype(dtype)
    if values == "special":  # whole windows of -inf next to padding, and NaNs that must propagate
        x[rng.random(x.shape) < 0.6] = -np.inf
        x[rng.random(x.shape) < 0.1] = np.nan
    return x


# The loss sum(out * g) over -inf outputs is NaN (NumPy warns); the gradients are still exact.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=40)
@given(pool_cases(2), st.sampled_from(["normal", "ties", "special"]))
def test_max_pool2d_matches_torch(case, values):
    kwargs = {k: case[k] for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode")}
    assert_function_matches_torch(lambda x: F.max_pool2d(x, return_indices=True, **kwargs),
                                  lambda x: TF.max_pool2d(x, return_indices=True, **kwargs),
                                  [_input(case, values=values)], seed=case["seed"])


# The loss sum(out * g) over -inf outputs is NaN (NumPy warns); the gradients are still exact.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=25)
@given(pool_cases(1), st.sampled_from(["normal", "ties", "special"]))
def test_max_pool1d_matches_torch(case, values):
    kwargs = {k: case[k][0] if isinstance(case[k], tuple) else case[k]
              for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode")}
    assert_function_matches_torch(lambda x: F.max_pool1d(x, return_indices=True, **kwargs),
                                  lambda x: TF.max_pool1d(x, return_indices=True, **kwargs),
                                  [_input(case, values=values)], seed=case["seed"])


@settings(max_examples=40)
@given(pool_cases(2, dilation=False), st.booleans(), st.sampled_from([None, 1, 3]))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor_override):
    kwargs = {k: case[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    kwargs.update(count_include_pad=count_include_pad, divisor_override=divisor_override)
    assert_function_matches_torch(lambda x: F.avg_pool2d(x, **kwargs), lambda x: TF.avg_pool2d(x, **kwargs),
                                  [_input(case)], seed=case["seed"])


@settings(max_examples=25)
@given(pool_cases(1, dilation=False), st.booleans())
def test_avg_pool1d_matches_torch(case, count_include_pad):
    kwargs = {k: case[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    kwargs.update(count_include_pad=count_include_pad)
    assert_function_matches_torch(lambda x: F.avg_pool1d(x, **kwargs), lambda x: TF.avg_pool1d(x, **kwargs),
                                  [_input(case)], seed=case["seed"])


@settings(max_examples=30)
@given(st.sampled_from([(2,), (1, 3), (2, 2)]), st.integers(1, 9), st.integers(1, 9),
       st.one_of(st.integers(1, 6), st.tuples(st.integers(1, 6), st.one_of(st.none(), st.integers(1, 6)))),
       st.integers(0, 2**16))
def test_adaptive_avg_pool2d_matches_torch(lead, height, width, output_size, seed):
    x = np.random.default_rng(seed).standard_normal(lead + (height, width))
    assert_function_matches_torch(lambda x: F.adaptive_avg_pool2d(x, output_size),
                                  lambda x: TF.adaptive_avg_pool2d(x, output_size), [x], seed=seed)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=30)
@given(st.sampled_from([(2,), (1, 3), (2, 2)]), st.integers(1, 9), st.integers(1, 9),
       st.one_of(st.integers(1, 6), st.tuples(st.integers(1, 6), st.one_of(st.none(), st.integers(1, 6)))),
       st.sampled_from(["normal", "ties", "special"]), st.integers(0, 2**16))
def test_adaptive_max_pool2d_matches_torch(lead, height, width, output_size, values, seed):
    x = _input(dict(seed=seed, shape=lead + (height, width)), values=values)
    assert_function_matches_torch(lambda x: F.adaptive_max_pool2d(x, output_size, return_indices=True),
                                  lambda x: TF.adaptive_max_pool2d(x, output_size, return_indices=True), [x], seed=seed)


@settings(max_examples=15)
@given(st.sampled_from([(2,), (1, 3)]), st.integers(1, 9), st.integers(1, 6), st.integers(0, 2**16))
def test_adaptive_max_pool1d_matches_torch(lead, length, output_size, seed):
    x = np.random.default_rng(seed).standard_normal(lead + (length,))
    assert_function_matches_torch(lambda x: F.adaptive_max_pool1d(x, output_size, return_indices=True),
                                  lambda x: TF.adaptive_max_pool1d(x, output_size, return_indices=True), [x], seed=seed)


@settings(max_examples=20)
@given(st.sampled_from([(2,), (1, 3), (2, 2)]), st.integers(1, 9), st.integers(1, 6), st.integers(0, 2**16))
def test_adaptive_avg_pool1d_matches_torch(lead, length, output_size, seed):
    x = np.random.default_rng(seed).standard_normal(lead + (length,))
    assert_function_matches_torch(lambda x: F.adaptive_avg_pool1d(x, output_size),
                                  lambda x: TF.adaptive_avg_pool1d(x, output_size), [x], seed=seed)


@settings(max_examples=20)
@given(pool_cases(2, dilation=False))
def test_pooling_layers_match_torch(case):
    x = _input(case)
    kernel, stride, padding = case["kernel_size"], case["stride"], case["padding"]
    pairs = [
        (torch.nn.MaxPool2d(kernel, stride, padding, ceil_mode=case["ceil_mode"]),
         nn.MaxPool2d(kernel, stride, padding, ceil_mode=case["ceil_mode"])),
        (torch.nn.AvgPool2d(kernel, stride, padding, case["ceil_mode"]),
         nn.AvgPool2d(kernel, stride, padding, case["ceil_mode"])),
        (torch.nn.AdaptiveAvgPool2d((2, None)), nn.AdaptiveAvgPool2d((2, None))),
        # 1-d layers pool the last axis of one row of x
        (torch.nn.MaxPool1d(kernel[1], stride[1], padding[1]), nn.MaxPool1d(kernel[1], stride[1], padding[1])),
        (torch.nn.AvgPool1d(kernel[1], stride[1], padding[1]), nn.AvgPool1d(kernel[1], stride[1], padding[1])),
        (torch.nn.AdaptiveAvgPool1d(3), nn.AdaptiveAvgPool1d(3)),
        (torch.nn.AdaptiveMaxPool2d((None, 2)), nn.AdaptiveMaxPool2d((None, 2))),
        (torch.nn.AdaptiveMaxPool1d(2, return_indices=True), nn.AdaptiveMaxPool1d(2, return_indices=True)),
    ]
    for torch_layer, layer in pairs:
        assert_same_structure(layer, torch_layer)
        inputs = [x[..., 0, :]] if "1d" in type(layer).__name__ else [x]
        assert_module_matches_torch(layer, torch_layer, inputs, seed=case["seed"], dtype="float64")


def test_default_reprs_match_torch():
    for build in (lambda m: m.MaxPool2d(2), lambda m: m.MaxPool2d((2, 3), 1, 1, 2, ceil_mode=True),
                  lambda m: m.MaxPool1d(3), lambda m: m.AvgPool2d(2), lambda m: m.AvgPool2d(3, 2, 1, True, False, 2),
                  lambda m: m.AvgPool1d(3), lambda m: m.AdaptiveAvgPool2d(3), lambda m: m.AdaptiveAvgPool1d(4)):
        assert repr(build(nn)) == repr(build(torch.nn))


@settings(max_examples=25)
@given(st.integers(2, 3), st.integers(1, 5), st.integers(1, 3), st.booleans(), st.integers(0, 2**16))
def test_max_pool_windows_wholly_in_padding_give_minus_inf_and_no_gradient(dilation, width, kernel_width, ceil_mode,
                                                                           seed):
    """Along the height (dilation - 1 rows, kernel 2, padding 1) the window starting in the padding
    steps over every row. torch gives such a window -inf and its usual index; its backward then
    writes out of bounds, so the gradient is checked against central differences instead."""
    x = np.random.default_rng(seed).standard_normal((2, 2, dilation - 1, width))
    kwargs = dict(kernel_size=(2, kernel_width), stride=1, padding=(1, kernel_width // 2), dilation=(dilation, 1),
                  ceil_mode=ceil_mode)
    out, indices = F.max_pool2d(minigrad.tensor(x), return_indices=True, **kwargs)
    expected, expected_indices = TF.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
    assert_close(out, expected)
    assert_close(indices, expected_indices)
    assert np.isneginf(out.numpy()).any()
    gradcheck(lambda t: F.max_pool2d(t, **kwargs).clamp_min(-1e3), [minigrad.tensor(x, requires_grad=True)])


def test_max_pool_of_integers_matches_torch():
    x = np.random.default_rng(0).integers(-5, 5, (2, 3, 7, 6))
    assert_function_matches_torch(lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True),
                                  lambda x: TF.max_pool2d(x, 3, 2, 1, return_indices=True), [x])


@pytest.mark.parametrize("name", ["adaptive_avg_pool2d", "adaptive_max_pool2d"])
def test_adaptive_pools_of_integers_are_refused_as_torch(name):
    """(avg_pool2d takes int64, as torch's does: see the test of its rounding below.)"""
    assert_same_as_torch(lambda T: getattr(T.nn.functional, name)(T.ones(1, 1, 4, 4, dtype=T.int64), 2))


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"])
def test_pooling_keeps_float32(name):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype("float32")
    out = getattr(F, name)(minigrad.tensor(x), 3)
    assert out.dtype == minigrad.float32
    assert_function_matches_torch(lambda x: getattr(F, name)(x, 3), lambda x: getattr(TF, name)(x, 3), [x],
                                  rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda lib, f: f.max_pool2d(lib.randn(2, 3, 5, 5), 3, padding=2),   # padding more than half the kernel
    lambda lib, f: f.max_pool2d(lib.randn(2, 3, 9, 9), (1, 3), padding=(0, 2), dilation=2),
    lambda lib, f: f.max_pool2d(lib.randn(2, 3, 2, 2), 3),              # output would be empty
    lambda lib, f: f.avg_pool2d(lib.randn(2, 3, 2, 2), 3),
    lambda lib, f: f.max_pool2d(lib.randn(2, 3, 5, 5), 2, stride=0),
    lambda lib, f: f.adaptive_avg_pool2d(lib.randn(2, 3, 4, 4), (3,)),
])
def test_errors_match_torch(call):
    assert_raises_like_torch(lambda lib: call(lib, lib.nn.functional), same_message=True)


@pytest.mark.parametrize("call", [
    lambda lib, f: f.max_pool2d(lib.randn(3), 2),
    lambda lib, f: f.avg_pool1d(lib.randn(3), 2),
    lambda lib, f: f.adaptive_avg_pool2d(lib.randn(3), 2),
])
def test_rank_errors_name_the_shape(call):
    with pytest.raises(RuntimeError):
        call(torch, TF)
    with pytest.raises(RuntimeError, match=r"\[3\]"):
        call(minigrad, F)


_INTEGER_PLANE = [[[[-5, 2, 7, 1], [3, -8, 0, 2], [1, 1, 1, 1], [9, 9, 9, 8]]]]


@pytest.mark.parametrize("program", [
    lambda T: T.nn.functional.avg_pool2d(T.tensor(_INTEGER_PLANE), 2),
    lambda T: T.nn.functional.avg_pool2d(T.tensor(_INTEGER_PLANE), 3, 1, 1, count_include_pad=False),
    lambda T: T.nn.functional.avg_pool1d(T.tensor(_INTEGER_PLANE[0]), 2),   # -1.5 rounds to -1
    lambda T: T.nn.functional.avg_pool2d(T.tensor(_INTEGER_PLANE), 2, divisor_override=3),
    lambda T: T.nn.functional.avg_pool2d(T.tensor(_INTEGER_PLANE), 3, ceil_mode=True),
    lambda T: T.nn.functional.avg_pool2d(T.tensor(_INTEGER_PLANE).to(T.int32), 2),   # int64 only
    lambda T: T.nn.functional.avg_pool2d(T.tensor(_INTEGER_PLANE).bool(), 2),
])
def test_average_pooling_of_int64_rounds_toward_zero_as_torch(program):
    assert_same_as_torch(program)
