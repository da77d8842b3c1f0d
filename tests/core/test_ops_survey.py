"""Ops a survey of common torch names found missing: median, mode, remainder, atan2, index_put,
movedim, tile, meshgrid, cdist, addmm, baddbmm, diff, searchsorted, linalg.inv/solve and
F.scaled_dot_product_attention. Forward values and every gradient are compared with torch
in the same test (minigrad.testing.check_parity); errors are compared by exception type."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, assert_same_as_torch, method_or_function, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()


@cases.add
def atan2(draw):
    x, y = draw(mst.broadcastable_pairs(max_dims=3))
    call = draw(method_or_function("atan2"))
    a = draw(mst.arrays("float64", x, elements=mst.nonzero_reals(-3, 3)))
    b = draw(mst.arrays("float64", y, elements=st.floats(0.1, 3) | st.floats(-3, -0.1)))
    return (lambda lib, a, b: call(lib, a, b)), [a, b]


@cases.add
def remainder(draw):
    x, y = draw(mst.broadcastable_pairs(max_dims=3))
    call = draw(method_or_function("remainder"))
    a = draw(mst.arrays("float64", x))
    # away from the jumps of floor(a / b), where the two libraries may round differently
    b = draw(mst.arrays("float64", y, elements=st.sampled_from([-2.5, -1.5, 0.75, 1.25, 2.0])))
    assume(np.all(np.abs(np.asarray(a) / b - np.round(np.asarray(a) / b)) > 1e-3))
    if draw(st.booleans()):
        return (lambda lib, a: call(lib, a, 1.25)), [a]
    return (lambda lib, a, b: call(lib, a, b)), [a, b]


@cases.add
def movedim(draw):
    shape = draw(mst.shapes(min_dims=1, max_dims=4))
    ndim = len(shape)
    source = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    destination = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=len(source), max_size=len(source),
                                unique_by=lambda d: d % ndim))
    single = len(source) == 1 and draw(st.booleans())
    src, dst = (source[0], destination[0]) if single else (tuple(source), tuple(destination))
    call = draw(method_or_function(draw(st.sampled_from(["movedim", "moveaxis"]))))
    return (lambda lib, x: call(lib, x, src, dst)), [draw(mst.arrays("float64", shape))]


@cases.add
def tile(draw):
    shape = draw(mst.shapes(max_dims=3))
    reps = tuple(draw(st.lists(st.integers(1, 3), min_size=0 if shape else 1, max_size=4)))
    call = draw(method_or_function("tile"))
    return (lambda lib, x: call(lib, x, reps)), [draw(mst.arrays("float64", shape))]


@cases.add
def meshgrid(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    indexing = draw(st.sampled_from(["ij", "xy"]))
    arrays = [draw(mst.arrays("float64", (n,))) for n in sizes]
    return (lambda lib, *ts: lib.meshgrid(*ts, indexing=indexing)), arrays


@cases.add
def cdist(draw):
    batch = draw(mst.shapes(max_dims=1))
    m = draw(st.integers(1, 3))
    p = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, np.inf]))
    # A few whole numbers make equal differences (ties for p = inf's largest) and zero ones likely.
    elements = st.sampled_from([-2.0, -1.0, 0.0, 1.0, 2.0]) if draw(st.booleans()) else None
    x1 = draw(mst.arrays("float64", batch + (draw(st.integers(1, 4)), m), elements=elements))
    x2 = draw(mst.arrays("float64", batch + (draw(st.integers(1, 4)), m), elements=elements))
    return (lambda lib, a, b: lib.cdist(a, b, p=p)), [x1, x2]


@cases.add
def take(draw):
    shape = draw(mst.shapes(max_dims=3))
    size = int(np.prod(shape))
    x = draw(mst.arrays("float64", shape))
    if size == 0:
        return (lambda lib, x: lib.take(x, lib.zeros(0, dtype=lib.int64))), [x]
    index = np.array(draw(st.lists(st.integers(-size, size - 1), max_size=6)), dtype=np.int64)
    index = index.reshape(draw(st.sampled_from([(index.size,), (1, index.size)])))
    call = draw(method_or_function("take"))
    return (lambda lib, x: call(lib, x, lib.tensor(index))), [x]


@cases.add
def fmax_fmin(draw):
    x, y = draw(mst.broadcastable_pairs(max_dims=3))
    values = st.sampled_from([np.nan, -1.0, 0.0, 0.5, 2.0]) | mst.reals(-3, 3)  # NaNs and ties
    a, b = draw(mst.arrays("float64", x, elements=values)), draw(mst.arrays("float64", y, elements=values))
    call = draw(method_or_function(draw(st.sampled_from(["fmax", "fmin"]))))
    return (lambda lib, a, b: call(lib, a, b)), [a, b]


@cases.add
def msort_argwhere(draw):
    shape = draw(mst.shapes(min_dims=1, max_dims=3))
    x = draw(mst.arrays("float64", shape, unique=True))
    if draw(st.booleans()):
        return (lambda lib, x: lib.msort(x)), [x]
    return (lambda lib, x: lib.argwhere(x > 0).to(lib.float64)), [x]


@cases.add
def addmm(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    bias_shape = draw(mst.shapes_broadcasting_to((n, m)))
    beta, alpha = draw(st.sampled_from([0, 1, 0.5])), draw(st.sampled_from([1, -2.0]))
    call = draw(method_or_function("addmm"))
    args = [draw(mst.arrays("float64", s)) for s in (bias_shape, (n, k), (k, m))]
    return (lambda lib, c, a, b: call(lib, c, a, b, beta=beta, alpha=alpha)), args


@cases.add
def baddbmm(draw):
    b, n, k, m = (draw(st.integers(1, 3)) for _ in range(4))
    bias_shape = draw(mst.shapes_broadcasting_to((b, n, m)))
    beta, alpha = draw(st.sampled_from([0, 1, 0.5])), draw(st.sampled_from([1, -2.0]))
    call = draw(method_or_function("baddbmm"))
    args = [draw(mst.arrays("float64", s)) for s in (bias_shape, (b, n, k), (b, k, m))]
    return (lambda lib, c, x, y: call(lib, c, x, y, beta=beta, alpha=alpha)), args


@cases.add
def diff(draw):
    shape = draw(mst.shapes(min_dims=1, max_dims=3))
    dim = draw(mst.dim(len(shape)))
    n = draw(st.integers(1, 3))
    call = draw(method_or_function("diff"))
    x = draw(mst.arrays("float64", shape))
    edge = list(shape)
    edge[dim % len(shape)] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        return (lambda lib, x, p, a: call(lib, x, n, dim, prepend=p, append=a)), [
            x, draw(mst.arrays("float64", tuple(edge))), draw(mst.arrays("float64", tuple(edge)))]
    return (lambda lib, x: call(lib, x, n, dim)), [x]


@cases.add
def median(draw):
    shape = draw(mst.shapes(max_dims=3))
    call = draw(method_or_function("median"))
    # distinct (in float32 too): ties make the index a matter of choice
    x = draw(mst.arrays("float64", shape, elements=st.floats(-3, 3, width=32), unique=True))
    if draw(st.booleans()):
        return (lambda lib, x: call(lib, x)), [x]
    dim, keepdim = draw(mst.dim(len(shape))), draw(st.booleans())
    return (lambda lib, x: call(lib, x, dim, keepdim)), [x]


@cases.add
def kthvalue(draw):
    """The k-th smallest along a dim; distinct values (in float32 too), since among equal ones
    torch's index follows its selection algorithm."""
    shape = draw(mst.shapes(max_dims=3, min_side=1))
    call = draw(method_or_function("kthvalue"))
    x = draw(mst.arrays("float64", shape, elements=st.floats(-3, 3, width=32), unique=True))
    dim, keepdim = draw(mst.dim(len(shape))), draw(st.booleans())
    k = draw(st.integers(1, shape[dim] if shape else 1))
    return (lambda lib, x: call(lib, x, k, dim, keepdim)), [x]


@cases.add
def mode(draw):
    shape = draw(mst.shapes(max_dims=3))
    call = draw(method_or_function("mode"))
    x = draw(mst.arrays("float64", shape, elements=st.sampled_from([-1.0, 0.5, 2.0])))  # many repeats
    dim, keepdim = draw(mst.dim(len(shape))), draw(st.booleans())
    return (lambda lib, x: call(lib, x, dim, keepdim)), [x]


@cases.add
def index_put(draw):
    shape = draw(mst.shapes(min_dims=1, max_dims=3))
    count = draw(st.integers(1, 5))
    index = np.array(draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=count, max_size=count)))
    accumulate = draw(st.booleans())
    if not accumulate:
        index = np.unique(index % shape[0])  # with repeats, which write wins is up to the library
    values_shape = draw(mst.shapes_broadcasting_to((len(index),) + shape[1:]))
    values = draw(mst.arrays("float64", values_shape))
    call = draw(method_or_function("index_put"))

    def put(lib, x, v):
        return call(lib, x, (lib.tensor(index),), v, accumulate=accumulate)
    return put, [draw(mst.arrays("float64", shape)), values]


@cases.add
def linalg_inv(draw):
    batch = draw(mst.shapes(max_dims=1))
    n = draw(st.integers(1, 4))
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1))) + (n + 1) * np.eye(n)  # invertible
    return (lambda lib, a: lib.linalg.inv(a)), [a]


@cases.add
def linalg_solve(draw):
    batch = draw(mst.shapes(max_dims=1))
    n = draw(st.integers(1, 4))
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1))) + (n + 1) * np.eye(n)
    b_shape = draw(st.sampled_from([batch + (n,), batch + (n, draw(st.integers(1, 3)))]))
    return (lambda lib, a, b: lib.linalg.solve(a, b)), [a, draw(mst.arrays("float64", b_shape))]


@cases.add
def scaled_dot_product_attention(draw):
    batch = draw(mst.shapes(min_dims=0, max_dims=2))
    length, source, embed = (draw(st.integers(1, 4)) for _ in range(3))
    q = draw(mst.arrays("float64", batch + (length, embed)))
    k = draw(mst.arrays("float64", batch + (source, embed)))
    v = draw(mst.arrays("float64", batch + (source, draw(st.integers(1, 3)))))
    kind = draw(st.sampled_from(["none", "causal", "bool", "float"]))
    scale = draw(st.sampled_from([None, 0.5]))
    if kind == "bool":
        mask = draw(mst.arrays("bool", (length, source)))
        mask[:, 0] = True  # every query attends somewhere
        return (lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=m, scale=scale)), [q, k, v, mask]
    if kind == "float":
        return (lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=m, scale=scale)), [q, k, v, draw(mst.arrays("float64", (length, source)))]
    causal = kind == "causal"
    return (lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, is_causal=causal, scale=scale)), [q, k, v]


test_parity = cases.test()


# ------------------------------------------------------------------ no gradient, or errors
@given(mst.shapes(max_dims=2), st.data())
def test_searchsorted_as_torch(batch, data):
    n = data.draw(st.integers(1, 5))
    sequence = np.sort(data.draw(mst.arrays("float64", batch + (n,), elements=st.sampled_from([-1.0, 0.0, 0.5, 2.0]))),
                       axis=-1)
    if data.draw(st.booleans()):
        sequence = sequence.reshape(-1)[:n]  # one sequence for all values
    values = data.draw(mst.arrays("float64", (batch if sequence.ndim > 1 else ()) + (data.draw(st.integers(1, 4)),),
                                  elements=st.sampled_from([-2.0, -1.0, 0.0, 0.25, 0.5, 3.0])))
    right, out_int32 = data.draw(st.booleans()), data.draw(st.booleans())
    results = [lib.searchsorted(lib.tensor(sequence), lib.tensor(values), right=right, out_int32=out_int32)
               for lib in (minigrad, torch)]
    assert_close(*results)


def test_median_and_mode_corners_as_torch():
    x = np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 2.0]])
    for fn in (lambda lib: lib.tensor(x).median(1), lambda lib: lib.tensor(x).median(),
               lambda lib: lib.tensor([2.0, 1.0, 2.0, 1.0]).mode(), lambda lib: lib.tensor([[1, 3, 3, 2], [5, 5, 1, 1]]).mode()):
        mine, theirs = fn(minigrad), fn(torch)
        for a, b in zip(mine if isinstance(mine, tuple) else [mine], theirs if isinstance(theirs, tuple) else [theirs]):
            assert_close(a, b)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.linalg.inv(lib.zeros(2, 3)),
    lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 4)),
    lambda lib: lib.cdist(lib.ones(3), lib.ones(2, 3)),
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.bool), lib.ones(2, 3, dtype=lib.bool), p=1.0),
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3), p=-1.0),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 3), p=-1.0),
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.float64), lib.ones(2, 3)),
    lambda lib: lib.movedim(lib.ones(2, 3), (0, 1), (1,)),
    lambda lib: lib.movedim(lib.ones(2, 3), (0, 0), (1, 0)),
    lambda lib: lib.movedim(lib.ones(2, 3), 2, 0),
    lambda lib: lib.remainder(lib.tensor([3]), 0),
    lambda lib: lib.meshgrid(lib.ones(2, 2), lib.ones(2), indexing="ij"),
    lambda lib: lib.ones(3).index_put((lib.tensor([0]),), lib.tensor(1.0, dtype=lib.float64)),
    lambda lib: lib.diff(lib.tensor(1.0)),
    lambda lib: lib.take(lib.ones(2, 2), lib.tensor([4])),
    lambda lib: lib.take(lib.ones(2, 2), lib.tensor([-5])),
    lambda lib: lib.take(lib.ones(2, 2), lib.tensor([1.0])),
    lambda lib: lib.fmax(lib.ones(2), 2.0),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), attn_mask=lib.ones(2, 2, dtype=lib.bool), is_causal=True),
])
def test_bad_arguments_raise_as_torch(fn):
    assert_raises_like_torch(fn)


def test_singular_matrix_is_a_linalg_error():
    for lib in (minigrad, torch):
        with pytest.raises(lib.linalg.LinAlgError, match="singular"):
            lib.linalg.inv(lib.zeros(2, 2))
        with pytest.raises(lib.linalg.LinAlgError, match="singular"):
            lib.linalg.solve(lib.zeros(2, 2), lib.ones(2))



@pytest.mark.parametrize("p", [1.5, 2.0, 3.0])
def test_cdist_is_zero_with_a_zero_gradient_where_the_powers_underflow_as_torch(p):
    """torch.cdist sums |d|^p for one column too: for d = 5e-260 that underflows to a distance of
    0, whose gradient is 0 (the norm of the single element would be |d|, its gradient 0 / 0)."""
    def program(T):
        a = T.tensor([[0.0]], dtype=T.float64, requires_grad=True)
        b = T.tensor([[4.88e-260]], dtype=T.float64, requires_grad=True)
        distance = T.cdist(a, b, p=p)
        distance.backward(T.ones(1, 1, dtype=T.float64))
        return distance, a.grad, b.grad
    assert_same_as_torch(program)


@pytest.mark.parametrize("bad", [
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 3, dtype=lib.int32)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 3, dtype=lib.float64)),
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.float16), lib.ones(2, 3, dtype=lib.float16)),
])
def test_cdist_refuses_what_torch_refuses_with_its_message(bad):
    """Integers, float16 and two different dtypes: torch refuses them, naming the dtype."""
    assert_raises_like_torch(bad, same_message=True)


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, np.inf])
def test_cdist_of_rows_with_no_columns_is_zero_as_torch(p):
    assert_same_as_torch(lambda T: T.cdist(T.zeros(2, 0), T.zeros(3, 0), p=p))


@pytest.mark.parametrize("p", [0.0, 1.0, np.inf])
def test_cdist_gradient_at_ties_and_zero_differences_as_torch(p):
    """For p = inf torch sends all of g to every difference as large as the distance (here
    two tie in each row), not a share of it; for p = 1 a zero difference gets 0 (sign 0); for
    p = 0, a count, every gradient is 0. The node is torch's CdistBackward0 for every p."""
    def program(T):
        a = T.tensor([[0.0, 0.0, 0.0]], dtype=T.float64, requires_grad=True)
        b = T.tensor([[1.0, -1.0, 0.5], [2.0, 3.0, -3.0]], dtype=T.float64, requires_grad=True)
        distance = T.cdist(a, b, p=p)
        assert type(distance.grad_fn).__name__ == "CdistBackward0"
        distance.backward(T.tensor([[1.0, 2.0]], dtype=T.float64))
        return distance, a.grad, b.grad
    assert_same_as_torch(program)


@pytest.mark.parametrize("mask_kind", ["bool", "float"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_attention_of_a_query_that_may_attend_nowhere_is_zero_as_torch(mask_kind, dtype):
    """A padding mask can leave a query row no key at all: torch gives it zero weights (not the
    NaN of a softmax over -inf alone), and every gradient stays finite."""
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 4))
    allowed = np.ones((3, 5), bool)
    allowed[1] = False

    def program(T):
        qt, kt, vt = (T.tensor(a, dtype=getattr(T, dtype), requires_grad=True) for a in (q, k, v))
        mask = T.tensor(allowed) if mask_kind == "bool" else \
            T.zeros(3, 5, dtype=getattr(T, dtype)).masked_fill(T.tensor(~allowed), float("-inf"))
        out = T.nn.functional.scaled_dot_product_attention(qt, kt, vt, attn_mask=mask)
        out.backward(T.ones_like(out))
        return out, qt.grad, kt.grad, vt.grad
    assert_same_as_torch(program, rtol=1e-5, atol=1e-6)


_CUBE, _SQUARE = np.arange(24.0).reshape(2, 3, 4), np.arange(12.0).reshape(4, 3)


@pytest.mark.parametrize("dims, other", [(([1, 2], [1, 0]), None), (1, (4, 5)), (0, None), (([2], [0]), None),
                                         (2, (3, 4, 2)), (([1], [0, 1]), None), (([1], [1]), None), (-1, None),
                                         (4, None)])
def test_tensordot_and_its_gradients_as_torch(dims, other):
    def program(T):
        a = T.tensor(_CUBE, requires_grad=True)
        b = T.tensor(_SQUARE if other is None else np.ones(other), requires_grad=True)
        y = T.tensordot(a, b, dims=dims)
        y.backward(T.ones_like(y))
        return y, a.grad, b.grad
    assert_same_as_torch(program)


@pytest.mark.parametrize("program", [
    lambda T: [T.rot90(T.arange(6).reshape(2, 3)), T.rot90(T.arange(6).reshape(2, 3), 2),
               T.rot90(T.arange(6).reshape(2, 3), -1, [0, 1]), T.arange(24).reshape(2, 3, 4).rot90(3, [2, 0]),
               T.arange(6).reshape(2, 3).rot90(0)],
    lambda T: T.rot90(T.ones(2, 3), 1, [0, 0]),
    lambda T: T.rot90(T.ones(2), 1),
    lambda T: T.rot90(T.ones(2, 3), 1, [0]),
    lambda T: [T.dist(T.tensor([1.0, 2]), T.tensor([4.0, 6])), T.dist(T.tensor([1.0, 2]), T.tensor([4.0, 6]), 1),
               T.dist(T.tensor([[1.0, 2]]), T.tensor([4.0, 6]), float("inf"))],
    lambda T: [str(d).split(".")[-1] for d in (
        T.promote_types(T.int64, T.float32), T.promote_types(T.uint8, T.int8), T.promote_types(T.bool, T.float16),
        T.scalar_tensor(3).dtype, T.scalar_tensor(3, dtype=T.int64).dtype, T.randint_like(T.zeros(2, 2), 5).dtype,
        T.randint_like(T.zeros(2, 2, dtype=T.int32), 3, 5).dtype)] + [T.scalar_tensor(3), T.is_anomaly_enabled()],
])
def test_rot90_dist_and_type_helpers_as_torch(program):
    assert_same_as_torch(program)


def test_rot90_gradient_as_torch():
    def program(T):
        x = T.tensor(_CUBE, requires_grad=True)
        y = x.rot90(1, [1, 2])
        y.backward(T.tensor(np.arange(24.0).reshape(2, 4, 3)))
        return y, x.grad
    assert_same_as_torch(program)
