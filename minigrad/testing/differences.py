"""Describe how two arrays differ, in words a reader can act on: shapes, values and the first
element that disagrees. The graders of pillars' exercises print these on a failed check.

    >>> first_difference(np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    ((1,), 2.0, 2.5)
"""

import numpy as np

__all__ = ["describe", "first_difference", "same_values", "values_differ"]


def _array(value):
    if hasattr(value, "detach"):
        value = value.detach()
        value = value.cpu().numpy() if hasattr(value, "cpu") else value.numpy()
    return np.asarray(value)


def values_differ(actual, expected, rtol=1e-6, atol=1e-9):
    """True when the two differ in shape or in any value beyond the tolerances (nan equals nan)."""
    a, e = _array(actual), _array(expected)
    if a.shape != e.shape:
        return True
    with np.errstate(invalid="ignore"):
        return not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)


def same_values(actual, expected, rtol=1e-6, atol=1e-9):
    """The same shape and the same values up to the tolerances."""
    return not values_differ(actual, expected, rtol, atol)


def first_difference(actual, expected, rtol=1e-6, atol=1e-9):
    """(index, actual value, expected value) of the first element, in row-major order, that differs
    beyond the tolerances; None when every element agrees. The shapes must be equal."""
    a, e = _array(actual), _array(expected)
    with np.errstate(invalid="ignore"):
        close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    wrong = np.argwhere(~np.asarray(close))
    if len(wrong) == 0:
        return None
    index = tuple(int(i) for i in wrong[0])
    return index, a[index].item(), e[index].item()


def describe(value, precision=6, limit=24):
    """An array as one short text: its shape, its dtype and its values (elided past `limit` elements)."""
    if value is None:
        return "None"
    a = _array(value)
    if a.dtype == object:
        return repr(value)
    text = np.array2string(a, precision=precision, threshold=limit, edgeitems=3, separator=", ",
                           max_line_width=100)
    text = " ".join(text.split())  # one line
    return f"shape {tuple(a.shape)} {a.dtype} {text}"
