"""LinalgMethods: matrix products and linear algebra.

matmul (and @), mm, bmm, mv, dot, vdot, inner, outer, ger; addmm, baddbmm, addmv, addr, addbmm
and their in-place forms; tril, triu, diagonal, diag, trace; det, slogdet, logdet, inverse,
matrix_power, matrix_exp, cross and dist.

The checks come first, in torch's order and with torch's messages (a square matrix, equal
dtypes, sizes that multiply), then apply(primitive, ...). LinAlgError, raised for a singular
matrix, is minigrad.linalg.LinAlgError.
"""

from __future__ import annotations

import builtins
import collections
import math
import numbers
import warnings
from builtins import bool as _bool, float as _float, int as _int  # as tensor.py names the types

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _broadcast_shape, _dim, _matmul_message
from minigrad._ops import indexing as I
from minigrad._ops import linalg as L
from minigrad._ops import shape as S
from minigrad._tensor.operands import _as_tensor, _promote, _scalar_type, _tensor_operand, _where, apply
from minigrad._types import Number, _return_type

# The Tensor class and TensorLike (what the methods take as an operand), set by use_tensor_type
# once tensor.py has made the class: see the package's docstring.
Tensor = TensorLike = None


class LinalgMethods:
    """Matrix products and linear algebra."""

    __slots__ = ()  # no fields: Tensor's own slots hold them

    def matmul(self, other: TensorLike) -> Tensor:
        other = _as_tensor(other)
        if self.ndim == 0 or other.ndim == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {self.ndim}D "
                               f"and {other.ndim}D")
        _check_matmul(self, other)
        try:
            return apply(L.matmul, self, other)
        except ValueError as error:
            raise RuntimeError(_matmul_message(self._array.shape, other._array.shape)) from error

    def mm(self, other: Tensor) -> Tensor:
        if self.ndim != 2 or other.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D tensors, got {self.ndim}-D and {other.ndim}-D")
        return self.matmul(other)

    def bmm(self, other: Tensor) -> Tensor:
        _check_batches(self, other)
        return self.matmul(other)

    def mv(self, vec: TensorLike) -> Tensor:
        return self.matmul(vec)

    def dot(self, other: Tensor) -> Tensor:
        """The sum of the products of two vectors' elements."""
        return apply(L.dot, *self._vectors_to_dot(other))

    def vdot(self, other: Tensor) -> Tensor:
        """The dot product of two vectors (for real tensors, dot)."""
        return apply(L.vdot, *self._vectors_to_dot(_tensor_operand(other, "vdot")))

    def _vectors_to_dot(self, other):
        """self and other, checked as torch's dot and vdot check them."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
        if self._array.shape != other._array.shape:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{self._array.shape[0]}] and src "
                               f"[{other._array.shape[0]}] to have the same number of elements, but got "
                               f"{self._array.shape[0]} and {other._array.shape[0]} elements respectively")
        _check_same_dtype("dot : expected both vectors to have same dtype, but found", self, other)
        return self, other

    def inner(self, other: Tensor) -> Tensor:
        """The sum of products over the last dim of both: shape self.shape[:-1] + other.shape[:-1]
        (a plain product when either is a number-like 0-d tensor)."""
        other = _tensor_operand(other, "inner")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self._array.dtype != other._array.dtype:
            raise RuntimeError("both inputs should have same dtype")
        length = self._array.shape[-1]
        if other._array.shape[-1] != length:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(self._array.shape)} and {list(other._array.shape)}")
        products = self.reshape(-1, length).matmul(other.reshape(-1, length).t())
        return products.reshape(self._array.shape[:-1] + other._array.shape[:-1])

    def outer(self, other: Tensor) -> Tensor:
        for name, vector in (("self", self), ("vec2", other)):
            if vector.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {vector.ndim}-D")
        return self.unsqueeze(1) * other.unsqueeze(0)

    def ger(self, vec2: Tensor) -> Tensor:
        """outer under its old name."""
        return self.outer(vec2)

    # -------------------------------------------------------------- a product added to self
    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * (mat1 @ mat2), with self broadcast to the product's shape."""
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D tensors, got {mat1.ndim}-D and {mat2.ndim}-D")
        _check_matmul(mat1, mat2)
        shape = (mat1._array.shape[0], mat2._array.shape[1])
        return _scaled_sum(L.addmm, self, mat1, mat2, shape, beta, alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * (batch1 @ batch2) for batches of matrices."""
        _check_batches(batch1, batch2)
        shape = batch1._array.shape[:2] + batch2._array.shape[2:]
        return _scaled_sum(L.baddbmm, self, batch1, batch2, shape, beta, alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * (mat @ vec), with self broadcast to the product's length."""
        _check_same_dtype("addmv input tensors must have the same dtype, but got", self, mat, vec)
        if self.ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {mat.ndim}, {vec.ndim}")
        rows, columns = mat._array.shape
        if columns != vec._array.shape[0] or self._array.shape not in ((), (1,), (rows,)):
            raise RuntimeError(f"size mismatch, got input ({', '.join(map(str, self._array.shape))}), "
                               f"mat ({rows}x{columns}), vec ({vec._array.shape[0]})")
        if self._array.dtype == np.bool_:
            raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")
        return _scaled_sum(L.addmv, self, mat, vec, (rows,), beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * outer(vec1, vec2), with self broadcast to the product's shape.
        For bool tensors, (beta and self) or (alpha and outer(vec1, vec2)), as in torch."""
        for name, vector in (("vec1", vec1), ("vec2", vec2)):
            if vector.ndim != 1:
                raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {vector.ndim}-D")
        result_dtype = _dtype.result_type(self._array.dtype, False, _promote(vec1, vec2)[0]._array.dtype, False)
        for name, scale in (("beta", beta), ("alpha", alpha)):
            if isinstance(scale, (bool, np.bool_)) and result_dtype != np.bool_:
                raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
            if result_dtype.kind in "iub" and isinstance(scale, (float, np.floating)):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
        shape = vec1._array.shape + vec2._array.shape
        if result_dtype == np.bool_:
            _check_broadcasts_to(self, shape)
            return (self & builtins.bool(beta)) | (vec1.outer(vec2) & builtins.bool(alpha))
        input, vec1, vec2 = (t._cast(result_dtype) for t in (self, vec1, vec2))  # (addr promotes, unlike addmm)
        return _scaled_sum(L.addr, input, vec1, vec2, shape, beta, alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        """beta * self + alpha * the sum over the batch of batch1[i] @ batch2[i]: one matrix."""
        _check_batches(batch1, batch2)
        shape = (batch1._array.shape[1], batch2._array.shape[2])
        return _scaled_sum(L.addbmm, self, batch1, batch2, shape, beta, alpha)

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addmv_(self, mat: Tensor, vec: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addmv, mat, vec, beta=beta, alpha=alpha)

    def addr_(self, vec1: Tensor, vec2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addr, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return self._product_in_place(Tensor.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    def _product_in_place(self, out_of_place, a, b, **scales):
        """self = out_of_place(self, a, b, beta=, alpha=) (addmm_, addmv_, ...): the product must
        have self's shape, which the in-place form cannot widen."""
        def compute(old):
            result = out_of_place(old, a, b, **scales)
            if result._array.shape != self._array.shape:
                raise RuntimeError(f"Bad in-place call: input tensor size {list(self._array.shape)} and output "
                                   f"tensor size {list(result._array.shape)} should match")
            return result
        return self._write_back(compute, (a, b))

    # -------------------------------------------------------------- triangles and diagonals
    def tril(self, diagonal: _int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got {self.ndim}")
        return apply(I.tril, self, k=diagonal)

    def triu(self, diagonal: _int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got {self.ndim}")
        return apply(I.triu, self, k=diagonal)

    def diagonal(self, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        a, b = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return apply(S.diagonal, self, offset=offset, axis1=a, axis2=b)

    def diag(self, diagonal: _int = 0) -> Tensor:
        if self.ndim == 2:
            return self.diagonal(diagonal).clone()  # diag copies, unlike diagonal
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        n = self._array.shape[0] + abs(diagonal)
        index = np.arange(self._array.shape[0])
        rows, cols = index + max(-diagonal, 0), index + max(diagonal, 0)
        out = Tensor._wrap(np.zeros((n, n), dtype=self._array.dtype))
        out[rows, cols] = self
        return out

    def trace(self) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    # -------------------------------------------------------------- square matrices
    def _check_square(self, name: str, floating: _bool = True) -> None:
        """torch's checks, in its order, that self is a batch of square matrices (..., n, n),
        of a floating dtype where the routine needs one; `name` is how torch's message names it."""
        if self.ndim < 2:
            raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
        rows, columns = self._array.shape[-2:]
        if rows != columns:
            raise RuntimeError(f"{name}: A must be batches of square matrices, "
                               f"but they are {rows} by {columns} matrices")
        if floating and self._array.dtype.kind != "f":
            raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                               f"Got {_dtype.scalar_type_name(self._array.dtype)}")

    def det(self) -> Tensor:
        """The determinant of each square matrix of self (..., n, n)."""
        self._check_square("linalg.det")
        return apply(L.det, self)

    def slogdet(self) -> tuple[Tensor, Tensor]:
        """(sign, log|det|) of each square matrix: the determinant as sign * exp(logabsdet), which
        neither overflows nor underflows where det itself would; a singular matrix gives (0, -inf)."""
        self._check_square("linalg.slogdet")
        factors = L.slogdet_factors(self._array)  # LAPACK once, for both outputs
        return _SLOGDET(apply(L.slogdet_sign, self, factors=factors), apply(L.logabsdet, self, factors=factors))

    def logdet(self) -> Tensor:
        """log(det(A)): nan where the determinant is negative, -inf where it is 0, as torch's."""
        self._check_square("logdet")
        sign, logabsdet = self.slogdet()
        return _where(sign._array < 0, math.nan, logabsdet)

    def inverse(self) -> Tensor:
        """The inverse of each square matrix (..., n, n); torch.linalg.LinAlgError if one is singular."""
        self._check_square("linalg.inv")
        try:
            return apply(L.inv, self)
        except np.linalg.LinAlgError:
            raise _singular("linalg.inv", self, L.lu_info(self._array)) from None

    def matrix_power(self, n: _int) -> Tensor:
        """self @ self @ ... (n factors) for each square matrix; n = 0 gives the identity and a
        negative n the power of the inverse. The product is built by repeated squaring: the
        factors A, A^2, A^4, ... that n's binary digits pick."""
        if not isinstance(n, numbers.Integral) or isinstance(n, _bool):
            raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
        self._check_square("linalg.matrix_power", floating=False)
        if n == 0:  # the identity, picked by where so that self gets a zero gradient, as in torch
            identity = np.broadcast_to(np.eye(self._array.shape[-1], dtype=self._array.dtype), self._array.shape)
            return _where(np.ones(self._array.shape, dtype=bool), identity.copy(), self)
        base = self.inverse() if n < 0 else self
        n = abs(n)
        result = None
        while True:
            if n & 1:
                result = base if result is None else result @ base
            n >>= 1
            if not n:
                return result.clone() if result is self else result
            base = base @ base

    def matrix_exp(self) -> Tensor:
        """exp(A) = I + A + A^2 / 2! + ... for each square matrix of self."""
        self._check_square("linalg.matrix_exp")
        return apply(L.matrix_exp, self)

    # -------------------------------------------------------------- the older factorization forms
    # Tensor.cholesky, .qr and .svd (and torch.cholesky, torch.qr, torch.svd) came before
    # torch.linalg and remain for older code: each is the linalg function under its older
    # arguments and results.
    def cholesky(self, upper: _bool = False) -> Tensor:
        """L with self = L L^T (linalg.cholesky), or U = L^T for upper=True."""
        warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
                      "future PyTorch release.", UserWarning, stacklevel=2)
        return _cholesky(self, upper, "cholesky")

    def qr(self, some: _bool = True) -> tuple[Tensor, Tensor]:
        """(Q, R) with self = Q R: linalg.qr in its 'reduced' mode, or 'complete' for some=False."""
        warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                      "release.", UserWarning, stacklevel=2)
        return _return_type("qr", ("Q", "R"))(*_qr(self, "reduced" if some else "complete"))

    def svd(self, some: _bool = True, compute_uv: _bool = True) -> tuple[Tensor, Tensor, Tensor]:
        """(U, S, V) with self = U diag(S) V^T: V itself, where linalg.svd gives V^T; reduced
        unless some=False. With compute_uv=False, U and V are zeros (m x m and n x n), as in torch."""
        result = _return_type("svd", ("U", "S", "V"))
        if not compute_uv:
            S = _svdvals(self)  # (its checks first: a vector has no singular values)
            batch, (rows, columns), dtype = tuple(self.shape[:-2]), self.shape[-2:], self._array.dtype
            return result(Tensor._wrap(np.zeros(batch + (rows, rows), dtype)), S,
                          Tensor._wrap(np.zeros(batch + (columns, columns), dtype)))
        U, S, Vh = _svd(self, full_matrices=not some)
        return result(U, S, Vh.mT)

    def lu(self, pivot: _bool = True, get_infos: _bool = False) -> tuple[Tensor, ...]:
        """(LU, pivots), or (LU, pivots, info) with get_infos: linalg.lu_factor_ex under its older
        name, which never raises for a singular matrix (info says which are)."""
        warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
                      "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
                      "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
                      "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
                      "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)", UserWarning, stacklevel=2)
        LU, pivots, info = _lu_factor_ex(self, pivot, "torch.lu_factor")
        if get_infos:
            return _return_type("_lu_with_info", ("LU", "pivots", "info"))(LU, pivots, info)
        return LU, pivots

    def lu_solve(self, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
        """X with A X = B for B = self, from A's LU factorization (linalg.lu_factor's LU and pivots)."""
        warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future "
                      "PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
                      "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
                      "X = torch.linalg.lu_solve(LU, pivots, B)", UserWarning, stacklevel=2)
        return _lu_solve(LU_data, LU_pivots, self, left=True, adjoint=False)

    def triangular_solve(self, A: Tensor, upper: _bool = True, transpose: _bool = False,
                         unitriangular: _bool = False) -> tuple[Tensor, Tensor]:
        """(solution, cloned_coefficient): X with A X = b for b = self (A^T X = b with transpose),
        A triangular (only its upper or lower triangle is read, its diagonal taken as ones with
        unitriangular), and a copy of A broadcast to the batch's shape. The older form of
        linalg.solve_triangular, whose arguments are the other way round."""
        warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
                      "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
                      "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
                      "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B).",
                      UserWarning, stacklevel=2)
        if self.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has "
                               f"{self.ndim} dimensions instead")
        if A.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has "
                               f"{A.ndim} dimensions instead")
        if self.dtype != A.dtype:
            raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                               f"{_dtype.scalar_type_name(self._array.dtype)} and A of type "
                               f"{_dtype.scalar_type_name(A._array.dtype)} instead.")
        rows, columns = A.shape[-2:]
        if rows != columns:
            raise RuntimeError(f"A must be batches of square matrices, but they are {rows} by {columns} matrices")
        if self.shape[-2] != rows:
            raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is {rows} by {rows} "
                               f"but each b matrix is {self.shape[-2]} by {self.shape[-1]}")
        if not A.is_floating_point():
            raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for "
                                      f"'{_dtype.scalar_type_name(A._array.dtype)}'")
        batch = _broadcast_shape(self._array.shape[:-2], A._array.shape[:-2])
        solution = apply(L.triangular_solve, self, A, upper=upper, transpose=transpose, unitriangular=unitriangular)
        coefficient = apply(L.triangular_solve_coefficient, A, self, shape=tuple(batch) + (rows, rows))
        return _return_type("triangular_solve", ("solution", "cloned_coefficient"))(solution, coefficient)

    def geqrf(self) -> tuple[Tensor, Tensor]:
        """(a, tau): the QR factorization as LAPACK's geqrf stores it, R on and above the diagonal
        and the Householder reflectors below it, with their factors tau (Q is orgqr(a, tau)).
        Not differentiable, as in torch (linalg.qr is)."""
        if self.ndim < 2:
            raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
        if not self.is_floating_point():
            raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{_dtype.scalar_type_name(self._array.dtype)}'")
        factors = L.geqrf_factors(self._array)
        return _return_type("geqrf", ("a", "tau"))(apply(L.geqrf_qr, self, factors=factors),
                                                    apply(L.geqrf_tau, self, factors=factors))

    def orgqr(self, input2: Tensor) -> Tensor:
        """linalg.householder_product(self, input2): the first n columns of the product of the
        Householder reflectors stored in self (m x n) with the factors input2."""
        return _householder_product(self, input2)

    def ormqr(self, input2: Tensor, input3: Tensor, left: _bool = True, transpose: _bool = False) -> Tensor:
        """Q C, Q^T C (transpose), C Q or C Q^T (left=False) for C = input3, without forming Q: the
        square product of the Householder reflectors stored in self with the factors input2 (geqrf's)."""
        tau, other = input2, input3
        for name, t in (("input", self), ("other", other)):
            if t.ndim < 2:
                raise RuntimeError(f"torch.ormqr: {name} must have at least 2 dimensions.")
        if other.ndim != self.ndim:
            raise RuntimeError(f"torch.ormqr: Expected other to have the same number of dimensions as input, but got "
                               f"other.ndim equal to {other.ndim} and input.ndim is equal to {self.ndim}")
        side = -2 if left else -1
        if other.shape[side] != self.shape[-2]:
            raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
        if tau.shape[-1] != min(other.shape[side], self.shape[-1]):
            raise RuntimeError(f"torch.ormqr: tau.shape[-1] must be equal to min(other.shape[{side}], "
                               "input.shape[-1])")
        if tau.ndim != self.ndim - 1:
            raise RuntimeError(f"torch.ormqr: Expected tau to have one dimension less than input, but got tau.ndim "
                               f"equal to {tau.ndim} and input.ndim is equal to {self.ndim}")
        if tuple(tau.shape[:-1]) != tuple(self.shape[:-2]) or tuple(other.shape[:-2]) != tuple(self.shape[:-2]):
            raise RuntimeError(f"torch.ormqr: Expected the batch dimensions of input, tau and other to be the same, "
                               f"but got {list(self.shape[:-2])}, {list(tau.shape[:-1])} and "
                               f"{list(other.shape[:-2])}")
        for name, t in (("tau", tau), ("other", other)):
            if t.dtype != self.dtype:
                raise RuntimeError(f"torch.ormqr: Expected input and {name} to have the same dtype, but input has "
                                   f"dtype{_dtype.scalar_type_name(self._array.dtype)} and {name} has dtype "
                                   f"{_dtype.scalar_type_name(t._array.dtype)}")
        if not self.is_floating_point():
            raise NotImplementedError(f"\"ormqr_cpu\" not implemented for '{_dtype.scalar_type_name(self._array.dtype)}'")
        return apply(L.ormqr, self, tau, other, left=left, transpose=transpose)

    # torch's removed methods: they raise, saying what replaces them
    def solve(self, A: Tensor) -> None:
        raise _removed("solve")

    def eig(self, eigenvectors: _bool = False) -> None:
        raise _removed("eig")

    def symeig(self, eigenvectors: _bool = False, upper: _bool = True) -> None:
        raise _removed("symeig")

    def lstsq(self, A: Tensor) -> None:
        raise _removed("lstsq")

    def cholesky_solve(self, input2: Tensor, upper: _bool = False) -> Tensor:
        """X with A X = B for B = self, from A's Cholesky factor input2: A = L L^T (A = U^T U for
        upper=True). A zero on the factor's diagonal gives inf or nan, as in torch."""
        if self.ndim < 2:
            raise RuntimeError(f"b should have at least 2 dimensions, but has {self.ndim} dimensions instead")
        if input2.ndim < 2:
            raise RuntimeError(f"u should have at least 2 dimensions, but has {input2.ndim} dimensions instead")
        if self.dtype != input2.dtype:
            raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                               f"{_dtype.scalar_type_name(self._array.dtype)} and A of type "
                               f"{_dtype.scalar_type_name(input2._array.dtype)} instead.")
        rows, columns = input2.shape[-2:]
        if rows != columns:
            raise RuntimeError(f"A must be batches of square matrices, but they are {rows} by {columns} matrices")
        if not input2.is_floating_point():
            raise NotImplementedError(f"\"cholesky_solve_cpu\" not implemented for "
                                      f"'{_dtype.scalar_type_name(input2._array.dtype)}'")
        if self.shape[-2] != rows:
            raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {rows} by {rows} but "
                               f"each b matrix is {self.shape[-2]} by {self.shape[-1]}")
        _broadcast_shape(self._array.shape[:-2], input2._array.shape[:-2])  # torch's error where batch dims clash
        return apply(L.cholesky_solve, self, input2, upper=upper)

    def cholesky_inverse(self, upper: _bool = False) -> Tensor:
        """(L L^T)^-1, or (U^T U)^-1 for upper=True: the inverse of a matrix from its Cholesky
        factor; LinAlgError where the factor has a zero on its diagonal."""
        self._check_square("cholesky_inverse", floating=False)
        if not self.is_floating_point():
            raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for "
                                      f"'{_dtype.scalar_type_name(self._array.dtype)}'")
        zeros = np.diagonal(self._array, axis1=-2, axis2=-1) == 0
        if zeros.any():
            batch, position = np.argwhere(zeros.reshape(-1, zeros.shape[-1]))[0]
            where = f"(Batch element {batch}): " if self.ndim > 2 else ""
            raise LinAlgError(f"cholesky_inverse: {where}The diagonal element {position + 1} is zero, the inversion "
                              "could not be completed because the input matrix is singular.")
        return apply(L.cholesky_inverse, self, upper=upper)

    def pinverse(self, rcond: _float = 1e-15) -> Tensor:
        """The pseudoinverse: linalg.pinv with rcond as its rtol (singular values at or below rcond
        times the largest count as 0)."""
        _check_pinv(self)
        return apply(L.pinv, self, atol=0.0, rtol=rcond, hermitian=False)

    def cross(self, other: Tensor, dim: _int | None = None) -> Tensor:
        """The cross product of 3-vectors along `dim`. Without dim, torch.cross takes self's first
        dim of length 3 (torch warns that this default will become -1, linalg.cross's)."""
        other = _as_tensor(other)
        if dim is None:
            lengths = self._array.shape
            if 3 not in lengths:
                raise RuntimeError("no dimension of size 3 in input")
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
                          "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
                          "agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
            dim = lengths.index(3)
        return _cross(self, other, dim)

    def dist(self, other: Tensor, p: Number = 2) -> Tensor:
        """The p-norm of self - other (broadcast), over all its elements."""
        difference = self - _tensor_operand(other, "dist")
        if difference._array.dtype.kind != "f":
            raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                               f"{_scalar_type(difference)} instead.")
        return difference.norm(p)


def _check_same_dtype(message, *tensors):
    """torch's error for a product of tensors of different dtypes: `message`, then their dtypes' names."""
    if len({t._array.dtype for t in tensors}) > 1:
        names = [_scalar_type(t) for t in tensors]
        listed = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + f", and {names[-1]}"
        raise RuntimeError(f"{message} {listed}")


def _check_matmul(a, b):
    """torch's errors for a @ b of two tensors of at least one dim: mixed dtypes, inner sizes that differ."""
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
    if a._array.shape[-1] != b._array.shape[-2 if b.ndim > 1 else -1]:
        raise RuntimeError(_matmul_message(a._array.shape, b._array.shape))


def _check_batches(batch1, batch2):
    """torch's errors for batch1 @ batch2 (bmm, baddbmm)."""
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor and batch2 must be a 3D tensor, got {batch1.ndim}-D "
                           f"and {batch2.ndim}-D")
    if batch1._array.shape[0] != batch2._array.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{batch1._array.shape[0]} and {batch2._array.shape[0]}")
    _check_matmul(batch1, batch2)


def _check_broadcasts_to(input, shape):
    try:
        fits = np.broadcast_shapes(input._array.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"The input of shape {list(input.shape)} does not broadcast to the product's shape "
                           f"{list(shape)}")


def _scaled_sum(primitive, input, a, b, shape, beta, alpha):
    """beta * input + alpha * product(a, b), the product (of the checked a and b) having `shape`:
    addmm, baddbmm, addmv, addr, addbmm. With beta = 0 input is not read, nan included. On
    integer tensors beta and alpha are taken as integers (0.5 is 0), as in torch."""
    _check_broadcasts_to(input, shape)
    if input._array.dtype != a._array.dtype:
        raise RuntimeError(f"{primitive.name.lower()}: input and the product must have the same dtype, but got "
                           f"{_scalar_type(input)} and {_scalar_type(a)}")
    beta, alpha = (x.item() if isinstance(x, np.generic) else x for x in (beta, alpha))  # (a NumPy float64 would widen float32)
    if a._array.dtype.kind in "iu":
        beta, alpha = int(beta), int(alpha)
    return apply(primitive, input, a, b, beta=beta, alpha=alpha)


def _cross(a, b, dim):
    """linalg.cross(a, b, dim=dim): a x b for 3-vectors along dim, the other dims broadcast."""
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.scalar_type_name(a._array.dtype)} but found "
                           f"{_dtype.scalar_type_name(b._array.dtype)}")
    axis = _dim(dim, a.ndim)
    if a._array.shape[axis] != 3 or b._array.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. "
                           f"Got {a._array.shape[axis]} and {b._array.shape[axis]}")
    _broadcast_shape(a._array.shape, b._array.shape)  # torch's error where the other dims clash
    return apply(L.cross, a, b, axis=axis)


def _singular(name, A, info):
    """torch's error for the first singular matrix of A (info: LAPACK's, from its LU factorization)."""
    failed = np.flatnonzero(info)
    where = f"(Batch element {failed[0]}): " if A.ndim > 2 else ""
    return LinAlgError(f"{name}: {where}The diagonal element {info.reshape(-1)[failed[0]]} is zero, the inversion "
                       "could not be completed because the input matrix is singular.")


class LinAlgError(RuntimeError):
    """A linear-algebra routine met a matrix it cannot handle (a singular one), as torch.linalg.LinAlgError."""

    __module__ = "minigrad.linalg"


_SLOGDET = collections.namedtuple("slogdet", ["sign", "logabsdet"])  # torch.return_types.slogdet's fields


# ---------------------------------------------------------------- factorizations
# The linalg factorizations' checks and calls, shared by minigrad.linalg (cholesky, svd, qr) and
# the older forms that are Tensor methods here (torch.cholesky, torch.svd, torch.qr).
_SVD = collections.namedtuple("linalg_svd", ["U", "S", "Vh"])
_QR = collections.namedtuple("linalg_qr", ["Q", "R"])


def _cholesky(A, upper, name):
    """linalg.cholesky (see there), whose errors name the function as `name`."""
    A._check_square(name)
    try:
        return apply(L.cholesky, A, upper=upper)
    except np.linalg.LinAlgError:
        raise _not_positive_definite(name, A, L.cholesky_info(A._array, upper)) from None


def _not_positive_definite(name, A, info):
    """torch's error for the first matrix of A whose Cholesky factorization failed (info: LAPACK's)."""
    index = int(np.flatnonzero(info)[0])
    where = f"(Batch element {index}): " if A.ndim > 2 else ""
    return LinAlgError(f"{name}: {where}The factorization could not be completed because the input is not "
                       f"positive-definite (the leading minor of order {info.reshape(-1)[index]} is not "
                       "positive-definite).")


def _check_svd(A):
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype.scalar_type_name(A._array.dtype)}")


def _svd(A, full_matrices):
    """linalg.svd (see there)."""
    _check_svd(A)
    factors = L.svd_factors(A._array, full_matrices)  # LAPACK once, for the three outputs and their gradients
    return _SVD(apply(L.svd_u, A, full_matrices=full_matrices, factors=factors),
                apply(L.singular_values, A, factors=factors),
                apply(L.svd_vh, A, full_matrices=full_matrices, factors=factors))


def _svdvals(A):
    """linalg.svdvals (see there)."""
    _check_svd(A)
    return apply(L.singular_values, A)


def _qr(A, mode):
    """linalg.qr (see there)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    if A.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.qr: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype.scalar_type_name(A._array.dtype)}")
    if mode == "r":  # R alone: no factors to share
        return _QR(apply(L.qr_q, A, mode=mode), apply(L.qr_r, A, mode=mode))
    factors = L.qr_factors(A._array, mode)  # LAPACK once, for both outputs and their gradients
    return _QR(apply(L.qr_q, A, mode=mode, factors=factors), apply(L.qr_r, A, mode=mode, factors=factors))


# ---------------------------------------------------------------- LU
# linalg.lu_factor, lu_factor_ex, lu and lu_solve, and the older torch.lu, lu_unpack and lu_solve.
def _lu_factor_ex(A, pivot, name):
    """(LU, pivots, info) of A: the checks of torch's lu_factor (`name` in its messages), LU
    recorded (its node holds the factors for its gradient), pivots and info plain int32."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    if not A.is_floating_point():
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_dtype.scalar_type_name(A._array.dtype)}'")
    factors = L.lu_factors(A._array)
    return apply(L.lu_factor, A, factors=factors), Tensor._wrap(factors[1]), Tensor._wrap(factors[2])


def _zero_pivot(name, A, info):
    """torch's error for lu_factor's first singular matrix of A (info: the position of U's first zero)."""
    failed = np.flatnonzero(info)
    where = f"(Batch element {failed[0]}): " if A.ndim > 2 else ""
    position = info.reshape(-1)[failed[0]]
    return RuntimeError(f"{name}: {where}U[{position},{position}] is zero and using it on lu_solve would result in "
                        "a division by zero. If you still want to perform the factorization, consider calling "
                        "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def _lu(A, pivot):
    """linalg.lu: (P, L, U) with A = P L U; P is a constant, L and U one recorded node each."""
    if A.ndim < 2:
        raise RuntimeError(f"linalg.lu: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    if not A.is_floating_point():
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_dtype.scalar_type_name(A._array.dtype)}'")
    factors = L.lu_factors(A._array)
    P = Tensor._wrap(L.permutation(factors[1], A.shape[-2], A._array.dtype))
    return _return_type("linalg_lu", ("P", "L", "U"))(P, apply(L.lu_lower, A, factors=factors),
                                                      apply(L.lu_upper, A, factors=factors))


def _lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots):
    """torch.lu_unpack: (P, L, U) from a packed LU and its pivots; each part not asked for is an
    empty tensor."""
    if LU_data.ndim < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(LU_data.shape)} instead")
    if LU_pivots._array.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
                           "Note: this function is intended to be used with the output produced by "
                           "torch.linalg.lu_factor")
    m, n = LU_data.shape[-2:]
    if tuple(LU_pivots.shape) != tuple(LU_data.shape[:-2]) + (min(m, n),):
        raise RuntimeError(f"torch.lu_unpack: expected pivots of shape {list(LU_data.shape[:-2]) + [min(m, n)]} "
                           f"for LU of shape {list(LU_data.shape)}, but got {list(LU_pivots.shape)}")
    empty = np.zeros((0,), dtype=LU_data._array.dtype)
    if unpack_pivots:
        pivots = LU_pivots._array
        if pivots.size and (pivots.min() < 1 or pivots.max() > m):
            raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.Did you "
                               "properly pass the result of lu_factor?")
        P = Tensor._wrap(L.permutation(pivots, m, LU_data._array.dtype))
    else:
        P = Tensor._wrap(empty)
    if unpack_data:
        lower, upper = apply(L.unpacked_lower, LU_data), apply(L.unpacked_upper, LU_data)
    else:  # empty, but in the graph as torch's are
        lower = upper = LU_data.reshape(-1)[:0]
    return _return_type("lu_unpack", ("P", "L", "U"))(P, lower, upper)


def _lu_solve(LU, pivots, B, left, adjoint):
    """linalg.lu_solve (see there), with torch's checks in its order."""
    if LU.ndim < 2:
        raise RuntimeError("torch.linalg.lu_solve: The input tensor A must have at least 2 dimensions.")
    rows, columns = LU.shape[-2:]
    if rows != columns:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but they are {rows} by "
                           f"{columns} matrices")
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if LU.dtype != B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
                           f"{_dtype.scalar_type_name(LU._array.dtype)} and B of type "
                           f"{_dtype.scalar_type_name(B._array.dtype)} instead")
    if not LU.is_floating_point():
        raise RuntimeError(f"torch.linalg.lu_solve: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype.scalar_type_name(LU._array.dtype)}")
    if pivots._array.dtype != np.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    n = LU.shape[-1]
    if pivots.ndim == 0 or pivots.shape[-1] != n:
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the dimension of the matrix")
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise RuntimeError(f"linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots "
                           f"with shape {list(pivots.shape)} instead")
    if (B.shape[-2] if left else B.shape[-1]) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation {equation} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    _broadcast_shape(LU._array.shape[:-2], B._array.shape[:-2])  # torch's error where the batch dims clash
    if pivots._array.size and pivots._array.max() > n:
        raise RuntimeError("Pivots given to lu_solve must all be smaller or equal to LU.size(-2). Did you properly "
                           "pass the result of lu_factor?")
    if pivots._array.size and pivots._array.min() < 1:
        raise RuntimeError("Pivots given to lu_solve must all be at least 1 (LAPACK's rows count from 1). Did you "
                           "properly pass the result of lu_factor?")
    return apply(L.lu_solve, LU, B, pivots=pivots._array, left=left, adjoint=adjoint)


def _householder_product(A, tau):
    """linalg.householder_product (see there), with torch's checks in its order."""
    name = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.ndim} and input.ndim is equal to {A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{name}: tau dtype {_dtype.scalar_type_name(tau._array.dtype)} does not match input "
                           f"dtype {_dtype.scalar_type_name(A._array.dtype)}")
    if not A.is_floating_point():
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{_dtype.scalar_type_name(A._array.dtype)}'")
    return apply(L.householder_product, A, tau)


# torch's removed functions, kept as names that raise: what each says to use instead.
_REMOVED = {
    "solve": " `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments "
             "reversed and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, "
             "which can be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should "
             "be replaced with:\nX = torch.linalg.solve(A, B)",
    "eig": " `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors "
           "mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = "
           "torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
           "L_complex, V_complex = torch.linalg.eig(A)",
    "symeig": " The default behavior has changed from using the upper triangular portion of the matrix by default to "
              "using the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
              "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, "
              "eigenvectors=True) should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "lstsq": " `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed "
             "arguments and does not return the QR decomposition in the returned tuple (although it returns other "
             "information about the problem).\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\n"
             "The returned solution in `torch.lstsq` stored the residuals of the solution in the last m - n columns "
             "of the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field "
             "'residuals' of the returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = "
             "torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution",
    "matrix_rank": "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was "
                   "renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
}


def _removed(name):
    """torch's error for a function it has removed (torch.solve, eig, symeig, lstsq, matrix_rank)."""
    return RuntimeError(f"This function was deprecated since version 1.9 and is now removed.{_REMOVED[name]}")


def _check_pinv(A):
    if A.ndim < 2 or not A.is_floating_point():
        raise RuntimeError(f"linalg.pinv({_dtype.scalar_type_name(A._array.dtype)}{{{list(A.shape)}}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble types")
