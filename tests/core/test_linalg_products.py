"""Torch parity of determinants, inverses, matrix powers and the vector and chain products of
torch.linalg: det, slogdet, logdet, inverse, matrix_power, multi_dot, vecdot, cross and
linalg.diagonal, in their linalg, top-level and method forms; forward, gradients and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, method_or_function, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()
cases = Cases()
SIDES = st.integers(1, 4)


@st.composite
def square_matrices(draw, min_side=1):
    """A batch of well-conditioned square matrices (..., n, n): entries in [-1, 1] plus (n + 1)
    on the diagonal, with some rows negated so that determinants of both signs come up."""
    batch = draw(mst.shapes(max_dims=2, max_side=3))
    n = draw(st.integers(min_side, 4))
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1))) + (n + 1) * np.eye(n)
    signs = draw(mst.arrays("float64", batch + (n, 1), elements=st.sampled_from([-1.0, 1.0])))
    return a * signs


def _det_forms():
    return st.sampled_from([lambda lib, a: lib.linalg.det(a), lambda lib, a: lib.det(a), lambda lib, a: a.det()])


@cases.add
def det(draw):
    form = draw(_det_forms())
    return form, [draw(square_matrices())]


@cases.add
def slogdet(draw):
    form = draw(st.sampled_from([lambda lib, a: lib.linalg.slogdet(a), lambda lib, a: lib.slogdet(a),
                                 lambda lib, a: a.slogdet()]))
    return form, [draw(square_matrices())]


@cases.add
def logdet(draw):
    """Negative determinants included: logdet is nan there, with a zero gradient."""
    form = draw(method_or_function("logdet"))
    return (lambda lib, a: form(lib, a)), [draw(square_matrices())]


@cases.add
def inverse(draw):
    form = draw(method_or_function("inverse"))
    return (lambda lib, a: form(lib, a)), [draw(square_matrices())]


@cases.add
def inv_ex(draw):
    return (lambda lib, a: lib.linalg.inv_ex(a)), [draw(square_matrices())]


@cases.add
def matrix_power(draw):
    n = draw(st.integers(-3, 5))
    form = draw(st.sampled_from([lambda lib, a, n: lib.linalg.matrix_power(a, n),
                                 lambda lib, a, n: lib.matrix_power(a, n), lambda lib, a, n: a.matrix_power(n)]))
    return form, [draw(square_matrices()) / 2, n]  # / 2: powers stay of moderate size


@cases.add
def matrix_power_of_integers(draw):
    a = draw(mst.arrays("int64", draw(mst.shapes(max_dims=1)) + (3, 3), elements=st.integers(-2, 2)))
    return (lambda lib, a, n: lib.linalg.matrix_power(a, n)), [a, draw(st.integers(0, 4))]


@cases.add
def multi_dot(draw):
    """A chain of 2 to 5 matrices whose first and last may be vectors; sizes vary so that the
    order of the products matters."""
    count = draw(st.integers(2, 5))
    sizes = [draw(st.integers(1, 5)) for _ in range(count + 1)]
    shapes = [(sizes[i], sizes[i + 1]) for i in range(count)]
    if draw(st.booleans()):
        shapes[0] = shapes[0][1:]
    if draw(st.booleans()):
        shapes[-1] = shapes[-1][:1]
    arrays = [draw(mst.arrays("float64", shape)) for shape in shapes]
    return (lambda lib, *tensors: lib.linalg.multi_dot(list(tensors))), arrays


@cases.add
def vecdot(draw):
    x_shape, y_shape = draw(mst.broadcastable_pairs(min_dims=1, max_dims=3).filter(
        lambda pair: len(pair[0]) > 1 or len(pair[1]) > 1 or pair[0] == pair[1]))  # two vectors do not broadcast
    dim = draw(st.integers(-min(len(x_shape), len(y_shape)), -1))
    x, y = draw(mst.arrays("float64", x_shape)), draw(mst.arrays("float64", y_shape))
    return (lambda lib, x, y: lib.linalg.vecdot(x, y, dim=dim)), [x, y]


@st.composite
def vectors_of_three(draw, dtype="float64"):
    """Two broadcastable tensors of one rank with a dim of length 3 in both, and that dim."""
    x_shape, y_shape = draw(mst.broadcastable_pairs(min_dims=0, max_dims=2, max_side=3))
    rank = max(len(x_shape), len(y_shape))
    x_shape, y_shape = (1,) * (rank - len(x_shape)) + x_shape, (1,) * (rank - len(y_shape)) + y_shape
    axis = draw(st.integers(0, rank))
    x_shape, y_shape = x_shape[:axis] + (3,) + x_shape[axis:], y_shape[:axis] + (3,) + y_shape[axis:]
    return draw(mst.arrays(dtype, x_shape)), draw(mst.arrays(dtype, y_shape)), axis - (rank + 1) * draw(st.booleans())


@cases.add
def linalg_cross(draw):
    x, y, dim = draw(vectors_of_three())
    if dim == -1 and draw(st.booleans()):
        return (lambda lib, x, y: lib.linalg.cross(x, y)), [x, y]
    return (lambda lib, x, y: lib.linalg.cross(x, y, dim=dim)), [x, y]


@cases.add
def cross_with_dim(draw):
    x, y, dim = draw(vectors_of_three())
    form = draw(method_or_function("cross"))
    return (lambda lib, x, y: form(lib, x, y, dim=dim)), [x, y]


@cases.add
def cross_of_integers(draw):
    x, y, dim = draw(vectors_of_three("int64"))
    return (lambda lib, x, y: lib.linalg.cross(x, y, dim=dim)), [x, y]


@cases.add
def linalg_diagonal(draw):
    shape = draw(mst.shapes(min_dims=2, max_dims=4))
    offset = draw(st.integers(-3, 3))
    dims = draw(st.permutations(range(-len(shape), 0)))[:2] if draw(st.booleans()) else (-2, -1)
    return (lambda lib, a: lib.linalg.diagonal(a, offset=offset, dim1=dims[0], dim2=dims[1])), \
        [draw(mst.arrays("float64", shape))]


test_parity = cases.test(max_examples=5)


def test_cross_without_dim_takes_the_first_dim_of_length_three_and_warns():
    x, y = np.arange(18.0).reshape(3, 2, 3), np.linspace(-1, 1, 9).reshape(3, 1, 3)  # dim 0, not -1
    results = []
    for lib in (minigrad, torch):
        with pytest.warns(UserWarning, match="without specifying the dim"):  # (torch warns once a process)
            results.append(lib.cross(lib.tensor(x), lib.tensor(y)))
    assert_close(*results)
    a, b = x[:1, 0], x[:, 1]  # the first dim of length 3 of the first input (1), not of the broadcast shape (0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(minigrad.cross(minigrad.tensor(a), minigrad.tensor(b)),
                     torch.cross(torch.tensor(a), torch.tensor(b)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # linalg.cross takes dim=-1, silently
        assert_close(minigrad.linalg.cross(minigrad.tensor(x), minigrad.tensor(y)),
                     torch.linalg.cross(torch.tensor(x), torch.tensor(y)))


def test_grad_fn_names_are_torch_s():
    for lib in (minigrad, torch):
        a = lib.tensor(np.eye(3) * 2 + 0.1, requires_grad=True)
        names = [lib.linalg.det(a).grad_fn.name(), lib.linalg.slogdet(a).sign.grad_fn.name(),
                 lib.linalg.slogdet(a).logabsdet.grad_fn.name(), lib.inverse(a).grad_fn.name(),
                 lib.linalg.cross(a, a).grad_fn.name()]
        assert names == ["LinalgDetBackward0", "LinalgSlogdetBackward0", "LinalgSlogdetBackward0",
                         "LinalgInvExBackward0", "LinalgCrossBackward0"], lib.__name__


def test_the_sign_of_slogdet_passes_no_gradient():
    for lib in (minigrad, torch):
        a = lib.tensor(np.eye(3) * 2 + 0.1, requires_grad=True)
        lib.linalg.slogdet(a).sign.sum().backward()
        assert a.grad is None, lib.__name__


def test_matrix_power_zero_is_the_identity_with_a_zero_gradient():
    a = np.full((2, 3, 3), np.inf)
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor(a, requires_grad=True)
        out = lib.linalg.matrix_power(x, 0)
        out.sum().backward()
        results.append((out, x.grad))
    assert_close(results[0][0], results[1][0])
    assert_close(results[0][1], results[1][1])


def test_singular_matrices():
    """det is 0 with a zero gradient and slogdet (0, -inf); inverting raises LinAlgError."""
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [3.0, 1.0]]])
    results = []
    for lib in (minigrad, torch):
        a = lib.tensor(singular, requires_grad=True)
        det = lib.linalg.det(a)
        det.sum().backward()
        results.append((det, a.grad, *lib.linalg.slogdet(a.detach())))
        for invert in (lib.inverse, lib.linalg.inv, lambda a: lib.linalg.matrix_power(a, -2)):
            with pytest.raises(lib.linalg.LinAlgError, match="singular"):
                invert(a)
    for mine, theirs in zip(*results):
        assert_close(mine, theirs)


SINGULAR = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
                     [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]],   # its second pivot is 0
                     [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]])  # a zero first column


@pytest.mark.parametrize("invert", [lambda lib, a: lib.linalg.inv(a), lambda lib, a: lib.inverse(a[2]),
                                    lambda lib, a: lib.linalg.inv_ex(a[1:], check_errors=True),
                                    lambda lib, a: lib.linalg.matrix_power(a[1], -1),
                                    lambda lib, a: lib.linalg.solve(a, a[0]),
                                    lambda lib, a: lib.linalg.solve(a[2], a[0])])
def test_singular_matrices_are_linalg_errors_with_torch_s_message(invert):
    messages = []
    for lib in (minigrad, torch):
        with pytest.raises(lib.linalg.LinAlgError) as error:
            invert(lib, lib.tensor(SINGULAR))
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_inv_ex_reports_each_singular_matrix():
    """info as torch's (the first zero pivot of the LU factorization); the inverse as torch's where
    there is one, nan where not (torch leaves there whatever LAPACK computed)."""
    mine, theirs = (lib.linalg.inv_ex(lib.tensor(SINGULAR)) for lib in (minigrad, torch))
    assert_close(mine.info, theirs.info)
    assert_close(mine.inverse[0], theirs.inverse[0])
    assert np.isnan(mine.inverse[1:].numpy()).all()


BAD_CALLS = [
    lambda lib: lib.linalg.det(lib.ones(2, 3)),
    lambda lib: lib.linalg.det(lib.ones(3)),
    lambda lib: lib.det(lib.ones(3, 3, dtype=lib.int64)),
    lambda lib: lib.linalg.slogdet(lib.ones(2, 3, 4)),
    lambda lib: lib.slogdet(lib.ones(2, 2, dtype=lib.int32)),
    lambda lib: lib.logdet(lib.ones(3, 2)),
    lambda lib: lib.logdet(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.inverse(lib.ones(2, 3)),
    lambda lib: lib.ones(4).inverse(),
    lambda lib: lib.inverse(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.inv_ex(lib.ones(2, 3)),
    lambda lib: lib.linalg.inv_ex(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.matrix_power(lib.ones(2, 3), 2),
    lambda lib: lib.linalg.matrix_power(lib.ones(3), 2),
    lambda lib: lib.linalg.matrix_power(lib.ones(2, 2, dtype=lib.int64), -1),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2)]),
    lambda lib: lib.linalg.multi_dot([]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2, 2), lib.ones(2, 2)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2), lib.ones(2), lib.ones(2, 2)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2), lib.ones(2, 2, 2)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(4), lib.ones(3, 4)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(3, 4), lib.ones(5)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2), lib.ones(2, 2, dtype=lib.float64)]),
    lambda lib: lib.linalg.multi_dot([lib.ones(2, 2, dtype=lib.int64), lib.ones(2, 2, dtype=lib.int8)]),
    lambda lib: lib.linalg.vecdot(lib.ones(3), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.linalg.vecdot(lib.ones(3, dtype=lib.int64), lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.linalg.vecdot(lib.ones(1), lib.ones(2)),
    lambda lib: lib.linalg.cross(lib.ones(4), lib.ones(4)),
    lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(3)),
    lambda lib: lib.linalg.cross(lib.ones(3), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.linalg.cross(lib.ones(4, 3), lib.ones(4, 3), dim=0),
    lambda lib: lib.cross(lib.ones(3, 4), lib.ones(3, 4), dim=1),
    lambda lib: lib.cross(lib.ones(4, 4), lib.ones(4, 4)),
    lambda lib: lib.cross(lib.ones(4, 1), lib.ones(1, 3)),
    lambda lib: lib.cross(lib.ones(3, 3), lib.ones(1, 3)),
]
SAME_TYPE_ONLY = [
    lambda lib: lib.linalg.matrix_power(lib.ones(2, 2), 1.5),
    lambda lib: lib.linalg.cross(lib.ones(3, 4), lib.ones(3, 4), dim=5),
    lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(4, 3)),
    lambda lib: lib.linalg.vecdot(lib.ones(1, 3), lib.ones(2)),
]


@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim:UserWarning")
@pytest.mark.parametrize("call", BAD_CALLS)
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("call", SAME_TYPE_ONLY)
def test_errors_are_of_torch_s_type(call):
    assert_raises_like_torch(call)
