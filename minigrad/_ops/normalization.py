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

On arrays the rules compute these formulas step by step in place, in buffers of the
workspace (see workspace.py): a normalised activation is a megabyte or so, and each step
made several of them, which glibc handed back to the system and took again page by page.
The operations and their order are those of the formulas, so the results are the same bits;
where they might not be (an operand of another dtype, an input not in C order, whose sums
would add in another order) the formulas run as written.
"""

import math

import numpy as np

from minigrad._ops import workspace
from minigrad._ops.layout import c_ordered, in_suggested_order
from minigrad._ops.registry import Primitive


def _buffer(x, *operands):
    """A workspace buffer like x for the in-place forms of the formulas, or None where those might
    not give the formulas' exact bits: x not a C-ordered array, an operand of another dtype
    (which the formula would promote), or one whose axes run in another order (the formula's
    arrays would take that layout, and their sums would add in another order)."""
    if type(x) is not np.ndarray or not x.flags.c_contiguous:
        return None
    for a in operands:
        if a is not None and (type(a) is not np.ndarray or a.dtype != x.dtype or not _in_c_order(a)):
            return None
    return workspace.empty(x.shape, x.dtype)


def _in_c_order(a):
    """Whether an elementwise result of `a` is laid out in C order: the axes that step through
    memory (more than one element, not broadcast) go from the largest stride to the smallest.
    A gradient broadcast from a mean (stride 0 along the averaged axis) is, a transposed one not."""
    strides = [stride for stride, size in zip(a.strides, a.shape) if size > 1 and stride != 0]
    return all(stride > 0 for stride in strides) and all(p > q for p, q in zip(strides, strides[1:]))


def moments(x, axes):
    """The mean and biased variance of x over `axes`, kept as size-1 axes for broadcasting."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = _buffer(x, mean)
    if centered is None:
        centered = x - mean
        return mean, np.mean(centered * centered, axis=axes, keepdims=True)
    np.subtract(x, mean, out=centered)
    np.multiply(centered, centered, out=centered)
    return mean, np.mean(centered, axis=axes, keepdims=True)


def inverse_std(var, eps):
    return 1 / np.sqrt(var + eps)


def _normalise_affine(x, mean, invstd, weight, bias):
    """(x - mean) * invstd * weight + bias, the forward rule of every normalisation here."""
    out = _buffer(x, mean, invstd, weight, bias)
    if out is None:
        x_hat = (x - mean) * invstd
        out = x_hat if weight is None else x_hat * weight
        return out if bias is None else out + bias
    np.subtract(x, mean, out=out)
    np.multiply(out, invstd, out=out)
    if weight is not None:
        np.multiply(out, weight, out=out)
    if bias is not None:
        np.add(out, bias, out=out)
    return out


def _sum_of_g_times_x_hat(g, x, mean, invstd, axes, keepdims):
    """(g * x_hat).sum(axes): the weight's gradient, with x_hat = (x - mean) * invstd."""
    product = _buffer(x, g, mean, invstd)
    if product is None:
        return (g * ((x - mean) * invstd)).sum(axis=axes, keepdims=keepdims)
    np.subtract(x, mean, out=product)
    np.multiply(product, invstd, out=product)
    np.multiply(g, product, out=product)
    return product.sum(axis=axes, keepdims=keepdims)


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
    count = math.prod(x.shape[a] for a in axes)  # the values behind each statistic (x.size // mean.size, but
                                                 # also right when x is empty)
    out = _buffer(x, g, weight, mean, invstd) if batch_statistics else None
    if out is not None:
        return _input_grad_in_place(g, x, weight, mean, invstd, axes, count, out)
    dx_hat = g if weight is None else g * weight
    if not batch_statistics:
        return dx_hat * invstd
    x_hat, invstd = _normalised(x, mean, invstd, axes, eps, batch_statistics)
    total = dx_hat.sum(axis=axes, keepdims=True)
    projection = (dx_hat * x_hat).sum(axis=axes, keepdims=True)
    return (invstd / count) * (count * dx_hat - total - x_hat * projection)


def _input_grad_in_place(g, x, weight, mean, invstd, axes, count, out):
    """The fused formula above on arrays, each step written into workspace buffers (out among them)."""
    dx_hat = g if weight is None else np.multiply(g, weight, out=workspace.empty(x.shape, x.dtype))
    x_hat = np.subtract(x, mean, out=workspace.empty(x.shape, x.dtype))
    np.multiply(x_hat, invstd, out=x_hat)
    total = dx_hat.sum(axis=axes, keepdims=True)
    projection = np.multiply(dx_hat, x_hat, out=out).sum(axis=axes, keepdims=True)
    np.multiply(count, dx_hat, out=out)
    np.subtract(out, total, out=out)
    np.subtract(out, np.multiply(x_hat, projection, out=x_hat), out=out)
    return np.multiply(invstd / count, out, out=out)


# ------------------------------------------------------------------------ batch norm
# x is (N, C, *spatial); statistics and weight/bias are shaped (1, C, 1, ...) so that they
# broadcast; the Tensor layer reshapes weight and bias and takes the gradients back to (C,).
def _batch_norm(x, weight, bias, mean, invstd, axes, eps, training):
    return _normalise_affine(x, mean, invstd, weight, bias)


def _batch_norm_vjp_input(g, ans, x, weight, bias, mean, invstd, axes, eps, training):
    return _normalised_input_grad(g, x, weight, mean, invstd, axes, eps, training)


def _batch_norm_vjp_weight(g, ans, x, weight, bias, mean, invstd, axes, eps, training):
    if training and not isinstance(x, np.ndarray):  # recorded: the statistics as x's own (see _normalised)
        return (g * _normalised(x, mean, invstd, axes, eps, training)[0]).sum(axis=axes, keepdims=True)
    return _sum_of_g_times_x_hat(g, x, mean, invstd, axes, keepdims=True)


def _batch_norm_vjp_bias(g, ans, x, weight, bias, mean, invstd, axes, eps, training):
    return g.sum(axis=axes, keepdims=True)


# Each normalisation's result is C-ordered whatever x's layout, as torch's is; batch norm's
# is channels-last for a channels-last x (see layout.suggested_order).
batch_norm = Primitive("NativeBatchNorm", in_suggested_order(_batch_norm),
                       _batch_norm_vjp_input, _batch_norm_vjp_weight, _batch_norm_vjp_bias, None, None,
                       fused_for="(x - mean(x)) / sqrt(var(x) + eps) * weight + bias")


# ------------------------------------------------------------------------ layer norm
# Statistics are over the trailing `axes`; weight and bias have the normalised shape.
def _layer_norm(x, weight, bias, mean, invstd, axes, eps):
    return _normalise_affine(x, mean, invstd, weight, bias)


def _layer_norm_vjp_input(g, ans, x, weight, bias, mean, invstd, axes, eps):
    return _normalised_input_grad(g, x, weight, mean, invstd, axes, eps, True)


def _layer_norm_vjp_weight(g, ans, x, weight, bias, mean, invstd, axes, eps):
    leading = tuple(range(x.ndim - len(axes)))
    if not isinstance(x, np.ndarray):  # recorded: the statistics as x's own (see _normalised)
        return (g * _normalised(x, mean, invstd, axes, eps, True)[0]).sum(axis=leading)
    return _sum_of_g_times_x_hat(g, x, mean, invstd, leading, keepdims=False)


def _layer_norm_vjp_bias(g, ans, x, weight, bias, mean, invstd, axes, eps):
    return g.sum(axis=tuple(range(x.ndim - len(axes))))


layer_norm = Primitive("NativeLayerNorm", c_ordered(_layer_norm),
                       _layer_norm_vjp_input, _layer_norm_vjp_weight, _layer_norm_vjp_bias, None, None,
                       fused_for="(x - mean(x)) / sqrt(var(x) + eps) * weight + bias")


# ------------------------------------------------------------------------ group norm
# The Tensor layer views x as (N, groups, C/groups * spatial) and normalises the last axis
# with the layer norm rules; the per-channel affine map is applied afterwards.
group_norm = Primitive("NativeGroupNorm", c_ordered(_layer_norm),
                       _layer_norm_vjp_input, _layer_norm_vjp_weight, _layer_norm_vjp_bias, None, None,
                       fused_for="(x - mean(x)) / sqrt(var(x) + eps) * weight + bias")
