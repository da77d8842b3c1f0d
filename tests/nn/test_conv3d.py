"""Conv3d, ConvTranspose3d, F.conv3d, F.conv_transpose3d and torch.conv3d/conv_transpose3d against torch:
values, every gradient, dtypes, repr, state_dict keys and errors, on tiny volumes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import (assert_function_matches_torch, assert_module_matches_torch, assert_raises_like_torch,
                              assert_same_structure, torch_or_skip)

torch = torch_or_skip()
TF = torch.nn.functional


@st.composite
def conv3d_cases(draw):
    """Hyperparameters of a 3-d convolution and a small input volume that fits them."""
    groups = draw(st.integers(1, 2))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    padding = draw(st.one_of(st.sampled_from(["valid", "same"]), st.tuples(*[st.integers(0, 1)] * 3)))
    if padding == "same":
        stride = (1, 1, 1)
    pads = (0, 0, 0) if isinstance(padding, str) else padding
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    spatial = tuple(draw(st.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 2)) for e, p in zip(extents, pads))
    batch = draw(st.sampled_from([None, 1, 2]))  # None: an unbatched (C, D, H, W) input
    # The explicit padding modes: reflect needs each amount below the input size, circular at most that size.
    amounts = [d * (k - 1) - d * (k - 1) // 2 for k, d in zip(kernel, dilation)] if padding == "same" else pads
    modes = ["zeros", "replicate"]
    modes += ["circular"] if all(a <= n for a, n in zip(amounts, spatial)) else []
    modes += ["reflect"] if all(a < n for a, n in zip(amounts, spatial)) else []
    return dict(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel, stride=stride,
                padding=padding, dilation=dilation, groups=groups, bias=draw(st.booleans()),
                padding_mode=draw(st.sampled_from(modes)), shape=((batch,) if batch else ()) + (in_channels,) + spatial,
                seed=draw(st.integers(0, 2**16)))


def _arrays(case, dtype):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"]).astype(dtype)
    w = rng.standard_normal((case["out_channels"], case["in_channels"] // case["groups"]) + case["kernel_size"])
    b = rng.standard_normal(case["out_channels"]).astype(dtype) if case["bias"] else None
    return x, w.astype(dtype), b


def _functional_kwargs(case):
    return dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=case["groups"])


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note about its own padded copy
@settings(max_examples=12)
@given(conv3d_cases(), st.sampled_from(["float64", "float32"]))
def test_functional_conv3d_matches_torch(case, dtype):
    kwargs = _functional_kwargs(case)
    out = assert_function_matches_torch(lambda x, w, b: F.conv3d(x, w, b, **kwargs),
                                        lambda x, w, b: TF.conv3d(x, w, b, **kwargs), _arrays(case, dtype),
                                        seed=case["seed"])
    assert out.dtype == getattr(minigrad, dtype)
    if len(case["shape"]) == 5:  # (an unbatched result is a squeeze of the batched one)
        assert type(out.grad_fn).__name__ == "ConvolutionBackward0"


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=8)
@given(conv3d_cases(), st.tuples(st.booleans(), st.booleans(), st.booleans()).filter(any))
def test_top_level_conv3d_gives_only_the_wanted_gradients(case, wanted):
    case = dict(case, bias=True)
    kwargs = _functional_kwargs(case)
    assert_function_matches_torch(lambda x, w, b: minigrad.conv3d(x, w, b, **kwargs),
                                  lambda x, w, b: torch.conv3d(x, w, b, **kwargs), _arrays(case, "float64"),
                                  seed=case["seed"], requires_grad=list(wanted))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=10)
@given(conv3d_cases())
def test_conv3d_module_matches_torch(case):
    kwargs = {k: case[k] for k in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                                   "groups", "bias", "padding_mode")}
    torch_layer, layer = torch.nn.Conv3d(**kwargs), nn.Conv3d(**kwargs)
    assert_same_structure(layer, torch_layer)
    assert layer.weight.dtype == minigrad.float32 and layer.weight.shape == torch_layer.weight.shape
    x, _, _ = _arrays(case, "float64")
    assert_module_matches_torch(layer, torch_layer, [x], seed=case["seed"], dtype="float64")


@st.composite
def conv_transpose3d_cases(draw):
    groups = draw(st.integers(1, 2))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(3))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(3))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(3))
    padding = tuple(draw(st.integers(0, d * (k - 1) // 2)) for k, d in zip(kernel, dilation))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    batch = draw(st.sampled_from([None, 1, 2]))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(3))
    return dict(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel, stride=stride,
                padding=padding, output_padding=output_padding, groups=groups, dilation=dilation,
                bias=draw(st.booleans()), shape=((batch,) if batch else ()) + (in_channels,) + spatial,
                seed=draw(st.integers(0, 2**16)))


@settings(max_examples=12)
@given(conv_transpose3d_cases(), st.sampled_from(["float64", "float32"]))
def test_functional_conv_transpose3d_matches_torch(case, dtype):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"]).astype(dtype)
    w = rng.standard_normal((case["in_channels"], case["out_channels"] // case["groups"]) + case["kernel_size"])
    b = rng.standard_normal(case["out_channels"]).astype(dtype) if case["bias"] else None
    kwargs = {k: case[k] for k in ("stride", "padding", "output_padding", "groups", "dilation")}
    out = assert_function_matches_torch(lambda x, w, b: F.conv_transpose3d(x, w, b, **kwargs),
                                        lambda x, w, b: torch.conv_transpose3d(x, w, b, **kwargs),
                                        (x, w.astype(dtype), b), seed=case["seed"])
    assert out.dtype == getattr(minigrad, dtype)
    assert minigrad.conv_transpose3d is F.conv_transpose3d


@settings(max_examples=8)
@given(conv_transpose3d_cases())
def test_conv_transpose3d_module_matches_torch(case):
    kwargs = {k: case[k] for k in ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                                   "output_padding", "groups", "bias", "dilation")}
    torch_layer, layer = torch.nn.ConvTranspose3d(**kwargs), nn.ConvTranspose3d(**kwargs)
    assert_same_structure(layer, torch_layer)
    assert layer.weight.shape == torch_layer.weight.shape
    x = np.random.default_rng(case["seed"]).standard_normal(case["shape"])
    assert_module_matches_torch(layer, torch_layer, [x], seed=case["seed"], dtype="float64")


@pytest.mark.parametrize("output_size", [(4, 5, 6), [2, 3, 4, 5, 6], (5, 6, 7)])
def test_conv_transpose3d_output_size_matches_torch(output_size):
    x = np.random.default_rng(1).standard_normal((2, 3, 2, 2, 3))
    torch_layer = torch.nn.ConvTranspose3d(3, 3, 2, stride=2).double()
    layer = nn.ConvTranspose3d(3, 3, 2, stride=2).double()
    if output_size == (5, 6, 7):  # a size no output_padding below the stride reaches
        with pytest.raises(ValueError):
            torch_layer(torch.tensor(x), output_size)
        with pytest.raises(ValueError):
            layer(minigrad.tensor(x), output_size)
        return
    layer.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in torch_layer.state_dict().items()})
    out = assert_function_matches_torch(lambda x: layer(x, output_size), lambda x: torch_layer(x, output_size), [x])
    assert tuple(out.shape[2:]) == tuple(output_size)[-3:]


def test_default_init_and_state_dict_load_into_torch():
    minigrad.manual_seed(0)
    layer = nn.Conv3d(2, 16, (3, 2, 2))
    bound = 1 / np.sqrt(2 * 12)  # kaiming_uniform(a=sqrt(5)) and the bias both give U(+-1/sqrt(fan_in))
    values = layer.weight.detach().numpy()
    assert values.dtype == np.float32 and bound * 0.9 < np.abs(values).max() <= bound
    torch_layer = torch.nn.Conv3d(2, 16, (3, 2, 2))
    torch_layer.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in layer.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 3, 3)).astype("float32")
    np.testing.assert_allclose(layer(minigrad.tensor(x)).detach().numpy(),
                               torch_layer(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib, f: f.conv3d(lib.randn(1, 4, 3, 3, 3), lib.randn(2, 3, 2, 2, 2)),          # channel count
    lambda lib, f: f.conv3d(lib.randn(4, 3, 3), lib.randn(2, 4, 2, 2, 2)),                # rank of the input
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 1, 3), lib.randn(2, 3, 2, 2, 2)),          # kernel too large
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), stride=(1, 0, 1)),
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), stride=(1, 1)),
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), padding=-1),
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), padding="same", stride=2),
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), padding="full"),
    lambda lib, f: f.conv3d(lib.randn(1, 4, 3, 3, 3), lib.randn(3, 2, 2, 2, 2), groups=2),
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2, 2), lib.randn(3)),
])
def test_conv3d_errors_match_torch(call):
    assert_raises_like_torch(lambda lib: call(lib, lib.nn.functional), same_message=True)


@pytest.mark.parametrize("call", [  # the same exception type (torch's messages here name its internals)
    lambda lib, f: f.conv3d(lib.randn(1, 3, 3, 3, 3), lib.randn(2, 3, 2, 2)),             # rank of the weight
    lambda lib, f: f.conv_transpose3d(lib.randn(1, 3, 2, 2, 2), lib.randn(4, 2, 2, 2, 2)),    # channel count
    lambda lib, f: f.conv_transpose3d(lib.randn(1, 4, 2, 2, 2), lib.randn(4, 2, 2, 2)),       # weight rank
    lambda lib, f: f.conv_transpose3d(lib.randn(1, 4, 2, 2, 2), lib.randn(4, 2, 2, 2, 2), output_padding=1),
    lambda lib, f: f.conv_transpose3d(lib.randn(1, 4, 2, 2, 2), lib.randn(4, 2, 2, 2, 2), stride=0),
])
def test_conv3d_and_transpose_error_types_match_torch(call):
    assert_raises_like_torch(lambda lib: call(lib, lib.nn.functional))


@pytest.mark.parametrize("cls, kwargs", [
    ("Conv3d", dict(groups=2)), ("Conv3d", dict(padding="same", stride=2)), ("Conv3d", dict(padding_mode="wrap")),
    ("ConvTranspose3d", dict(padding_mode="reflect")),
])
def test_constructor_errors_match_torch(cls, kwargs):
    with pytest.raises(ValueError) as expected:
        getattr(torch.nn, cls)(3, 4, 3, **kwargs)
    with pytest.raises(ValueError) as actual:
        getattr(nn, cls)(3, 4, 3, **kwargs)
    if kwargs.get("padding_mode") == "wrap":  # torch prints the allowed modes as a set, in hash order
        assert str(actual.value).startswith("padding_mode must be one of")
    else:
        assert str(actual.value) == str(expected.value)
