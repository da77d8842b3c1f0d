"""Conv1d/Conv2d, F.conv1d/F.conv2d and unfold/fold against torch: values, every gradient, repr,
state_dict, errors."""

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
def conv_cases(draw, dims=None):
    """Hyperparameters of a convolution and the input shape that fits them."""
    dims = dims or draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 3))
    in_channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding = draw(st.one_of(st.sampled_from(["valid", "same"]),
                             st.tuples(*[st.integers(0, 2) for _ in range(dims)])))
    if padding == "same":
        stride = (1,) * dims
    pads = (0,) * dims if isinstance(padding, str) else padding
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    spatial = tuple(draw(st.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 4)) for e, p in zip(extents, pads))
    batch = draw(st.sampled_from([None, 1, 2, 3]))  # None: an unbatched input
    shape = ((batch,) if batch else ()) + (in_channels,) + spatial
    # Explicit padding modes: reflect needs each amount below the input size, circular at most that size.
    amounts = [d * (k - 1) - d * (k - 1) // 2 for k, d in zip(kernel, dilation)] if padding == "same" else pads
    modes = ["zeros", "zeros", "replicate"]
    modes += ["circular"] if all(a <= n for a, n in zip(amounts, spatial)) else []
    modes += ["reflect"] if all(a < n for a, n in zip(amounts, spatial)) else []
    padding_mode = draw(st.sampled_from(modes))
    return dict(dims=dims, in_channels=in_channels, out_channels=out_channels, kernel_size=kernel, stride=stride,
                padding=padding, dilation=dilation, groups=groups, bias=draw(st.booleans()), shape=shape,
                padding_mode=padding_mode, seed=draw(st.integers(0, 2**16)))


def _arrays(case, dtype="float64"):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"]).astype(dtype)
    w = rng.standard_normal((case["out_channels"], case["in_channels"] // case["groups"]) + case["kernel_size"])
    b = rng.standard_normal(case["out_channels"]) if case["bias"] else None
    return x, w.astype(dtype), None if b is None else b.astype(dtype)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note about its own padded copy
@settings(max_examples=40)
@given(conv_cases())
def test_functional_conv_matches_torch(case):
    name = f"conv{case['dims']}d"
    kwargs = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=case["groups"])
    assert_function_matches_torch(lambda x, w, b: getattr(F, name)(x, w, b, **kwargs),
                                  lambda x, w, b: getattr(TF, name)(x, w, b, **kwargs), _arrays(case),
                                  seed=case["seed"])


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=30)
@given(conv_cases())
def test_conv_module_matches_torch(case):
    name = f"Conv{case['dims']}d"
    kwargs = {k: case[k] for k in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                                   "groups", "bias", "padding_mode")}
    torch_layer, layer = getattr(torch.nn, name)(**kwargs), getattr(nn, name)(**kwargs)
    assert_same_structure(layer, torch_layer)
    x, _, _ = _arrays(case)
    assert_module_matches_torch(layer, torch_layer, [x], seed=case["seed"], dtype="float64")


@settings(max_examples=15)
@given(conv_cases(dims=2))
def test_conv_keeps_float32(case):
    x, w, b = _arrays(case, "float32")
    kwargs = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=case["groups"])
    out = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), None if b is None else minigrad.tensor(b), **kwargs)
    assert out.dtype == minigrad.float32
    assert_function_matches_torch(lambda x, w, b: F.conv2d(x, w, b, **kwargs),
                                  lambda x, w, b: TF.conv2d(x, w, b, **kwargs),
                                  (x, w, b), seed=case["seed"], rtol=1e-4, atol=1e-5)


@st.composite
def block_cases(draw):
    """unfold/fold geometry and the image size it slides over (at least one block fits)."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    size = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 7))
                 for k, d, p in zip(kernel, dilation, padding))
    return dict(kernel_size=kernel, dilation=dilation, padding=padding, stride=stride), size


@pytest.mark.parametrize("shape, geometry", [
    ((2, 1, 2, 4), dict(kernel_size=1, stride=2)), ((2, 1, 5, 4), dict(kernel_size=(4, 1))),
    ((1, 1, 6, 2), dict(kernel_size=(1, 2), stride=2)), ((2, 1, 4, 2), dict(kernel_size=2, stride=2)),
    ((1, 2, 3, 4), dict(kernel_size=(1, 3), stride=2)),
])
def test_unfold_columns_are_contiguous_as_torchs(shape, geometry):
    # Where the columns could be a strided view of the image, torch still makes a fresh
    # contiguous tensor, so view(-1) works on them.
    image = np.random.default_rng(0).standard_normal(shape)
    assert_function_matches_torch(lambda x: F.unfold(x, **geometry).view(-1),
                                  lambda x: TF.unfold(x, **geometry).view(-1), [image], seed=0)


@settings(max_examples=30)
@given(block_cases(), st.sampled_from([None, 1, 2]), st.integers(1, 3), st.integers(0, 2**16))
def test_unfold_and_fold_match_torch(case, batch, channels, seed):
    geometry, size = case
    rng = np.random.default_rng(seed)
    lead = (batch,) if batch else ()
    image = rng.standard_normal(lead + (channels,) + size)
    assert_function_matches_torch(lambda x: F.unfold(x, **geometry), lambda x: TF.unfold(x, **geometry), [image],
                                  seed=seed)
    blocks = TF.unfold(torch.tensor(image), **geometry).shape[-1]
    columns = rng.standard_normal(lead + (channels * geometry["kernel_size"][0] * geometry["kernel_size"][1],
                                          blocks))
    assert_function_matches_torch(lambda c: F.fold(c, size, **geometry), lambda c: TF.fold(c, size, **geometry),
                                  [columns], seed=seed)
    for torch_layer, layer in ((torch.nn.Unfold(**geometry), nn.Unfold(**geometry)),
                               (torch.nn.Fold(size, **geometry), nn.Fold(size, **geometry))):
        assert_same_structure(layer, torch_layer)


def test_default_init_is_torch_distribution():
    minigrad.manual_seed(0)
    layer = nn.Conv2d(4, 64, 3)
    bound = 1 / np.sqrt(4 * 9)  # kaiming_uniform(a=sqrt(5)) and the bias both give U(+-1/sqrt(fan_in))
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert values.dtype == np.float32 and np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.9 * bound and abs(values.mean()) < 0.2 * bound


def test_state_dict_round_trip_to_torch():
    layer = nn.Conv2d(3, 5, (3, 2), stride=2, groups=1)
    torch_layer = torch.nn.Conv2d(3, 5, (3, 2), stride=2)
    torch_layer.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in layer.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8)).astype("float32")
    np.testing.assert_allclose(layer(minigrad.tensor(x)).detach().numpy(),
                               torch_layer(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_no_input_gradient_for_data():
    layer = nn.Conv2d(1, 2, 3)
    layer(minigrad.randn(2, 1, 5, 5)).sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None


@pytest.mark.parametrize("call", [
    lambda lib, f: f.conv2d(lib.randn(2, 4, 8, 8), lib.randn(4, 3, 3, 3)),            # channel count
    lambda lib, f: f.conv2d(lib.randn(4, 8, 8), lib.randn(4, 3, 3, 3)),               # unbatched channels
    lambda lib, f: f.conv2d(lib.randn(2, 3), lib.randn(4, 3, 3, 3)),                  # rank
    lambda lib, f: f.conv2d(lib.randn(2, 3, 2, 2), lib.randn(4, 3, 3, 3)),            # kernel too large
    lambda lib, f: f.conv2d(lib.randn(2, 3, 4, 4), lib.randn(4, 3, 3, 3), dilation=2),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), stride=0),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), padding=-1),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), padding="same", stride=2),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), padding="full"),
    lambda lib, f: f.conv2d(lib.randn(2, 4, 5, 5), lib.randn(4, 3, 3, 3), groups=3),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), lib.randn(3)),
    lambda lib, f: f.conv1d(lib.randn(2, 3, 5), lib.randn(4, 3, 3), stride=(1, 1)),
    lambda lib, f: f.fold(lib.randn(2, 7, 4), (3, 3), 2),
    lambda lib, f: f.fold(lib.randn(2, 12, 5), (3, 3), 2),
])
def test_errors_match_torch(call):
    assert_raises_like_torch(lambda lib: call(lib, lib.nn.functional), same_message=True)


@pytest.mark.parametrize("kwargs", [dict(groups=2), dict(padding="same", stride=2)])
def test_constructor_errors_match_torch(kwargs):
    with pytest.raises(ValueError) as expected:
        torch.nn.Conv2d(3, 4, 3, **kwargs)
    with pytest.raises(ValueError) as actual:
        nn.Conv2d(3, 4, 3, **kwargs)
    assert str(actual.value) == str(expected.value)


def test_invalid_padding_string_is_named():
    # torch prints the allowed strings as a set, in hash order, so only the start is compared.
    with pytest.raises(ValueError, match="Invalid padding string 'full', should be one of"):
        torch.nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(ValueError, match="Invalid padding string 'full', should be one of"):
        nn.Conv2d(3, 4, 3, padding="full")


@settings(max_examples=30)
@given(data=st.data())
def test_conv_transpose_matches_torch(data):
    """ConvTranspose1d/2d: output, input, weight and bias gradients, repr and state_dict keys."""

    dims = data.draw(st.sampled_from([1, 2]))
    groups = data.draw(st.sampled_from([1, 2]))
    in_channels, out_channels = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    kernel = data.draw(st.integers(1, 3))
    stride, dilation = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2))
    padding = data.draw(st.integers(0, (dilation * (kernel - 1)) // 2))
    output_padding = data.draw(st.integers(0, max(stride, dilation) - 1))
    bias = data.draw(st.booleans())
    cls_t = torch.nn.ConvTranspose1d if dims == 1 else torch.nn.ConvTranspose2d
    cls_m = minigrad.nn.ConvTranspose1d if dims == 1 else minigrad.nn.ConvTranspose2d
    kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, bias=bias,
                  dilation=dilation)
    theirs = cls_t(in_channels, out_channels, kernel, **kwargs).double()
    ours = cls_m(in_channels, out_channels, kernel, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    x = rng.standard_normal((2, in_channels) + (data.draw(st.integers(1, 4)),) * dims)
    x_t, x_m = torch.tensor(x, requires_grad=True), minigrad.tensor(x, requires_grad=True)
    out_t, out_m = theirs(x_t), ours(x_m)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=1e-6, atol=1e-9)
    upstream = rng.standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(upstream))
    out_m.backward(minigrad.tensor(upstream))
    np.testing.assert_allclose(x_m.grad.numpy(), x_t.grad.numpy(), rtol=1e-6, atol=1e-9)
    for (name, p_t), p_m in zip(theirs.named_parameters(), ours.parameters()):
        np.testing.assert_allclose(p_m.grad.numpy(), p_t.grad.numpy(), rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=40)
@given(conv_cases(), st.tuples(st.booleans(), st.booleans(), st.booleans()).filter(any))
def test_each_subset_of_input_weight_and_bias_gradients_matches_torch(case, wanted):
    # With a bias, the weight's and the bias's gradients come out of one matrix product (the
    # bias rides along in the columns as a row of ones, except for 1x1 kernels): each of the
    # three gradients must be right whether or not the others are wanted.
    case = dict(case, bias=True)
    name = f"conv{case['dims']}d"
    kwargs = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=case["groups"])
    assert_function_matches_torch(lambda x, w, b: getattr(F, name)(x, w, b, **kwargs),
                                  lambda x, w, b: getattr(TF, name)(x, w, b, **kwargs), _arrays(case),
                                  seed=case["seed"], requires_grad=list(wanted))


def test_columns_with_a_row_of_ones_are_the_columns_and_ones():
    from minigrad._ops import conv as conv_ops

    x = np.random.default_rng(0).standard_normal((2, 4, 5, 6)).astype(np.float32)
    geometry = dict(kernel=(3, 2), stride=(1, 2), padding=((1, 1), (0, 1)), dilation=(1, 1), groups=2)
    plain = np.array(conv_ops.columns(x, **geometry))
    extended = conv_ops.columns(x, **geometry, ones_row=True)
    assert plain.shape == (2, 2, 2 * 3 * 2, 15) and extended.shape == (2, 2, 2 * 3 * 2 + 1, 15)
    np.testing.assert_array_equal(extended[:, :, :-1], plain)
    np.testing.assert_array_equal(extended[:, :, -1], np.ones((2, 2, 15), np.float32))
