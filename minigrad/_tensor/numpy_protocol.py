"""NumPy's functions on tensors, as minigrad ops: the entries of the tables _UFUNCS and
_FUNCTIONS that Tensor.__array_ufunc__ and Tensor.__array_function__ (in tensor.py) read.

np.sum(t), np.reshape(t, shape), np.einsum(..., t), np.concatenate([t, a]) run here as the
matching methods, recorded: the VJP rules, written for arrays, call these NumPy functions,
and so run unchanged on tensors when backward records itself (create_graph=True). The
ufuncs (np.exp(t), np.add(a, t)) mostly map straight to methods, in the table itself.
"""

from __future__ import annotations

import builtins

import numpy as np

from minigrad._arguments import _einsum_subscripts
from minigrad._ops import linalg as L
from minigrad._tensor.operands import _as_tensor, _raw, apply
from minigrad._tensor.shape import _cat

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


def _swapped(method):
    """For a ufunc whose first operand is not a tensor: the reflected method, as Python calls it."""
    return lambda b, a: method(a, b)


def _binary_ufunc(methods, a, b):
    return methods[0](a, b) if isinstance(a, Tensor) else methods[1](b, a)


def _any_tensor(args, test):
    return builtins.any(isinstance(a, Tensor) and test(a) or isinstance(a, (list, tuple)) and _any_tensor(a, test)
                        for a in args)


def _arrays_of(args):
    """args with every tensor (also inside lists and tuples) replaced by its array."""
    return [a._array if isinstance(a, Tensor) else type(a)(_arrays_of(a)) if isinstance(a, (list, tuple)) else a
            for a in args]


def _sum(x, axis=None, dtype=None, out=None, keepdims=False):
    x = _as_tensor(x)
    return x.sum() if axis is None and not keepdims else x.sum(_all_axes(x, axis), keepdim=keepdims)


def _mean(x, axis=None, dtype=None, out=None, keepdims=False):
    x = _as_tensor(x)
    return x.mean() if axis is None and not keepdims else x.mean(_all_axes(x, axis), keepdim=keepdims)


def _amax(x, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _as_tensor(x).amax(_all_axes(x, axis), keepdim=keepdims)


def _amin(x, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _as_tensor(x).amin(_all_axes(x, axis), keepdim=keepdims)


def _all_axes(x, axis):
    return tuple(range(np.ndim(_raw(x)))) if axis is None else axis


def _expand_dims(x, axis):
    axes = axis if isinstance(axis, tuple) else (axis,)
    shape = list(np.shape(_raw(x)))
    ndim = len(shape) + len(axes)
    for a in sorted(a % ndim for a in axes):
        shape.insert(a, 1)
    return _as_tensor(x).reshape(shape)


def _transpose(x, axes=None):
    x = _as_tensor(x)
    return x.permute(tuple(reversed(range(x.ndim))) if axes is None else tuple(axes))


def _like(fill):
    def make(x, dtype=None, order="K", subok=True, shape=None, **value):
        return Tensor._wrap(fill(_raw(x), dtype=dtype, shape=shape, **value))
    return make


def _stack(tensors, axis=0):
    return _cat([_as_tensor(t).unsqueeze(axis) for t in tensors], axis)


def _recorded(primitive, *operands, **params):
    """`primitive` on operands that may be arrays or tensors, cast to their common dtype."""
    operands = [_as_tensor(x) for x in operands]
    target = np.result_type(*(x._array.dtype for x in operands))
    return apply(primitive, *[x._cast(target) for x in operands], **params)


def _einsum(subscripts, *operands):
    """np.einsum on tensors (the gradient rules of einsum and bilinear use it), recorded."""
    inputs, output = _einsum_subscripts(subscripts, [np.ndim(_raw(x)) for x in operands])
    return _recorded(L.einsum, *operands, inputs=inputs, output=output)
