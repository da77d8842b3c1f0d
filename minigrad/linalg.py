"""torch.linalg: norms, products, determinants, inverses and solvers of (batches of) matrices.

The functions that also have a method form (det, inv as Tensor.inverse, ...) are written in the
Tensor shell and called from here; those of torch.linalg alone are written here.
"""

import collections

import numpy as np

from minigrad._ops import linalg as _L
from minigrad._arguments import _broadcast_shape
from minigrad._dtype import scalar_type_name
from minigrad._tensor.linalg import (LinAlgError, _check_pinv, _cholesky, _cross, _householder_product, _lu, _lu_factor_ex,
                                     _lu_solve, _not_positive_definite, _qr, _singular, _svd, _svdvals, _zero_pivot)
from minigrad._tensor.operands import _promote
from minigrad._tensor.shape import _cat
from minigrad.tensor import Tensor, apply


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


def det(A):
    """The determinant of each square matrix of A (..., n, n)."""
    return Tensor.det(A)


def slogdet(A):
    """(sign, logabsdet) of each square matrix of A: det(A) = sign * exp(logabsdet)."""
    return Tensor.slogdet(A)


def inv(A):
    """The inverse of each square matrix in A (..., n, n); LinAlgError if one is singular."""
    return Tensor.inverse(A)


def matrix_power(A, n):
    """A multiplied by itself n times (n < 0: the inverse's power, n = 0: the identity)."""
    return Tensor.matrix_power(A, n)


# the C++ names of the element types, which multi_dot's message uses
_C_TYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int64": "long int", "int32": "int",
                 "int16": "short", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def multi_dot(tensors):
    """The product of a chain of matrices, multiplied in the order that costs the fewest
    multiplications; the first may be a row vector (1-D) and the last a column vector."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed, which = ((1, 2), "the first tensor") if i == 0 else \
            ((1, 2), "the last tensor") if i == len(tensors) - 1 else ((2,), f"tensor {i}")
        if t.ndim not in allowed:
            raise RuntimeError(f"multi_dot(): {which} must be {' or '.join(f'{d}D' for d in allowed)} "
                               f"but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_C_TYPE_NAMES[tensors[0].dtype.name]} and tensor {i} {_C_TYPE_NAMES[t.dtype.name]}")
    first_is_vector, last_is_vector = tensors[0].ndim == 1, tensors[-1].ndim == 1
    matrices = [tensors[0].unsqueeze(0) if first_is_vector else tensors[0], *tensors[1:-1],
                tensors[-1].unsqueeze(1) if last_is_vector else tensors[-1]]
    for i in range(len(matrices) - 1):
        if matrices[i].shape[1] != matrices[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
    product = _chain_product(matrices, _chain_order([m.shape[0] for m in matrices] + [matrices[-1].shape[1]]))
    if first_is_vector:
        product = product.squeeze(0)
    return product.squeeze(-1) if last_is_vector else product


def _chain_order(sizes):
    """split[i][j]: where the cheapest product of matrices i..j splits, for matrices of shapes
    (sizes[k], sizes[k + 1]): the textbook dynamic program over chains of growing length."""
    n = len(sizes) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j], split[i][j] = min((cost[i][k] + cost[k + 1][j] + sizes[i] * sizes[k + 1] * sizes[j + 1], k)
                                          for k in range(i, j))
    return split


def _chain_product(matrices, split, i=0, j=None):
    j = len(matrices) - 1 if j is None else j
    if i == j:
        return matrices[i]
    k = split[i][j]
    return _chain_product(matrices, split, i, k) @ _chain_product(matrices, split, k + 1, j)


def vecdot(x, y, *, dim=-1):
    """The dot product of the vectors along `dim` of x and y (the other dims broadcast)."""
    for t in (x, y):
        if not t.is_floating_point():
            raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. "
                               f"Got {scalar_type_name(t._array.dtype)}")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{scalar_type_name(x._array.dtype)} and y of type {scalar_type_name(y._array.dtype)} "
                           "instead")
    n, m = x.shape[dim], y.shape[dim]
    if x.ndim == y.ndim == 1 and n != m:  # two vectors take dot's path, which does not broadcast
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
                           f"number of elements, but got {n} and {m} elements respectively")
    return (x * y).sum(dim)


def cross(input, other, *, dim=-1):
    """The cross product of the 3-vectors along `dim` of input and other (the other dims broadcast)."""
    return _cross(input, other, dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices of A: torch.diagonal with the last two dims as the default."""
    return A.diagonal(offset, dim1, dim2)


def solve(A, B, *, left=True):
    """X with A @ X = B for square A (..., n, n); B is (..., n, k), or a vector (..., n)."""
    if not left:
        raise NotImplementedError("minigrad's linalg.solve supports left=True only (A X = B)")
    A._check_square("linalg.solve")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    columns = B.unsqueeze(-1) if vector else B
    if columns.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A.shape[-2]}x{A.shape[-1]} and {columns.shape[-2]}x{columns.shape[-1]})")
    A, columns = _promote(A, columns)
    try:
        X = apply(_L.solve, A, columns)
    except np.linalg.LinAlgError:
        failed = np.flatnonzero(_L.lu_info(A._array))[0]
        where = f"(Batch element {failed}): " if A.ndim > 2 else ""
        raise LinAlgError(f"torch.linalg.solve: {where}The solver failed because the input matrix is "
                          "singular.") from None
    return X.squeeze(-1) if vector else X


def cholesky(A, *, upper=False):
    """L, lower triangular with a positive diagonal, such that A = L L^T (U with A = U^T U for
    upper=True), for each symmetric positive-definite matrix of A; only that triangle of A is read."""
    return _cholesky(A, upper, "linalg.cholesky")


_CHOLESKY_EX = collections.namedtuple("linalg_cholesky_ex", ["L", "info"])


def cholesky_ex(A, *, upper=False, check_errors=False):
    """(L, info): cholesky without the error. info (int32, one per matrix) is 0 where the
    factorization succeeded and otherwise the order of the first leading minor that is not
    positive definite; there L is nan (torch leaves LAPACK's partial factorization)."""
    A._check_square("linalg.cholesky")  # (torch names cholesky in these messages)
    try:
        return _CHOLESKY_EX(apply(_L.cholesky, A, upper=upper), Tensor._wrap(np.zeros(A.shape[:-2], dtype=np.int32)))
    except np.linalg.LinAlgError:
        info = _L.cholesky_info(A._array, upper)
    if check_errors:
        raise _not_positive_definite("linalg.cholesky_ex", A, info)
    failed = (info != 0)[..., None, None]
    identity = np.eye(A.shape[-1], dtype=A._array.dtype)
    factors = apply(_L.cholesky, Tensor.where(A, ~failed, identity), upper=upper)  # each failed matrix: a stand-in
    return _CHOLESKY_EX(Tensor.where(factors, ~failed, np.nan), Tensor._wrap(info))


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (X A = B for left=False) for triangular A: only its upper or lower
    triangle is read, and with unitriangular its diagonal is taken as ones. A zero on the
    diagonal gives inf or nan, not an error."""
    for name, t in (("A", A), ("B", B)):
        if t.ndim < 2:
            raise RuntimeError(f"linalg.solve_triangular: The input tensor {name} must have at least 2 dimensions.")
    A._check_square("linalg.solve_triangular", floating=False)
    if not A.is_floating_point():
        raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for '{scalar_type_name(A._array.dtype)}'")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {equation} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    _broadcast_shape(A._array.shape[:-2], B._array.shape[:-2])  # torch's error where the batch dims clash
    return apply(_L.solve_triangular, A, B.to(A.dtype), upper=upper, left=left, unitriangular=unitriangular)


_LU_FACTOR = collections.namedtuple("linalg_lu_factor", ["LU", "pivots"])
_LU_FACTOR_EX = collections.namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])


def lu_factor(A, *, pivot=True):
    """(LU, pivots): the LU factorization with partial pivoting P A = L U of each matrix of A (m x n),
    L (unit diagonal, not stored) and U packed into one matrix LU, and pivots (int32, from 1) the
    row swapped with each row in turn, as LAPACK gives them. RuntimeError where U has a zero on its
    diagonal (lu_factor_ex reports it instead)."""
    LU, pivots, info = _lu_factor_ex(A, pivot, "torch.lu_factor")
    if info._array.any():
        raise _zero_pivot("torch.linalg.lu_factor", A, info._array)
    return _LU_FACTOR(LU, pivots)


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """(LU, pivots, info): lu_factor without the error. info (int32, one per matrix) is 0, or the
    position (from 1) of the first zero on U's diagonal."""
    LU, pivots, info = _lu_factor_ex(A, pivot, "torch.lu_factor")
    if check_errors and info._array.any():
        raise _zero_pivot("torch.linalg.lu_factor_ex", A, info._array)
    return _LU_FACTOR_EX(LU, pivots, info)


def lu(A, *, pivot=True):
    """(P, L, U) with A = P L U: P a permutation matrix, L (m x k) unit lower triangular and U (k x n)
    upper triangular, k = min(m, n)."""
    return _lu(A, pivot)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """X with A X = B (A^T X = B for adjoint; X A = B and X A^T = B for left=False), A given by
    lu_factor's LU and pivots; the batch dims of LU and B broadcast."""
    return _lu_solve(LU, pivots, B, left, adjoint)


_LDL_FACTOR = collections.namedtuple("linalg_ldl_factor", ["LD", "pivots"])
_LDL_FACTOR_EX = collections.namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """(LD, pivots, info): A = P L D L^T P^T for each symmetric matrix of A (its lower triangle is
    read), with D block diagonal (1 x 1 and 2 x 2 blocks) and L unit lower triangular, as LAPACK's
    sytrf computes it with Bunch-Kaufman pivoting: LD packs D's blocks and L below them, pivots
    (int32, from 1) the swaps, negative at both rows of a 2 x 2 block. info is 0, or the position
    (from 1) of the first zero block of D. hermitian changes nothing for real matrices. LD is not
    differentiable, as in torch."""
    A._check_square("torch.linalg.ldl_factor_ex")
    LD, pivots, info = _L.ldl_factors(A._array)
    if check_errors and info.any():
        raise _singular_ldl("torch.linalg.ldl_factor_ex", A, info)
    return _LDL_FACTOR_EX(apply(_L.ldl_factor, A, factors=(LD, pivots)), Tensor._wrap(pivots), Tensor._wrap(info))


def ldl_factor(A, *, hermitian=False):
    """(LD, pivots): ldl_factor_ex, with an error where a matrix is singular."""
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if info._array.any():
        raise _singular_ldl("torch.linalg.ldl_factor", A, info._array)
    return _LDL_FACTOR(LD, pivots)


def _singular_ldl(name, A, info):
    """The error for the first singular matrix of A (torch itself fails there on an internal assertion)."""
    failed = np.flatnonzero(info)
    where = f"(Batch element {failed[0]}): " if A.ndim > 2 else ""
    return RuntimeError(f"{name}: {where}The factorization could not be completed because the input is singular: "
                        f"the block of D at position {info.reshape(-1)[failed[0]]} is zero.")


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """X with A X = B from A's factorization by ldl_factor (LD and pivots); the batch dims of LD and B
    broadcast. Not differentiable, as in torch."""
    LD._check_square("torch.linalg.ldl_solve", floating=False)
    if LD.dtype != B.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{scalar_type_name(B._array.dtype)} and A of type {scalar_type_name(LD._array.dtype)} "
                           "instead.")
    if B.ndim < 2:
        raise RuntimeError("torch.linalg.ldl_solve: The input tensor B must have at least 2 dimensions.")
    if not LD.is_floating_point():
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(LD._array.dtype)}")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected LD.shape[:-1] and pivots.shape to be the same, but got "
                           f"pivots with shape {list(pivots.shape)} instead")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is {n} by {n} but "
                           f"each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    _broadcast_shape(LD._array.shape[:-2], B._array.shape[:-2])  # torch's error where the batch dims clash
    return apply(_L.ldl_solve, LD, B, pivots=pivots._array)


def _uplo(UPLO):
    if not isinstance(UPLO, str) or UPLO.upper() not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper() == "U"


def _check_eigh(A, UPLO):
    upper = _uplo(UPLO)
    A._check_square("linalg.eigh", floating=False)
    if not A.is_floating_point():
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{scalar_type_name(A._array.dtype)}'")
    return upper


_EIGH = collections.namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])


def eigh(A, UPLO="L"):
    """(eigenvalues, eigenvectors) of each symmetric matrix of A, read from its lower triangle
    (upper for UPLO="U"): A = V diag(L) V^T with the eigenvalues in ascending order. Each
    eigenvector is unique only up to its sign, which may differ from torch's (its LAPACK's)."""
    upper = _check_eigh(A, UPLO)
    factors = _L.eigh_factors(A._array, upper)  # LAPACK once, for both outputs and their gradients
    return _EIGH(apply(_L.eigenvalues, A, upper=upper, factors=factors),
                 apply(_L.eigenvectors, A, upper=upper, factors=factors))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of each symmetric matrix of A, in ascending order."""
    return apply(_L.eigenvalues, A, upper=_check_eigh(A, UPLO))


def svd(A, full_matrices=True):
    """(U, S, Vh) with A = U diag(S) Vh, S descending; with full_matrices U and Vh are square.
    Each pair of singular vectors is unique only up to a common sign, which may differ from torch's."""
    return _svd(A, full_matrices)


def svdvals(A):
    """The singular values of each matrix of A, in descending order."""
    return _svdvals(A)


def _tolerances(A, atol, rtol):
    """torch's (atol, rtol) for pinv and matrix_rank: rtol defaults to eps * max(m, n) unless
    atol is given (and positive), when it defaults to 0."""
    atol = 0.0 if atol is None else atol
    if rtol is None:
        rtol = 0.0 if atol > 0 else float(np.finfo(A._array.dtype).eps) * max(A.shape[-2:])
    return atol, rtol


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The pseudoinverse of each matrix of A, from its SVD (its eigendecomposition where
    hermitian): singular values at or below max(atol, rtol * the largest) count as 0."""
    for name, tolerance in (("atol", atol), ("rtol", rtol)):
        if isinstance(tolerance, Tensor):
            raise NotImplementedError(f"minigrad's linalg.pinv takes {name} as a number, not a tensor")
    _check_pinv(A)  # (before the tolerances, which read A's dtype)
    atol, rtol = _tolerances(A, atol, rtol)
    return apply(_L.pinv, A, atol=atol, rtol=rtol, hermitian=hermitian)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values (absolute eigenvalues where hermitian) of each matrix of A
    above max(atol, rtol * the largest), as int64."""
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    if not A.is_floating_point():
        raise RuntimeError("This function doesn't handle types other than float and double")
    atol, rtol = _tolerances(A, atol, rtol)
    a = A._array
    values = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    rank = (values > _L.singular_value_cutoff(values, atol, rtol)[..., None]).sum(axis=-1)
    return Tensor._wrap(np.asarray(rank, dtype=np.int64))


def qr(A, mode="reduced"):
    """(Q, R) with A = Q R, Q with orthonormal columns and R upper triangular. mode "reduced":
    Q is m x k and R k x n (k = min(m, n)); "complete": Q is m x m and R m x n; "r": R alone
    (Q is an empty tensor), which cannot be differentiated."""
    return _qr(A, mode)


def householder_product(A, tau):
    """The first n columns of H_0 H_1 ... H_(k-1), H_i = I - tau_i v_i v_i^T, for A (m x n, m >= n)
    holding the vectors v_i below its diagonal (their 1 on it is not stored), as geqrf leaves them."""
    return _householder_product(A, tau)


def matrix_exp(A):
    """The matrix exponential exp(A) = I + A + A^2 / 2! + ... of each square matrix of A."""
    return Tensor.matrix_exp(A)


_LSTSQ = collections.namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B (of least norm where A has more columns than
    rows), with what torch's LAPACK driver reports beside it: residuals (the squared error of
    each column of B, where A is tall and of full rank; not by the default driver gelsy), rank
    (not by gels) and singular_values (by gelsd and gelss). rcond: singular values at or below
    rcond times the largest count as 0 (default eps * max(m, n)). The solution is pinv(A) B,
    which is what every driver computes for a full-rank A."""
    if driver is not None and driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    if not A.is_floating_point() or not B.is_floating_point():
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {scalar_type_name(A._array.dtype)} and other's dtype "
                           f"{scalar_type_name(B._array.dtype)}")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    vector = B.ndim == 1 or B.shape == A.shape[:-1]  # B: a vector (..., m) for each matrix of A, as torch reads it
    if B.shape[-1 if vector else -2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size({-1 if vector else -2})")
    columns = B.unsqueeze(-1) if vector else B
    _broadcast_shape(A._array.shape[:-2], columns._array.shape[:-2])
    m, n = A.shape[-2:]
    rtol = float(np.finfo(A._array.dtype).eps) * max(m, n) if rcond is None or rcond < 0 else rcond
    solution = apply(_L.lstsq, A, columns, rtol=rtol)
    values = np.linalg.svd(A._array, compute_uv=False)
    rank = (values > _L.singular_value_cutoff(values, 0.0, rtol)[..., None]).sum(axis=-1)
    if driver != "gelsy" and m > n and (rank == n).all():
        residuals = ((A @ solution - columns) ** 2).sum(-2)
    else:  # none: an empty tensor, in the graph as torch's is
        residuals = solution.reshape(-1)[:0]
    return _LSTSQ(solution.squeeze(-1) if vector else solution, residuals,
                  Tensor._wrap(np.zeros((0,), np.int64) if driver == "gels" else rank.astype(np.int64)),
                  Tensor._wrap(values if driver in ("gelsd", "gelss") else np.zeros((0,), dtype=A._array.dtype)))


def vander(x, *, N=None):
    """The Vandermonde matrices of the vectors along x's last dim: (..., n, N), column j holding
    x ** j (N: by default n, at least 2); integers give int64."""
    if x._array.dtype == np.bool_:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    N = (x.shape[-1] if x.ndim else 1) if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _powers(x if x.is_floating_point() else x.to(np.int64), N)


def _powers(x, count):
    """x ** 0, x ** 1, ..., x ** (count - 1) along a new last dim, as running products (as torch
    builds them, so that the gradient is defined where x is 0)."""
    ones = Tensor._wrap(np.ones(tuple(x.shape) + (min(count, 1),), dtype=x._array.dtype))
    if count <= 1:
        return ones
    return _cat([ones, x.unsqueeze(-1).expand(*x.shape, count - 1).cumprod(-1)], -1)


_INV_EX = collections.namedtuple("linalg_inv_ex", ["inverse", "info"])


def inv_ex(A, *, check_errors=False):
    """(inverse, info): inv without the error. info (int32, one per matrix) is 0 for an invertible
    matrix and otherwise the position of the first zero pivot of its LU factorization; there the
    inverse is nan (torch leaves whatever LAPACK computed)."""
    A._check_square("linalg.inv")  # (torch names inv in these messages)
    try:
        return _INV_EX(apply(_L.inv, A), Tensor._wrap(np.zeros(A.shape[:-2], dtype=np.int32)))
    except np.linalg.LinAlgError:
        info = _L.lu_info(A._array)
    if check_errors:
        raise _singular("linalg.inv_ex", A, info)
    failed = (info != 0)[..., None, None]
    identity = np.eye(A.shape[-1], dtype=A._array.dtype)
    inverses = apply(_L.inv, Tensor.where(A, ~failed, identity))  # each failed matrix: a stand-in
    return _INV_EX(Tensor.where(inverses, ~failed, np.nan), Tensor._wrap(info))
