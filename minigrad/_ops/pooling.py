"""Pooling over the spatial axes of (N, C, *spatial) arrays: max, average, adaptive average and max;
and max unpooling, which puts pooled maxima back where they came from.

Every rule works for any number of spatial axes; the Tensor layer turns 1-d pooling into
2-d pooling on an inserted axis, as torch does. Windows are strided views of the padded
input (see ``conv.windows``), so no Python loop runs over pixels.

- Max pooling first finds, for every window, the flat position of its maximum in the
  input's spatial plane (``max_pool_indices``, torch's `return_indices`). The primitive then
  reads the input at those positions, and its gradient adds ``g`` back at the same
  positions: only the maximum of each window receives gradient, as in torch. (A dilated
  window can lie wholly in the padding; it yields -inf and sends no gradient.)
- When the windows tile the plane (stride = kernel, no padding or dilation: the usual
  ``MaxPool2d(2)``) and no indices are asked for, a faster rule (``max_pool_tiles``)
  needs no indices at all. Each window element, at a fixed offset inside its window, is
  one strided view of the input; the output is their pairwise ``np.maximum``. The gradient
  is routed by comparison: at each offset in scan order, an element equal to its window's
  maximum that no earlier offset matched receives ``g`` (ties go to the first, as in
  torch). g is selected on its bits, not multiplied by the match, so an infinite or NaN g
  needs no special case; only a window whose maximum is NaN falls back to the indices.
- Average pooling divides each window's sum by a divisor (the window size, or only its
  part inside the input when `count_include_pad` is False); its gradient spreads
  ``g / divisor`` evenly over the window.
- Adaptive pooling picks window i = [floor(i L / out), ceil((i + 1) L / out)) along each
  axis. Adaptive average pooling averages each window one axis at a time, reading only the
  window (``resize.average_stencil``), and its gradient spreads g back over the windows.
  Adaptive max pooling finds its maxima like max pooling and shares its gradient rule.

Gradients of gradients: every pooling gradient is linear in g. Under create_graph, max
pooling's is recorded as a scatter to the maxima (``max_pool_scatter``, whose gradient is
the gather at the same positions), average pooling's as ``avg_pool_spread`` (whose gradient
is average pooling), and adaptive average pooling's spread as the primitive resize.py
pairs with it.
"""

import itertools
import math
import sys

import numpy as np

from minigrad._ops import workspace
from minigrad._ops.conv import pad, windows
from minigrad._ops.elementwise import SAME_WIDTH_INT
from minigrad._ops.layout import in_suggested_order
from minigrad._ops.registry import Primitive, on_arrays
from minigrad._ops.resize import adaptive_windows, average_stencil, resizing


def pooled_shape(spatial, kernel, stride, padding, dilation, ceil_mode):
    """The output size along each axis, with torch's ceil_mode rule.

    In ceil mode a last, partial window is kept only if it starts inside the input or
    its left padding (never in the right padding).
    """
    sizes = []
    for size, k, s, p, d in zip(spatial, kernel, stride, padding, dilation):
        span = size + 2 * p - d * (k - 1) - 1
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= size + p:
            out -= 1
        sizes.append(out)
    return tuple(sizes)


def _padding_pairs(spatial, kernel, stride, padding, dilation, out_shape):
    """(before, after) pads; ceil mode may need extra room after the input for the last window."""
    return tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - size - p))
                 for size, k, s, p, d, o in zip(spatial, kernel, stride, padding, dilation, out_shape))


# ----------------------------------------------------------------------------- max pooling
def _offsets(kernel):
    """Every position inside a window, in row-major order (the order torch scans a window in)."""
    return itertools.product(*(range(k) for k in kernel))


def _window_elements(padded, offset, out_shape, stride, dilation):
    """The strided view (N, C, *out) of the element at `offset` inside every window."""
    return padded[(slice(None), slice(None)) + tuple(
        slice(k * d, k * d + (o - 1) * s + 1, s) for k, d, o, s in zip(offset, dilation, out_shape, stride))]


def max_pool_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """The flat index (into each input channel's spatial plane) of every window's maximum.

    Returns an int64 array of shape (N, C, *out). The windows are scanned one kernel offset
    at a time, as torch scans them: starting from the window's first element inside the
    input, a later element wins only if it is larger (so ties go to the first) or NaN (so
    NaN propagates). Padding holds -inf (the lowest integer for integer input), which never wins.
    """
    spatial = x.shape[2:]
    out_shape = pooled_shape(spatial, kernel, stride, padding, dilation, ceil_mode)
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    padded = pad(x, _padding_pairs(spatial, kernel, stride, padding, dilation, out_shape), value=lowest)
    plane_strides = np.cumprod((1,) + spatial[:0:-1])[::-1]           # row-major strides of the plane
    # Each window's first element sits at row-major index `first` of the plane (negative
    # coordinates are padding); its first element inside the input lies `skip` further on.
    first, skip = np.zeros((), dtype=np.int64), np.zeros((), dtype=np.int64)
    for s, p, d, o, step in zip(stride, padding, dilation, out_shape, plane_strides):
        starts = np.arange(o) * s - p
        first = np.add.outer(first, starts * step)
        skip = np.add.outer(skip, -(np.minimum(starts, 0) // d) * d * step)  # ceil(-start / d) * d
    best = np.full(x.shape[:2] + out_shape, lowest, dtype=x.dtype)
    winner = np.broadcast_to(skip, best.shape).copy()
    for offset in _offsets(kernel):
        candidate = _window_elements(padded, offset, out_shape, stride, dilation)
        shift = int(sum(k * d * step for k, d, step in zip(offset, dilation, plane_strides)))
        wins = (candidate > best) | np.isnan(candidate)
        winner += wins * (shift - winner)                                 # where it wins, take its shift
        best = np.maximum(best, candidate)                                # (NaN propagates)
    return first + winner


def empty_windows(spatial, kernel, stride, padding, dilation, out_shape):
    """Which windows hold no input element at all, as a boolean array of shape out_shape (None if none).

    Only a dilated kernel can do this: every tap of a window may land in the padding.
    torch's max pooling gives such a window -inf and sends it no gradient; its index is
    computed as for any window (the first position at or after the window's start) and
    may lie outside the window, or the plane, so it must not be read.
    """
    empty = np.zeros((), dtype=bool)
    for size, k, s, p, d, o in zip(spatial, kernel, stride, padding, dilation, out_shape):
        taps = (np.arange(o) * s - p)[:, None] + np.arange(k) * d          # (out, kernel) input positions
        empty = np.logical_or.outer(empty, ~((taps >= 0) & (taps < size)).any(axis=1))
    return empty if empty.any() else None


def _gather_plane(x, indices, empty=None, empty_value=None):
    """x at each window's flat argmax position; windows marked `empty` get `empty_value` (by
    default the lowest value, as max pooling gives them)."""
    n, c = x.shape[:2]
    safe = indices if empty is None else np.where(empty, 0, indices)
    planes, picks = x.reshape(n, c, math.prod(x.shape[2:])), safe.reshape(n, c, math.prod(safe.shape[2:]))
    values = np.take_along_axis(planes, picks, axis=-1).reshape(indices.shape)
    if empty is None:
        return values
    if empty_value is None:
        empty_value = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    return np.where(empty, np.asarray(empty_value, dtype=x.dtype), values)


def _scatter_plane(g, indices, shape, empty=None):
    """Each window's g added at its maximum's flat position in an array of zeros of `shape`:
    overlapping windows may pick the same element, so the values are summed per element
    (bincount over global positions). An empty window has no maximum and sends nothing."""
    if empty is not None:
        indices, g = np.where(empty, 0, indices), np.where(empty, 0, g)
    n, c = shape[:2]
    plane = math.prod(shape[2:])
    positions = indices.reshape(n * c, math.prod(indices.shape[2:])) + (np.arange(n * c) * plane)[:, None]
    grad = np.bincount(positions.ravel(), weights=g.ravel(), minlength=math.prod(shape))
    return grad.astype(g.dtype, copy=False).reshape(shape)


# The gradient of max pooling is a scatter of g to the maxima, linear in g; under create_graph
# it is recorded as the primitive ``max_pool_scatter``, whose own gradient is the gather at the
# same positions (max pooling of the incoming gradient, with 0 for empty windows). The positions
# depend on x only through comparisons: constants, as in torch.
def _max_pool_vjp(g, ans, x, indices, empty=None, empty_value=None):
    if on_arrays(g):
        return _scatter_plane(g, indices, x.shape, empty)
    return max_pool_scatter(g, indices, shape=tuple(x.shape), empty=empty)


# Each pooled result is C-ordered, or channels-last for a channels-last x, as torch's (layout.suggested_order).
max_pool = Primitive("MaxPool2DWithIndices", in_suggested_order(_gather_plane), _max_pool_vjp, None, saves="inputs")
max_pool_scatter = Primitive(
    "MaxPoolScatter", _scatter_plane,
    lambda gx, ans, g, indices, shape, empty=None: max_pool(gx, indices, empty=empty, empty_value=0), None,
    saves="nothing", grad_fn_name="MaxPool2DWithIndicesBackwardBackward0")


# Max unpooling writes each value back at the flat position max pooling found it at, into a plane
# (or volume) of zeros: the inverse of max pooling's gather, so its gradient is that gather (max_pool)
# of g. Where two values name the same position the later one stays, as in torch. The input is
# (N, C, *spatial) or (C, *spatial), with len(size) spatial axes: its leading axes are read as rows
# of one-channel planes.
def _as_planes(x, spatial_dims):
    return x.reshape(math.prod(x.shape[:-spatial_dims]), 1, *x.shape[-spatial_dims:])


def _max_unpool(x, indices, size):
    planes, picks = _as_planes(x, len(size)), _as_planes(indices, len(size))
    out = np.zeros((planes.shape[0], 1, math.prod(size)), dtype=x.dtype)
    count = math.prod(x.shape[-len(size):])
    np.put_along_axis(out, picks.reshape(-1, 1, count), planes.reshape(-1, 1, count), axis=-1)
    return out.reshape(*x.shape[:-len(size)], *size)


def _max_unpool_vjp(g, ans, x, indices, size):
    return max_pool(_as_planes(g, len(size)), _as_planes(indices, len(size))).reshape(x.shape)


max_unpool = Primitive("MaxUnpool2D", _max_unpool, _max_unpool_vjp, None, saves="nothing")


# ------------------------------------------------------------- max pooling over tiles
def tiles(spatial, kernel, stride, padding, dilation, ceil_mode):
    """Whether the windows tile the plane: stride = kernel, no padding or dilation, and (in
    ceil mode) no partial window at the end. Then each element is in at most one window."""
    return (tuple(stride) == tuple(kernel) and not any(padding) and all(d == 1 for d in dilation)
            and not (ceil_mode and any(size % k for size, k in zip(spatial, kernel))))


def _tile_elements(x, kernel):
    """For every offset inside a window (scan order), the strided view (N, C, *out) of the
    element at that offset in every window, for windows that tile x (rows or columns
    past the last whole window are left out, as floor mode leaves them)."""
    nd = len(kernel)
    out_shape = [size // k for size, k in zip(x.shape[2:], kernel)]
    whole = x[(slice(None), slice(None)) + tuple(slice(0, o * k) for o, k in zip(out_shape, kernel))]
    blocks = whole.reshape(x.shape[:2] + tuple(itertools.chain(*zip(out_shape, kernel))))  # (N, C, o1, k1, o2, k2, ...)
    blocks = blocks.transpose((0, 1) + tuple(range(2, 2 + 2 * nd, 2)) + tuple(range(3, 3 + 2 * nd, 2)))
    return [blocks[(Ellipsis,) + offset] for offset in _offsets(kernel)]          # blocks: (N, C, *out, *kernel)


def _max_pool_tiles(x, kernel):
    elements = _tile_elements(x, kernel)
    if len(elements) == 1:
        return elements[0].copy()
    # NaN propagates, as in torch. The output's memory is kept from step to step (workspace)
    # where it takes C order anyway, as the maximum of views of a C-ordered x does.
    out = workspace.empty(elements[0].shape, x.dtype) if x.flags.c_contiguous else None
    out = np.maximum(elements[0], elements[1], out=out)
    for element in elements[2:]:
        np.maximum(out, element, out=out)
    return out


_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
# Moves the first of a uint16's two bytes (in memory) onto its second.
_ONTO_SECOND_BYTE = np.left_shift if sys.byteorder == "little" else np.right_shift


def _route_by_offsets(g_bits, ans, x, kernel, grad_bits):
    """Any kernel: at each offset in scan order, an element equal to its window's maximum that
    no earlier offset matched takes g. Returns whether every window found its maximum."""
    taken = None                                                      # windows whose maximum came earlier
    for element, target in zip(_tile_elements(x, kernel), _tile_elements(grad_bits, kernel)):
        first = np.equal(element, ans)
        if taken is None:
            taken = first.copy()
        else:
            np.greater(first, taken, out=first)                       # equal here, and not before
            taken |= first
        np.multiply(g_bits, first, out=target)
    return bool(taken.all())


def _pairs(a):
    """a (itemsize at most 4) with each element repeated along the last axis: an integer twice
    as wide holding the element's bits in both halves is the pair, whatever the byte order."""
    wide = workspace.empty(a.shape, _UINT[2 * a.itemsize])
    np.copyto(wide, a.view(_UINT[a.itemsize]))
    wide *= (1 << 8 * a.itemsize) + 1
    return wide.view(a.dtype).reshape(a.shape[:-1] + (2 * a.shape[-1],))


def _route_by_rows(g_bits, ans, x, rows, grad_bits):
    """Kernel (rows, 2): as ``_route_by_offsets``, but a window row at a time, for speed.

    The strided view of one offset makes NumPy loop over runs as long as an output row (14
    for MaxPool2d(2) on 28 x 28), and the cost per run dominates. Row r of every window is
    a strided view with runs twice as long, which the pooled output and g, each element
    repeated twice, match element for element: half the runs. In a pair of matches viewed
    as a uint16, the second byte is cleared where the first is set (the first maximum wins).
    """
    n, c, out_rows, out_cols = ans.shape
    window_rows = x[:, :, :out_rows * rows, :2 * out_cols].reshape(n, c, out_rows, rows, 2 * out_cols)
    grad_rows = grad_bits[:, :, :out_rows * rows, :2 * out_cols].reshape(window_rows.shape)  # views
    ans_pairs, g_pairs = _pairs(ans), _pairs(g_bits)
    free = None                                                       # windows whose maximum is still to come
    for r in range(rows):
        first = np.equal(window_rows[:, :, :, r], ans_pairs, out=workspace.empty(ans_pairs.shape, bool))
        pair = first.view(np.uint16)
        later = _ONTO_SECOND_BYTE(pair, 8, out=workspace.empty(pair.shape, np.uint16))
        pair &= np.invert(later, out=later)                           # a pair's first match, if any
        if free is None:
            free = np.equal(pair, 0, out=workspace.empty(pair.shape, bool))
        else:
            np.multiply(pair, free, out=pair)                         # not if an earlier row matched
            free &= np.equal(pair, 0, out=workspace.empty(pair.shape, bool))
        np.multiply(g_pairs, first, out=grad_rows[:, :, :, r])
    return not free.any()


def _max_pool_tiles_vjp(g, ans, x, kernel):
    """g routed to each window's first maximum, found by comparison with the pooled output.

    g is selected rather than multiplied by the match: g's bits times 1 or 0, as integers, are
    g or +0.0, so an infinite or NaN g (inf * 0 is NaN) and a negative g (-g * 0 is -0.0) need
    no check or fix-up pass. torch adds g to zeros, which turns a -0.0 into +0.0: so does
    ``g + 0``. A window whose maximum is NaN equals none of its elements; then the routing
    reports it, and the gradient comes from the indices (a NaN window sends its gradient to
    its last NaN). Windows two wide in 2-d (MaxPool2d(2)) go a window row at a time, on
    pairs of elements, for float16 and float32 (a pair fits an integer).
    """
    ones, zeros = (1,) * len(kernel), (0,) * len(kernel)
    if not on_arrays(g):  # recorded: a scatter to the maxima, as the general rule does it
        return _max_pool_vjp(g, ans, x, max_pool_indices(np.asarray(x), kernel, kernel, zeros, ones, False))
    as_int = SAME_WIDTH_INT.get(g.itemsize) if g.dtype.kind == "f" else None
    if as_int is not None:
        covered = all(size % k == 0 for size, k in zip(x.shape[2:], kernel))   # every element in a window
        grad = workspace.empty(x.shape, g.dtype)
        if not covered:
            grad.fill(0)
        g_bits = np.add(g, 0, out=workspace.empty(g.shape, g.dtype)).view(as_int)  # -0.0 + 0 is +0.0
        if len(kernel) == 2 and kernel[1] == 2 and g.itemsize <= 4 and ans.itemsize <= 4:
            found = _route_by_rows(g_bits, ans, x, kernel[0], grad.view(as_int))
        else:
            found = _route_by_offsets(g_bits, ans, x, kernel, grad.view(as_int))
        if found:
            return grad
    return _max_pool_vjp(g, ans, x, max_pool_indices(x, kernel, kernel, zeros, ones, False))


max_pool_tiles = Primitive("MaxPool2DTiles", in_suggested_order(_max_pool_tiles), _max_pool_tiles_vjp, saves="both",
                           grad_fn_name="MaxPool2DWithIndicesBackward0")


def adaptive_max_pool_indices(x, output_size):
    """Like ``max_pool_indices``, for the adaptive windows of an (N, C, *spatial) input.

    Adaptive windows may differ in size. Each is read as a window of the largest size
    whose positions past its end repeat its last position along that axis; a repeat comes
    after the original in the scan, so it never changes which element wins.
    """
    spatial = x.shape[2:]
    bounds = [adaptive_windows(size, out) for size, out in zip(spatial, output_size)]
    plane_strides = np.cumprod((1,) + spatial[:0:-1])[::-1]           # row-major strides of the plane
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    best = np.full(x.shape[:2] + tuple(output_size), lowest, dtype=x.dtype)
    winner = None
    for offset in itertools.product(*(range(int(np.max(end - start))) for start, end in bounds)):
        coords = np.ix_(*(np.minimum(start + o, end - 1) for (start, end), o in zip(bounds, offset)))
        position = sum(c * step for c, step in zip(coords, plane_strides))
        if winner is None:                                            # each window's first position
            winner = np.broadcast_to(position, best.shape).copy()
        candidate = x[(slice(None), slice(None)) + coords]
        wins = (candidate > best) | np.isnan(candidate)
        winner += wins * (position - winner)
        best = np.maximum(best, candidate)
    return winner


adaptive_max_pool = Primitive("AdaptiveMaxPool2D", in_suggested_order(_gather_plane), _max_pool_vjp, None,
                              saves="inputs")


# ------------------------------------------------------------------------- average pooling
def _window_sizes(size, k, s, p, out, count_include_pad):
    """Per output position along one axis: how many elements its window averages over."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)      # a ceil-mode window may hang past the right padding
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


def _avg_pool_divisor(spatial, kernel, stride, padding, out_shape, count_include_pad, divisor_override, dtype):
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    divisor = np.ones((), dtype=dtype)
    for size, k, s, p, o in zip(spatial, kernel, stride, padding, out_shape):
        divisor = np.multiply.outer(divisor, _window_sizes(size, k, s, p, o, count_include_pad).astype(dtype))
    return divisor


def _avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    spatial, ones = x.shape[2:], (1,) * len(kernel)
    out_shape = pooled_shape(spatial, kernel, stride, padding, ones, ceil_mode)
    pairs = _padding_pairs(spatial, kernel, stride, padding, ones, out_shape)
    view = windows(pad(x, pairs), kernel, stride, ones)
    view = view[(Ellipsis,) + tuple(slice(0, o) for o in out_shape) + (slice(None),) * len(kernel)]
    # The window sums, then the division, in one buffer kept from step to step (workspace).
    average = np.add.reduce(view, axis=tuple(range(-len(kernel), 0)), out=workspace.empty(view.shape[:-len(kernel)],
                                                                                          x.dtype))
    divisor = _avg_pool_divisor(spatial, kernel, stride, padding, out_shape, count_include_pad, divisor_override,
                                x.dtype)
    if x.dtype.kind in "iu":  # integer sums divided as C divides integers: the quotient rounded toward zero
        return np.trunc(average / divisor).astype(x.dtype)
    return np.divide(average, divisor, out=average)


def _avg_pool_spread(g, shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """g / divisor spread evenly over each window, summed into an array of zeros of `shape`."""
    spatial, out_shape, ones = shape[2:], g.shape[2:], (1,) * len(kernel)
    divisor = _avg_pool_divisor(spatial, kernel, stride, padding, out_shape, count_include_pad, divisor_override,
                                g.dtype)
    share = np.divide(g, divisor, out=workspace.empty(g.shape, g.dtype))
    pairs = _padding_pairs(spatial, kernel, stride, padding, ones, out_shape)
    padded_grad = workspace.empty(tuple(shape[:2]) + tuple(size + lo + hi for size, (lo, hi) in zip(spatial, pairs)),
                                  g.dtype)
    padded_grad.fill(0)
    for offset in itertools.product(*(range(k) for k in kernel)):
        region = tuple(slice(k, k + (o - 1) * s + 1, s) for k, o, s in zip(offset, out_shape, stride))
        padded_grad[(slice(None), slice(None)) + region] += share
    return padded_grad[(slice(None), slice(None)) + tuple(slice(lo, lo + size)
                                                         for size, (lo, hi) in zip(spatial, pairs))]


# Average pooling is linear, y = D^-1 S x (S sums each window, D divides by its divisor), and
# its gradient S^T D^-1 g is linear in g; that map's own gradient is D^-1 S again: average
# pooling of the incoming gradient. Under create_graph the spread is the primitive
# ``avg_pool_spread``, whose rule is ``avg_pool``, so gradients of any order follow.
def _avg_pool_vjp(g, ans, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    params = dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                  count_include_pad=count_include_pad, divisor_override=divisor_override)
    if on_arrays(g):
        return _avg_pool_spread(g, x.shape, **params)
    return avg_pool_spread(g, shape=tuple(x.shape), **params)


avg_pool = Primitive("AvgPool2D", in_suggested_order(_avg_pool), _avg_pool_vjp, saves="nothing")
avg_pool_spread = Primitive(
    "AvgPoolSpread", _avg_pool_spread,
    lambda gx, ans, g, shape, **params: avg_pool(gx, **params),
    saves="nothing", grad_fn_name="AvgPool2DBackwardBackward0")


# ----------------------------------------------------------------- adaptive average pooling
# Each output averages its window along every axis: a resize by average stencils (see resize.py),
# which reads only the window, so a NaN or inf reaches only the outputs whose windows hold it.
adaptive_avg_pool2d = resizing("AdaptiveAvgPool2D", average_stencil)
adaptive_avg_pool3d = resizing("AdaptiveAvgPool3D", average_stencil)


# ------------------------------------------------------ the 3-d forms, under torch's 3-d names
# The rules above work for any number of spatial axes; torch names its 3-d nodes apart
# (MaxPool3DWithIndicesBackward0, ...), so the 3-d forms are the same rules registered again.
max_pool3d = Primitive("MaxPool3DWithIndices", in_suggested_order(_gather_plane), _max_pool_vjp, None,
                       saves="inputs")
max_pool_tiles3d = Primitive("MaxPool3DTiles", in_suggested_order(_max_pool_tiles), _max_pool_tiles_vjp,
                             saves="both", grad_fn_name="MaxPool3DWithIndicesBackward0")
avg_pool3d = Primitive("AvgPool3D", in_suggested_order(_avg_pool), _avg_pool_vjp, saves="nothing")
adaptive_max_pool3d = Primitive("AdaptiveMaxPool3D", in_suggested_order(_gather_plane), _max_pool_vjp, None,
                                saves="inputs")
max_unpool3d = Primitive("MaxUnpool3D", _max_unpool, _max_unpool_vjp, None, saves="nothing")


# ---------------------------------------------------------------------- fractional max pooling
# Fractional max pooling (Graham, 2014) shrinks each spatial axis by a factor that need not be an
# integer, say 7 -> 3 with windows of 2: the windows start at pseudo-random, increasing positions,
# one sequence per (sample, channel) and per axis, drawn from one number u in [0, 1) each. Along an
# axis of `size` pooled to `out` windows of `k`, with alpha = (size - k) / (out - 1):
#
#   start_i = floor((i + u) alpha) - floor(u alpha)   for i < out - 1,    start_{out-1} = size - k
#
# so consecutive starts differ by floor(alpha) or ceil(alpha) and the last window ends at the edge.
# The arithmetic runs in the input's dtype, as torch's does, so that float32 input rounds the same way.
# Each window's maximum is then found as in max pooling, and its gradient is the same scatter.
def _fractional_starts(samples, size, out, k, dtype):
    """The start of every window along one axis, (N, C, out), from samples (N, C)."""
    starts = np.empty(samples.shape + (out,), dtype=np.int64)
    if out > 1:
        alpha = dtype.type(size - k) / dtype.type(out - 1)
        steps = np.arange(out - 1).astype(dtype)[None, None, :] + samples[..., None]
        starts[..., :-1] = (steps * alpha).astype(np.int64) - (samples * alpha).astype(np.int64)[..., None]
    if out > 0:
        starts[..., -1] = size - k
    return starts


def fractional_max_pool_indices(x, kernel, output_size, samples):
    """The flat index (into each channel's spatial plane) of every window's maximum, (N, C, *out).

    samples: (N, C, spatial axes), the u of each axis in axis order. As torch scans a window: in
    row-major order from its first element, a later element wins if it is larger (ties go to the
    first) or NaN (so the last NaN wins).
    """
    n, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
    plane_strides = np.cumprod((1,) + spatial[:0:-1])[::-1]            # row-major strides of the plane
    first = np.zeros((n, c) + tuple(output_size), dtype=np.int64)     # each window's first element
    for axis, (size, out, k, step) in enumerate(zip(spatial, output_size, kernel, plane_strides)):
        starts = _fractional_starts(samples[:, :, axis], size, out, k, x.dtype)
        first += (starts * step).reshape((n, c) + tuple(out if a == axis else 1 for a in range(len(spatial))))
    planes = x.reshape(n, c, math.prod(spatial))
    best = np.full(first.shape, -np.inf, dtype=x.dtype)
    winner = first
    for offset in _offsets(kernel):
        position = first + int(sum(o * step for o, step in zip(offset, plane_strides)))
        candidate = np.take_along_axis(planes, position.reshape(n, c, math.prod(output_size)), axis=-1)
        candidate = candidate.reshape(best.shape)
        wins = (candidate > best) | np.isnan(candidate)
        winner = np.where(wins, position, winner)
        best = np.where(wins, candidate, best)
    return winner


# The values are a gather at the indices and the gradient the scatter back, as for max pooling; under
# create_graph the scatter is recorded (with torch's name), and its own gradient is the gather again.
fractional_max_pool2d = Primitive(
    "FractionalMaxPool2D", in_suggested_order(_gather_plane),
    lambda g, ans, x, indices: (_scatter_plane(g, indices, x.shape) if on_arrays(g)
                                else fractional_max_pool2d_scatter(g, indices, shape=tuple(x.shape))),
    None, saves="inputs")
fractional_max_pool2d_scatter = Primitive(
    "FractionalMaxPool2DScatter", _scatter_plane, lambda gx, ans, g, indices, shape: fractional_max_pool2d(gx, indices),
    None, saves="nothing", grad_fn_name="FractionalMaxPool2DBackwardBackward0")
fractional_max_pool3d = Primitive(
    "FractionalMaxPool3D", in_suggested_order(_gather_plane),
    lambda g, ans, x, indices: (_scatter_plane(g, indices, x.shape) if on_arrays(g)
                                else fractional_max_pool3d_scatter(g, indices, shape=tuple(x.shape))),
    None, saves="inputs")
fractional_max_pool3d_scatter = Primitive(
    "FractionalMaxPool3DScatter", _scatter_plane, lambda gx, ans, g, indices, shape: fractional_max_pool3d(gx, indices),
    None, saves="nothing", grad_fn_name="FractionalMaxPool3DBackwardBackward0")
