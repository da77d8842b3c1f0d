"""Helpers the distributions share: broadcasting parameters, probabilities <-> logits, cached
parameters, and standard random draws from minigrad's generator."""

import numpy as np

from minigrad import _dtype
from minigrad._runtime import finfo
from minigrad.autograd.grad_mode import enable_grad
from minigrad.creation import arange, from_numpy, tensor
from minigrad.functions import broadcast_tensors, log, log1p, sigmoid
from minigrad.random import _numpy_rng
from minigrad.tensor import Tensor

__all__ = ["broadcast_all", "clamp_probs", "euler_constant", "lazy_property", "logits_to_probs", "probs_to_logits",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]

# Python numbers a distribution takes as a parameter (torch's list: bool counts as a number)
_NUMBER = (int, float, bool)

# the Euler-Mascheroni constant, lim (1 + 1/2 + ... + 1/n - log n): -digamma(1), the mean of a standard Gumbel
euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """The values as tensors broadcast to one shape. Numbers become tensors of the first tensor's
    dtype (or the default dtype if all are numbers); each tensor keeps its own dtype."""
    if not all(isinstance(v, (Tensor, *_NUMBER)) for v in values):
        raise ValueError("Input arguments must all be instances of Number or Tensor, got "
                         f"{[type(v).__name__ for v in values]}")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), _dtype.get_default_dtype())
    return broadcast_tensors(*(v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values))


def clamp_probs(probs):
    """probs pulled into [eps, 1 - eps], so that their logs and log(1 - p) stay finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits of probabilities: log(p / (1 - p)) for one binary probability, log p for the
    probabilities of categories (any logits that differ from them by a constant would do)."""
    clamped = clamp_probs(probs)
    if is_binary:
        return log(clamped) - log1p(-clamped)
    return log(clamped)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid for a binary event, softmax over the last axis for categories."""
    if is_binary:
        return sigmoid(logits)
    return logits.softmax(-1)


class lazy_property:
    """A parameter computed from another on first use and then stored on the instance.

    Bernoulli takes probs or logits; the other one is derived only if asked for. The value is
    computed with gradients on (even inside no_grad), since it is kept and may be used later.
    """

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)  # an instance attribute now hides this descriptor
        return value


def _sum_rightmost(value, dim):
    """value summed over its `dim` rightmost axes."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def _standard_draws(kind, shape, dtype, **parameters):
    """Draws of NumPy's `kind` ("standard_normal", "standard_exponential", "random", "laplace", ...)
    from minigrad's default generator (so manual_seed makes them reproducible), as a tensor of `dtype`."""
    np_dtype = _dtype.numpy_dtype(dtype)
    draws = np.asarray(getattr(_numpy_rng(), kind)(size=tuple(shape), **parameters), dtype=np_dtype)
    if kind == "random":  # uniform on [0, 1): a draw just below 1 must not round up to 1 in a narrower dtype
        draws = np.asarray(np.minimum(draws, np.nextafter(np_dtype.type(1), np_dtype.type(0))))  # (0-d stays an array)
    return from_numpy(draws)


def _tril_mask(n, diag):
    """The n x n bool mask of the entries (i, j) with j <= i + diag: the lower triangle, shifted."""
    index = arange(n)
    return index < index.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The entries of mat's lower triangle (j <= i + diag) read row by row into a vector (batched)."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of tril_matrix_to_vec: an n x n matrix (batched) with vec's entries written row by
    row into its lower triangle (j <= i + diag) and zeros elsewhere. n is the positive root of
    n^2 + (1 + 2 diag) n - |diag| (diag + 1) - 2 len(vec) = 0 (the triangle's size as a function of n)."""
    b = 1 + 2 * diag
    n = (-b + (b * b + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    # a length just above a triangle's is caught here, one just below by the assignment (a RuntimeError, as in torch)
    if round(n) - n > finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag)] = vec
    return mat
