"""RReLU and alpha dropout against torch: evaluation mode (deterministic) value for value with
gradients in float64; training mode, whose draws torch's stream cannot reproduce, by the
properties the draws must have; and torch's errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import assert_close, assert_module_matches_torch, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

SELU_SATURATION = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717  # -selu(-inf)


# ---------------------------------------------------------------- rrelu
@given(st.data(), mst.shapes(min_dims=1, max_dims=3), mst.reals(0, 0.5), mst.reals(0, 0.5))
@settings(max_examples=8)
def test_rrelu_in_evaluation_matches_torch(data, shape, lower, width):
    x = data.draw(mst.arrays("float64", shape, mst.reals(-4, 4)))
    ours, theirs = nn.RReLU(lower, lower + width), torch.nn.RReLU(lower, lower + width)
    ours.eval(), theirs.eval()
    assert repr(ours) == repr(theirs)
    out = assert_module_matches_torch(ours, theirs, [x])
    assert out.grad_fn.name() == "RreluWithNoiseBackward0"


def test_rrelu_in_training_draws_a_slope_per_negative_element_in_the_range():
    minigrad.manual_seed(3)
    x = minigrad.tensor(np.linspace(-3, 3, 20001).astype(np.float32), requires_grad=True)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    assert out.dtype is minigrad.float32 and out.grad_fn.name() == "RreluWithNoiseBackward0"
    out.backward(minigrad.ones_like(out))
    values, grad, xs = out.detach().numpy(), x.grad.numpy(), x.detach().numpy()
    positive = xs > 0
    np.testing.assert_array_equal(values[positive], xs[positive])
    np.testing.assert_array_equal(grad[positive], 1)
    slopes = values[xs < 0] / xs[xs < 0]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005 and abs(slopes.var() - 0.2 ** 2 / 12) < 0.0005  # uniform on [0.1, 0.3]
    np.testing.assert_allclose(grad[xs < 0], slopes, rtol=1e-5)  # the gradient is the slope drawn
    minigrad.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x.detach(), 0.1, 0.3, training=True).numpy(), values)


def test_rrelu_in_place_and_the_module_in_training():
    minigrad.manual_seed(0)
    x = minigrad.tensor([-2.0, -1.0, 0.5, 3.0])
    assert F.rrelu_(x, 0.25, 0.25, training=True) is x
    assert x.tolist() == [-0.5, -0.25, 0.5, 3.0]
    layer = nn.RReLU(0.5, 0.5, inplace=True)
    y = minigrad.tensor([-4.0, 2.0])
    assert layer(y) is y and y.tolist() == [-2.0, 2.0]
    assert repr(layer) == repr(torch.nn.RReLU(0.5, 0.5, inplace=True))


def test_rrelu_errors_match_torch():
    assert_raises_like_torch(lambda lib: lib.nn.functional.rrelu(lib.ones(3), 0.5, 0.2), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.rrelu(lib.ones(3), 0.5, 0.2, True), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.rrelu(lib.arange(3)), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.rrelu(lib.arange(3), training=True), same_message=True)


# ---------------------------------------------------------------- alpha dropout
@pytest.mark.parametrize("name", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_in_evaluation_and_with_p_0_is_the_input(name):
    x = minigrad.randn(3, 4)
    assert getattr(F, name)(x, 0.5) is x  # training=False by default, unlike F.dropout
    assert getattr(F, name)(x, 0.0, training=True) is x
    for layer in (nn.AlphaDropout(0.3), nn.FeatureAlphaDropout(0.3)):
        layer.eval()
        assert layer(x) is x


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_keeps_mean_and_variance_and_drops_to_the_saturation_value(p):
    minigrad.manual_seed(5)
    x = minigrad.randn(400000, dtype=minigrad.float64, requires_grad=True)
    out = F.alpha_dropout(x, p, training=True)
    assert out.dtype is minigrad.float64
    a = 1 / math.sqrt((SELU_SATURATION ** 2 * p + 1) * (1 - p))
    values, xs = out.detach().numpy(), x.detach().numpy()
    dropped = np.isclose(values, -a * SELU_SATURATION * (1 - p), rtol=0, atol=1e-12)
    kept = ~dropped
    assert abs(dropped.mean() - p) < 0.005
    np.testing.assert_allclose(values[kept], a * xs[kept] + a * SELU_SATURATION * p, rtol=1e-12)
    assert abs(values.mean()) < 0.01 and abs(values.var() - 1) < 0.01  # a unit normal stays one
    out.backward(minigrad.ones_like(out))
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0), rtol=1e-12)  # consistent with the mask


def test_feature_alpha_dropout_drops_whole_channels_in_float32():
    minigrad.manual_seed(6)
    x = minigrad.randn(200, 50, 3, 2)
    out = F.feature_alpha_dropout(x, 0.4, training=True)
    assert out.dtype is minigrad.float32 and tuple(out.shape) == (200, 50, 3, 2)
    saturated = np.isclose(out.numpy(), -SELU_SATURATION * (1 - 0.4) / math.sqrt((SELU_SATURATION ** 2 * 0.4 + 1) * 0.6),
                           atol=1e-6).reshape(200, 50, 6)
    whole = saturated.all(-1)
    assert (saturated.any(-1) == whole).all()  # a channel is dropped entirely or not at all
    assert abs(whole.mean() - 0.4) < 0.02


def test_alpha_dropout_with_p_1_gives_zeros_and_reproduces_under_manual_seed():
    x = minigrad.randn(5, 4)
    assert (F.alpha_dropout(x, 1.0, training=True).numpy() == 0).all()
    assert (F.feature_alpha_dropout(x[0], 1.0, training=True).numpy() == 0).all()  # 1-D is fine when all drop
    assert_close(F.alpha_dropout(x, 1.0, training=True), torch.nn.functional.alpha_dropout(torch.tensor(x.numpy()),
                                                                                           1.0, training=True))
    minigrad.manual_seed(7)
    first = F.alpha_dropout(x, 0.5, training=True)
    minigrad.manual_seed(7)
    np.testing.assert_array_equal(F.alpha_dropout(x, 0.5, training=True).numpy(), first.numpy())
    y = x.clone()
    minigrad.manual_seed(7)
    assert F.alpha_dropout(y, 0.5, training=True, inplace=True) is y
    np.testing.assert_allclose(y.numpy(), first.numpy(), rtol=1e-6)


def test_alpha_dropout_layers_and_errors_match_torch():
    for name, args in (("AlphaDropout", ()), ("FeatureAlphaDropout", (0.2, True))):
        assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    assert_raises_like_torch(lambda lib: lib.nn.AlphaDropout(1.5), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.alpha_dropout(lib.ones(2), -0.1, True), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.feature_alpha_dropout(lib.ones(4), 0.5, True),
                             same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.alpha_dropout(lib.arange(4), 0.5, True),
                             same_message=True)
