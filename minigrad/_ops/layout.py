"""Where a result lies in memory: torch's layout, where NumPy would choose another.

A tensor's strides say how many elements apart its neighbours lie along each dim. It is
contiguous when they lie in row-major (C) order, and .view() can reshape it without a copy
only then, or on a layout close to it. So a program written for torch fails under minigrad
where the two lay a result out differently: in torch ``x.t().sum(0).view(-1)`` works,
because a sum comes out contiguous whatever its input's layout.

NumPy and torch agree on most results: an elementwise op keeps its input's order in both
(the exp of a transposed matrix is transposed too). They part where

- torch writes the result into a new C-ordered tensor whatever the input's order: the
  reductions, softmax, the cumulative ops, cat, index_select, masked_fill and layer norm
  (`c_order`, `c_ordered`). NumPy keeps the input's order instead (a sum over the rows of
  a transposed matrix is strided). Padding, pooling, convolution, batch norm, roll and cat
  follow torch's "suggested memory format": C order, or channels-last for a channels-last
  input, an image batch read as N, H, W, C and permuted to N, C, H, W (`suggested_order`).
- torch lays out an advanced-indexing result as its elementwise loop visits it, where NumPy
  puts the indexed dims outermost (`advanced_index_layout`).
- torch's *_like creators, clone, sort, flip and the elementwise rules that write their
  result here in C order (GELU, erf) keep the input's layout (torch's preserve_format:
  `empty_like`, `laid_out_like`, `keeps_layout`).
- torch lays out a leaf's new .grad like the leaf (`gradient_layout`).

Each fix costs a flag check where the inputs are C-ordered, as they nearly always are, and a
copy only where NumPy's layout is not torch's: no value changes, only where it is stored.
Strides are counted in elements here, as torch counts them (NumPy counts bytes).
"""

import math

import numpy as np


def c_order(array):
    """`array` as torch lays out a new contiguous tensor: itself if it already lies so, else
    a C-ordered copy. (NumPy calls an array contiguous whatever the strides of its dims of
    size 1; torch gives each the stride C order would, so those are compared too.)"""
    if array.flags.c_contiguous and array.strides == _c_strides(array.shape, array.itemsize):
        return array
    out = np.empty(array.shape, array.dtype)
    out[...] = array
    return out


def _c_strides(shape, itemsize):
    strides, step = [], itemsize
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _relaid(forward, lay_out):
    """`forward` (whose first argument is the input array x) with its result passed through
    lay_out(ans, x) where x is not C-ordered. NumPy's result follows a C-ordered input's order,
    as torch's does, so such an input (nearly every one) costs a check of its flags alone."""
    def run(x, *args, **params):
        ans = forward(x, *args, **params)
        return ans if x.flags.c_contiguous else lay_out(ans, x)

    run.__name__ = getattr(forward, "__name__", "forward")
    return run


def c_ordered(forward):
    """`forward` with its result laid out in C order, as torch lays out this op's result
    whatever its input's order (see _relaid)."""
    return _relaid(forward, lambda ans, x: c_order(ans))


def is_channels_last(array):
    """Whether torch takes `array` for a channels-last tensor (its suggest_memory_format): 4-d
    (N, C, H, W) or 5-d (N, C, D, H, W) with strides growing from C through the spatial dims,
    last to first, to N, as an image batch read as N, H, W, C and permuted to N, C, H, W is.
    Where sizes of 1 leave it ambiguous, torch decides for C order, and so does this."""
    if array.ndim not in (4, 5) or array.strides[1] == 0:
        return False
    smallest = 0
    strides = _elements(array)
    for dim in (1, *range(array.ndim - 1, 1, -1), 0):
        size, stride = array.shape[dim], strides[dim]
        if size == 0 or stride < smallest or (dim == 0 and smallest == strides[1]):
            return False
        smallest = stride * size if size > 1 else stride
    return True


def suggested_order(ans, x):
    """`ans` as torch lays out the result of the ops that follow x's suggested memory format
    (batch norm, padding, pooling, roll): channels-last where x is channels-last
    (`is_channels_last`), else C order. A copy only where ans lies otherwise."""
    if not is_channels_last(x):
        return c_order(ans)
    shape, steps, step = ans.shape, [0] * ans.ndim, 1
    for dim in (1, *range(ans.ndim - 1, 1, -1), 0):
        steps[dim] = step
        step *= shape[dim]
    if _elements(ans) == tuple(steps):
        return ans
    out = strided_empty(shape, ans.dtype, steps)
    out[...] = ans
    return out


def in_suggested_order(forward):
    """`forward` with its result laid out as `suggested_order` says (see _relaid)."""
    return _relaid(forward, suggested_order)


def keeps_layout(forward):
    """`forward`, an elementwise rule that writes its result in C order, with the result laid
    out like its input instead, as torch lays out an elementwise op's result (see _relaid)."""
    return _relaid(forward, laid_out_like)


def is_dense(array):
    """Whether `array` covers a block of memory with no gap and no element twice (torch's
    "non-overlapping and dense"): strides that are C order's in some order of the dims."""
    required = 1
    for stride, size in sorted((stride, size) for stride, size in zip(_elements(array), array.shape) if size > 1):
        if stride != required:
            return False
        required *= size
    return True


def iteration_order(shape, operands):
    """The order, fastest first, in which torch's elementwise loop (its TensorIterator) visits
    the dims of `shape`, given each operand's strides (0 along the dims it is broadcast).

    The dims are sorted by stride, the first operand that tells two dims apart deciding (a
    stride of 0 tells nothing); dims no operand tells apart keep their C order. The sort is
    torch's insertion sort, so that the order agrees with torch's also where operands disagree.
    """
    order = list(range(len(shape) - 1, -1, -1))

    def after(dim0, dim1):  # 1: dim0 belongs after (slower than) dim1, -1: before it, 0: no operand tells
        for strides in operands:
            stride0, stride1 = strides[dim0], strides[dim1]
            if stride0 == 0 or stride1 == 0:
                continue
            if stride0 != stride1:
                return 1 if stride0 > stride1 else -1
            if shape[dim0] > shape[dim1]:
                return 1
        return 0

    for i in range(1, len(shape)):
        moving = i
        for j in range(i - 1, -1, -1):
            comparison = after(order[j], order[moving])
            if comparison > 0:
                order[j], order[moving] = order[moving], order[j]
                moving = j
            elif comparison < 0:
                break
    return order


def dense_strides(shape, order):
    """The strides of a tensor of `shape` laid out densely with its dims in `order`, fastest first."""
    strides, step = [0] * len(shape), 1
    for dim in order:
        strides[dim] = step
        step *= max(shape[dim], 1)
    return tuple(strides)


def strided_empty(shape, dtype, strides):
    """An uninitialised array of `shape` with the given dense `strides` (in elements)."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape))
    return np.ndarray(shape, dtype, np.empty(size, dtype), strides=tuple(s * dtype.itemsize for s in strides))


def _elements(array):
    return tuple(stride // array.itemsize for stride in array.strides)


def empty_like(array, dtype=None):
    """An uninitialised array shaped and laid out as torch's empty_like(array) (its default
    memory_format, preserve_format): with array's strides where array is dense, else dense
    with its dims in array's order. The *_like creators, clone, sort and flip lay out so."""
    dtype = array.dtype if dtype is None else dtype
    if array.flags.c_contiguous:
        return np.empty(array.shape, dtype)
    strides = _elements(array)
    if not is_dense(array):
        strides = dense_strides(array.shape, iteration_order(array.shape, [strides]))
    return strided_empty(array.shape, dtype, strides)


def laid_out_like(values, like):
    """`values` (of like's shape) laid out as torch lays out a result that keeps like's layout
    (empty_like): itself where both are C-ordered, else a copy."""
    if like.flags.c_contiguous and values.flags.c_contiguous:
        return values
    out = empty_like(like, values.dtype)
    out[...] = values
    return out


def gradient_layout(grad, leaf):
    """A leaf's new .grad laid out as torch lays it out: like the leaf where the leaf is dense
    (a transposed weight gets a transposed gradient), else C-ordered. `grad` itself where it
    already lies so (the strides of dims of size 1 do not count, as in torch)."""
    if leaf.flags.c_contiguous and grad.flags.c_contiguous:
        return grad
    if not is_dense(leaf):
        return grad if grad.flags.c_contiguous else c_order(grad)
    if all(a == b for a, b, size in zip(_elements(grad), _elements(leaf), leaf.shape) if size > 1):
        return grad
    out = strided_empty(leaf.shape, grad.dtype, _elements(leaf))
    out[...] = grad
    return out


def advanced_index_layout(ans, x, index):
    """ans = x[index], an advanced index (index arrays and slices), laid out as torch lays out
    x[index]: as its elementwise loop visits the result, over x (the indexed dims taken away)
    and the index arrays (see iteration_order). NumPy puts the indexed dims outermost instead,
    so x[:, [0, 2]] of a C-ordered x is strided in NumPy and contiguous in torch.

    For a C-ordered x and index arrays torch's result is C-ordered, as NumPy's is where the
    index arrays come first: then only flags need checking.
    """
    if x.flags.c_contiguous and all(type(i) is not np.ndarray or i.flags.c_contiguous for i in index):
        return ans if type(index[0]) is np.ndarray else c_order(ans)
    strides = _index_strides(x, index)
    if strides is None or _elements(ans) == strides:
        return ans
    out = strided_empty(ans.shape, ans.dtype, strides)
    out[...] = ans
    return out


def _index_strides(x, index):
    """The strides torch gives x[index], following torch's own steps: the slices first; a
    boolean mask becomes one index array per dim it covers; index arrays that are not
    neighbours move, with their dims, to the front; then the elementwise loop's order over x
    (zero stride along the indexed dims) and the broadcast index arrays (zero elsewhere).
    None for a 0-d boolean index (x[True]), which adds a dim of its own."""
    if any(isinstance(i, np.ndarray) and i.ndim == 0 for i in index):
        return None
    basic, picks = [], []  # picks: an index array, or None, for each dim of x after the slices
    for i in index:
        if isinstance(i, np.ndarray):
            basic += [slice(None)] * (i.ndim if i.dtype == np.bool_ else 1)
            picks += list(np.nonzero(i)) if i.dtype == np.bool_ else [i]
        else:
            basic.append(i)
            picks.append(None)
    src = x[tuple(basic)]
    picks += [None] * (src.ndim - len(picks))
    indexed = [d for d, pick in enumerate(picks) if pick is not None]
    arrays = np.broadcast_arrays(*(picks[d] for d in indexed))
    sizes, steps = list(src.shape), list(_elements(src))
    if indexed != list(range(indexed[0], indexed[0] + len(indexed))):  # not neighbours: to the front
        order = indexed + [d for d in range(src.ndim) if d not in indexed]
        sizes, steps = [sizes[d] for d in order], [steps[d] for d in order]
        indexed = list(range(len(indexed)))
    before, after = indexed[0], len(sizes) - indexed[-1] - 1
    picked = arrays[0].shape
    shape = tuple(sizes[:before]) + picked + tuple(sizes[len(sizes) - after:])
    operands = [tuple(steps[:before]) + (0,) * len(picked) + tuple(steps[len(steps) - after:])]
    operands += [(0,) * before + _elements(a) + (0,) * after for a in arrays]
    return dense_strides(shape, iteration_order(shape, operands))


def dim_order(shape, strides):
    """The dims of a tensor from the outermost in memory to the innermost, as torch's dim_order gives
    them: those of C order or of channels-last where the tensor is one and not the other, else the
    dims sorted by stride, outermost first. Where strides leave the order open (dims of size 1,
    strides of 0) the choice is torch's: its insertion sort, ties broken by size."""
    ndim = len(shape)
    contiguous = math.prod(shape) < 2 or _dense_in_order(shape, strides, range(ndim - 1, -1, -1))
    channels_last = ndim == 4 and _dense_in_order(shape, strides, (1, 3, 2, 0))
    if ndim <= 1 or contiguous and not channels_last:
        return tuple(range(ndim))
    if channels_last and not contiguous:
        return (0, *range(2, ndim), 1)

    def at_least(a, b):  # (torch's test, as its sort reads it)
        return b == 0 or (a != 0 and (a >= b or a % b == 0))

    def after(a, b):  # 1: dim a lies inside dim b (its stride is smaller), -1: outside, 0: not told
        if strides[a] == 0 or strides[b] == 0:
            return 0
        if strides[a] == strides[b]:
            return 0 if at_least(shape[b], shape[a]) else 1
        return -1 if at_least(strides[b], strides[a]) else 1

    order = list(range(ndim - 1, -1, -1))  # innermost first while sorting
    for i in range(1, ndim):
        moving = i
        for j in range(i - 1, -1, -1):
            comparison = after(order[j], order[moving])
            if comparison > 0:
                order[j], order[moving] = order[moving], order[j]
                moving = j
            elif comparison < 0:
                break
    return tuple(reversed(order))


def _dense_in_order(shape, strides, dims):
    """Whether the dims, innermost first, lie densely in memory (dims of size 1 skipped)."""
    expected = 1
    for dim in dims:
        if shape[dim] == 1:
            continue
        if strides[dim] != expected:
            return False
        expected *= shape[dim]
    return True
