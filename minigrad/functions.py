"""The function forms of tensor operations: minigrad.exp(x) is x.exp(), and the ops with
no method form (cat, stack, where, ...)."""

import builtins

import numpy as np

from minigrad import _dtype
from minigrad._ops import elementwise as E
from minigrad._ops import linalg as L
from minigrad._ops import shape as S
from minigrad._arguments import _broadcast_message, _dim
from minigrad.tensor import Tensor, _as_tensor, _promote, apply

# Methods that are also top-level functions, taking the tensor first.
_METHODS = """
add sub mul div true_divide multiply divide subtract pow neg negative reciprocal square
exp log log1p sqrt rsqrt abs absolute sign sin cos tanh sigmoid erf relu clamp clip clamp_min clamp_max
maximum minimum floor ceil round masked_fill softmax log_softmax
sum mean prod amax amin max min argmax argmin var std logsumexp cumsum norm
sort argsort topk
reshape flatten unflatten squeeze unsqueeze permute transpose swapaxes t expand_as broadcast_to
flip split chunk unbind narrow select
matmul mm bmm mv dot outer
gather scatter scatter_add index_select take_along_dim
eq ne lt le gt ge greater greater_equal less less_equal not_equal equal allclose isclose
isnan isinf isfinite any all logical_not logical_and logical_or logical_xor
bitwise_and bitwise_or bitwise_xor bitwise_not numel detach clone
cumprod count_nonzero unique bincount tril triu roll masked_select repeat_interleave diagonal diag trace
tensor_split expm1 log2 log10 floor_divide index_add
""".split()

# (This shadows Python's sum, max, min, any, all, abs and round in this module: use builtins.*.)
globals().update({name: getattr(Tensor, name) for name in _METHODS})


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def _common_dtype(tensors):
    result = tensors[0]._array.dtype
    for t in tensors[1:]:
        if t._array.dtype != result:
            result = _dtype.result_type(result, False, t._array.dtype, False)
    return result


def _check_sequence(tensors, name):
    """cat and stack take a list or tuple of tensors; iterating one tensor instead would hide the mistake."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim in one call, with var's correction/unbiased arguments."""
    mean_dim = None if isinstance(dim, bool) else dim  # var_mean(x, False): the old positional `unbiased`
    return input.var(dim, unbiased, keepdim, correction=correction), input.mean(mean_dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim in one call, with std's correction/unbiased arguments."""
    mean_dim = None if isinstance(dim, bool) else dim
    return input.std(dim, unbiased, keepdim, correction=correction), input.mean(mean_dim, keepdim)


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other sizes must match."""
    _check_sequence(tensors, "cat")
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    target = _common_dtype(tensors)
    # torch skips legacy empty 1-D tensors of shape (0,) when joining tensors of more dims
    shaped = [t for t in tensors if t._array.shape != (0,)]
    if shaped and shaped[0].ndim > 1:
        tensors = shaped
    first = tensors[0]
    if first.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    axis = _dim(dim, first.ndim)
    for i, t in enumerate(tensors[1:], 1):
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}")
        for d, (a, b) in enumerate(zip(first._array.shape, t._array.shape)):
            if d != axis and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected size {a} "
                                   f"but got size {b} for tensor number {i} in the list.")
    return apply(S.cat, *[t._cast(target) for t in tensors], axis=axis)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join equally shaped tensors along a new dim."""
    _check_sequence(tensors, "stack")
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors[1:], 1):
        if t._array.shape != tensors[0]._array.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    axis = _dim(dim, tensors[0].ndim + 1)
    target = _common_dtype(tensors)
    return apply(S.stack, *[t._cast(target) for t in tensors], axis=axis)


def hstack(tensors):
    tensors = [_as_tensor(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([t if t.ndim > 1 else t.reshape(1, -1) for t in map(_as_tensor, tensors)], 0)


def where(condition, input=None, other=None):
    """Elements of input where condition holds, of other elsewhere; where(c) gives nonzero indices."""
    cond = np.asarray(condition._array if isinstance(condition, Tensor) else condition)
    if input is None and other is None:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_dtype.from_numpy(cond.dtype)}")
    x = input if isinstance(input, Tensor) else None
    y = other if isinstance(other, Tensor) else None
    if x is None and y is None:
        x = _as_tensor(input)
    if x is not None:
        x, other = _promote(x, other)
        args = (cond, x, other)
    else:
        y, input = _promote(y, input)
        args = (cond, input, y)
    try:
        return apply(E.where, *args)
    except ValueError as error:
        shapes = [np.shape(a._array if isinstance(a, Tensor) else a) for a in args]
        try:
            joined = np.broadcast_shapes(shapes[0], shapes[1])
        except ValueError:
            raise RuntimeError(_broadcast_message(shapes[0], shapes[1])) from error
        raise RuntimeError(_broadcast_message(joined, shapes[2])) from error


def nonzero(input, as_tuple=False):
    indices = np.nonzero(input._array)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in indices)
    return Tensor._wrap(np.stack(indices, axis=-1).astype(np.int64))


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._array.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes):
    from minigrad._types import Size
    return Size(np.broadcast_shapes(*shapes))


def einsum(equation, *operands):
    """Sum of products over the letters of `equation` ("bij,bjk->bik", "ii", "...ij->...ji")."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    operands = [_as_tensor(t) for t in operands]
    inputs, output = _einsum_subscripts(equation, [t.ndim for t in operands])
    target = _common_dtype(operands)
    try:
        return apply(L.einsum, *[t._cast(target) for t in operands], inputs=inputs, output=output)
    except ValueError as error:
        shapes = ", ".join(str(list(t.shape)) for t in operands)
        raise RuntimeError(f"einsum(): {error} (equation {equation!r}, operand shapes {shapes})") from None


def _einsum_subscripts(equation, ndims):
    """Each operand's letters and the output's, with every '...' spelled out as letters.

    The letters standing for an ellipsis are right-aligned across operands, so that they
    broadcast as NumPy and torch broadcast; an implicit output ("ij,jk") is the letters
    used once, in alphabetical order, after the ellipsis.
    """
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ndims):
        raise RuntimeError(f"einsum(): the equation names {len(inputs)} operands but {len(ndims)} were given")
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in equation]
    widths = []
    for subscripts, ndim in zip(inputs, ndims):
        letters = len(subscripts.replace("...", ""))
        width = ndim - letters if "..." in subscripts else 0
        if width < 0 or ("..." not in subscripts and letters != ndim):
            raise RuntimeError(f"einsum(): the subscripts {subscripts!r} do not fit an operand with {ndim} dimensions")
        widths.append(width)
    ellipsis = "".join(reversed(spare[:builtins.max(widths, default=0)]))
    inputs = [s.replace("...", ellipsis[len(ellipsis) - w:]) for s, w in zip(inputs, widths)]
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        counts = {}
        for c in "".join(inputs):
            counts[c] = counts.get(c, 0) + 1
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis))
    return inputs, output
