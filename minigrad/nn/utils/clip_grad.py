"""Gradient clipping: keep one bad batch from throwing the parameters far away."""

import math

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _gradients(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(array, norm_type):
    """The p-norm of all the entries of `array` (the largest magnitude for p = inf)."""
    if norm_type == 2.0:  # the usual case: one dot product, no temporary arrays
        flat = array.ravel()
        return np.sqrt(np.dot(flat, flat))
    magnitudes = np.abs(array.ravel())
    if norm_type == math.inf:
        return magnitudes.max() if magnitudes.size else np.zeros((), array.dtype)
    if norm_type == -math.inf:
        return magnitudes.min() if magnitudes.size else np.full((), np.inf, array.dtype)
    if norm_type == 0:
        return np.asarray(np.count_nonzero(magnitudes), dtype=array.dtype)
    return np.sum(magnitudes ** norm_type) ** (1.0 / norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients together so that their joint norm is at most max_norm; return that norm.

    The joint norm is the norm of the vector of every gradient entry, computed as the
    norm of the per-parameter norms. Gradients are multiplied in place by
    min(1, max_norm / (norm + 1e-6)).
    """
    grads = _gradients(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    dtype = np.result_type(*[g._array.dtype for g in grads])
    norms = np.array([_vector_norm(g._array, norm_type) for g in grads], dtype=dtype)
    total = _vector_norm(norms, norm_type).astype(dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    scale = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        g._array *= g._array.dtype.type(scale)
        g._version_counter[0] += 1
    return Tensor._wrap(np.asarray(total))


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry, in place, to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _gradients(parameters):
        np.clip(g._array, -clip_value, clip_value, out=g._array)
        g._version_counter[0] += 1
