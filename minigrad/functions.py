"""The function forms of tensor operations: minigrad.exp(x) is x.exp(), and the ops with
no method form (cat, stack, where, ...).

Every public name is written out here, so that searching for "exp =" or "def cat" finds it.
Eight of torch's functions are named like Python builtins (abs, all, any, max, min, pow,
round, sum); they are bound in minigrad/__init__.py, the top-level namespace that runs no
code of its own, so that this module keeps Python's own max, min and any.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from minigrad import _dtype
from minigrad._arguments import _broadcast_message, _broadcast_shape, _dim, _einsum_subscripts
from minigrad._ops import elementwise as E
from minigrad._ops import linalg as L
from minigrad._ops import reduce as R
from minigrad._ops import shape as S
from minigrad._ops import strided as ST
from minigrad._tensor.linalg import _lu_unpack, _removed
from minigrad._tensor.operands import _check_no_bool_subtraction, _promote
from minigrad._tensor.shape import _copy, _geometry, _one_size
from minigrad._tensor.statistics import _bin_counts
from minigrad._tensor.unary import _polygamma_order
from minigrad._types import DTypeLike, Size, _return_type
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.creation import as_tensor
from minigrad import linalg as _linalg
from minigrad.linalg import _C_TYPE_NAMES, _powers
from minigrad.tensor import Tensor, apply

# ---------------------------------------------------------------- out=
# Many function forms take torch's out=: the result is computed as usual, then copied into the
# caller's tensor (one tensor, or a tuple for (values, indices)).

# The ones torch gives no casting: out must have the result's dtype.
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


def _number_first(method):
    """A Tensor method as torch's function form takes it, where the first operand may be a number
    (torch.add(2, t)): the number is taken as a 0-d tensor, which promotes as torch's does."""
    def call(input, *args, **kwargs):
        return method(input if isinstance(input, Tensor) else as_tensor(input), *args, **kwargs)
    call.__name__, call.__qualname__, call.__doc__ = method.__name__, method.__qualname__, method.__doc__
    return call


# The function forms whose first operand may be a number, as in torch (torch.add(2, t)), and
# polygamma, whose first argument is its order n; the others refuse one with torch's TypeError,
# where the method would fail on the number itself.
_NUMBER_FIRST = set("""add sub subtract mul multiply div divide true_divide floor_divide pow xlogy
bitwise_and bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift polygamma xlog1py zeta float_power""".split())


def _with_out(name, function):
    """`function` that also accepts out=, under torch's `name` for it (which errors show)."""
    def with_out(*args, out=None, **kwargs):
        if args and isinstance(args[0], numbers.Number) and name not in _NUMBER_FIRST:
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(args[0]).__name__}")
        result = function(*args, **kwargs)
        if out is None:
            return result
        results = result if isinstance(result, tuple) else (result,)
        if any(r.requires_grad for r in results) and is_grad_enabled():
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
    with_out.__wrapped__ = function
    return with_out


def _takes_out(function):
    """Decorator: the function also accepts out= (see _with_out)."""
    return _with_out(function.__name__, function)


# ---------------------------------------------------------------- functions with no method form
def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
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


def var_mean(input: Tensor, dim: int | Sequence[int] | None = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over dim in one call, with var's correction/unbiased arguments."""
    mean_dim = None if isinstance(dim, bool) else dim  # var_mean(x, False): the old positional `unbiased`
    return input.var(dim, unbiased, keepdim, correction=correction), input.mean(mean_dim, keepdim)


def std_mean(input: Tensor, dim: int | Sequence[int] | None = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over dim in one call, with std's correction/unbiased arguments."""
    mean_dim = None if isinstance(dim, bool) else dim
    return input.std(dim, unbiased, keepdim, correction=correction), input.mean(mean_dim, keepdim)


@_takes_out
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other sizes must match."""
    _check_sequence(tensors, "cat")
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
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


concat = _with_out("concat", cat.__wrapped__)


def _concatenate(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """cat under NumPy's name, which also takes NumPy's axis= for dim."""
    return cat.__wrapped__(tensors, dim if axis is None else axis)


concatenate = _with_out("concatenate", _concatenate)


@_takes_out
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    _check_sequence(tensors, "stack")
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors[1:], 1):
        if t._array.shape != tensors[0]._array.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    axis = _dim(dim, tensors[0].ndim + 1)
    target = _common_dtype(tensors)
    return apply(S.stack, *[t._cast(target) for t in tensors], axis=axis)


@_takes_out
def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors joined along their columns: along dim 0 for vectors (a 0-d tensor is one element), else dim 1."""
    tensors = [t.reshape(1) if t.ndim == 0 else t for t in _non_empty(tensors, "hstack")]
    return cat.__wrapped__(tensors, 0 if tensors[0].ndim == 1 else 1)


@_takes_out
def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors joined as rows, along dim 0: a 0-d or 1-d tensor is first made one row."""
    return cat.__wrapped__([t if t.ndim > 1 else t.reshape(1, -1) for t in _non_empty(tensors, "vstack")], 0)


@_takes_out
def where(condition: Tensor, input: Tensor | float | None = None, other: Tensor | float | None = None
          ) -> Tensor | tuple[Tensor, ...]:
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
        x = as_tensor(input)
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


nonzero = Tensor.nonzero  # (one body: the function used to lay its result out in C order, torch's is (1, n))


def result_type(tensor1: Tensor | float, tensor2: Tensor | float) -> _dtype.dtype:
    """The dtype torch gives a binary operation on tensor1 and tensor2. A 0-d tensor or a Python
    number counts only by its kind (bool < integer < floating) unless the other operand is of
    a lower kind: int32 with 2 is int32, int32 with 2.5 is the default float dtype."""
    a, b = as_tensor(tensor1), as_tensor(tensor2)
    return _dtype.from_numpy(_dtype.result_type(a._array.dtype, a.ndim == 0, b._array.dtype, b.ndim == 0))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common shape (torch's RuntimeError if they have none); as in
    torch, a tensor already of that shape is returned itself."""
    shape = _broadcast_shape(*(t._array.shape for t in tensors))
    return tuple(t if t._array.shape == shape else t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes: int | Sequence[int]) -> Size:
    """The shape the given shapes broadcast to (torch's RuntimeError if there is none)."""
    return Size(_broadcast_shape(*shapes))


def tensordot(a: Tensor, b: Tensor, dims: int | Sequence[Sequence[int]] = 2) -> Tensor:
    """The sum of products of a and b over the dims paired by `dims`: the last `dims` dims of a
    with the first of b for an int, or the two lists of dims given. Written as an einsum, whose
    gradients it takes."""
    if isinstance(dims, numbers.Integral):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        pairs = (list(range(a.ndim - dims, a.ndim)), list(range(dims)))
    else:
        pairs = [[d] if isinstance(d, numbers.Integral) else list(d) for d in dims]
        if len(pairs) != 2 or len(pairs[0]) != len(pairs[1]):
            raise RuntimeError("both dimension lists should have same length")
    of_a = [_dim(d, a.ndim) for d in pairs[0]]
    of_b = [_dim(d, b.ndim) for d in pairs[1]]
    for i, j in zip(of_a, of_b):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} "
                               f"and second has size {b.shape[j]} in dim {j}")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    a_letters = [next(letters) for _ in range(a.ndim)]
    b_letters = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(of_a, of_b):
        b_letters[j] = a_letters[i]  # a contracted pair shares its letter
    kept = [c for i, c in enumerate(a_letters) if i not in of_a] + [c for j, c in enumerate(b_letters) if j not in of_b]
    return einsum(f"{''.join(a_letters)},{''.join(b_letters)}->{''.join(kept)}", a, b)


def promote_types(type1: _dtype.dtype, type2: _dtype.dtype) -> _dtype.dtype:
    """The dtype torch's type promotion gives two tensors of these dtypes (int64 with float32 is
    float32, not NumPy's float64)."""
    a, b = _dtype.as_dtype(type1).numpy, _dtype.as_dtype(type2).numpy
    return _dtype.from_numpy(np.dtype(_dtype.result_type(a, False, b, False)))


def einsum(equation: str, *operands: Tensor | Sequence[Tensor]) -> Tensor:
    """Sum of products over the letters of `equation` ("bij,bjk->bik", "ii", "...ij->...ji")."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    operands = [as_tensor(t) for t in operands]
    inputs, output = _einsum_subscripts(equation, [t.ndim for t in operands])
    target = _common_dtype(operands)
    try:
        return apply(L.einsum, *[t._cast(target) for t in operands], inputs=inputs, output=output)
    except ValueError as error:
        shapes = ", ".join(str(list(t.shape)) for t in operands)
        raise RuntimeError(f"einsum(): {error} (equation {equation!r}, operand shapes {shapes})") from None


def meshgrid(*tensors: Tensor | Sequence[Tensor], indexing: str = "ij") -> tuple[Tensor, ...]:
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


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M): (..., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.ndim < 2 else 2} got: "
                           f"{min(x1.ndim, x2.ndim)}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._array.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_dtype.scalar_type_name(x._array.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._array.dtype == np.float16:
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")
    if x1._array.dtype != x2._array.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.scalar_type_name(x1._array.dtype)} but found "
                           f"{_dtype.scalar_type_name(x2._array.dtype)}")
    differences = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return apply(R.cdist_norm, differences, p=p, axis=(differences.ndim - 1,), keepdims=False)


def searchsorted(sorted_sequence: Tensor, input: Tensor | ArrayLike, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
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
        sequence = np.take_along_axis(sequence, as_tensor(sorter)._array, axis=-1)
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


def bucketize(input: Tensor | float, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value among the sorted 1-d boundaries: how many boundaries lie below it
    (right=False: boundaries[i-1] < v <= boundaries[i]; right=True: boundaries[i-1] <= v < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Tensor | float, test_elements: Tensor | float, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each element equals some element of test_elements (NaN equals nothing), in the
    shape of elements; invert=True gives the opposite."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected elements or test_elements to be a Tensor")
    arrays = [np.asarray(x._array if isinstance(x, Tensor) else x) for x in (elements, test_elements)]
    if any(a.dtype == np.bool_ for a in arrays):
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    return Tensor._wrap(np.isin(arrays[0], arrays[1], invert=invert))


def unravel_index(indices: Tensor | int, shape: int | Sequence[int]) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of `shape` of the positions `indices` of its flattened form,
    one tensor per dim. As in torch, a position is taken modulo the size (-1 is the last element,
    and so is size - 1 + size)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): expected 'indices' to be a Tensor, not {type(indices).__name__}")
    if indices._array.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    size = int(np.prod(shape))
    positions = indices._array.astype(np.int64)
    if not shape:
        return ()
    return tuple(Tensor._wrap(c.astype(np.int64)) for c in np.unravel_index(positions % max(size, 1), shape))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: DTypeLike | None = None,
                 device: object = None) -> Tensor:
    """The (row, column) coordinates of the lower triangle of a row x col matrix (below the
    diagonal `offset`, inclusive), row by row, as a 2 x N tensor."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: DTypeLike | None = None,
                 device: object = None) -> Tensor:
    """The coordinates of the upper triangle (from the diagonal `offset` up), as tril_indices."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype)


def _triangle_indices(name, indices, row, col, offset, dtype):
    for what, n in (("row", row), ("col", col)):
        if n < 0:
            raise RuntimeError(f"{what} must be non-negative, got {n}")
    target = np.dtype(np.int64) if dtype is None else _dtype.as_dtype(dtype).numpy
    if target.kind not in "iu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_dtype.scalar_type_name(target)}'")
    return Tensor._wrap(np.stack(indices(row, offset, col)).astype(target).reshape(2, -1))


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element of each 1-d tensor, as the rows of an (N, len(tensors))
    tensor, the last tensor varying fastest; one tensor is returned as it is."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    return stack([grid.reshape(-1) for grid in meshgrid(*tensors)], dim=1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-element combinations of a 1-d tensor's elements (each in the order of input), one per
    row of an (N, r) tensor, as itertools.combinations lists them (with_replacement: as
    combinations_with_replacement)."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._wrap(np.zeros(0, dtype=input._array.dtype))
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    picks = np.array(list(choose(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[picks]  # (its gradient is indexing's: each element gets what its copies got)


# ---------------------------------------------------------------- the function forms of Tensor methods
# minigrad.exp(x) is x.exp(); those that take out= are wrapped by _with_out.
add = _with_out("add", _number_first(Tensor.add))
sub = _with_out("sub", _number_first(Tensor.sub))
mul = _with_out("mul", Tensor.mul)
div = _with_out("div", Tensor.div)
true_divide = _with_out("true_divide", Tensor.true_divide)
multiply = _with_out("multiply", Tensor.multiply)
divide = _with_out("divide", Tensor.divide)
subtract = _with_out("subtract", _number_first(Tensor.subtract))
neg = _with_out("neg", Tensor.neg)
negative = _with_out("negative", Tensor.negative)
reciprocal = _with_out("reciprocal", Tensor.reciprocal)
square = _with_out("square", Tensor.square)

exp = _with_out("exp", Tensor.exp)
log = _with_out("log", Tensor.log)
log1p = _with_out("log1p", Tensor.log1p)
sqrt = _with_out("sqrt", Tensor.sqrt)
rsqrt = _with_out("rsqrt", Tensor.rsqrt)
absolute = _with_out("absolute", Tensor.absolute)
sign = _with_out("sign", Tensor.sign)
sin = _with_out("sin", Tensor.sin)
cos = _with_out("cos", Tensor.cos)
tanh = _with_out("tanh", Tensor.tanh)
tan = _with_out("tan", Tensor.tan)
sinc = _with_out("sinc", Tensor.sinc)
exp2 = _with_out("exp2", Tensor.exp2)
deg2rad = _with_out("deg2rad", Tensor.deg2rad)
rad2deg = _with_out("rad2deg", Tensor.rad2deg)
logaddexp = _with_out("logaddexp", Tensor.logaddexp)
signbit = _with_out("signbit", Tensor.signbit)
addcmul = _with_out("addcmul", Tensor.addcmul)
addcdiv = _with_out("addcdiv", Tensor.addcdiv)
lerp = _with_out("lerp", Tensor.lerp)
hypot = _with_out("hypot", Tensor.hypot)
xlogy = _with_out("xlogy", _number_first(Tensor.xlogy))
igamma = _with_out("igamma", Tensor.igamma)
igammac = _with_out("igammac", Tensor.igammac)
logit = _with_out("logit", Tensor.logit)
nan_to_num = _with_out("nan_to_num", Tensor.nan_to_num)
nan_to_num_ = Tensor.nan_to_num_
asin = arcsin = _with_out("asin", Tensor.asin)
acos = arccos = _with_out("acos", Tensor.acos)
atan = arctan = _with_out("atan", Tensor.atan)
sinh = _with_out("sinh", Tensor.sinh)
cosh = _with_out("cosh", Tensor.cosh)
asinh = arcsinh = _with_out("asinh", Tensor.asinh)
acosh = arccosh = _with_out("acosh", Tensor.acosh)
atanh = arctanh = _with_out("atanh", Tensor.atanh)
sigmoid = _with_out("sigmoid", Tensor.sigmoid)
erf = _with_out("erf", Tensor.erf)
erfc = _with_out("erfc", Tensor.erfc)
erfinv = _with_out("erfinv", Tensor.erfinv)
lgamma = _with_out("lgamma", Tensor.lgamma)
digamma = _with_out("digamma", Tensor.digamma)
mvlgamma = _with_out("mvlgamma", Tensor.mvlgamma)
i0 = _with_out("i0", Tensor.i0)
copysign = _with_out("copysign", Tensor.copysign)
float_power = _with_out("float_power", _number_first(Tensor.float_power))
ldexp = _with_out("ldexp", Tensor.ldexp)
frexp = _with_out("frexp", Tensor.frexp)
nextafter = _with_out("nextafter", Tensor.nextafter)
logaddexp2 = _with_out("logaddexp2", Tensor.logaddexp2)
gcd = _with_out("gcd", Tensor.gcd)
lcm = _with_out("lcm", Tensor.lcm)
relu = Tensor.relu
clamp = _with_out("clamp", Tensor.clamp)
clip = _with_out("clip", Tensor.clip)
clamp_min = _with_out("clamp_min", Tensor.clamp_min)
clamp_max = _with_out("clamp_max", Tensor.clamp_max)

maximum = _with_out("maximum", Tensor.maximum)
minimum = _with_out("minimum", Tensor.minimum)
floor = _with_out("floor", Tensor.floor)
ceil = _with_out("ceil", Tensor.ceil)
masked_fill = Tensor.masked_fill
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax

mean = _with_out("mean", Tensor.mean)
prod = _with_out("prod", Tensor.prod)
amax = _with_out("amax", Tensor.amax)
amin = _with_out("amin", Tensor.amin)
aminmax = _with_out("aminmax", Tensor.aminmax)
nansum = _with_out("nansum", Tensor.nansum)
nanmean = _with_out("nanmean", Tensor.nanmean)
argmax = Tensor.argmax
argmin = Tensor.argmin
var = _with_out("var", Tensor.var)
std = _with_out("std", Tensor.std)
logsumexp = _with_out("logsumexp", Tensor.logsumexp)
cumsum = _with_out("cumsum", Tensor.cumsum)
norm = _with_out("norm", Tensor.norm)

sort = _with_out("sort", Tensor.sort)
argsort = Tensor.argsort
topk = _with_out("topk", Tensor.topk)

reshape = Tensor.reshape
flatten = Tensor.flatten
unflatten = Tensor.unflatten
squeeze = Tensor.squeeze
unsqueeze = Tensor.unsqueeze
permute = Tensor.permute
transpose = Tensor.transpose
swapaxes = Tensor.swapaxes
swapdims = Tensor.swapdims
t = Tensor.t
expand_as = Tensor.expand_as
broadcast_to = Tensor.broadcast_to

flip = Tensor.flip
split = Tensor.split
chunk = Tensor.chunk
unbind = Tensor.unbind
narrow = Tensor.narrow
select = Tensor.select
narrow_copy = Tensor.narrow_copy
unsafe_split = Tensor.unsafe_split
unsafe_split_with_sizes = Tensor.unsafe_split_with_sizes
unsafe_chunk = Tensor.unsafe_chunk
as_strided = Tensor.as_strided
resize_as_ = Tensor.resize_as_


# ---------------------------------------------------------------- the *_copy ops
# Each is a view op whose result is written into new memory (see shape._copy).

def alias_copy(input: Tensor) -> Tensor:
    return _copy(input, "AliasBackward0_copy")


def detach_copy(input: Tensor) -> Tensor:
    """A copy of input that, as in torch, still requires grad but cannot be differentiated."""
    return apply(S.detach_copy, input)


def as_strided_copy(input: Tensor, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None) -> Tensor:
    return _copy(input.as_strided(size, stride, storage_offset), "AsStridedBackward0_copy")


def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _copy(input.diagonal(offset, dim1, dim2), "DiagonalBackward0_copy")


def expand_copy(input: Tensor, size: Sequence[int], *, implicit: bool = False) -> Tensor:
    return _copy(input.expand(size), "ExpandBackward0_copy")


def permute_copy(input: Tensor, dims: Sequence[int]) -> Tensor:
    return _copy(input.permute(dims), "PermuteBackward0_copy")


def select_copy(input: Tensor, dim: int, index: int) -> Tensor:
    return _copy(input.select(dim, index), "SelectBackward0_copy")


def slice_copy(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1) -> Tensor:
    """input[start:end:step] along dim, in new memory; the range is clipped to the dim as a Python slice is."""
    if step <= 0:
        raise RuntimeError(f"slice step must be positive, got {step}")
    axis = _dim(dim, input.ndim)
    return _copy(input[(slice(None),) * axis + (slice(start, end, step),)], "SliceBackward0_copy")


def split_copy(input: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    """split(split_size, dim) in new memory; sizes in a list go to split_with_sizes_copy, as in torch."""
    return _copy(input.split(_one_size("split_copy", split_size), dim), "SplitBackward0_copy")


def split_with_sizes_copy(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    return _copy(input.split_with_sizes(split_sizes, dim), "SplitWithSizesBackward0_copy")


def squeeze_copy(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    # torch numbers its squeeze nodes by overload: no dim, one dim, a list of dims
    overload = 0 if dim is None else 1 if isinstance(dim, numbers.Integral) else 2
    return _copy(input.squeeze(dim), f"SqueezeBackward{overload}_copy")


def t_copy(input: Tensor) -> Tensor:
    return _copy(input.t(), "TBackward0_copy")


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return _copy(input.transpose(dim0, dim1), "TransposeBackward0_copy")


def unbind_copy(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return _copy(input.unbind(dim), "UnbindBackward0_copy")


def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    return _copy(input.unfold(dimension, size, step), "UnfoldBackward0_copy")


def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:
    return _copy(input.unsqueeze(dim), "UnsqueezeBackward0_copy")


def view_copy(input: Tensor, size: Sequence[int] | DTypeLike) -> Tensor:
    """input.view(size) in new memory. Since the result is a copy, input's strides need not allow a
    view (view_copy of a transposed matrix works, as reshape does); a dtype is viewed as by view."""
    view = input.reshape(size) if isinstance(size, (tuple, list)) else input.view(size)
    return _copy(view, "ViewBackward0_copy")





def as_strided_scatter(input: Tensor, src: Tensor, size: Sequence[int], stride: Sequence[int],
                       storage_offset: int | None = None) -> Tensor:
    """A copy of input (laid out like it, in memory of its own) with src written over the elements
    that input.as_strided(size, stride, storage_offset) of that copy would read."""
    if not isinstance(src, Tensor):
        raise TypeError(f"as_strided_scatter(): argument 'src' (position 2) must be Tensor, not {type(src).__name__}")
    if input.requires_grad and is_grad_enabled() and not input.is_contiguous():
        raise RuntimeError("as_strided_scatter is currently only supported for contiguous inputs")
    own_storage = np.empty(input.numel(), input._array.dtype)  # the copy's: dense, from its first element
    size, stride, offset = _geometry(size, stride, 0 if storage_offset is None else storage_offset, own_storage,
                                     "as_strided_scatter")
    if tuple(src.shape) != size:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(size)}")
    if 0 not in size and any(step == 0 and n > 1 for n, step in zip(size, stride)):  # (torch's check: others pass)
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                           "memory location. Please clone() the tensor before performing the operation.")
    return apply(ST.as_strided_scatter, input, src.to(input.dtype), size=size, stride=stride, offset=offset)

matmul = _with_out("matmul", Tensor.matmul)
mm = _with_out("mm", Tensor.mm)
bmm = _with_out("bmm", Tensor.bmm)
mv = _with_out("mv", Tensor.mv)
dot = _with_out("dot", Tensor.dot)
outer = _with_out("outer", Tensor.outer)

gather = _with_out("gather", Tensor.gather)
scatter = Tensor.scatter
scatter_add = Tensor.scatter_add
index_select = _with_out("index_select", Tensor.index_select)
take_along_dim = _with_out("take_along_dim", Tensor.take_along_dim)
take = _with_out("take", Tensor.take)
rot90 = Tensor.rot90
argwhere = Tensor.argwhere
msort = _with_out("msort", Tensor.msort)
fmax = _with_out("fmax", Tensor.fmax)
fmin = _with_out("fmin", Tensor.fmin)

eq = _with_out("eq", Tensor.eq)
ne = _with_out("ne", Tensor.ne)
lt = _with_out("lt", Tensor.lt)
le = _with_out("le", Tensor.le)
gt = _with_out("gt", Tensor.gt)
ge = _with_out("ge", Tensor.ge)
greater = _with_out("greater", Tensor.greater)
greater_equal = _with_out("greater_equal", Tensor.greater_equal)
less = _with_out("less", Tensor.less)
less_equal = _with_out("less_equal", Tensor.less_equal)
not_equal = _with_out("not_equal", Tensor.not_equal)
equal = Tensor.equal
allclose = Tensor.allclose
isclose = Tensor.isclose

isnan = Tensor.isnan
isinf = Tensor.isinf
isfinite = Tensor.isfinite
logical_not = _with_out("logical_not", Tensor.logical_not)
logical_and = _with_out("logical_and", Tensor.logical_and)
logical_or = _with_out("logical_or", Tensor.logical_or)
logical_xor = _with_out("logical_xor", Tensor.logical_xor)

bitwise_and = _with_out("bitwise_and", _number_first(Tensor.bitwise_and))
bitwise_or = _with_out("bitwise_or", _number_first(Tensor.bitwise_or))
bitwise_xor = _with_out("bitwise_xor", _number_first(Tensor.bitwise_xor))
bitwise_not = _with_out("bitwise_not", Tensor.bitwise_not)
bitwise_left_shift = _with_out("bitwise_left_shift", _number_first(Tensor.bitwise_left_shift))
bitwise_right_shift = _with_out("bitwise_right_shift", _number_first(Tensor.bitwise_right_shift))
numel = Tensor.numel
detach = Tensor.detach
clone = Tensor.clone

cumprod = _with_out("cumprod", Tensor.cumprod)
logcumsumexp = _with_out("logcumsumexp", Tensor.logcumsumexp)
cummax = _with_out("cummax", Tensor.cummax)
cummin = _with_out("cummin", Tensor.cummin)
kthvalue = _with_out("kthvalue", Tensor.kthvalue)
count_nonzero = Tensor.count_nonzero
unique = Tensor.unique
bincount = Tensor.bincount
unique_consecutive = Tensor.unique_consecutive
histc = _with_out("histc", Tensor.histc)
histogram = _with_out("histogram", Tensor.histogram)
tril = _with_out("tril", Tensor.tril)
triu = _with_out("triu", Tensor.triu)
roll = Tensor.roll
masked_select = _with_out("masked_select", Tensor.masked_select)
repeat_interleave = Tensor.repeat_interleave
diagonal = Tensor.diagonal
diag = _with_out("diag", Tensor.diag)
trace = Tensor.trace
det = Tensor.det
slogdet = Tensor.slogdet
logdet = Tensor.logdet
inverse = Tensor.inverse
matrix_power = Tensor.matrix_power
cross = Tensor.cross
matrix_exp = Tensor.matrix_exp
diag_embed = Tensor.diag_embed
diagflat = Tensor.diagflat
kron = Tensor.kron

tensor_split = Tensor.tensor_split
expm1 = _with_out("expm1", Tensor.expm1)
log2 = _with_out("log2", Tensor.log2)
log10 = _with_out("log10", Tensor.log10)
floor_divide = _with_out("floor_divide", Tensor.floor_divide)
index_add = Tensor.index_add
index_fill = Tensor.index_fill
index_copy = _with_out("index_copy", Tensor.index_copy)
masked_scatter = Tensor.masked_scatter
scatter_reduce = _with_out("scatter_reduce", Tensor.scatter_reduce)
index_reduce = _with_out("index_reduce", Tensor.index_reduce)
put = Tensor.put
select_scatter = Tensor.select_scatter
slice_scatter = Tensor.slice_scatter
diagonal_scatter = Tensor.diagonal_scatter

atan2 = _with_out("atan2", Tensor.atan2)
arctan2 = Tensor.arctan2
remainder = _number_first(Tensor.remainder)
movedim = Tensor.movedim
moveaxis = Tensor.moveaxis
tile = Tensor.tile
diff = Tensor.diff
median = Tensor.median
nanmedian = _with_out("nanmedian", Tensor.nanmedian)
quantile = _with_out("quantile", Tensor.quantile)
nanquantile = _with_out("nanquantile", Tensor.nanquantile)
mode = Tensor.mode
index_put = Tensor.index_put
addmm = Tensor.addmm
baddbmm = Tensor.baddbmm
addmv = _with_out("addmv", Tensor.addmv)
addmv_ = Tensor.addmv_
addr = _with_out("addr", Tensor.addr)
addbmm = _with_out("addbmm", Tensor.addbmm)
ger = _with_out("ger", Tensor.ger)
inner = _with_out("inner", Tensor.inner)
vdot = _with_out("vdot", Tensor.vdot)
dist = Tensor.dist
fmod = _with_out("fmod", Tensor.fmod)
sgn = Tensor.sgn
angle = _with_out("angle", Tensor.angle)
conj = conj_physical = resolve_conj = resolve_neg = Tensor.conj
adjoint = Tensor.adjoint
renorm = _with_out("renorm", Tensor.renorm)
cholesky, qr, svd = Tensor.cholesky, Tensor.qr, Tensor.svd  # (torch's older forms of the linalg functions)
split_with_sizes = Tensor.split_with_sizes


def rsub(input: Tensor, other: Tensor | float, alpha: float = 1) -> Tensor:
    """other - alpha * input: sub with its operands the other way round. A number `other` is no
    input of the node (torch's RsubBackward1), a tensor is (RsubBackward0)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"rsub(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    _check_no_bool_subtraction(input, other)
    # alpha is checked against the dtype of the result, that of input and other together
    scaled = Tensor._scaled(other if isinstance(other, Tensor) else as_tensor(other), input, alpha)
    a, b = _promote(scaled, other)
    if isinstance(b, Tensor):
        return apply(E.rsub_tensors, a, b)
    return apply(E.rsub, a, other=b)


# ---------------------------------------------------------------- gradient and histogramdd
def gradient(input: Tensor, *, spacing: float | Sequence[float] | Sequence[Tensor] = 1,
             dim: int | Sequence[int] | None = None, edge_order: int = 1) -> tuple[Tensor, ...]:
    """The derivative of the samples `input` along each dim of `dim` (all by default), one tensor per
    dim: central differences inside, one-sided ones of order edge_order (1 or 2) at the two ends.
    spacing: the distance between samples (a number, or one per dim), or the coordinates of the
    samples along each dim (one 1-D tensor per dim), unevenly spaced."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    axes = [_dim(d, input.ndim) for d in dims]
    for i, axis in enumerate(axes):
        if axis in axes[:i]:
            raise RuntimeError(f"dim {dims[i]} appears multiple times in the list of dims")
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(axes):
            if dim is None:
                raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
                                   f"equal to 'self.dim() = {input.ndim}', since dim argument was not given, but got "
                                   f"a list of length {len(spacing)}")
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length "
                               f"{len(spacing)} and a dim argument of length {len(axes)}.")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(axes)
    for h in spacings:
        if isinstance(h, Tensor) and h.ndim != 1:
            raise RuntimeError(f"torch.gradient expected each element of spacing to have one dimension, but got an "
                               f"element with {h.ndim} dimensions!")
    for axis in axes:
        if input.shape[axis] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    _check_no_bool_subtraction(input, input)  # (differences of bools are refused)
    samples = input if input.is_floating_point() else input.to(_dtype.get_default_dtype())
    return tuple(_coordinate_gradient(samples, axis, h, edge_order) if isinstance(h, Tensor)
                 else _uniform_gradient(samples, axis, h, edge_order) for axis, h in zip(axes, spacings))


def _along(f, axis, start, stop=None):
    """f[start:stop] along `axis` (stop None: to the end)."""
    stop = f.shape[axis] if stop is None else stop % f.shape[axis] if stop < 0 else stop
    start = start % f.shape[axis] if start < 0 else start
    return f.narrow(axis, start, stop - start)


def _uniform_gradient(f, axis, h, edge_order):
    """The derivative along `axis` of samples h apart: (f[i+1] - f[i-1]) / 2h inside; at the ends
    (f1 - f0) / h, or the second-order (-3 f0 + 4 f1 - f2) / 2h (and its mirror)."""
    inside = (_along(f, axis, 2) - _along(f, axis, 0, -2)) / h / 2
    if edge_order == 1:
        first = (_along(f, axis, 1, 2) - _along(f, axis, 0, 1)) / h
        last = (_along(f, axis, -1) - _along(f, axis, -2, -1)) / h
    else:
        first = (_along(f, axis, 0, 1) * -1.5 + _along(f, axis, 1, 2) * 2 - _along(f, axis, 2, 3) * 0.5) / h
        last = (_along(f, axis, -3, -2) * 0.5 + _along(f, axis, -2, -1) * -2 + _along(f, axis, -1) * 1.5) / h
    return cat([first, inside, last], axis)


def _coordinate_gradient(f, axis, x, edge_order):
    """The derivative along `axis` of samples at the coordinates x: inside, the second-order
    difference a f[i-1] + b f[i] + c f[i+1] for the steps s = x[i] - x[i-1] and d = x[i+1] - x[i]
    (a = -d / (s (s + d)), b = (d - s) / (s d), c = s / (d (s + d))); at the ends, the one-sided
    differences of order edge_order."""
    steps = x[1:] - x[:-1]
    s, d = (part.reshape([-1] + [1] * (f.ndim - 1 - axis)) for part in (steps[:-1], steps[1:]))  # along axis
    inside = (-d / (s * (s + d)) * _along(f, axis, 0, -2) + (d - s) / (s * d) * _along(f, axis, 1, -1)
              + s / (d * (s + d)) * _along(f, axis, 2))
    if edge_order == 1:
        first = (_along(f, axis, 1, 2) - _along(f, axis, 0, 1)) / steps[0]
        last = (_along(f, axis, -1) - _along(f, axis, -2, -1)) / steps[-1]
    else:
        s, d = steps[0], steps[1]
        first = (-(2 * s + d) / (s * (s + d)) * _along(f, axis, 0, 1) + (s + d) / (s * d) * _along(f, axis, 1, 2)
                 - s / (d * (s + d)) * _along(f, axis, 2, 3))
        s, d = steps[-2], steps[-1]
        last = (d / (s * (s + d)) * _along(f, axis, -3, -2) - (s + d) / (s * d) * _along(f, axis, -2, -1)
                + (2 * d + s) / (d * (s + d)) * _along(f, axis, -1))
    return cat([first, inside, last], axis)


def histogramdd(input: Tensor, bins: int | Sequence[int] | Sequence[Tensor], *,
                range: Sequence[float] | None = None, weight: Tensor | None = None,  # noqa: A002  (torch's name)
                density: bool = False) -> tuple[Tensor, tuple[Tensor, ...]]:
    """(hist, bin_edges): how many of the points (the rows of input's last dim, one coordinate per
    histogram dim) fall in each cell, or how much weight. Each dim has its bins (a count of equal
    bins over range[2d:2d+2], by default the points' range, or a tensor of edges); a cell holds its
    lower edges, the last bin of a dim its upper edge too, and points outside are not counted.
    density=True divides by the total and each cell's volume."""
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    input._check_histogram_input("histogramdd")
    count = input.shape[-1]
    bins = [bins] * count if isinstance(bins, numbers.Integral) else list(bins)
    if len(bins) != count:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    if range is not None and len(range) != 2 * count:
        raise RuntimeError(f"torch.histogramdd: for a {count}-dimensional histogram range should have {2 * count} "
                           f"elements, but got {len(range)}")
    points = input._array.reshape(-1, count)
    weights = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                               f"input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(input.shape)} and weight with shape {list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should "
                               f"have the same dtype, but got input({_C_TYPE_NAMES[input._array.dtype.name]}), and "
                               f"weight({_C_TYPE_NAMES[weight._array.dtype.name]})")
        weights = weight._array.reshape(-1)
    edges = [Tensor._wrap(points[:, d])._histogram_edges(b, None if range is None else range[2 * d:2 * d + 2], d)
             for d, b in enumerate(bins)]
    inside = np.ones(len(points), dtype=bool)
    for d, e in enumerate(edges):
        inside &= (points[:, d] >= e[0]) & (points[:, d] <= e[-1])
    # each point's bin in each dim: the last edge at or below it, the last bin for the upper edge itself
    cells = [np.minimum(np.searchsorted(e, points[inside, d], side="right") - 1, len(e) - 2)
             for d, e in enumerate(edges)]
    shape = tuple(len(e) - 1 for e in edges)
    flat = np.ravel_multi_index(cells, shape) if points.size else np.zeros(0, dtype=np.intp)
    hist = _bin_counts(flat, None if weights is None else weights[inside], int(np.prod(shape)),
                       input._array.dtype).reshape(shape)
    if density:
        volumes = np.ones((), dtype=input._array.dtype)
        for e in edges:
            volumes = np.multiply.outer(volumes, np.diff(e))
        with np.errstate(invalid="ignore", divide="ignore"):  # no points: nan, quietly as in torch
            hist = hist / (hist.sum() * volumes)
    return _return_type("histogramdd", ("hist", "bin_edges"))(Tensor._wrap(hist),
                                                               tuple(Tensor._wrap(e) for e in edges))


def real(input: Tensor) -> Tensor:
    """The real part: a real tensor itself, as in torch."""
    return input.real


def imag(input: Tensor) -> Tensor:
    """The imaginary part, which real tensors do not have: torch's RuntimeError."""
    return input.imag
fix = Tensor.fix
trunc = Tensor.trunc
frac = Tensor.frac
heaviside = Tensor.heaviside


def _polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of digamma at `input` (torch's order: n first)."""
    if not isinstance(input, Tensor):
        _polygamma_order(n)  # (n is checked first, as in torch)
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not {type(input).__name__}")
    return input.polygamma(n)


polygamma = _with_out("polygamma", _polygamma)

cov = Tensor.cov
corrcoef = Tensor.corrcoef


# ---------------------------------------------------------------- at least n dims, and stacking
def _each(tensors, at_least):
    """at_least applied to one tensor (returned alone) or to several, or a list of them (a tuple)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(at_least(as_tensor(t)) for t in tensors[0])
    results = tuple(at_least(as_tensor(t)) for t in tensors)
    return results[0] if len(results) == 1 else results


def atleast_1d(*tensors: Tensor | Sequence[Tensor]) -> Tensor | tuple[Tensor, ...]:
    """Each tensor with at least one dim: a 0-d tensor becomes shape (1,), others are returned as they are."""
    return _each(tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*tensors: Tensor | Sequence[Tensor]) -> Tensor | tuple[Tensor, ...]:
    """Each tensor with at least two dims: shape () becomes (1, 1) and (n,) becomes (1, n)."""
    return _each(tensors, lambda t: t.reshape(1, 1) if t.ndim == 0 else t.unsqueeze(0) if t.ndim == 1 else t)


def _at_least_3d(t):
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.unsqueeze(0).unsqueeze(-1)  # (n,) -> (1, n, 1)
    return t.unsqueeze(-1) if t.ndim == 2 else t


def atleast_3d(*tensors: Tensor | Sequence[Tensor]) -> Tensor | tuple[Tensor, ...]:
    """Each tensor with at least three dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _each(tensors, _at_least_3d)


def _non_empty(tensors, name):
    _check_sequence(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return [as_tensor(t) for t in tensors]


@_takes_out
def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors side by side as columns: each 0-d or 1-d one becomes one column, (n, 1)."""
    tensors = _non_empty(tensors, "column_stack")
    return hstack.__wrapped__([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors])


row_stack = _with_out("row_stack", vstack.__wrapped__)


@_takes_out
def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors joined along the third dim, each first given three dims (atleast_3d)."""
    return cat.__wrapped__([_at_least_3d(t) for t in _non_empty(tensors, "dstack")], 2)


# ---------------------------------------------------------------- the trapezoidal rule
def _integration_axis(y, name):
    """The y of trapezoid and cumulative_trapezoid: not bool, and at least one dim to integrate along."""
    if y._array.dtype == np.bool_:
        raise RuntimeError(f"{name}: received a bool input for `y`, but bool is not supported")
    if y.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")


def _zeros_without_axis(y, axis):
    """Zeros of y's dtype and of y's shape without `axis`: the integral over no samples."""
    shape = y._array.shape
    return as_tensor(np.zeros(shape[:axis] + shape[axis + 1:], dtype=y._array.dtype))


def _spacing(y, x, dx, axis, name):
    """The widths of the intervals between the samples: dx (a number, 1 by default), or the
    differences of the sample points x, shaped to broadcast against y's intervals along axis
    (a 1-D x lies along axis; a shorter x gets leading dims of 1)."""
    if x is None:
        return 1 if dx is None else dx
    if dx is not None:
        raise TypeError(f"{name}(): pass the sample points x or the spacing dx, not both")
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'x' must be Tensor, not {type(x).__name__}; pass a constant "
                        "spacing as dx=")
    if x.ndim == 1:
        if x.shape[0] != y.shape[axis]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        x = x.reshape([-1 if d == axis else 1 for d in range(y.ndim)])
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    count = x.shape[axis]
    return x.narrow(axis, 1, count - 1) - x.narrow(axis, 0, count - 1)


@_takes_out
def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The integral of y along dim by the trapezoidal rule, with the samples at the points x or
    dx apart (1 by default): the sum of (y_i + y_(i+1)) / 2 times each interval's width."""
    _integration_axis(y, "trapezoid")
    axis = _dim(dim, y.ndim)
    count = y.shape[axis]
    if count == 0:  # no samples: 0, as NumPy gives
        return _zeros_without_axis(y, axis)
    spacing = _spacing(y, x, dx, axis, "trapezoid")
    if not isinstance(spacing, Tensor):  # constant spacing: dx * (sum(y) - (y_first + y_last) / 2), as torch computes it
        return (y.sum(axis) - (y.select(axis, 0) + y.select(axis, -1)) * 0.5) * spacing
    return (spacing * (y.narrow(axis, 1, count - 1) + y.narrow(axis, 0, count - 1))).sum(axis) / 2.0


@_takes_out
def trapz(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """trapezoid under its older name."""
    return trapezoid.__wrapped__(y, x, dx=dx, dim=dim)


@_takes_out
def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The running integral of y along dim by the trapezoidal rule: one value per interval, the
    areas (y_i + y_(i+1)) / 2 times the widths summed so far."""
    _integration_axis(y, "cumulative_trapezoid")
    axis = _dim(dim, y.ndim)
    count = y.shape[axis]
    if count == 0:
        return y.clone()
    spacing = _spacing(y, x, dx, axis, "cumulative_trapezoid")
    return (spacing / 2.0 * (y.narrow(axis, 0, count - 1) + y.narrow(axis, 1, count - 1))).cumsum(axis)


pinverse = Tensor.pinverse


# ---------------------------------------------------------------- structured matrices
def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-D: 1 x 1, 1-D: one row, 2-D) along the diagonal of one matrix, zeros
    elsewhere, in their common dtype."""
    matrices = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
        matrices.append(t.reshape(1, -1) if t.ndim < 2 else t)
    if not matrices:
        return Tensor._wrap(np.zeros((1, 0), dtype=_dtype.get_default_dtype().numpy))
    common, all_0d = tensors[0]._array.dtype, tensors[0].ndim == 0  # torch's promotion: 0-d tensors defer
    for t in tensors[1:]:
        common = _dtype.result_type(common, all_0d, t._array.dtype, t.ndim == 0)
        all_0d = all_0d and t.ndim == 0
    return apply(L.block_diag, *(m._cast(common) for m in matrices))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the vector x: column j holds x ** (N - 1 - j) (x ** j where
    increasing), N columns (by default as many as x has elements); integers and bools give int64."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is not None and N < 0:
        raise RuntimeError("N must be non-negative.")
    powers = _powers(x if x.is_floating_point() else x.to(_dtype.int64), x.shape[0] if N is None else N)
    return powers if increasing else powers.flip(-1)


# ---------------------------------------------------------------- Cholesky and LU factors
cholesky_solve, cholesky_inverse = Tensor.cholesky_solve, Tensor.cholesky_inverse
lu, lu_solve = Tensor.lu, Tensor.lu_solve  # (torch's older forms of linalg.lu_factor and linalg.lu_solve)

triangular_solve = Tensor.triangular_solve  # (torch's older form of linalg.solve_triangular)
geqrf, orgqr, ormqr = Tensor.geqrf, Tensor.orgqr, Tensor.ormqr  # (Householder QR, as LAPACK stores it)
solve, eig, symeig, lstsq = Tensor.solve, Tensor.eig, Tensor.symeig, Tensor.lstsq  # (removed from torch: they raise)


def matrix_rank(input: Tensor, tol: float | None = None, symmetric: bool = False) -> Tensor:
    """Removed from torch (linalg.matrix_rank replaces it): raises, as torch's does."""
    raise _removed("matrix_rank")


def chain_matmul(*matrices: Tensor, out: Tensor | None = None) -> Tensor:
    """The product of the matrices, in the cheapest order: linalg.multi_dot under its older,
    deprecated name, which takes the matrices one by one (and one alone, whose copy it returns)."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for matrix in matrices:
        if matrix.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {matrix.ndim}, expected 2 instead.")
    result = matrices[0].clone() if len(matrices) == 1 else _linalg.multi_dot(matrices)
    return result if out is None else _write_out("chain_matmul", result, out)


def frobenius_norm(input: Tensor, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
    """The 2-norm over `dim` (deprecated in torch, kept for TorchScript): linalg.vector_norm(input, 2, dim, keepdim)."""
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed in "
                  "a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead.")
    if not input.is_floating_point():
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{_dtype.scalar_type_name(input._array.dtype)} instead.")
    return _linalg.vector_norm(input, 2, dim, keepdim)


def nuclear_norm(input: Tensor, dim: int | Sequence[int] | bool | None = None, keepdim: bool = False) -> Tensor:
    """The sum of the singular values of the matrices in dims `dim` (two of them; by default the
    last two, as in the call nuclear_norm(input, keepdim))."""
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
                  "future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    if dim is None or isinstance(dim, bool):  # nuclear_norm(input, keepdim): the last two dims
        keepdim, dim = keepdim if dim is None else dim, (-2, -1)
    if input.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not input.is_floating_point():
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype.scalar_type_name(input._array.dtype)}")
    dim = (dim, dim) if isinstance(dim, int) else tuple(dim)  # (torch reads one int as the pair (dim, dim))
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    rows, columns = (_dim(d, input.ndim) for d in dim)
    if rows == columns:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    norms = _linalg.svdvals(input.movedim((rows, columns), (-2, -1))).sum(-1)
    if keepdim:
        norms = norms.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), (min(rows, columns), max(rows, columns)))
    return norms


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True
              ) -> tuple[Tensor, Tensor, Tensor]:
    """(P, L, U) with A = P L U from lu_factor's packed LU and pivots; a part not asked for
    (unpack_data=False: L and U, unpack_pivots=False: P) is an empty tensor."""
    return _lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots)



# The in-place forms torch also has as functions (minigrad.exp_(x) is x.exp_()), and small ones.
neg_ = Tensor.neg_
negative_ = Tensor.negative_
abs_ = Tensor.abs_
relu_ = Tensor.relu_
square_ = Tensor.square_
reciprocal_ = Tensor.reciprocal_
exp_ = Tensor.exp_
exp2_ = Tensor.exp2_
expm1_ = Tensor.expm1_
sqrt_ = Tensor.sqrt_
rsqrt_ = Tensor.rsqrt_
log_ = Tensor.log_
log2_ = Tensor.log2_
log10_ = Tensor.log10_
log1p_ = Tensor.log1p_
sin_ = Tensor.sin_
cos_ = Tensor.cos_
tan_ = Tensor.tan_
asin_ = Tensor.asin_
acos_ = Tensor.acos_
atan_ = Tensor.atan_
sinh_ = Tensor.sinh_
cosh_ = Tensor.cosh_
tanh_ = Tensor.tanh_
asinh_ = Tensor.asinh_
acosh_ = Tensor.acosh_
atanh_ = Tensor.atanh_
arcsin_ = Tensor.arcsin_
arccos_ = Tensor.arccos_
arctan_ = Tensor.arctan_
arcsinh_ = Tensor.arcsinh_
arccosh_ = Tensor.arccosh_
arctanh_ = Tensor.arctanh_
sigmoid_ = Tensor.sigmoid_
erf_ = Tensor.erf_
erfc_ = Tensor.erfc_
sinc_ = Tensor.sinc_
logit_ = Tensor.logit_
deg2rad_ = Tensor.deg2rad_
rad2deg_ = Tensor.rad2deg_
floor_ = Tensor.floor_
ceil_ = Tensor.ceil_
round_ = Tensor.round_
trunc_ = Tensor.trunc_
fix_ = Tensor.fix_
frac_ = Tensor.frac_
clamp_ = Tensor.clamp_
clip_ = Tensor.clip_
clamp_min_ = Tensor.clamp_min_
clamp_max_ = Tensor.clamp_max_
xlogy_ = Tensor.xlogy_

fliplr = Tensor.fliplr
flipud = Tensor.flipud
ravel = Tensor.ravel
positive = Tensor.positive
hsplit = Tensor.hsplit
vsplit = Tensor.vsplit
dsplit = Tensor.dsplit
isposinf = _with_out("isposinf", Tensor.isposinf)
isneginf = _with_out("isneginf", Tensor.isneginf)
isreal = Tensor.isreal
is_complex = Tensor.is_complex
is_conj = Tensor.is_conj
is_neg = Tensor.is_neg
is_inference = Tensor.is_inference
is_nonzero = Tensor.is_nonzero
is_same_size = Tensor.is_same_size
is_signed = Tensor.is_signed
zero_ = Tensor.zero_
fill_ = Tensor.fill_
detach_ = Tensor.detach_
index_put_ = Tensor.index_put_
