"""The function forms of tensor operations: minigrad.exp(x) is x.exp(), and the ops with
no method form (cat, stack, where, ...)."""

import builtins
import warnings

import numpy as np

from minigrad import _dtype
from minigrad._ops import elementwise as E
from minigrad._ops import linalg as L
from minigrad._ops import shape as S
from minigrad._arguments import _broadcast_message, _dim
from minigrad.autograd.grad_mode import is_grad_enabled
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
atan2 arctan2 remainder movedim moveaxis tile diff median mode index_put addmm baddbmm
fmod sgn fix trunc frac heaviside
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
        return nonzero(Tensor._wrap(cond), as_tuple=True)
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
        return apply(E.where, args[1], args[2], condition=args[0])
    except ValueError as error:
        shapes = [np.shape(a._array if isinstance(a, Tensor) else a) for a in args]
        try:
            joined = np.broadcast_shapes(shapes[0], shapes[1])
        except ValueError:
            raise RuntimeError(_broadcast_message(shapes[0], shapes[1])) from error
        raise RuntimeError(_broadcast_message(joined, shapes[2])) from error


def nonzero(input, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) tensor, or one index tensor per dim.
    A 0-d tensor counts as one of shape (1,) for as_tuple (torch's choice) and has no dims otherwise."""
    array = input._array
    if array.ndim == 0:
        if as_tuple:
            return (Tensor._wrap(np.flatnonzero(array).astype(np.int64)),)
        return Tensor._wrap(np.zeros((int(array != 0), 0), dtype=np.int64))
    indices = np.nonzero(array)
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


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids: output i holds tensors[i]'s values along its own axis, repeated along
    the others. indexing="xy" swaps the first two axes (x varies along columns), as in NumPy."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    if not tensors:
        raise RuntimeError("torch.meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.ndim}D")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(tensors, axes):
        along = [1] * len(tensors)
        along[axis] = -1
        grids.append(t.reshape(along).expand(shape))
    return tuple(grids)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M): (..., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.ndim < 2 else 2} got: "
                           f"{builtins.min(x1.ndim, x2.ndim)}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value of input would go in sorted_sequence (along its last dim) to keep it
    sorted: the count of entries < value (left) or <= value (right=True or side="right")."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    sequence = sorted_sequence._array
    if sorter is not None:
        sequence = np.take_along_axis(sequence, _as_tensor(sorter)._array, axis=-1)
    values = np.asarray(input._array if isinstance(input, Tensor) else input)
    if sequence.ndim > 1 and sequence.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(sequence.shape)} and input value tensor {list(values.shape)}")
    dtype = np.int32 if out_int32 else np.int64
    if sequence.ndim == 1:
        return Tensor._wrap(np.asarray(np.searchsorted(sequence, values, side="right" if right else "left"), dtype=dtype))
    before = sequence[..., None, :] <= values[..., :, None] if right else sequence[..., None, :] < values[..., :, None]
    return Tensor._wrap(before.sum(axis=-1).astype(dtype))


# ---------------------------------------------------------------- out=
# The function forms that take torch's out= (one tensor, or a tuple for (values, indices)).
_OUT_FUNCTIONS = """
add sub mul div true_divide multiply divide subtract pow neg negative reciprocal square
exp log log1p sqrt rsqrt abs absolute sign sin cos tanh sigmoid erf clamp clip clamp_min clamp_max
maximum minimum floor ceil round sum mean prod amax amin max min var std logsumexp cumsum cumprod norm
sort topk matmul mm bmm mv dot outer gather index_select take_along_dim masked_select
eq ne lt le gt ge greater greater_equal less less_equal not_equal
logical_not logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not
tril triu diag expm1 log2 log10 floor_divide cat concat concatenate stack hstack vstack where
""".split()

# Of those, the ones torch gives no casting: out must have the result's dtype.
_EXACT_DTYPE_OUT = set("""
matmul mm bmm mv dot gather index_select take_along_dim masked_select where tril triu diag norm
clamp clip clamp_min clamp_max amax amin max min sort topk
""".split())

# torch's names of the element types, as its messages spell them
_SCALAR_TYPE = {"float16": "Half", "float32": "Float", "float64": "Double", "uint8": "Byte", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool"}


def _write_out(name, result, out):
    """Copy `result` into the caller's tensor `out` (resized if its shape differs), as torch does."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if out.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    array = result._array
    if name in _EXACT_DTYPE_OUT and array.dtype != out._array.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_SCALAR_TYPE[array.dtype.name]}, but got "
                           f"{_SCALAR_TYPE[out._array.dtype.name]} instead")
    if not np.can_cast(array.dtype, out._array.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_SCALAR_TYPE[array.dtype.name]} can't be cast to the desired output "
                           f"type {_SCALAR_TYPE[out._array.dtype.name]}")
    if out._array.shape != array.shape:
        if out._array.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._array.shape)}, which does not match the required output shape "
                          f"{list(array.shape)}. This behavior is deprecated, and in a future release outputs "
                          "will not be resized unless they have zero elements.", UserWarning, stacklevel=3)
        out._array = np.empty(array.shape, dtype=out._array.dtype)
    np.copyto(out._array, array, casting="same_kind")
    out._version_counter[0] += 1
    return out


def _with_out(name, function):
    """`function` that also accepts out=: the result is computed, then written into out."""
    def with_out(*args, out=None, **kwargs):
        result = function(*args, **kwargs)
        if out is None:
            return result
        results = result if isinstance(result, tuple) else (result,)
        if builtins.any(r.requires_grad for r in results) and is_grad_enabled():
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        if not isinstance(result, tuple):
            return _write_out(name, result, out)
        # (values, indices): out is a pair of tensors, filled in order
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(result)} Tensors")
        filled = tuple(_write_out(name, r, o) for r, o in zip(result, out))
        return type(result)(*filled) if hasattr(result, "_fields") else filled
    with_out.__name__ = with_out.__qualname__ = name
    with_out.__doc__ = function.__doc__
    return with_out


globals().update({name: _with_out(name, globals()[name]) for name in _OUT_FUNCTIONS})
