"""Torch parity of torch's older linear-algebra names: triangular_solve, chain_matmul,
frobenius_norm, nuclear_norm, the Householder QR (geqrf, orgqr / linalg.householder_product,
ormqr), and the removed functions (torch.solve, eig, symeig, lstsq, matrix_rank) that only raise;
forward values, every gradient, second derivatives, grad_fn names, warnings and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()


def quietly(fn):
    """fn(lib, ...) without the deprecation warnings these older names give (tested below)."""
    def run(lib, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(lib, *args)
    return run


@st.composite
def batches(draw):
    return draw(mst.shapes(max_dims=2, max_side=3)), draw(st.integers(1, 4))


@st.composite
def full_rank(draw, batch, m, n):
    """An m x n matrix with well-separated singular values: entries in [-1, 1] plus 2 max(m, n) (i + 1)
    at (i, i), of a drawn sign. Its square matrices are far from singular, its columns far from
    dependent (geqrf's reflectors are then well defined), and the nuclear norm's gradient exists.
    No entry is near 0, so that a 1 x 1 matrix taken across other dims (nuclear_norm's dim) is not
    singular either (a tiny entry rounds to -0.0 in float32, where the gradient's sign is arbitrary)."""
    a = draw(mst.arrays("float64", batch + (m, n), elements=mst.nonzero_reals(0.25, 1)))
    k = min(m, n)
    diagonal = np.zeros((m, n))
    diagonal[range(k), range(k)] = 2 * max(m, n) * np.arange(1, k + 1)
    return a + diagonal * draw(st.sampled_from([1.0, -1.0]))


@cases.add
def triangular_solve(draw):
    """Both triangles hold numbers: only the one named must be read; b's batch dims broadcast
    against A's, and so does the cloned coefficient."""
    batch, n = draw(batches())
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1))) + (n + 1) * np.eye(n)
    b_batch = draw(st.sampled_from([batch, batch[1:], (2,) + batch]))
    b = draw(mst.arrays("float64", b_batch + (n, draw(st.integers(1, 3)))))
    options = draw(st.fixed_dictionaries({}, optional={"upper": st.booleans(), "transpose": st.booleans(),
                                                       "unitriangular": st.booleans()}))
    method = draw(st.booleans())

    def solve(lib, b, a):
        return tuple(b.triangular_solve(a, **options) if method else lib.triangular_solve(b, a, **options))
    return quietly(solve), [b, a]


@cases.add
def chain_matmul(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    matrices = [draw(mst.arrays("float64", (rows, columns))) for rows, columns in zip(sizes, sizes[1:])]
    return quietly(lambda lib, *ms: lib.chain_matmul(*ms)), matrices


@cases.add
def frobenius_norm(draw):
    """Away from 0, where the norm has no gradient."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=2, max_dims=3), elements=mst.nonzero_reals()))
    dim = draw(st.sampled_from([0, 1, (0, 1), (-1, 0), (1,)]))
    keepdim = draw(st.booleans())
    return quietly(lambda lib, x: lib.frobenius_norm(x, dim, keepdim=keepdim)), [x]


@cases.add
def nuclear_norm(draw):
    batch, m = draw(batches())
    a = draw(full_rank(batch, m, draw(st.integers(1, 4))))
    if draw(st.booleans()):  # nuclear_norm(input, keepdim): the last two dims
        keepdim = draw(st.booleans())
        return quietly(lambda lib, a: lib.nuclear_norm(a, keepdim)), [a]
    ndim = a.ndim
    rows, columns = draw(st.permutations(range(ndim)))[:2]
    # Across other dims full_rank's matrices are not full rank (its diagonal repeats along the batch):
    # there the entries are drawn anew, and the matrices taken across rows and columns must be far
    # from singular, where the gradient U V^T is defined.
    a = draw(mst.arrays("float64", a.shape, elements=mst.nonzero_reals(0.25, 1)))
    smallest = np.linalg.svd(np.moveaxis(a, (rows, columns), (-2, -1)), compute_uv=False).min(initial=1.0)
    assume(smallest > 0.1)
    rows, columns = draw(st.sampled_from([rows, rows - ndim])), draw(st.sampled_from([columns, columns - ndim]))
    keepdim = draw(st.booleans())
    return quietly(lambda lib, a: lib.nuclear_norm(a, (rows, columns), keepdim=keepdim)), [a]


@cases.add
def geqrf(draw):
    """The forward alone: torch has no gradient for geqrf (tested below)."""
    batch, m = draw(batches())
    a = draw(full_rank(batch, m, draw(st.integers(1, 4))))
    method = draw(st.booleans())
    return (lambda lib, a: tuple(a.geqrf() if method else lib.geqrf(a))), [a], [False]


def factors(draw, a, k):
    """tau for the first k reflectors stored in a: tau_i = 2 c_i / |v_i|^2, c_i drawn in [0.75, 1.5] or
    [-1, -0.25], so that H_i = I - tau_i v_i v_i^T has the eigenvalue 1 - 2 c_i (-1 for a true
    Householder reflector) well away from 0: torch's gradient inverts each reflector, and is nan
    at a singular one, where minigrad's, which inverts none, is finite."""
    below = np.tril(a[..., :, :k], -1)
    lengths = 1 + (below * below).sum(axis=-2)  # |v_i|^2, v_i's 1 included
    scales = draw(mst.arrays("float64", lengths.shape, elements=mst.reals(0.75, 1.5) | mst.reals(-1, -0.25)))
    return 2 * scales / lengths


@cases.add
def householder_product(draw):
    """Any reflector vectors (the upper triangle is not read), k <= n <= m of them."""
    batch, n = draw(batches())
    m = n + draw(st.integers(0, 2))
    a = draw(mst.arrays("float64", batch + (m, n), elements=mst.reals(-1, 1)))
    tau = factors(draw, a, draw(st.integers(0, n)))
    form = draw(st.sampled_from([lambda lib, a, tau: lib.linalg.householder_product(a, tau),
                                 lambda lib, a, tau: lib.orgqr(a, tau), lambda lib, a, tau: a.orgqr(tau)]))
    return form, [a, tau]


@cases.add
def ormqr(draw):
    """Q C, Q^T C, C Q and C Q^T with Q the square product of the reflectors in a (m x k')."""
    batch, m = draw(batches())
    columns = draw(st.integers(1, 4))
    a = draw(mst.arrays("float64", batch + (m, columns), elements=mst.reals(-1, 1)))
    tau = factors(draw, a, min(m, columns))
    left, transpose = draw(st.booleans()), draw(st.booleans())
    p = draw(st.integers(1, 3))
    c = draw(mst.arrays("float64", batch + ((m, p) if left else (p, m))))
    method = draw(st.booleans())

    def multiply(lib, a, tau, c):
        return a.ormqr(tau, c, left, transpose) if method else lib.ormqr(a, tau, c, left=left, transpose=transpose)
    return multiply, [a, tau, c]


@cases.add
def orgqr_of_geqrf(draw):
    """Q from geqrf's own reflectors (the forward: geqrf has no gradient)."""
    batch, n = draw(batches())
    a = draw(full_rank(batch, n + draw(st.integers(0, 2)), n))
    return (lambda lib, a: lib.orgqr(*lib.geqrf(a))), [a], [False]


test_parity = cases.test(max_examples=5)


def test_geqrf_then_orgqr_and_ormqr_rebuild_the_matrix():
    """Q R = A with R the upper triangle of geqrf's a, Q from orgqr, and ormqr's Q R the same."""
    a = np.random.default_rng(0).standard_normal((2, 5, 3))
    reflectors, tau = minigrad.geqrf(minigrad.tensor(a))
    r = reflectors.triu()[..., :3, :]
    assert_close(minigrad.orgqr(reflectors, tau) @ r, minigrad.tensor(a))
    assert_close(minigrad.ormqr(reflectors, tau, reflectors.triu()), minigrad.tensor(a))


def test_geqrf_of_zero_and_empty_matrices():
    for shape in ((3, 2), (0, 2), (2, 0), (2, 0, 3)):
        for mine, theirs in zip(*(lib.geqrf(lib.zeros(shape)) for lib in (minigrad, torch))):
            assert_close(mine, theirs)


def test_geqrf_refuses_its_gradient_as_torch_does():
    def backward(lib):
        a = lib.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
        reflectors, tau = lib.geqrf(a)
        assert reflectors.grad_fn.name() == tau.grad_fn.name() == "GeqrfBackward0"
        reflectors.sum().backward()
    assert_raises_like_torch(backward, same_message=True)


def test_grad_fn_names_are_torch_s():
    a = np.array([[2.0, 1.0, 0.5], [0.3, 3.0, 1.0], [0.2, 0.1, 4.0]])
    for lib in (minigrad, torch):
        x = lib.tensor(a, requires_grad=True)
        tau = lib.tensor([1.2, 0.4, 0.3], dtype=lib.float64, requires_grad=True)
        solution, coefficient = quietly(lambda lib, b, a: lib.triangular_solve(b, a))(lib, x, x)
        names = [solution.grad_fn.name(), coefficient.grad_fn.name(), lib.orgqr(x, tau[:2]).grad_fn.name(),
                 lib.linalg.householder_product(x, tau).grad_fn.name(), lib.ormqr(x, tau, x).grad_fn.name()]
        assert names == ["TriangularSolveBackward0"] * 2 + ["LinalgHouseholderProductBackward0"] * 2 + \
            ["OrmqrBackward0"], lib.__name__


def _second_order(lib, fn, arrays, upstream, directions):
    """g = d <fn(inputs), upstream> / d inputs with create_graph, then d <g, directions> / d inputs."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    firsts = lib.autograd.grad(fn(lib, *inputs), inputs, lib.tensor(upstream), create_graph=True, allow_unused=True)
    terms = [(g * lib.tensor(v)).sum() for g, v in zip(firsts, directions) if g is not None]
    seconds = lib.autograd.grad(sum(terms[1:], terms[0]), inputs, allow_unused=True)
    return firsts, seconds


SECOND_ORDER = {
    "triangular_solve": quietly(lambda lib, b, a, tau: lib.triangular_solve(b, a, transpose=True).solution),
    "householder_product": lambda lib, b, a, tau: lib.linalg.householder_product(a, tau),
    "ormqr": lambda lib, b, a, tau: lib.ormqr(a, tau, b, left=False, transpose=True),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
@settings(max_examples=5)
@given(data=st.data())
def test_second_derivatives_match_torch(name, data):
    """The rules are recorded under create_graph: gradients of gradients are torch's."""
    n = data.draw(st.integers(1, 3))
    a = data.draw(mst.arrays("float64", (n, n), elements=mst.reals(-1, 1))) + (n + 1) * np.eye(n)
    arrays = [data.draw(mst.arrays("float64", (n, n))), a, factors(data.draw, a, n)]
    fn = SECOND_ORDER[name]
    with torch.no_grad():
        shape = tuple(fn(torch, *(torch.tensor(x) for x in arrays)).shape)
    upstream = data.draw(mst.arrays("float64", shape))
    directions = [data.draw(mst.arrays("float64", x.shape)) for x in arrays]
    ours, theirs = (_second_order(lib, fn, arrays, upstream, directions) for lib in (minigrad, torch))
    for order, (mine, reference) in enumerate(zip(ours, theirs), 1):
        for i, (m, t) in enumerate(zip(mine, reference)):
            if t is None:  # (an input the function does not use, or in which it is linear)
                assert m is None or not m.detach().numpy().any(), f"{name}: derivative of order {order} for input {i}"
            else:
                assert_close(m, t, what=f"{name}: derivative of order {order} for input {i}")


DEPRECATED = [
    (lambda lib: lib.triangular_solve(lib.ones(2, 1), lib.eye(2)), "torch.triangular_solve is deprecated"),
    (lambda lib: lib.chain_matmul(lib.eye(2), lib.eye(2)), "torch.chain_matmul is deprecated"),
    (lambda lib: lib.frobenius_norm(lib.eye(2), (0, 1)), "at::frobenius_norm is deprecated"),
    (lambda lib: lib.nuclear_norm(lib.eye(2)), "at::nuclear_norm is deprecated"),
]


@pytest.mark.parametrize(("call", "message"), DEPRECATED)
def test_the_deprecated_names_warn(call, message):
    """(torch warns once per process, so only minigrad's warning can be caught here each time)"""
    with pytest.warns(UserWarning, match=message):
        call(minigrad)


A = [[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.2, 1.0, 4.0]]

BAD_CALLS = [
    lambda lib: lib.solve(lib.ones(3, 1), lib.eye(3)),
    lambda lib: lib.ones(3, 1).solve(lib.eye(3)),
    lambda lib: lib.eig(lib.eye(3)),
    lambda lib: lib.eye(3).eig(eigenvectors=True),
    lambda lib: lib.symeig(lib.eye(3)),
    lambda lib: lib.eye(3).symeig(),
    lambda lib: lib.lstsq(lib.ones(3, 1), lib.eye(3)),
    lambda lib: lib.ones(3, 1).lstsq(lib.eye(3)),
    lambda lib: lib.matrix_rank(lib.eye(3)),
    lambda lib: lib.matrix_rank(lib.eye(3), tol=0.1, symmetric=True),
    lambda lib: lib.triangular_solve(lib.ones(3), lib.eye(3)),
    lambda lib: lib.triangular_solve(lib.ones(3, 1), lib.ones(3)),
    lambda lib: lib.triangular_solve(lib.ones(3, 1), lib.eye(3, dtype=lib.float64)),
    lambda lib: lib.triangular_solve(lib.ones(3, 1), lib.ones(3, 2)),
    lambda lib: lib.triangular_solve(lib.ones(2, 1), lib.eye(3)),
    lambda lib: lib.triangular_solve(lib.ones(3, 1, dtype=lib.int32), lib.eye(3, dtype=lib.int32)),
    lambda lib: lib.chain_matmul(),
    lambda lib: lib.chain_matmul(lib.ones(3), lib.eye(3)),
    lambda lib: lib.chain_matmul(lib.eye(3), lib.eye(3, dtype=lib.float64)),
    lambda lib: lib.chain_matmul(lib.eye(3), lib.ones(2, 3)),
    lambda lib: lib.frobenius_norm(lib.ones(2, 3, 4), (0, 1, 2)),
    lambda lib: lib.frobenius_norm(lib.ones(2, 3, 4), (0, 0)),
    lambda lib: lib.frobenius_norm(lib.ones(2, 3, 4), (0, 5)),
    lambda lib: lib.frobenius_norm(lib.ones(3, 3, dtype=lib.int64), (0, 1)),
    lambda lib: lib.nuclear_norm(lib.ones(3)),
    lambda lib: lib.nuclear_norm(lib.ones(2, 3, 4), (0,)),
    lambda lib: lib.nuclear_norm(lib.ones(2, 3, 4), (1, 1)),
    lambda lib: lib.nuclear_norm(lib.ones(2, 3, 4), 1),
    lambda lib: lib.nuclear_norm(lib.ones(2, 3, 4), (1, 5)),
    lambda lib: lib.nuclear_norm(lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.geqrf(lib.ones(3)),
    lambda lib: lib.geqrf(lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.orgqr(lib.ones(3), lib.ones(1)),
    lambda lib: lib.orgqr(lib.ones(2, 3), lib.ones(2)),
    lambda lib: lib.orgqr(lib.ones(4, 3), lib.ones(4)),
    lambda lib: lib.orgqr(lib.ones(4, 3), lib.ones(2, 3)),
    lambda lib: lib.orgqr(lib.ones(2, 4, 3), lib.ones(3)),
    lambda lib: lib.orgqr(lib.ones(4, 3), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.orgqr(lib.ones(4, 3, dtype=lib.int32), lib.ones(3, dtype=lib.int32)),
    lambda lib: lib.linalg.householder_product(lib.ones(3), lib.ones(1)),
    lambda lib: lib.ormqr(lib.ones(4), lib.ones(3), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(4)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(2, 4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(2, 4)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(4, 2), left=False),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(2), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(4, 2, dtype=lib.float64)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3, dtype=lib.float64), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3, dtype=lib.int32), lib.ones(3, dtype=lib.int32), lib.ones(4, 2, dtype=lib.int32)),
]
SAME_TYPE_ONLY = [  # torch's message names the clashing sizes in its broadcasting terms
    lambda lib: lib.triangular_solve(lib.ones(2, 3, 1), lib.eye(3).expand(3, 3, 3)),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    assert_raises_like_torch(quietly(call), same_message=True)


@pytest.mark.parametrize("call", SAME_TYPE_ONLY)
def test_errors_are_of_torch_s_type(call):
    assert_raises_like_torch(quietly(call))


def test_the_cloned_coefficient_is_in_the_graph_when_b_alone_requires_grad():
    """torch computes both outputs in one node: the copy of A requires grad when b does, and
    sends b a zero gradient (it used to be out of the graph, as a copy of A alone)."""
    def run(lib):
        b = lib.ones(2, 1, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, coefficient = lib.triangular_solve(b, 2 * lib.eye(2))
        requires = coefficient.requires_grad
        coefficient.sum().backward()
        return requires, b.grad.tolist()
    assert run(minigrad) == run(torch) == (True, [[0.0], [0.0]])


@pytest.mark.parametrize("dtype, tiny", [("float32", 1.17549435e-38), ("float64", 8.77764135e-218)])
def test_geqrf_reflects_a_column_whose_rest_is_tiny_as_lapack(dtype, tiny):
    """The length of the column below the diagonal is taken without underflow (its square is 0 in
    the dtype): a tiny but nonzero rest still gives a reflector, as LAPACK's larfg gives one."""
    a = np.array([[4.0], [tiny]], dtype=dtype)
    ours, theirs = minigrad.geqrf(minigrad.tensor(a)), torch.geqrf(torch.tensor(a))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6)
    assert ours[0][0, 0].item() == -4.0 and ours[1][0].item() == 2.0
