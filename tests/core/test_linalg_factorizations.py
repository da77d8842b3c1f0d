"""Torch parity of torch.linalg's factorizations and the solvers built on them: cholesky,
cholesky_solve, cholesky_inverse and solve_triangular; forward, gradients and errors."""

import numpy as np
import pytest
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()


@st.composite
def batches(draw):
    return draw(mst.shapes(max_dims=2, max_side=3)), draw(st.integers(1, 4))


@st.composite
def triangular(draw, batch, n, upper):
    """A well-conditioned triangular matrix (entries in [-1, 1], n + 1 added on the diagonal,
    both signs of the diagonal) with the other triangle filled with entries the solvers must ignore."""
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1)))
    signs = draw(st.sampled_from([1.0, -1.0]))
    return a + signs * (n + 1) * np.eye(n)


@st.composite
def positive_definite(draw, batch, n):
    """M M^T + I: symmetric positive definite and not too badly conditioned."""
    m = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1)))
    return m @ np.swapaxes(m, -1, -2) + np.eye(n)


def cholesky_factor(draw, batch, n, upper):
    """A Cholesky factor: triangular with a positive diagonal, zero in the other triangle."""
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1)))
    a = np.triu(a) if upper else np.tril(a)
    return a + (n + 1) * np.eye(n)


@cases.add
def cholesky(draw):
    """The triangle that is not read holds other numbers: they must change nothing but the
    (symmetric) gradient is still torch's."""
    batch, n = draw(batches())
    upper = draw(st.booleans())
    a = draw(positive_definite(batch, n))
    noise = draw(mst.arrays("float64", a.shape, elements=mst.reals(-1, 1)))
    a = a + (np.tril(noise, -1) if upper else np.triu(noise, 1))
    if not upper and draw(st.booleans()):
        return (lambda lib, a: lib.linalg.cholesky(a)), [a]
    return (lambda lib, a: lib.linalg.cholesky(a, upper=upper)), [a]


@cases.add
def cholesky_ex(draw):
    batch, n = draw(batches())
    upper = draw(st.booleans())
    return (lambda lib, a: lib.linalg.cholesky_ex(a, upper=upper)), [draw(positive_definite(batch, n))]


@cases.add
def cholesky_solve(draw):
    batch, n = draw(batches())
    upper = draw(st.booleans())
    b_batch = draw(st.sampled_from([batch, batch[1:], (2,) + batch]))
    b = draw(mst.arrays("float64", b_batch + (n, draw(st.integers(1, 3)))))
    factor = cholesky_factor(draw, batch, n, upper)
    if not upper and draw(st.booleans()):
        return (lambda lib, b, f: lib.cholesky_solve(b, f)), [b, factor]
    return (lambda lib, b, f: lib.cholesky_solve(b, f, upper=upper)), [b, factor]


@cases.add
def cholesky_inverse(draw):
    batch, n = draw(batches())
    upper = draw(st.booleans())
    return (lambda lib, f: lib.cholesky_inverse(f, upper=upper)), [cholesky_factor(draw, batch, n, upper)]


@cases.add
def solve_triangular(draw):
    batch, n = draw(batches())
    upper, left, unitriangular = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    a = draw(triangular(batch, n, upper))
    b_batch = draw(st.sampled_from([batch, batch[1:], (2,) + batch]))
    k = draw(st.integers(1, 3))
    b = draw(mst.arrays("float64", b_batch + ((n, k) if left else (k, n))))

    def solve(lib, a, b):
        return lib.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unitriangular)
    return solve, [a, b]


@cases.add
def cholesky_then_solve(draw):
    """The factor of a drawn matrix, used at once: gradients flow through both steps."""
    batch, n = draw(batches())
    a = draw(positive_definite(batch, n))
    b = draw(mst.arrays("float64", batch + (n, 2)))
    return (lambda lib, a, b: lib.cholesky_solve(b, lib.linalg.cholesky(a))), [a, b]


@st.composite
def spread_spectrum(draw, batch, m, n):
    """An m x n matrix with well-separated singular values (eigenvalues, where square and
    symmetrised): entries in [-1, 1] plus 2 * max(m, n) * (i + 1) at (i, i), so that the
    gradients, which divide by the gaps between them, are well defined."""
    a = draw(mst.arrays("float64", batch + (m, n), elements=mst.reals(-1, 1)))
    k = min(m, n)
    spread = np.zeros((m, n))
    spread[range(k), range(k)] = 2 * max(m, n) * np.arange(1, k + 1)
    return a + spread * draw(st.sampled_from([1.0, -1.0]))


def column_signs(vectors):
    """The sign of each column's entry of largest magnitude (..., 1, k): eigenvectors and singular
    vectors are unique up to sign, and LAPACKs choose differently; times these signs they compare,
    and so do the gradients through them."""
    largest = vectors.abs().argmax(dim=-2, keepdim=True)
    return vectors.gather(-2, largest).sign()


@cases.add
def eigh(draw):
    """The unread triangle holds other numbers; the gradient is torch's symmetric one."""
    batch, n = draw(batches())
    upper = draw(st.booleans())
    a = draw(spread_spectrum(batch, n, n))
    symmetric = (a + np.swapaxes(a, -1, -2)) / 2
    noise = draw(mst.arrays("float64", a.shape, elements=mst.reals(-1, 1)))
    a = symmetric + (np.tril(noise, -1) if upper else np.triu(noise, 1))
    UPLO = "U" if upper else draw(st.sampled_from(["L", "l", None]))

    def decompose(lib, a):
        values, vectors = lib.linalg.eigh(a) if UPLO is None else lib.linalg.eigh(a, UPLO=UPLO)
        return values, vectors * column_signs(vectors)
    return decompose, [a]


@cases.add
def eigvalsh(draw):
    batch, n = draw(batches())
    a = draw(spread_spectrum(batch, n, n))
    UPLO = draw(st.sampled_from(["L", "U"]))
    return (lambda lib, a: lib.linalg.eigvalsh(a, UPLO=UPLO)), [a]


@cases.add
def svd(draw):
    batch, m = draw(batches())
    n = draw(st.integers(1, 4))
    full_matrices = draw(st.booleans())
    k = min(m, n)

    def decompose(lib, a):
        u, s, vh = lib.linalg.svd(a, full_matrices=full_matrices)
        assert tuple(u.shape[-2:]) == ((m, m) if full_matrices else (m, k))
        assert tuple(vh.shape[-2:]) == ((n, n) if full_matrices else (k, n))
        signs = column_signs(u[..., :k])  # one sign per pair of vectors
        return u[..., :k] * signs, s, vh[..., :k, :] * signs.mT
    return decompose, [draw(spread_spectrum(batch, m, n))]


@cases.add
def svdvals(draw):
    batch, m = draw(batches())
    a = draw(spread_spectrum(batch, m, draw(st.integers(1, 4))))
    return (lambda lib, a: lib.linalg.svdvals(a)), [a]


@cases.add
def pinv(draw):
    batch, m = draw(batches())
    hermitian = draw(st.booleans())
    a = draw(spread_spectrum(batch, m, m if hermitian else draw(st.integers(1, 4))))
    if hermitian:
        a = (a + np.swapaxes(a, -1, -2)) / 2
    form = draw(st.sampled_from([lambda lib, a: lib.linalg.pinv(a, hermitian=hermitian),
                                 lambda lib, a: lib.pinverse(a)] if not hermitian else
                                [lambda lib, a: lib.linalg.pinv(a, hermitian=hermitian)]))
    return form, [a]


@cases.add
def pinv_of_a_rank_deficient_matrix(draw):
    """A rank-1 matrix: the cutoff drops the zero singular values (no gradient asked: the
    gradient of a rank-deficient pseudoinverse is not continuous)."""
    u, v = draw(mst.arrays("float64", (3, 1), elements=mst.nonzero_reals())), \
        draw(mst.arrays("float64", (1, 4), elements=mst.nonzero_reals()))
    return (lambda lib, a: lib.linalg.pinv(a)), [u @ v], [False]


@cases.add
def qr(draw):
    """Gradients where torch gives them (reduced, tall or wide; complete where m <= n, when it is the
    reduced QR); the forward alone for mode "r" and a complete QR of a tall matrix."""
    batch, m = draw(batches())
    n = draw(st.integers(1, 4))
    a = draw(spread_spectrum(batch, m, n))  # full rank: R has no zero on its diagonal
    mode = draw(st.sampled_from(["reduced", "complete", "r"]))
    differentiable = mode == "reduced" or mode == "complete" and m <= n
    if mode == "reduced" and draw(st.booleans()):
        return (lambda lib, a: lib.linalg.qr(a)), [a], [differentiable]
    return (lambda lib, a: lib.linalg.qr(a, mode=mode)), [a], [differentiable]


@cases.add
def lstsq(draw):
    """Full-rank A, tall, square or wide, and every driver."""
    batch, m = draw(batches())
    n = draw(st.integers(1, 4))
    a = draw(spread_spectrum(batch, m, n))
    columns = draw(st.sampled_from([(), (1,), (3,)]))  # (): a vector for each matrix
    b_batch = draw(st.sampled_from([batch, (1,) * len(batch)])) if columns else batch
    b = draw(mst.arrays("float64", b_batch + (m,) + columns))
    driver = draw(st.sampled_from([None, "gelsy", "gelsd", "gelss", "gels"]))
    if driver == "gels" and m < n:
        driver = None  # gels assumes a tall or square A of full rank
    return (lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver)), [a, b]


@cases.add
def matrix_exp(draw):
    """Entries up to 3 in size: 1-norms up to 12, so the scaling and squaring runs."""
    batch, n = draw(batches())
    a = draw(mst.arrays("float64", batch + (n, n)))
    form = draw(st.sampled_from([lambda lib, a: lib.linalg.matrix_exp(a), lambda lib, a: lib.matrix_exp(a),
                                 lambda lib, a: a.matrix_exp()]))
    return form, [a]


test_parity = cases.test(max_examples=5)


QR_BACKWARD_ERRORS = [
    lambda lib, a: lib.linalg.qr(a, mode="r").R,
    lambda lib, a: lib.linalg.qr(a, mode="complete").Q,
    lambda lib, a: lib.linalg.qr(a, mode="complete").R,
]


@pytest.mark.parametrize("output", QR_BACKWARD_ERRORS)
def test_qr_refuses_the_gradients_torch_refuses(output):
    def backward(lib):
        a = lib.tensor(np.arange(6.0).reshape(3, 2) + np.eye(3, 2), requires_grad=True)
        output(lib, a).sum().backward()
    assert_raises_like_torch(backward, same_message=True)


def test_lstsq_of_a_rank_deficient_matrix_is_the_least_norm_solution():
    a, b = np.outer([1.0, 2.0, 3.0], [1.0, -1.0]), np.array([[1.0], [0.0], [2.0]])
    for driver in ("gelsy", "gelsd"):
        mine = minigrad.linalg.lstsq(minigrad.tensor(a), minigrad.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for i in range(4):
            assert_close(mine[i], theirs[i], what=mine._fields[i])


@pytest.mark.parametrize("hermitian", [False, True])
def test_matrix_rank_and_its_tolerances(hermitian):
    rng = np.random.default_rng(0)
    factors = rng.standard_normal((5, 4, 2))
    a = factors @ np.swapaxes(factors, -1, -2)  # rank 2, symmetric
    a[1] += 1e-6 * np.eye(4)
    a[2] = 0
    for options in ({}, {"atol": 1e-3}, {"rtol": 1e-9}, {"atol": 1e-9, "rtol": 0.5}, {"atol": 0.0}):
        mine = minigrad.linalg.matrix_rank(minigrad.tensor(a), hermitian=hermitian, **options)
        theirs = torch.linalg.matrix_rank(torch.tensor(a), hermitian=hermitian, **options)
        assert_close(mine, theirs)
    assert_close(minigrad.linalg.matrix_rank(minigrad.tensor(a[0, :3].astype(np.float32))),
                 torch.linalg.matrix_rank(torch.tensor(a[0, :3].astype(np.float32))))


def test_pinv_tolerances():
    a = np.diag([4.0, 1e-3, 1e-9])[:, :2] @ np.array([[1.0, 2.0], [0.0, 1.0]])
    for options in ({}, {"atol": 1e-2}, {"rtol": 1e-2}, {"atol": 1e-12, "rtol": 0.0}):
        assert_close(minigrad.linalg.pinv(minigrad.tensor(a), **options), torch.linalg.pinv(torch.tensor(a), **options))
    assert_close(minigrad.pinverse(minigrad.tensor(a), rcond=1e-2), torch.pinverse(torch.tensor(a), rcond=1e-2))


def test_decomposition_grad_fn_names_are_torch_s():
    a = np.diag([1.0, 2.0, 3.0]) + 0.1
    for lib in (minigrad, torch):
        x = lib.tensor(a, requires_grad=True)
        names = [t.grad_fn.name() for t in (*lib.linalg.eigh(x), lib.linalg.eigvalsh(x), *lib.linalg.svd(x),
                                            lib.linalg.svdvals(x), lib.linalg.pinv(x))]
        assert names == ["LinalgEighBackward0"] * 3 + ["LinalgSvdBackward0"] * 4 + ["LinalgPinvBackward0"]


def test_grad_fn_names_are_torch_s():
    a = np.eye(3) * 2 + 0.1
    for lib in (minigrad, torch):
        x = lib.tensor(a, requires_grad=True)
        factor = lib.linalg.cholesky(x)
        names = [factor.grad_fn.name(), lib.cholesky_solve(x, factor).grad_fn.name(),
                 lib.cholesky_inverse(factor).grad_fn.name(),
                 lib.linalg.solve_triangular(factor, x, upper=False).grad_fn.name()]
        assert names == ["LinalgCholeskyExBackward0", "CholeskySolveBackward0", "CholeskyInverseBackward0",
                         "LinalgSolveTriangularBackward0"], lib.__name__


def test_triangular_solves_with_a_zero_on_the_diagonal_give_inf_or_nan():
    a = np.array([[[0.0, 0.0], [1.0, 1.0]], [[2.0, 0.0], [1.0, 0.0]]])
    b = np.array([[1.0, 2.0], [3.0, -1.0]])
    for upper in (False, True):
        mine = minigrad.linalg.solve_triangular(minigrad.tensor(a).mT if upper else minigrad.tensor(a),
                                                minigrad.tensor(b), upper=upper)
        theirs = torch.linalg.solve_triangular(torch.tensor(a).mT if upper else torch.tensor(a), torch.tensor(b),
                                               upper=upper)
        assert_close(mine, theirs)
    assert_close(minigrad.cholesky_solve(minigrad.tensor(b), minigrad.tensor(a)),
                 torch.cholesky_solve(torch.tensor(b), torch.tensor(a)))


def test_solve_triangular_takes_a_s_dtype():
    for a_dtype, b_dtype in (("float32", "float64"), ("float64", "float32"), ("float32", "int64")):
        results = [lib.linalg.solve_triangular(lib.eye(2, dtype=getattr(lib, a_dtype)) * 2,
                                               lib.ones(2, 2, dtype=getattr(lib, b_dtype)), upper=True)
                   for lib in (minigrad, torch)]
        assert_close(*results)


BAD_CALLS = [
    lambda lib: lib.linalg.cholesky(lib.ones(2, 3)),
    lambda lib: lib.linalg.cholesky(lib.ones(3)),
    lambda lib: lib.linalg.cholesky(lib.eye(2, dtype=lib.int64)),
    lambda lib: lib.linalg.cholesky_ex(lib.ones(2, 3)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2, dtype=lib.float64), lib.eye(4, dtype=lib.float64)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2), lib.ones(3)),
    lambda lib: lib.cholesky_solve(lib.ones(3), lib.eye(3)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2), lib.ones(3, 2)),
    lambda lib: lib.cholesky_solve(lib.ones(4, 2), lib.eye(4, dtype=lib.float64)),
    lambda lib: lib.cholesky_solve(lib.ones(4, 2, dtype=lib.int64), lib.eye(4, dtype=lib.int64)),
    lambda lib: lib.cholesky_inverse(lib.ones(3)),
    lambda lib: lib.cholesky_inverse(lib.ones(2, 3)),
    lambda lib: lib.cholesky_inverse(lib.eye(3, dtype=lib.int64)),
    lambda lib: lib.linalg.solve_triangular(lib.ones(2, 3), lib.ones(2, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.ones(2), lib.ones(2, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.eye(2), lib.ones(2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.eye(2), lib.ones(3, 3), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.eye(2), lib.ones(3, 3), upper=True, left=False),
    lambda lib: lib.linalg.solve_triangular(lib.eye(2, dtype=lib.int64), lib.ones(2, 2), upper=True),
    lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
    lambda lib: lib.linalg.eigh(lib.ones(3)),
    lambda lib: lib.linalg.eigh(lib.eye(2), UPLO="X"),
    lambda lib: lib.linalg.eigvalsh(lib.eye(2, dtype=lib.int64)),
    lambda lib: lib.linalg.svd(lib.ones(3)),
    lambda lib: lib.linalg.svd(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.svdvals(lib.ones(2, 2, dtype=lib.int32)),
    lambda lib: lib.linalg.pinv(lib.ones(3)),
    lambda lib: lib.linalg.pinv(lib.ones(2, 3, dtype=lib.int64)),
    lambda lib: lib.pinverse(lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.linalg.matrix_rank(lib.ones(3)),
    lambda lib: lib.linalg.matrix_rank(lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.linalg.qr(lib.ones(2, 2), mode="x"),
    lambda lib: lib.linalg.qr(lib.ones(3)),
    lambda lib: lib.linalg.qr(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.lstsq(lib.ones(4, 2), lib.ones(3, 1)),
    lambda lib: lib.linalg.lstsq(lib.ones(4), lib.ones(4, 1)),
    lambda lib: lib.linalg.lstsq(lib.ones(4, 2), lib.ones(3)),
    lambda lib: lib.linalg.lstsq(lib.ones(4, 2), lib.ones(4, 1, dtype=lib.float64)),
    lambda lib: lib.linalg.lstsq(lib.ones(4, 2, dtype=lib.int64), lib.ones(4, 1, dtype=lib.int64)),
    lambda lib: lib.linalg.lstsq(lib.ones(4, 2), lib.ones(4, 1), driver="x"),
    lambda lib: lib.linalg.matrix_exp(lib.ones(2, 3)),
    lambda lib: lib.matrix_exp(lib.ones(3)),
    lambda lib: lib.ones(2, 2, dtype=lib.int64).matrix_exp(),
]
SAME_TYPE_ONLY = [
    lambda lib: lib.linalg.solve_triangular(lib.eye(2).expand(3, 2, 2), lib.ones(2, 2, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.eye(2), lib.ones(2, 2)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2, 2), lib.eye(2).expand(2, 2, 2)),
    lambda lib: lib.linalg.lstsq(lib.ones(2, 4, 2), lib.ones(3, 4, 1)),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("call", SAME_TYPE_ONLY)
def test_errors_are_of_torch_s_type(call):
    assert_raises_like_torch(call)


LINALG_ERRORS = [  # torch.linalg.LinAlgError, with the same message (the classes are each library's own)
    lambda lib: lib.linalg.cholesky(-lib.eye(3)),
    lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [0.0, 1.0]]), upper=True),
    lambda lib: lib.linalg.cholesky(lib.stack([lib.eye(3), lib.eye(3), lib.diag(lib.tensor([1.0, 1.0, -1.0]))])),
    lambda lib: lib.cholesky_inverse(lib.zeros(2, 2)),
    lambda lib: lib.cholesky_inverse(lib.stack([lib.eye(3), lib.diag(lib.tensor([1.0, 0.0, 1.0]))])),
    lambda lib: lib.linalg.cholesky_ex(lib.stack([lib.eye(2), -lib.eye(2)]), check_errors=True),
]


def test_cholesky_ex_reports_each_matrix_that_is_not_positive_definite():
    """info as torch's; L as torch's where the factorization succeeded, nan where it failed (torch
    leaves there whatever LAPACK had written)."""
    a = np.stack([np.eye(3) * 4, np.diag([1.0, 1.0, -1.0]), np.array([[1.0, 2, 0], [2, 1, 0], [0, 0, 1]]), -np.eye(3)])
    for upper in (False, True):
        mine, theirs = (lib.linalg.cholesky_ex(lib.tensor(a), upper=upper) for lib in (minigrad, torch))
        assert_close(mine.info, theirs.info)
        assert_close(mine.L[0], theirs.L[0])
        assert np.isnan(mine.L[1:].numpy()).all()


@pytest.mark.parametrize("call", LINALG_ERRORS)
def test_linalg_errors_are_torch_s(call):
    messages = []
    for lib in (minigrad, torch):
        with pytest.raises(lib.linalg.LinAlgError) as error:
            call(lib)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


SECOND_ORDER = {  # ops whose gradient rules are written with recorded operations: gradients of gradients
    "solve_triangular": lambda lib, a, b: lib.linalg.solve_triangular(a + 4 * lib.eye(3, dtype=a.dtype), b, upper=True),
    "cholesky_solve": lambda lib, a, b: lib.cholesky_solve(b, a.tril() + 4 * lib.eye(3, dtype=a.dtype)),
    "cholesky_inverse": lambda lib, a, b: lib.cholesky_inverse(a.triu() + 4 * lib.eye(3, dtype=a.dtype), upper=True),
    "pinv": lambda lib, a, b: lib.linalg.pinv(a[:, :2]),
    "matrix_exp": lambda lib, a, b: lib.linalg.matrix_exp(a),
    "cross": lambda lib, a, b: lib.linalg.cross(a, a.sin(), dim=0),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivatives_are_torch_s(name):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1, 1, (3, 3)), rng.uniform(-1, 1, (3, 2))
    results = []
    for lib in (minigrad, torch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = SECOND_ORDER[name](lib, x, y)
        gx, gy = lib.autograd.grad((out * out.detach().cos()).sum(), (x, y), create_graph=True, allow_unused=True)
        terms = [(g * g).sum() for g in (gx, gy) if g is not None]
        results.append(lib.autograd.grad(sum(terms[1:], terms[0]), (x, y), allow_unused=True))
    for mine, theirs in zip(*results):
        assert (mine is None) == (theirs is None)
        if theirs is not None:
            assert_close(mine, theirs)
