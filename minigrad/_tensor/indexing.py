"""IndexingMethods: reading elements by index, and x[index] = value.

x[index] (__getitem__) and x[index] = value (__setitem__), gather, take, take_along_dim,
index_select, masked_select and where.

`_index` (in _arguments.py) turns torch's index (ints, slices, None, Ellipsis, bool masks,
integer tensors) into a NumPy one; basic indexing gives a view, advanced indexing a copy, as
in torch and NumPy. The ops that write values into a copy of the tensor are in scatter.py.
"""

from __future__ import annotations

import builtins
import numbers
from builtins import int as _int  # as tensor.py names the types
from typing import Any

import numpy as np

from minigrad import _dtype
from minigrad._arguments import (_basic_then_advanced, _broadcast_message, _broadcast_shape, _check_index_range, _dim,
                                 _index, _index_array, _mask_array)
from minigrad._ops import indexing as I
from minigrad._tensor.operands import _fitted_number, _raw, _where, apply
from minigrad._types import Number
from minigrad.autograd.grad_mode import _state as _grad_mode

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class IndexingMethods:
    """Reading elements by index, and x[index] = value."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def __getitem__(self, index: Any) -> Tensor:
        index = _index(index, self)
        steps = _basic_then_advanced(index)
        if steps is not None:  # torch applies ints and None before the integer tensors
            return apply(I.getitem, apply(I.basic_index(steps[0]), self, index=steps[0]), index=steps[1])
        if builtins.any(isinstance(i, np.ndarray) for i in index):
            return apply(I.getitem, self, index=index)
        return apply(I.basic_index(index), self, index=index)

    def __setitem__(self, index: Any, value: Tensor | Number) -> None:
        if not isinstance(value, (Tensor, numbers.Number)):  # a list, an array, None, np.bool_: torch refuses them
            kind = type(value)
            shown = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__.partition('.')[0]}.{kind.__name__}"
            raise TypeError(f"can't assign a {shown} to a {self.type()}")
        index = _index(index, self)
        steps = _basic_then_advanced(index)
        value = self._fit_setitem_value(value, index, steps)
        if isinstance(value, numbers.Number):
            value = _fitted_number(value, self._array.dtype)
        if isinstance(value, Tensor) and value._array.dtype != self._array.dtype and _puts_values(index, value):
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_dtype.scalar_type_name(self._array.dtype)} for the destination and "
                               f"{_dtype.scalar_type_name(value._array.dtype)} for the source.")
        if _grad_mode.enabled and (self._requires_grad or isinstance(value, Tensor) and value._requires_grad):
            if isinstance(value, Tensor):
                value = value._cast(self._array.dtype)
            if steps is not None:  # one NumPy index for torch's order: the positions that x[index] reads
                positions = np.arange(self._array.size).reshape(self._array.shape)[steps[0]][steps[1]]
                index = np.unravel_index(positions, self._array.shape)
            self._inplace(I.index_put, value, index=index)  # recorded, like torch's CopySlices
            return
        self._check_inplace()
        if steps is not None:
            self._array[steps[0]][steps[1]] = _raw(value)  # the basic step is a view: this writes into self
        else:
            self._array[index] = _raw(value)
        self._version_counter[0] += 1

    def _fit_setitem_value(self, value, index, steps):
        """The value of self[index] = value, checked against the shape of self[index] as torch checks
        it: it must broadcast to that shape, and extra leading dims of size 1 are dropped
        (x[0] = tensor([v]) writes v)."""
        shape = np.shape(_raw(value))
        if not shape:
            return value  # a number or a 0-d tensor fits anywhere
        slots = np.broadcast_to(np.empty((), dtype=np.bool_), self._array.shape)  # no memory: only its shape
        target = (slots[steps[0]][steps[1]] if steps is not None else slots[index]).shape
        extra = len(shape) - len(target)
        if extra > 0 and builtins.all(n == 1 for n in shape[:extra]):
            shape = shape[extra:]
            value = value.reshape(shape) if isinstance(value, Tensor) else np.reshape(value, shape)
        fits = len(shape) <= len(target) and builtins.all(
            n in (1, m) for n, m in zip(shape, target[len(target) - len(shape):]))
        if not fits:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(_raw(value)))} cannot be "
                               f"broadcast to indexing result of shape {list(target)}")
        return value

    def gather(self, dim: _int, index: TensorLike) -> Tensor:
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "gather")
        if index.ndim != self.ndim:
            raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                               f"({index.ndim} and {self.ndim})")
        _check_index_range(index, self._array.shape[axis] if self.ndim else 1, "gather", dim)
        if _larger_apart_from(index.shape, self._array.shape, axis):
            raise RuntimeError(f"Size does not match at dimension {axis} expected index {list(index.shape)} to be no "
                               f"larger than self {list(self._array.shape)} apart from dimension {axis}")
        if self.ndim == 0:
            return apply(I.gather, self.reshape(1), index=index.reshape(1), axis=0).reshape(())
        return apply(I.gather, self, index=index, axis=axis)

    def take(self, index: TensorLike) -> Tensor:
        """The elements at `index` of the flattened tensor, in the index's shape; a negative index
        counts from the end, as in torch."""
        index = _index_array(index, "take")
        size = self._array.size
        if index.size and (index.min() < -size or index.max() >= size):
            bad = index[(index >= size) | (index < -size)].ravel()[0]
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {size} elements.")
        return self.reshape(-1)[Tensor._wrap(np.where(index < 0, index + size, index).astype(np.int64))]

    def take_along_dim(self, indices: TensorLike, dim: _int | None = None) -> Tensor:
        """The elements at `indices` along dim, where x and indices broadcast against each other on
        every other dim (gather does not broadcast); with no dim, positions in the flattened x."""
        index = _index_array(indices, "take_along_dim")
        if dim is None:
            return self.reshape(-1).gather(0, index.reshape(-1))
        if index.ndim != self.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                               f"dimensions, but got {self.ndim} dimensions for input, and {index.ndim} "
                               f"dimensions for indices")
        if self.ndim == 0:
            return self.gather(dim, index)
        axis = _dim(dim, self.ndim)

        def with_axis(shape, n):
            return shape[:axis] + (n,) + shape[axis + 1:]

        try:
            common = np.broadcast_shapes(with_axis(self._array.shape, 1), with_axis(index.shape, 1))
        except ValueError:
            raise RuntimeError(_broadcast_message(self._array.shape, index.shape)) from None
        x = self.expand(with_axis(common, self._array.shape[axis]))
        return x.gather(axis, np.broadcast_to(index, with_axis(common, index.shape[axis])))

    def index_select(self, dim: _int, index: TensorLike) -> Tensor:
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "index_select")
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        _check_index_range(index, self._array.shape[axis] if self.ndim else 1, "index_select", dim)
        if self.ndim == 0:  # a scalar is a vector of one element here, and gives a scalar back, as in torch
            if index.size != 1:
                raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} value(s)")
            return self.reshape(1).index_select(0, index).reshape(())
        return apply(I.index_select, self, index=(slice(None),) * axis + (index.reshape(-1),))

    def masked_select(self, mask: TensorLike) -> Tensor:
        mask = _mask_array(mask, "masked_select")
        shape = _broadcast_shape(mask.shape, self._array.shape)
        x = self if self._array.shape == shape else self.expand(shape)
        return x[np.broadcast_to(mask, shape)]

    def where(self, condition: TensorLike, other: TensorLike) -> Tensor:
        return _where(condition, self, other)


def _larger_apart_from(index_shape, shape, axis):
    """Whether an index of gather or scatter is longer than `shape` along some dim but `axis`, as
    torch forbids (None: along any dim)."""
    return builtins.any(n > m for d, (n, m) in enumerate(zip(index_shape, shape)) if d != axis)


def _puts_values(index, value):
    """Whether self[index] = value is torch's index_put, which refuses a value of another dtype: an
    index holding a tensor, except one boolean mask with a single value (a masked fill). Slices
    and integers copy into a view, which casts."""
    arrays = [part for part in index if isinstance(part, np.ndarray)]
    masked_fill = len(index) == 1 and len(arrays) == 1 and arrays[0].dtype == np.bool_ and value._array.size == 1
    return bool(arrays) and not masked_fill
