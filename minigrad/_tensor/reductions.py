"""ReductionMethods: reductions over dims and the operations along one dim.

sum, mean, prod, nansum, nanmean, amax, amin, aminmax, max, min, argmax, argmin, var, std,
norm, logsumexp, count_nonzero, sum_to_size; the running ones along a dim: cumsum, cumprod
(and their in-place forms), cummax, cummin, logcumsumexp, diff; and softmax, log_softmax.

`dim` may be an int, a tuple of ints or None (all dims), as in torch; `_reduced_axes` and
`_dim` (in _arguments.py) turn it into NumPy axes. Sums and products of bools and integers
accumulate in int64, as torch's do (`_in_int64`).
"""

from __future__ import annotations

import builtins
import collections
import math
import warnings
from builtins import bool as _bool, float as _float, int as _int  # as tensor.py names the types

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _axes, _dim, _reduced_axes, _shape_args
from minigrad._ops import activation as A
from minigrad._ops import indexing as I
from minigrad._ops import reduce as R
from minigrad._ops.layout import c_order
from minigrad._tensor.operands import _where, apply
from minigrad._tensor.shape import _cat
from minigrad._types import Dims, DTypeLike, Number, SizeLike, _return_type

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class ReductionMethods:
    """Reductions over dims and the operations along one dim."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def sum(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None, *,
            axis: Dims | None = None, keepdims: _bool | None = None) -> Tensor:
        """The sum over dim (all elements for None); axis and keepdims are NumPy's names, which
        torch accepts too."""
        dim, keepdim = (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)
        x = self if dtype is None else self.to(dtype)
        return _in_int64(x, dtype, lambda x: apply(R.sum, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim))

    def mean(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None, *,
             axis: Dims | None = None, keepdims: _bool | None = None) -> Tensor:
        dim, keepdim = (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {x.dtype}")
        return apply(R.mean, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)

    def nansum(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None) -> Tensor:
        """The sum with each NaN counted as zero (and sent no gradient)."""
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            return x.sum(dim, keepdim, dtype)  # no NaN to skip
        return apply(R.nansum, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)

    def nanmean(self, dim: Dims | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None) -> Tensor:
        """The mean of the values that are not NaN: nansum / their count (NaN where there is none)."""
        x = self if dtype is None else self.to(dtype)
        if x._array.dtype.kind != "f":
            raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {x.dtype}")
        counted = ~np.isnan(x._array)
        return x.nansum(dim, keepdim) / Tensor._wrap(counted.astype(x._array.dtype)).sum(dim, keepdim)

    def aminmax(self, *, dim: _int | None = None, keepdim: _bool = False) -> tuple[Tensor, Tensor]:
        """(min, max) over dim, or over all elements, as a named pair."""
        axes = () if dim is None else dim
        if dim is None:
            self._check_not_empty("aminmax")
        return _AMINMAX(self.amin(axes, keepdim), self.amax(axes, keepdim))

    def prod(self, dim: _int | None = None, keepdim: _bool = False, dtype: DTypeLike | None = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        return _in_int64(x, dtype, lambda x: apply(R.prod, x, axis=_axes(dim, x.ndim), keepdims=keepdim))

    def sum_to_size(self, *size: _int | SizeLike) -> Tensor:
        """The sum over the axes along which a tensor of shape `size` would be broadcast to this
        one's shape: how a gradient is brought back to a broadcast input's shape."""
        shape = tuple(_shape_args(size))
        lead = self.ndim - len(shape)
        if lead < 0 or builtins.any(n not in (1, m) for n, m in zip(shape, self._array.shape[lead:])):
            raise RuntimeError(f"size {list(shape)} is not expandable to size {list(self._array.shape)}")
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and self._array.shape[lead + i] != 1)
        return (self.sum(axes, keepdim=True) if axes else self).reshape(shape)

    def amax(self, dim: Dims = (), keepdim: _bool = False) -> Tensor:
        return apply(R.amax, self, axis=self._extremum_axes("amax", dim), keepdims=keepdim)

    def amin(self, dim: Dims = (), keepdim: _bool = False) -> Tensor:
        return apply(R.amin, self, axis=self._extremum_axes("amin", dim), keepdims=keepdim)

    def _extremum_axes(self, name, dim):
        """The axes of amax/amin; an empty tensor may be reduced only over axes of non-zero size."""
        axes = _reduced_axes(dim, self.ndim)
        if len(axes) == self.ndim:
            self._check_not_empty(name)
            return axes
        for axis in axes:
            if self._array.shape[axis] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        return axes

    def _check_not_empty(self, name):
        if self._array.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")

    def max(self, dim: _int | Tensor | None = None, keepdim: _bool = False, *,
            other: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
        """max() of all elements; max(dim) -> (values, indices); max(other) -> maximum."""
        if other is not None or isinstance(dim, Tensor):
            return self.maximum(dim if other is None else other)
        if dim is None:
            self._check_not_empty("max")
            return apply(R.max_all, self)
        return self._select_along(np.argmax, dim, keepdim, "max")

    def min(self, dim: _int | Tensor | None = None, keepdim: _bool = False, *,
            other: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:
        if other is not None or isinstance(dim, Tensor):
            return self.minimum(dim if other is None else other)
        if dim is None:
            self._check_not_empty("min")
            return apply(R.min_all, self)
        return self._select_along(np.argmin, dim, keepdim, "min")

    def _select_along(self, arg_fn, dim, keepdim, name):
        """Values and indices of an extremum along dim; the gradient goes to the chosen index."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _return_type(name)(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
        if self._array.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
        index = np.expand_dims(arg_fn(self._array, axis=axis), axis)
        values = apply(I.gather, self, index=index, axis=axis)
        if not keepdim:
            values, index = values.squeeze(axis), np.squeeze(index, axis)
        return _return_type(name)(values, Tensor._wrap(index.astype(np.int64)))

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, arg_fn, dim, keepdim):
        name = arg_fn.__name__  # argmax or argmin; an empty range has neither, as torch says
        if self._array.dtype == np.bool_:  # (torch has no bool kernel for them)
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if self._array.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            index = np.asarray(arg_fn(self._array))
            return Tensor._wrap(index.reshape((1,) * self.ndim) if keepdim else index.astype(np.int64))
        if self.ndim:
            axis = _dim(dim, self.ndim)
        else:
            _dim(dim, 0)  # a 0-d tensor takes dim 0 or -1, as in torch, and has no axis to reduce
            axis = None
        if axis is not None and self._array.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        return Tensor._wrap(np.asarray(arg_fn(self._array, axis=axis, keepdims=keepdim)).astype(np.int64))

    def var(self, dim: Dims | _bool | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: Number | None = None) -> Tensor:
        return self._spread(R.var, dim, unbiased, keepdim, correction)

    def std(self, dim: Dims | _bool | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: Number | None = None) -> Tensor:
        return self._spread(R.std, dim, unbiased, keepdim, correction)

    def _spread(self, primitive, dim, unbiased, keepdim, correction):
        if isinstance(dim, bool):  # var(False): the old positional `unbiased`
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"std and var only support floating point dtypes, but the tensor is {self.dtype}")
        axis = None if dim is None else _reduced_axes(dim, self.ndim)
        count = self._array.size if axis is None else math.prod(self._array.shape[a] for a in axis)
        if count - correction <= 0:
            warnings.warn(f"{primitive.name.lower()}(): degrees of freedom is <= 0 ({count} values with correction "
                          f"{correction}); the result is inf or nan", UserWarning, stacklevel=3)
        return apply(primitive, self, axis=axis, correction=correction, keepdims=keepdim)

    def logsumexp(self, dim: Dims, keepdim: _bool = False) -> Tensor:
        return apply(R.logsumexp, self._floating(), axis=_axes(dim, self.ndim), keepdims=keepdim)

    def norm(self, p: _float | str = "fro", dim: Dims | None = None, keepdim: _bool = False,
             dtype: DTypeLike | None = None) -> Tensor:
        """The p-norm over dim (all elements by default); its gradient at a zero norm is 0, as in torch."""
        if self._array.dtype.kind != "f":  # even with a floating dtype= given, as in torch
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                               f"Got {_dtype.scalar_type_name(self._array.dtype)}")
        x = self if dtype is None else self.to(dtype)
        if isinstance(p, str) and p != "fro":  # "nuc" and other names are matrix norms, which minigrad has not
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if p == "fro":
            p = 2
        if p == 1:
            return x.abs().sum(dim, keepdim)
        if p in (float("inf"), -float("inf")):
            axis = x._extremum_axes("amax" if p > 0 else "amin", () if dim is None else dim)
            return apply(R.norm_inf, x, largest=p > 0, axis=axis, keepdims=keepdim)
        if p == 0:
            return apply(R.norm_zero, x, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)
        return apply(R.norm, x, p=p, axis=_reduced_axes(dim, x.ndim), keepdims=keepdim)

    def renorm(self, p: _float, dim: _int, maxnorm: _float) -> Tensor:
        """Each slice along dim (self.select(dim, i)) whose p-norm exceeds maxnorm, scaled down to
        norm maxnorm (times maxnorm / (norm + 1e-7), as torch); the other slices unchanged. The
        gradient goes through the norm too: a scaled slice's length no longer depends on x."""
        if self.ndim < 2:
            raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {self.ndim} dimensions")
        if not p > 0:
            raise RuntimeError("renorm: non-positive-norm not supported")
        if maxnorm < 0:
            raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
        axis = _dim(dim, self.ndim)
        norms = self.norm(p, dim=tuple(d for d in range(self.ndim) if d != axis), keepdim=True)
        factor = _where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
        return self * factor

    def count_nonzero(self, dim: Dims | None = None) -> Tensor:
        counts = np.asarray(np.count_nonzero(self._array, axis=_reduced_axes(dim, self.ndim) if dim is not None
                                             else None)).astype(np.int64)
        return Tensor._wrap(counts if self._array.flags.c_contiguous else c_order(counts))  # (C-ordered, as torch's)

    # -------------------------------------------------------------- along one dim
    def cumsum(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative(R.cumsum, dim, dtype)

    def cumprod(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative(R.cumprod, dim, dtype)

    def _cumulative(self, primitive, dim, dtype):
        x = self if dtype is None else self.to(dtype)
        if x.ndim == 0:
            _dim(dim, 0)
            return _in_int64(x, dtype, Tensor.clone)
        return _in_int64(x, dtype, lambda x: apply(primitive, x, axis=_dim(dim, x.ndim)))

    def cumsum_(self, dim: _int, *, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative_(Tensor.cumsum, "cumsum_out_cpu", dim, dtype)

    def cumprod_(self, dim: _int, *, dtype: DTypeLike | None = None) -> Tensor:
        return self._cumulative_(Tensor.cumprod, "cumprod_out_cpu", dim, dtype)

    def _cumulative_(self, out_of_place, kernel, dim, dtype):
        """self = out_of_place(self, dim): the running sum or product along dim, in self's dtype
        (an integer one accumulates in int64 and is cast back, as in torch). dtype, if given,
        must be self's own: the result is not converted."""
        _dim(dim, self.ndim)  # (torch checks dim first)
        if dtype is not None and _dtype.as_dtype(dtype).numpy != self._array.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {self.dtype} and output tensor dtype "
                               f"{_dtype.as_dtype(dtype)} should match")
        if self._array.dtype == np.bool_:
            raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
        return self._write_back(lambda old: out_of_place(old, dim))

    def cummax(self, dim: _int) -> tuple[Tensor, Tensor]:
        return self._running_extreme("cummax", dim, I.cummax, largest=True)

    def cummin(self, dim: _int) -> tuple[Tensor, Tensor]:
        return self._running_extreme("cummin", dim, I.cummin, largest=False)

    def _running_extreme(self, name, dim, primitive, largest):
        """(values, indices) of the running maximum or minimum along dim, as torch's cummax/cummin."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _return_type(name)(self.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
        index = I.running_extreme_index(self._array, axis, largest).astype(np.int64)
        indices = Tensor._wrap(index if self._array.flags.c_contiguous else c_order(index))  # (C-ordered, as torch's)
        return _return_type(name)(apply(primitive, self, index=index, axis=axis), indices)

    def logcumsumexp(self, dim: _int) -> Tensor:
        if self._array.dtype.kind != "f":
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                      f"'{_dtype.scalar_type_name(self._array.dtype)}'")
        if self.ndim == 0:
            _dim(dim, 0)
            return self.clone()
        return apply(R.logcumsumexp, self, axis=_dim(dim, self.ndim))

    def diff(self, n: _int = 1, dim: _int = -1, prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
        """The n-th forward difference along dim: x[i + 1] - x[i] (for bool tensors x[i + 1] != x[i])."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        x = _cat([t for t in (prepend, self, append) if t is not None], axis) if prepend is not None or \
            append is not None else self
        before = (slice(None),) * axis
        for _ in range(n):
            later, earlier = x[before + (slice(1, None),)], x[before + (slice(None, -1),)]
            x = later != earlier if x.dtype is _dtype.bool else later - earlier
        return x

    def softmax(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._along_dim(A.softmax, dim, dtype)

    def log_softmax(self, dim: _int, dtype: DTypeLike | None = None) -> Tensor:
        return self._along_dim(A.log_softmax, dim, dtype)

    def _along_dim(self, primitive, dim, dtype):
        """softmax or log_softmax along dim (cast first when dtype is given); a 0-d tensor is one
        entry along its only axis."""
        x = self if dtype is None else self._cast(_dtype.as_dtype(dtype).numpy)
        if not x.is_floating_point():
            raise RuntimeError(f"softmax is not implemented for {x.dtype}; pass a floating-point tensor")
        axis = _dim(dim, x.ndim)
        if x.ndim == 0:
            return apply(primitive, x.reshape(1), axis=0).reshape(())
        return apply(primitive, x, axis=axis)


_AMINMAX = collections.namedtuple("aminmax", ["min", "max"])  # torch.return_types.aminmax's fields


def _in_int64(x, dtype, reduce):
    """reduce(x), a sum or product, with bools and integers accumulated in int64 as torch does
    (a uint8 sum is int64, not NumPy's uint64), then cast to `dtype` where one was asked for
    (int8 wraps around, bool is whether it is nonzero, as torch's own arithmetic in them gives)."""
    if x._array.dtype.kind not in "biu" or x._array.dtype == np.int64:
        return reduce(x)
    out = reduce(x.long())
    return out if dtype is None else out.to(dtype)
