"""Matrix products.

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC. matmul also accepts
vectors (a 1-D operand is a row on the left, a column on the right) and broadcasts batch
axes; the VJPs turn vectors into matrices, apply the matrix rule, and let the engine sum
the gradient back over broadcast batch axes.
"""

import numpy as np

from minigrad._ops.registry import Primitive


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _matmul_vjp_a(g, ans, a, b):
    if b.ndim == 1:
        g = g[..., None]           # the product had its trailing column axis removed
        b = b[None, :]             # (k,) as a row so that g @ b is an outer product
    else:
        b = _mT(b)
    if a.ndim == 1:
        g = g[..., None, :]        # the product had its leading row axis removed
    grad = g @ b
    return grad[..., 0, :] if a.ndim == 1 else grad


def _matmul_vjp_b(g, ans, a, b):
    if b.ndim == 1:
        g = g[..., None]           # the product had its trailing column axis removed
    if a.ndim == 1:
        g = g[..., None, :]        # the product had its leading row axis removed
        a = a[:, None]             # (k,) as a column so that a @ g is an outer product
    else:
        a = _mT(a)
    grad = a @ g
    return grad[..., 0] if b.ndim == 1 else grad


matmul = Primitive("Mm", np.matmul, _matmul_vjp_a, _matmul_vjp_b)
