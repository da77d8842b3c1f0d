"""Writing into a copy of a tensor at chosen positions: fills, copies and reductions.

Every op here returns ``out``, a copy of ``x`` in which some positions receive new values.
The positions are one NumPy index (`where`), worked out by the Tensor layer from torch's
arguments (a dim and an index vector, a mask, a diagonal, ...).

Two kinds of write:
  * overwrite (index_copy, put, select_scatter, ...): ``out[where] = values``. The old
    elements there never reach the output, so their gradient is zero; each value gets
    back the gradient of the place it was written to, ``g[where]``.
  * reduce (scatter_reduce, index_reduce): every value sent to a position is combined with
    what is there by a sum, product, mean, maximum or minimum; with include_self=False
    the old element is left out of that combination.
"""

import numpy as np

from minigrad._ops.indexing import _zeroed, along_axis
from minigrad._ops.registry import IndexedGradient, Primitive, on_arrays


# ------------------------------------------------------------------ overwrites
def _overwrite(x, values, where):
    out = x.copy()
    out[where] = values
    return out


def _overwritten_vjp_x(g, ans, x, values, where):
    return _zeroed(g, where)  # the overwritten elements of x do not reach out


def _overwritten_vjp_values(g, ans, x, values, where):
    return g[where]  # each value gets the gradient of where it went (summed back to a 0-d value by the engine)


def _overwrite_primitive(name):
    """A primitive out = x with out[where] = values, under torch's name for the op."""
    return Primitive(name, _overwrite, _overwritten_vjp_x, _overwritten_vjp_values, saves="nothing")


# x.index_copy(dim, index, source): whole slices of source copied along dim to the positions in index
index_copy = _overwrite_primitive("IndexCopy")
# select_scatter, slice_scatter, diagonal_scatter: src written into what select, slicing or diagonal would read
select_scatter = _overwrite_primitive("SelectScatter")
slice_scatter = _overwrite_primitive("SliceScatter")
diagonal_scatter = _overwrite_primitive("DiagonalScatter")


# x.put(index, values): values written at positions of the flattened x. The copy of x is C-ordered,
# so that reshape(-1) is a view of it, through which the positions are written.
def _put(x, values, index):
    out = x.copy()
    out.reshape(-1)[index] = values
    return out


def _put_vjp_x(g, ans, x, values, index):
    overwritten = np.zeros(g.shape, dtype=bool)
    overwritten.reshape(-1)[index] = True
    return np.where(overwritten, 0, g)  # the overwritten elements of x do not reach out (a mask: g may be a tensor)


def _put_vjp_values(g, ans, x, values, index):
    return g.reshape(-1)[index]


put = Primitive("Put", _put, _put_vjp_x, _put_vjp_values, saves="nothing")


def _put_accumulate(x, values, index):
    out = x.copy()
    np.add.at(out.reshape(-1), index, values)  # a position named twice receives both values
    return out


# x.put(index, values, accumulate=True): values added at positions of the flattened x
put_accumulate = Primitive("PutAccumulate", _put_accumulate, lambda g, ans, x, values, index: g, _put_vjp_values,
                           saves="nothing", grad_fn_name="PutBackward0")


def _filled_sum(g, ans, x, value, where):
    # A filled position receives the value once, however often the index names it, so the value's
    # gradient is the sum of g over the filled positions, each counted once (as in torch).
    filled = np.zeros(g.shape, dtype=bool)
    filled[where] = True
    return np.where(filled, g, 0).sum()


# x.index_fill(dim, index, value): the slices named by index all set to one value. With a Python
# number the value takes no gradient (IndexFillBackward0); a 0-d tensor value does (IndexFillBackward1).
index_fill = Primitive("IndexFill", _overwrite, _overwritten_vjp_x, saves="nothing")
index_fill_tensor = Primitive("IndexFillTensor", _overwrite, _overwritten_vjp_x, _filled_sum, saves="nothing",
                              grad_fn_name="IndexFillBackward1")


def _masked_scatter(x, source, mask):
    out = x.copy()
    out[mask] = source.reshape(-1)[:np.count_nonzero(mask)]  # the first elements of source, in order
    return out


def _masked_scatter_vjp_source(g, ans, x, source, mask):
    # The k-th element of source went to the k-th true position of the mask; the rest went nowhere.
    used = np.count_nonzero(mask)
    return IndexedGradient(source.shape, g.dtype, np.unravel_index(np.arange(used), source.shape), g[mask])


# x.masked_scatter(mask, source): the positions where mask is true, in order, take source's elements
masked_scatter = Primitive("MaskedScatter", _masked_scatter, lambda g, ans, x, source, mask: np.where(mask, 0, g),
                           _masked_scatter_vjp_source, saves="nothing")


# ------------------------------------------------------------------ reductions
_COMBINE = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce, dtype):
    """The element that leaves a reduction unchanged: what a position holds before its values
    arrive when include_self=False."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _counts(x, where, include_self):
    """How many elements each position of out averages: its values, plus itself with include_self;
    1 where there is nothing (such a position keeps x's element)."""
    counts = np.full(x.shape, int(include_self), dtype=np.int64)
    np.add.at(counts, where, 1)
    return np.maximum(counts, 1)


def reduce_into(x, values, where, reduce, include_self):
    """out = x with each element of `values` combined into position where[...] of out by `reduce`
    (a mean divides by how many were combined; integers round it down, as in torch)."""
    out = x.copy()
    if not include_self:
        out[where] = _identity(reduce, x.dtype)
    _COMBINE[reduce].at(out, where, values)
    if reduce == "mean":
        counts = _counts(x, where, include_self)
        out = (out / counts if x.dtype.kind == "f" else out // counts).astype(x.dtype, copy=False)
    return out


def reduce_into_vjps(wanted, g, ans, x, values, where, reduce, include_self):
    """The gradients (for x, for values) of reduce_into, by torch's formulas:

      sum:  x gets g, each value g at its position.
      mean: g divided by each position's count, for x and for the values sent there.
      prod: the product of the others: ans / x and ans / value, where a zero is handled by
            recomputing the product with it replaced by 1 (a value that is the only zero sent
            to its position; any other zero gets 0 when it is not alone).
      amax, amin: g shared evenly among the elements equal to the result, x's included.
    With include_self=False, x's elements at the positions written to get no gradient.

    Which elements are zeros or results, and how many tie, are constants read off the values
    (np.asarray: on tensors too); the rest is arithmetic, indexing and reduce_into itself (a
    primitive here), so that under create_graph the gradients have gradients, as in torch.
    Both gradients are always computed (`wanted`, of the vjp_all protocol, is not consulted).
    """
    if reduce == "sum":
        grad_x, grad_values = g, g[where]
    elif reduce == "mean":
        share = g / _counts(x, where, include_self)
        grad_x, grad_values = share, share[where]
    elif reduce == "prod":
        grad_x, grad_values = _product_vjps(g, ans, x, values, where, include_self)
    else:
        dtype = np.asarray(g).dtype
        result = np.asarray(ans)
        x_is_result = (np.asarray(x) == result).astype(dtype)
        value_is_result = (np.asarray(values) == result[where]).astype(dtype)
        ties = x_is_result.copy()
        np.add.at(ties, where, value_is_result)
        share = g / ties
        grad_x, grad_values = share * x_is_result, share[where] * value_is_result
    if not include_self:
        grad_x = _zeroed(grad_x, where)
    return grad_x, grad_values


def _product_vjps(g, ans, x, values, where, include_self):
    x_without_zeros = np.where(np.asarray(x) == 0, 1, x)
    grad_x = g * reduce_into_primitive(x_without_zeros, values, where=where, reduce="prod",
                                       include_self=include_self) / x_without_zeros
    zero = np.asarray(values) == 0
    zeros_sent = np.zeros(x.shape, dtype=np.int64)
    np.add.at(zeros_sent, where, zero)
    lone_zero = zero & (zeros_sent[where] == 1)
    product_of_others = reduce_into_primitive(x, np.where(lone_zero, 1, values), where=where, reduce="prod",
                                              include_self=include_self)
    grad_values = np.where(lone_zero, (g * product_of_others)[where], (g * ans)[where] / np.where(zero, 1, values))
    return grad_x, grad_values


# reduce_into as a primitive of its own: what the product's gradient is written with, so that it is
# recorded under create_graph (as torch's is, with scatter_reduce)
reduce_into_primitive = Primitive("ReduceInto", reduce_into, vjp_all=reduce_into_vjps, saves="both",
                                  grad_fn_name="ScatterReduceBackward0")


def _raise_delayed_error(g, ans, x, message):
    raise RuntimeError(message)


# An identity whose gradient raises: a first derivative that torch computes but will not differentiate
# again (its node is called Error), so that the error comes only if a backward reaches it.
delayed_error = Primitive("DelayedError", lambda x, message: x.copy(), _raise_delayed_error, saves="nothing",
                          grad_fn_name="Error")


def _refuse_double_backward_past_shared_zeros(grad_values, values, where, shape, reduce, op, name):
    """The values' gradient of a product, refusing (as torch does) to be differentiated again when
    two or more zero values are sent to one position: there the product of the others is 0 for each,
    and torch's formula for its derivative does not hold."""
    if reduce != "prod" or on_arrays(grad_values):
        return grad_values
    zeros_sent = np.zeros(shape, dtype=np.int64)
    np.add.at(zeros_sent, where, np.asarray(values) == 0)
    if np.any(zeros_sent > 1):
        return delayed_error(grad_values, message=f"{op}(): Double backward is unsupported for {name} when >1 "
                                                  f"zeros in {name} are scattered to the same position in self")
    return grad_values


def _leading_block(shape):
    return tuple(slice(0, n) for n in shape)


def _scatter_reduce(x, index, src, axis, reduce, include_self):
    block = src[_leading_block(index.shape)]  # scatter reads the block of src with index's shape
    return reduce_into(x, block, along_axis(index, axis), reduce, include_self)


def _scatter_reduce_vjps(wanted, g, ans, x, index, src, axis, reduce, include_self):
    block = _leading_block(index.shape)
    where = along_axis(index, axis)
    grad_x, grad_block = reduce_into_vjps(wanted[::2], g, ans, x, src[block], where, reduce, include_self)
    grad_block = _refuse_double_backward_past_shared_zeros(grad_block, src[block], where, x.shape, reduce,
                                                           "scatter_reduce", "src")
    return grad_x, None, IndexedGradient(src.shape, g.dtype, block, grad_block)


# x.scatter_reduce(dim, index, src, reduce, include_self): src[i, j] combined into out[index[i, j], j] (dim 0)
scatter_reduce = Primitive("ScatterReduce", _scatter_reduce, vjp_all=_scatter_reduce_vjps, saves="both")


def _index_positions(index, axis, shape):
    """The positions index_reduce writes source's elements to: source's own coordinates, except
    along `axis`, where source's i-th slice goes to index[i]."""
    return along_axis(np.broadcast_to(index.reshape((-1,) + (1,) * (len(shape) - axis - 1)), shape), axis)


def _index_reduce(x, source, index, axis, reduce, include_self):
    return reduce_into(x, source, _index_positions(index, axis, source.shape), reduce, include_self)


def _index_reduce_vjps(wanted, g, ans, x, source, index, axis, reduce, include_self):
    where = _index_positions(index, axis, source.shape)
    grad_x, grad_source = reduce_into_vjps(wanted, g, ans, x, source, where, reduce, include_self)
    grad_source = _refuse_double_backward_past_shared_zeros(
        grad_source, source, where, x.shape, reduce, "index_reduce", "source")
    return grad_x, grad_source


# x.index_reduce(dim, index, source, reduce, include_self): source's i-th slice along dim combined
# into out's index[i]-th slice
index_reduce = Primitive("IndexReduce", _index_reduce, vjp_all=_index_reduce_vjps, saves="both")
