"""torch.linalg's norms and products, for the vector and matrix cases teaching code uses."""

from minigrad.tensor import Tensor


def vector_norm(x, ord=2, dim=None, keepdim=False, dtype=None):
    """The ord-norm of x's elements (over `dim`, or all of them)."""
    return Tensor.norm(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
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
