"""Resizing the trailing axes of an array: F.interpolate's nearest, linear and cubic modes, and
adaptive average pooling (which is also interpolate's area mode).

Along one axis every such resize reads, for each output position, a few input positions (its
stencil) and sums them with fixed weights:

    out[i] = sum_k weight[i, k] * x[index[i, k]]

nearest reads one position with weight 1, linear the two around the source position, cubic
four, and adaptive average pooling the cells of its window, each with weight 1 / window length.
A stencil is the (out, K) arrays `index` and `weight`, and `inside`, a (out, K) mask of the
slots that belong to the window (None when every slot does; adaptive windows differ in
length by one, so the shorter ones leave their last slot out).

Only what a stencil reads reaches its output, as in torch: a NaN or inf in x spoils the outputs
whose stencil reads it, and no others. The product with the (out, in) matrix of the stencils is
faster and is used while x is finite; it would spread a NaN over a whole row (0 * nan is nan), so
a NaN or inf takes the path that gathers each stencil. A slot with weight 0 is still read, as
torch reads it.

Several axes are resized one after another, the last axis first, which is the order of torch's
nested sums (bilinear: the two rows are blended along W, then the results along H).

The gradient with respect to x scatters g back with the same weights. That is a resize too, by
the transposed stencil: input position j reads every output position whose stencil reads j.
It is linear in g, and its own gradient is the forward resize again, so gradients of any order
follow (under create_graph the scatter is recorded as its own primitive, named as torch's
...BackwardBackward0 node).
"""

import functools

import numpy as np

from minigrad._ops.layout import in_suggested_order
from minigrad._ops.registry import Primitive, on_arrays

CUBIC_A = -0.75  # the sharpness of torch's (Keys') cubic convolution kernel


# ------------------------------------------------------------------ the stencils of one axis
def _stencil(index, weight, inside=None):
    """A stencil from its (out, K) arrays; `inside` is kept only if some slot is outside."""
    if inside is not None and inside.all():
        inside = None
    return np.asarray(index, dtype=np.intp), np.asarray(weight, dtype=np.float64), inside


def _scale(n_in, n_out, scale_factor, align_corners):
    """torch's ratio of input to output coordinates."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale_factor if scale_factor is not None else n_in / n_out


def _identity(n):
    """Each output reads its own input twice, with weights 1 and 0: the same values as a copy, and,
    as in torch's linear kernels, NaN where the input is infinite (inf * 0 is NaN)."""
    same = np.arange(n)[:, None]
    return _stencil(np.hstack([same, same]), np.tile([1.0, 0.0], (n, 1)))


def nearest_stencil(n_in, n_out, scale_factor, align_corners):
    """Output i reads input floor(i * scale), the scale in float32 as in torch."""
    scale = np.float32(_scale(n_in, n_out, scale_factor, False))
    source = np.floor(np.arange(n_out, dtype=np.float32) * scale).astype(np.intp)
    return _stencil(np.minimum(source, n_in - 1)[:, None], np.ones((n_out, 1)))


def nearest_exact_stencil(n_in, n_out, scale_factor, align_corners):
    """Output i reads input floor((i + 0.5) * scale): the nearest cell centre."""
    source = np.floor((np.arange(n_out) + 0.5) * _scale(n_in, n_out, scale_factor, False)).astype(np.intp)
    return _stencil(np.minimum(source, n_in - 1)[:, None], np.ones((n_out, 1)))


def linear_stencil(n_in, n_out, scale_factor, align_corners):
    """Output i blends the two inputs around its source position s: (1 - t) x[floor s] + t x[floor s + 1].

    torch's linear kernels keep an axis whose size does not change as it is, whatever the scale
    factor (1.1 on 4 elements gives 4), instead of interpolating at the scaled positions.
    """
    if n_in == n_out:
        return _identity(n_in)
    scale = _scale(n_in, n_out, scale_factor, align_corners)
    out = np.arange(n_out)
    source = out * scale if align_corners else np.maximum((out + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.intp), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    t = source - low
    return _stencil(np.stack([low, high], axis=1), np.stack([1 - t, t], axis=1))


def _cubic_weights(t):
    """The weights of the four input cells around a source position t in [0, 1) past the second."""
    a = CUBIC_A
    near = lambda d: ((a + 2) * d - (a + 3)) * d * d + 1        # for distances |d| <= 1
    far = lambda d: ((a * d - 5 * a) * d + 8 * a) * d - 4 * a   # for 1 < |d| < 2
    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)


def cubic_stencil(n_in, n_out, scale_factor, align_corners):
    """Cubic convolution over the four nearest input cells, edge cells repeated past the borders."""
    scale = _scale(n_in, n_out, scale_factor, align_corners)
    out = np.arange(n_out)
    source = out * scale if align_corners else (out + 0.5) * scale - 0.5  # not clamped at 0, unlike linear
    first = np.floor(source).astype(np.intp) - 1
    cells = np.clip(first[:, None] + np.arange(4), 0, n_in - 1)
    return _stencil(cells, _cubic_weights(source - first - 1))


def adaptive_windows(n_in, n_out):
    """Window i = [floor(i n_in / n_out), ceil((i + 1) n_in / n_out)) along one axis, as (start, end)."""
    i = np.arange(n_out)
    return (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)


def average_stencil(n_in, n_out, scale_factor=None, align_corners=False):
    """Output i averages its adaptive window: weight 1 / length on each of the window's cells."""
    start, end = adaptive_windows(n_in, n_out)
    length = end - start
    slots = np.arange(int(length.max(initial=1)))
    index = np.minimum(start[:, None] + slots, end[:, None] - 1)
    return _stencil(index, np.broadcast_to(1 / length[:, None], index.shape), slots < length[:, None])


def transposed(stencil, n_in):
    """The stencil of the scatter back: input j reads, with the same weights, every output slot
    (i, k) with index[i, k] = j (none, for an input that no output reads)."""
    index, weight, inside = stencil
    n_out, width = index.shape
    keep = np.ones(index.shape, dtype=bool) if inside is None else inside
    target, source, w = index[keep], np.repeat(np.arange(n_out), width).reshape(index.shape)[keep], weight[keep]
    order = np.argsort(target, kind="stable")
    target, source, w = target[order], source[order], w[order]
    counts = np.bincount(target, minlength=n_in)
    slot = np.arange(target.size) - np.repeat(np.cumsum(counts) - counts, counts)  # place among j's readers
    size = (n_in, int(counts.max(initial=1)))
    back_index, back_weight = np.zeros(size, dtype=np.intp), np.zeros(size)
    back_inside = np.zeros(size, dtype=bool)
    back_index[target, slot], back_weight[target, slot], back_inside[target, slot] = source, w, True
    return _stencil(back_index, back_weight, back_inside)


# ------------------------------------------------------------------ applying stencils
def _matrix(stencil, n_in):
    """The stencil as an (out, n_in) matrix: row i holds output i's weights."""
    index, weight, inside = stencil
    matrix = np.zeros((index.shape[0], n_in))
    rows = np.broadcast_to(np.arange(index.shape[0])[:, None], index.shape)
    np.add.at(matrix, (rows, index), weight if inside is None else np.where(inside, weight, 0))
    return matrix


@functools.lru_cache(maxsize=256)
def _plan(rule, n_in, n_out, scale_factor, align_corners):
    """One axis's resize, as (stencil, matrix), and its gradient's scatter, as (the transposed
    stencil, the transposed matrix): built once for given sizes and shared, so never written."""
    stencil = rule(n_in, n_out, scale_factor, align_corners)
    matrix = _matrix(stencil, n_in)
    return (stencil, matrix), (transposed(stencil, n_in), matrix.T)


def _gathered(x, stencil, axis):
    """x resized along `axis` by reading each output's stencil and summing its weighted terms."""
    index, weight, inside = stencil
    trailing = (1,) * (-axis - 1)  # the stencil's (out, K) broadcast against the axes after `axis`
    terms = np.take(x, index, axis=axis) * weight.astype(x.dtype).reshape(weight.shape + trailing)
    if inside is not None:
        terms = np.where(inside.reshape(inside.shape + trailing), terms, x.dtype.type(0))
    return terms.sum(axis=axis)


def _multiplied(x, matrix, axis):
    """x resized along `axis` as a product with the stencil's matrix, the axes after `axis` folded into one."""
    matrix = matrix.astype(x.dtype)
    if axis == -1:
        return x @ matrix.T
    before, after = x.shape[:axis], x.shape[axis + 1:]
    columns = x.reshape(before + (x.shape[axis], int(np.prod(after))))
    return (matrix @ columns).reshape(before + (matrix.shape[0],) + after)


def _resize(x, ways):
    """x resized along its last len(ways) axes, the last axis first, by one (stencil, matrix) each.

    The matrix product is several times faster than gathering the stencils, and equal to it while
    x is finite; a NaN or inf takes the gathering path, which spreads it no further than the
    stencils that read it.
    """
    for axis in range(-1, -len(ways) - 1, -1):
        stencil, matrix = ways[axis]
        x = _multiplied(x, matrix, axis) if np.isfinite(x).all() else _gathered(x, stencil, axis)
    return x


def _plans(rule, in_sizes, sizes, scales, align_corners):
    """One plan per resized axis."""
    scales = scales or (None,) * len(sizes)
    return [_plan(rule, n_in, n_out, scale, align_corners) for n_in, n_out, scale in zip(in_sizes, sizes, scales)]


def resizing(name, rule, copies_back_at_same_size=False):
    """The primitive `name` that resizes the trailing len(sizes) axes of x with the stencils of
    `rule`, for params sizes (the output sizes), scales (torch's scale factors, or None) and
    align_corners; and the primitive of its gradient's scatter, recorded under create_graph.

    copies_back_at_same_size: where no size changes, the gradient is copied rather than scattered,
    as torch's bicubic backward does (the same values; a NaN or inf in g then stays where it is,
    where the cubic stencil's zero weights would spread it to the neighbours as NaN).
    """
    def forward(x, sizes, scales=None, align_corners=False):
        plans = _plans(rule, x.shape[-len(sizes):], sizes, scales, align_corners)
        return _resize(x, [there for there, back in plans])

    def scatter(g, shape, sizes, scales=None, align_corners=False):
        if copies_back_at_same_size and tuple(shape[-len(sizes):]) == tuple(sizes):
            return g.copy()
        plans = _plans(rule, shape[-len(sizes):], sizes, scales, align_corners)
        return _resize(g, [back for there, back in plans])

    def vjp(g, ans, x, **params):
        if on_arrays(g):
            return scatter(g, tuple(x.shape), **params)
        return backward(g, shape=tuple(x.shape), **params)

    forward.__doc__ = f"x resized along its trailing axes, each by its {rule.__name__}."
    scatter.__doc__ = "g scattered back to the input's positions: the resize by the transposed stencils."
    primitive = Primitive(name, in_suggested_order(forward), vjp, saves="nothing")  # laid out as torch lays it
    backward = Primitive(f"{name}Backward", scatter, lambda gg, ans, g, shape, **params: primitive(gg, **params),
                         saves="nothing", grad_fn_name=f"{name}BackwardBackward0")
    return primitive


# torch's nodes, one per mode and number of spatial axes; adaptive average pooling's in pooling.py.
upsample_nearest1d = resizing("UpsampleNearest1D", nearest_stencil)
upsample_nearest2d = resizing("UpsampleNearest2D", nearest_stencil)
upsample_nearest3d = resizing("UpsampleNearest3D", nearest_stencil)
upsample_nearest_exact1d = resizing("UpsampleNearestExact1D", nearest_exact_stencil)
upsample_nearest_exact2d = resizing("UpsampleNearestExact2D", nearest_exact_stencil)
upsample_nearest_exact3d = resizing("UpsampleNearestExact3D", nearest_exact_stencil)
upsample_linear1d = resizing("UpsampleLinear1D", linear_stencil)
upsample_bilinear2d = resizing("UpsampleBilinear2D", linear_stencil)
upsample_trilinear3d = resizing("UpsampleTrilinear3D", linear_stencil)
upsample_bicubic2d = resizing("UpsampleBicubic2D", cubic_stencil, copies_back_at_same_size=True)

UPSAMPLE = {  # (mode, number of spatial axes) -> primitive
    ("nearest", 1): upsample_nearest1d, ("nearest", 2): upsample_nearest2d, ("nearest", 3): upsample_nearest3d,
    ("nearest-exact", 1): upsample_nearest_exact1d, ("nearest-exact", 2): upsample_nearest_exact2d,
    ("nearest-exact", 3): upsample_nearest_exact3d, ("linear", 1): upsample_linear1d,
    ("bilinear", 2): upsample_bilinear2d, ("trilinear", 3): upsample_trilinear3d, ("bicubic", 2): upsample_bicubic2d,
}
