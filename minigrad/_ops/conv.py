"""Convolution in any number of spatial dimensions, as one im2col rule.

A convolution slides a kernel over the zero-padded input. Gathering, for every output
position, the input patch the kernel sees (im2col) turns it into one matrix product:

    columns[n, g]  : (C/G * prod(kernel), prod(out))    the patches of group g, one per column
    weight[g]      : (Cout/G, C/G * prod(kernel))       each filter as a row
    out[n, g]      = weight[g] @ columns[n, g]          (Cout/G, prod(out))

so the gradients are matrix products too: d weight[g] = sum_n g[n, g] @ columns[n, g]^T,
d columns = weight^T @ g, and d input scatters the patch gradients back to the pixels
they were read from (col2im), one kernel offset at a time.

Shapes: input (N, C, *spatial), weight (Cout, C / groups, *kernel), bias (Cout,) or None.
`stride` and `dilation` are tuples with one entry per spatial axis, `padding` a tuple of
(before, after) pairs, `groups` an int. The Tensor layer has already checked them.
"""

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from minigrad._ops.registry import Primitive


def output_shape(spatial, kernel, stride, padding, dilation):
    """The output size along each spatial axis (floor division, as torch does)."""
    return tuple((size + lo + hi - d * (k - 1) - 1) // s + 1
                 for size, k, s, (lo, hi), d in zip(spatial, kernel, stride, padding, dilation))


def pad(x, padding, value=0.0):
    """x with its spatial axes (all but the first two) padded by (before, after) pairs."""
    if not any(lo or hi for lo, hi in padding):
        return x
    return np.pad(x, ((0, 0), (0, 0)) + tuple(padding), constant_values=value)


def windows(padded, kernel, stride, dilation):
    """A strided view (N, C, *out, *kernel) of the patches a kernel sees; nothing is copied."""
    spatial_axes = tuple(range(2, padded.ndim))
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    view = sliding_window_view(padded, extent, axis=spatial_axes)
    # Keep every `stride`-th window and every `dilation`-th element inside a window.
    return view[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)
                + tuple(slice(None, None, d) for d in dilation)]


def _columns(x, kernel, stride, padding, dilation, groups):
    """im2col: the patches as (N, groups, C/groups * prod(kernel), prod(out)), copied once."""
    n, c = x.shape[:2]
    view = windows(pad(x, padding), kernel, stride, dilation)
    nd = len(kernel)
    out_axes = tuple(range(2, 2 + nd))
    kernel_axes = tuple(range(2 + nd, 2 + 2 * nd))
    patches = view.transpose((0, 1) + kernel_axes + out_axes)           # (N, C, *kernel, *out)
    return patches.reshape(n, groups, c // groups * math.prod(kernel), -1)


def _grouped_weight(weight, groups):
    return weight.reshape(groups, weight.shape[0] // groups, -1)        # (G, Cout/G, C/G * prod(kernel))


def _convolution(x, weight, bias, stride, padding, dilation, groups):
    kernel = weight.shape[2:]
    out = _grouped_weight(weight, groups) @ _columns(x, kernel, stride, padding, dilation, groups)
    out = out.reshape((x.shape[0], weight.shape[0]) + output_shape(x.shape[2:], kernel, stride, padding, dilation))
    if bias is not None:
        out += bias.reshape((-1,) + (1,) * len(kernel))
    return out


def _convolution_vjp_input(g, ans, x, weight, bias, stride, padding, dilation, groups):
    n, c = x.shape[:2]
    kernel, out_shape = weight.shape[2:], g.shape[2:]
    g = g.reshape(n, groups, weight.shape[0] // groups, -1)
    columns_grad = np.swapaxes(_grouped_weight(weight, groups), -1, -2) @ g   # (N, G, C/G*prod(k), prod(out))
    columns_grad = columns_grad.reshape((n, c) + kernel + out_shape)
    # col2im: the patch read at kernel offset k of output o came from padded pixel o*stride + k*dilation.
    padded_grad = np.zeros((n, c) + tuple(size + lo + hi for size, (lo, hi) in zip(x.shape[2:], padding)),
                           dtype=g.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):
        region = tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                       for k, d, o, s in zip(offset, dilation, out_shape, stride))
        padded_grad[(slice(None), slice(None)) + region] += columns_grad[(slice(None), slice(None)) + offset]
    return padded_grad[(slice(None), slice(None)) + tuple(slice(lo, lo + size)
                                                         for size, (lo, hi) in zip(x.shape[2:], padding))]


def _convolution_vjp_weight(g, ans, x, weight, bias, stride, padding, dilation, groups):
    n = x.shape[0]
    columns = _columns(x, weight.shape[2:], stride, padding, dilation, groups)
    g = g.reshape(n, groups, weight.shape[0] // groups, -1)
    return (g @ np.swapaxes(columns, -1, -2)).sum(axis=0).reshape(weight.shape)


def _convolution_vjp_bias(g, ans, x, weight, bias, stride, padding, dilation, groups):
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


convolution = Primitive("Convolution", _convolution,
                        _convolution_vjp_input, _convolution_vjp_weight, _convolution_vjp_bias)
