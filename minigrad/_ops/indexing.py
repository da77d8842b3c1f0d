"""Indexing primitives: reading elements out of a tensor and writing them into a copy.

The gradient of a read is a scatter-add: each picked element sends its gradient back to
the position it came from, and a position picked twice receives both (``np.add.at``).

Results that are new arrays are laid out as torch lays them out (see layout.py).
"""

import numpy as np

from minigrad._ops.layout import advanced_index_layout, c_ordered, laid_out_like
from minigrad._ops.registry import IndexedGradient, Primitive


def _index_vjp(g, ans, x, index):
    # Zero everywhere but at the picked positions, which get g back (summed if picked twice).
    return IndexedGradient(x.shape, g.dtype, index, g)


def _view_of(x, index):
    """x[index], a view of x wherever NumPy can give one: also for an index of integers only,
    whose single element NumPy would hand back as a scalar, a copy (so a[1].fill_(7) would write
    nowhere); a trailing Ellipsis keeps it a 0-d view and changes nothing else."""
    if any(i is Ellipsis for i in index):
        return x[index]
    return x[index + (Ellipsis,)]


def _advanced(x, index):
    """x[index] for an index holding index arrays (a copy), laid out as torch lays it out.

    One integer array after full slices (x[idx], x[:, idx]) on C-ordered arrays is take's
    case, and take writes the C-ordered result torch gives there (faster than x[index])."""
    last = index[-1]
    if (x.flags.c_contiguous and type(last) is np.ndarray and last.dtype.kind in "iu" and last.flags.c_contiguous
            and (len(index) == 1 or all(type(i) is slice and i == slice(None) for i in index[:-1]))):
        return x.take(last, axis=len(index) - 1)
    return advanced_index_layout(_view_of(x, index), x, index)


def _index_select(x, index):
    """x[index] for one index array, along one axis: take's result, C-ordered as torch's
    index_select is whatever x's layout (x[index] would put the picked axis outermost). A 0-d
    x has no axis to take along: x[index] says so."""
    return x.take(index[-1], axis=len(index) - 1) if x.ndim else x[index]


# `index` is a tuple already normalised by the Tensor layer (tensors turned into arrays).
getitem = Primitive("Index", _advanced, _index_vjp, saves="nothing", view=True)
index_select = Primitive("IndexSelect", _index_select, _index_vjp, saves="nothing", fused_for="x[index]")

# Basic indexing (ints, slices, None) under torch's node names: torch takes one step per
# index entry and names the node after the last step that does something. x[0] selects,
# x[1:] slices, x[None] unsqueezes; the rules are those of getitem.
select = Primitive("Select", _view_of, _index_vjp, saves="nothing", view=True, fused_for="x[index]")
slice_ = Primitive("Slice", _view_of, _index_vjp, saves="nothing", view=True, fused_for="x[index]")
unsqueeze_index = Primitive("UnsqueezeIndex", _view_of, _index_vjp, saves="nothing", view=True,
                            grad_fn_name="UnsqueezeBackward0", fused_for="x[index]")


def basic_index(index):
    """The primitive for a basic `index` (no arrays), named as torch names the node it records."""
    for i in reversed(index):
        if i is None:
            return unsqueeze_index
        if isinstance(i, slice):
            if i != slice(None):
                return slice_
        elif i is not Ellipsis:
            return select  # an int
    return slice_  # x[:] (only full slices)


def along_axis(index, axis):
    """The fancy index that picks ``x[i0, ..., index[i0, ..., ik], ..., ik]`` along `axis`.

    This is torch's gather addressing: the index tensor names a position along `axis`
    and its own coordinates name the position along every other axis. A 0-d tensor has
    one element, the only one a (0-d, in-range) index can name.
    """
    if index.ndim == 0:
        return ()
    grids = list(np.indices(index.shape, sparse=True))
    grids[axis] = index
    return tuple(grids)


def _gather(x, index, axis):
    return x[along_axis(index, axis)]


def _gather_vjp(g, ans, x, index, axis):
    return IndexedGradient(x.shape, g.dtype, along_axis(index, axis), g)


gather = Primitive("Gather", _gather, _gather_vjp, saves="nothing")
# sort and topk return gathered values; their indices come from argsort and carry no gradient.
# torch's sorted values keep x's layout; topk's, like gather's, are C-ordered.
sort = Primitive("Sort", lambda x, index, axis: laid_out_like(_gather(x, index, axis), x), _gather_vjp,
                 saves="nothing")
topk = Primitive("Topk", _gather, _gather_vjp, saves="nothing")
# cummax and cummin gather the running extreme, found by `running_extreme_index`, the same way
# (C-ordered, as torch's are).
cummax = Primitive("Cummax", c_ordered(_gather), _gather_vjp, saves="nothing")
cummin = Primitive("Cummin", c_ordered(_gather), _gather_vjp, saves="nothing")


def running_extreme_index(x, axis, largest):
    """For each position along `axis`, where the running maximum (or minimum) so far was found:
    the last position that reached it (a tie moves the index on, as in torch), and once a NaN
    has been met, the last NaN (the running extreme is NaN from there on, as np.maximum's is)."""
    running = (np.maximum if largest else np.minimum).accumulate(x, axis=axis)
    reached = x == running
    if x.dtype.kind == "f":
        reached |= np.isnan(x)
    positions = np.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    return np.maximum.accumulate(np.where(reached, positions, 0), axis=axis)


def _pick(x, index, axis, keepdim):
    """The element at `index` of each row along axis (index keeps that axis, with size 1)."""
    if x.ndim == 0:
        return x.copy()
    picked = x[along_axis(index, axis)]
    return picked if keepdim else np.squeeze(picked, axis)


def _pick_vjp(g, ans, x, index, axis, keepdim):
    if x.ndim == 0:
        return g
    return _gather_vjp(g if keepdim else np.expand_dims(g, axis), ans, x, index, axis)


# median and mode along a dim pick one element per row, too
median = Primitive("Median", _pick, _pick_vjp, saves="nothing", grad_fn_name="MedianBackward1")
mode = Primitive("Mode", _pick, _pick_vjp, saves="nothing")
kthvalue = Primitive("Kthvalue", _pick, _pick_vjp, saves="nothing")


def kth_smallest_position(array, axis, k):
    """Per row along axis, the position of its k-th smallest element (k from 1; NaN sorts last,
    as the largest, as in torch). Among equal values this takes the first; torch's choice there
    follows its selection algorithm and may be another."""
    return np.take(np.argsort(array, axis=axis, kind="stable"), [k - 1], axis=axis)


def _median_all_vjp(g, ans, x):
    # torch shares the gradient evenly among the elements equal to the median (nan: the nans)
    ties = np.isnan(x) if np.isnan(ans) else x == ans
    return np.where(ties, g / np.count_nonzero(ties), 0)  # exactly 0 elsewhere, even for a nan g


# the median of all elements: the lower middle of the sorted values, or nan if there is one
median_all = Primitive("MedianAll", lambda x: x.ravel()[_median_position(x.ravel(), 0)[0]], _median_all_vjp,
                       saves="both", grad_fn_name="MedianBackward0")


def _nanmedian_all(x):
    """The lower median of the elements that are not NaN (NaN if all are)."""
    kept = np.sort(x[~np.isnan(x)])
    return np.asarray(kept[(kept.size - 1) // 2] if kept.size else np.nan, dtype=x.dtype)


# nanmedian: median ignoring NaNs. Of all elements, torch shares the gradient among the elements equal
# to it (median_all's rule); along a dim it picks one element per row, as median does.
nanmedian_all = Primitive("NanmedianAll", _nanmedian_all, _median_all_vjp, saves="both",
                          grad_fn_name="NanmedianBackward0")
nanmedian = Primitive("Nanmedian", _pick, _pick_vjp, saves="nothing", grad_fn_name="NanmedianBackward1")


def nanmedian_position(array, axis):
    """Per row along axis: the position of the lower median of the values that are not NaN, among
    equal values the first; a row of NaNs only gives its first (torch's choice there follows its
    selection algorithm)."""
    order = np.argsort(array, axis=axis, kind="stable")  # NaN sorts last
    counted = np.count_nonzero(~np.isnan(array), axis=axis, keepdims=True)
    return np.take_along_axis(order, np.maximum(counted - 1, 0) // 2, axis=axis)


def _median_position(array, axis):
    """Per row along axis: the position of the lower median, or of the first nan if there is one."""
    n = array.shape[axis]
    order = np.argsort(array, axis=axis, kind="stable")  # nan sorts last
    position = np.take(order, [(n - 1) // 2], axis=axis)
    nan = np.isnan(array) if array.dtype.kind == "f" else np.zeros(array.shape, dtype=bool)
    return np.where(nan.any(axis=axis, keepdims=True), np.argmax(nan, axis=axis, keepdims=True), position)


def _leading_block(src, shape):
    """The part of `src` that scatter reads: the block with the index's shape at the origin."""
    return src[tuple(slice(0, n) for n in shape)]


def _scatter(x, index, src, axis):
    out = x.copy()
    out[along_axis(index, axis)] = src if np.ndim(src) == 0 else _leading_block(src, index.shape)
    return out


def _zeroed(g, index):
    """A copy of g with zeros at `index`: the gradient of an input whose elements there are
    overwritten. On a tensor (a recorded gradient) a mask selects them instead of a write."""
    if type(g) is np.ndarray:
        grad = g.copy()
        grad[index] = 0
        return grad
    overwritten = np.zeros(g.shape, dtype=bool)
    overwritten[index] = True
    return np.where(overwritten, 0, g)  # exactly 0 there, even for a nan g


def _scatter_vjp_x(g, ans, x, index, src, axis):
    return _zeroed(g, along_axis(index, axis))  # overwritten elements do not reach the output


def _scatter_vjp_src(g, ans, x, index, src, axis):
    # The leading block of src, with index's shape, gets back what its elements were sent to:
    # a gather of g, placed into zeros of src's shape (linear in g, so it can be recorded too).
    block = tuple(slice(0, n) for n in index.shape)
    return IndexedGradient(src.shape, g.dtype, block, g[along_axis(index, axis)])


scatter = Primitive("Scatter", _scatter, _scatter_vjp_x, None, _scatter_vjp_src, saves="nothing")


def _scatter_add(x, index, src, axis):
    out = x.copy()
    np.add.at(out, along_axis(index, axis), _leading_block(src, index.shape))
    return out


scatter_add = Primitive("ScatterAdd", _scatter_add,
                        lambda g, ans, x, index, src, axis: g,
                        None,
                        _scatter_vjp_src, saves="nothing")

def _scatter_multiply(x, index, src, axis):
    out = x.copy()
    np.multiply.at(out, along_axis(index, axis), _leading_block(src, index.shape))
    return out


def _scatter_reduce_has_no_derivative(*args, **params):
    raise RuntimeError("derivative for aten::scatter is not implemented")


# scatter(..., reduce="multiply"): each named position is multiplied by every value sent to it.
# As in torch, it has no derivative: backward through it raises.
scatter_multiply = Primitive("ScatterMultiply", _scatter_multiply, _scatter_reduce_has_no_derivative, None,
                             _scatter_reduce_has_no_derivative, saves="nothing", grad_fn_name="NotImplemented")

# masked_fill(x, mask, value): where the mask is true the output is `value`, elsewhere x.
# The result keeps x's dtype, as in torch: a float value in an integer tensor is truncated.
# It is C-ordered whatever x's layout, as torch's is (torch fills a contiguous copy of x).
masked_fill = Primitive("MaskedFill",
                        c_ordered(lambda x, mask, value: np.where(mask, value, x).astype(x.dtype, copy=False)),
                        lambda g, ans, x, mask, value: np.where(mask, 0, g),
                        None,
                        lambda g, ans, x, mask, value: np.where(mask, g, 0),
                        saves="nothing")


def _index_put(x, value, index):
    out = x.copy()
    out[index] = value
    return out


# x[index] = value on a tensor in the graph, recorded as out = x with out[index] = value.
index_put = Primitive("IndexPut", _index_put, lambda g, ans, x, value, index: _zeroed(g, index),
                      lambda g, ans, x, value, index: g[index], saves="nothing")


def _overwritten(x, values):
    """x with every element replaced by `values`, which were drawn apart from x."""
    return np.asarray(values, dtype=x.dtype).copy()


def _overwritten_vjp(i, g, ans, x, values):
    return _zeroed(g, Ellipsis)  # (only x can want a gradient: the values are an array)


# x.exponential_() and the other random fills on a tensor in the graph: x's old values reach nothing,
# so they get a zero gradient. One node per distribution, named as torch names it.
RANDOM_FILLS = {name: Primitive(name, _overwritten, vjp_argnum=_overwritten_vjp, saves="nothing",
                                fused_for="index_put(x, values, ...)")
                for name in ("Exponential", "Geometric", "Cauchy", "LogNormal")}


def _index_put_accumulate(x, value, index):
    out = x.copy()
    np.add.at(out, index, value)  # a position named twice receives both values
    return out


# index_put(..., accumulate=True): out = x with value added at index; every part of x reaches out.
index_put_accumulate = Primitive("IndexPutAccumulate", _index_put_accumulate, lambda g, ans, x, value, index: g,
                                 lambda g, ans, x, value, index: g[index], saves="nothing",
                                 grad_fn_name="IndexPutBackward0")

# The lower/upper triangle of the last two axes (C-ordered, as torch's): the gradient keeps the same triangle.
tril = Primitive("Tril", c_ordered(lambda x, k: np.tril(x, k)), lambda g, ans, x, k: np.tril(g, k), saves="nothing")
triu = Primitive("Triu", c_ordered(lambda x, k: np.triu(x, k)), lambda g, ans, x, k: np.triu(g, k), saves="nothing")


def _index_add(x, source, index, axis, alpha):
    out = x.copy()
    np.add.at(out, (slice(None),) * axis + (index,), source * alpha)
    return out


# out = x, then out[..., index[i], ...] += alpha * source[..., i, ...] along `axis`.
index_add = Primitive("IndexAdd", _index_add,
                      lambda g, ans, x, source, index, axis, alpha: g,
                      lambda g, ans, x, source, index, axis, alpha: np.take(g, index, axis=axis) * alpha,
                      saves="nothing")


def _dense(values, shape, index):
    return IndexedGradient(shape, values.dtype, index, values).dense()


# The dense form of an IndexedGradient (zeros, with `values` added at `index`), as an op of its
# own: under create_graph the gradient of indexing is recorded through it, and its gradient in
# turn picks the same positions again.
indexed_gradient = Primitive("IndexedGradient", _dense, lambda g, ans, values, shape, index: g[index],
                             saves="nothing", grad_fn_name="IndexBackwardBackward0")
