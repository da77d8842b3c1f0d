"""The bit shifts (<<, >>, bitwise_left_shift, ...), the methods of complex numbers on real tensors
(angle, conj, real, imag, H, mH, adjoint) and split_with_sizes, against torch in the same test."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch, check_parity

torch = torch_or_skip()

INTEGER_DTYPES = ["int8", "uint8", "int16", "int32", "int64"]


def dtype_name(t):
    """float32 for torch.float32 and minigrad.float32 alike: a result both libraries can compare."""
    return str(t.dtype).rpartition(".")[2]


@st.composite
def shift_operands(draw):
    """An integer tensor and shift counts of its dtype (or int64), counts past the width and
    negative ones included: both libraries give 0 there (-1 for a negative value shifted right)."""
    dtype = draw(st.sampled_from(INTEGER_DTYPES))
    info = np.iinfo(dtype)
    shape = draw(mst.shapes(max_dims=2, max_side=4))
    values = draw(mst.arrays(dtype, shape, st.integers(int(info.min), int(info.max))))
    counts_dtype = draw(st.sampled_from([dtype, "int64"]))
    low = 0 if counts_dtype == "uint8" else -3
    counts = draw(mst.arrays(counts_dtype, draw(mst.shapes_broadcasting_to(shape)), st.integers(low, 70)))
    return values, counts


@settings(max_examples=60)
@given(shift_operands(), st.sampled_from(["<<", ">>", "left", "right", "left_", "<<="]))
def test_shifts_match_torch(operands, form):
    values, counts = operands

    def program(lib):
        x, n = lib.tensor(values), lib.tensor(counts)
        if form == "<<":
            return x << n, dtype_name(x << n)
        if form == ">>":
            return x >> n, dtype_name(x >> n)
        if form == "left":
            return lib.bitwise_left_shift(x, n)
        if form == "right":
            return x.bitwise_right_shift(n)
        if form == "left_":
            return x.bitwise_left_shift_(n), x
        x <<= n
        return x

    assert_same_as_torch(program)


@pytest.mark.parametrize("program", [
    lambda lib: lib.tensor([1, -8, 3], dtype=lib.int32) << 2,
    lambda lib: lib.tensor([1, -8, 3], dtype=lib.int16) >> 40,
    lambda lib: 3 << lib.tensor([1, 2, 3], dtype=lib.int32),     # a number shifted: the tensor's dtype
    lambda lib: 100 >> lib.tensor([1, 2, 3], dtype=lib.uint8),
    lambda lib: lib.bitwise_left_shift(2, lib.tensor([1, 2], dtype=lib.int8)),
    lambda lib: lib.tensor([1, 2], dtype=lib.uint8) << 7,          # wraps around in uint8
    lambda lib: lib.tensor([True, False]) << 1,                    # bool and a number: int64
    lambda lib: lib.tensor([1, 2], dtype=lib.int8) << lib.tensor(3),  # a 0-d int64 count keeps int8
])
def test_shift_dtypes_and_numbers_match_torch(program):
    assert_same_as_torch(lambda lib: (program(lib), dtype_name(program(lib))))


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0]) << 1,
    lambda lib: lib.tensor([1, 2]) << 1.5,
    lambda lib: lib.tensor([1, 2]).bitwise_right_shift(lib.tensor([0.5])),
    lambda lib: lib.tensor([1, 2]) << lib.tensor([1, 2, 3]),
    lambda lib: lib.tensor([True, False]).__ilshift__(lib.tensor([1, 2])),
    lambda lib: lib.tensor([1, 2], dtype=lib.int8).__ilshift__(lib.tensor([1.0])),
    lambda lib: lib.tensor([1, 2], dtype=lib.int8).__iand__(lib.tensor([1.0])),  # (the cast is refused first)
    lambda lib: lib.tensor([1, 2], dtype=lib.int8).__irshift__(1.5),
])
def test_shifts_refuse_what_torch_refuses(call):
    assert_raises_like_torch(call)


@settings(max_examples=30)
@given(mst.arrays("float64", mst.shapes(max_dims=2), mst.reals(-4, 4) | st.sampled_from([0.0, -0.0, np.nan, -np.inf])),
       st.data())
def test_angle_matches_torch_with_its_zero_gradient(x, data):
    check_parity(data, lambda lib, t: t.angle(), [x])
    check_parity(data, lambda lib, t: lib.angle(t), [x.astype(np.float32)], dtype=np.float32)


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32"])
def test_angle_of_other_dtypes_matches_torch(dtype):
    assert_same_as_torch(lambda lib: (t := lib.tensor([1, -2, 0]).to(getattr(lib, dtype)).angle(), dtype_name(t)))
    grad_fn = minigrad.tensor([1.0, -1.0], requires_grad=True).angle().grad_fn
    assert type(grad_fn).__name__ == type(torch.tensor([1.0], requires_grad=True).angle().grad_fn).__name__


@pytest.mark.parametrize("name", ["conj", "conj_physical", "resolve_conj", "resolve_neg"])
def test_a_real_tensor_is_its_own_conjugate_as_in_torch(name):
    for lib in (torch, minigrad):
        x = lib.tensor([[1.0, -2.0]], requires_grad=True)
        assert getattr(x, name)() is x and getattr(lib, name)(x) is x
        assert x.real is x and lib.real(x) is x
    assert_raises_like_torch(lambda lib: lib.tensor([1.0]).imag, same_message=True)
    assert_raises_like_torch(lambda lib: lib.imag(lib.tensor([1.0])), same_message=True)


@given(mst.arrays("float64", mst.shapes(min_dims=2, max_dims=4, max_side=3), mst.reals()), st.data())
@settings(max_examples=20)
def test_conjugate_transposes_match_torch(x, data):
    check_parity(data, lambda lib, t: t.mH * 2, [x])
    check_parity(data, lambda lib, t: lib.adjoint(t) + t.adjoint(), [x])
    if x.ndim == 2:
        check_parity(data, lambda lib, t: t.H * 3, [x])


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3).H, lambda lib: lib.ones(2, 3, 4).H, lambda lib: lib.ones(3).mH,
    lambda lib: lib.ones(3).mT, lambda lib: lib.ones(3).adjoint(),
])
def test_conjugate_transposes_refuse_what_torch_refuses(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("name", ["H", "mH", "mT", "adjoint"])
def test_a_0d_tensor_is_its_own_transpose_with_torchs_warning(name):
    messages = []
    for lib in (torch, minigrad):
        x = lib.tensor(2.0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = x.adjoint() if name == "adjoint" else getattr(x, name)
        assert result is x or torch.equal(torch.as_tensor(result.tolist()), torch.tensor(2.0))
        messages.append(str(caught[0].message).split(" (Triggered")[0])
    assert messages[0] == messages[1]


def test_device_index_and_cpu_flag_match_torch():
    assert_same_as_torch(lambda lib: (lib.ones(2).get_device(), lib.ones(2).is_cpu))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.integers(1, 3), st.data())
@settings(max_examples=20)
def test_split_with_sizes_matches_torch(sizes, rows, data):
    x = np.arange(rows * sum(sizes), dtype=np.float64).reshape(rows, sum(sizes))
    check_parity(data, lambda lib, t: t.split_with_sizes(sizes, dim=1), [x])
    check_parity(data, lambda lib, t: lib.split_with_sizes(t, sizes, -1), [x])


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(10).split_with_sizes([3, 6]),
    lambda lib: lib.arange(10).split_with_sizes([3, -1, 8]),   # sums to 10: used to give a negative piece
    lambda lib: lib.arange(10).split([3, -1, 8]),
    lambda lib: lib.arange(10).split_with_sizes(3),
])
def test_split_with_sizes_refuses_what_torch_refuses(call):
    assert_raises_like_torch(call, same_message=True)


# ---------------------------------------------------------------- torch.svd, torch.qr, torch.cholesky
# The older forms of the linalg factorizations. Singular vectors, and Q and R, are unique only up
# to signs, so the comparisons use what does not depend on them: products, squares, and
# gradients of functions of those (which are the same functions of the input either way). Not
# absolute values: |v| has no derivative at 0, and an entry of V that is 0 but for rounding (a
# nearly diagonal input) takes the gradient sign(v), which is each library's rounding noise.
# The factors' gradients are defined where the singular values are apart and the matrix has full
# rank: each matrix is a perturbation of at most 0.9 per entry (spectral norm <= 3.6) of one with
# singular values 10, 20, 30, 40, which keeps them at least 2.8 apart (Weyl's inequality).
matrices = mst.arrays("float64", st.tuples(st.integers(1, 2), st.integers(2, 4), st.integers(2, 4)),
                      mst.reals(-0.9, 0.9)).map(lambda a: a + 10 * np.eye(*a.shape[-2:]) * np.arange(1, a.shape[-1] + 1))


@settings(max_examples=15)
@given(matrices, st.booleans(), st.data())
def test_svd_gives_v_itself_as_torchs(a, some, data):
    def parts(lib, t):
        U, S, V = lib.svd(t, some=some) if some else t.svd(some=False)
        k = S.shape[-1]
        rebuilt = U[..., :k] @ lib.diag_embed(S) @ V[..., :k].mT
        weights = lib.tensor(np.linspace(0.5, 1.5, V.shape[-2] * V.shape[-1]).reshape(V.shape[-2:]))
        return rebuilt, S, (V * V * weights).sum(), U.shape, V.shape

    check_parity(data, lambda lib, t: parts(lib, t)[:3], [a])
    assert_same_as_torch(lambda lib: [list(s) for s in parts(lib, lib.tensor(a))[3:]])


def test_svd_without_vectors_gives_zero_matrices_as_torch():
    a = np.random.default_rng(0).standard_normal((2, 4, 3))  # (full rank: no singular value at rounding level)
    assert_same_as_torch(lambda lib: list(lib.svd(lib.tensor(a), compute_uv=False)), rtol=1e-12)
    assert_same_as_torch(lambda lib: list(lib.tensor(a).svd(compute_uv=False)), rtol=1e-12)


@settings(max_examples=15)
@given(matrices, st.booleans(), st.data())
def test_qr_matches_torch(a, some, data):
    def product_and_sizes(lib, t):
        q, r = lib.qr(t, some=some) if some else t.qr(some=False)
        return q @ r, (r * r).sum(-1)  # (the rows' lengths: the same whatever their signs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.qr's deprecation warning
        if some or a.shape[-2] <= a.shape[-1]:
            check_parity(data, product_and_sizes, [a])
        else:  # (complete Q of a tall matrix: no gradient in torch either)
            # (atol: Q R's zeros come out as rounding errors of its size-20 entries, ~1e-15)
            assert_same_as_torch(lambda lib: product_and_sizes(lib, lib.tensor(a)), rtol=1e-9, atol=1e-12)


@settings(max_examples=15)
@given(matrices, st.booleans(), st.data())
def test_cholesky_matches_torch(a, upper, data):
    spd = a @ np.swapaxes(a, -1, -2) + a.shape[-2] * np.eye(a.shape[-2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_parity(data, lambda lib, t: lib.cholesky(t, upper=upper), [spd])
        check_parity(data, lambda lib, t: t.cholesky(upper), [spd])
    assert any("torch.cholesky is deprecated" in str(w.message) for w in caught)


def test_older_factorizations_refuse_what_torch_refuses():
    assert_raises_like_torch(lambda lib: lib.svd(lib.ones(3)))
    assert_raises_like_torch(lambda lib: lib.ones(2, 2, dtype=lib.int64).svd())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like_torch(lambda lib: lib.ones(3).qr())
        messages = []
        for lib in (torch, minigrad):  # (each library's own LinAlgError class)
            with pytest.raises(lib.linalg.LinAlgError) as error:
                lib.tensor(-np.eye(3)).cholesky()
            messages.append(str(error.value))
        assert messages[0] == messages[1]
        assert_raises_like_torch(lambda lib: lib.cholesky(lib.ones(2, 3)), same_message=True)


# ---------------------------------------------------------------- activations as Tensor methods
@settings(max_examples=20)
@given(mst.arrays("float64", st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), mst.reals()),
       st.floats(0, 2), st.booleans(), st.data())
def test_hardshrink_and_prelu_methods_match_torch(x, lambd, per_channel, data):
    weight = np.linspace(0.1, 0.4, x.shape[1] if per_channel else 1)
    check_parity(data, lambda lib, t: t.hardshrink(lambd), [x])
    check_parity(data, lambda lib, t, w: t.prelu(w), [x, weight])


def test_prelu_method_refuses_what_torch_refuses():
    assert_raises_like_torch(lambda lib: lib.ones(2, 3).prelu(lib.ones(2)), same_message=True)
    assert_raises_like_torch(lambda lib: lib.ones(2, dtype=lib.int64).hardshrink())


def test_cholesky_solve_and_inverse_as_methods_match_torch():
    factor = np.array([[2.0, 0.0], [0.5, 1.5]])
    b = np.array([[1.0, 2.0], [3.0, -1.0]])
    assert_same_as_torch(lambda lib: (lib.tensor(b).cholesky_solve(lib.tensor(factor)),
                                      lib.tensor(factor).cholesky_inverse(),
                                      lib.tensor(factor.T).cholesky_inverse(upper=True)), rtol=1e-12)


@settings(max_examples=10)
@given(matrices, st.data())
def test_pinverse_as_a_method_matches_torch(a, data):
    check_parity(data, lambda lib, t: t.pinverse(), [a])
    check_parity(data, lambda lib, t: lib.pinverse(t, rcond=0.1), [a])
    assert_raises_like_torch(lambda lib: lib.ones(3).pinverse(), same_message=True)


# ---------------------------------------------------------------- x ** 0.5 and x ** -0.5
@pytest.mark.parametrize("exponent", [0.5, -0.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_square_root_powers_are_torchs_sqrt_and_rsqrt_at_the_edges(exponent, dtype):
    """torch computes x ** 0.5 as sqrt(x) and x ** -0.5 as rsqrt(x): (-inf) ** -0.5 is nan and
    (-0.0) ** -0.5 is -inf, where IEEE's pow gives 0 and +inf, and so for the gradients of x ** 0.5."""
    edges = [-np.inf, -4.0, -0.0, 0.0, 0.25, 4.0, np.inf]

    def value_and_gradient(lib):
        x = lib.tensor(edges, dtype=getattr(lib, dtype), requires_grad=True)
        y = x ** exponent
        (gradient,) = lib.autograd.grad(y.sum(), x)
        return y, gradient

    assert_same_as_torch(value_and_gradient)
