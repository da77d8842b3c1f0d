"""Places where minigrad once parted from torch, each checked against torch in the same test:
logaddexp's gradient at equal infinities, logit's clamping and gradient for any eps, index_add's
argument checks, NumPy scalars as operands, erfcx's gradient at large x; and one kept on purpose:
the Jacobian of an empty output."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch

torch = torch_or_skip()

INF, NAN = float("inf"), float("nan")
DTYPES = st.sampled_from(["float64", "float32"])


def _values_and_gradients(lib, fn, arrays, upstream):
    """fn's value on the arrays and every input's gradient for the upstream gradient."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *inputs)
    out.backward(lib.tensor(upstream))
    return [out] + [t.grad for t in inputs], out.grad_fn.name()


def _assert_like_torch(fn, arrays, upstream):
    ours, our_node = _values_and_gradients(minigrad, fn, arrays, upstream)
    theirs, their_node = _values_and_gradients(torch, fn, arrays, upstream)
    assert our_node == their_node
    for i, (mine, reference) in enumerate(zip(ours, theirs)):
        assert_close(mine, reference, what="value" if i == 0 else f"gradient of input {i - 1}")


# ------------------------------------------------------------------ logaddexp
ENDS = st.sampled_from([INF, -INF, NAN, 0.0, 1.0, -700.0, 700.0])


@settings(max_examples=60)
@given(pairs=st.lists(st.tuples(st.one_of(ENDS, st.floats(-30, 30)), st.one_of(ENDS, st.floats(-30, 30)),
                                st.booleans()), min_size=1, max_size=8), dtype=DTYPES)
def test_logaddexp_and_its_gradients_at_infinities_are_torchs(pairs, dtype):
    x = np.array([a for a, _, _ in pairs], dtype=dtype)
    y = np.array([a if same else b for a, b, same in pairs], dtype=dtype)  # equal pairs too, infinite ones
    upstream = np.linspace(-1, 2, len(pairs)).astype(dtype)
    _assert_like_torch(lambda lib, a, b: lib.logaddexp(a, b), [x, y], upstream)


# ------------------------------------------------------------------ logit
EPS = st.sampled_from([None, 0.0, 1e-6, 0.1, 0.3, 0.5, 0.6, 1.0, -0.1, -1.0])
POINTS = st.one_of(st.sampled_from([0.0, -0.0, 1.0, 0.1, 0.9, 0.3, 0.7, 0.4, 0.6, -INF, INF, NAN]),
                   st.floats(-0.5, 1.5))


@settings(max_examples=60)
@given(points=st.lists(POINTS, min_size=1, max_size=8), eps=EPS, dtype=DTYPES)
def test_logit_and_its_gradient_for_any_eps_are_torchs(points, eps, dtype):
    x = np.array(points, dtype=dtype)
    upstream = np.linspace(0.5, 2, len(points)).astype(dtype)
    _assert_like_torch(lambda lib, t: t.logit(eps), [x], upstream)


@given(points=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=6), eps=EPS)
def test_logits_second_derivative_is_torchs(points, eps):
    x = np.array(points)
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(x, requires_grad=True)
        (first,) = lib.autograd.grad(t.logit(eps).sum(), t, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), t)
        results.append((first, second))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


# ------------------------------------------------------------------ index_add's argument checks
@pytest.mark.parametrize("call", [
    lambda T: T.zeros(5).index_add(0, T.tensor(1), T.ones(3)),            # a 0-d index, a source of 3
    lambda T: T.zeros(5).index_add(0, T.tensor(1), T.ones(())),           # a 0-d source into a 1-d self
    lambda T: T.zeros(5).index_add(0, T.tensor([1, 2]), T.ones(())),
    lambda T: T.zeros(5, 2).index_add(0, T.tensor(1), T.ones(2)),
    lambda T: T.zeros(5, 2).index_add(1, T.tensor(1), T.ones(5)),          # dim past the source's dims
    lambda T: T.zeros(5, 2).index_add(1, T.tensor([1]), T.ones(())),
    lambda T: T.zeros(5, 2).index_add(0, T.tensor([1]), T.ones(1, 3)),     # slices of another shape
    lambda T: T.zeros(5, 2).index_add(0, T.tensor([1]), T.ones(1, 2, 1)),
    lambda T: T.zeros(()).index_add(0, T.tensor(0), T.ones(2)),
    lambda T: T.zeros(()).index_add(0, T.tensor([0]), T.ones(1)),
    lambda T: T.zeros(()).index_add(0, T.tensor([3]), T.ones(())),
    lambda T: T.zeros(5).index_add(0, T.tensor([9]), T.ones(1)),           # out of range: an IndexError
    lambda T: T.zeros(5).index_add(0, T.tensor([-1]), T.ones(1)),
    lambda T: T.zeros(5).index_add(0, T.tensor([9]), T.ones(2)),           # the count is checked first
    lambda T: T.zeros(5).index_add(0, T.tensor([1.0]), T.ones(1)),
    lambda T: T.zeros(5).index_add(0, T.tensor([True]), T.ones(1)),
    lambda T: T.zeros(5).index_add(0, T.tensor([[1]]), T.ones(1)),
    lambda T: T.zeros(5).index_add(0, [1], T.ones(1)),
    lambda T: T.zeros(5).index_add(0, T.tensor([1]), 2.0),
    lambda T: T.zeros(5).index_add(0, T.tensor([1]), T.ones(1, dtype=T.float64)),
])
def test_index_add_refuses_what_torch_refuses_with_its_error(call):
    assert_raises_like_torch(call, same_message=True)


@given(self_shape=st.sampled_from([(), (5,), (4, 3)]), data=st.data())
def test_index_add_with_0d_indices_and_sources_is_torchs(self_shape, data):
    """The forms torch takes: a 0-d index for one slice, a 0-d self with a 0-d source, int32 indices."""
    dim = data.draw(st.integers(0, max(len(self_shape) - 1, 0)), label="dim")
    size = self_shape[dim] if self_shape else 1
    zero_d = data.draw(st.booleans(), label="0-d index")
    positions = [data.draw(st.integers(0, size - 1))] if zero_d else data.draw(
        st.lists(st.integers(0, size - 1), min_size=1, max_size=4 if self_shape else 1))  # 0-d: one element
    source_shape = () if not self_shape else self_shape[:dim] + (len(positions),) + self_shape[dim + 1:]
    index_dtype = data.draw(st.sampled_from(["int64", "int32"]), label="index dtype")
    x = np.arange(1.0, 1 + math.prod(self_shape)).reshape(self_shape)
    source = np.linspace(-1, 1, math.prod(source_shape))
    results = []
    for lib in (minigrad, torch):
        index = lib.tensor(positions[0] if zero_d else positions, dtype=getattr(lib, index_dtype))
        t, s = lib.tensor(x, requires_grad=True), lib.tensor(source.reshape(source_shape), requires_grad=True)
        out = t.index_add(dim, index, s, alpha=1.5)
        (out * out).sum().backward()
        results.append((out, t.grad, s.grad))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


# ------------------------------------------------------------------ NumPy scalars as operands
# torch takes a NumPy scalar as the Python number of its value, except a NumPy bool, which it takes as
# a float: torch.tensor([1, 2]) + np.True_ is float32 [2., 3.] (with True it stays int64).
NUMPY_SCALARS = st.one_of(st.sampled_from([np.True_, np.False_]),
                          st.builds(lambda kind, n: np.dtype(kind).type(n),
                                    st.sampled_from(["int64", "int32", "int8", "uint8", "float64", "float32",
                                                     "float16"]), st.integers(0, 3)))
SCALAR_OPS = {
    "a // s": lambda a, s: a // s, "a / s": lambda a, s: a / s, "a % s": lambda a, s: a % s,
    "a ** s": lambda a, s: a ** s, "a + s": lambda a, s: a + s, "a * s": lambda a, s: a * s,
    "a - s": lambda a, s: a - s, "s // a": lambda a, s: s // a, "s / a": lambda a, s: s / a,
    "s % a": lambda a, s: s % a, "s ** a": lambda a, s: s ** a, "s - a": lambda a, s: s - a,
    "a.add(a, alpha=s)": lambda a, s: a.add(a, alpha=s), "a.clamp(min=s)": lambda a, s: a.clamp(min=s),
    "a += s": lambda a, s: a.clone().__iadd__(s), "a *= s": lambda a, s: a.clone().__imul__(s),
    "a.div(s, floor)": lambda a, s: a.div(s, rounding_mode="floor"), "a.fmod(s)": lambda a, s: a.fmod(s),
}


@settings(max_examples=120)
@given(dtype=st.sampled_from(["bool", "uint8", "int32", "int64", "float32", "float64"]), scalar=NUMPY_SCALARS,
       op=st.sampled_from(sorted(SCALAR_OPS)))
def test_numpy_scalar_operands_promote_as_in_torch(dtype, scalar, op):
    def program(lib):
        out = SCALAR_OPS[op](lib.tensor([True, False, True] if dtype == "bool" else [1, 2, 3],
                                        dtype=getattr(lib, dtype)), scalar)
        return str(out.dtype).rpartition(".")[2], out

    assert_same_as_torch(program)


# ------------------------------------------------------------------ Jacobians of empty outputs
# Kept on purpose: torch's reverse-mode jacobian fails on a function with an empty output (stacking
# no rows: "stack expects a non-empty TensorList"; vectorized, an IndexError), while its forward-mode
# jacobian returns the empty Jacobian. minigrad returns the empty Jacobian, as torch's forward mode.
EMPTY_OUTPUTS = {
    "none of a vector": lambda t: (t * 2).reshape(-1)[:0],
    "an empty last axis": lambda t: t.sin().reshape(t.shape[0], -1)[:, :0],
    "one empty output of two": lambda t: (t.exp(), t.reshape(-1)[:0]),
}


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")  # torch's forward mode
@given(shape=st.sampled_from([(3,), (2, 3), (1, 2, 2)]), name=st.sampled_from(sorted(EMPTY_OUTPUTS)),
       vectorize=st.booleans())
def test_the_jacobian_of_an_empty_output_is_empty_as_torchs_forward_mode_gives_it(shape, name, vectorize):
    x = np.linspace(0.5, 1.5, math.prod(shape)).reshape(shape)
    ours = minigrad.autograd.functional.jacobian(EMPTY_OUTPUTS[name], minigrad.tensor(x), vectorize=vectorize)
    theirs = torch.autograd.functional.jacobian(EMPTY_OUTPUTS[name], torch.tensor(x), vectorize=True,
                                                strategy="forward-mode")
    for mine, reference in zip(*(j if isinstance(j, tuple) else (j,) for j in (ours, theirs))):
        assert_close(mine, reference)


# ------------------------------------------------------------------ erfcx's gradient at large x
# d/dx erfcx(x) = 2 x erfcx(x) - 2/sqrt(pi): two nearly equal terms for large x. torch computes that
# difference in the input's dtype, losing about x^2 times its rounding: its float32 gradient is off by
# up to several percent past x ~ 100, its float64 one by 4e-10 at x = 1000 and 5e-5 at 1e6. minigrad's
# is accurate in both dtypes: checked against torch's float64 gradient where that one is accurate, and
# against the asymptotic series beyond.
@settings(max_examples=30)
@given(data=st.data(), dtype=DTYPES)
def test_erfcxs_gradient_is_torchs_float64_one_in_either_dtype(data, dtype):
    largest = 1000 if dtype == "float64" else 3000
    x = np.array(data.draw(st.lists(st.one_of(st.floats(2, largest), st.floats(-5, 2)), min_size=1, max_size=16)),
                 dtype=dtype)
    ours = minigrad.tensor(x, requires_grad=True)
    reference = torch.tensor(x.astype("float64"), requires_grad=True)
    minigrad.special.erfcx(ours).sum().backward()
    torch.special.erfcx(reference).sum().backward()
    assert ours.grad.dtype == ours.dtype
    np.testing.assert_allclose(ours.grad.numpy(), reference.grad.numpy(), rtol=1e-9 if dtype == "float64" else 2e-6,
                               atol=0)


@given(x=st.lists(st.floats(100, 1e15), min_size=1, max_size=16))
def test_erfcxs_gradient_follows_its_asymptotic_series_for_large_x(x):
    """erfcx'(x) = -1/(sqrt(pi) x^2) sum_m (-1)^m (2m + 1)!! / (2 x^2)^m, whose terms past the sixth
    are below 1e-16 of the first for x >= 100."""
    x = np.array(x)
    terms, term = [], np.ones_like(x)
    for m in range(8):
        terms.append(term)
        term = -term * (2 * m + 3) / (2 * x * x)
    expected = -sum(reversed(terms)) / (np.sqrt(np.pi) * x * x)
    ours = minigrad.tensor(x, requires_grad=True)
    minigrad.special.erfcx(ours).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), expected, rtol=1e-13, atol=0)


@given(x=st.lists(st.floats(-3, 40), min_size=1, max_size=8))
def test_erfcxs_second_derivative_is_torchs(x):
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(np.array(x), requires_grad=True)
        (first,) = lib.autograd.grad(lib.special.erfcx(t).sum(), t, create_graph=True)
        (second,) = lib.autograd.grad(first.sum(), t)
        results.append((first, second))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


def test_the_hessian_of_a_sum_of_nothing_is_zero_as_in_torch_and_empty_at_an_empty_input():
    """torch gives the (3, 3) zeros of the first; at an empty input its hessian fails in either mode
    (stacking no rows, or vmap over a dim of size 0), where minigrad gives the empty (0, 0) Hessian."""
    x = np.linspace(0.5, 1.5, 3)
    assert_close(minigrad.autograd.functional.hessian(lambda t: t[:0].sum(), minigrad.tensor(x)),
                 torch.autograd.functional.hessian(lambda t: t[:0].sum(), torch.tensor(x)))
    empty = minigrad.autograd.functional.hessian(lambda t: (t * t).sum(), minigrad.zeros(0, dtype=minigrad.float64))
    assert tuple(empty.shape) == (0, 0) and empty.dtype == minigrad.float64
