"""torch.linalg's norms and products, for the vector and matrix cases teaching code uses."""

import numpy as np

from minigrad._dtype import scalar_type_name
from minigrad._ops import linalg as _L
from minigrad.tensor import Tensor, _promote, apply


def vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None):
    """The ord-norm of x's elements (over `dim`, or all of them)."""
    return Tensor.norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(A._array.dtype)}")
    if ord != "fro":
        raise NotImplementedError(f"minigrad's matrix_norm supports ord='fro' only, got {ord!r}")
    return Tensor.norm(A, "fro", dim, keepdim, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, dtype=None):
    """vector_norm for 1-D input or an int dim; the Frobenius norm for matrices."""
    if ord is None or (isinstance(dim, int) or (dim is None and A.ndim == 1)):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)


def matmul(A, B):
    return A.matmul(B)


class LinAlgError(RuntimeError):
    """A linear-algebra routine met a matrix it cannot handle (a singular one), as torch.linalg.LinAlgError."""


def _check_square(A, name):
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        shape = f"{A.shape[-2]} by {A.shape[-1]}" if A.ndim >= 2 else f"{A.ndim}-D"
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are {shape} matrices")
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.{name}: Expected a floating point tensor as input. Got {scalar_type_name(A._array.dtype)}")


def inv(A):
    """The inverse of each square matrix in A (..., n, n); LinAlgError if one is singular."""
    _check_square(A, "inv")
    try:
        return apply(_L.inv, A)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.inv: The input matrix is singular, so the inversion could not be completed.") from None


def solve(A, B, *, left=True):
    """X with A @ X = B for square A (..., n, n); B is (..., n, k), or a vector (..., n)."""
    if not left:
        raise NotImplementedError("minigrad's linalg.solve supports left=True only (A X = B)")
    _check_square(A, "solve")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    columns = B.unsqueeze(-1) if vector else B
    if columns.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {columns.shape[-2]}x{columns.shape[-1]})")
    A, columns = _promote(A, columns)
    try:
        X = apply(_L.solve, A, columns)
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
    return X.squeeze(-1) if vector else X
