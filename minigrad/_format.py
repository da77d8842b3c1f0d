"""repr of a tensor, laid out as torch lays it out: tensor([1.5000, 2.0000], requires_grad=True).

The rules are torch's defaults: 4 decimals; integers-valued floats as '1.'; scientific
notation when the nonzero magnitudes span more than 1000x, exceed 1e8 or (for non-integers)
fall below 1e-4; every element padded to a common width; lines of at most 80 characters;
and tensors of more than 1000 elements summarised with '...' around 3 edge items.
"""

import math

import numpy as np

PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = 4, 1000, 3, 80


class _Formatter:
    """Chooses one notation and one width for all the elements a print shows."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            self.width = max((len(str(v)) for v in values.tolist()), default=1)
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())  # (Python floats: their ratio may be inf, quietly)
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        wide = largest / smallest > 1000.0 or largest > 1.0e8
        self.sci_mode = wide if self.int_mode else (wide or smallest < 1.0e-4)
        if self.sci_mode:
            self.width = max(len(f"{v:.{PRECISION}e}") for v in finite)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in finite)
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in finite)

    def format(self, value):
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.width - len(text)) + text


def _shown(array, summarize):
    """The elements a print shows: all, or the edge items of every axis when summarising."""
    if not summarize or array.ndim == 0:
        return array.ravel()
    index = tuple(np.r_[0:EDGEITEMS, n - EDGEITEMS:n] if n > 2 * EDGEITEMS else np.arange(n) for n in array.shape)
    return array[np.ix_(*index)].ravel()


def _vector(values, indent, summarize, formatter):
    per_line = max(1, (LINEWIDTH - indent) // (formatter.width + 2))
    if summarize and len(values) > 2 * EDGEITEMS:
        items = [formatter.format(v) for v in values[:EDGEITEMS].tolist()] + [" ..."] + \
                [formatter.format(v) for v in values[-EDGEITEMS:].tolist()]
    else:
        items = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array, indent, summarize, formatter):
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    rows = range(array.shape[0])
    if summarize and array.shape[0] > 2 * EDGEITEMS:
        rows = [*range(EDGEITEMS), None, *range(array.shape[0] - EDGEITEMS, array.shape[0])]
    parts = ["..." if i is None else _nested(array[i], indent + 1, summarize, formatter) for i in rows]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def format_tensor(t):
    from minigrad._dtype import from_numpy, get_default_dtype

    array = t._array
    prefix = "tensor("
    suffixes = []
    default = array.dtype in (get_default_dtype().numpy, np.dtype(np.int64), np.dtype(np.bool_))
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != get_default_dtype().numpy:
            suffixes.append(f"dtype={from_numpy(array.dtype)}")
        body = "[]"
    else:
        summarize = array.size > THRESHOLD
        body = _nested(array, len(prefix), summarize, _Formatter(_shown(array, summarize)))
        if not default:
            suffixes.append(f"dtype={from_numpy(array.dtype)}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffixes) + ")"
