"""What the method families share: `apply`, and the helpers that read and check operands.

Every family records its ops through `apply` (autograd's `record`). The helpers here turn
the other operand of a method into what the primitive takes, as torch would: `_promote` casts
two operands to torch's result dtype (a Python number stays a number, weakly typed, as in
torch), `_as_tensor` and `_raw` move between tensors and arrays, `_fitted_number` fits a
Python number to the dtype it is written into, `_where` is torch.where for tensors, and the
checks raise torch's errors for operands torch refuses (a bool in a subtraction, a number
where a tensor is due). A helper that one family alone uses lives in that family's module.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _broadcast_message, _check_inplace_shape
from minigrad._data import _infer
from minigrad._ops import elementwise as E
from minigrad.autograd.recorder import record

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


apply = record  # every op of the shell runs and records its primitive through this one function
# (or, for a tensor with a number, through record_with_constant: the same record, made shorter)


def _tensor_operand(other, name):
    """other, for a binary function that torch defines between two tensors only: a number (or an
    array) raises torch's TypeError, where most binary ops would take it."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' must be Tensor, not {type(other).__name__}")
    return other


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _fitted_number(number, dtype):
    """A Python number as torch writes it into a tensor of `dtype` (fill_, x[i] = number): into an
    integer dtype a float loses its fraction, and NaN, inf or a number out of the dtype's range
    raise torch's error (NumPy would raise its own OverflowError or ValueError), as does a finite
    number beyond float32's range for a float32 tensor (NumPy would warn and write inf)."""
    if dtype == np.float32 and isinstance(number, (int, float)) and math.isfinite(number) \
            and abs(number) > _FLOAT32_MAX:  # (torch checks float32 only: float16 becomes inf)
        raise RuntimeError("value cannot be converted to type float without overflow")
    if dtype == np.float16:
        with np.errstate(over="ignore"):  # beyond float16's range: inf, quietly as in torch
            return np.float16(number)
    if dtype.kind not in "iu" or isinstance(number, (bool, np.bool_)):
        return number
    if isinstance(number, (float, np.floating)):
        if not math.isfinite(number):
            raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without overflow")
        number = int(number)
    return _integer_bound(int(number), dtype)


def _integer_bound(bound, integer_dtype):
    """A Python int bound of clamp as torch takes it for an integer tensor: it must fit the dtype
    (for an unsigned one, a negative bound down to -max wraps around: -1 is 255 in uint8)."""
    info = np.iinfo(integer_dtype)
    lowest = -int(info.max) if integer_dtype.kind == "u" else int(info.min)
    if not lowest <= bound <= info.max:
        raise RuntimeError(f"value cannot be converted to type {integer_dtype.name}_t without overflow")
    return _wrapped(bound, integer_dtype)


def _lerp_step(start, end, weight, name):
    """weight * (end - start), the step lerp adds to start. As in torch, `end` must be a tensor of
    start's dtype, a tensor weight too, and that dtype a floating one."""
    if not isinstance(end, Tensor):
        raise TypeError(f"{name}(): argument 'end' must be Tensor, not {type(end).__name__}")
    dtype = start._array.dtype
    for argument, value in (("end", end), ("weight", weight)):
        if isinstance(value, Tensor) and value._array.dtype != dtype:
            raise RuntimeError(f"expected dtype {_C_TYPE_NAMES.get(dtype.name, dtype.name)} for `{argument}` but got "
                               f"dtype {_C_TYPE_NAMES.get(value._array.dtype.name, value._array.dtype.name)}")
    if dtype.kind != "f":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype.scalar_type_name(dtype)}'")
    return (end - start) * weight


# The C++ names of the dtypes, as some of torch's messages give them.
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
                 "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _where(condition, x, y):
    """x where condition holds, else y: torch.where(condition, x, y) for a tensor x or y."""
    cond = np.asarray(_raw(condition))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_dtype.from_numpy(cond.dtype)}")
    if isinstance(x, Tensor):
        x, y = _promote(x, y)
    else:
        y, x = _promote(_as_tensor(y), x)
    try:
        return apply(E.where, x, y, condition=cond)
    except ValueError as error:
        shapes = [np.shape(_raw(a)) for a in (cond, x, y)]
        try:
            joined = np.broadcast_shapes(shapes[0], shapes[1])
        except ValueError:
            raise RuntimeError(_broadcast_message(shapes[0], shapes[1])) from error
        raise RuntimeError(_broadcast_message(joined, shapes[2])) from error


def _both_bool(a, b):
    """Whether the tensor a and the operand b (a tensor or a Python bool) are both bool."""
    return a._array.dtype == np.bool_ and (type(b) is bool or isinstance(b, Tensor) and b._array.dtype == np.bool_)


def _refuse_bool_kernel(a, b, kernel, in_place=False):
    """torch has no bool kernel for //, % and ** (nor div with a rounding mode): between two bools
    they raise NotImplementedError naming torch's kernel, where NumPy would compute in int8. A bool
    with an integer or a float promotes first and is computed. In place, a result that would not
    fit a's shape is reported first, as torch checks that before the kernel."""
    if _both_bool(a, b):
        if in_place and isinstance(b, Tensor) and b._array.shape != a._array.shape:
            _check_inplace_shape(a._array.shape, b._array.shape)
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _scalar_type(tensor):
    """torch's name of the tensor's dtype in its messages: 'Long', 'Float', ..."""
    return _dtype.scalar_type_name(tensor._array.dtype)


def _raw(x):
    return x._array if isinstance(x, Tensor) else x


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    return Tensor._wrap(_infer(x))


def _promote(a, b, true_division=False):
    """Cast the operands of a binary op (a is a Tensor) to torch's result dtype.

    Python numbers stay Python numbers, so NumPy treats them as weakly typed exactly
    as torch does (float32 * 2.0 is float32). Only the cases where NumPy and torch
    disagree cost a cast.
    """
    if isinstance(b, Tensor):
        da, db = a._array.dtype, b._array.dtype
        if da is not db and da != db:
            target = _dtype.result_type(da, a._array.ndim == 0, db, b._array.ndim == 0)
            a, b = a._cast(target), b._cast(target)
    elif _is_scalar(b):
        b = _python_number(b)
        if isinstance(b, (float, np.floating)) and a._array.dtype.kind != "f":
            a = a._cast(_dtype.get_default_dtype().numpy)
        elif isinstance(b, complex):
            raise TypeError("minigrad does not support complex numbers")
        elif type(b) is int and a._array.dtype.kind in "iu" and not true_division:
            b = _wrapped(b, a._array.dtype)
    else:
        b = _as_tensor(b)
        return _promote(a, b, true_division)
    if true_division and a._array.dtype.kind != "f":
        default = _dtype.get_default_dtype().numpy
        a = a._cast(default)
        b = b._cast(default) if isinstance(b, Tensor) else b
    return a, b


def _python_number(number):
    """The Python number torch takes a scalar operand as: a NumPy scalar as its value (np.int32(3) as
    3, np.float32(2.5) as 2.5), except a NumPy bool, which torch takes as a float (1.0 or 0.0), so
    that int64 and bool tensors with np.True_ give float32 where with True they stay as they are."""
    if isinstance(number, np.bool_):
        return float(number)
    return number.item() if isinstance(number, np.generic) else number


def _wrapped(number, integer_dtype):
    """A Python int as torch uses it with a narrower integer tensor: wrapped around into the
    dtype's range (uint8 + 300 adds 44), as the tensor's own arithmetic wraps."""
    info = np.iinfo(integer_dtype)
    if info.min <= number <= info.max:
        return number
    return int(np.array(number, dtype=np.int64).astype(integer_dtype))


def _is_operand(x):
    """Whether a comparison operator takes x: a tensor, a number or a NumPy array."""
    return isinstance(x, (Tensor, numbers.Number, np.generic, np.ndarray))


def _comparable(x, name):
    """x, checked as torch's comparison functions check their other argument."""
    if not _is_operand(x):
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, {type(x).__name__})")
    return x


def _is_scalar(x):
    if type(x) is float or type(x) is int:
        return True
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, np.ndarray)


def _check_no_bool_subtraction(a, b):
    """torch refuses - with a bool operand: a mask is inverted with ~ or logical_not()."""
    def is_bool(x):
        return type(x) is builtins.bool or (isinstance(x, Tensor) and x._array.dtype == np.bool_)

    if is_bool(a) and is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if is_bool(a) or is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
