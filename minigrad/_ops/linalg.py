"""Matrix products, inverses, determinants and the cross product.

For C = A @ B the gradients are dA = dC @ B^T and dB = A^T @ dC. matmul also accepts
vectors (a 1-D operand is a row on the left, a column on the right) and broadcasts batch
axes; the VJPs turn vectors into matrices, apply the matrix rule, and let the engine sum
the gradient back over broadcast batch axes.
"""

import math

import numpy as np

from minigrad._ops.layout import c_order
from minigrad._ops.registry import Primitive, on_arrays


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _in_c_order(forward):
    """`forward` with its result laid out in C order, as torch's new tensors are (a solve from
    the right, say, computes the transpose of a C-ordered result)."""
    def run(*args, **params):
        return c_order(forward(*args, **params))

    run.__name__ = getattr(forward, "__name__", "forward")
    return run


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


def _matmul(a, b):
    """a @ b, C-ordered as torch's product is: NumPy's batched product follows the order of
    the batch axes of a transposed or permuted input."""
    ans = np.matmul(a, b)
    return ans if ans.flags.c_contiguous else c_order(ans)


# inf * 0 inside a product gives nan, quietly as in torch.
matmul = Primitive("Mm", _matmul, _matmul_vjp_a, _matmul_vjp_b, saves="others")


def _dot(a, b):
    return np.asarray(np.dot(a, b))


# dot(a, b) = sum_i a_i b_i of two vectors: da = g * b and db = g * a, g being a number. vdot
# (which conjugates a complex a) is the same for real tensors, under its own node name.
dot = Primitive("Dot", _dot, lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a, saves="others",
                fused_for="a @ b for vectors")
vdot = Primitive("Vdot", _dot, lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a, saves="others",
                 fused_for="dot(a, b) for real vectors")


def _einsum(*operands, inputs, output):
    spec = f"{','.join(inputs)}->{output}"
    with np.errstate(all="ignore"):  # inf * 0 gives nan, quietly as in torch
        return np.einsum(spec, *operands, optimize=len(operands) > 2)


def _einsum_vjp(i, g, ans, *operands, inputs, output):
    """The gradient of operand i: contract g with the other operands back onto i's letters.

    A letter that only operand i carries was summed away, so the gradient is the same
    along it (a broadcast); a letter repeated inside one operand (a diagonal) is not
    supported.
    """
    own = inputs[i]
    if len(set(own)) != len(own):
        raise NotImplementedError(f"einsum's gradient for an operand with a repeated index ({own!r}) "
                                  "is not supported")
    others = [s for j, s in enumerate(inputs) if j != i]
    available = set(output).union(*others)
    kept = "".join(c for c in own if c in available)
    grad = np.einsum(f"{','.join([output, *others])}->{kept}", g, *(op for j, op in enumerate(operands) if j != i))
    for axis, c in enumerate(own):
        if c not in available:
            grad = np.expand_dims(grad, axis)
    # Broadcast back along the dropped letters and any size-1 letter of another operand;
    # where operand i itself was broadcast (size 1), the engine sums the gradient.
    return np.broadcast_to(grad, np.broadcast_shapes(grad.shape, operands[i].shape))


# inputs: the subscripts of each operand; output: those of the result (ellipses already spelled out).
einsum = Primitive("Einsum", _einsum, vjp_argnum=_einsum_vjp)


def lu_info(a):
    """LAPACK's info for the LU factorization with partial pivoting of each matrix of a (int32, of
    the batch's shape): 0 for an invertible matrix, else the position (from 1) of the first pivot
    that is 0. It runs only once inv has found a matrix of a singular: each matrix is tried alone,
    and the pivots of a singular one come from the elimination written out here. LAPACK's fused
    multiply-adds may leave 0 where this elimination leaves a rounding error: the smallest pivot
    is then taken for the zero one."""
    n = a.shape[-1]
    matrices = a.reshape(-1, n, n)
    info = np.zeros(len(matrices), dtype=np.int32)
    for index, matrix in enumerate(matrices):
        try:
            np.linalg.inv(matrix)
        except np.linalg.LinAlgError:
            pivots = _lu_pivots(matrix)
            zeros = np.flatnonzero(pivots == 0)
            info[index] = 1 + (zeros[0] if zeros.size else np.argmin(np.abs(pivots)))
    return info.reshape(a.shape[:-2])


def _lu_pivots(matrix):
    """The diagonal of U in P A = L U (partial pivoting: the largest candidate, the first of equals)."""
    u = matrix.copy()
    n = u.shape[-1]
    for k in range(n):
        pivot = k + np.argmax(np.abs(u[k:, k]))
        u[[k, pivot]] = u[[pivot, k]]
        if u[k, k] != 0:  # (a zero pivot eliminates nothing; LAPACK carries on to the next column)
            multipliers = u[k + 1:, k] * (1 / u[k, k])
            u[k + 1:, k + 1:] -= np.outer(multipliers, u[k, k + 1:])
    return np.diagonal(u).copy()


# inv(A): from d(A A^-1) = 0, d(A^-1) = -A^-1 dA A^-1, so the gradient is -A^-T g A^-T.
inv = Primitive("LinalgInv", np.linalg.inv, lambda g, ans, a: -_mT(ans) @ g @ _mT(ans), saves="output",
                grad_fn_name="LinalgInvExBackward0")


def _solve_vjp_b(g, ans, a, b):
    # X = A^-1 B is linear in B: dB = A^-T g.
    return np.linalg.solve(_mT(a), g)


def _solve_vjp_a(g, ans, a, b):
    # dA = -dB X^T, with dB the gradient of B above.
    return -_solve_vjp_b(g, ans, a, b) @ _mT(ans)


# solve(A, B) for matrices B (the shell turns a vector B into a one-column matrix).
solve = Primitive("LinalgSolve", np.linalg.solve, _solve_vjp_a, _solve_vjp_b, saves="both",
                  grad_fn_name="LinalgSolveExBackward0", fused_for="inv(a) @ b")


# ---------------------------------------------------------------- determinants
# Jacobi's formula: d det(A) = det(A) tr(A^-1 dA), so the gradient of det is g det(A) A^-T. The
# rules apply the primitive inv, so that under create_graph they are recorded and have gradients.


def _inverse_or_zero(a, singular):
    """inv(a) for each matrix of the batch that is not `singular` (a boolean of the batch's shape),
    and 0 for the others.

    torch's determinant gradients come out 0 for an exactly singular matrix (the factor
    det(A) is 0 there), so such a matrix is swapped for the identity before inverting,
    and its inverse is then zeroed. (Under create_graph torch's det switches to an SVD there
    and gives the cofactor matrix; minigrad keeps 0.)
    """
    if not np.any(singular):
        return inv(a)
    singular = singular[..., None, None]
    return np.where(singular, 0, inv(np.where(singular, np.eye(a.shape[-1], dtype=bool), a)))


def _det_vjp(g, ans, a):
    return (g * ans)[..., None, None] * _mT(_inverse_or_zero(a, ans == 0))


det = Primitive("LinalgDet", np.linalg.det, _det_vjp, saves="both")


def _logabsdet_vjp(g, ans, a):
    # log|det A| has the gradient A^-T (Jacobi's formula divided by det A). At a singular matrix
    # (log|det| = -inf) it is 0 here; torch's LU gives infinities there.
    return g[..., None, None] * _mT(_inverse_or_zero(a, ans == -np.inf))


def slogdet_factors(a):
    """(sign, log|det|) of each square matrix of a: one LAPACK call, whose result the shell hands to
    the nodes of both outputs as their parameter `factors` (see the spectral decompositions below)."""
    return np.linalg.slogdet(a)


def _slogdet_part(a, part, factors=None):
    """Part 0 (the sign) or 1 (log|det|) of slogdet(a), of `factors` where the shell passed them."""
    return (slogdet_factors(a) if factors is None else factors)[part]


# slogdet's two outputs are two nodes of torch's one name. The sign of a real determinant is
# piecewise constant: it passes no gradient on, as in torch.
slogdet_sign = Primitive("LinalgSlogdetSign", lambda a, factors=None: _slogdet_part(a, 0, factors),
                         lambda g, ans, a, factors=None: None, saves="nothing", grad_fn_name="LinalgSlogdetBackward0")
logabsdet = Primitive("LinalgSlogdet", lambda a, factors=None: _slogdet_part(a, 1, factors),
                      lambda g, ans, a, factors=None: _logabsdet_vjp(g, ans, a), saves="both")


# ---------------------------------------------------------------- cross product
def _cross(a, b, axis):
    """a x b along `axis` (of length 3), broadcast, C-ordered as torch's result is."""
    return c_order(np.cross(a, b, axis=axis))


# The product a x b is linear in each factor, and <g, a x b> = <b x g, a> = <g x a, b>. (The rules
# apply the primitive itself, so that under create_graph they are recorded and have gradients.)
cross = Primitive("LinalgCross", _cross, lambda g, ans, a, b, axis: cross(b, g, axis=axis),
                  lambda g, ans, a, b, axis: cross(g, a, axis=axis), saves="others")


# ---------------------------------------------------------------- triangular systems and Cholesky
def _triangle(a, upper, unitriangular=False):
    """The triangle of a that a triangular solver reads: the other one taken as 0, and the
    diagonal as 1 where unitriangular."""
    offset = int(unitriangular)
    t = np.triu(a, offset) if upper else np.tril(a, -offset)
    return t + np.eye(a.shape[-1], dtype=a.dtype) if unitriangular else t


def _substitution(t, b, upper):
    """t^-1 b by forward (lower t) or back (upper t) substitution, one row of unknowns at a time:
    a zero on the diagonal gives inf or nan, as LAPACK's triangular solver does, where a general
    solver would refuse the matrix."""
    n = t.shape[-1]
    x = np.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:], dtype=np.result_type(t, b))
    for i in (range(n - 1, -1, -1) if upper else range(n)):
        known = t[..., i:i + 1, :] @ x  # the row's sum over the unknowns found so far (the others are still 0)
        x[..., i, :] = (b[..., i, :] - known[..., 0, :]) / t[..., i, i:i + 1]
    return x


def _solve_triangular_left(t, b, upper):
    """t^-1 b for triangular t; a singular t gives inf or nan rather than an error."""
    try:
        return np.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        return _substitution(t, b, upper)


def _solve_triangular(a, b, upper, left, unitriangular):
    t = _triangle(a, upper, unitriangular)
    if left:  # A X = B
        return _solve_triangular_left(t, b, upper)
    return _mT(_solve_triangular_left(_mT(t), _mT(b), not upper))  # X A = B is A^T X^T = B^T


def _solve_triangular_vjp_b(g, ans, a, b, upper, left, unitriangular):
    # X = A^-1 B is linear in B: dB = A^-T g (left), g A^-T (right), A^T lower where A is upper.
    return _solve_triangular(_mT(a), g, not upper, left, unitriangular)


def _solve_triangular_vjp_a(g, ans, a, b, upper, left, unitriangular):
    # dA = -dB X^T (left) or -X^T dB (right), in the triangle that was read (the diagonal too
    # unless it was taken as 1).
    gb = _solve_triangular_vjp_b(g, ans, a, b, upper, left, unitriangular)
    ga = -(gb @ _mT(ans) if left else _mT(ans) @ gb)
    offset = int(unitriangular)
    return np.triu(ga, offset) if upper else np.tril(ga, -offset)


solve_triangular = Primitive("LinalgSolveTriangular", _in_c_order(_solve_triangular), _solve_triangular_vjp_a,
                             _solve_triangular_vjp_b, saves="both")


def _cholesky_vjp(g, ans, a, upper):
    """From A = L L^T: dA = L^-T Phi(L^T dL) L^-1, Phi taking the lower triangle with half the
    diagonal; symmetrised, as torch's, since A is symmetric. L^-1 is solved for with the primitive,
    so that under create_graph the rule is recorded and has gradients."""
    lower, g = (_mT(ans), _mT(g)) if upper else (ans, g)
    identity = np.eye(lower.shape[-1], dtype=np.asarray(lower).dtype)  # (asarray: the dtype of a tensor too)
    l_inverse = solve_triangular(lower, identity, upper=False, left=True, unitriangular=False)
    product = _mT(lower) @ g
    phi = 0.5 * (np.tril(product) + np.tril(product, -1))  # the lower triangle, half the diagonal
    grad = _mT(l_inverse) @ phi @ l_inverse
    return 0.5 * (grad + _mT(grad))


cholesky = Primitive("LinalgCholesky", _in_c_order(lambda a, upper: np.linalg.cholesky(a, upper=upper)), _cholesky_vjp,
                     saves="output", grad_fn_name="LinalgCholeskyExBackward0")


def cholesky_info(a, upper):
    """LAPACK's info for the Cholesky factorization of each matrix of a (int32, of the batch's
    shape): 0 where it succeeds, else the order of the first leading minor that is not positive
    definite. A loop over the matrices and orders, run only once cholesky has failed."""
    matrices = a.reshape(-1, *a.shape[-2:])
    info = np.zeros(len(matrices), dtype=np.int32)
    for index, matrix in enumerate(matrices):
        for order in range(1, matrix.shape[-1] + 1):
            try:
                np.linalg.cholesky(matrix[:order, :order], upper=upper)
            except np.linalg.LinAlgError:
                info[index] = order
                break
    return info.reshape(a.shape[:-2])


def _cholesky_solve(b, factor, upper):
    """(L L^T)^-1 b from the Cholesky factor (U^T U for an upper one): two triangular solves."""
    lower = _mT(factor) if upper else factor
    return _solve_triangular(_mT(lower), _solve_triangular(lower, b, False, True, False), True, True, False)


# The rules apply the primitive itself, so that under create_graph they are recorded, and their
# gradient with respect to the factor is torch's whole-matrix one.
def _cholesky_solve_vjp_b(g, ans, b, factor, upper):
    # X = A^-1 B with A = L L^T symmetric: dB = A^-1 g.
    return cholesky_solve(g, factor, upper=upper)


def _cholesky_solve_vjp_factor(g, ans, b, factor, upper):
    # dA = -dB X^T, and A = L L^T gives dL = (dA + dA^T) L (torch's form: the whole matrix, unprojected).
    gb = cholesky_solve(g, factor, upper=upper)
    common = gb @ _mT(ans)
    common = common + _mT(common)
    return -(factor @ common) if upper else -(common @ factor)


cholesky_solve = Primitive("CholeskySolve", _in_c_order(_cholesky_solve), _cholesky_solve_vjp_b,
                           _cholesky_solve_vjp_factor, saves="both")


def _cholesky_inverse(factor, upper):
    return _cholesky_solve(np.eye(factor.shape[-1], dtype=factor.dtype), factor, upper)


def _cholesky_inverse_vjp(g, ans, factor, upper):
    # R = (L L^T)^-1: dR = -R (dL L^T + L dL^T) R, so dL = -R (g + g^T) R L (or -U R (g + g^T) R).
    common = ans @ (g + _mT(g)) @ ans
    return -(factor @ common) if upper else -(common @ factor)


cholesky_inverse = Primitive("CholeskyInverse", _in_c_order(_cholesky_inverse), _cholesky_inverse_vjp, saves="both")


# ---------------------------------------------------------------- spectral decompositions
# A decomposition with several outputs is one primitive per output, each under torch's one name
# for the decomposition: a VJP is linear in the gradients of the outputs, so the gradient of the
# input is the sum of what each output's rule gives, as torch's joint formula gives it.
#
# LAPACK runs once per call: the shell factors A once (eigh, svd, qr, slogdet) and hands the
# factors to the node of every output as the parameter `factors`; each forward picks its part of
# them and each rule reads the parts it needs. Where a node has no factors (eigvalsh and svdvals
# compute the values alone) a rule on arrays computes them. A rule running under create_graph
# (on tensors) applies the primitives to A again instead, so that the factors it reads are
# recorded and the gradient has gradients; the same LAPACK call gives the same signs of vectors.


def eigh_factors(a, upper):
    """(eigenvalues, eigenvectors) of each symmetric matrix of a, read from its upper or lower triangle."""
    return np.linalg.eigh(a, UPLO="U" if upper else "L")


def _eigvalsh(a, upper):
    return np.linalg.eigvalsh(a, UPLO="U" if upper else "L")


def _eigh_part(a, upper, factors, part):
    """Part 0 (the eigenvalues) or 1 (the eigenvectors) of eigh(a), for a rule (see above)."""
    if not on_arrays(a):
        return (eigenvalues, eigenvectors)[part](a, upper=upper)
    if factors is not None:
        return factors[part]
    return _eigvalsh(a, upper) if part == 0 else eigh_factors(a, upper)[1]


def _eigenvalues_vjp(g, ans, a, upper, factors=None):
    # A = V diag(L) V^T with V orthogonal: dL = diag(V^T dA V), so the gradient is V diag(g) V^T.
    vectors = _eigh_part(a, upper, factors, 1)
    return (vectors * g[..., None, :]) @ _mT(vectors)


def _off_diagonal_gaps(values):
    """E_ij = values_j - values_i, with 1 on the diagonal, which the rules divide only a zero by."""
    gaps = values[..., None, :] - values[..., :, None]
    return np.where(np.eye(gaps.shape[-1], dtype=bool), 1, gaps)


def _eigenvectors_vjp(g, ans, a, upper, factors=None):
    """torch's formula: V (skew(V^T g) / E) V^T with E_ij = L_j - L_i and skew(X) = (X - X^T) / 2.
    It is symmetric, as a change of A that keeps it symmetric is; equal eigenvalues make it inf or nan."""
    projected = _mT(ans) @ g
    projected = 0.5 * (projected - _mT(projected))
    return ans @ (projected / _off_diagonal_gaps(_eigh_part(a, upper, factors, 0))) @ _mT(ans)


eigenvalues = Primitive("LinalgEighValues", _in_c_order(lambda a, upper, factors=None: _eigh_part(a, upper, factors, 0)),
                        _eigenvalues_vjp, grad_fn_name="LinalgEighBackward0")
eigenvectors = Primitive("LinalgEighVectors",
                         _in_c_order(lambda a, upper, factors=None: _eigh_part(a, upper, factors, 1)),
                         _eigenvectors_vjp, saves="both", grad_fn_name="LinalgEighBackward0")


def svd_factors(a, full_matrices):
    """(U, S, Vh) of each matrix of a."""
    return np.linalg.svd(a, full_matrices=full_matrices)


def _reduced_svd(a, full_matrices, factors):
    """(U, S, Vh) of the reduced SVD of a, for a rule (see above): the first k = min(m, n) columns
    of U and rows of Vh, where full_matrices made them square."""
    k = min(a.shape[-2:])
    if not on_arrays(a):
        u, s, vh = svd_u(a, full_matrices=full_matrices), singular_values(a), svd_vh(a, full_matrices=full_matrices)
    else:
        u, s, vh = svd_factors(a, full_matrices) if factors is None else factors
    return u[..., :k], s, vh[..., :k, :]


def _svd_vjp(factors, gs=None, gu=None, gvh=None):
    """torch's gradient of A = U diag(S) Vh (reduced) for whichever of gS, gU, gVh is given.

    With E_ij = S_j^2 - S_i^2 and skew(X) = X - X^T, the square core
        C = diag(gS) + (skew(U^T gU) S + S skew(Vh gVh^T)) / E
    gives U C Vh; where A is tall (m > n) gU has a part outside U's columns, (I - U U^T) gU / S,
    and where it is wide gVh one outside Vh's rows. Equal singular values make it inf or nan.
    """
    u, s, vh = factors
    m, n = u.shape[-2], vh.shape[-1]
    if gs is not None:
        return (u * gs[..., None, :]) @ vh
    gaps = _off_diagonal_gaps(s * s)
    if gu is not None:
        uhgu = _mT(u) @ gu
        core = (uhgu - _mT(uhgu)) * s[..., None, :] / gaps
        if m > n:
            outside = gu / s[..., None, :]
            return (u @ core + outside - u @ (_mT(u) @ outside)) @ vh
        return u @ core @ vh
    vhgv = vh @ _mT(gvh)
    core = s[..., :, None] * (vhgv - _mT(vhgv)) / gaps
    if m < n:
        outside = gvh / s[..., :, None]
        return u @ (core @ vh + outside - (outside @ _mT(vh)) @ vh)
    return u @ core @ vh


def _svd_u_vjp(g, ans, a, full_matrices, factors=None):
    return _svd_vjp(_reduced_svd(a, full_matrices, factors), gu=g[..., : min(a.shape[-2:])])


def _svd_vh_vjp(g, ans, a, full_matrices, factors=None):
    return _svd_vjp(_reduced_svd(a, full_matrices, factors), gvh=g[..., : min(a.shape[-2:]), :])


def _singular_values(a, factors=None):
    return np.linalg.svd(a, compute_uv=False) if factors is None else factors[1]


svd_u = Primitive("LinalgSvdU", _in_c_order(lambda a, full_matrices, factors=None:
                                            (svd_factors(a, full_matrices) if factors is None else factors)[0]),
                  _svd_u_vjp, grad_fn_name="LinalgSvdBackward0")
singular_values = Primitive("LinalgSvdS", _in_c_order(_singular_values),
                            lambda g, ans, a, factors=None: _svd_vjp(_reduced_svd(a, False, factors), gs=g),
                            grad_fn_name="LinalgSvdBackward0")
svd_vh = Primitive("LinalgSvdVh", _in_c_order(lambda a, full_matrices, factors=None:
                                              (svd_factors(a, full_matrices) if factors is None else factors)[2]),
                   _svd_vh_vjp, grad_fn_name="LinalgSvdBackward0")


def singular_value_cutoff(values, atol, rtol):
    """max(atol, rtol * the largest value) for each matrix: the values at or below it count as 0
    in pinv and matrix_rank (values: singular values, or absolute eigenvalues, along the last axis)."""
    largest = values.max(axis=-1, initial=0.0)
    return np.maximum(atol, rtol * largest)


def _pinv(a, atol, rtol, hermitian):
    """The pseudoinverse from the SVD (the eigendecomposition where hermitian): V diag(1 / s) U^T
    with 1 / s replaced by 0 for the values at or below the cutoff."""
    if hermitian:
        values, vectors = np.linalg.eigh(a)
        left, right = vectors, _mT(vectors)
        magnitudes = np.abs(values)
    else:
        left, values, right = np.linalg.svd(a, full_matrices=False)
        magnitudes = values
    kept = magnitudes > singular_value_cutoff(magnitudes, atol, rtol)[..., None]
    inverted = np.where(kept, 1 / np.where(kept, values, 1), 0)
    return (_mT(right) * inverted[..., None, :]) @ _mT(left)


def _pinv_vjp(g, ans, a, atol, rtol, hermitian):
    """From d(P) = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P (P = pinv(A), of constant rank):
    gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)."""
    p, gt = ans, _mT(g)
    return (-_mT(p) @ g @ _mT(p) + (gt - a @ (p @ gt)) @ (p @ _mT(p))
            + (_mT(p) @ p) @ (gt - (gt @ p) @ a))


pinv = Primitive("LinalgPinv", _in_c_order(_pinv), _pinv_vjp, saves="both")


# ---------------------------------------------------------------- QR
def _qr_q(a, mode, factors=None):
    if mode == "r":  # Q is not computed: torch returns an empty tensor in its place
        return np.zeros((0,), dtype=a.dtype)
    return (qr_factors(a, mode) if factors is None else factors)[0]


def _qr_r(a, mode, factors=None):
    if mode == "r":
        return np.linalg.qr(a, mode="r")
    return (qr_factors(a, mode) if factors is None else factors)[1]


def qr_factors(a, mode):
    """(Q, R) of each matrix of a, in mode "reduced" or "complete"."""
    return np.linalg.qr(a, mode=mode)


def _qr_parts(a, mode, factors):
    """(Q, R) of a for a rule (see the spectral decompositions above)."""
    if not on_arrays(a):
        return qr_q(a, mode=mode), qr_r(a, mode=mode)
    return qr_factors(a, mode) if factors is None else factors


def _qr_vjp(a, mode, factors, gq=None, gr=None):
    """torch's gradient of A = Q R for gQ (Q's rule) or gR (R's rule).

    A wide A (m < n) is [X Y] with X = Q R1 square, and Y = Q R2, so R2 = Q^T Y: the gradient
    reaching R2 passes to Y as Q gR2 and to Q as Y gR2^T, and X's gradient is the square one's
    for that gQ. Q depends on X alone."""
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                           "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    m, n = a.shape[-2:]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    q, r = _qr_parts(a, mode, factors)
    if m >= n:
        return _qr_tall_vjp(q, r, gq, gr)
    y = a[..., m:]
    if gr is None:
        return np.concatenate([_qr_tall_vjp(q, r[..., :m], gq, None), np.zeros_like(y)], axis=-1)
    gr2 = gr[..., m:]
    return np.concatenate([_qr_tall_vjp(q, r[..., :m], y @ _mT(gr2), gr[..., :m]), q @ gr2], axis=-1)


def _qr_tall_vjp(q, r, gq, gr):
    """The gradient for m >= n (Q: m x n with orthonormal columns, R: n x n upper triangular):
    with M = R gR^T - gQ^T Q, gA = (gQ + Q copyltu(M)) R^-T, where copyltu(M) is the symmetric
    matrix whose lower triangle is M's."""
    middle = (r @ _mT(gr) if gr is not None else 0) - (_mT(gq) @ q if gq is not None else 0)
    copyltu = np.tril(middle, -1) + _mT(np.tril(middle))
    grad = q @ copyltu + (gq if gq is not None else 0)
    return _mT(solve_triangular(r, _mT(grad), upper=True, left=True, unitriangular=False))  # grad R^-T


qr_q = Primitive("LinalgQrQ", _in_c_order(_qr_q), lambda g, ans, a, mode, factors=None: _qr_vjp(a, mode, factors, gq=g),
                 grad_fn_name="LinalgQrBackward0")
qr_r = Primitive("LinalgQrR", _in_c_order(_qr_r), lambda g, ans, a, mode, factors=None: _qr_vjp(a, mode, factors, gr=g),
                 grad_fn_name="LinalgQrBackward0")


# ---------------------------------------------------------------- LU
# P A = L U with partial pivoting, as LAPACK's getrf computes it: in column j, the row holding
# the largest magnitude at or below the diagonal (the first of equals) is swapped into row j,
# and multiples of row j are subtracted from the rows below. L (unit lower triangular, m x k) and
# U (upper triangular, k x n), k = min(m, n), are packed into one m x n matrix LU: L below the
# diagonal (its ones are not stored) and U on and above it. pivots[j] (from 1, int32) is the row
# swapped with row j, so the swaps are applied one after the other.
def lu_factors(a):
    """(LU, pivots, info) of each m x n matrix of a. info (int32) is 0, or the position (from 1)
    of the first zero on U's diagonal, where the matrix is singular: that column eliminates nothing,
    and the factorization carries on, as LAPACK's does. One step per column, each step on the
    whole batch at once."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((math.prod(batch), m, n)).copy()
    pivots = np.zeros((len(lu), k), dtype=np.int32)
    info = np.zeros(len(lu), dtype=np.int32)
    matrices = np.arange(len(lu))
    for j in range(k):
        rows = j + np.argmax(np.abs(lu[:, j:, j]), axis=-1)  # the largest candidate, the first of equals
        pivots[:, j] = rows + 1
        lu[matrices, j], lu[matrices, rows] = lu[matrices, rows], lu[matrices, j]
        pivot = lu[:, j, j]
        info = np.where((info == 0) & (pivot == 0), j + 1, info)
        # (LAPACK multiplies by the pivot's reciprocal; a zero pivot has zeros below it, left as they are)
        multipliers = lu[:, j + 1:, j] * (1 / np.where(pivot == 0, 1, pivot))[:, None]
        lu[:, j + 1:, j] = multipliers
        lu[:, j + 1:, j + 1:] -= multipliers[:, :, None] * lu[:, j, None, j + 1:]
    return lu.reshape(a.shape), pivots.reshape(batch + (k,)), info.reshape(batch)


def unpack_lower(lu):
    """L (m x k) of a packed LU: its strict lower triangle, with ones on the diagonal."""
    m, n = lu.shape[-2:]
    return np.tril(lu[..., :min(m, n)], -1) + np.eye(m, min(m, n), dtype=lu.dtype)


def unpack_upper(lu):
    """U (k x n) of a packed LU: its upper triangle."""
    return np.triu(lu[..., :min(lu.shape[-2:]), :])


def permutation(pivots, m, dtype):
    """P (m x m) of A = P L U from LAPACK's pivots: the row swaps applied in order to the rows
    0..m-1 give perm, the order of A's rows in L U (L U = A[perm]); so P[perm[i], i] = 1."""
    batch = pivots.shape[:-1]
    swaps = pivots.reshape((math.prod(batch), pivots.shape[-1])).astype(np.intp) - 1
    perm = np.broadcast_to(np.arange(m), (len(swaps), m)).copy()
    matrices = np.arange(len(swaps))
    for j in range(swaps.shape[-1]):
        rows = swaps[:, j]
        perm[matrices, j], perm[matrices, rows] = perm[matrices, rows], perm[matrices, j]
    p = np.zeros((len(swaps), m, m), dtype=dtype)
    p[matrices[:, None], perm, np.arange(m)] = 1
    return p.reshape(batch + (m, m))


def _lu_vjp(p, lower, upper, gl, gu):
    """The gradient of A = P L U for the gradients gL of L and gU of U (either may be None).

    Square: dA = P (dL U + L dU), so with X = L^-1 P^T dA U^-1, dL = L tril(X, -1) and dU = triu(X) U;
    the adjoint is gA = P L^-T M U^-T with M = tril(L^T gL, -1) + triu(gU U^T). A wide A = P L [U1 U2]
    is that square one for U1, with dU2 = L^-1 P^T dA2 - tril(X, -1) U2: M loses tril(gU2 U2^T, -1)
    and gA2 = P L^-T gU2. A tall A = P [L1; L2] U likewise: M loses triu(L2^T gL2) and gA2 = P gL2 U^-T.
    Only the triangles that L and U are made of are read of gL and gU. The triangular solves apply
    the primitive, so that under create_graph the rule is recorded and has gradients.
    """
    m, n = p.shape[-1], upper.shape[-1]
    k = min(m, n)
    gl = np.zeros_like(lower) if gl is None else np.tril(gl, -1)
    gu = np.zeros_like(upper) if gu is None else np.triu(gu)
    l1, u1 = lower[..., :k, :], upper[..., :, :k]  # the square k x k parts
    middle = np.tril(_mT(l1) @ gl[..., :k, :], -1) + np.triu(gu[..., :, :k] @ _mT(u1))
    if m < n:
        middle = middle - np.tril(gu[..., :, k:] @ _mT(upper[..., :, k:]), -1)
    if m > n:
        middle = middle - np.triu(_mT(lower[..., k:, :]) @ gl[..., k:, :])
    grad = solve_triangular(_mT(l1), middle, upper=True, left=True, unitriangular=True)   # L^-T M
    grad = solve_triangular(_mT(u1), grad, upper=False, left=False, unitriangular=False)  # ... U^-T
    if m < n:
        wide = solve_triangular(_mT(l1), gu[..., :, k:], upper=True, left=True, unitriangular=True)
        grad = np.concatenate([grad, wide], axis=-1)
    if m > n:
        tall = solve_triangular(_mT(u1), gl[..., k:, :], upper=False, left=False, unitriangular=False)
        grad = np.concatenate([grad, tall], axis=-2)
    return p @ grad


def _lu_parts(a, factors):
    """(P, L, U) of a for a rule, from the factors (LU, pivots, info) that the shell computed once.
    On recorded tensors (a rule under create_graph) L and U are the primitives applied to a again,
    so that their dependence on a is recorded too; P is a constant."""
    lu, pivots, _ = factors
    p = permutation(pivots, lu.shape[-2], lu.dtype)
    if not on_arrays(a):
        return p, lu_lower(a, factors=factors), lu_upper(a, factors=factors)
    return p, unpack_lower(lu), unpack_upper(lu)


def _lu_factor_vjp(g, ans, a, factors):
    # LU packs L's strict lower triangle and U's upper one, so their gradients are those parts of g.
    k = min(a.shape[-2:])
    return _lu_vjp(*_lu_parts(a, factors), g[..., :, :k], g[..., :k, :])


# The shell factors A once and hands (LU, pivots, info) to each node as the parameter `factors`.
lu_factor = Primitive("LinalgLuFactor", _in_c_order(lambda a, factors: factors[0]), _lu_factor_vjp,
                      grad_fn_name="LinalgLuFactorExBackward0")
lu_lower = Primitive("LinalgLuL", _in_c_order(lambda a, factors: unpack_lower(factors[0])),
                     lambda g, ans, a, factors: _lu_vjp(*_lu_parts(a, factors), g, None),
                     grad_fn_name="LinalgLuBackward0")
lu_upper = Primitive("LinalgLuU", _in_c_order(lambda a, factors: unpack_upper(factors[0])),
                     lambda g, ans, a, factors: _lu_vjp(*_lu_parts(a, factors), None, g),
                     grad_fn_name="LinalgLuBackward0")


def _unpacked_lower_vjp(g, ans, lu):
    # L's strict lower triangle is LU's, in its first k columns; the columns after them get 0.
    m, n = lu.shape[-2:]
    grad = np.tril(g, -1)
    return np.concatenate([grad, np.zeros_like(lu[..., :, m:])], axis=-1) if n > m else grad


def _unpacked_upper_vjp(g, ans, lu):
    # U is LU's upper triangle, in its first k rows; the rows after them get 0.
    m, n = lu.shape[-2:]
    grad = np.triu(g)
    return np.concatenate([grad, np.zeros_like(lu[..., n:, :])], axis=-2) if m > n else grad


unpacked_lower = Primitive("LuUnpackL", _in_c_order(unpack_lower), _unpacked_lower_vjp,
                           grad_fn_name="LuUnpackBackward0")
unpacked_upper = Primitive("LuUnpackU", _in_c_order(unpack_upper), _unpacked_upper_vjp,
                           grad_fn_name="LuUnpackBackward0")


def _lu_solve(lu, b, pivots, left, adjoint):
    """X with A X = B (A^T X = B where adjoint; X A = B and X A^T = B where not left), A = P L U
    given by its packed LU and pivots: two triangular solves and the permutation."""
    if not left:  # X A = B is A^T X^T = B^T, and X A^T = B is A X^T = B^T
        return _mT(_lu_solve(lu, _mT(b), pivots, True, not adjoint))
    p, lower, upper = permutation(pivots, lu.shape[-1], lu.dtype), unpack_lower(lu), unpack_upper(lu)
    if adjoint:  # X = A^-T B = P L^-T U^-T B
        y = _solve_triangular(_mT(upper), b, upper=False, left=True, unitriangular=False)
        return p @ _solve_triangular(_mT(lower), y, upper=True, left=True, unitriangular=True)
    y = _solve_triangular(lower, _mT(p) @ b, upper=False, left=True, unitriangular=True)  # X = U^-1 L^-1 P^T B
    return _solve_triangular(upper, y, upper=True, left=True, unitriangular=False)


def _lu_solve_vjp_b(g, ans, lu, b, pivots, left, adjoint):
    # X is linear in B: each case's gradient solves the transposed system (A^-T g for A X = B, ...).
    return lu_solve(lu, g, pivots=pivots, left=left, adjoint=not adjoint)


def _lu_solve_vjp_lu(g, ans, lu, b, pivots, left, adjoint):
    """The gradient of A (dX = -A^-1 dA X for A X = B, and likewise for the other three systems),
    then through A = P L U to the packed factors: gL = tril(P^T gA U^T, -1), gU = triu(L^T P^T gA)."""
    gb = _lu_solve_vjp_b(g, ans, lu, b, pivots, left, adjoint)
    if left:
        ga = -(ans @ _mT(gb) if adjoint else gb @ _mT(ans))
    else:
        ga = -(_mT(gb) @ ans if adjoint else _mT(ans) @ gb)
    ga = _mT(permutation(pivots, lu.shape[-1], np.asarray(lu).dtype)) @ ga  # (asarray: the dtype of a tensor too)
    return np.tril(ga @ _mT(unpacked_upper(lu)), -1) + np.triu(_mT(unpacked_lower(lu)) @ ga)


# pivots: lu_factor's (int32, from 1), a parameter, as they have no gradient.
lu_solve = Primitive("LinalgLuSolve", _in_c_order(_lu_solve), _lu_solve_vjp_lu, _lu_solve_vjp_b, saves="both")


# ---------------------------------------------------------------- LDL^T (Bunch-Kaufman)
# A symmetric A = P L D L^T P^T as LAPACK's sytrf computes it from A's lower triangle: D has 1 x 1
# and 2 x 2 blocks on its diagonal, L is unit lower triangular, and LD packs D's blocks and L
# below them. The pivots (from 1) say, for a 1 x 1 block at k, which row was swapped with row k
# (k itself for none), and for a 2 x 2 block at (k, k + 1), minus the row swapped with row k + 1,
# at both k and k + 1. The pivoting is chosen per matrix, so the factorization runs one matrix at a
# time; each step works on the whole remaining column block at once.
_BUNCH_KAUFMAN = (1 + np.sqrt(17)) / 8  # the threshold that bounds the growth of the entries


def ldl_factors(a):
    """(LD, pivots, info) of each symmetric matrix of a (read from its lower triangle). info is 0,
    or the position (from 1) of the first zero block of D, where the matrix is singular."""
    n = a.shape[-1]
    matrices = np.tril(a).reshape((math.prod(a.shape[:-2]), n, n))
    pivots = np.zeros((len(matrices), n), dtype=np.int32)
    info = np.zeros(len(matrices), dtype=np.int32)
    for index, matrix in enumerate(matrices):
        info[index] = _ldl_factor_in_place(matrix, pivots[index])
    return matrices.reshape(a.shape), pivots.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])


def _ldl_pivot(m, k):
    """(kp, step): the row to swap into place and the block size at column k (LAPACK's sytf2)."""
    diagonal = abs(m[k, k])
    below = np.abs(m[k + 1:, k])
    if not below.size or below.max() == 0:
        return k, 1  # nothing to eliminate (a zero diagonal too: a singular block, kept)
    largest = k + 1 + int(np.argmax(below))
    column_max = below.max()
    if diagonal >= _BUNCH_KAUFMAN * column_max:
        return k, 1
    # the largest entry of row `largest` off its diagonal, in the part still to factor
    row_max = max(np.abs(m[largest, k:largest]).max(), np.abs(m[largest + 1:, largest]).max(initial=0))
    if diagonal >= _BUNCH_KAUFMAN * column_max * (column_max / row_max):
        return k, 1
    if abs(m[largest, largest]) >= _BUNCH_KAUFMAN * row_max:
        return largest, 1
    return largest, 2


def _swap_symmetric(m, i, j):
    """Swap rows and columns i < j of the part still to factor (from column i on) of the symmetric
    matrix held in m's lower triangle; the columns already factored keep their rows (the pivots say
    how to apply the swaps to them)."""
    m[j + 1:, [i, j]] = m[j + 1:, [j, i]]
    between = m[i + 1:j, i].copy()
    m[i + 1:j, i] = m[j, i + 1:j]
    m[j, i + 1:j] = between
    m[[i, j], [i, j]] = m[[j, i], [j, i]]


def _ldl_factor_in_place(m, pivots):
    """Factor the lower triangle of m in place (LAPACK's unblocked sytf2), writing the pivots; the info."""
    n, k, info = len(m), 0, 0
    while k < n:
        kp, step = _ldl_pivot(m, k)
        if info == 0 and m[k, k] == 0 and step == 1 and kp == k and not np.abs(m[k + 1:, k]).any():
            info = k + 1
        last = k + step - 1  # the row that is swapped with kp
        if kp != last:
            _swap_symmetric(m, last, kp)
            if step == 2:  # (the entry below the block's first column moves with it)
                m[[last, kp], k] = m[[kp, last], k]
        if step == 1:
            if k + 1 < n and m[k, k] != 0:
                column = m[k + 1:, k] * (1 / m[k, k])  # (by the reciprocal, as LAPACK)
                m[k + 1:, k + 1:] -= np.tril(np.outer(m[k + 1:, k], column))
                m[k + 1:, k] = column
            pivots[k] = kp + 1
        else:
            if k + 2 < n:
                d21 = m[k + 1, k]
                d11, d22 = m[k + 1, k + 1] / d21, m[k, k] / d21
                scale = 1 / (d11 * d22 - 1) / d21
                first = scale * (d11 * m[k + 2:, k] - m[k + 2:, k + 1])   # the multipliers of L's two columns
                second = scale * (d22 * m[k + 2:, k + 1] - m[k + 2:, k])
                m[k + 2:, k + 2:] -= np.tril(np.outer(m[k + 2:, k], first) + np.outer(m[k + 2:, k + 1], second))
                m[k + 2:, k], m[k + 2:, k + 1] = first, second
            pivots[k] = pivots[k + 1] = -(kp + 1)
        k += step
    return info


def ldl_solve_arrays(ld, pivots, b):
    """X with A X = B from A's LD and pivots (LAPACK's sytrs): the swaps and L^-1 forward, D's blocks,
    then L^-T and the swaps backward; one matrix at a time, the batch dims of LD and B broadcast."""
    n = ld.shape[-1]
    batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
    count = math.prod(batch)
    lds = np.broadcast_to(ld, batch + ld.shape[-2:]).reshape((count, n, n))
    pivots = np.broadcast_to(pivots, batch + (n,)).reshape((count, n))
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]).reshape((count,) + b.shape[-2:]), dtype=ld.dtype)
    for m, p, y in zip(lds, pivots, x):
        _ldl_solve_in_place(m, p, y)
    return x.reshape(batch + b.shape[-2:])


def _ldl_solve_in_place(m, p, y):
    n, k = len(m), 0
    while k < n:  # L D y = P^T b
        if p[k] > 0:
            kp = p[k] - 1
            y[[k, kp]] = y[[kp, k]]
            y[k + 1:] -= np.outer(m[k + 1:, k], y[k])
            y[k] /= m[k, k]
            k += 1
        else:
            kp = -p[k] - 1
            y[[k + 1, kp]] = y[[kp, k + 1]]
            y[k + 2:] -= np.outer(m[k + 2:, k], y[k]) + np.outer(m[k + 2:, k + 1], y[k + 1])
            d21 = m[k + 1, k]
            d11, d22 = m[k, k] / d21, m[k + 1, k + 1] / d21
            denominator = d11 * d22 - 1
            first, second = y[k] / d21, y[k + 1] / d21
            y[k], y[k + 1] = (d22 * first - second) / denominator, (d11 * second - first) / denominator
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T x = y
        if p[k] > 0:
            y[k] -= m[k + 1:, k] @ y[k + 1:]
            kp = p[k] - 1
            y[[k, kp]] = y[[kp, k]]
            k -= 1
        else:
            y[k] -= m[k + 1:, k] @ y[k + 1:]
            y[k - 1] -= m[k + 1:, k - 1] @ y[k + 1:]
            kp = -p[k] - 1
            y[[k, kp]] = y[[kp, k]]
            k -= 2


def _ldl_refused(name):
    def refuse(g, ans, *inputs, **params):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return refuse


# As in torch, LD and ldl_solve's solution are recorded with a node that refuses a gradient.
ldl_factor = Primitive("LinalgLdlFactor", lambda a, factors: factors[0], _ldl_refused("linalg_ldl_factor_ex"),
                       saves="nothing", grad_fn_name="torch::autograd::NotImplemented")
ldl_solve = Primitive("LinalgLdlSolve", lambda ld, b, pivots: ldl_solve_arrays(ld, pivots, b),
                      _ldl_refused("linalg_ldl_solve"), _ldl_refused("linalg_ldl_solve"), saves="nothing",
                      grad_fn_name="torch::autograd::NotImplemented")


# ---------------------------------------------------------------- the older triangular solve
def _triangular_solve(b, a, upper, transpose, unitriangular):
    """X with A X = b (A^T X = b where transpose) for triangular A: torch.triangular_solve's
    order of arguments. A^T is triangular in the other triangle."""
    return _solve_triangular(_mT(a) if transpose else a, b, upper != transpose, True, unitriangular)


def _triangular_solve_vjp_b(g, ans, b, a, upper, transpose, unitriangular):
    # X = op(A)^-1 b is linear in b: gb = op(A)^-T g, the solve with the other transposition.
    return triangular_solve(g, a, upper=upper, transpose=not transpose, unitriangular=unitriangular)


def _triangular_solve_vjp_a(g, ans, b, a, upper, transpose, unitriangular):
    # d op(A) = -gb X^T (so gA = -X gb^T where op(A) = A^T), in the triangle that was read.
    gb = _triangular_solve_vjp_b(g, ans, b, a, upper, transpose, unitriangular)
    ga = -(ans @ _mT(gb) if transpose else gb @ _mT(ans))
    offset = int(unitriangular)
    return np.triu(ga, offset) if upper else np.tril(ga, -offset)


triangular_solve = Primitive("TriangularSolve", _in_c_order(_triangular_solve), _triangular_solve_vjp_b,
                             _triangular_solve_vjp_a, saves="both", grad_fn_name="TriangularSolveBackward0")
# Its second output, a copy of A (broadcast to the batch's shape), passes its gradient to A unchanged.
# torch computes both outputs in one node, so the copy is in the graph when b alone requires grad,
# and sends b a zero gradient: b is an input here too.
triangular_solve_coefficient = Primitive("TriangularSolveCoefficient",
                                         lambda a, b, shape: np.broadcast_to(a, shape).copy(),
                                         lambda g, ans, a, b, shape: g,
                                         lambda g, ans, a, b, shape: np.zeros_like(b),
                                         saves="nothing", grad_fn_name="TriangularSolveBackward0")


# ---------------------------------------------------------------- Householder reflectors
# geqrf stores A = Q R as LAPACK does: R on and above the diagonal, and below it the vectors of
# the reflectors H_i = I - tau_i v_i v_i^T whose product H_0 H_1 ... H_(k-1) is Q; v_i is 0 above
# row i, 1 at row i (not stored) and column i of the matrix below it.
def geqrf_factors(a):
    """(QR, tau) of each m x n matrix of a. Column j's reflector maps x = A[j:, j] onto beta e_1,
    beta = -sign(x_0) |x|, with tau = (beta - x_0) / beta and v = x / (x_0 - beta) below its 1;
    where x has nothing below x_0, H is the identity (tau = 0), as in LAPACK's larfg."""
    m, n = a.shape[-2:]
    qr = a.copy()
    tau = np.zeros(a.shape[:-2] + (min(m, n),), dtype=a.dtype)
    for j in range(min(m, n)):
        alpha, below = qr[..., j, j].copy(), qr[..., j + 1:, j]
        norm = np.hypot.reduce(below, axis=-1)  # |below| without underflow: a tiny column still reflects, as in LAPACK
        reflects = norm != 0
        beta = np.where(reflects, -np.copysign(np.hypot(alpha, norm), alpha), alpha)
        tau[..., j] = np.where(reflects, (beta - alpha) / np.where(reflects, beta, 1), 0)
        qr[..., j + 1:, j] = below / np.where(reflects, alpha - beta, 1)[..., None]
        qr[..., j, j] = beta
        v = np.concatenate([np.ones(qr.shape[:-2] + (1,), dtype=a.dtype), qr[..., j + 1:, j]], axis=-1)[..., :, None]
        rest = qr[..., j:, j + 1:]
        qr[..., j:, j + 1:] = rest - tau[..., j, None, None] * (v @ (_mT(v) @ rest))  # H_j applied to the rest
    return qr, tau


def _geqrf_refused(g, ans, a, factors):
    raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


geqrf_qr = Primitive("GeqrfQr", _in_c_order(lambda a, factors: factors[0]), _geqrf_refused, saves="nothing",
                     grad_fn_name="GeqrfBackward0")
geqrf_tau = Primitive("GeqrfTau", _in_c_order(lambda a, factors: factors[1]), _geqrf_refused, saves="nothing",
                      grad_fn_name="GeqrfBackward0")


def _reflector(a, i):
    """v_i as a column (..., m, 1): 0 above row i, 1 at row i, a's column i below it."""
    head = np.zeros_like(a[..., :i + 1, i]) + np.eye(1, i + 1, i, dtype=bool)[0]
    return np.concatenate([head, a[..., i + 1:, i]], axis=-1)[..., :, None]


def _reflected(a, tau, x, order):
    """H_order[0] H_order[1] ... H_order[-1] x: the last reflector applied first."""
    for i in reversed(order):
        v = _reflector(a, i)
        x = x - tau[..., i, None, None] * (v @ (_mT(v) @ x))
    return x


def _reflected_vjp(a, tau, x, order, g):
    """(ga, gtau, gx) for Y = H_o0 ... H_o(r-1) x (o = order), for any tau (the reflectors need not
    be orthogonal). With L_s = H_o0 ... H_o(s-1) and R_s = H_o(s+1) ... x, Y = L_s H R_s, so the
    gradient reaching H = I - tau v v^T is M = L_s^T g R_s^T: gtau = -v^T M v and
    gv = -tau (M + M^T) v, of which the entries below the 1 are a's; gx = L_r^T g."""
    rights = [x]
    for i in reversed(order[1:]):
        rights.append(_reflected(a, tau, rights[-1], [i]))
    rights.reverse()  # rights[s] = R_s
    left, ga, gtau = g, {}, {}  # left: L_s^T g, H being symmetric
    for i, right in zip(order, rights):
        v = _reflector(a, i)
        v_left, v_right = _mT(v) @ left, _mT(v) @ right
        gtau[i] = -(v_left * v_right).sum(axis=(-2, -1))
        gv = -tau[..., i, None, None] * (left @ _mT(v_right) + right @ _mT(v_left))
        ga[i] = np.concatenate([np.zeros_like(gv[..., :i + 1, 0]), gv[..., i + 1:, 0]], axis=-1)
        left = left - tau[..., i, None, None] * (v @ v_left)
    k = tau.shape[-1]
    columns = [ga[i][..., None] for i in range(k)] + [np.zeros_like(a[..., :, k:])]  # (those past k are not read)
    gtau = np.stack([gtau[i] for i in range(k)], axis=-1) if k else np.zeros_like(tau)
    return np.concatenate(columns, axis=-1), gtau, left


def _householder_product(a, tau):
    """The first n columns of H_0 H_1 ... H_(k-1) (k = len(tau) <= n <= m)."""
    identity = np.broadcast_to(np.eye(*a.shape[-2:], dtype=a.dtype), a.shape)
    return _reflected(a, tau, identity, list(range(tau.shape[-1])))


def _householder_product_vjp(wanted, g, ans, a, tau):
    if tau.shape[-1] == 0:  # no reflectors: the identity, to which torch's backward gives no gradients
        return None, None
    m, n = a.shape[-2:]
    identity = np.eye(m, n, dtype=np.asarray(g).dtype)  # (asarray: the dtype of a tensor too)
    ga, gtau, _ = _reflected_vjp(a, tau, identity, list(range(tau.shape[-1])), g)
    return ga, gtau


householder_product = Primitive("LinalgHouseholderProduct", _in_c_order(_householder_product),
                                vjp_all=_householder_product_vjp)


def _ormqr_order(tau, left, transpose):
    """The reflectors' order in Q C (left) or C^T's product: Q = H_0 ... H_(k-1), Q^T the reverse;
    C Q = (Q^T C^T)^T, so a product from the right takes the other order."""
    order = list(range(tau.shape[-1]))
    return order[::-1] if transpose == left else order


def _ormqr(a, tau, c, left, transpose):
    """Q C, Q^T C (transpose), C Q or C Q^T (left=False), Q = H_0 ... H_(k-1) square."""
    order = _ormqr_order(tau, left, transpose)
    return _reflected(a, tau, c, order) if left else _mT(_reflected(a, tau, _mT(c), order))


def _ormqr_vjp(wanted, g, ans, a, tau, c, left, transpose):
    order = _ormqr_order(tau, left, transpose)
    if left:
        return _reflected_vjp(a, tau, c, order, g)
    ga, gtau, gc = _reflected_vjp(a, tau, _mT(c), order, _mT(g))
    return ga, gtau, _mT(gc)


ormqr = Primitive("Ormqr", _in_c_order(_ormqr), vjp_all=_ormqr_vjp)


# ---------------------------------------------------------------- least squares
def _lstsq(a, b, rtol):
    """The least-squares solution of A X = B of least norm: pinv(A) B, singular values at or below
    rtol times the largest counting as 0 (for a full-rank A, the one solution of the normal equations)."""
    return _pinv(a, 0.0, rtol, False) @ b


def _lstsq_vjp_a(g, ans, a, b, rtol):
    # X = P B with P = pinv(A): the gradient reaching P is g B^T, and pinv's rule takes it to A (torch's way).
    # (pinv is applied as the primitive, so that under create_graph the rules are recorded.)
    p = pinv(a, atol=0.0, rtol=rtol, hermitian=False)
    return _pinv_vjp(g @ _mT(b), p, a, 0.0, rtol, False)


def _lstsq_vjp_b(g, ans, a, b, rtol):
    return _mT(pinv(a, atol=0.0, rtol=rtol, hermitian=False)) @ g


lstsq = Primitive("LinalgLstsq", _in_c_order(_lstsq), _lstsq_vjp_a, _lstsq_vjp_b)


# ---------------------------------------------------------------- matrix exponential
# Higham's scaling and squaring (2005): exp(A) = exp(A / 2^s)^(2^s), with s chosen so that the
# [13/13] Pade approximant is accurate to double precision on A / 2^s.
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152  # the largest 1-norm for which the [13/13] approximant is that accurate


def _matrix_exp(a):
    b = _PADE13
    norms = np.abs(a).sum(axis=-2).max(axis=-1, initial=0.0)  # the 1-norm of each matrix
    squarings = np.maximum(0, np.ceil(np.log2(np.maximum(norms, 1e-300) / _THETA13))).astype(int)
    a = a / (2.0 ** squarings)[..., None, None].astype(a.dtype)
    identity = np.eye(a.shape[-1], dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * identity)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * identity
    result = np.linalg.solve(v - u, v + u)
    for step in range(int(squarings.max(initial=0))):  # each matrix squared as many times as it was halved
        result = np.where((squarings > step)[..., None, None], result @ result, result)
    return result


def _matrix_exp_vjp(g, ans, a):
    """The gradient of a matrix function f at A is the upper-right block of f([[A^T, g], [0, A^T]])
    (Mathias' identity), here with f = exp (the primitive itself, so that under create_graph the
    rule is recorded and has gradients)."""
    n = a.shape[-1]
    upper = np.concatenate([_mT(a), g], axis=-1)
    lower = np.concatenate([np.zeros_like(g), _mT(a)], axis=-1)
    return matrix_exp(np.concatenate([upper, lower], axis=-2))[..., :n, n:]


matrix_exp = Primitive("LinalgMatrixExp", _in_c_order(_matrix_exp), _matrix_exp_vjp)


# ---------------------------------------------------------------- structured matrices
def _diagonal_positions(n, offset):
    """The (row, column) indices of the n places of the diagonal `offset` (> 0: above the main one)."""
    index = np.arange(n)
    return index + max(-offset, 0), index + max(offset, 0)


def _diag_embed(x, offset, axis1, axis2):
    """x's last axis laid on the diagonal `offset` of new matrices in axes (axis1, axis2), zeros elsewhere."""
    n = x.shape[-1]
    side = n + abs(offset)
    out = np.zeros(x.shape[:-1] + (side, side), dtype=x.dtype)
    rows, columns = _diagonal_positions(n, offset)
    out[..., rows, columns] = x
    return c_order(np.moveaxis(out, (-2, -1), (axis1, axis2)))


def _diag_embed_vjp(g, ans, x, offset, axis1, axis2):
    # Only the diagonal was written: its gradient is the diagonal of g, back on the last axis.
    rows, columns = _diagonal_positions(x.shape[-1], offset)
    return np.moveaxis(g, (axis1, axis2), (-2, -1))[..., rows, columns]


diag_embed = Primitive("DiagEmbed", _diag_embed, _diag_embed_vjp, saves="nothing")


def _block_diag(*matrices):
    """The matrices (all 2-D, of one dtype) along the diagonal of one matrix, zeros elsewhere."""
    out = np.zeros((sum(m.shape[0] for m in matrices), sum(m.shape[1] for m in matrices)), dtype=matrices[0].dtype)
    row = column = 0
    for m in matrices:
        out[row:row + m.shape[0], column:column + m.shape[1]] = m
        row, column = row + m.shape[0], column + m.shape[1]
    return out


def _block_diag_vjp(i, g, ans, *matrices):
    # Matrix i's gradient is the block of g where it was placed.
    row = sum(m.shape[0] for m in matrices[:i])
    column = sum(m.shape[1] for m in matrices[:i])
    return g[row:row + matrices[i].shape[0], column:column + matrices[i].shape[1]]


block_diag = Primitive("BlockDiag", _block_diag, vjp_argnum=_block_diag_vjp, saves="nothing")


# ---------------------------------------------------------------- beta * input + alpha * product
# addmm, baddbmm, addmv, addr and addbmm add a scaled product of a and b to a scaled input
# (broadcast to the product's shape). The input's gradient is beta * g; a's and b's are the
# product's own gradients times alpha.
def _outer(a, b):
    return a[:, None] * b[None, :]


def _batch_sum(a, b):
    """The sum over the batch of a[i] @ b[i], in their dtype (NumPy would sum int32 in int64)."""
    return _matmul(a, b).sum(axis=0, dtype=a.dtype)


def _scaled_sum(name, product, product_vjp_a, product_vjp_b, composite):
    """The primitive `name`: beta * input + alpha * product(a, b), `composite` in other primitives."""
    def forward(input, a, b, beta, alpha):
        scaled = product(a, b) if alpha == 1 else product(a, b) * alpha
        if beta == 0:  # input is not read, so that nan or inf there do not show, as in torch
            return scaled
        return scaled + (input if beta == 1 else input * beta)

    def input_vjp(g, ans, input, a, b, beta, alpha):
        return g if beta == 1 else g * beta

    def a_vjp(g, ans, input, a, b, beta, alpha):
        grad = product_vjp_a(g, ans, a, b)
        return grad if alpha == 1 else grad * alpha

    def b_vjp(g, ans, input, a, b, beta, alpha):
        grad = product_vjp_b(g, ans, a, b)
        return grad if alpha == 1 else grad * alpha

    # (a's rule reads b and b's reads a; input's reads neither)
    return Primitive(name, forward, input_vjp, a_vjp, b_vjp, saves="inputs", reads=((), (2,), (1,)),
                     fused_for=composite)


addmm = _scaled_sum("Addmm", _matmul, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * mm(a, b)")
baddbmm = _scaled_sum("Baddbmm", _matmul, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * bmm(a, b)")
addmv = _scaled_sum("Addmv", _matmul, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * mv(a, b)")
# outer(a, b): da = g @ b, db = a @ g (g^T a)
addr = _scaled_sum("Addr", _outer, lambda g, ans, a, b: g @ b, lambda g, ans, a, b: a @ g,
                   "beta * input + alpha * outer(a, b)")
# the sum over the batch of a[i] @ b[i]: every a[i] sees the same g (the matmul rules broadcast it)
addbmm = _scaled_sum("Addbmm", _batch_sum, _matmul_vjp_a, _matmul_vjp_b, "beta * input + alpha * bmm(a, b).sum(0)")
