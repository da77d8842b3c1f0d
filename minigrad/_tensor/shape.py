"""ShapeMethods: the methods that change a tensor's shape, not its values.

reshape, view, flatten, unflatten, squeeze, unsqueeze, permute, transpose, t, T, mT, movedim,
expand, broadcast_to, repeat, tile, repeat_interleave, flip, fliplr, flipud, rot90, roll,
unfold, split, chunk, tensor_split, hsplit, vsplit, dsplit, unbind, narrow, select,
diag_embed, diagflat and kron; and `_cat`, the joining of tensors along a dim.

Most of them are views: they share the tensor's memory, as in torch, and their primitives'
gradients put the gradient back into the input's shape. Their in-place forms (t_,
transpose_, squeeze_, unsqueeze_) are in in_place.py.
"""

from __future__ import annotations

import builtins
import math
import numbers
import operator
import warnings
from builtins import int as _int  # as tensor.py names the types
from collections.abc import Sequence
from typing import SupportsIndex

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _axes, _dim, _infer_shape, _shape_args, _sizes
from minigrad._ops import linalg as L
from minigrad._ops import shape as S
from minigrad._ops import strided as ST
from minigrad._tensor.operands import _as_tensor, _raw, apply
from minigrad._types import Dims, DTypeLike, Size, SizeLike

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


def _viewable(array, shape):
    """Whether `array` can be seen in `shape` without a copy (always, when it is C-contiguous)."""
    if array.flags.c_contiguous:
        return True
    try:
        np.reshape(array, shape, copy=False)
    except ValueError:
        return False
    return True


class ShapeMethods:
    """The methods that change a tensor's shape, not its values."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def reshape(self, *sizes: _int | SizeLike, shape: SizeLike | None = None) -> Tensor:
        """A view where the memory allows one; otherwise a contiguous copy, seen in the new shape
        (recorded as torch records it: CloneBackward0, then UnsafeViewBackward0)."""
        shape = _infer_shape(_sizes(sizes, shape, "reshape", "shape"), self._array.size)
        if not _viewable(self._array, shape):
            return apply(S.unsafe_view, self.contiguous(), shape=shape)
        return apply(S.reshape, self, shape=shape)

    def view(self, *shape: _int | SizeLike | DTypeLike, size: SizeLike | None = None) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, Size, numbers.Integral)):
            return self._view_as_dtype(shape[0])
        shape = _infer_shape(_sizes(shape, size, "view", "size"), self._array.size)
        if not _viewable(self._array, shape):
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        return apply(S.view, self, shape=shape)

    def _view_as_dtype(self, dtype):
        """view(dtype): the same bytes read as another dtype, no value converted (1.0 as int32 is
        1065353216). With another element size the last dim grows or shrinks by the ratio, so it
        must be contiguous (and divisible, for a wider dtype). Not differentiable, as in torch."""
        target = np.dtype(_dtype.as_dtype(dtype).numpy)
        old, new = self._array.itemsize, target.itemsize
        if old != new:
            what = f"view {self.dtype} as {_dtype.from_numpy(target)} (different element sizes)"
            if self.ndim == 0:
                raise RuntimeError(f"self.dim() cannot be 0 to {what}")
            if self.stride(-1) != 1:  # (also where the last dim has one element, as torch checks)
                raise RuntimeError(f"self.stride(-1) must be 1 to {what}, but got {self.stride(-1)}")
            if new > old and self._array.shape[-1] % (new // old):
                raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to {what}, but got "
                                   f"{self._array.shape[-1]}")
        out = Tensor._wrap(self._array.view(target), None, self._version_counter)
        out._base = self._base if self._base is not None else self
        out._view_of = out._base._grad_fn
        return out

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if start == end:  # nothing to flatten: the tensor itself, as in torch
            return self
        shape = self._array.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:]) if self._array.size else self.reshape(
            shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])

    def unflatten(self, dim: _int, sizes: SizeLike) -> Tensor:
        axis = _dim(dim, self.ndim)
        shape = self._array.shape
        sizes = tuple(sizes)
        known = math.prod(n for n in sizes if n != -1)
        if (-1 not in sizes and known != shape[axis]) or (-1 in sizes and (known == 0 or shape[axis] % known)):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                               f"({shape[axis]}) in the input tensor")
        return self.reshape(shape[:axis] + sizes + shape[axis + 1:])

    def ravel(self) -> Tensor:
        """The elements as one dim, in row-major order (a view when the memory allows it)."""
        return self.reshape(-1)

    def unfold(self, dimension: _int, size: _int, step: _int) -> Tensor:
        """The slices of `size` elements every `step` elements along `dimension`, as a new last
        dimension: x.unfold(-1, 3, 1) holds each element's neighbourhood, as a convolution reads it."""
        axis = _dim(dimension, self.ndim)
        length = self._array.shape[axis] if self.ndim else 1
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if size > length:
            raise RuntimeError(f"maximum size for tensor at dimension {axis} is {length} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        return apply(S.unfold, self, dim=axis, size=size, step=step)

    def squeeze(self, dim: Dims | None = None) -> Tensor:
        return self._squeezed(dim, (S.squeeze, S.squeeze_dim, S.squeeze_dims))

    def _squeezed(self, dim, primitives):
        """The squeeze, recorded by one of three primitives as dim is None, one dim or several: torch
        names the nodes of the three forms apart (and those of squeeze_ apart from them)."""
        axes = _axes(dim, self.ndim)
        shape = tuple(n for i, n in enumerate(self._array.shape) if not (i in axes and n == 1))
        form = 0 if dim is None else 1 if isinstance(dim, numbers.Integral) else 2
        return apply(primitives[form], self, shape=shape)

    def unsqueeze(self, dim: _int) -> Tensor:
        return self._unsqueezed(dim, S.unsqueeze)

    def _unsqueezed(self, dim, primitive):
        axis = _dim(dim, self.ndim + 1)
        shape = self._array.shape
        return apply(primitive, self, shape=shape[:axis] + (1,) + shape[axis:])

    def permute(self, *order: _int | Sequence[_int], dims: Sequence[_int] | None = None) -> Tensor:
        dims = _sizes(order, dims, "permute", "dims")
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                               f"the length of the desired ordering of dimensions i.e. input.dim() = {self.ndim} "
                               f"is not equal to len(dims) = {len(dims)}")
        axes = tuple(_dim(d, self.ndim) for d in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"permute(): duplicate dims are not allowed: {list(dims)} names dim "
                               f"{next(a for a in axes if axes.count(a) > 1)} twice")
        return apply(S.permute, self, axes=axes)

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        return self._transposed(dim0, dim1, S.transpose)

    def _transposed(self, dim0, dim1, primitive):
        axes = list(range(self.ndim))
        if self.ndim == 0:
            _dim(dim0, 0), _dim(dim1, 0)
            return self
        a, b = _dim(dim0, self.ndim), _dim(dim1, self.ndim)
        axes[a], axes[b] = axes[b], axes[a]
        return apply(primitive, self, axes=tuple(axes))

    def swapaxes(self, axis0: _int, axis1: _int) -> Tensor:
        """transpose under NumPy's name, with its argument names."""
        return self.transpose(axis0, axis1)

    swapdims = transpose

    def movedim(self, source: Dims, destination: Dims) -> Tensor:
        """Move the dims `source` to the positions `destination`; the others keep their order."""
        source = [source] if isinstance(source, numbers.Integral) else list(source)
        destination = [destination] if isinstance(destination, numbers.Integral) else list(destination)
        if len(source) != len(destination):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({source} dims) should "
                               f"contain the same number of dims as destination ({destination} dims)")
        ndim = builtins.max(self.ndim, 1)
        src, dst = [_dim(d, ndim) for d in source], [_dim(d, ndim) for d in destination]
        for name, dims, given in (("source", src, source), ("destination", dst, destination)):
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({given})")
        if self.ndim == 0:
            return self.clone()
        order = [d for d in range(self.ndim) if d not in src]  # the dims that stay, in their order
        for position, d in sorted(zip(dst, src)):
            order.insert(position, d)
        return self.permute(*order)

    moveaxis = movedim

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return apply(S.t, self, axes=tuple(reversed(range(self.ndim))))  # (a node for 0-d and 1-d too, as torch)

    @property
    def T(self) -> Tensor:
        return apply(S.permute, self, axes=tuple(reversed(range(self.ndim)))) if self.ndim > 1 else self

    @property
    def mT(self) -> Tensor:
        """The transpose of each matrix of a batch (the last two axes swapped)."""
        return self._matrix_transpose("tensor.mT", "Tensor.mT is deprecated on 0-D tensors. This function is the "
                                                   "identity in these cases.")

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of each matrix of a batch: mT, since the tensors are real."""
        return self._matrix_transpose("tensor.mH", "Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().")

    def adjoint(self) -> Tensor:
        """The conjugate transpose of each matrix of a batch, as a method: mH."""
        return self._matrix_transpose("tensor.adjoint()", "adjoint() is deprecated on 0-D tensors. Consider using "
                                                          "x.conj().")

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (2-D only, as in torch; mH for batches)."""
        if self.ndim == 0:
            warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
            return self
        if self.ndim != 2:
            batches = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
                               + batches)
        return self.transpose(0, 1)

    def _matrix_transpose(self, name, deprecation):
        """The last two axes swapped; as in torch, a 0-D tensor is its own transpose (with a warning)
        and a vector has none."""
        if self.ndim == 0:
            warnings.warn(deprecation, UserWarning, stacklevel=3)
            return self
        if self.ndim == 1:
            raise RuntimeError(f"{name} is only supported on matrices or batches of matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)

    def expand(self, *sizes: _int | SizeLike, size: SizeLike | None = None) -> Tensor:
        sizes = _sizes(sizes, size, "expand", "size")
        if len(sizes) < self.ndim:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                               f"to the number of dimensions in the tensor ({self.ndim})")
        lead = len(sizes) - self.ndim
        if -1 in sizes[:lead]:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                               f"dimension {sizes.index(-1)}")
        shape = tuple(self._array.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
        for i, n in enumerate(self._array.shape):
            if n != 1 and n != shape[lead + i]:
                raise RuntimeError(f"The expanded size of the tensor ({shape[lead + i]}) must match the existing "
                                   f"size ({n}) at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                                   f"Tensor sizes: {list(self._array.shape)}")
        if builtins.min(shape, default=0) < 0:
            raise RuntimeError(f"expand: sizes must be non-negative (or -1 to keep a dim's size), but got "
                               f"{builtins.min(shape)}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(self._array.shape)}")
        return apply(S.expand, self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self, shape: SizeLike) -> Tensor:
        return self.expand(shape)

    def repeat(self, *sizes: _int | SizeLike, repeats: SizeLike | None = None) -> Tensor:
        sizes = _sizes(sizes, repeats, "repeat", "repeats")
        if len(sizes) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                               f"dimensions of tensor (got {len(sizes)} for a {self.ndim}-d tensor)")
        if builtins.min(sizes, default=0) < 0:
            padded = (1,) * (len(sizes) - self.ndim) + self._array.shape
            shape = [n * r for n, r in zip(padded, sizes)]
            raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(shape)}: {shape} "
                               f"(repeat sizes {list(sizes)} of a tensor of shape {list(self._array.shape)})")
        return apply(S.repeat, self, reps=sizes)

    def tile(self, *dims: _int | SizeLike) -> Tensor:
        """Repeat the tensor dims[i] times along dim i; missing leading dims count as 1."""
        dims = _sizes(dims, None, "tile", "dims")
        return self.repeat((1,) * (self.ndim - len(dims)) + tuple(dims))

    def repeat_interleave(self, repeats: _int | TensorLike | None = None, dim: _int | None = None, *,
                          output_size: _int | None = None) -> Tensor:
        """Each element (or slice along dim) repeated `repeats` times; with no repeats, self holds the
        counts and the result repeats their positions (repeat_interleave(tensor([1, 0, 3])) is
        [0, 2, 2, 2]), as in torch. output_size, the result's length, is checked if given."""
        if repeats is None:
            if self._array.dtype.kind not in "iu":
                raise NotImplementedError(f"\"repeat_interleave\" not implemented for "
                                          f"'{_dtype.scalar_type_name(self._array.dtype)}'")
            if self.ndim > 1:
                raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
            positions = Tensor._wrap(np.arange(self._array.size, dtype=np.int64))
            return positions.repeat_interleave(self, output_size=output_size)
        result = self._repeated(repeats, dim)
        if output_size is not None and result.shape[0 if dim is None else _dim(dim, result.ndim)] != output_size:
            raise RuntimeError(f"allocated size does not match required size: output_size={output_size}")
        return result

    def _repeated(self, repeats, dim):
        x = self.flatten() if dim is None else self
        axis = 0 if dim is None else _dim(dim, x.ndim)
        size = x._array.shape[axis] if x.ndim else 1
        counts = np.asarray(_raw(repeats))
        if counts.ndim and counts.shape not in ((size,), (1,)):  # one count per element, or one for all
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.shape[0]} and input.size({dim or 0}) = {size}")
        if counts.size and counts.min() < 0:
            raise RuntimeError("Repeats must be non-negative" if counts.ndim == 0 else "repeats can not be negative")
        return x.index_select(axis, np.repeat(np.arange(size), np.broadcast_to(counts, (size,))))

    def flip(self, *axes: _int | Sequence[_int], dims: Sequence[_int] | None = None) -> Tensor:
        return apply(S.flip, self, axis=_axes(_sizes(axes, dims, "flip", "dims"), self.ndim))

    def fliplr(self) -> Tensor:
        """Reverse the columns (dim 1)."""
        if self.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """Reverse the rows (dim 0)."""
        if self.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self.flip(0)

    def rot90(self, k: _int = 1, dims: Sequence[_int] = (0, 1)) -> Tensor:
        """The tensor turned k quarter turns in the plane of `dims`, from the first dim towards the
        second: a flip and a transpose, so its gradient is theirs."""
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self.ndim}")
        first, second = _dim(dims[0], self.ndim), _dim(dims[1], self.ndim)
        if first == second:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {first} and dim1 = {second}")
        turns = k % 4
        if turns == 1:
            return self.flip(second).transpose(first, second)
        if turns == 2:
            return self.flip((first, second))
        if turns == 3:
            return self.flip(first).transpose(first, second)
        return self.clone()

    def roll(self, shifts: _int | Sequence[_int], dims: _int | Sequence[_int] | None = None) -> Tensor:
        if dims is None:
            return self.flatten().roll(shifts, 0).view(self.shape)
        shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
        dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        return apply(S.roll, self, shifts=shifts, axes=tuple(_dim(d, self.ndim) for d in dims))

    # -------------------------------------------------------------- pieces
    def split(self, split_size_or_sections: _int | Sequence[_int] | None = None, dim: _int = 0, *,
              split_size: _int | Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """Pieces of split_size elements along dim (the last one shorter), or of the sizes listed;
        `split_size` is the name the method's argument has in torch."""
        split_size_or_sections = _one_of(split_size_or_sections, split_size, "split", "split_size")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        if isinstance(split_size_or_sections, numbers.Integral):
            step = split_size_or_sections
            if step <= 0 and size:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
            sections = [builtins.min(step, size - start) for start in range(0, size, step)] if size else [0]
        else:
            sections = list(split_size_or_sections)
            if builtins.min(sections, default=0) < 0:
                raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                                   f"split_sizes={sections}")
            if builtins.sum(sections) != size:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                                   f"(input tensor's size at dimension {dim}), but got split_sizes={sections}")
        pieces, start = [], 0
        for n in sections:
            index = (slice(None),) * axis + (slice(start, start + n),)
            pieces.append(self[index])
            start += n
        return tuple(pieces)

    def split_with_sizes(self, split_sizes: Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """Pieces of the sizes listed along dim: split with a list."""
        if isinstance(split_sizes, numbers.Integral):
            raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, "
                            f"not {type(split_sizes).__name__}")
        return self.split(list(split_sizes), dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """`chunks` pieces of ceil(size / chunks) elements (fewer when they run out); an empty dim
        gives `chunks` empty pieces, as in torch."""
        if self.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self._array.shape[_dim(dim, self.ndim)]
        if size == 0:
            return self.split([0] * chunks, dim)
        return self.split(-(-size // chunks), dim)

    def tensor_split(self, indices_or_sections: _int | Sequence[_int] | Tensor | None = None, dim: _int = 0, *,
                     sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """Split into n nearly equal pieces (the first size % n one longer), or at the given indices
        (by position, or by name as `sections=` or `indices=`, torch's other forms).

        The piece between two indices i and j is x[i:j] along dim, with Python's slice rules
        as in torch: negative indices count from the end, and j before i gives an empty piece.
        """
        if sections is not None or indices is not None:
            named = sections if sections is not None else list(indices)
            indices_or_sections = _one_of(indices_or_sections, named, "tensor_split", "sections or indices")
        elif indices_or_sections is None:
            raise TypeError("tensor_split() missing required argument 'indices_or_sections'")
        if self.ndim == 0:
            raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        split = indices_or_sections
        if isinstance(split, Tensor):
            if split._array.dtype != np.int64:
                raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                                   f"got {split.dtype}")
            if split.ndim > 1:
                raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                                   f"one-dimensional tensor, but got a tensor with {split.ndim} dims")
            split = split.item() if split.ndim == 0 else split.tolist()
        if isinstance(split, numbers.Integral):
            if split <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {split}")
            bounds = [i * (size // split) + builtins.min(i, size % split) for i in range(split + 1)]
            starts, ends = bounds[:-1], bounds[1:]
        else:
            indices = [operator.index(i) for i in split]
            starts, ends = [None, *indices], [*indices, None]
        before = (slice(None),) * axis
        return tuple(self[before + (slice(start, end),)] for start, end in zip(starts, ends))

    def hsplit(self, indices_or_sections: _int | Sequence[_int] | None = None, *,
               sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """tensor_split along dim 1 (dim 0 of a 1-D tensor), into equal pieces or at indices."""
        return self._split_along("hsplit", 1 if self.ndim > 1 else 0, 1, indices_or_sections, sections, indices)

    def vsplit(self, indices_or_sections: _int | Sequence[_int] | None = None, *,
               sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """tensor_split along dim 0 of a tensor of at least 2 dims."""
        return self._split_along("vsplit", 0, 2, indices_or_sections, sections, indices)

    def dsplit(self, indices_or_sections: _int | Sequence[_int] | None = None, *,
               sections: _int | None = None, indices: Sequence[_int] | None = None) -> tuple[Tensor, ...]:
        """tensor_split along dim 2 of a tensor of at least 3 dims."""
        return self._split_along("dsplit", 2, 3, indices_or_sections, sections, indices)

    def _split_along(self, name, dim, min_dims, split, sections, indices):
        """hsplit, vsplit, dsplit: tensor_split along `dim`, where a number of sections must divide
        the dim's size exactly (tensor_split would make the first pieces longer)."""
        if isinstance(split, Tensor):  # (unlike tensor_split)
            raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor), but expected "
                            "an int or a sequence of ints")
        if self.ndim < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                               f"tensor with {self.ndim} dimensions!")
        count = sections if sections is not None else split
        if isinstance(count, numbers.Integral) and (count == 0 or self._array.shape[dim] % count):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {self._array.shape[dim]} is not divisible by the split_size {count}!")
        return self.tensor_split(split, dim, sections=sections, indices=indices)

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        axis = _dim(dim, self.ndim)
        return tuple(self[(slice(None),) * axis + (i,)] for i in range(self._array.shape[axis]))

    def narrow(self, dim: _int, start: SupportsIndex, length: SupportsIndex) -> Tensor:
        """The `length` elements from `start` along dim (a negative start counts from the end).
        Unlike a slice, a range that does not fit raises, as in torch."""
        if self.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        axis = _dim(dim, self.ndim)
        size = self._array.shape[axis]
        start, length = operator.index(start), operator.index(length)
        if length < 0:
            raise RuntimeError(f"narrow(): length must be non-negative, got {length}.")
        if not -size <= start <= size:
            raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
        start = start + size if start < 0 else start
        if start + length > size:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def select(self, dim: _int, index: _int) -> Tensor:
        axis = _dim(dim, self.ndim)
        return self[(slice(None),) * axis + (index,)]

    def resize(self, *sizes: _int | SizeLike) -> Tensor:
        """Deprecated in torch (it warns): the elements in C order, reshaped to `sizes`, which must
        hold as many; recorded as torch's ResizeBackward. resize_ is the in-place form."""
        warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
        return self._resized(_shape_args(sizes))

    def resize_as(self, tensor: Tensor) -> Tensor:
        """Deprecated in torch (it warns): resize to tensor's shape."""
        warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
        return self._resized(tuple(tensor.shape))

    def _resized(self, shape):
        if math.prod(shape) != self._array.size or builtins.any(n < 0 for n in shape):
            raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({math.prod(shape)} elements in "
                               f"total), but the given tensor has a size of {'x'.join(map(str, self._array.shape))} "
                               f"({self._array.size} elements). autograd's resize can only change the shape of a "
                               "given tensor, while preserving the number of elements.")
        return apply(S.resize, self.contiguous(), shape=shape)

    def narrow_copy(self, dim: _int, start: SupportsIndex, length: SupportsIndex) -> Tensor:
        """narrow(dim, start, length) in a new contiguous tensor, not a view."""
        return _copy(self.narrow(dim, start, length), "NarrowCopyBackward0")

    def unsafe_split(self, split_size: _int | Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """split's pieces, sharing this tensor's memory without being recorded as its views (torch
        leaves it to the caller not to change one in place)."""
        return tuple(apply(S.unsafe_split, piece) for piece in self.split(_one_size("unsafe_split", split_size), dim))

    def unsafe_split_with_sizes(self, split_sizes: Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """split_with_sizes' pieces, not recorded as views (see unsafe_split)."""
        return tuple(apply(S.unsafe_split_with_sizes, piece) for piece in self.split_with_sizes(split_sizes, dim))

    def unsafe_chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """chunk's pieces, not recorded as views (see unsafe_split)."""
        return tuple(apply(S.unsafe_split, piece) for piece in self.chunk(chunks, dim))

    # -------------------------------------------------------------- strided views
    def as_strided(self, size: SizeLike, stride: SizeLike, storage_offset: _int | None = None) -> Tensor:
        """A view of the memory this tensor lies in (its storage, see storage_offset()), read
        with the given size and strides from element `storage_offset` on (by default this
        tensor's own offset). Windows may overlap: x.as_strided((n - k + 1, k), (1, 1)) holds
        every run of k neighbours of a 1-D x, each a row, without a copy."""
        return _as_strided(self, ST.as_strided, size, stride, storage_offset)

    # -------------------------------------------------------------- diagonals and blocks
    def diag_embed(self, offset: _int = 0, dim1: _int = -2, dim2: _int = -1) -> Tensor:
        """Matrices with self's last dim on their diagonal `offset`, in the new dims dim1 and dim2
        of the result (which has one dim more than self), zeros elsewhere."""
        ndim = self.ndim + 1
        a, b = _dim(dim1, ndim), _dim(dim2, ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        source = self.unsqueeze(0) if self.ndim == 0 else self
        return apply(L.diag_embed, source, offset=offset, axis1=a, axis2=b)

    def diagflat(self, offset: _int = 0) -> Tensor:
        """The square matrix with all of self's elements, flattened, on its diagonal `offset`."""
        return self.reshape(-1).diag_embed(offset)

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: every element of self times the whole of other, laid out in
        blocks. Along each dim (the shorter shape padded with leading 1s), element (i, j) of
        the (size(self) x size(other)) grid sits at i * size(other) + j."""
        other = _as_tensor(other)
        ndim = builtins.max(self.ndim, other.ndim)
        a_shape = (1,) * (ndim - self.ndim) + tuple(self._array.shape)
        b_shape = (1,) * (ndim - other.ndim) + tuple(other._array.shape)
        interleaved_a = [size for side in a_shape for size in (side, 1)]
        interleaved_b = [size for side in b_shape for size in (1, side)]
        product = self.reshape(interleaved_a) * other.reshape(interleaved_b)
        return product.reshape([a * b for a, b in zip(a_shape, b_shape)])


def _copy(view, grad_fn_name):
    """The result of a view op (a tensor, or a tuple of them for split and unbind) in new memory
    of its own, C-ordered: torch's *_copy op, its node named `grad_fn_name` as torch names it."""
    if isinstance(view, tuple):
        return tuple(_copy(piece, grad_fn_name) for piece in view)
    return apply(S.VIEW_COPIES[grad_fn_name], view)


def _one_size(name, split_size):
    """split_size as the split ops that take one size only (not a list of sizes) take it."""
    if not isinstance(split_size, numbers.Integral):
        raise TypeError(f"{name}(): argument 'split_size' (position 2) must be int, not {type(split_size).__name__}")
    return split_size


def _storage(t):
    """The memory t lies in, as a one-dimensional array: that of the tensor it is a view of (or
    its own), from that tensor's first element, where storage_offset() counts from, to its last."""
    root = (t._base if t._base is not None else t)._array
    size = ST.storage_size(root.shape, tuple(step // root.itemsize for step in root.strides))
    return np.lib.stride_tricks.as_strided(root, (size,), (root.itemsize,))


def _geometry(size, stride, storage_offset, storage, name="as_strided"):
    """(size, stride, offset) as as_strided takes them, with torch's errors for windows that
    reach outside the storage, negative strides or sizes, and a negative offset."""
    for what, value in (("size", size), ("stride", stride)):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, not {type(value).__name__}")
    size, stride = _shape_args((size,)), _shape_args((stride,))
    offset = operator.index(storage_offset)
    if builtins.any(step < 0 for step in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}")
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(stride)} strides for a shape of "
                           f"{len(size)} dims")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if builtins.any(n < 0 for n in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    needed, itemsize = ST.storage_size(size, stride, offset), storage.itemsize
    if needed > storage.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {itemsize} requiring a storage size of {needed * itemsize} are out of bounds "
                           f"for storage of size {storage.size * itemsize}")
    return size, stride, offset


def _as_strided(x, primitive, size, stride, storage_offset):
    """x.as_strided(...) recorded as `primitive`: always a view of x's base, also where the window
    reads none of x's own elements (NumPy then sees no shared memory)."""
    if storage_offset is not None and not isinstance(storage_offset, numbers.Integral):
        raise TypeError(f"as_strided(): argument 'storage_offset' must be int, not {type(storage_offset).__name__}")
    storage = _storage(x)
    offset = x.storage_offset() if storage_offset is None else storage_offset
    size, stride, offset = _geometry(size, stride, offset, storage)
    out = apply(primitive, x, storage, size=size, stride=stride, offset=offset,
                x_geometry=(x._array.shape, x.stride(), x.storage_offset()))
    if out._base is None:
        out._version_counter = x._version_counter
        out._base = x._base if x._base is not None else x
        out._view_of = out._base._grad_fn
    return out


def _cat(tensors, axis=0):
    tensors = [_as_tensor(t) for t in tensors]
    target = np.result_type(*(t._array.dtype for t in tensors))
    return apply(S.cat, *[t._cast(target) for t in tensors], axis=axis)


def _one_of(positional, keyword, function, name):
    """The argument given by position or by keyword (not both), as torch's overloads take it."""
    if positional is not None and keyword is not None:
        raise TypeError(f"{function}() got multiple values for argument '{name}'")
    if positional is None and keyword is None:
        raise TypeError(f"{function}() missing required argument '{name}'")
    return positional if keyword is None else keyword
