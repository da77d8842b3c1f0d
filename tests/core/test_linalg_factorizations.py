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


test_parity = cases.test(max_examples=12)


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
]
SAME_TYPE_ONLY = [
    lambda lib: lib.linalg.solve_triangular(lib.eye(2).expand(3, 2, 2), lib.ones(2, 2, 2), upper=True),
    lambda lib: lib.linalg.solve_triangular(lib.eye(2), lib.ones(2, 2)),
    lambda lib: lib.cholesky_solve(lib.ones(3, 2, 2), lib.eye(2).expand(2, 2, 2)),
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
]


@pytest.mark.parametrize("call", LINALG_ERRORS)
def test_linalg_errors_are_torch_s(call):
    messages = []
    for lib in (minigrad, torch):
        with pytest.raises(lib.linalg.LinAlgError) as error:
            call(lib)
        messages.append(str(error.value))
    assert messages[0] == messages[1]
