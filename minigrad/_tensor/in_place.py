"""InPlaceMethods: the methods that write their result into the tensor itself.

The machinery: `_write_back` runs an op's out-of-place form on the old value and writes the
result into self's memory (x.log_() is x.log() written back), so that each in-place form
keeps its out-of-place form's checks, gradient and grad_fn; `_inplace` does so for one
primitive; `_check_inplace` refuses a leaf that requires grad, as torch does. The version
counter moves on every write, so that a graph that saved the old value refuses to run backward.

Then the in-place forms: of arithmetic (add_, mul_, ..., and x += y, x *= y, ...), of the
comparisons and logic (eq_, logical_and_, &=, ...), of the unary and binary elementwise
functions (exp_, clamp_, floor_, atan2_, ...); the in-place shape changes (t_, transpose_,
squeeze_, unsqueeze_, tril_, triu_, fill_diagonal_); and the fills (zero_, fill_, copy_,
uniform_, normal_, bernoulli_, random_, apply_). The in-place forms of the writing ops
(scatter_, index_add_, ...), of cumsum and of the matrix products stay with their families.
"""

from __future__ import annotations

import builtins
import numbers
import operator
from builtins import bool as _bool, float as _float, int as _int  # as tensor.py names the types
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _check_inplace_shape, _fill_value, _sizes
from minigrad._ops import elementwise as E
from minigrad._ops import indexing as I
from minigrad._ops import representation as REP
from minigrad._ops import shape as S
from minigrad._ops import special as SP
from minigrad._ops import strided as ST
from minigrad._ops.layout import dense_strides
from minigrad._tensor.arithmetic import _number_operand
from minigrad._tensor.operands import (_both_bool, _check_no_bool_subtraction, _comparable, _fitted_number, _is_scalar,
                                       _lerp_step, _promote, _python_number, _raw, _refuse_bool_kernel, _scalar_type, _tensor_operand,
                                       _wrapped, apply)
from minigrad._tensor.shape import _as_strided, _storage
from minigrad._tensor.unary import _mvlgamma_dimension, _polygamma_order
from minigrad._types import Dims, Number, SizeLike
from minigrad.autograd.grad_mode import _state as _grad_mode
from minigrad.random import (Generator, _bernoulli, _cauchy, _exponential, _geometric, _log_normal, _normal,
                             _numpy_rng, _uniform)

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


def _in_place_form(name):
    """The method `name`_ of Tensor: the out-of-place method `name` applied to the old value
    and written back into the tensor (x.sin_() is x.sin() written into x)."""
    def method(self: Tensor) -> Tensor:
        return self._write_back(operator.methodcaller(name))

    method.__name__, method.__qualname__ = f"{name}_", f"Tensor.{name}_"
    method.__doc__ = f"In place: self = self.{name}()."
    return method


class InPlaceMethods:
    """The methods that write their result into the tensor itself."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def _check_inplace(self):
        if self._grad_fn is None and self._requires_grad and _grad_mode.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if not self._array.flags.writeable:
            self._refuse_write()

    def _refuse_write(self):
        """torch's error for writing into an expanded tensor (several elements share one place in
        memory), or the plain reason for a tensor made from a read-only NumPy array."""
        if builtins.any(stride == 0 and n > 1 for stride, n in zip(self._array.strides, self._array.shape)):
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        raise RuntimeError("the tensor's memory is read-only (it was made from a NumPy array that is not "
                           "writeable); clone() it before writing into it")

    def _inplace(self, primitive, *args, **params):
        """Apply primitive(self, *args) and write the result into self's memory (see _write_back)."""
        return self._write_back(lambda old: apply(primitive, old, *args, **params), args)

    def _write_back(self, compute, operands=()):
        """Write compute(self), an out-of-place result, into self's memory: x.log2_() is x.log2()
        written back. `operands` are compute's other inputs, which may require grad.

        On a tensor in the graph the in-place op is recorded like its out-of-place form:
        the old value becomes the op's input and self takes over the new grad_fn.
        """
        self._check_inplace()
        tracking = _grad_mode.enabled and (self._requires_grad or builtins.any(
            isinstance(a, Tensor) and a._requires_grad for a in operands))
        source = self
        if tracking:
            if self._base is not None:
                raise RuntimeError("minigrad does not record in-place operations on a view (a result of view, "
                                   "reshape, transpose, indexing, ...) when gradients are tracked; use the "
                                   "out-of-place form, e.g. y = y * 2 instead of y.mul_(2)")
            source = Tensor._wrap(self._array.copy(), self._grad_fn)  # the old value, never modified
            source._requires_grad = self._requires_grad
        result = compute(source)
        if result._array.shape != self._array.shape:  # the result may not widen the tensor, as in torch
            _check_inplace_shape(self._array.shape, result._array.shape)
        if not _dtype.can_cast(result._array.dtype, self._array.dtype):
            # an integer tensor's math (sqrt_, div_ by a number) gives torch's default float dtype
            result_dtype = (_dtype.get_default_dtype().numpy if result._array.dtype.kind == "f" else
                            result._array.dtype)
            _refuse_cast(result_dtype, self._array.dtype)
        if tracking:  # only now, with the result known to fit: self takes over the new grad_fn
            self._grad_fn, self._requires_grad = result._grad_fn, True
        self._array[...] = result._array
        self._version_counter[0] += 1
        return self

    def _inplace_floating(self, primitive, *args, **params):
        """An in-place op whose result is floating (exp_, sqrt_): refused on an integer or bool tensor."""
        if self._array.dtype.kind != "f":
            _refuse_cast(_dtype.get_default_dtype().numpy, self._array.dtype)
        return self._inplace(primitive, *args, **params)

    def _inplace_binary(self, primitive, other):
        if _is_scalar(other):
            other = _python_number(other)
        if isinstance(other, Tensor):
            if other._array.shape != self._array.shape:
                _check_inplace_shape(self._array.shape, other._array.shape)
            if other._array.dtype != self._array.dtype:
                result_dtype = _dtype.result_type(self._array.dtype, self.ndim == 0, other._array.dtype,
                                                  other.ndim == 0)
                if primitive is E.div and np.dtype(result_dtype).kind in "biu":  # true division of integers
                    result_dtype = _dtype.get_default_dtype().numpy
                if not _dtype.can_cast(result_dtype, self._array.dtype):  # int_tensor *= float_tensor
                    _refuse_cast(result_dtype, self._array.dtype)
                other = other._cast(self._array.dtype)
        elif _is_scalar(other) and isinstance(other, float) and self._array.dtype.kind != "f":
            _refuse_cast(_dtype.get_default_dtype().numpy, self._array.dtype)
        elif type(other) is int and self._array.dtype.kind in "iu":
            other = _wrapped(other, self._array.dtype)
        elif type(other) is float or type(other) is int:
            primitive, other = _number_operand(primitive, self._array.dtype, other)
        return self._inplace(primitive, other)

    def _overwrite(self, values):
        """Write values (broadcast, cast to self's dtype) into self, outside the graph: the ops
        that torch does not record (logical_not_, bitwise_not_, logical_and_, ...)."""
        self._check_inplace()
        self._array[...] = values
        self._version_counter[0] += 1
        return self

    def _fill_raw(self, values):
        """Overwrite every element (zero_, fill_, uniform_, ...) with values that carry no gradient."""
        self._check_inplace()
        if self._grad_fn is not None and _grad_mode.enabled:
            # On a graph tensor, as in torch, the result stays in the graph (requires_grad, a
            # grad_fn) and sends a zero gradient back: self[...] = constant values.
            values = np.asarray(values, dtype=self._array.dtype)
            return self._inplace(I.index_put, values, index=Ellipsis)
        self._array[...] = values
        self._version_counter[0] += 1
        return self

    # -------------------------------------------------------------- arithmetic in place
    def add_(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        return self._inplace_binary(E.add, self._scaled(other, alpha))

    def sub_(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        _check_no_bool_subtraction(self, other)
        return self._inplace_binary(E.sub, self._scaled(other, alpha))

    def mul_(self, other: TensorLike) -> Tensor:
        return self._inplace_binary(E.mul, other)

    def div_(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self._inplace_binary(E.div, other)
        result = self.div(other, rounding_mode=rounding_mode)  # (trunc or floor of the quotient)
        if not _dtype.can_cast(result._array.dtype, self._array.dtype):
            _refuse_cast(result._array.dtype, self._array.dtype)
        return self.copy_(result)

    def pow_(self, exponent: TensorLike) -> Tensor:
        if _is_scalar(exponent):
            if _both_bool(self, exponent):
                return self.copy_(self ** exponent)
            return self._inplace(E.pow_scalar, exponent=exponent)
        _refuse_bool_kernel(self, exponent, "pow", in_place=True)
        return self._inplace_binary(E.pow, exponent)

    def true_divide_(self, other: TensorLike) -> Tensor:
        return self.div_(other)

    subtract_, multiply_, divide_ = sub_, mul_, div_

    def floor_divide_(self, other: TensorLike) -> Tensor:
        if self._array.dtype.kind in "iub":
            _refuse_bool_kernel(self, other, "div_floor_cpu", in_place=True)
            if np.any(np.asarray(_raw(other)) == 0):
                raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        return self._inplace_binary(E.floor_divide, other)

    def fmod_(self, other: TensorLike) -> Tensor:
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
        if self._array.dtype.kind in "iu" and np.any(np.asarray(_raw(other)) == 0):
            raise RuntimeError("ZeroDivisionError")
        return self._inplace_binary(E.fmod if isinstance(other, Tensor) else E.fmod_scalar, other)

    def remainder_(self, other: TensorLike) -> Tensor:
        if self._array.dtype.kind in "iub":
            _refuse_bool_kernel(self, other, "remainder_cpu", in_place=True)
            if np.any(np.asarray(_raw(other)) == 0):
                raise RuntimeError("ZeroDivisionError")
        return self._inplace_binary(E.remainder if isinstance(other, Tensor) else E.remainder_scalar, other)

    def float_power_(self, exponent: TensorLike) -> Tensor:
        if self._array.dtype != np.float64:
            raise RuntimeError(f"the base given to float_power_ has dtype {_scalar_type(self)} but the operation's "
                               "result requires dtype Double")
        return self.pow_(exponent._cast(np.dtype(np.float64)) if isinstance(exponent, Tensor) else exponent)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, value: Number = 1) -> Tensor:
        return self.add_(tensor1 * tensor2 * value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, value: Number = 1) -> Tensor:
        return self.add_(tensor1 / tensor2 * value)

    def lerp_(self, end: Tensor, weight: Number | Tensor) -> Tensor:
        return self.add_(_lerp_step(self, end, weight, "lerp_"))

    def atan2_(self, other: Tensor) -> Tensor:
        return self._floating_binary_(Tensor.atan2, _tensor_operand(other, "atan2_"))

    arctan2_ = atan2_

    def hypot_(self, other: Tensor) -> Tensor:
        other = _tensor_operand(other, "hypot_")
        result_dtype = _promote(self, other)[0]._array.dtype
        if result_dtype.kind != "f" and not _dtype.can_cast(result_dtype, self._array.dtype):
            _refuse_cast(result_dtype, self._array.dtype)  # (torch checks this before its kernel)
        return self._floating_binary_(Tensor.hypot, other)

    def xlogy_(self, other: TensorLike) -> Tensor:
        return self._floating_binary_(Tensor.xlogy, other)

    def igamma_(self, other: Tensor) -> Tensor:
        return self._incomplete_gamma_(Tensor.igamma, _tensor_operand(other, "igamma_"))

    def igammac_(self, other: Tensor) -> Tensor:
        return self._incomplete_gamma_(Tensor.igammac, _tensor_operand(other, "igammac_"))

    def _incomplete_gamma_(self, out_of_place, other):
        result_dtype = _promote(self, other)[0]._array.dtype
        if result_dtype.kind != "f" and not _dtype.can_cast(result_dtype, self._array.dtype):
            _refuse_cast(result_dtype, self._array.dtype)  # (torch checks this before its kernel)
        return self._floating_binary_(out_of_place, other)

    def _floating_binary_(self, out_of_place, other):
        """self = out_of_place(self, other) for atan2_, hypot_, xlogy_, igamma_: a floating tensor computes
        in its own dtype (other is cast to it); an integer or bool one refuses the float result."""
        if self.is_floating_point() and isinstance(other, Tensor):
            other = other._cast(self._array.dtype)
        return self._write_back(lambda old: out_of_place(old, other), (other,))

    def copysign_(self, other: TensorLike) -> Tensor:
        if _is_scalar(other):
            return self._inplace_floating(REP.copysign_scalar, float(other))
        return self._inplace_floating(REP.copysign, _tensor_operand(other, "copysign_")._cast(self._array.dtype))

    def ldexp_(self, other: Tensor) -> Tensor:
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"ldexp can't be cast to the desired output type {_scalar_type(self)}")
        return self._inplace(REP.ldexp, _tensor_operand(other, "ldexp_")._cast(self._array.dtype))

    def nextafter_(self, other: Tensor) -> Tensor:
        self._float_operands(other, "nextafter")
        return self._inplace_floating(REP.nextafter, _tensor_operand(other, "nextafter_")._cast(self._array.dtype))

    def gcd_(self, other: Tensor) -> Tensor:
        return self._write_back(lambda old: old.gcd(other))

    def lcm_(self, other: Tensor) -> Tensor:
        return self._write_back(lambda old: old.lcm(other))

    def heaviside_(self, values: Tensor) -> Tensor:
        return self._inplace_binary(E.heaviside_inplace, self._heaviside_operands(values)[1])

    # -------------------------------------------------------------- comparisons and logic in place
    def _inplace_logical(self, ufunc, other):
        """self &= other (|=, ^=): the out-of-place result written into self, which it must fit
        without widening self's shape or dtype (bool &= int is refused, as in torch). The dtype is
        checked first, as torch does: int8 &= float32 is refused for the cast, not for the float."""
        promoted = _promote(self, other)[0]._array.dtype
        if not _dtype.can_cast(promoted, self._array.dtype):
            _refuse_cast(promoted, self._array.dtype)
        result = self._logical(ufunc, other)
        if result._array.shape != self._array.shape:
            _check_inplace_shape(self._array.shape, result._array.shape)
        return self._overwrite(result._array)

    def _compare_(self, ufunc, other, name):
        """self = (self ufunc other), as 1 and 0 in self's dtype; recorded with a zero gradient."""
        other = _comparable(other, name)
        result_shape = self._compare(ufunc, other)._array.shape  # (torch's error where the shapes clash)
        if result_shape != self._array.shape:
            _check_inplace_shape(self._array.shape, result_shape)
        operand = "tensor" if isinstance(other, Tensor) else "number"
        return self._inplace(E.comparisons_written_back[ufunc, operand], _raw(other) if operand == "number" else other)

    def eq_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.equal, other, "eq_")

    def ne_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.not_equal, other, "ne_")

    def lt_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.less, other, "lt_")

    def le_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.less_equal, other, "le_")

    def gt_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.greater, other, "gt_")

    def ge_(self, other: TensorLike) -> Tensor:
        return self._compare_(np.greater_equal, other, "ge_")

    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_

    def _logical_(self, out_of_place, other):
        """self = out_of_place(self, other) (logical_and, ...), as 1 and 0 in self's dtype. Not
        recorded, as in torch: a tensor in the graph keeps its grad_fn."""
        result = out_of_place(self, other)
        if result._array.shape != self._array.shape:
            _check_inplace_shape(self._array.shape, result._array.shape)
        return self._overwrite(result._array)

    def logical_and_(self, other: Tensor) -> Tensor:
        return self._logical_(Tensor.logical_and, other)

    def logical_or_(self, other: Tensor) -> Tensor:
        return self._logical_(Tensor.logical_or, other)

    def logical_xor_(self, other: Tensor) -> Tensor:
        return self._logical_(Tensor.logical_xor, other)

    def bitwise_and_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.bitwise_and, other)

    def bitwise_or_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.bitwise_or, other)

    def bitwise_xor_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.bitwise_xor, other)

    def bitwise_left_shift_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.left_shift, other)

    def bitwise_right_shift_(self, other: TensorLike) -> Tensor:
        return self._inplace_logical(np.right_shift, other)

    def bitwise_not_(self) -> Tensor:
        if self._array.dtype.kind not in "iub":
            raise NotImplementedError(f'"bitwise_not_cpu" not implemented for {_scalar_type(self)!r}')
        return self._overwrite(np.invert(self._array))

    def logical_not_(self) -> Tensor:
        """self = not self, as 1 and 0 in self's dtype. Not recorded, as in torch: a tensor in the
        graph keeps its grad_fn."""
        return self._overwrite(np.logical_not(self._array))

    # -------------------------------------------------------------- the augmented operators
    # Python falls back to x = x op y for an augmented operator a class does not define: each one
    # is the in-place op, as in torch, so views and aliases see the change and leaves are guarded.
    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_
    __ipow__, __ifloordiv__ = pow_, floor_divide_
    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_
    __ilshift__, __irshift__ = bitwise_left_shift_, bitwise_right_shift_

    def __imod__(self, other: TensorLike) -> Tensor:
        return self.remainder_(other)

    # -------------------------------------------------------------- unary functions in place
    # The in-place forms of unary math: x.log_() is x.log() written back into x (see _write_back),
    # so each keeps its out-of-place form's checks, gradient and grad_fn, and a floating result
    # is refused by an integer or bool tensor, as in torch.
    neg_, abs_, relu_, square_, reciprocal_ = map(_in_place_form, ("neg", "abs", "relu", "square", "reciprocal"))
    exp_, exp2_, expm1_, sqrt_, rsqrt_ = map(_in_place_form, ("exp", "exp2", "expm1", "sqrt", "rsqrt"))
    log_, log2_, log10_, log1p_ = map(_in_place_form, ("log", "log2", "log10", "log1p"))
    sin_, cos_, tan_, asin_, acos_, atan_ = map(_in_place_form, ("sin", "cos", "tan", "asin", "acos", "atan"))
    sinh_, cosh_, tanh_, asinh_, acosh_, atanh_ = map(_in_place_form,
                                                      ("sinh", "cosh", "tanh", "asinh", "acosh", "atanh"))
    sigmoid_, erf_, erfc_, sinc_ = map(_in_place_form, ("sigmoid", "erf", "erfc", "sinc"))
    deg2rad_, rad2deg_ = map(_in_place_form, ("deg2rad", "rad2deg"))
    arcsin_, arccos_, arctan_, arcsinh_, arccosh_, arctanh_ = asin_, acos_, atan_, asinh_, acosh_, atanh_
    negative_, absolute_ = neg_, abs_

    erfinv_, lgamma_, digamma_, i0_ = map(_in_place_form, ("erfinv", "lgamma", "digamma", "i0"))

    def logit_(self, eps: _float | None = None) -> Tensor:
        return self._write_back(lambda old: old.logit(eps))

    def polygamma_(self, n: _int) -> Tensor:
        n = _polygamma_order(n, "polygamma_")
        return self._write_back(lambda old: old.polygamma(n))

    def renorm_(self, p: _float, dim: _int, maxnorm: _float) -> Tensor:
        return self._write_back(lambda old: old.renorm(p, dim, maxnorm))

    def mvlgamma_(self, p: _int) -> Tensor:
        self._mvlgamma_input()  # (a bool tensor is refused before p is read, as in torch)
        p = _mvlgamma_dimension(p)
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"mvlgamma: result type {_scalar_type(self)} can't be cast to the desired output "
                               f"type {_dtype.scalar_type_name(_dtype.get_default_dtype().numpy)}")
        return self._inplace(SP.mvlgamma_primitive, p=p)

    def clamp_(self, min: Number | Tensor | None = None, max: Number | Tensor | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        _check_inplace_shape(self._array.shape, *(np.shape(_raw(b)) for b in (min, max) if b is not None))
        return self._inplace(E.clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min: Number | Tensor) -> Tensor:
        return self.clamp_(min=min)

    def clamp_max_(self, max: Number | Tensor) -> Tensor:
        return self.clamp_(max=max)

    def nan_to_num_(self, nan: _float = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        return self.copy_(self.nan_to_num(nan, posinf, neginf))

    def floor_(self) -> Tensor:
        return self._inplace(E.floor) if self._rounds("floor") else self

    def ceil_(self) -> Tensor:
        return self._inplace(E.ceil) if self._rounds("ceil") else self

    def trunc_(self) -> Tensor:
        return self._inplace(E.trunc) if self._rounds("trunc") else self

    fix_ = trunc_

    def round_(self, decimals: _int | None = None) -> Tensor:
        return self._inplace(E.round, decimals=decimals or 0) if self._rounds("round", decimals) else self

    def frac_(self) -> Tensor:
        if not self.is_floating_point():
            raise NotImplementedError(f'"frac_cpu" not implemented for {_scalar_type(self)!r}')
        return self._inplace(E.frac)

    def sign_(self) -> Tensor:
        return self._inplace(E.sign)

    def sgn_(self) -> Tensor:
        return self._inplace(E.sgn)

    # -------------------------------------------------------------- shape in place
    # t_, transpose_, squeeze_, unsqueeze_ change the tensor's dims, not its values: self takes
    # the out-of-place view's shape and strides (and, in the graph, its grad_fn), so a view of
    # another tensor may be reshaped so too. As in torch the version counter moves, so that a
    # graph that saved the old tensor refuses to run backward.
    def _reshape_in_place(self, view):
        if self._grad_fn is None and self._requires_grad and _grad_mode.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        result = view(self)
        self._array = result._array
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
        self._version_counter[0] += 1
        return self

    def as_strided_(self, size: SizeLike, stride: SizeLike, storage_offset: _int | None = None) -> Tensor:
        """Make this tensor the view self.as_strided(size, stride, storage_offset) of its own memory."""
        if self._requires_grad and self._grad_fn is None and _grad_mode.enabled:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        base = self._base if self._base is not None else Tensor._wrap(self._array, None, self._version_counter)
        self._reshape_in_place(lambda x: _as_strided(x, ST.as_strided_in_place, size, stride, storage_offset))
        self._base, self._view_of = base, base._grad_fn  # from now on, a view of the memory it had
        return self

    def resize_(self, *sizes: _int | SizeLike) -> Tensor:
        """Give this tensor the shape `sizes`, its memory read again in C order from where the tensor
        starts. The elements already in memory keep their values; where more memory is needed the
        tensor gets a longer copy of its memory, the new elements zero (torch leaves them
        uninitialised). The same shape leaves the tensor as it is, strides included, as in torch."""
        shape = _sizes(sizes, None, "resize_", "size")
        if builtins.any(n < 0 for n in shape):
            raise RuntimeError(f"resize_: a size cannot be negative, got {list(shape)}")
        if self._requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        if shape == self._array.shape:
            return self
        storage, offset = _storage(self), self.storage_offset()
        strides = dense_strides(shape, range(len(shape) - 1, -1, -1))
        needed = ST.storage_size(shape, strides, offset)
        grown = needed > storage.size
        if grown:  # NumPy cannot grow memory that others may hold: a longer copy of it
            longer = np.zeros(needed, self._array.dtype)
            longer[:storage.size] = storage
            storage = longer
        if grown or self._base is None:
            # from now on a view of its whole memory, which a smaller shape does not shrink (a later
            # resize_ back finds the old values, as in torch), at the same offset into it
            self._base, self._view_of = Tensor._wrap(storage, None, self._version_counter), None
        self._array = ST.strided_view(storage, shape, strides, offset)
        self._version_counter[0] += 1
        return self

    def resize_as_(self, the_template: Tensor) -> Tensor:
        """resize_ to the_template's shape."""
        if not isinstance(the_template, Tensor):
            raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                            f"{type(the_template).__name__}")
        return self.resize_(the_template.shape)

    def t_(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self._reshape_in_place(lambda x: apply(S.t_in_place, x, axes=tuple(reversed(range(x.ndim)))))

    def transpose_(self, dim0: _int, dim1: _int) -> Tensor:
        return self._reshape_in_place(lambda x: x._transposed(dim0, dim1, S.transpose_in_place))

    def swapaxes_(self, axis0: _int, axis1: _int) -> Tensor:
        return self.transpose_(axis0, axis1)

    def swapdims_(self, dim0: _int, dim1: _int) -> Tensor:
        return self.transpose_(dim0, dim1)

    def squeeze_(self, dim: Dims | None = None) -> Tensor:
        return self._reshape_in_place(
            lambda x: x._squeezed(dim, (S.squeeze_in_place, S.squeeze_dim_in_place, S.squeeze_dims_in_place)))

    def unsqueeze_(self, dim: _int) -> Tensor:
        return self._reshape_in_place(lambda x: x._unsqueezed(dim, S.unsqueeze_in_place))

    def tril_(self, diagonal: _int = 0) -> Tensor:
        return self._write_back(lambda old: old.tril(diagonal))

    def triu_(self, diagonal: _int = 0) -> Tensor:
        return self._write_back(lambda old: old.triu(diagonal))

    def fill_diagonal_(self, fill_value: Number | Tensor, wrap: _bool = False) -> Tensor:
        """Write fill_value on the main diagonal, the elements whose indices are all equal. A 2-D
        tensor taller than wide has its diagonal end at the last column; with wrap it starts again
        one row below, every (width + 1)-th element in row-major order, as torch (and NumPy's
        fill_diagonal) do. A tensor of more dims must have all its dims of one size."""
        if self.ndim < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(set(self._array.shape)) > 1 and self.ndim > 2:
            raise RuntimeError(f"all dimensions of input must be of equal length, got {list(self._array.shape)}")
        value = _fitted_number(_fill_value(fill_value, "fill_diagonal_"), self._array.dtype)
        positions = self._diagonal_positions(wrap)
        values = np.full(positions[0].shape, value, dtype=self._array.dtype)
        if self._grad_fn is not None and _grad_mode.enabled:  # in the graph: a zero gradient on the diagonal
            return self._inplace(I.index_put, values, index=positions)
        self._check_inplace()
        self._array[positions] = values
        self._version_counter[0] += 1
        return self

    def _diagonal_positions(self, wrap):
        """The indices, one array per dim, of the elements fill_diagonal_ writes."""
        if self.ndim > 2:
            return (np.arange(self._array.shape[0]),) * self.ndim
        rows, columns = self._array.shape
        flat = np.arange(0, rows * columns, columns + 1)  # row-major: one row down and one column right
        if not wrap:
            flat = flat[:builtins.min(rows, columns)]
        return np.divmod(flat, columns) if columns else (flat, flat)

    # -------------------------------------------------------------- fills
    def zero_(self) -> Tensor:
        return self._fill_raw(0)

    def fill_(self, value: Number | Tensor) -> Tensor:
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        if isinstance(value, Tensor) and value._requires_grad and _grad_mode.enabled:
            return self.copy_(value)  # every element is the value: its gradient is the sum of theirs
        return self._fill_raw(_fitted_number(_fill_value(value, "fill_", "value", 1), self._array.dtype))

    def copy_(self, src: TensorLike, non_blocking: _bool = False) -> Tensor:
        src_array = _raw(src)
        _check_inplace_shape(self._array.shape, np.shape(src_array))
        if isinstance(src, Tensor) and src._requires_grad and _grad_mode.enabled:
            self._check_inplace()
            # self[...] = src; broadcast before casting, so src's gradient is summed in its own dtype
            source = src if src._array.shape == self._array.shape else src.expand(self.shape)
            return self._inplace(I.index_put, source._cast(self._array.dtype), index=Ellipsis)
        return self._fill_raw(src_array)

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, generator: Generator | None = None) -> Tensor:
        self._refuse_non_floating("check_uniform_bounds")  # (integers would keep the draws' integer parts only)
        return self._fill_raw(_uniform(a, b, self._array.shape, generator))

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, generator: Generator | None = None) -> Tensor:
        self._refuse_non_floating("normal_kernel_cpu")
        return self._fill_raw(_normal(mean, std, self._array.shape, generator))

    def exponential_(self, lambd: _float = 1.0, *, generator: Generator | None = None) -> Tensor:
        """Fill with draws from the exponential distribution of rate lambd (mean 1 / lambd)."""
        values = _exponential(lambd, self._array.shape, generator)  # (the argument is checked first, as in torch)
        self._refuse_discrete("Exponential", _dtype.scalar_type_name(self._array.dtype))
        return self._fill_drawn("Exponential", values)

    def geometric_(self, p: _float, *, generator: Generator | None = None) -> Tensor:
        """Fill with the number of trials up to the first success, each one a success with probability p
        (1, 2, ...: integer tensors allowed, as in torch)."""
        values = _geometric(p, self._array.shape, generator)
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
        return self._fill_drawn("Geometric", values)

    def cauchy_(self, median: _float = 0.0, sigma: _float = 1.0, *, generator: Generator | None = None) -> Tensor:
        """Fill with draws from the Cauchy distribution centred on median, of half width sigma."""
        values = _cauchy(median, sigma, self._array.shape, generator)
        self._refuse_discrete("Cauchy", _C_TYPE_NAMES.get(self._array.dtype.name))
        return self._fill_drawn("Cauchy", values)

    def log_normal_(self, mean: _float = 1.0, std: _float = 2.0, *, generator: Generator | None = None) -> Tensor:
        """Fill with exp(v), v drawn from N(mean, std^2): mean and std are those of the log."""
        values = _log_normal(mean, std, self._array.shape, generator)
        self._refuse_non_floating("log_normal_cpu")
        return self._fill_drawn("LogNormal", values)

    def _refuse_discrete(self, distribution, type_name):
        """torch's error for a continuous distribution drawn into an integer or bool tensor."""
        if self._array.dtype.kind != "f":
            raise RuntimeError(f"{distribution} distribution is a continuous probability distribution. dtype must be "
                               f"a floating point but you specified {type_name}")

    def _fill_drawn(self, distribution, values):
        """_fill_raw for a random fill, whose node on a tensor in the graph torch names after the distribution."""
        self._check_inplace()
        if self._grad_fn is not None and _grad_mode.enabled:
            return self._inplace(I.RANDOM_FILLS[distribution], np.asarray(values, dtype=self._array.dtype))
        return self._fill_raw(values)

    def _refuse_non_floating(self, kernel):
        """torch's NotImplementedError, naming its kernel, for an op it has for floating tensors only."""
        if self._array.dtype.kind != "f":
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.scalar_type_name(self._array.dtype)}\'')

    def bernoulli_(self, p: _float | Tensor = 0.5, generator: Generator | None = None) -> Tensor:
        return self._fill_raw(_bernoulli(_raw(p), self._array.shape, generator))

    def random_(self, low: _int = 0, high: _int | None = None, generator: Generator | None = None) -> Tensor:
        if high is None:
            low, high = 0, low if low else 2 ** 24
        return self._fill_raw(_numpy_rng(generator).integers(low, high, self._array.shape))

    def apply_(self, fn: Callable[[Any], Number]) -> Tensor:
        """Replace each element x by fn(x), fn called on each element as a Python number: a loop in
        Python, as in torch (for small tensors and experiments, never inside a model)."""
        return self._map_elements("apply_", fn, {})

    def map_(self, tensor: Tensor, callable: Callable[[Any, Any], Number]) -> Tensor:
        """Replace each element x by callable(x, t), t the matching element of `tensor` (broadcast
        to this tensor's shape), as apply_ does."""
        return self._map_elements("map_", callable, {"other": tensor})

    def map2_(self, x: Tensor, y: Tensor, callable: Callable[[Any, Any, Any], Number]) -> Tensor:
        """Replace each element e by callable(e, a, b), a and b the matching elements of x and y."""
        return self._map_elements("map2_", callable, {"x": x, "y": y})

    def _map_elements(self, name, fn, others):
        if self._requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
                               "instead.")
        arrays = [self._array]
        for argument, other in others.items():
            if other._array.dtype != self._array.dtype:
                raise TypeError(f"{name}: expected {self.type()} for "
                                f"{'argument ' if name == 'map2_' else ''}'{argument}' (got {other.type()})")
            arrays.append(other.expand(self.shape)._array)
        values = [fn(*elements) for elements in zip(*(a.ravel().tolist() for a in arrays))]
        bad = next((v for v in values if not isinstance(v, (numbers.Number, np.generic))), None)
        if bad is not None:
            raise TypeError(f"{name}: the function must return a number for each element, got "
                            f"{type(bad).__name__} {bad!r}")
        return self._fill_raw(np.array(values, dtype=self._array.dtype).reshape(self._array.shape))


# The C names of the element types, as some of torch's messages spell them
_C_TYPE_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                 "uint8": "unsigned char", "bool": "bool"}


def _refuse_cast(result_dtype, own_dtype):
    """torch's error for an in-place op whose result would lose its kind in the tensor's dtype."""
    raise RuntimeError(f"result type {_dtype.scalar_type_name(np.dtype(result_dtype))} can't be cast to the "
                       f"desired output type {_dtype.scalar_type_name(own_dtype)}")
