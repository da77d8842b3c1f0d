"""ArithmeticMethods: Python's arithmetic operators and the elementwise functions of two operands.

+ - * / // % ** @ and their reflected forms (2 * x is x.__rmul__(2)), add, sub, mul, div,
pow, remainder, fmod, float_power, and the other functions of two tensors taken element by
element: maximum, minimum, fmax, fmin, atan2, hypot, xlogy, igamma, igammac, copysign, ldexp,
nextafter, logaddexp, logaddexp2, gcd, lcm, heaviside, and addcmul, addcdiv, lerp.

Every method normalises torch's arguments, promotes the operands to torch's result dtype
(`_promote`, in operands.py) and calls apply(primitive, ...). The operators + - * / are made
by `_arithmetic`, one function per operator, so that x * 0.5, the commonest op of a training
step, costs a single Python call before it is recorded; the float itself becomes a ready
0-d array of the tensor's dtype, made once per value (`_constant`, kept in `_float_constants`).
Their in-place forms (add_, ..., x += y) are in in_place.py.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _broadcast_message, _broadcast_shape
from minigrad._ops import elementwise as E
from minigrad._ops import representation as REP
from minigrad._ops import special as SP
from minigrad._ops.registry import ignore_numpy_errors, restore_numpy_errors
from minigrad._tensor.operands import (_as_tensor, _both_bool, _check_no_bool_subtraction, _is_scalar, _lerp_step,
                                       _promote, _python_number, _raw, _refuse_bool_kernel, _scalar_type, _tensor_operand, _where,
                                       apply)
from minigrad._types import Number
from minigrad.autograd.recorder import record_with_constant

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


def _arithmetic(name, primitive):
    """The method self + other (or -, *, / for `primitive`), made once for each operator so that
    x * 0.5 costs one Python call before the op is recorded. A Python float with a float32 or
    float64 tensor, the most common case, needs no promotion: the float becomes a constant of
    the tensor's dtype."""
    def method(self: Tensor, other: TensorLike) -> Tensor:
        if type(other) is float:
            constants = _float_constants.get(self._array.dtype)  # None unless float32 or float64
            if constants is not None:
                constant = constants.get(other)
                if constant is None:
                    constant = _constant(other, self._array.dtype)
                return record_with_constant(primitive, self, constant)
        if primitive is E.sub:
            _check_no_bool_subtraction(self, other)
        return self._binary(primitive, other)

    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    return method


class ArithmeticMethods:
    """Python's arithmetic operators and the elementwise functions of two operands."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def _binary(self, primitive, other, reverse=False):
        a, b = _promote(self, other, primitive is E.div)
        try:
            if reverse:
                return apply(primitive, b, a)
            if type(b) is float or type(b) is int:
                return _with_number(primitive, a, b)
            return apply(primitive, a, b)
        except ValueError:
            _broadcast_shape(self._array.shape, np.shape(_raw(b)))  # torch's error where the shapes clash
            raise  # any other complaint from NumPy is a bug to see, not a broadcast error

    __add__ = _arithmetic("__add__", E.add)

    def __radd__(self, other: TensorLike) -> Tensor:
        return self._binary(E.add, other, reverse=not _is_scalar(other))  # 1 + x is recorded as x + 1

    __sub__ = _arithmetic("__sub__", E.sub)

    def __rsub__(self, other: TensorLike) -> Tensor:
        _check_no_bool_subtraction(self, other)
        if _is_scalar(other):  # torch's rsub: the number is not an input of the node
            a, b = _promote(self, other)
            return apply(E.rsub, a, other=b)
        return self._binary(E.sub, other, reverse=True)

    __mul__ = _arithmetic("__mul__", E.mul)

    def __rmul__(self, other: TensorLike) -> Tensor:
        return self._binary(E.mul, other, reverse=not _is_scalar(other))  # 2 * x is recorded as x * 2

    __truediv__ = _arithmetic("__truediv__", E.div)

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        if _is_scalar(other):  # as torch records it: c / x = (1 / x) * c
            a, b = _promote(self, other, true_division=True)
            return _with_number(E.mul, apply(E.reciprocal, a), b)
        return self._binary(E.div, other, reverse=True)

    def __pow__(self, exponent: TensorLike) -> Tensor:
        if _is_scalar(exponent):
            if self._array.dtype.kind in "iub" and isinstance(exponent, numbers.Integral):
                if exponent < 0:
                    raise RuntimeError("Integers to negative integer powers are not allowed.")
                if _both_bool(self, exponent):  # x ** True is x, x ** False is True: bool, as torch keeps it
                    return Tensor._wrap(np.logical_or(self._array, not exponent))
            base = self if self.is_floating_point() or isinstance(exponent, numbers.Integral) else self.float()
            return apply(E.pow_scalar, base, exponent=exponent.item() if isinstance(exponent, np.generic) else exponent)
        _refuse_bool_kernel(self, exponent, "pow")
        return self._binary(E.pow, exponent)

    def __rpow__(self, base: TensorLike) -> Tensor:
        if _is_scalar(base) and (self.is_floating_point() or isinstance(base, float)):
            a, b = _promote(self, base)  # c ** x: the number is not an input of the node (torch's PowBackward2)
            return apply(E.pow_scalar_base, a, base=b)
        _refuse_bool_kernel(self, base, "pow")
        return self._binary(E.pow, base, reverse=True)

    def __floordiv__(self, other: TensorLike) -> Tensor:
        return self._integer_division(E.floor_divide, other)

    def __mod__(self, other: TensorLike) -> Tensor:
        return self.remainder(other)

    def __rfloordiv__(self, other: TensorLike) -> Tensor:
        return self._integer_division(E.floor_divide, other, reverse=True)

    def __rmod__(self, other: TensorLike) -> Tensor:
        return self._integer_division(E.number_remainder, other, reverse=True)

    def _integer_division(self, primitive, other, reverse=False, **params):
        """x // y or div(rounding_mode=) on the promoted operands (other // x, other % x with
        reverse), with torch's errors: shapes that do not broadcast, two bools (torch has no
        kernel for them), and integer division by zero. Floats divide by zero silently (inf or
        nan)."""
        a, b = _promote(self, other)
        _broadcast_shape(a._array.shape, np.shape(_raw(b)))
        if a._array.dtype.kind in "iub":
            rounding = params.get("rounding_mode", "floor")
            _refuse_bool_kernel(self, other, "remainder_cpu" if primitive is E.number_remainder else f"div_{rounding}_cpu")
            if np.any(np.asarray(_raw(a if reverse else b)) == 0):
                raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        return apply(primitive, b, a, **params) if reverse else apply(primitive, a, b, **params)

    def __neg__(self) -> Tensor:
        if self._array.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                               "to invert a mask, use the `~` or `logical_not()` operator instead.")
        return apply(E.neg, self)

    def __pos__(self) -> Tensor:
        if self._array.dtype == np.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    positive = __pos__

    def __abs__(self) -> Tensor:
        return self.abs()

    def __matmul__(self, other: TensorLike) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return _as_tensor(other).matmul(self)

    def add(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        return self + self._scaled(other, alpha)

    def sub(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        _check_no_bool_subtraction(self, other)
        return self - self._scaled(other, alpha)

    def _scaled(self, other, alpha):
        """other * alpha for add/sub(other, alpha=): as in torch, alpha takes no part in type
        promotion (the result has the dtype of self + other), a bool result adds other where alpha
        is true, and a float alpha needs a floating result."""
        alpha = _python_number(alpha)
        if type(alpha) is int and alpha == 1:
            return other
        target = _promote(self, other)[0]._array.dtype
        if isinstance(alpha, (bool, np.bool_)) and target != np.bool_:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        if target.kind in "iub" and isinstance(alpha, (float, np.floating)):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
        if target == np.bool_:
            return other & builtins.bool(alpha)
        other = other._cast(target) if isinstance(other, Tensor) else other
        return other * alpha

    def mul(self, other: TensorLike) -> Tensor:
        return self * other

    def div(self, other: TensorLike, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self / other
        if rounding_mode in ("floor", "trunc"):
            return self._integer_division(E.div_rounding, other, rounding_mode=rounding_mode)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")

    multiply, divide, subtract, true_divide = mul, div, sub, div

    def pow(self, exponent: TensorLike) -> Tensor:
        return self ** exponent

    def neg(self) -> Tensor:
        return -self

    negative = neg

    def reciprocal(self) -> Tensor:
        return apply(E.reciprocal, _promote(self, 1, true_division=True)[0])

    def square(self) -> Tensor:
        """pow(self, 2), as torch records it (a bool tensor is squared into int64)."""
        return self ** 2

    def floor_divide(self, other: TensorLike) -> Tensor:
        return self // other

    def remainder(self, other: TensorLike) -> Tensor:
        """self - floor(self / other) * other: the remainder with the sign of other, as Python's %."""
        a, b = _promote(self, other)
        if a._array.dtype.kind in "iub":
            _refuse_bool_kernel(self, other, "remainder_cpu")
            if np.any(np.asarray(_raw(b)) == 0):
                raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        try:
            return apply(E.remainder if isinstance(b, Tensor) else E.remainder_scalar, a, b)
        except ValueError as error:
            raise RuntimeError(_broadcast_message(a._array.shape, np.shape(_raw(b)))) from error

    def fmod(self, other: TensorLike) -> Tensor:
        """self - trunc(self / other) * other: the remainder with the sign of self, as C's fmod."""
        a, b = _promote(self, other)
        _broadcast_shape(a._array.shape, np.shape(_raw(b)))
        result_type = np.result_type(a._array, _raw(b))
        if result_type == np.bool_:
            raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
        if result_type.kind in "iu" and np.any(np.asarray(_raw(b)) == 0):
            raise RuntimeError("ZeroDivisionError")  # integer division by zero, as torch reports it
        return apply(E.fmod if isinstance(b, Tensor) else E.fmod_scalar, a, b)

    def float_power(self, exponent: TensorLike) -> Tensor:
        """self ** exponent computed in float64, whatever the dtypes of self and exponent."""
        if isinstance(exponent, Tensor):
            exponent = exponent._cast(np.dtype(np.float64))
        return self._cast(np.dtype(np.float64)).pow(exponent)

    # -------------------------------------------------------------- the elementwise functions of two tensors
    def maximum(self, other: Tensor) -> Tensor:
        """The elementwise maximum of two tensors (other is a tensor, as in torch: clamp(min=c)
        takes a number)."""
        return _maximum(self, _tensor_operand(other, "maximum"))

    def minimum(self, other: Tensor) -> Tensor:
        return _minimum(self, _tensor_operand(other, "minimum"))

    def fmax(self, other: Tensor) -> Tensor:
        """The elementwise maximum that ignores a NaN where the other value is a number; the
        gradient goes to the value taken (to self on a tie), as in torch."""
        return self._nan_ignoring_extreme(other, np.greater_equal, "fmax")

    def fmin(self, other: Tensor) -> Tensor:
        return self._nan_ignoring_extreme(other, np.less_equal, "fmin")

    def _nan_ignoring_extreme(self, other, prefers_self, name):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
        a, b = _promote(self, other)
        pick_self = prefers_self(a._array, b._array) | np.isnan(b._array)  # (a NaN in both: self's NaN)
        return _where(Tensor._wrap(np.asarray(pick_self)), a, b)

    def _floating_binary(self, primitive, other):
        """primitive(self, other) on floats (integers promote as in true division), with torch's
        error where the shapes do not broadcast."""
        a, b = _promote(self, other, true_division=True)
        b = b if isinstance(b, Tensor) else Tensor._wrap(np.asarray(b, dtype=a._array.dtype))
        _broadcast_shape(a._array.shape, b._array.shape)
        return apply(primitive, a, b)

    def atan2(self, other: TensorLike) -> Tensor:
        """The angle of the point (other, self) in (-pi, pi]: atan(self / other) in the right quadrant."""
        return self._floating_binary(E.atan2, _tensor_operand(other, "atan2"))

    arctan2 = atan2

    def hypot(self, other: TensorLike) -> Tensor:
        """sqrt(self^2 + other^2), the length of the vector (self, other), finite where the squares overflow."""
        other = _tensor_operand(other, "hypot")
        result_dtype = _promote(self, other)[0]._array.dtype
        if result_dtype.kind != "f":  # torch has no integer kernel for it
            raise NotImplementedError(f'"hypot_cpu" not implemented for {_dtype.scalar_type_name(result_dtype)!r}')
        return self._floating_binary(E.hypot, other)

    def igamma(self, other: Tensor) -> Tensor:
        """The regularized lower incomplete gamma function P(self, other), self the shape a and
        other the point x: the probability that a Gamma(a, 1) variable is at most x. Floating
        tensors only, as in torch; the gradient is in other alone (torch has none in self)."""
        return self._incomplete_gamma(SP.igamma_primitive, _tensor_operand(other, "igamma"), "igamma")

    def igammac(self, other: Tensor) -> Tensor:
        """The regularized upper incomplete gamma function Q(self, other) = 1 - P(self, other),
        computed directly where it is small."""
        return self._incomplete_gamma(SP.igammac_primitive, _tensor_operand(other, "igammac"), "igammac")

    def _incomplete_gamma(self, primitive, other, name):
        result_dtype = _promote(self, other)[0]._array.dtype
        if result_dtype.kind != "f":  # torch has no integer or bool kernel for them
            raise NotImplementedError(f'"{name}_cpu" not implemented for {_dtype.scalar_type_name(result_dtype)!r}')
        return self._floating_binary(primitive, other)

    def xlogy(self, other: TensorLike) -> Tensor:
        """self * log(other), and 0 where self is 0 (unless other is NaN)."""
        return self._floating_binary(E.xlogy, other)

    def copysign(self, other: TensorLike) -> Tensor:
        """|self| with the sign of other (the sign bit: -0.0 counts as negative); integers compute
        in floats."""
        if _is_scalar(other):
            return apply(REP.copysign_scalar, self._floating(), float(other))
        return self._floating_binary(REP.copysign, other)

    def ldexp(self, other: Tensor) -> Tensor:
        """self * 2 ** other."""
        return self._floating_binary(REP.ldexp, _tensor_operand(other, "ldexp"))

    def nextafter(self, other: Tensor) -> Tensor:
        """The next floating-point number after self in the direction of other."""
        a, b = self._float_operands(other, "nextafter")
        return apply(REP.nextafter, a, b)

    def logaddexp(self, other: Tensor) -> Tensor:
        """log(e^self + e^other), finite where e^self would overflow."""
        a, b = self._float_operands(other, "logaddexp")
        return apply(REP.logaddexp, a, b)

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log2(2 ** self + 2 ** other), finite where the powers would overflow."""
        a, b = self._float_operands(other, "logaddexp2")
        return apply(REP.logaddexp2, a, b)

    def _float_operands(self, other, name):
        """self and the tensor other, promoted together, for an op torch has for floating dtypes only."""
        a, b = _promote(self, _tensor_operand(other, name))
        if a._array.dtype.kind != "f":
            raise NotImplementedError(f'"{name}_cpu" not implemented for {_scalar_type(a)!r}')
        _broadcast_shape(a._array.shape, b._array.shape)
        return a, b

    def gcd(self, other: Tensor) -> Tensor:
        """The greatest common divisor of integer tensors (non-negative, 0 for gcd(0, 0))."""
        return Tensor._wrap(np.asarray(np.gcd(*self._integer_operands(other, "gcd"))))

    def lcm(self, other: Tensor) -> Tensor:
        """The least common multiple of integer tensors (non-negative, 0 where either is 0)."""
        return Tensor._wrap(np.asarray(np.lcm(*self._integer_operands(other, "lcm"))))

    def _integer_operands(self, other, name):
        """The arrays of self and the tensor other, promoted together, for an integer-only op."""
        a, b = _promote(self, _tensor_operand(other, name))
        if a._array.dtype.kind not in "iu":
            raise NotImplementedError(f'"{name}_cpu" not implemented for {_scalar_type(a)!r}')
        _broadcast_shape(a._array.shape, b._array.shape)
        return a._array, b._array

    def heaviside(self, values: Tensor) -> Tensor:
        """values where self == 0, 1 where self > 0 and 0 where self < 0 (also at nan); no derivative."""
        return apply(E.heaviside, *self._heaviside_operands(values))

    def _heaviside_operands(self, values):
        if not isinstance(values, Tensor):
            raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
        if values._array.dtype != self._array.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
        _broadcast_shape(self._array.shape, values._array.shape)
        return self, values

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value * tensor1 * tensor2, as Adam updates its second moment."""
        return self + tensor1 * tensor2 * value

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value * tensor1 / tensor2, as Adam takes its step."""
        return self + tensor1 / tensor2 * value

    def lerp(self, end: Tensor, weight: Number | Tensor) -> Tensor:
        """self + weight * (end - self): the point `weight` of the way from self to end (an
        exponential moving average moves so). Its gradients: 1 - weight for self, weight for
        end, end - self for a tensor weight."""
        return self + _lerp_step(self, end, weight, "lerp")


def _maximum(a, b):
    """The elementwise maximum of the tensor a and of b, a tensor, an array or a number. NumPy's
    np.maximum on tensors comes here (the VJP rules call it on tensors when backward is recorded,
    np.maximum(x, 0) say), where Tensor.maximum takes a tensor only, as torch's does."""
    return a._binary(E.maximum, _as_tensor(b))


def _minimum(a, b):
    return a._binary(E.minimum, _as_tensor(b))


def _logaddexp(a, b):
    """np.logaddexp on tensors (and arrays or numbers): the method, on both as tensors."""
    return _as_tensor(a).logaddexp(_as_tensor(b))


# Python floats met as operands of float32 and float64 tensors, as read-only 0-d arrays: one
# table per dtype, so that finding one costs two dictionary lookups (see _constant).
_FLOAT16, _FLOAT32 = np.dtype(np.float16), np.dtype(np.float32)
_float_constants = {_FLOAT32: {}, np.dtype(np.float64): {}}
CONSTANTS_KEPT = 4096
# float16 times or over a number: computed in float32 and rounded once, as torch computes it.
_IN_FLOAT32 = {E.mul: E.mul_in_float32, E.div: E.div_in_float32}


def _with_number(primitive, a, number):
    """primitive applied to the tensor `a` and a Python number (after promotion), as torch computes it."""
    primitive, operand = _number_operand(primitive, a._array.dtype, number)
    return record_with_constant(primitive, a, operand)


def _number_operand(primitive, dtype, number):
    """The primitive and the operand for a tensor of `dtype` and a Python number: on a floating
    tensor the number is a ready constant of its dtype (see _constant), except that a float16
    tensor is multiplied or divided in float32 and the result rounded once."""
    if dtype is _FLOAT16 and primitive in _IN_FLOAT32:
        return _IN_FLOAT32[primitive], _constant(number, _FLOAT32)
    if type(number) is float and dtype.kind == "f":
        return primitive, _constant(number, dtype)
    return primitive, number


def _constant(number, dtype):
    """The Python number `number` as a read-only 0-d array of the floating `dtype`, made once per
    value for float32 and float64.

    NumPy computes float32_array * 0.5 exactly as float32_array * float32(0.5) (NumPy 2 casts a
    Python float to the array's dtype), but it converts the Python number again at every call:
    on the small arrays of a long chain of ops, a ready operand of the right dtype makes the
    multiplication faster (0.36 us against 0.6 on 16 elements), here and again in its gradient
    (g * 0.5). Zero (0.0 == -0.0) and NaN (never equal to itself) are made afresh rather than kept.
    """
    constants = _float_constants.get(dtype)
    array = None if constants is None else constants.get(number)
    if array is None:
        token = ignore_numpy_errors()  # 1e40 in float32 is inf, silently, as in the op itself
        try:
            array = np.array(number, dtype=dtype)
        finally:
            restore_numpy_errors(token)
        array.flags.writeable = False
        if constants is not None and number and number == number:
            if len(constants) >= CONSTANTS_KEPT:
                constants.clear()
            constants[number] = array
    return array
