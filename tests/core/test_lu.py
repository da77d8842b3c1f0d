"""Torch parity of the LU factorization and what is built on it: linalg.lu_factor, lu_factor_ex,
lu and lu_solve, and the older torch.lu, lu_unpack and lu_solve (and Tensor.lu, Tensor.lu_solve);
forward values (the pivots included), every gradient, grad_fn names and errors. And of the
symmetric LDL^T factorization: linalg.ldl_factor, ldl_factor_ex and ldl_solve."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()


@st.composite
def sizes(draw):
    """(batch, m, n): square, tall and wide matrices, batched or not."""
    return draw(mst.shapes(max_dims=2, max_side=3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))


@st.composite
def pivoted(draw, batch, m, n):
    """A = P L U whose partial pivoting is unambiguous, so that the pivots and factors found are
    these: L's entries below the diagonal are at most 1/2 in size (the pivot row's 1 is then at
    least twice any other candidate), and U's diagonal is 1 to 2 in size (A has full rank)."""
    k = min(m, n)
    lower = np.tril(draw(mst.arrays("float64", batch + (m, k), elements=mst.reals(-0.5, 0.5))), -1) + np.eye(m, k)
    upper = np.triu(draw(mst.arrays("float64", batch + (k, n), elements=mst.reals(-1, 1))), 1)
    diagonal = draw(mst.arrays("float64", batch + (k,), elements=mst.nonzero_reals(1, 2)))
    upper[..., range(k), range(k)] = diagonal
    order = draw(st.permutations(range(m)))
    return (lower @ upper)[..., np.argsort(order), :]


def packed(draw, batch, n):
    """A packed square LU (any strict lower part, U's diagonal 1 to 2 in size) and valid pivots."""
    lu = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1)))
    lu[..., range(n), range(n)] = draw(mst.arrays("float64", batch + (n,), elements=mst.nonzero_reals(1, 2)))
    pivots = np.array([draw(st.integers(j + 1, n)) for j in range(n)], dtype=np.int32)
    return lu, np.broadcast_to(pivots, batch + (n,)).copy()


def _lu_factor(lib, a):
    return tuple(lib.linalg.lu_factor(a))


def _lu_factor_ex(lib, a):
    return tuple(lib.linalg.lu_factor_ex(a))


def _lu_with_info(lib, a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch.lu is deprecated: tested below)
        return tuple(lib.lu(a, get_infos=True))


def _lu_method(lib, a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return a.lu()


@cases.add
def lu_factor(draw):
    batch, m, n = draw(sizes())
    form = draw(st.sampled_from([_lu_factor, _lu_factor_ex, _lu_with_info, _lu_method]))
    return form, [draw(pivoted(batch, m, n))]


@cases.add
def lu(draw):
    """P, L and U; L's gradient and U's are drawn separately, so both rules are checked."""
    batch, m, n = draw(sizes())
    part = draw(st.sampled_from([None, "L", "U"]))

    def factor(lib, a):
        result = lib.linalg.lu(a)
        return tuple(result) if part is None else getattr(result, part)
    return factor, [draw(pivoted(batch, m, n))]


@cases.add
def lu_unpack_of_lu_factor(draw):
    batch, m, n = draw(sizes())
    unpack_data, unpack_pivots = draw(st.booleans()), draw(st.booleans())

    def unpack(lib, a):
        return tuple(lib.lu_unpack(*lib.linalg.lu_factor(a), unpack_data=unpack_data, unpack_pivots=unpack_pivots))
    # (torch's backward fails on the empty L and U of unpack_data=False: only their forward is compared)
    return unpack, [draw(pivoted(batch, m, n))], [unpack_data]


@cases.add
def lu_unpack_of_a_drawn_lu(draw):
    """Any m x n LU and pivots: the gradient of LU is L's strict lower part and U's upper one."""
    batch, m, n = draw(sizes())
    lu = draw(mst.arrays("float64", batch + (m, n)))
    pivots = np.array([draw(st.integers(j + 1, m)) for j in range(min(m, n))], dtype=np.int32)
    return (lambda lib, lu, p: tuple(lib.lu_unpack(lu, p))), [lu, np.broadcast_to(pivots, batch + pivots.shape).copy()]


@cases.add
def lu_solve_of_lu_factor(draw):
    """A factored and solved in one go: the gradients reach A through both, and B's batch dims
    broadcast against A's."""
    batch, n, _ = draw(sizes())
    left, adjoint = draw(st.booleans()), draw(st.booleans())
    a = draw(pivoted(batch, n, n))
    k = draw(st.integers(1, 3))
    b_batch = draw(st.sampled_from([batch, batch[1:], (2,) + batch]))
    b = draw(mst.arrays("float64", b_batch + ((n, k) if left else (k, n))))

    def solve(lib, a, b):
        return lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=left, adjoint=adjoint)
    return solve, [a, b]


@cases.add
def lu_solve_of_a_drawn_lu(draw):
    """A packed LU as the leaf: its gradient is the one for L's and U's triangles."""
    batch, n, _ = draw(sizes())
    left, adjoint = draw(st.booleans()), draw(st.booleans())
    lu, pivots = packed(draw, batch, n)
    b = draw(mst.arrays("float64", batch + ((n, 2) if left else (2, n))))

    def solve(lib, lu, pivots, b):
        return lib.linalg.lu_solve(lu, pivots, b, left=left, adjoint=adjoint)
    return solve, [lu, pivots, b]


@cases.add
def older_lu_solve(draw):
    """torch.lu_solve(b, LU, pivots) and b.lu_solve(LU, pivots): linalg.lu_solve's A X = B."""
    batch, n, _ = draw(sizes())
    lu, pivots = packed(draw, batch, n)
    b = draw(mst.arrays("float64", batch + (n, draw(st.integers(1, 3)))))
    method = draw(st.booleans())

    def solve(lib, b, lu, pivots):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (deprecated: tested below)
            return b.lu_solve(lu, pivots) if method else lib.lu_solve(b, lu, pivots)
    return solve, [b, lu, pivots]


test_parity = cases.test(max_examples=5)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), shape=st.tuples(st.integers(0, 2), st.integers(1, 6), st.integers(1, 6)),
       dtype=st.sampled_from(["float64", "float32"]))
def test_the_pivots_of_random_matrices_are_lapack_s(seed, shape, dtype):
    """Normal draws have no ties among the candidates: every pivot is LAPACK's, and the factors
    agree to the dtype's rounding."""
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    mine, theirs = minigrad.linalg.lu_factor_ex(minigrad.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
    assert_close(mine.pivots, theirs.pivots)
    assert_close(mine.info, theirs.info)
    assert_close(mine.LU, theirs.LU, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-5 if dtype == "float32" else 1e-12)


# Their multipliers are exact in binary (halves, quarters, 1), so an eliminated entry is exactly 0
# whether or not the LAPACK fuses its multiply-adds: with a row [3, 6] below [1, 2] and [2, 4], a
# fused float32 4 - (2/3) * 6 leaves -1.2e-7 on some machines, 0 on others, and a pivot from it.
SINGULAR = [
    [[1.0, 2.0], [2.0, 4.0]],
    [[0.0, 0.0], [0.0, 0.0]],
    [[[0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [0.0, 5.0, 6.0]], [[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]]],
    [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 2.0, 3.0]],
    [[1.0, 2.0], [2.0, 4.0], [4.0, 8.0]],
]


@pytest.mark.parametrize("a", SINGULAR)
def test_singular_matrices_give_lapack_s_info_and_factors(a):
    """A zero pivot eliminates nothing and the factorization carries on; info names the first."""
    mine, theirs = (lib.linalg.lu_factor_ex(lib.tensor(a)) for lib in (minigrad, torch))
    for name in ("LU", "pivots", "info"):
        assert_close(getattr(mine, name), getattr(theirs, name), what=name)
    mine, theirs = (lib.linalg.lu(lib.tensor(a)) for lib in (minigrad, torch))
    for name in ("P", "L", "U"):
        assert_close(getattr(mine, name), getattr(theirs, name), what=name)


def test_empty_matrices():
    for shape in ((0, 0), (2, 3, 0), (2, 0, 3), (0, 2, 2)):
        for lib_result in zip(*(lib.linalg.lu_factor_ex(lib.zeros(shape)) for lib in (minigrad, torch))):
            assert_close(*lib_result)
        for lib_result in zip(*(lib.linalg.lu(lib.zeros(shape)) for lib in (minigrad, torch))):
            assert_close(*lib_result)


def test_lu_unpack_of_an_integer_lu():
    """lu_unpack only reads triangles, so torch takes integer tensors too."""
    lu, pivots = np.arange(1, 13).reshape(3, 4), np.array([3, 2, 3], dtype=np.int32)
    for mine, theirs in zip(*(lib.lu_unpack(lib.tensor(lu), lib.tensor(pivots)) for lib in (minigrad, torch))):
        assert_close(mine, theirs)


def test_grad_fn_names_are_torch_s():
    a = np.array([[1.0, 3.0, 0.5], [4.0, 1.0, 2.0], [0.5, 2.0, 5.0]])
    for lib in (minigrad, torch):
        x = lib.tensor(a, requires_grad=True)
        LU, pivots = lib.linalg.lu_factor(x)
        P, L, U = lib.linalg.lu(x)
        unpacked = lib.lu_unpack(LU, pivots)
        names = [LU.grad_fn.name(), L.grad_fn.name(), U.grad_fn.name(), unpacked.L.grad_fn.name(),
                 unpacked.U.grad_fn.name(), lib.linalg.lu_solve(LU, pivots, x).grad_fn.name()]
        assert names == ["LinalgLuFactorExBackward0", "LinalgLuBackward0", "LinalgLuBackward0", "LuUnpackBackward0",
                         "LuUnpackBackward0", "LinalgLuSolveBackward0"], lib.__name__
        assert P.grad_fn is None and not P.requires_grad and pivots.dtype == lib.int32


def test_the_older_forms_warn_that_they_are_deprecated():
    """(torch warns once per process, so only minigrad's warning can be caught here each time)"""
    with pytest.warns(UserWarning, match="torch.lu is deprecated in favor of torch.linalg.lu_factor"):
        result = minigrad.lu(minigrad.eye(2))
    assert type(result) is tuple and len(result) == 2
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        assert type(minigrad.eye(2).lu(get_infos=True)).__name__ == "_lu_with_info"
    with pytest.warns(UserWarning, match="torch.lu_solve is deprecated in favor of torch.linalg.lu_solve"):
        minigrad.lu_solve(minigrad.ones(2, 1), *minigrad.linalg.lu_factor(minigrad.eye(2)))


def _lu_of(lib, a):
    return lib.linalg.lu_factor(lib.tensor(a, dtype=lib.float64))


A = [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]]

BAD_CALLS = [
    lambda lib: lib.linalg.lu_factor(lib.ones(3)),
    lambda lib: lib.linalg.lu_factor(lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.linalg.lu_factor(lib.tensor([[1.0, 2.0], [2.0, 4.0]])),
    lambda lib: lib.linalg.lu_factor(lib.stack([lib.eye(3), lib.zeros(3, 3)])),
    lambda lib: lib.linalg.lu_factor(lib.eye(3), pivot=False),
    lambda lib: lib.linalg.lu_factor_ex(lib.ones(3)),
    lambda lib: lib.linalg.lu_factor_ex(lib.tensor([[1.0, 2.0], [2.0, 4.0]]), check_errors=True),
    lambda lib: lib.linalg.lu_factor_ex(lib.eye(2, dtype=lib.bool)),
    lambda lib: lib.linalg.lu(lib.ones(3)),
    lambda lib: lib.linalg.lu(lib.ones(2, 2, dtype=lib.int32)),
    lambda lib: lib.linalg.lu(lib.eye(2), pivot=False),
    lambda lib: lib.linalg.lu_solve(*_lu_of(lib, A), lib.ones(4, 2, dtype=lib.float64)),
    lambda lib: lib.linalg.lu_solve(*_lu_of(lib, A), lib.ones(3, 2)),
    lambda lib: lib.linalg.lu_solve(_lu_of(lib, A).LU, _lu_of(lib, A).pivots.long(), lib.ones(3, 2, dtype=lib.float64)),
    lambda lib: lib.linalg.lu_solve(_lu_of(lib, A).LU, _lu_of(lib, A).pivots[:2], lib.ones(3, 2, dtype=lib.float64)),
    lambda lib: lib.linalg.lu_solve(_lu_of(lib, A).LU[:2], _lu_of(lib, A).pivots, lib.ones(3, 2, dtype=lib.float64)),
    lambda lib: lib.linalg.lu_solve(*_lu_of(lib, A), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.linalg.lu_solve(*_lu_of(lib, A), lib.ones(3, 2, dtype=lib.float64), left=False),
    lambda lib: lib.linalg.lu_solve(lib.eye(3, dtype=lib.int64), lib.ones(3, dtype=lib.int32),
                                    lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3), lib.ones(3, dtype=lib.int32) * 7, lib.ones(3, 3)),
    lambda lib: lib.linalg.lu_solve(lib.eye(3).expand(2, 3, 3), lib.ones(3, dtype=lib.int32), lib.ones(3, 3)),
    lambda lib: lib.lu_solve(lib.ones(3, 2), *_lu_of(lib, A)),
    lambda lib: lib.lu_solve(lib.ones(3, dtype=lib.float64), *_lu_of(lib, A)),
    lambda lib: lib.lu_unpack(_lu_of(lib, A).LU, _lu_of(lib, A).pivots.long()),
    lambda lib: lib.lu_unpack(_lu_of(lib, A).LU[0], _lu_of(lib, A).pivots),
    lambda lib: lib.lu_unpack(_lu_of(lib, A).LU, _lu_of(lib, A).pivots + 5),
    lambda lib: lib.lu_unpack(_lu_of(lib, A).LU, _lu_of(lib, A).pivots - 1),
]
SAME_TYPE_ONLY = [  # torch's message names the clashing sizes in its broadcasting terms
    lambda lib: lib.linalg.lu_solve(lib.eye(3).expand(2, 3, 3), lib.ones(2, 3, dtype=lib.int32), lib.ones(3, 3, 3)),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("call", SAME_TYPE_ONLY)
def test_errors_are_of_torch_s_type(call):
    assert_raises_like_torch(call)


def _second_order(lib, fn, arrays, upstream, directions):
    """g = d <fn(inputs), upstream> / d inputs with create_graph, then d <g, directions> / d inputs."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    firsts = lib.autograd.grad(fn(lib, *inputs), inputs, lib.tensor(upstream), create_graph=True)
    seconds = lib.autograd.grad(sum((g * lib.tensor(v)).sum() for g, v in zip(firsts, directions)), inputs)
    return firsts, seconds


SECOND_ORDER = {
    "lu_factor": (lambda lib, a: lib.linalg.lu_factor(a).LU, 1),
    "lu L": (lambda lib, a: lib.linalg.lu(a).L, 1),
    "lu U": (lambda lib, a: lib.linalg.lu(a).U, 1),
    "lu_solve": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b), 2),
    "lu_solve adjoint, right": (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b.mT, left=False,
                                                                      adjoint=True), 2),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
@settings(max_examples=3)
@given(data=st.data())
def test_second_derivatives_match_torch(name, data):
    """The rules are recorded under create_graph: gradients of gradients are torch's."""
    fn, count = SECOND_ORDER[name]
    _, m, n = data.draw(sizes())
    n = m if count == 2 else n
    arrays = [data.draw(pivoted((), m, n))] + [data.draw(mst.arrays("float64", (m, 2)))] * (count - 1)
    with torch.no_grad():
        shape = tuple(fn(torch, *(torch.tensor(a) for a in arrays)).shape)
    upstream = data.draw(mst.arrays("float64", shape))
    directions = [data.draw(mst.arrays("float64", a.shape)) for a in arrays]
    ours, theirs = (_second_order(lib, fn, arrays, upstream, directions) for lib in (minigrad, torch))
    for order, (mine, reference) in enumerate(zip(ours, theirs), 1):
        for i, (m_, t) in enumerate(zip(mine, reference)):
            assert_close(m_, t, what=f"{name}: derivative of order {order} for input {i}")


# ---------------------------------------------------------------- LDL^T
def _symmetric(seed, shape, dtype, small_diagonal):
    """A random symmetric matrix (normal draws: no ties among the pivoting's candidates); with a small
    diagonal, Bunch-Kaufman pivoting takes 2 x 2 blocks and row swaps."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    a = a + np.swapaxes(a, -1, -2)
    if small_diagonal:
        a[..., range(shape[-1]), range(shape[-1])] *= 0.01
    return a.astype(dtype)


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), batch=st.sampled_from([(), (3,), (2, 2)]), n=st.integers(1, 6),
       dtype=st.sampled_from(["float64", "float32"]), small_diagonal=st.booleans(), hermitian=st.booleans(),
       columns=st.integers(1, 3))
def test_ldl_factor_and_solve_are_lapack_s(seed, batch, n, dtype, small_diagonal, hermitian, columns):
    """LD, the pivots (2 x 2 blocks included) and info are torch's (LAPACK's sytrf), and so is
    ldl_solve's solution, for B whose batch dims broadcast against A's (torch's ldl_solve is handed
    LD and the pivots expanded to the whole batch: it crashes where they broadcast)."""
    a = _symmetric(seed, batch + (n, n), dtype, small_diagonal)
    upper_noise = np.triu(np.random.default_rng(seed + 1).standard_normal((n, n)), 1).astype(dtype)  # not read
    b = np.random.default_rng(seed + 2).standard_normal((2, 1) * bool(batch) + (n, columns)).astype(dtype)
    whole = np.broadcast_shapes(batch, b.shape[:-2])
    results = []
    for lib in (minigrad, torch):
        factors = lib.linalg.ldl_factor_ex(lib.tensor(a + upper_noise), hermitian=hermitian)
        LD, pivots = factors.LD, factors.pivots
        if lib is torch:
            LD, pivots = LD.expand(*whole, n, n), pivots.expand(*whole, n)
        solution = lib.linalg.ldl_solve(LD, pivots, lib.tensor(b), hermitian=hermitian)
        results.append((*factors, solution))
    for name, mine, theirs in zip(("LD", "pivots", "info", "solution"), *results):
        assert_close(mine, theirs, what=name)
    LD, pivots = minigrad.linalg.ldl_factor(minigrad.tensor(a))
    assert_close(LD, results[0][0])


def test_ldl_of_singular_and_empty_matrices():
    zero_column = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 1.0], [0.0, 1.0, 3.0]])
    for a in (np.zeros((2, 2)), zero_column, np.zeros((2, 0, 0))):
        for name, mine, theirs in zip(("LD", "pivots", "info"), *(lib.linalg.ldl_factor_ex(lib.tensor(a))
                                                                  for lib in (minigrad, torch))):
            assert_close(mine, theirs, what=name)
    with pytest.raises(RuntimeError, match="ldl_factor: .*singular.* position 1 is zero"):
        minigrad.linalg.ldl_factor(minigrad.tensor(zero_column))  # (torch fails on an internal assertion)


def test_ldl_refuses_gradients_as_torch_does():
    def backward(lib, solve):
        a = lib.tensor([[2.0, 1.0], [1.0, -3.0]], requires_grad=True)
        LD, pivots = lib.linalg.ldl_factor(a)
        out = lib.linalg.ldl_solve(LD.detach(), pivots, a) if solve else LD
        assert out.grad_fn.name() == "torch::autograd::NotImplemented"
        out.sum().backward()
    for solve in (False, True):
        assert_raises_like_torch(lambda lib: backward(lib, solve), same_message=True)


LDL_BAD_CALLS = [
    lambda lib: lib.linalg.ldl_factor(lib.ones(3)),
    lambda lib: lib.linalg.ldl_factor(lib.ones(2, 3)),
    lambda lib: lib.linalg.ldl_factor_ex(lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.linalg.ldl_solve(lib.eye(3, dtype=lib.float64), lib.ones(3, dtype=lib.int32), lib.ones(3, 2)),
    lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(2, dtype=lib.int32), lib.ones(3, 2)),
    lambda lib: lib.linalg.ldl_solve(lib.eye(3), lib.ones(3, dtype=lib.int32), lib.ones(2, 2)),
    lambda lib: lib.linalg.ldl_solve(lib.ones(2, 3), lib.ones(2, dtype=lib.int32), lib.ones(3, 2)),
    lambda lib: lib.linalg.ldl_solve(lib.eye(3).expand(2, 3, 3), lib.ones(3, dtype=lib.int32), lib.ones(3, 2)),
    lambda lib: lib.linalg.ldl_solve(lib.eye(3, dtype=lib.int32), lib.ones(3, dtype=lib.int32),
                                     lib.ones(3, 2, dtype=lib.int32)),
]


@pytest.mark.parametrize("call", LDL_BAD_CALLS)
def test_ldl_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)
