"""repr of a tensor in torch's style: tensor([1.5000, 2.0000], requires_grad=True)."""

import numpy as np


def _float_formatter(array):
    """torch's choice: integers as '1.', else 4 decimals, or scientific for wide ranges."""
    finite = array[np.isfinite(array)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        fmt = "{:.0f}."
    else:
        magnitude = np.abs(finite[finite != 0])
        wide = magnitude.size and (magnitude.max() >= 1e8 or magnitude.min() < 1e-4
                                   or magnitude.max() / magnitude.min() >= 1000)
        fmt = "{:.4e}" if wide else "{:.4f}"

    def show(v):
        return fmt.format(v) if np.isfinite(v) else str(v)

    width = max((len(show(v)) for v in _shown_values(array)), default=0)
    return lambda v: show(v).rjust(width)


def _shown_values(array, edge=3):
    """The elements a summarised print shows (all of them for small tensors)."""
    if array.size <= 1000:
        return array.ravel()
    corners = tuple(np.r_[0:min(edge, n), max(n - edge, 0):n] for n in array.shape)
    return array[np.ix_(*corners)].ravel()


def format_tensor(t):
    array = t._array
    prefix = "tensor("
    if array.dtype.kind == "f":
        formatter = {"float_kind": _float_formatter(array.astype(np.float64))}
    else:
        formatter = None
    if array.size == 0:
        body = "[]" if array.ndim == 1 else f"[], size={tuple(array.shape)}"
    else:
        body = np.array2string(array, separator=", ", prefix=prefix, formatter=formatter,
                               threshold=1000, edgeitems=3, max_line_width=79)
    suffixes = []
    if array.dtype.kind == "f" and array.dtype != _default():
        suffixes.append(f"dtype=minigrad.{array.dtype}")
    elif array.dtype.kind in "iu" and array.dtype != np.int64:
        suffixes.append(f"dtype=minigrad.{array.dtype}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffixes) + ")"


def _default():
    from minigrad._dtype import get_default_dtype
    return get_default_dtype().numpy
