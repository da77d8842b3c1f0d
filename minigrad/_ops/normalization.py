"""Batch and layer normalisation with fused gradients.

Both normalise x over some axes with statistics of those axes and then apply an
elementwise affine map:

    x_hat = (x - mean) * invstd,    invstd = 1 / sqrt(var + eps)  (biased variance)
    y     = x_hat * weight + bias

The statistics are computed once, by the Tensor layer (which also needs them for the
running averages of batch norm), and handed to the primitive as constant inputs.

When the statistics come from x itself (training), x reaches y three ways: directly,
through the mean and through the variance. Summed, the chain rule collapses into one
fused formula over the M normalised elements of each group:

    dx = invstd / M * (M * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)),
    dx_hat = g * weight

With fixed statistics (batch norm in eval mode) dx is simply ``dx_hat * invstd``.
`weight` and `bias` may be None (no affine map).
"""

import math

import numpy as np

from minigrad._ops.registry import Primitive


def moments(x, axes):
    """The mean and biased variance of x over `axes`, kept as size-1 axes for broadcasting."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=axes, keepdims=True)
    return mean, var


def inverse_std(var, eps):
    return 1 / np.sqrt(var + eps)


def _affine(x_hat, weight, bias):
    out = x_hat if weight is None else x_hat * weight
    return out if bias is None else out + bias


def _normalised(x, mean, invstd, axes, eps, batch_statistics):
    """(x_hat, invstd) for the gradient rules.

    The statistics arrive as constants. That is right when the rules run on arrays. When the
    gradient is itself recorded (create_graph: x is a Tensor) and the statistics are x's own,
    they are recomputed from x, so that the second derivative sees how they depend on x.
    """
    if batch_statistics and not isinstance(x, np.ndarray):
        mean, var = moments(x, axes)
        invstd = inverse_std(var, eps)
    return (x - mean) * invstd, invstd


def _normalised_input_grad(g, x, weight, mean, invstd, axes, eps, batch_statistics):
    dx_hat = g if weight is None else g * weight
    if not batch_statistics:
        return dx_hat * invstd
    x_hat, invstd = _normalised(x, mean, invstd, axes, eps, batch_statistics)
    count = math.prod(x.shape[a] for a in axes)  # the values behind each statistic (x.size // mean.size, but
                                                 # also right when x is empty)
    total = dx_hat.sum(axis=axes, keepdims=True)
    projection = (dx_hat * x_hat).sum(axis=axes, keepdims=True)
    return (invstd / count) * (count * dx_hat - total - x_hat * projection)


# ------------------------------------------------------------------------ batch norm
# x is (N, C, *spatial); statistics and weight/bias are shaped (1, C, 1, ...) so that they
# broadcast; the Tensor layer reshapes weight and bias and takes the gradients back to (C,).
def _batch_norm(x, weight, bias, mean, invstd, axes, eps, training):
    return _affine((x - mean) * invstd, weight, bias)


def _batch_norm_vjp_input(g, ans, x, weight, bias, mean, invstd, axes, eps, training):
    return _normalised_input_grad(g, x, weight, mean, invstd, axes, eps, training)


def _batch_norm_vjp_weight(g, ans, x, weight, bias, mean, invstd, axes, eps, training):
    return (g * _normalised(x, mean, invstd, axes, eps, training)[0]).sum(axis=axes, keepdims=True)


def _batch_norm_vjp_bias(g, ans, x, weight, bias, mean, invstd, axes, eps, training):
    return g.sum(axis=axes, keepdims=True)


batch_norm = Primitive("NativeBatchNorm", _batch_norm,
                       _batch_norm_vjp_input, _batch_norm_vjp_weight, _batch_norm_vjp_bias, None, None,
                       fused_for="(x - mean(x)) / sqrt(var(x) + eps) * weight + bias")


# ------------------------------------------------------------------------ layer norm
# Statistics are over the trailing `axes`; weight and bias have the normalised shape.
def _layer_norm(x, weight, bias, mean, invstd, axes, eps):
    return _affine((x - mean) * invstd, weight, bias)


def _layer_norm_vjp_input(g, ans, x, weight, bias, mean, invstd, axes, eps):
    return _normalised_input_grad(g, x, weight, mean, invstd, axes, eps, True)


def _layer_norm_vjp_weight(g, ans, x, weight, bias, mean, invstd, axes, eps):
    leading = tuple(range(x.ndim - len(axes)))
    return (g * _normalised(x, mean, invstd, axes, eps, True)[0]).sum(axis=leading)


def _layer_norm_vjp_bias(g, ans, x, weight, bias, mean, invstd, axes, eps):
    return g.sum(axis=tuple(range(x.ndim - len(axes))))


layer_norm = Primitive("NativeLayerNorm", _layer_norm,
                       _layer_norm_vjp_input, _layer_norm_vjp_weight, _layer_norm_vjp_bias, None, None,
                       fused_for="(x - mean(x)) / sqrt(var(x) + eps) * weight + bias")


# ------------------------------------------------------------------------ group norm
# The Tensor layer views x as (N, groups, C/groups * spatial) and normalises the last axis
# with the layer norm rules; the per-channel affine map is applied afterwards.
group_norm = Primitive("NativeGroupNorm", _layer_norm,
                       _layer_norm_vjp_input, _layer_norm_vjp_weight, _layer_norm_vjp_bias, None, None,
                       fused_for="(x - mean(x)) / sqrt(var(x) + eps) * weight + bias")
