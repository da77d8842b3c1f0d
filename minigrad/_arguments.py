"""How torch-style arguments become NumPy's: dims, shapes and indices, checked as torch
checks them, with torch's exception types and messages naming what was wrong."""

import builtins
import math
import numbers
import operator

import numpy as np

from minigrad import _dtype


def _dim(dim, ndim):
    """Normalise one dim the way torch does, with torch's IndexError for a bad one."""
    n = ndim if ndim > 0 else 1
    if type(dim) is not int and (not isinstance(dim, numbers.Integral) or isinstance(dim, bool)):  # (int first: cheap)
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def _axes(dim, ndim):
    """torch's dim argument (None, an int or a sequence) as a tuple of NumPy axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = tuple(_dim(d, ndim) for d in dims)
    _check_unique_dims(axes)  # before the 0-d shortcut: torch rejects (0, 0) there too
    return axes if ndim else ()


def _check_unique_dims(axes):
    """torch's RuntimeError for a dim listed twice (0 and -2 of a 2-d tensor are the same dim)."""
    seen = set()
    for axis in axes:
        if axis in seen:
            raise RuntimeError(f"dim {axis} appears multiple times in the list of dims")
        seen.add(axis)


def _shape_args(shape):
    """Accept both f(2, 3) and f((2, 3)) as torch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple(operator.index(s) for s in shape)  # ints, NumPy ints, integer tensors; never floats
    except TypeError:
        bad = next(s for s in shape if not _is_index(s))
        raise TypeError(f"a size must be a tuple of ints, but got {type(bad).__name__} {bad!r} in "
                        f"{tuple(shape)}") from None


def _sizes(positional, keyword, function=None, name=None):
    """A sizes argument passed as f(2, 3), f((2, 3)) or by name, f(shape=(2, 3)), as torch allows.

    Given the function's name and the argument's, leaving the sizes out altogether is torch's
    TypeError: f() is a mistake, where f(()) asks for no dims."""
    if keyword is None:
        if not positional and function is not None:
            raise TypeError(f'{function}() missing 1 required positional arguments: "{name}"')
        return _shape_args(positional)
    if positional:
        raise TypeError("pass the sizes either positionally or by name, not both")
    return _shape_args((keyword,))


def _reduced_axes(dim, ndim):
    """The axes a reduction (sum, mean, amax, ...) runs over: all of them for dim=None and,
    as in torch, for an empty dim list too."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return _axes(dim, ndim)


def _is_index(value):
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def _fill_value(value, function, name="fill_value", position=2):
    """A number to fill a tensor with (a 0-d tensor gives its number), with torch's TypeError for
    anything else, where NumPy would try to parse a string or store None as nan."""
    if hasattr(value, "_array") and value._array.ndim == 0:  # a 0-d Tensor
        value = value._array.item()
    if isinstance(value, (numbers.Number, np.bool_)):
        return value
    raise TypeError(f"{function}(): argument '{name}' (position {position}) must be Number, not {type(value).__name__}")


def _creation_shape(size, name):
    """The shape of a new tensor, with torch's RuntimeError for a negative size."""
    shape = _shape_args(size)
    if builtins.any(n < 0 for n in shape):
        bad = next(n for n in shape if n < 0)
        raise RuntimeError(f"{name}: Trying to create tensor with negative dimension {bad}: {list(shape)}")
    return shape


def _infer_shape(shape, size):
    """Resolve a -1 in a requested shape, with torch's error for an impossible shape."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(n for n in shape if n != -1)
    if -1 in shape:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if n == -1 else n for n in shape)
    elif known != size or builtins.any(n < 0 for n in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def _broadcast_message(shape_a, shape_b):
    """torch's message for shapes that do not broadcast, naming the first clashing dim."""
    ndim = builtins.max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    for i in reversed(range(ndim)):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return (f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at non-singleton "
                    f"dimension {i} (shapes {list(shape_a)} and {list(shape_b)})")
    return f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast together"


def _broadcast_shape(*shapes):
    """The shape that `shapes` broadcast to, or torch's RuntimeError naming the first sizes that clash."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        result = ()
        for shape in shapes:  # find the pair that clashes, to name its sizes
            try:
                result = np.broadcast_shapes(result, shape)
            except ValueError:
                raise RuntimeError(_broadcast_message(result, shape)) from None
        raise


def _check_inplace_shape(shape, *others):
    """An in-place op writes into a tensor of fixed `shape`: the other operands must broadcast to it,
    never widen it (torch's errors for both)."""
    result = _broadcast_shape(shape, *others)
    if result != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(result)}")


def _matmul_message(shape_a, shape_b):
    def show(shape):
        return "x".join(str(n) for n in shape)
    return f"mat1 and mat2 shapes cannot be multiplied ({show(shape_a)} and {show(shape_b)})"


def _index_array(index, op):
    array = np.asarray(getattr(index, "_array", index))
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {_dtype.from_numpy(array.dtype)}")
    return array


def _check_index_range(index, size, op, dim):
    """Indices of gather, scatter, index_select, ... lie in [0, size): unlike indexing with [],
    torch does not count negative ones from the end here."""
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index[(index >= size) | (index < 0)].ravel()[0]
        error = IndexError if op in ("index_select", "index_copy_") else RuntimeError  # torch's types
        raise error(f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size}")


def _mask_array(mask, op):
    array = np.asarray(getattr(mask, "_array", mask))
    if array.dtype != np.bool_:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {_dtype.from_numpy(array.dtype)}")
    return array


def _index(index, tensor):
    """Turn a torch-style index into a NumPy one: tensors and lists become arrays."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if hasattr(i, "_array"):  # a Tensor
            i = i._array
            if i.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(i, (list, range)):
            i = np.asarray(i) if len(i) else np.zeros(0, dtype=np.int64)  # x[[]] picks nothing
            if i.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype.kind in "iu":
            i = int(i)
        elif isinstance(i, slice) and i.step is not None and i.step < 0:
            raise ValueError(f"step must be greater than zero (got {i.step}); use flip() to reverse a tensor")
        out.append(i)
    index = tuple(out)
    _check_index_bounds(index, tensor._array.shape)
    return _spell_out_ellipsis(index, tensor._array.ndim)


def _spell_out_ellipsis(index, ndim):
    """Replace an Ellipsis by the full slices it stands for, when the index holds index arrays.

    Index arrays next to each other put their result dims where they stand; separated, in
    front. NumPy counts an Ellipsis as a separator even when it stands for no dim at all
    (x[i, ..., j] on a 2-d x); torch expands it first, so there i and j are neighbours.
    """
    if not builtins.any(i is Ellipsis for i in index) or not builtins.any(isinstance(i, np.ndarray) for i in index):
        return index
    explicit = builtins.sum(i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else
                            0 if i is None or i is Ellipsis else 1 for i in index)
    at = next(k for k, i in enumerate(index) if i is Ellipsis)
    return index[:at] + (slice(None),) * (ndim - explicit) + index[at + 1:]


def _basic_then_advanced(index):
    """Split an index that mixes ints or None with index arrays into (basic, advanced) steps.

    NumPy counts an int as an advanced index, so in ``x[0, :, idx]`` the int and idx are
    "separated by a slice" and the picked axis moves to the front. torch first applies
    ints and None (select, unsqueeze) and only then the index tensors, so the picked axis
    stays in place. ``x[basic][advanced]`` reproduces torch's order. Returns None when
    the index has no such mix (one NumPy step then means the same as in torch).
    """
    arrays = builtins.sum(isinstance(i, np.ndarray) for i in index)
    if not arrays or all(isinstance(i, (np.ndarray, slice)) or i is Ellipsis for i in index):
        return None
    basic, advanced = [], []
    for i in index:
        if isinstance(i, np.ndarray):
            basic += [slice(None)] * (i.ndim if i.dtype == np.bool_ else 1)  # the axes it addresses
            advanced.append(i)
        elif i is None:
            basic.append(None)
            advanced.append(slice(None))
        elif i is Ellipsis or isinstance(i, slice):
            basic.append(i)
            advanced.append(i if i is Ellipsis else slice(None))
        else:  # an int: its axis is gone after the basic step
            basic.append(i)
    return tuple(basic), tuple(advanced)


def _check_index_bounds(index, shape):
    """torch's IndexError for an out-of-range integer index, naming the dim and its size."""
    dim = 0
    explicit = builtins.sum(1 if not (i is None or i is Ellipsis) else 0 for i in index)
    explicit -= builtins.sum(1 for i in index if isinstance(i, np.ndarray) and i.dtype == np.bool_)
    explicit += builtins.sum(i.ndim for i in index if isinstance(i, np.ndarray) and i.dtype == np.bool_)
    if explicit > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for i in index:
        if i is None:
            continue
        if i is Ellipsis:
            dim += len(shape) - explicit
            continue
        if isinstance(i, numbers.Integral) and not isinstance(i, bool):
            size = shape[dim]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
        elif isinstance(i, np.ndarray) and i.dtype.kind in "iu" and i.size:
            size = shape[dim]
            if i.max() >= size or i.min() < -size:
                bad = i[(i >= size) | (i < -size)].ravel()[0]
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        elif isinstance(i, np.ndarray) and i.dtype == np.bool_:
            if i.shape != tuple(shape[dim:dim + i.ndim]):
                raise IndexError(f"The shape of the mask {list(i.shape)} at index {dim} does not match the "
                                 f"shape of the indexed tensor {list(shape[dim:dim + i.ndim])}")
            dim += i.ndim
            continue
        dim += 1


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
    ellipsis = "".join(reversed(spare[:max(widths, default=0)]))
    inputs = [s.replace("...", ellipsis[len(ellipsis) - w:]) for s, w in zip(inputs, widths)]
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        counts = {}
        for c in "".join(inputs):
            counts[c] = counts.get(c, 0) + 1
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis))
    return inputs, output
