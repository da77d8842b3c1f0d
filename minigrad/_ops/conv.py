"""Convolution in any number of spatial dimensions, as one im2col rule.

A convolution slides a kernel over the zero-padded input. Gathering, for every output
position, the input patch the kernel sees (im2col) turns it into matrix products:

    columns[n, g]  : (C/G * prod(kernel), prod(out))    the patches of group g, one per column
    weight[g]      : (Cout/G, C/G * prod(kernel))       each filter as a row
    out[n, g]      = weight[g] @ columns[n, g]          (Cout/G, prod(out))

The patches are first a strided view of the padded input (``windows``: nothing is
copied), then one copy lays them out as columns. NumPy's matmul runs the product for
every sample and group in one call, and its result (N, G, Cout/G, prod(out)) already
is the output's (N, Cout, *out) memory layout: no transpose or copy after the product.

A bias rides along in the product: each group's columns end in a row of ones and its
weight in a column of biases, so ``[W | b] @ [columns; 1] = W @ columns + b`` needs no
pass of its own over the output, and the weight gradient's product gives the bias
gradient as its last column, for no pass either.

The gradients are matrix products too: d weight[g] = sum_n g[n, g] @ columns[n, g]^T,
d columns[n, g] = weight[g]^T @ g[n, g], and d input scatters the patch gradients back
to the pixels they were read from (col2im): one strided slice per kernel offset, added
in place, instead of a loop over pixels. The columns are built once: the Tensor layer
hands them to the primitive, whose weight gradient reuses them.

Gradients of gradients: the input gradient is a transposed convolution and the weight
gradient the primitive ``convolution_weight`` (bilinear in the input and g); under
create_graph the rules apply these primitives to the recorded tensors, and since each of
them has rules of the same kind, derivatives of any order are recorded.

Shapes: input (N, C, *spatial), weight (Cout, C / groups, *kernel), bias (Cout,) or None.
`stride` and `dilation` are tuples with one entry per spatial axis, `padding` a tuple of
(before, after) pairs, `groups` an int. The Tensor layer has already checked them.
"""

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad._ops import workspace
from minigrad._ops.layout import in_suggested_order
from minigrad._ops.registry import Primitive, on_arrays


def output_shape(spatial, kernel, stride, padding, dilation):
    """The output size along each spatial axis (floor division, as torch does)."""
    return tuple((size + lo + hi - d * (k - 1) - 1) // s + 1
                 for size, k, s, (lo, hi), d in zip(spatial, kernel, stride, padding, dilation))


def pad(x, padding, value=0.0):
    """x with its spatial axes (all but the first two) padded by (before, after) pairs.

    A filled array with x copied into its middle: the same as np.pad, several times faster.
    """
    if not any(lo or hi for lo, hi in padding):
        return x
    out = workspace.empty(x.shape[:2] + tuple(size + lo + hi for size, (lo, hi) in zip(x.shape[2:], padding)),
                          x.dtype)  # (a step's padded copies are large: their memory is kept, see workspace.py)
    out.fill(value)
    out[(slice(None), slice(None)) + tuple(slice(lo, lo + size) for size, (lo, _) in zip(x.shape[2:], padding))] = x
    return out


def windows(padded, kernel, stride, dilation):
    """A strided view (N, C, *out, *kernel) of the patches a kernel sees; nothing is copied.

    Moving one output position along an axis moves `stride` pixels in the input, and one
    step inside the kernel moves `dilation` pixels: both are just strides over the same
    memory, which is what sliding_window_view computes too (with more Python around it).
    """
    spatial, steps = padded.shape[2:], padded.strides[2:]
    out = tuple((size - d * (k - 1) - 1) // s + 1 for size, k, s, d in zip(spatial, kernel, stride, dilation))
    return as_strided(padded, padded.shape[:2] + out + tuple(kernel),
                      padded.strides[:2] + tuple(st * s for st, s in zip(steps, stride))
                      + tuple(st * d for st, d in zip(steps, dilation)), writeable=False)


def col2im(patches, spatial, stride, padding, dilation):
    """Sum patch values (N, C, *kernel, *out) back onto the pixels they were read from: (N, C, *spatial).

    The value at kernel offset k of output position o came from padded pixel
    o * stride + k * dilation; one strided slice per kernel offset adds them all back.
    """
    nd = len(spatial)
    kernel, out_shape = patches.shape[2:2 + nd], patches.shape[2 + nd:]
    padded = np.zeros(patches.shape[:2] + tuple(size + lo + hi for size, (lo, hi) in zip(spatial, padding)),
                      dtype=patches.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):
        region = tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                       for k, d, o, s in zip(offset, dilation, out_shape, stride))
        padded[(slice(None), slice(None)) + region] += patches[(slice(None), slice(None)) + offset]
    return padded[(slice(None), slice(None)) + tuple(slice(lo, lo + size)
                                                     for size, (lo, hi) in zip(spatial, padding))]


def _grouped_weight(weight, groups):
    return weight.reshape(groups, weight.shape[0] // groups, math.prod(weight.shape[1:]))  # (G, Cout/G, C/G * prod(kernel))


def _grouped_grad(g, groups):
    """The output gradient (N, Cout, *out) laid out like the product: (N, G, Cout/G, prod(out)), a view."""
    n, out_channels = g.shape[:2]
    return g.reshape(n, groups, out_channels // groups, math.prod(g.shape[2:]))  # (sizes spelled out: -1 is
                                                                                 # ambiguous for a batch of 0)


def columns(x, kernel, stride, padding, dilation, groups, ones_row=False):
    """im2col: the patches as (N, groups, C/groups * prod(kernel), prod(out)), copied once,
    with a row of ones after each group's patches if `ones_row` (for the bias: see above).

    Each sample's columns are contiguous, read from the strided view of the padded input
    a run of output positions at a time, which is the fast direction for the copy. The
    Tensor layer builds them once and hands them to the convolution as a constant input,
    so that its weight gradient reuses them instead of copying the patches again.
    """
    n, c = x.shape[:2]
    view = windows(pad(x, padding), kernel, stride, dilation)           # (N, C, *out, *kernel)
    nd = len(kernel)
    out_axes = tuple(range(2, 2 + nd))
    kernel_axes = tuple(range(2 + nd, 2 + 2 * nd))
    patches = view.transpose((0, 1) + kernel_axes + out_axes)           # (N, C, *kernel, *out)
    rows = c // groups * math.prod(kernel)
    shape = (n, groups, rows, math.prod(patches.shape[2 + nd:]))
    if not ones_row and all(k == 1 for k in kernel):
        return patches.reshape(shape)  # a 1x1 kernel's patches may be x itself: a view, no copy
    cols = workspace.empty(shape[:2] + (rows + ones_row,) + shape[3:], x.dtype)  # the step's largest array:
    by_group = patches.reshape((n, groups, c // groups) + patches.shape[2:])     # memory kept for the next step
    np.copyto(cols[:, :, :rows].reshape(by_group.shape), by_group)  # (splitting axes: always a view)
    if ones_row:
        cols[:, :, rows] = 1
    return cols


def bias_in_columns(kernel, bias):
    """Whether a convolution's bias rides along in its matrix product (a row of ones in the
    columns). Not for a 1x1 kernel, whose columns are x itself, not worth copying for that."""
    return bias is not None and not all(k == 1 for k in kernel)


def _input_grad(g, weight, spatial, stride, padding, dilation, groups):
    """The gradient of a convolution's input (N, C, *spatial) from its output's gradient g, on arrays."""
    n = g.shape[0]
    kernel, out_shape = weight.shape[2:], g.shape[2:]
    # (G, K, Cout/G) @ (N, G, Cout/G, P) -> (N, G, K, P): each patch's gradient, as columns
    columns_grad = np.swapaxes(_grouped_weight(weight, groups), -1, -2) @ _grouped_grad(g, groups)
    patches_grad = columns_grad.reshape((n, weight.shape[1] * groups) + kernel + out_shape)  # (N, C, *kernel, *out)
    return col2im(patches_grad, spatial, stride, padding, dilation)


def _weight_grad(cols, g, weight_shape, groups):
    """The gradient of a convolution's weight from its input's columns and its output's gradient g."""
    # (N, G, Cout/G, P) @ (N, G, P, K) -> (N, G, Cout/G, K), summed over the samples
    per_sample = _grouped_grad(g, groups) @ np.swapaxes(cols, -1, -2)
    return per_sample.sum(axis=0).reshape(weight_shape)


def _convolution(x, weight, bias, cols, stride, padding, dilation, groups):
    kernel, n = weight.shape[2:], x.shape[0]
    if cols is None:
        cols = columns(x, kernel, stride, padding, dilation, groups, ones_row=bias_in_columns(kernel, bias))
    grouped = _grouped_weight(weight, groups)                            # (G, Cout/G, K)
    with_bias = cols.shape[2] > grouped.shape[2]                         # the columns end in a row of ones
    if with_bias:
        grouped = np.concatenate((grouped, bias.reshape(groups, -1, 1)), axis=2)  # [W | b]
    # (G, Cout/G, K) @ (N, G, K, P) -> (N, G, Cout/G, P), which is (N, Cout, *out) in memory
    product = np.matmul(grouped, cols, out=workspace.empty(cols.shape[:2] + grouped.shape[1:2] + cols.shape[3:],
                                                           np.result_type(grouped, cols)))
    out = product.reshape((n, weight.shape[0]) + output_shape(x.shape[2:], kernel, stride, padding, dilation))
    if bias is not None and not with_bias:
        out += bias.reshape((-1,) + (1,) * len(kernel))
    return out


# The rules below run on arrays in an ordinary backward. Under create_graph they are handed
# recorded tensors and write each gradient as a primitive applied to them (which records it):
# the input gradient is a transposed convolution, the weight gradient the primitive
# ``convolution_weight`` of input and g. Each of these has gradient rules of its own, so
# gradients of any order follow.
def _convolution_vjp_input(g, ans, x, weight, bias, cols, stride, padding, dilation, groups):
    if on_arrays(g, weight):
        return _input_grad(g, weight, x.shape[2:], stride, padding, dilation, groups)
    return conv_transpose(g, weight, None, stride=stride, padding=padding, dilation=dilation, groups=groups,
                          output_shape=tuple(x.shape[2:]))


def _convolution_vjp_weight(g, ans, x, weight, bias, cols, stride, padding, dilation, groups):
    if on_arrays(g, x):
        if cols is None:
            cols = columns(x, weight.shape[2:], stride, padding, dilation, groups)
        return _weight_grad(cols, g, weight.shape, groups)
    return convolution_weight(x, g, weight_shape=tuple(weight.shape), stride=stride, padding=padding,
                              dilation=dilation, groups=groups)


def _channel_sums(g):
    """g (N, C, *spatial) summed over all axes but the channels: first over the samples (one
    pass of elementwise adds), then each channel's plane (a contiguous, pairwise sum)."""
    if not on_arrays(g):
        return g.sum((0,) + tuple(range(2, g.ndim)))
    return g.sum(axis=0).reshape(g.shape[1], math.prod(g.shape[2:])).sum(axis=1)


def _convolution_vjp(wanted, g, ans, x, weight, bias, cols, stride, padding, dilation, groups):
    """The gradients of input, weight and bias. Where the columns end in a row of ones (the
    bias rode along in forward), one product gives the weight's gradient and, as its last
    column, the bias's: d [W | b] = g @ [columns; 1]^T."""
    wants_x, wants_weight, wants_bias = wanted[:3]
    dx = dweight = dbias = None
    if wants_x:
        dx = _convolution_vjp_input(g, ans, x, weight, bias, cols, stride, padding, dilation, groups)
    rows = math.prod(weight.shape[1:])
    if wants_weight and cols is not None and cols.shape[2] > rows and on_arrays(g):
        extended = (_grouped_grad(g, groups) @ np.swapaxes(cols, -1, -2)).sum(axis=0)  # (G, Cout/G, K + 1)
        dweight = extended[..., :rows].reshape(weight.shape)
        if wants_bias:
            dbias = extended[..., rows].reshape(-1)
    elif wants_weight:
        dweight = _convolution_vjp_weight(g, ans, x, weight, bias, cols, stride, padding, dilation, groups)
    if wants_bias and dbias is None:
        dbias = _channel_sums(g)
    return [dx, dweight, dbias, None]


# cols: the columns of x (``columns``) when the caller has them, else None (they are built here).
# The result is C-ordered, or channels-last for a channels-last x, as torch's (layout.suggested_order).
convolution = Primitive("Convolution", in_suggested_order(_convolution), vjp_all=_convolution_vjp)


# The weight gradient as a primitive of its own, for gradients of gradients. It is bilinear in
# x and g: its gradient with respect to g is the convolution of x with the incoming weight-shaped
# gradient, and with respect to x that convolution's input gradient (a transposed convolution).
def _convolution_weight(x, g, weight_shape, stride, padding, dilation, groups):
    return _weight_grad(columns(x, weight_shape[2:], stride, padding, dilation, groups), g, weight_shape, groups)


def _convolution_weight_vjp_x(gw, ans, x, g, weight_shape, stride, padding, dilation, groups):
    return conv_transpose(g, gw, None, stride=stride, padding=padding, dilation=dilation, groups=groups,
                          output_shape=tuple(x.shape[2:]))


def _convolution_weight_vjp_g(gw, ans, x, g, weight_shape, stride, padding, dilation, groups):
    return convolution(x, gw, None, None, stride=stride, padding=padding, dilation=dilation, groups=groups)


convolution_weight = Primitive("ConvolutionWeight", _convolution_weight, _convolution_weight_vjp_x,
                               _convolution_weight_vjp_g, grad_fn_name="ConvolutionBackwardBackward0")


# ------------------------------------------------------------------------ unfold and fold
# torch's F.unfold / F.fold expose im2col and col2im themselves, with columns laid out as
# (N, C * prod(kernel), prod(out)); each is the other's gradient.
def _unfold(x, kernel, stride, padding, dilation):
    nd = len(kernel)
    view = windows(pad(x, padding), kernel, stride, dilation)           # (N, C, *out, *kernel)
    patches = view.transpose((0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd)))
    # A fresh row-major array, as torch's: where the reshape can stay a strided view of x
    # (1x1 kernels, a single block per row) it would not be contiguous, and .view(-1) would fail.
    return np.ascontiguousarray(patches.reshape(x.shape[0], x.shape[1] * math.prod(kernel),
                                                math.prod(view.shape[2:2 + nd])))


def _fold(columns, spatial, kernel, stride, padding, dilation):
    n, channels = columns.shape[0], columns.shape[1] // math.prod(kernel)
    out_shape = output_shape(spatial, kernel, stride, padding, dilation)
    return col2im(columns.reshape((n, channels) + tuple(kernel) + out_shape), spatial, stride, padding, dilation)


unfold = Primitive("Im2Col", _unfold,
                   lambda g, ans, x, kernel, stride, padding, dilation:
                   fold(g, spatial=tuple(x.shape[2:]), kernel=kernel, stride=stride, padding=padding,
                        dilation=dilation),
                   saves="nothing")
fold = Primitive("Col2Im", _fold,
                 lambda g, ans, cols, spatial, kernel, stride, padding, dilation:
                 unfold(g, kernel=kernel, stride=stride, padding=padding, dilation=dilation),
                 saves="nothing")


# ------------------------------------------------------------------ transposed convolution
# conv_transpose(x, W) is the adjoint of convolution with the same W: it maps the
# convolution's output space back to its input space. So its forward is exactly the
# convolution's input gradient (col2im), its gradient with respect to x is a
# convolution, and its gradient with respect to W is the convolution's weight gradient
# with the roles of input and output gradient swapped.

def _conv_transpose(x, weight, bias, stride, padding, dilation, groups, output_shape):
    out = np.ascontiguousarray(_input_grad(x, weight, output_shape, stride, padding, dilation, groups))
    if bias is not None:
        out += bias.reshape((-1,) + (1,) * len(output_shape))
    return out


def _without_output_padding(g, x, weight, stride, padding, dilation):
    """g and the padding under which convolving it gives exactly x's positions.

    output_padding adds rows at the end of the output that no input position reaches;
    the adjoint convolution must not produce outputs for them, so the padding after
    shrinks by that amount (cropping g where it would become negative).
    """
    pairs, crop = [], []
    for axis, ((lo, hi), s, d, k) in enumerate(zip(padding, stride, dilation, weight.shape[2:])):
        extra = g.shape[2 + axis] - ((x.shape[2 + axis] - 1) * s - lo - hi + d * (k - 1) + 1)
        pairs.append((lo, max(hi - extra, 0)))
        crop.append(slice(0, g.shape[2 + axis] - max(extra - hi, 0)))
    return g[(slice(None), slice(None)) + tuple(crop)], tuple(pairs)


def _conv_transpose_vjp_x(g, ans, x, weight, bias, stride, padding, dilation, groups, output_shape):
    g, pairs = _without_output_padding(g, x, weight, stride, padding, dilation)
    return convolution(g, weight, None, None, stride=stride, padding=pairs, dilation=dilation, groups=groups)


def _conv_transpose_vjp_weight(g, ans, x, weight, bias, stride, padding, dilation, groups, output_shape):
    g, pairs = _without_output_padding(g, x, weight, stride, padding, dilation)
    # the weight gradient of the convolution that maps g (its input) to x (its output)
    return convolution_weight(g, x, weight_shape=tuple(weight.shape), stride=stride, padding=pairs,
                              dilation=dilation, groups=groups)


def _conv_transpose_vjp_bias(g, ans, x, weight, bias, stride, padding, dilation, groups, output_shape):
    return _channel_sums(g)


# weight: (C_in, C_out / groups, *kernel), as torch stores a transposed convolution's weight.
conv_transpose = Primitive("ConvTranspose", _conv_transpose, _conv_transpose_vjp_x, _conv_transpose_vjp_weight,
                           _conv_transpose_vjp_bias)
