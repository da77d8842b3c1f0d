"""dtypes: torch's names over NumPy's dtypes, the default dtype, and torch's promotion rules."""

import numpy as np


class dtype:
    """A tensor element type, printed as ``minigrad.float32``; wraps a NumPy dtype."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name, numpy_dtype):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001  (torch.bool)

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NUMPY = {d.numpy: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _by_name(name):
    return _BY_NAME[name]


class _Default:
    dtype = float32


def get_default_dtype():
    return _Default.dtype


def set_default_dtype(d):
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _Default.dtype = d


def from_numpy(np_dtype):
    """The minigrad dtype of a NumPy dtype; TypeError for types torch has no tensor of."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
                        + ", ".join(d.name for d in ALL)) from None


def as_dtype(d):
    """Accept a minigrad dtype, a NumPy dtype or type, or the Python types float, int and bool."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _Default.dtype
    if d is int:
        return int64
    if d is builtins_bool:
        return bool
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    return from_numpy(np.dtype(d))


builtins_bool = type(True)


def numpy_dtype(d):
    """The NumPy dtype for a dtype argument (None stays None)."""
    return None if d is None else as_dtype(d).numpy


def _category(np_dtype):
    """torch's promotion categories: bool < integer < floating."""
    return {"b": 0, "u": 1, "i": 1, "f": 2}[np_dtype.kind]


def can_cast(source, target):
    """Whether torch writes a result of NumPy dtype `source` into a tensor of dtype `target` in
    place: never down a category (a float result into an integer tensor, an integer into a bool)."""
    return _category(source) <= _category(target)


def result_type(a, a_is_scalar_tensor, b, b_is_scalar_tensor):
    """torch's result dtype of a binary op on two tensors' NumPy dtypes.

    A higher category wins outright (int64 with float32 is float32, unlike NumPy's
    float64). Within a category, 0-d tensors defer to tensors with dimensions
    (float32 with a 0-d float64 is float32); otherwise the wider type wins.
    """
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    if a_is_scalar_tensor != b_is_scalar_tensor:
        return b if a_is_scalar_tensor else a
    return np.promote_types(a, b)


# torch's names for scalar types ("Float", "Long", ...), which its error messages use.
_SCALAR_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                      "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def scalar_type_name(numpy_dtype):
    """torch's name of a NumPy dtype in its error messages: 'Float' for float32, 'Long' for int64 (NumPy's name if torch has none)."""
    return _SCALAR_TYPE_NAMES.get(numpy_dtype.name, numpy_dtype.name)
