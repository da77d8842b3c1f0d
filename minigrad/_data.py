"""The array behind torch.tensor(data): Python numbers, nested lists, NumPy arrays and tensors,
with torch's dtypes (Python floats give the default dtype, ints int64) and torch's errors for
data that is not a rectangular nest of numbers. Used by minigrad.creation and minigrad.tensor.
"""

import numbers

import numpy as np

from minigrad import _dtype
from minigrad.autograd import recorder


def _infer(data, dtype=None):
    """The array for tensor(data): Python floats give the default dtype (unless `dtype` is given), ints int64."""
    if isinstance(data, recorder.Tensor):
        return data._array.copy()
    if isinstance(data, np.ndarray):
        array = data.copy()
        _dtype.from_numpy(array.dtype)  # rejects dtypes minigrad has no tensor of
        return array
    if isinstance(data, (list, tuple)) and _holds_typed_values(data):
        return _infer_typed(data, dtype)
    try:
        array = np.array(data)
    except ValueError:  # nested lists of different lengths
        array = None
    if array is None or array.dtype.kind in "USO":
        _reject_data(data)
    if array.dtype == np.float64 and dtype is None and not _has_numpy_float64(data):
        array = array.astype(_dtype.get_default_dtype().numpy)
    elif array.dtype.kind in "iu" and array.dtype != np.int64 and not isinstance(data, np.generic):
        array = array.astype(np.int64)
    return array


def _reject_data(data):
    """Raise torch's error for data that is not a rectangular nest of numbers.

    As torch does, the sizes are read off the first element at each depth; every list
    must then have its depth's size, and hold lists down to the last depth and numbers there.
    """
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    sizes, first = [], data
    while isinstance(first, (list, tuple)):
        sizes.append(len(first))
        first = first[0] if first else None
    if isinstance(first, str) and sizes:
        raise ValueError("too many dimensions 'str'")

    def check(item, dim):
        if dim == len(sizes):
            if isinstance(item, str):
                raise TypeError("new(): invalid data type 'str'")
            if isinstance(item, (list, tuple)):
                raise TypeError(f"'{type(item).__name__}' object cannot be interpreted as a number: the data "
                                f"nests deeper here than at its first element")
            if not isinstance(item, (numbers.Number, recorder.Tensor, np.ndarray, np.generic)):  # (values with a dtype)
                raise RuntimeError(f"Could not infer dtype of {type(item).__name__}")
            return
        if not isinstance(item, (list, tuple)):
            raise TypeError(f"not a sequence: {item!r} at dim {dim}, where lists of length {sizes[dim]} are expected")
        if len(item) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(item)})")
        for x in item:
            check(x, dim + 1)

    check(data, 0)
    raise TypeError(f"new(): invalid data type '{type(data).__name__}': tensors hold numbers only")


def _has_numpy_float64(data):
    """torch keeps float64 when the data holds NumPy float64 values, even inside lists."""
    if isinstance(data, (list, tuple)):
        return any(_has_numpy_float64(x) for x in data)
    return isinstance(data, np.float64) or isinstance(data, np.ndarray) and data.dtype == np.float64


def _holds_typed_values(data):
    """Whether a nest of lists holds a tensor, a NumPy array or a NumPy number anywhere: values
    that carry a dtype of their own, which torch keeps."""
    if isinstance(data, (list, tuple)):
        return any(_holds_typed_values(x) for x in data)
    return isinstance(data, (recorder.Tensor, np.ndarray, np.generic))


def _infer_typed(data, dtype):
    """The array for a nest of lists holding typed values (tensors, NumPy arrays and numbers):
    each value counts with its own dtype (a Python float with the default one, an int as int64,
    a bool as bool), and they are promoted as torch promotes tensors: float64 values stay
    float64, an int32 NumPy number with a Python float gives float32."""
    try:
        array = np.array(_arrays_for_tensors(data))
    except ValueError:
        array = None
    if array is None or array.dtype.kind in "USO":
        _reject_data(data)
    found = _own_dtype(data)
    return array if dtype is not None or found is None else array.astype(found)


def _arrays_for_tensors(data):
    if isinstance(data, (list, tuple)):
        return [_arrays_for_tensors(x) for x in data]
    return data._array if isinstance(data, recorder.Tensor) else data


def _own_dtype(data):
    """torch's dtype for the values of `data`, promoted together (None for no values)."""
    if isinstance(data, (list, tuple)):
        found = None
        for item in data:
            own = _own_dtype(item)
            if own is not None:
                found = own if found is None else _dtype.result_type(found, False, own, False)
        return found
    if isinstance(data, recorder.Tensor):
        return data._array.dtype
    if isinstance(data, (np.ndarray, np.generic)):
        return data.dtype
    if isinstance(data, bool):
        return np.dtype(np.bool_)
    if isinstance(data, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(data, numbers.Real):
        return _dtype.get_default_dtype().numpy
    return None
