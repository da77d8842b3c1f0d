# pillars exercise: matmul_vjp
"""Reference solution of exercise 3."""

import numpy as np


def _unbroadcast(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def matmul_vjp(g, a, b):
    a2 = a[np.newaxis, :] if a.ndim == 1 else a          # a row
    b2 = b[:, np.newaxis] if b.ndim == 1 else b          # a column
    g2 = g
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2 if b.ndim > 1 else 0)
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    ga = g2 @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g2
    ga = ga[..., 0, :] if a.ndim == 1 else ga
    gb = gb[..., 0] if b.ndim == 1 else gb
    return _unbroadcast(ga, a.shape), _unbroadcast(gb, b.shape)
