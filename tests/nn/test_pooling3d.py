"""3-d pooling against torch on tiny volumes: max (with indices), average, adaptive average and max,
power-average (lp) and max unpooling, as functions, layers and torch.max_pool3d; values, indices,
gradients, grad_fn names, dtypes, reprs and errors."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import (assert_function_matches_torch, assert_module_matches_torch, assert_raises_like_torch,
                              assert_same_as_torch, assert_same_structure, torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional

LEADS = [(2,), (1, 2), (2, 1)]   # unbatched (C,), or (N, C)


@st.composite
def pool3d_cases(draw, dilation=True):
    """Kernel, stride, padding (at most half the kernel, as torch requires), dilation (or none, for
    average pooling), ceil_mode and a small input volume that fits them."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    dil = tuple(draw(st.integers(1, 2)) if dilation else 1 for _ in range(3))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dil)]
    # Average pooling in 3-d wants the input at least as large as the kernel, padding or not.
    smallest = kernel if not dilation else tuple(max(1, e - 2 * p) for e, p in zip(extents, padding))
    spatial = tuple(draw(st.integers(low, low + 2)) for low in smallest)
    case = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dil, ceil_mode=draw(st.booleans()),
                shape=draw(st.sampled_from(LEADS)) + spatial, seed=draw(st.integers(0, 2**16)))
    # torch's max pooling backward writes outside the input for a window with no input element
    # (possible only with dilation); the 2-d tests check such windows against a numerical oracle.
    assume(not _has_empty_window(case))
    return case


def _has_empty_window(case):
    for size, k, s, p, d in zip(case["shape"][-3:], case["kernel_size"], case["stride"], case["padding"],
                                case["dilation"]):
        span = size + 2 * p - d * (k - 1) - 1
        count = (-(-span // s) if case["ceil_mode"] else span // s) + 1
        if case["ceil_mode"] and (count - 1) * s >= size + p:
            count -= 1
        if any(not any(0 <= start + tap * d < size for tap in range(k)) for start in range(-p, -p + count * s, s)):
            return True
    return False


def _input(shape, seed, dtype="float64", values="normal"):
    rng = np.random.default_rng(seed)
    if values == "ties":  # few distinct values: windows often hold several equal maxima
        return rng.integers(-2, 3, shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    if values == "special":  # -inf next to padding, and NaNs that must propagate
        x[rng.random(x.shape) < 0.5] = -np.inf
        x[rng.random(x.shape) < 0.1] = np.nan
    return x


def _same_node_as_torch(out, x, torch_fn):
    """The grad_fn name torch gives a batched input (an unbatched result is a squeeze of it here)."""
    if len(x.shape) == 5:
        expected = torch_fn(torch.tensor(x, requires_grad=True))
        expected = expected[0] if isinstance(expected, tuple) else expected
        out = out[0] if isinstance(out, tuple) else out
        assert type(out.grad_fn).__name__ == type(expected.grad_fn).__name__


def _geometry(case, *names):
    return {k: case[k] for k in names}


# The loss sum(out * g) over -inf outputs is NaN (NumPy warns); the gradients are still exact.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=10)
@given(pool3d_cases(), st.sampled_from(["normal", "ties", "special"]), st.booleans())
def test_max_pool3d_matches_torch(case, values, return_indices):
    kwargs = dict(_geometry(case, "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
                  return_indices=return_indices)
    x = _input(case["shape"], case["seed"], values=values)
    out = assert_function_matches_torch(lambda x: F.max_pool3d(x, **kwargs), lambda x: TF.max_pool3d(x, **kwargs),
                                        [x], seed=case["seed"])
    _same_node_as_torch(out, x, lambda t: TF.max_pool3d(t, **kwargs))


@settings(max_examples=5)
@given(pool3d_cases())
def test_max_pool3d_with_indices_and_top_level_form_match_torch(case):
    kwargs = _geometry(case, "kernel_size", "stride", "padding", "dilation", "ceil_mode")
    x = _input(case["shape"], case["seed"])
    assert_function_matches_torch(lambda x: F.max_pool3d_with_indices(x, **kwargs),
                                  lambda x: TF.max_pool3d_with_indices(x, **kwargs), [x], seed=case["seed"])
    assert_function_matches_torch(lambda x: minigrad.max_pool3d(x, **kwargs),
                                  lambda x: torch.max_pool3d(x, **kwargs), [x], seed=case["seed"])


@settings(max_examples=10)
@given(pool3d_cases(dilation=False), st.booleans(), st.sampled_from([None, 1, 4]))
def test_avg_pool3d_matches_torch(case, count_include_pad, divisor_override):
    kwargs = dict(_geometry(case, "kernel_size", "stride", "padding", "ceil_mode"),
                  count_include_pad=count_include_pad, divisor_override=divisor_override)
    x = _input(case["shape"], case["seed"])
    out = assert_function_matches_torch(lambda x: F.avg_pool3d(x, **kwargs), lambda x: TF.avg_pool3d(x, **kwargs),
                                        [x], seed=case["seed"])
    _same_node_as_torch(out, x, lambda t: TF.avg_pool3d(t, **kwargs))


output_sizes = st.one_of(st.integers(1, 4), st.tuples(*[st.one_of(st.none(), st.integers(1, 4))] * 3))


@settings(max_examples=10)
@given(st.sampled_from(LEADS), st.tuples(*[st.integers(1, 5)] * 3), output_sizes, st.integers(0, 2**16))
def test_adaptive_avg_pool3d_matches_torch(lead, spatial, output_size, seed):
    x = _input(lead + spatial, seed)
    out = assert_function_matches_torch(lambda x: F.adaptive_avg_pool3d(x, output_size),
                                        lambda x: TF.adaptive_avg_pool3d(x, output_size), [x], seed=seed)
    if out.shape[-3:] != (1, 1, 1):  # (torch takes a mean for 1 x 1 x 1, named MeanBackward1)
        assert type(out.grad_fn).__name__ == "AdaptiveAvgPool3DBackward0"   # (torch's, batched or not)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=8)
@given(st.sampled_from(LEADS), st.tuples(*[st.integers(1, 5)] * 3), output_sizes,
       st.sampled_from(["normal", "ties", "special"]), st.integers(0, 2**16))
def test_adaptive_max_pool3d_matches_torch(lead, spatial, output_size, values, seed):
    x = _input(lead + spatial, seed, values=values)
    out = assert_function_matches_torch(lambda x: F.adaptive_max_pool3d(x, output_size, return_indices=True),
                                        lambda x: TF.adaptive_max_pool3d(x, output_size, return_indices=True), [x],
                                        seed=seed)
    _same_node_as_torch(out, x, lambda t: TF.adaptive_max_pool3d(t, output_size))
    assert_function_matches_torch(lambda x: F.adaptive_max_pool3d_with_indices(x, output_size),
                                  lambda x: TF.adaptive_max_pool3d_with_indices(x, output_size), [x], seed=seed)


@settings(max_examples=8)
@given(pool3d_cases(dilation=False), st.sampled_from([1, 2, 3.5]))
def test_lp_pool3d_matches_torch(case, norm_type):
    kwargs = _geometry(case, "kernel_size", "stride", "ceil_mode")
    # Positive inputs: a fractional power of a negative number is NaN in both, which tests nothing.
    x = np.abs(_input(case["shape"], case["seed"])) + 0.1
    assert_function_matches_torch(lambda x: F.lp_pool3d(x, norm_type, **kwargs),
                                  lambda x: TF.lp_pool3d(x, norm_type, **kwargs), [x], seed=case["seed"])


@settings(max_examples=6)
@given(st.data(), st.sampled_from(LEADS), st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_max_unpool3d_matches_torch(data, lead, kernel, stride, sized):
    # The volume before pooling, which the indices point into: the size unpooling restores by
    # default, or (sized) one up to a stride larger, which it restores when told output_size.
    spatial = tuple(kernel + stride * data.draw(st.integers(0, 2)) + (data.draw(st.integers(0, stride - 1))
                                                                       if sized else 0) for _ in range(3))
    x = _input(lead + spatial, data.draw(st.integers(0, 2**16)))
    pooled, indices = TF.max_pool3d(torch.tensor(x), kernel, stride, return_indices=True)
    output_size = list(spatial) if sized else None
    out = assert_function_matches_torch(
        lambda p: F.max_unpool3d(p, minigrad.tensor(indices.numpy()), kernel, stride, output_size=output_size),
        lambda p: TF.max_unpool3d(p, indices, kernel, stride, output_size=output_size), [pooled.numpy()])
    assert type(out.grad_fn).__name__ == "MaxUnpool3DBackward0"
    layer, torch_layer = nn.MaxUnpool3d(kernel, stride), torch.nn.MaxUnpool3d(kernel, stride)
    assert_same_structure(layer, torch_layer)
    np.testing.assert_array_equal(layer(minigrad.tensor(pooled.numpy()), minigrad.tensor(indices.numpy()),
                                        output_size).numpy(), torch_layer(pooled, indices, output_size).numpy())


@settings(max_examples=4)
@given(pool3d_cases(dilation=False))
def test_pooling3d_layers_match_torch(case):
    x = _input(case["shape"], case["seed"])
    kernel, stride, padding, ceil_mode = case["kernel_size"], case["stride"], case["padding"], case["ceil_mode"]
    pairs = [
        (torch.nn.MaxPool3d(kernel, stride, padding, ceil_mode=ceil_mode, return_indices=True),
         nn.MaxPool3d(kernel, stride, padding, ceil_mode=ceil_mode, return_indices=True)),
        (torch.nn.AvgPool3d(kernel, stride, padding, ceil_mode, False, 3),
         nn.AvgPool3d(kernel, stride, padding, ceil_mode, False, 3)),
        (torch.nn.AdaptiveAvgPool3d((2, None, 1)), nn.AdaptiveAvgPool3d((2, None, 1))),
        (torch.nn.AdaptiveMaxPool3d((None, 2, 1)), nn.AdaptiveMaxPool3d((None, 2, 1))),
        (torch.nn.LPPool3d(2, kernel, stride, ceil_mode), nn.LPPool3d(2, kernel, stride, ceil_mode)),
    ]
    for torch_layer, layer in pairs:
        assert_same_structure(layer, torch_layer)
        assert_module_matches_torch(layer, torch_layer, [x], seed=case["seed"], dtype="float64")


def test_default_reprs_match_torch():
    for build in (lambda m: m.MaxPool3d(2), lambda m: m.MaxPool3d((2, 1, 3), 1, 1, 2, ceil_mode=True),
                  lambda m: m.AvgPool3d(2), lambda m: m.AvgPool3d(3, 2, 1, True, False, 2),
                  lambda m: m.AdaptiveAvgPool3d(3), lambda m: m.AdaptiveMaxPool3d((2, None, 3), True),
                  lambda m: m.LPPool3d(1.5, (1, 2, 3)), lambda m: m.MaxUnpool3d(2), lambda m: m.MaxUnpool3d(3, 1, 1)):
        assert repr(build(nn)) == repr(build(torch.nn))


@pytest.mark.parametrize("name, args", [
    ("max_pool3d", (2,)), ("max_pool3d", (3, 2, 1)), ("avg_pool3d", (3, 2, 1)), ("adaptive_avg_pool3d", ((2, 3, 1),)),
    ("adaptive_max_pool3d", (2,)), ("lp_pool3d", (2, 2)),
])
def test_pooling3d_keeps_float32(name, args):
    x = _input((2, 2, 5, 4, 6), 0, dtype="float32")
    out = assert_function_matches_torch(lambda x: getattr(F, name)(x, *args), lambda x: getattr(TF, name)(x, *args),
                                        [x], rtol=1e-5, atol=1e-6)
    assert out.dtype == minigrad.float32


_INTEGER_VOLUME = [[[[[-5, 2, 7], [3, -8, 0], [1, 1, 2]], [[9, 9, 8], [-1, -2, 3], [4, 0, 0]]]]]


@pytest.mark.parametrize("program", [
    lambda T: T.nn.functional.max_pool3d(T.tensor(_INTEGER_VOLUME), 2, 1, return_indices=True),
    lambda T: T.nn.functional.avg_pool3d(T.tensor(_INTEGER_VOLUME), 2, 1),          # rounds toward zero
    lambda T: T.nn.functional.avg_pool3d(T.tensor(_INTEGER_VOLUME), (1, 3, 3), 1, 1, count_include_pad=False),
    lambda T: T.nn.functional.avg_pool3d(T.tensor(_INTEGER_VOLUME).to(T.int32), 2),   # int64 only
    lambda T: T.nn.functional.adaptive_avg_pool3d(T.tensor(_INTEGER_VOLUME), 1),
    lambda T: T.nn.functional.adaptive_avg_pool3d(T.tensor(_INTEGER_VOLUME), (1, 2, 1)),
    lambda T: T.nn.functional.adaptive_max_pool3d(T.tensor(_INTEGER_VOLUME), 1),
])
def test_integer_pooling_matches_torch(program):
    assert_same_as_torch(program)


@pytest.mark.parametrize("call", [
    lambda lib, f: f.max_pool3d(lib.randn(1, 2, 5, 5, 5), 3, padding=2),          # padding over half the kernel
    lambda lib, f: f.max_pool3d(lib.randn(1, 2, 6, 6, 6), 3, padding=2, dilation=2),
    lambda lib, f: f.max_pool3d(lib.randn(1, 2, 2, 2, 2), 3),                     # output would be empty
    lambda lib, f: f.max_pool3d(lib.randn(1, 2, 4, 4, 4), 2, stride=0),
    lambda lib, f: f.max_pool3d(lib.randn(4, 4, 4), 2),                           # rank
    lambda lib, f: f.avg_pool3d(lib.randn(4, 4, 4), 2),
    lambda lib, f: f.avg_pool3d(lib.randn(1, 2, 4, 4, 4), 2, divisor_override=0),
    lambda lib, f: f.adaptive_avg_pool3d(lib.randn(1, 2, 4, 4, 4), (2, 2)),
    lambda lib, f: f.adaptive_avg_pool3d(lib.randn(4, 4, 4), 2),
    lambda lib, f: f.adaptive_avg_pool3d(lib.randn(1, 0, 4, 4, 4), 2),
    lambda lib, f: f.adaptive_max_pool3d(lib.randn(1, 2, 4, 0, 4), 2),
    lambda lib, f: f.avg_pool3d(lib.randn(1, 1, 1, 1, 3), (1, 1, 5), padding=(0, 0, 2)),   # kernel over the input
    lambda lib, f: f.max_unpool3d(lib.randn(3, 3, 3), lib.zeros(3, 3, 3, dtype=lib.int64), 2),
    lambda lib, f: f.max_unpool3d(lib.randn(1, 2, 2, 2, 2), lib.zeros(1, 2, 2, 2, 1, dtype=lib.int64), 2),
    lambda lib, f: f.max_unpool3d(lib.randn(1, 1, 1, 1, 1), lib.full((1, 1, 1, 1, 1), 8), 2),
])
def test_errors_match_torch(call):
    assert_raises_like_torch(lambda lib: call(lib, lib.nn.functional), same_message=True)


@pytest.mark.parametrize("call", [  # the same exception type; torch's message names its internals
    lambda lib, f: f.max_pool3d(lib.randn(1, 2, 4, 4, 4), (2, 2)),
    lambda lib, f: f.avg_pool3d(lib.randn(1, 2, 4, 4, 4), 5),
    lambda lib, f: f.max_pool3d(lib.randn(2, 0, 4, 4, 4), 2),                     # no channels
    lambda lib, f: f.avg_pool3d(lib.randn(2, 4, 0, 4, 4), 2),
    lambda lib, f: f.max_pool3d(lib.randn(1, 2, 4, 4, 4), 2, dilation=0),
    lambda lib, f: f.adaptive_max_pool3d(lib.randn(1, 2, 4, 4, 4), (2, 2)),
    lambda lib, f: f.adaptive_max_pool3d(lib.randn(4, 4, 4), 2),
    lambda lib, f: f.max_unpool3d(lib.randn(1, 2, 2, 2, 2), lib.zeros(1, 2, 2, 2, 2, dtype=lib.int32), 2),
    lambda lib, f: f.max_unpool3d(lib.randn(1, 2, 2, 2, 2), lib.zeros(1, 2, 2, 2, 2, dtype=lib.int64), 2,
                                  output_size=(9, 4, 4)),
    lambda lib, f: f.max_unpool3d(lib.randn(1, 2, 2, 2, 2), lib.zeros(1, 2, 2, 2, 2, dtype=lib.int64), 2,
                                  output_size=(4, 4)),
    lambda lib, f: f.max_unpool3d(lib.ones(1, 2, 2, 2, 2, dtype=lib.int64),
                                  lib.zeros(1, 2, 2, 2, 2, dtype=lib.int64), 2),
])
def test_error_types_match_torch(call):
    assert_raises_like_torch(lambda lib: call(lib, lib.nn.functional))


SECOND_ORDER = {  # distinct values: at a tie both pick the first maximum, and a second derivative repeats that
    "max_pool3d": lambda f, x: f.max_pool3d(x, 2, 1, 1) ** 2,
    "max_pool3d_tiles": lambda f, x: f.max_pool3d(x, (1, 2, 2)) ** 2,
    "avg_pool3d": lambda f, x: f.avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False) ** 2,
    "adaptive_avg_pool3d": lambda f, x: f.adaptive_avg_pool3d(x, (2, 3, 2)) ** 2,
    "adaptive_max_pool3d": lambda f, x: f.adaptive_max_pool3d(x, (2, 1, 3)) ** 2,
    "max_unpool3d": lambda f, x: f.max_unpool3d(*f.max_pool3d(x, 2, return_indices=True), 2, output_size=(3, 4, 5)) ** 3,
    "conv3d": lambda f, x: f.conv3d(x, x[:2, :, :2, :2, :2], stride=(1, 2, 1), padding=1) ** 2,
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivatives_match_torch(name):
    """The gradients of the gradients (create_graph) against torch's, through the recorded rules."""
    rng = np.random.default_rng(0)
    x = rng.permutation(2 * 2 * 3 * 4 * 5).reshape(2, 2, 3, 4, 5) / 7.0 - 8.0
    results = []
    for lib, f in ((minigrad, F), (torch, TF)):
        leaf = lib.tensor(x, requires_grad=True)
        out = SECOND_ORDER[name](f, leaf)
        upstream = lib.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)))
        (first,) = lib.autograd.grad((out * upstream).sum(), leaf, create_graph=True)
        direction = lib.tensor(np.random.default_rng(2).standard_normal(x.shape))
        (second,) = lib.autograd.grad((first * direction).sum(), leaf)
        results.append((first.detach().numpy(), second.numpy()))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
