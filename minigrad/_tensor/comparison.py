"""ComparisonMethods: comparisons, logic and the tests on values.

== != < <= > >= and eq, ne, lt, le, gt, ge; & | ^ ~ and the logical_ and bitwise_ functions;
equal, allclose, isclose; isnan, isinf, isfinite, isposinf, isneginf, isreal; any and all.

Their results are bool tensors (any and all keep uint8 for uint8), computed directly on the
arrays and never recorded: a comparison has no gradient. Their in-place forms (eq_, &=, ...)
are in in_place.py.
"""

from __future__ import annotations

from builtins import bool as _bool, float as _float  # as tensor.py names the types
from typing import Any

import numpy as np

from minigrad._arguments import _axes, _broadcast_message
from minigrad._ops.layout import c_order
from minigrad._tensor.operands import _as_tensor, _comparable, _is_operand, _promote, _raw, _tensor_operand
from minigrad._types import Dims

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class ComparisonMethods:
    """Comparisons, logic and the tests on values."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def _compare(self, ufunc, other):
        a, b = _promote(self, other)
        try:
            return Tensor._wrap(np.asarray(ufunc(_raw(a), _raw(b))))
        except ValueError as error:
            raise RuntimeError(_broadcast_message(self._array.shape, np.shape(_raw(b)))) from error

    def eq(self, other: TensorLike) -> Tensor:
        return self._compare(np.equal, _comparable(other, "eq"))

    def ne(self, other: TensorLike) -> Tensor:
        return self._compare(np.not_equal, _comparable(other, "ne"))

    def lt(self, other: TensorLike) -> Tensor:
        return self._compare(np.less, _comparable(other, "lt"))

    def le(self, other: TensorLike) -> Tensor:
        return self._compare(np.less_equal, _comparable(other, "le"))

    def gt(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater, _comparable(other, "gt"))

    def ge(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater_equal, _comparable(other, "ge"))

    # The operators compare elementwise with tensors, numbers and arrays. With anything else
    # (None, a list, a string) they answer NotImplemented, as torch's do, so that Python decides:
    # x == None is False, x < None a TypeError, and `x in [None, x]` finds x.
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other) if _is_operand(other) else NotImplemented

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other) if _is_operand(other) else NotImplemented

    def __lt__(self, other: TensorLike) -> Tensor:
        return self._compare(np.less, other) if _is_operand(other) else NotImplemented

    def __le__(self, other: TensorLike) -> Tensor:
        return self._compare(np.less_equal, other) if _is_operand(other) else NotImplemented

    def __gt__(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater, other) if _is_operand(other) else NotImplemented

    def __ge__(self, other: TensorLike) -> Tensor:
        return self._compare(np.greater_equal, other) if _is_operand(other) else NotImplemented

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def _logical(self, ufunc, other):
        a, b = _promote(self, other)
        if a._array.dtype.kind not in "iub":  # torch's type for this error
            raise NotImplementedError(f"{ufunc.__name__} needs integer or bool operands, but they promote to {a.dtype}")
        return a._compare(ufunc, b)

    def __and__(self, other: TensorLike) -> Tensor:
        return self._logical(np.bitwise_and, other)

    def __or__(self, other: TensorLike) -> Tensor:
        return self._logical(np.bitwise_or, other)

    def __xor__(self, other: TensorLike) -> Tensor:
        return self._logical(np.bitwise_xor, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__
    bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__

    # Shifts by the bits of integers: x << n is x * 2**n and x >> n is floor(x / 2**n), wrapped
    # into x's dtype. A shift by the dtype's width or more, or by a negative count, gives 0 (and
    # -1 for a negative x shifted right), as in torch; NumPy's shifts do the same.
    def __lshift__(self, other: TensorLike) -> Tensor:
        return self._logical(np.left_shift, other)

    def __rshift__(self, other: TensorLike) -> Tensor:
        return self._logical(np.right_shift, other)

    def __rlshift__(self, other: TensorLike) -> Tensor:
        return _as_tensor(other)._logical(np.left_shift, self)  # (other << self: the number is shifted)

    def __rrshift__(self, other: TensorLike) -> Tensor:
        return _as_tensor(other)._logical(np.right_shift, self)

    bitwise_left_shift, bitwise_right_shift = __lshift__, __rshift__

    def __invert__(self) -> Tensor:
        if self._array.dtype.kind not in "iub":
            raise TypeError(f"~ (bitwise_not) needs an integer or bool tensor, got {self.dtype}")
        return Tensor._wrap(np.asarray(np.invert(self._array)))

    bitwise_not = __invert__

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.logical_not(self._array)))

    def logical_and(self, other: Tensor) -> Tensor:
        return self._compare(np.logical_and, _tensor_operand(other, "logical_and"))

    def logical_or(self, other: Tensor) -> Tensor:
        return self._compare(np.logical_or, _tensor_operand(other, "logical_or"))

    def logical_xor(self, other: Tensor) -> Tensor:
        return self._compare(np.logical_xor, _tensor_operand(other, "logical_xor"))

    def equal(self, other: Tensor) -> _bool:
        return self.shape == other.shape and bool(np.array_equal(self._array, other._array))

    def allclose(self, other: TensorLike, rtol: _float = 1e-05, atol: _float = 1e-08,
                 equal_nan: _bool = False) -> _bool:
        return bool(np.allclose(self._array, _raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other: TensorLike, rtol: _float = 1e-05, atol: _float = 1e-08,
                equal_nan: _bool = False) -> Tensor:
        return Tensor._wrap(np.asarray(np.isclose(self._array, _raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan)))

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isnan(self._array)))

    def isinf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isinf(self._array)))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isfinite(self._array)))

    def isposinf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isposinf(self._array)))

    def isneginf(self) -> Tensor:
        return Tensor._wrap(np.asarray(np.isneginf(self._array)))

    def isreal(self) -> Tensor:
        """Whether each element has no imaginary part: all True, minigrad's tensors being real."""
        return Tensor._wrap(np.ones(self._array.shape, dtype=np.bool_))

    def any(self, dim: Dims | None = None, keepdim: _bool = False) -> Tensor:
        return self._truth(np.any(self._array, axis=_axes(dim, self.ndim), keepdims=keepdim))

    def all(self, dim: Dims | None = None, keepdim: _bool = False) -> Tensor:
        return self._truth(np.all(self._array, axis=_axes(dim, self.ndim), keepdims=keepdim))

    def _truth(self, result):
        """any/all's result: bool, but uint8 for a uint8 tensor (torch's old masks were uint8);
        C-ordered, as torch's reductions are."""
        result = np.asarray(result, dtype=np.uint8 if self._array.dtype == np.uint8 else np.bool_)
        return Tensor._wrap(result if self._array.flags.c_contiguous else c_order(result))
