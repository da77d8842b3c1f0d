"""ScatterMethods: the ops that write values into a copy of the tensor, and their in-place forms.

scatter, scatter_add, scatter_reduce, index_add, index_fill, index_copy, index_reduce,
index_put, masked_fill, masked_scatter, put, select_scatter, slice_scatter,
diagonal_scatter; each with its in-place form (scatter_, index_add_, ...) where torch has one.

Each method checks its arguments as torch does, then applies a primitive of
minigrad._ops.scatter (or _ops.indexing), which writes into a copy: the gradient of self is
zero where values were written, and the values get the gradient of where they went.
"""

from __future__ import annotations

import builtins
from builtins import bool as _bool, int as _int  # as tensor.py names the types

import numpy as np

from minigrad import _dtype
from minigrad._arguments import (_broadcast_shape, _check_index_range, _check_inplace_shape, _dim, _fill_value, _index,
                                 _index_array, _mask_array)
from minigrad._ops import elementwise as E
from minigrad._ops import indexing as I
from minigrad._ops import scatter as W
from minigrad._tensor.indexing import _larger_apart_from
from minigrad._tensor.operands import _as_tensor, _fitted_number, _raw, _scalar_type, apply
from minigrad._types import Number

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class ScatterMethods:
    """The ops that write values into a copy of the tensor, and their in-place forms."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def scatter(self, dim: _int, index: TensorLike, src: TensorLike | None = None, value: Number | None = None,
                reduce: str | None = None) -> Tensor:
        src = src if src is not None else value
        if reduce is None:
            return self._scatter(I.scatter, dim, index, src)
        return self._scatter(_reduce_primitive(reduce), dim, index, self._reduction_source(src, index))

    def scatter_(self, dim: _int, index: TensorLike, src: TensorLike | None = None, value: Number | None = None,
                 reduce: str | None = None) -> Tensor:
        src = src if src is not None else value
        if reduce is None:
            return self._scatter_inplace(I.scatter, dim, index, src)
        return self._scatter_inplace(_reduce_primitive(reduce), dim, index, self._reduction_source(src, index))

    def scatter_add(self, dim: _int, index: TensorLike, src: Tensor) -> Tensor:
        return self._scatter(I.scatter_add, dim, index, src)

    def scatter_add_(self, dim: _int, index: TensorLike, src: Tensor) -> Tensor:
        return self._scatter_inplace(I.scatter_add, dim, index, src)

    def _scatter(self, primitive, dim, index, src):
        axis, index, src = self._scatter_arguments(dim, index, src)
        return apply(primitive, self, index, src, axis=axis)

    def _scatter_inplace(self, primitive, dim, index, src):
        axis, index, src = self._scatter_arguments(dim, index, src)
        return self._inplace(primitive, index, src, axis=axis)

    def _scatter_arguments(self, dim, index, src):
        """The checked axis, index array and source of scatter(dim, index, src), as torch checks them."""
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "scatter")
        if index.ndim != self.ndim:
            raise RuntimeError(f"Index tensor must have the same number of dimensions as self tensor "
                               f"({index.ndim} and {self.ndim})")
        _check_index_range(index, self._array.shape[axis] if self.ndim else 1, "scatter", dim)
        if isinstance(src, Tensor) and src._array.dtype != self._array.dtype:  # torch casts numbers only
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        source_shape = np.shape(_raw(src)) if isinstance(src, (Tensor, np.ndarray)) else None
        if (_larger_apart_from(index.shape, self._array.shape, axis)
                or source_shape and _larger_apart_from(index.shape, source_shape, None)):
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                               f"{list(self._array.shape)} apart from dimension {axis}"
                               + (f" and to be no larger size than src {list(source_shape)}" if source_shape else ""))
        return axis, index, src

    def _reduction_source(self, src, index):
        """scatter's source for a reduction: a tensor as it is, a number spread over the index's
        shape in self's dtype (2.5 multiplies an integer tensor by 2, as in torch)."""
        if isinstance(src, Tensor):
            return src
        return np.full(_index_array(index, "scatter").shape, src, dtype=self._array.dtype)

    def scatter_reduce(self, dim: _int, index: TensorLike, src: Tensor, reduce: str, *,
                       include_self: _bool = True) -> Tensor:
        """A copy with each src[i, j, ...] combined into the position scatter would write it to, by
        reduce ("sum", "prod", "mean", "amax" or "amin"); include_self=False leaves the element
        already there out of the combination."""
        return self._reduced_into("scatter_reduce", dim, index, src, reduce, include_self, in_place=False)

    def scatter_reduce_(self, dim: _int, index: TensorLike, src: Tensor, reduce: str, *,
                        include_self: _bool = True) -> Tensor:
        return self._reduced_into("scatter_reduce", dim, index, src, reduce, include_self, in_place=True)

    def _reduced_into(self, name, dim, index, source, reduce, include_self, in_place):
        source = _tensor_argument(source, name, "src" if name == "scatter_reduce" else "source", 4)
        params = {"reduce": reduce, "include_self": include_self}
        if name == "scatter_reduce":
            if reduce not in ("sum", "prod", "mean", "amax", "amin"):
                raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
            axis, index, source = self._scatter_arguments(dim, index, source)
            if self.ndim == 0:  # one element: reduced as the 1-d tensor that holds it
                one = self.reshape(1).scatter_reduce(0, index.reshape(1), source.reshape(1), reduce,
                                                     include_self=include_self).reshape(())
                return self.copy_(one) if in_place else one
            primitive, operands = W.scatter_reduce, (index, source)
        else:
            axis, index = self._index_reduce_arguments(dim, index, source, reduce)
            primitive, operands, params = W.index_reduce, (source,), dict(params, index=index)
        if in_place:
            return self._inplace(primitive, *operands, axis=axis, **params)
        return apply(primitive, self, *operands, axis=axis, **params)

    # -------------------------------------------------------------- along a dim, at an index
    def index_add(self, dim: _int, index: TensorLike, source: Tensor, alpha: Number = 1) -> Tensor:
        return apply(E.clone, self, order="C").index_add_(dim, index, source, alpha)  # C-ordered, as torch's

    def index_add_(self, dim: _int, index: TensorLike, source: Tensor, alpha: Number = 1) -> Tensor:
        axis, index = self._index_add_arguments(dim, index, source)
        if self.ndim == 0:  # one element: added to as the 1-d tensor that holds it
            added = apply(I.index_add, self.reshape(1), source.reshape(1), index=index, axis=0, alpha=alpha)
            return self.copy_(added.reshape(()))
        return self._inplace(I.index_add, source, index=index, axis=axis, alpha=alpha)

    def _index_add_arguments(self, dim, index, source):
        """The checked axis and index vector of index_add(dim, index, source), with torch's errors in
        torch's order: the index, the source's dtype and dims, the number of slices, their shape, and
        last the index's range."""
        axis = _dim(dim, self.ndim)
        index = np.asarray(_tensor_argument(index, "index_add", "index", 2)._array)
        if index.ndim > 1:
            raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {index.ndim} with type: "
                             f"{_dtype.scalar_type_name(index.dtype)} and size: {list(index.shape)}")
        if index.dtype not in (np.int32, np.int64):
            raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                               f"{_dtype.scalar_type_name(index.dtype)}")
        source = _tensor_argument(source, "index_add", "source", 3)
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"index_add_(): self ({_dtype.scalar_type_name(self._array.dtype)}) and source "
                               f"({_dtype.scalar_type_name(source._array.dtype)}) must have the same scalar type")
        if axis != 0 and axis >= source.ndim:
            raise RuntimeError(f"index_add_(): Indexing dim {axis} is out of bounds of the source tensor with dim "
                               f"{source.ndim}")
        index = index.reshape(-1)  # a 0-d index is one index, as in torch
        if source.ndim == 0 and index.size != 1:  # torch fails naming source.size(0) in its message
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        slices = source._array.shape[axis] if source.ndim else 1
        if index.size != slices:
            raise RuntimeError(f"index_add_(): Number of indices ({index.size}) should be equal to source.size(dim): "
                               f"({slices}), for dim: {axis}")
        both = self.ndim and source.ndim  # a 0-d self or source is compared whole
        if (_without(self._array.shape, axis) if both else self._array.shape) != \
                (_without(source._array.shape, axis) if both else source._array.shape):
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {list(self.shape)} source.shape = {list(source.shape)}")
        size = self._array.shape[axis] if self.ndim else 1
        if index.size and (index.min() < 0 or index.max() >= size):
            raise IndexError("index out of range in self")
        return axis, index

    def index_fill(self, dim: _int, index: TensorLike, value: Number | Tensor) -> Tensor:
        """A copy whose slices along dim at the positions in index (negative ones count from the
        end) are all set to value; a 0-d tensor value takes the gradient of those positions."""
        return self._write(*self._index_fill_arguments(dim, index, value, "index_fill"))

    def index_fill_(self, dim: _int, index: TensorLike, value: Number | Tensor) -> Tensor:
        return self._write(*self._index_fill_arguments(dim, index, value, "index_fill_"), in_place=True)

    def _index_fill_arguments(self, dim, index, value, name):
        axis = _dim(dim, self.ndim)
        array = np.asarray(_raw(index))
        if array.dtype != np.int64:
            raise IndexError(f"{name}(): Expected dtype int64 for index.")
        if array.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")
        size = self._array.shape[axis] if self.ndim else 1
        if array.size and (array.min() < -size or array.max() >= size):
            bad = array[(array >= size) | (array < -size)].ravel()[0]
            raise IndexError(f"index {bad} is out of bounds for dimension {axis} with size {size}")
        where = self._slices_at(axis, np.where(array < 0, array + size, array).reshape(-1))
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value.ndim} dimension(s).")
            return W.index_fill_tensor, value._cast(self._array.dtype), {"where": where}
        return W.index_fill, _fitted_number(_fill_value(value, name, "value", 3), self._array.dtype), {"where": where}

    def _slices_at(self, axis, index):
        """The NumPy index of the slices along axis at the positions in the 1-d `index`; for a 0-d
        tensor, whose only element any in-range index names, a 0-d mask."""
        if self.ndim == 0:
            return np.asarray(index.size > 0)
        return (slice(None),) * axis + (index,)

    def _write(self, primitive, values, params, in_place=False):
        """primitive(self, values, **params), a write into a copy of self, or into self in place."""
        if in_place:
            return self._inplace(primitive, values, **params)
        return apply(primitive, self, values, **params)

    def index_copy(self, dim: _int, index: TensorLike, source: Tensor) -> Tensor:
        """A copy whose slices along dim at the positions in index are source's slices, in order."""
        return self._write(*self._index_copy_arguments(dim, index, source))

    def index_copy_(self, dim: _int, index: TensorLike, source: Tensor) -> Tensor:
        return self._write(*self._index_copy_arguments(dim, index, source), in_place=True)

    def _index_copy_arguments(self, dim, index, source):
        axis = _dim(dim, self.ndim)
        array = np.asarray(_raw(index))
        if array.dtype != np.int64:
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                               f"{_dtype.scalar_type_name(array.dtype)}")
        if array.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {array.ndim})")
        source = _tensor_argument(source, "index_copy", "source", 4)
        if source.ndim != self.ndim and source.ndim and self.ndim:
            raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality "
                             f"must match. Source dimensionality ({source.ndim}), destination dimensionality "
                             f"({self.ndim})")
        array = array.reshape(-1)
        slices = source._array.shape[axis] if source.ndim else 1
        if slices != array.size:
            raise IndexError(f"index_copy_(): Number of indices ({array.size}) should be equal to source.size(dim) "
                             f"({slices})")
        slice_shape, source_slice_shape = _without(self._array.shape, axis), _without(source._array.shape, axis)
        if slice_shape != source_slice_shape:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                               f"slice shape: {list(slice_shape)} at dimension {axis} and source slice shape: "
                               f"{list(source_slice_shape)} at dimension {axis}.")
        _check_index_range(array, self._array.shape[axis] if self.ndim else 1, "index_copy_", axis)
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                               f"{_scalar_type(self)} and (source) {_scalar_type(source)}")
        return W.index_copy, source, {"where": self._slices_at(axis, array)}

    def index_reduce(self, dim: _int, index: TensorLike, source: Tensor, reduce: str, *,
                     include_self: _bool = True) -> Tensor:
        """A copy with source's i-th slice along dim combined into the index[i]-th slice by reduce
        ("prod", "mean", "amax" or "amin"); include_self=False leaves self's slice out."""
        return self._reduced_into("index_reduce", dim, index, source, reduce, include_self, in_place=False)

    def index_reduce_(self, dim: _int, index: TensorLike, source: Tensor, reduce: str, *,
                      include_self: _bool = True) -> Tensor:
        return self._reduced_into("index_reduce", dim, index, source, reduce, include_self, in_place=True)

    def _index_reduce_arguments(self, dim, index, source, reduce):
        """The checked axis and index vector of index_reduce(dim, index, source, reduce)."""
        if reduce not in ("prod", "mean", "amax", "amin"):
            raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                               f"{reduce}.")
        axis = _dim(dim, self.ndim)
        if self.ndim == 0 or source.ndim != self.ndim or builtins.any(
                n != m for d, (n, m) in enumerate(zip(self._array.shape, source._array.shape)) if d != axis):
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {list(self.shape)} source.shape = {list(source.shape)}")
        array = np.asarray(_raw(index))
        if array.dtype not in (np.int32, np.int64):
            raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                               f"{_dtype.scalar_type_name(array.dtype)}")
        if array.ndim > 1:
            raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {array.ndim} with "
                             f"type: {_dtype.scalar_type_name(array.dtype)} and size: {list(array.shape)}")
        array = array.reshape(-1)
        slices = source._array.shape[axis] if source.ndim else 1
        if slices != array.size:
            raise RuntimeError(f"index_reduce_(): Number of indices ({array.size}) should be equal to "
                               f"source.size(dim): ({slices}), for dim: {axis}")
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"index_reduce_(): self ({_scalar_type(self)}) and source ({_scalar_type(source)}) "
                               f"must have the same scalar type")
        size = self._array.shape[axis]
        if array.size and (array.min() < 0 or array.max() >= size):
            raise IndexError(f"index out of range in self: index {array[(array < 0) | (array >= size)][0]} is "
                             f"out of bounds for dimension {axis} with size {size}")
        return axis, array

    def index_put(self, indices: tuple[Tensor, ...] | list[Tensor], values: TensorLike,
                  accumulate: _bool = False) -> Tensor:
        """A copy with values written (or, with accumulate, added) at self[indices]."""
        return self.clone()._index_put(indices, values, accumulate)

    def index_put_(self, indices: tuple[Tensor, ...] | list[Tensor], values: TensorLike,
                   accumulate: _bool = False) -> Tensor:
        return self._index_put(indices, values, accumulate)

    def _index_put(self, indices, values, accumulate):
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
        values = _as_tensor(values)
        if values._array.dtype != self._array.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{self.dtype.name.capitalize()} for the destination and "
                               f"{values.dtype.name.capitalize()} for the source.")
        if not accumulate:
            self[tuple(indices)] = values
            return self
        index = _index(tuple(indices), self)
        return self._inplace(I.index_put_accumulate, values, index=index)

    # -------------------------------------------------------------- by mask, by flat position, into a slice
    def masked_fill(self, mask: TensorLike, value: Number | Tensor) -> Tensor:
        mask = _mask_array(mask, "masked_fill")
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got tensor "
                                   f"with {value.ndim} dimension(s).")
            value = value._cast(self._array.dtype)
        _broadcast_shape(mask.shape, self._array.shape)
        return apply(I.masked_fill, self, mask, value)

    def masked_fill_(self, mask: TensorLike, value: Number | Tensor) -> Tensor:
        mask = _mask_array(mask, "masked_fill_")
        _check_inplace_shape(self._array.shape, mask.shape)
        if isinstance(value, Tensor):
            value = value._cast(self._array.dtype)
        return self._inplace(I.masked_fill, mask, value)

    def masked_scatter(self, mask: TensorLike, source: Tensor) -> Tensor:
        """A copy in which the positions where mask (broadcast with self) is true take source's
        elements, in order: the first true position the first element, and so on."""
        array = _mask_array(mask, "masked_scatter_")
        shape = _broadcast_shape(array.shape, self._array.shape)
        x = self if self._array.shape == shape else self.expand(shape)
        return x._write(*x._masked_scatter_arguments(np.broadcast_to(array, shape), source))

    def masked_scatter_(self, mask: TensorLike, source: Tensor) -> Tensor:
        array = _mask_array(mask, "masked_scatter_")
        if array.shape != self._array.shape:
            _check_inplace_shape(self._array.shape, array.shape)
            array = np.broadcast_to(array, self._array.shape)
        return self._write(*self._masked_scatter_arguments(array, source), in_place=True)

    def _masked_scatter_arguments(self, mask, source):
        source = _tensor_argument(source, "masked_scatter", "source", 2)
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                               f"{_scalar_type(self)} and {_scalar_type(source)}")
        if source._array.size < np.count_nonzero(mask):
            raise RuntimeError(f"Number of elements of source < number of ones in mask ({source._array.size} < "
                               f"{np.count_nonzero(mask)})")
        return W.masked_scatter, source, {"mask": mask}

    def put(self, index: TensorLike, source: Tensor, accumulate: _bool = False) -> Tensor:
        """A copy with source's elements written (or, with accumulate, added) at the positions
        in index of the flattened tensor; a negative position counts from the end."""
        return self._write(*self._put_arguments(index, source, accumulate))

    def put_(self, index: TensorLike, source: Tensor, accumulate: _bool = False) -> Tensor:
        return self._write(*self._put_arguments(index, source, accumulate), in_place=True)

    def _put_arguments(self, index, source, accumulate):
        source = _tensor_argument(source, "put", "source", 2)
        array = np.asarray(_raw(index))
        if array.dtype != np.int64:
            raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_dtype.scalar_type_name(array.dtype)}")
        if source._array.dtype != self._array.dtype:
            raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                               f"{_scalar_type(self)} and source.dtype = {_scalar_type(source)}")
        if source._array.size != array.size:
            raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                             f"source.numel() = {source._array.size}, index.numel() = {array.size}")
        size = self._array.size
        if array.size and size == 0:
            raise IndexError("put_(): Tried to put elements into an empty tensor")
        if array.size and (array.min() < -size or array.max() >= size):
            bad = array[(array >= size) | (array < -size)].ravel()[0]
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {size} elements.")
        return W.put_accumulate if accumulate else W.put, source.reshape(array.shape), {"index": array}

    def select_scatter(self, src: Tensor, dim: _int, index: _int) -> Tensor:
        """A copy whose slice self.select(dim, index) is src."""
        if self.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        if not -size <= index < size:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self.shape)} at "
                             f"dimension {axis}")
        return self._scattered_into(W.select_scatter, "select_scatter", src, (slice(None),) * axis + (index % size,))

    def slice_scatter(self, src: Tensor, dim: _int = 0, start: _int | None = None, end: _int | None = None,
                      step: _int = 1) -> Tensor:
        """A copy whose slice start:end:step along dim (clipped to the tensor, as Python slices are) is src."""
        if step <= 0:
            raise RuntimeError("slice step must be positive")
        axis = _dim(dim, self.ndim)
        return self._scattered_into(W.slice_scatter, "slice_scatter", src,
                                    (slice(None),) * axis + (slice(start, end, step),))

    def diagonal_scatter(self, src: Tensor, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        """A copy whose diagonal self.diagonal(offset, dim1, dim2) is src (its last dim runs along
        the diagonal, as diagonal's does)."""
        first, second = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if first == second:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return self._scattered_into(W.diagonal_scatter, "diagonal_scatter", src,
                                    _diagonal_positions(self._array.shape, offset, first, second))

    def _scattered_into(self, primitive, name, src, where):
        """primitive(self, src) writing src, cast to self's dtype, at self[where], which src must match in shape."""
        src = _tensor_argument(src, name, "src", 2)
        slots = np.broadcast_to(np.empty((), dtype=np.bool_), self._array.shape)[where]  # no memory: only its shape
        if src._array.shape != slots.shape:
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                               f"{list(src.shape)}, slice size = {list(slots.shape)}")
        return apply(primitive, self, src._cast(self._array.dtype), where=where)


def _diagonal_positions(shape, offset, first, second):
    """The index of the diagonal of the dims first and second, laid out as diagonal() lays it out:
    the other dims in order, then one along the diagonal (whose i-th element is at row i - offset
    and column i for a negative offset, at row i and column i + offset otherwise)."""
    length = max(0, min(shape[first] + min(offset, 0), shape[second] - max(offset, 0)))
    others = [d for d in range(len(shape)) if d not in (first, second)]
    along = np.arange(length).reshape((1,) * len(others) + (-1,))
    where = [None] * len(shape)
    for position, d in enumerate(others):  # each other dim is an axis of its own in the result
        where[d] = np.arange(shape[d]).reshape((1,) * position + (-1,) + (1,) * (len(others) - position))
    where[first], where[second] = along - min(offset, 0), along + max(offset, 0)
    return tuple(where)


def _without(shape, axis):
    """The shape of a slice along axis: `shape` without that axis (a 0-d shape stays empty)."""
    return shape[:axis] + shape[axis + 1:]


def _tensor_argument(value, function, name, position):
    """value, checked to be a tensor as torch checks an argument it types as Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")
    return value


def _reduce_primitive(reduce):
    """The primitive of scatter(..., reduce=...): scatter_add's for "add", a product for "multiply"."""
    if reduce == "add":
        return I.scatter_add
    if reduce == "multiply":
        return I.scatter_multiply
    raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")
