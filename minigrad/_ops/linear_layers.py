"""Primitives of the linear-algebra layers: the affine map of Linear and Bilinear, and Embedding's lookup.

Each is one graph node where a composition would be several: ``linear`` computes
``x @ W.T + b`` in one step and its VJPs read like the chain rule for it,

    dx = g @ W        dW = g^T x (summed over the batch)        db = sum of g over the batch.
"""

import math

import numpy as np

from minigrad._ops import workspace
from minigrad._ops.layout import in_suggested_order
from minigrad._ops.registry import IndexedGradient, Primitive, differentiable_once


def _rows(a):
    """`a` as a matrix with one row per batch element (all leading axes flattened). The number
    of rows is spelled out: reshape(-1, 0) cannot infer it when the last axis is empty."""
    if a.ndim == 2:
        return a  # already one (the common case: no reshape to pay for)
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def _linear(x, weight, bias):
    # The output is an activation, often large: where the dtypes agree (no promotion to find) its
    # memory comes from the workspace, kept from step to step (see workspace.py).
    same_dtype = x.dtype == weight.dtype and (bias is None or bias.dtype == weight.dtype)
    out = workspace.empty(x.shape[:-1] + weight.shape[:1], x.dtype) if same_dtype else None
    if _weight_first(x, weight):
        product = (weight @ x.T).T  # the same numbers, laid out column by column
        if bias is not None:
            return np.add(product, bias, order="C", out=out)  # (out, where given, is in C order)
        if out is None:
            return product.copy(order="C")
        np.copyto(out, product)
        return out
    out = np.matmul(x, weight.T, out=out)
    if bias is not None:
        out += bias  # `out` is the product's own array, so adding in place is safe and saves a copy
    return out


def _weight_first(x, weight):
    """Whether x @ W.T is faster as (W @ x.T).T: for a few rows of float32 against a large weight.

    The BLAS reads the operand it must transpose more slowly. x @ W.T asks it to transpose W;
    W @ x.T asks it to transpose x, which is far smaller when the batch is small. Measured with
    NumPy's OpenBLAS in float32, on one thread and on two: with at most 64 rows, at most a
    quarter as many as W has, and W of 64k elements or more, the weight-first order saves up to
    two thirds of the time; how much depends on the machine (batch 32 through Linear(784, 256):
    about 70 us of 220 on one host, 7 us of 127 on another, where at 64 rows the two orders were
    level). From about 128 rows on the gain is gone, and at 512 rows the plain order is 20%
    faster. Adding the bias (or copying) lays the result out row by row again, as torch's output is.
    """
    if x.ndim != 2 or x.dtype != np.float32 or weight.dtype != np.float32:
        return False
    rows = x.shape[0]
    return rows <= 64 and 4 * rows <= weight.shape[0] and weight.size >= 1 << 16


def _input_grad(g, weight):
    """g @ W, the input's gradient. On arrays the product is written into the workspace: it is
    an activation-sized array every step (see workspace.py), the same product."""
    if type(g) is not np.ndarray or type(weight) is not np.ndarray or g.dtype != weight.dtype:
        return g @ weight  # (a recorded gradient, or a promotion: as written)
    return np.matmul(g, weight, out=workspace.empty(g.shape[:-1] + weight.shape[1:], g.dtype))


linear = Primitive(
    "Linear", _linear,
    lambda g, ans, x, weight, bias: _input_grad(g, weight),
    lambda g, ans, x, weight, bias: _rows(g).T @ _rows(x),
    lambda g, ans, x, weight, bias: _rows(g).sum(axis=0),
    saves="others",
    fused_for="x @ weight.T + bias",
)


def _bilinear(x1, x2, weight, bias):
    # out[..., k] = sum_ij x1[..., i] weight[k, i, j] x2[..., j] + bias[k]
    out = np.einsum("...i,kij,...j->...k", x1, weight, x2, optimize=True)
    if bias is not None:
        out += bias
    return out


bilinear = Primitive(
    "Bilinear", _bilinear,
    lambda g, ans, x1, x2, weight, bias: np.einsum("...k,kij,...j->...i", g, weight, x2, optimize=True),
    lambda g, ans, x1, x2, weight, bias: np.einsum("...k,kij,...i->...j", g, weight, x1, optimize=True),
    lambda g, ans, x1, x2, weight, bias: np.einsum("nk,ni,nj->kij", _rows(g), _rows(x1), _rows(x2), optimize=True),
    lambda g, ans, x1, x2, weight, bias: _rows(g).sum(axis=0),
    fused_for="einsum('...i,kij,...j->...k', x1, weight, x2) + bias",
)


def _embedding_vjp(g, ans, weight, indices, padding_idx, scale_grad_by_freq, sparse=False):
    # Each looked-up row sends its gradient back to the row it was read from; a row read
    # twice gets both (or, with scale_grad_by_freq, their mean: each share divided by how
    # often the row was read in this batch). The padding row is a constant and gets no gradient.
    # The result is a scatter-add of g, linear in g: the engine adds it into the weight's
    # gradient (recorded under create_graph, where its own gradient gathers the rows again).
    if sparse and scale_grad_by_freq:  # sparse: the gradient is dense here, but torch refuses this pair
        raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
    lookups = indices.reshape(-1)
    shares = g.reshape(lookups.size, weight.shape[1])
    if scale_grad_by_freq:
        reads = np.bincount(lookups, minlength=weight.shape[0]).astype(np.asarray(g).dtype)
        if type(g) is np.ndarray:
            shares = shares / reads[lookups, None]
        else:  # recorded: torch's gradient of this gradient gathers g unscaled, so the scaling is a constant
            values = np.asarray(shares)
            shares = shares + (values / reads[lookups, None] - values)
    if padding_idx is not None:
        kept = lookups != padding_idx
        lookups, shares = lookups[kept], shares[kept]
    return IndexedGradient(weight.shape, g.dtype, (lookups,), shares)


embedding = Primitive(
    "Embedding",
    lambda weight, indices, padding_idx, scale_grad_by_freq, sparse=False: weight[indices],
    _embedding_vjp,
    None,
    saves="nothing",
)


# ---------------------------------------------------------------- embedding bags
# An embedding bag reduces the rows of `weight` looked up by a bag's indices to one row: their sum,
# mean or elementwise max. The Tensor layer hands over the lookups of all bags in one flat array
# (`indices`, padding already left out) with the bag each belongs to (`bags`, non-decreasing: a bag's
# lookups are contiguous), and, for 'sum', optional per-lookup weights. An empty bag gives zeros.
def _bag_starts(bags, n_bags):
    """(first lookup of each bag, lookups per bag)."""
    counts = np.bincount(bags, minlength=n_bags)
    return np.cumsum(counts) - counts, counts


def _embedding_bag(weight, per_sample_weights, indices, bags, n_bags, mode, scale_grad_by_freq=False):
    rows = weight[indices]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    out = np.zeros((n_bags, weight.shape[1]), dtype=weight.dtype)
    starts, counts = _bag_starts(bags, n_bags)
    filled = counts > 0
    if rows.shape[0]:
        reduce = np.maximum if mode == "max" else np.add
        out[filled] = reduce.reduceat(rows, starts[filled], axis=0)  # one segment per non-empty bag
    if mode == "mean":
        out[filled] /= counts[filled, None].astype(weight.dtype)
    return out


def _bag_maxima(weight, indices, bags, n_bags, ans):
    """For each bag and column, the position in `indices` of the lookup that gave the maximum (its
    first), and which bags are non-empty."""
    starts, counts = _bag_starts(bags, n_bags)
    filled = counts > 0
    lookup = np.arange(indices.size)[:, None]
    is_max = weight[indices] == ans[bags]
    first = np.minimum.reduceat(np.where(is_max, lookup, indices.size), starts[filled], axis=0)
    return first, filled


def _embedding_bag_vjp_weight(g, ans, weight, per_sample_weights, indices, bags, n_bags, mode,
                              scale_grad_by_freq=False):
    # Each lookup sends back its bag's gradient, times its weight ('sum' with per-sample weights) or
    # over the bag's size ('mean'); with scale_grad_by_freq, over how often its row was looked up.
    # For 'max', each column of a bag's gradient goes to the lookup that held the maximum.
    if mode == "max":
        first, filled = _bag_maxima(weight, indices, bags, n_bags, ans)
        columns = np.broadcast_to(np.arange(weight.shape[1]), first.shape)
        return IndexedGradient(weight.shape, g.dtype, (indices[first], columns), g[filled])
    shares = g[bags]
    if per_sample_weights is not None:
        shares = shares * per_sample_weights[:, None]
    if mode == "mean":
        shares = shares / _bag_starts(bags, n_bags)[1][bags, None].astype(g.dtype)
    if scale_grad_by_freq:
        shares = shares / np.bincount(indices, minlength=weight.shape[0])[indices, None].astype(g.dtype)
    return IndexedGradient(weight.shape, g.dtype, (indices,), shares)


def _embedding_bag_vjp_per_sample_weights(g, ans, weight, per_sample_weights, indices, bags, n_bags, mode,
                                          scale_grad_by_freq=False):
    # d/dw_i of sum_i w_i row_i, for the bag of lookup i: row_i . g[bag_i]
    return np.sum(weight[indices] * g[bags], axis=1)


# torch computes these gradients but does not differentiate them: under create_graph they are nodes
# whose backward raises torch's errors
embedding_bag = Primitive(
    "EmbeddingBag", _embedding_bag,
    differentiable_once(_embedding_bag_vjp_weight, "EmbeddingBagBackward", "EmbeddingBagBackwardBackward0",
                        NotImplementedError, "the derivative for '_embedding_bag_backward' is not implemented."),
    differentiable_once(_embedding_bag_vjp_per_sample_weights, "EmbeddingBagPerSampleWeightsBackward",
                        "NotImplemented", RuntimeError,
                        "derivative for aten::_embedding_bag_per_sample_weights_backward is not implemented"),
    saves="both")


# ---------------------------------------------------------------- padding
def _constant_pad_split(widths):
    """Split torch-style pad widths into a crop (negative amounts) and a growth (positive amounts)."""
    crop = tuple(slice(max(-before, 0), after if after < 0 else None) for before, after in widths)
    grow = tuple((max(before, 0), max(after, 0)) for before, after in widths)
    return crop, grow


def _constant_pad(x, widths, value):
    crop, grow = _constant_pad_split(widths)
    return np.pad(x[crop], grow, constant_values=value)


def _constant_pad_vjp(g, ans, x, widths, value):
    # The padding is constant; the surviving input elements pass their gradient straight back.
    crop, grow = _constant_pad_split(widths)
    inner = tuple(slice(before, n - after) for (before, after), n in zip(grow, g.shape))
    return IndexedGradient(x.shape, g.dtype, crop, g[inner])


# (C-ordered, or channels-last for a channels-last x, as torch's padded result is: layout.suggested_order)
constant_pad = Primitive("ConstantPadNd", in_suggested_order(_constant_pad), _constant_pad_vjp, saves="nothing")


def pad_source_index(size, before, after, mode):
    """For each position of a padded axis, the input position it copies (reflect, replicate, circular).

    A negative amount crops that side, as in torch: reflect and replicate still mirror or repeat
    at the input's own edges, circular wraps around what the cropping leaves."""
    positions = np.arange(-before, size + after)
    if mode == "reflect":          # mirror at the edges without repeating them: -1 -> 1, size -> size - 2
        positions = np.abs(positions)
        return np.where(positions > size - 1, 2 * (size - 1) - positions, positions)
    if mode == "replicate":        # repeat the edge values
        return np.clip(positions, 0, size - 1)
    start, kept = max(-before, 0), size - max(-before, 0) - max(-after, 0)
    return (positions - start) % kept + start  # circular: wrap around within what is kept


def _index_pad(x, sources):
    for axis, source in enumerate(sources):
        if source is not None:
            x = np.take(x, source, axis=axis)
    return x


def _index_pad_vjp(g, ans, x, sources):
    # Undo the copies: each input position collects the gradient of every copy of it.
    if type(g) is not np.ndarray:  # a recorded gradient: one scatter-add over all axes at once
        positions = np.ix_(*(np.arange(n) if source is None else source for n, source in zip(x.shape, sources)))
        return IndexedGradient(x.shape, g.dtype, positions, g)
    for axis in reversed(range(len(sources))):  # on arrays, one axis at a time (a faster np.add.at)
        source = sources[axis]
        if source is None:
            continue
        moved = np.moveaxis(g, axis, 0)
        grad = np.zeros((x.shape[axis],) + moved.shape[1:], dtype=g.dtype)
        np.add.at(grad, source, moved)
        g = np.moveaxis(grad, 0, axis)
    return g


index_pad = Primitive("IndexPadNd", in_suggested_order(_index_pad), _index_pad_vjp, saves="nothing")  # (as constant_pad)
