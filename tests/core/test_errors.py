"""Error parity with torch: the same exception type as torch (run in the same test) and a
message that names what was wrong (both sizes, the bad dim and the allowed range)."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: one axis has sizes that differ and are not 1."""
    a = draw(mst.shapes(min_dims=1, max_dims=3, min_side=2))
    b = list(draw(mst.broadcastable_shapes(a, min_dims=1)))
    axis = draw(st.integers(1, len(b)))  # counted from the right, as broadcasting does
    b[-axis] = draw(st.integers(2, 6).filter(lambda n: n != a[-axis]))
    return a, tuple(b), a[-axis], b[-axis]


BROADCASTING_OPS = {
    "+": lambda lib, x, y: x + y,
    "*": lambda lib, x, y: x * y,
    "==": lambda lib, x, y: x == y,
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "where": lambda lib, x, y: lib.where(x > 0, x, y),
    "//": lambda lib, x, y: x // y,
    "%": lambda lib, x, y: x % y,
    "masked_fill": lambda lib, x, y: x.masked_fill(y > 0, 0.0),
    "masked_select": lambda lib, x, y: x.masked_select(y > 0),
}


@given(clashing_shapes(), st.sampled_from(sorted(BROADCASTING_OPS)))
def test_broadcast_mismatch_names_both_sizes(shapes, name):
    a, b, size_a, size_b = shapes

    def call(lib):
        return BROADCASTING_OPS[name](lib, lib.ones(a), lib.ones(b))

    actual, _ = assert_raises_like_torch(call)
    assert f"({size_a})" in str(actual) and f"({size_b})" in str(actual), str(actual)


DIM_OPS = {
    "sum": lambda x, d: x.sum(d),
    "mean": lambda x, d: x.mean(d),
    "amax": lambda x, d: x.amax(d),
    "max": lambda x, d: x.max(d),
    "argmax": lambda x, d: x.argmax(d),
    "var": lambda x, d: x.var(d),
    "logsumexp": lambda x, d: x.logsumexp(d),
    "cumsum": lambda x, d: x.cumsum(d),
    "logcumsumexp": lambda x, d: x.logcumsumexp(d),
    "cummax": lambda x, d: x.cummax(d),
    "squeeze": lambda x, d: x.squeeze(d),
    "transpose": lambda x, d: x.transpose(0, d),
    "sort": lambda x, d: x.sort(d),
    "flatten": lambda x, d: x.flatten(d),
}


@given(st.sampled_from(sorted(DIM_OPS)), mst.shapes(min_dims=1, max_dims=3), st.data())
def test_bad_dim_raises_index_error_with_the_allowed_range(name, shape, data):
    n = len(shape)
    dim = data.draw(st.one_of(st.integers(n, n + 3), st.integers(-n - 3, -n - 1)), label="dim")

    def call(lib):
        return DIM_OPS[name](lib.ones(shape), dim)

    actual, expected = assert_raises_like_torch(call)
    assert isinstance(actual, IndexError)
    assert f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})" in str(actual)


def test_bad_dim_message_is_torchs():
    actual, expected = assert_raises_like_torch(lambda lib: lib.ones(2, 3).sum(2))
    assert str(actual) == "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    assert str(expected) == str(actual)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_matmul_mismatch_names_both_shapes(n, k, j, m):
    if k == j:
        j += 1

    def call(lib):
        return lib.ones(n, k) @ lib.ones(j, m)

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {j}x{m})"
    assert str(actual) == str(expected)


@given(mst.shapes(min_dims=1, max_dims=3), st.data())
def test_out_of_range_index_raises_index_error(shape, data):
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    size = shape[axis]
    bad = data.draw(st.one_of(st.integers(size, size + 3), st.integers(-size - 3, -size - 1)), label="index")
    as_tensor = data.draw(st.booleans(), label="as tensor")

    def call(lib):
        index = lib.tensor([bad]) if as_tensor else bad
        return lib.zeros(shape)[(slice(None),) * axis + (index,)]

    actual, _ = assert_raises_like_torch(call)
    assert str(bad) in str(actual) and str(size) in str(actual), str(actual)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.tensor([True]).requires_grad_(),
    lambda lib: lib.arange(3).requires_grad_(True),
])
def test_requires_grad_on_integer_tensor(make):
    actual, _ = assert_raises_like_torch(make)
    assert isinstance(actual, RuntimeError) and "floating point" in str(actual)


# Each bad call must raise the exception type torch raises for it.
BAD_CALLS = {
    "minus on bool tensors": lambda lib: lib.tensor([True]) - lib.tensor([False]),
    "mean of an int tensor": lambda lib: lib.tensor([1, 2]).mean(),
    "var of an int tensor": lambda lib: lib.tensor([1, 2]).var(),
    "std of an int tensor": lambda lib: lib.tensor([1, 2]).std(dim=0),
    "view to a wrong size": lambda lib: lib.zeros(2, 3).view(4),
    "reshape with two -1": lambda lib: lib.zeros(2, 3).reshape(-1, -1),
    "expand a non-singleton": lambda lib: lib.zeros(2).expand(3),
    "cat of mismatched sizes": lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3, 2)]),
    "cat of a 0-d tensor": lambda lib: lib.cat([lib.tensor(1.0)]),
    "stack of mismatched shapes": lambda lib: lib.stack([lib.zeros(2), lib.zeros(3)]),
    "gather index out of range": lambda lib: lib.zeros(3).gather(0, lib.tensor([5])),
    "scatter index out of range": lambda lib: lib.zeros(3).scatter(0, lib.tensor([5]), lib.ones(1)),
    "gather with a float index": lambda lib: lib.zeros(3).gather(0, lib.tensor([0.0])),
    "backward of a non-scalar": lambda lib: lib.ones(2, requires_grad=True).mul(2).backward(),
    "item of two elements": lambda lib: lib.ones(2).item(),
    "topk k too large": lambda lib: lib.ones(3).topk(4),
    "mm of a vector": lambda lib: lib.ones(3).mm(lib.ones(3, 2)),
    "bmm batch mismatch": lambda lib: lib.ones(2, 3, 4).bmm(lib.ones(3, 4, 5)),
    "matmul of a 0-d tensor": lambda lib: lib.tensor(2.0) @ lib.ones(2),
    "masked_fill with an int mask": lambda lib: lib.ones(2).masked_fill(lib.tensor([1, 0]), 0.0),
    "clamp without bounds": lambda lib: lib.ones(2).clamp(),
    "split sections that do not add up": lambda lib: lib.ones(5).split([2, 2]),
    "index with a float tensor": lambda lib: lib.ones(3)[lib.tensor([0.0])],
    "mask of the wrong shape": lambda lib: lib.ones(3)[lib.tensor([True, False])],
    "too many indices": lambda lib: lib.ones(3)[0, 0],
    "permute of the wrong length": lambda lib: lib.ones(2, 3).permute(0),
    "repeat with too few sizes": lambda lib: lib.ones(2, 3).repeat(2),
    "t of a 3-d tensor": lambda lib: lib.ones(2, 3, 4).t(),
    "numpy of a tensor that requires grad": lambda lib: lib.ones(2, requires_grad=True).numpy(),
    "in-place on a leaf that requires grad": lambda lib: lib.ones(2, requires_grad=True).add_(1),
    "setitem on a leaf that requires grad": lambda lib: lib.ones(2, requires_grad=True).__setitem__(0, 1.0),
    "second backward through a freed graph": lambda lib: _backward_twice(lib),
    "bool of a two-element tensor": lambda lib: bool(lib.ones(2)),
    "int tensor to a negative power": lambda lib: lib.tensor([2]) ** -1,
}


def _backward_twice(lib):
    y = (lib.ones(2, requires_grad=True) * 3).exp().sum()
    y.backward()
    y.backward()


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception_type(name):
    assert_raises_like_torch(BAD_CALLS[name])


def test_backward_gradient_of_the_wrong_shape_names_both_shapes():
    def call(lib):
        lib.ones(2, requires_grad=True).mul(1).backward(lib.ones(3))

    actual, _ = assert_raises_like_torch(call)
    assert "(3,)" in str(actual) and "(2,)" in str(actual), str(actual)


# ---------------------------------------------------------------- a dim named twice
DIM_LIST_OPS = {
    "sum": lambda x, dims: x.sum(dims),
    "mean": lambda x, dims: x.mean(dims),
    "amax": lambda x, dims: x.amax(dims),
    "amin": lambda x, dims: x.amin(dims),
    "var": lambda x, dims: x.var(dims),
    "std": lambda x, dims: x.std(dims),
    "logsumexp": lambda x, dims: x.logsumexp(dims),
    "norm": lambda x, dims: x.norm(dim=dims),
    "squeeze": lambda x, dims: x.squeeze(dims),
    "flip": lambda x, dims: x.flip(dims),
    "count_nonzero": lambda x, dims: x.count_nonzero(dims),
    "any": lambda x, dims: x.any(dims),
    "all": lambda x, dims: x.all(dims),
}


@given(st.sampled_from(sorted(DIM_LIST_OPS)), mst.shapes(min_dims=0, max_dims=3), st.data())
def test_a_dim_named_twice_raises_naming_it(name, shape, data):
    n = max(len(shape), 1)  # a 0-d tensor takes dim 0 (or -1), like a 1-d one
    dim = data.draw(st.integers(0, n - 1), label="dim")
    alias = data.draw(st.sampled_from([dim, dim - n]), label="the same dim again")  # 1 and -1 of a 2-d tensor

    def call(lib):
        return DIM_LIST_OPS[name](lib.ones(shape), (dim, alias))

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == str(expected) == f"dim {dim} appears multiple times in the list of dims"


@given(mst.shapes(min_dims=2, max_dims=4), st.data())
def test_permute_with_a_dim_named_twice(shape, data):
    n = len(shape)
    dims = list(data.draw(st.permutations(range(n)), label="order"))
    i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True), label="positions")
    dims[j] = data.draw(st.sampled_from([dims[i], dims[i] - n]), label="the dim again")

    def call(lib):
        return lib.ones(shape).permute(*dims)

    actual, expected = assert_raises_like_torch(call)
    assert "duplicate dims are not allowed" in str(actual) and str(dims) in str(actual), str(actual)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2).expand(-1, 2),          # -1 in a new leading dim has nothing to keep
    lambda lib: lib.ones(2).broadcast_to((-1, 2)),
    lambda lib: lib.ones(2, 1).expand(3, -1, -1, 2),
    lambda lib: lib.ones(2).expand(-2, 2),
    lambda lib: lib.ones(1).expand(-3),
    lambda lib: lib.ones(2).expand(-2),
])
def test_expand_to_a_negative_size(call):
    actual, _ = assert_raises_like_torch(call)
    assert "-" in str(actual), str(actual)


# ---------------------------------------------------------------- in-place ops keep their tensor's shape
INPLACE_OPS = {
    "add_": lambda x, y: x.add_(y),
    "sub_": lambda x, y: x.sub_(y),
    "mul_": lambda x, y: x.mul_(y),
    "div_": lambda x, y: x.div_(y),
    "pow_": lambda x, y: x.pow_(y),
    "+=": lambda x, y: x.__iadd__(y),
    "*=": lambda x, y: x.__imul__(y),
    "copy_": lambda x, y: x.copy_(y),
    "clamp_": lambda x, y: x.clamp_(min=y),
    "masked_fill_": lambda x, y: x.masked_fill_(y > 0, 0.5),
    "addcmul_": lambda x, y: x.addcmul_(y, y),
}


@st.composite
def widening_shapes(draw):
    """A tensor's shape and a shape that broadcasts with it to a larger one: more axes (of
    size 1 too: (1, 3) widens (3,) to (1, 3)), or a size-1 axis of the tensor stretched."""
    shape = draw(mst.shapes(min_dims=0, max_dims=3))
    other = list(draw(mst.broadcastable_shapes(shape, max_dims=4)))
    ones = [i for i, n in enumerate(shape) if n == 1]
    if ones and draw(st.booleans()):
        axis = draw(st.sampled_from(ones)) - len(shape)  # counted from the right
        if -axis > len(other):
            other = [1] * (-axis - len(other)) + other
        other[axis] = draw(st.integers(2, 4))
    else:
        other = [draw(st.integers(1, 3))] + [1] * max(len(shape) - len(other), 0) + other
    return shape, tuple(other)


@given(widening_shapes(), st.sampled_from(sorted(INPLACE_OPS)), st.booleans())
def test_inplace_op_never_changes_the_shape(shapes, name, in_graph):
    shape, other = shapes
    results = {}

    def call(lib):
        x = lib.ones(shape, requires_grad=in_graph) * 2 if in_graph else lib.full(shape, 2.0)
        results[lib] = x
        INPLACE_OPS[name](x, lib.full(other, 3.0))

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == str(expected), str(actual)
    mine, theirs = results[minigrad], results[torch]  # left as they were
    assert mine.tolist() == theirs.tolist()
    if in_graph:
        assert mine.grad_fn.name() == theirs.grad_fn.name() == "MulBackward0"


@given(clashing_shapes(), st.sampled_from(sorted(INPLACE_OPS) + ["//", "%"]))
def test_inplace_and_integer_division_mismatch_names_both_sizes(shapes, name):
    a, b, size_a, size_b = shapes
    ops = dict(INPLACE_OPS, **{"//": lambda x, y: x // y, "%": lambda x, y: x % y})

    def call(lib):
        return ops[name](lib.ones(a), lib.ones(b))

    actual, _ = assert_raises_like_torch(call)
    assert f"({size_a})" in str(actual) and f"({size_b})" in str(actual), str(actual)


# ---------------------------------------------------------------- calls torch accepts
@given(st.data())
def test_integer_tensor_to_negative_integer_tensor_powers(data):
    # torch rounds 1 / x**n toward zero: 1 for x = 1, +-1 for x = -1, 0 otherwise (0 included).
    shape = data.draw(mst.shapes(max_dims=2), label="shape")
    base = data.draw(mst.arrays("int64", shape, elements=st.integers(-3, 3)), label="base")
    exponent = data.draw(mst.arrays("int64", data.draw(mst.broadcastable_shapes(shape)),
                                    elements=st.integers(-4, 3)), label="exponent")
    scalar = data.draw(st.integers(-3, 3), label="scalar base")
    check_parity(data, lambda lib, x, y: (x ** y, x.pow(y), scalar ** y), [base, exponent])


@given(st.data())
def test_scatter_into_a_0d_tensor(data):
    def scatter(lib, x, src):
        index = lib.tensor(data.draw(st.sampled_from([0, -1]), label="index") * 0)
        return x.scatter(0, index, src), x.scatter_add(-1, index, src), x.scatter(0, index, 2.5)

    x, src = (data.draw(mst.arrays("float64", ()), label=name) for name in ("x", "src"))
    check_parity(data, scatter, [x, src])


@pytest.mark.parametrize("dtype", ["float64", "int64"])
@given(data=st.data())
def test_scatter_with_reduce_multiply(dtype, data):
    shape = data.draw(mst.shapes(min_dims=1, max_dims=2), label="shape")
    dim = data.draw(mst.dim(len(shape)), label="dim")
    index_shape = tuple(data.draw(st.integers(1, n), label="index side") for n in shape)
    index = data.draw(mst.arrays("int64", index_shape, elements=st.integers(0, shape[dim] - 1)), label="index")
    x = data.draw(mst.arrays(dtype, shape, elements=st.integers(-3, 3)), label="x")
    src = data.draw(mst.arrays(dtype, index_shape, elements=st.integers(-3, 3)), label="src")

    def scatter(lib, x, index, src):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch: the reduce argument is deprecated
            return (x.scatter(dim, index, src, reduce="multiply"), x.scatter(dim, index, 1.5, reduce="multiply"),
                    x.clone().scatter_(dim, index, src, reduce="multiply"))

    check_parity(data, scatter, [x, index, src], requires_grad=[False] * 3)


def test_scatter_with_reduce_has_no_derivative_as_in_torch():
    def call(lib):
        x = lib.ones(3, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            y = x.scatter(0, lib.tensor([0, 0]), lib.tensor([2.0, 3.0]), reduce="multiply")
        y.sum().backward()

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == str(expected)


SETITEM_CASES = {  # (shape, index, value shape): values with extra leading size-1 dims, which torch drops
    "0-d, (1,) value at ...": ((), Ellipsis, (1,)),
    "0-d, (1,) value at ()": ((), (), (1,)),
    "0-d, (1, 1) value": ((), Ellipsis, (1, 1)),
    "x[0] = (1,)": ((2, 3), 0, (1,)),
    "x[0] = (1, 3)": ((2, 3), 0, (1, 3)),
    "x[0, 0] = (1,)": ((2, 3), (0, 0), (1,)),
    "z[..., 0] = (1, 2)": ((2, 3), (Ellipsis, 0), (1, 2)),
    "z[..., 0] = (2,)": ((2, 3), (Ellipsis, 0), (2,)),
    "x[:, [0, 2]] = (1, 2, 2)": ((2, 3), (slice(None), [0, 2]), (1, 2, 2)),
    "x[mask] = (1, 2)": ((2, 3), "mask", (1, 2)),
}


@pytest.mark.parametrize("name", sorted(SETITEM_CASES))
@given(data=st.data())
def test_setitem_value_with_leading_ones(name, data):
    shape, index, value_shape = SETITEM_CASES[name]

    def assign(lib, x, value):
        z = x * 2  # a tensor in the graph: the assignment is recorded, and backward goes through it
        z[lib.tensor([[True, False, True], [False, False, False]]) if index == "mask" else index] = value
        return z

    x = data.draw(mst.arrays("float64", shape), label="x")
    value = data.draw(mst.arrays("float64", value_shape), label="value")
    check_parity(data, assign, [x, value])


@pytest.mark.parametrize("shape, index, value_shape", [
    ((2,), 0, (2,)), ((2,), slice(None), (2, 2)), ((2, 3), (Ellipsis, 0), (3,)), ((), Ellipsis, (2,)),
    ((2, 3), 0, (2, 3)),
])
@pytest.mark.parametrize("in_graph", [False, True])
def test_setitem_value_that_does_not_fit(shape, index, value_shape, in_graph):
    def call(lib):
        z = lib.ones(shape, requires_grad=in_graph) * 2 if in_graph else lib.ones(shape)
        z[index] = lib.ones(value_shape)

    actual, _ = assert_raises_like_torch(call)
    assert str(list(value_shape)) in str(actual), str(actual)


SOFTMAX_LIKE = {
    "F.softmax": lambda lib, x, dim: lib.nn.functional.softmax(x, dim),
    "F.log_softmax": lambda lib, x, dim: lib.nn.functional.log_softmax(x, dim),
    "F.softmin": lambda lib, x, dim: lib.nn.functional.softmin(x, dim),
    "Tensor.softmax": lambda lib, x, dim: x.softmax(dim),
    "Tensor.log_softmax": lambda lib, x, dim: x.log_softmax(dim),
    "nn.Softmax": lambda lib, x, dim: lib.nn.Softmax(dim)(x),
    "nn.LogSoftmax": lambda lib, x, dim: lib.nn.LogSoftmax(dim)(x),
    "nn.Softmin": lambda lib, x, dim: lib.nn.Softmin(dim)(x),
    "logsumexp": lambda lib, x, dim: x.logsumexp(dim),
}


@pytest.mark.parametrize("name", sorted(SOFTMAX_LIKE))
@given(data=st.data())
def test_softmax_like_ops_of_empty_tensors(name, data):
    shape = list(data.draw(mst.shapes(min_dims=1, max_dims=3), label="shape"))
    shape[data.draw(st.integers(0, len(shape) - 1), label="empty axis")] = 0
    dim = data.draw(mst.dim(len(shape)), label="dim")
    x = np.zeros(shape)
    check_parity(data, lambda lib, x: SOFTMAX_LIKE[name](lib, x, dim), [x])


@given(st.data())
def test_binary_cross_entropy_target_outside_zero_one(data):
    shape = data.draw(mst.shapes(min_dims=1, max_dims=2), label="shape")
    p = data.draw(mst.arrays("float64", shape, elements=st.floats(0.05, 0.95)), label="input")
    target = data.draw(mst.arrays("float64", shape, elements=st.floats(0, 1)), label="target")
    flat = data.draw(st.integers(0, target.size - 1), label="position")
    target.reshape(-1)[flat] = data.draw(st.sampled_from([-0.5, -1e-6, 1 + 1e-6, 2.0, np.nan]), label="bad")

    def call(lib):
        return lib.nn.functional.binary_cross_entropy(lib.tensor(p), lib.tensor(target))

    actual, expected = assert_raises_like_torch(call)
    assert "target" in str(actual) and "between 0 and 1" in str(actual), str(actual)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.batch_norm(lib.ones(4, 3), lib.zeros(3), lib.ones(3), training=True, momentum=None),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(4, 3), lib.zeros(3), lib.ones(3), momentum=None),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(4, 3), None, None, training=True, momentum=None),
])
def test_functional_batch_norm_takes_no_momentum_none(call):
    actual, expected = assert_raises_like_torch(call)
    assert "momentum" in str(actual) and "NoneType" in str(actual)


@pytest.mark.parametrize("layer, shape", [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (4, 3, 2, 2))])
@given(data=st.data())
def test_batch_norm_modules_with_momentum_none_average_every_batch_equally(layer, shape, data):
    batches = [data.draw(mst.arrays("float64", shape), label=f"batch {i}") for i in range(3)]

    def run(lib, *batches):
        lib.manual_seed(0)
        norm = getattr(lib.nn, layer)(shape[1], momentum=None).double()
        outputs = [norm(x) for x in batches]  # running stats: the plain mean over the batches seen
        norm.eval()
        return outputs + [norm(batches[0]), norm.running_mean, norm.running_var, norm.num_batches_tracked]

    check_parity(data, run, batches)


# ---------------------------------------------------------------- bad arguments NumPy would reject in its own words
NUMPY_WOULD_RAISE = {
    "argmax of an empty tensor": lambda lib: lib.ones(0).argmax(),
    "argmin of an empty tensor": lambda lib: lib.ones(2, 0).argmin(),
    "argmax along an empty dim": lambda lib: lib.ones(0, 3).argmax(0),
    "argmin along an empty dim, keepdim": lambda lib: lib.ones(3, 0).argmin(-1, keepdim=True),
    "linspace with negative steps": lambda lib: lib.linspace(0, 1, -1),
    "logspace with negative steps": lambda lib: lib.logspace(0, 1, -2),
    "linspace with float steps": lambda lib: lib.linspace(0, 1, 2.5),
    "eye with a negative n": lambda lib: lib.eye(-1),
    "eye with a negative m": lambda lib: lib.eye(2, -3),
    "normal with a negative std": lambda lib: lib.normal(0.0, -1.0, size=(2,)),
    "normal with a nan std": lambda lib: lib.normal(0.0, float("nan"), size=(2,)),
    "normal with a negative std tensor": lambda lib: lib.normal(lib.zeros(2), lib.tensor([1.0, -1.0])),
    "normal with a tensor mean and a negative std": lambda lib: lib.normal(lib.zeros(2), -0.5),
    "normal_ with a negative std": lambda lib: lib.zeros(2).normal_(0.0, -2.0),
    "init.normal_ with a negative std": lambda lib: lib.nn.init.normal_(lib.zeros(2), std=-1.0),
    "uniform_ with from > to": lambda lib: lib.zeros(2).uniform_(1.0, 0.0),
    "init.uniform_ with a > b": lambda lib: lib.nn.init.uniform_(lib.zeros(2), 1.0, -1.0),
    "bernoulli of probabilities above 1": lambda lib: lib.bernoulli(lib.tensor([0.5, 2.0])),
    "bernoulli of a negative probability": lambda lib: lib.bernoulli(lib.tensor([-0.5])),
    "bernoulli_ with p > 1": lambda lib: lib.zeros(2).bernoulli_(1.5),
    "repeat(-1)": lambda lib: lib.ones(2).repeat(-1),
    "repeat with a negative size": lambda lib: lib.ones(2, 3).repeat(2, -2),
    "repeat_interleave(-1)": lambda lib: lib.ones(2).repeat_interleave(-1),
    "repeat_interleave with a negative count": lambda lib: lib.ones(2).repeat_interleave(lib.tensor([1, -1])),
    "repeat_interleave with too many counts": lambda lib: lib.ones(2).repeat_interleave(lib.tensor([1, 1, 1])),
    "full with a string": lambda lib: lib.full((2,), "a"),
    "full with None": lambda lib: lib.full((2,), None),
    "full with a list": lambda lib: lib.full((2,), [1.0]),
    "new_full with a string": lambda lib: lib.zeros(2).new_full((2,), "a"),
    "fill_ with a string": lambda lib: lib.zeros(2).fill_("a"),
    "fill_ with a 1-d tensor": lambda lib: lib.zeros(2).fill_(lib.ones(1)),
    "ragged rows": lambda lib: lib.tensor([[1, 2], [3]]),
    "ragged rows, longer": lambda lib: lib.tensor([[1.0], [2.0, 3.0]]),
    "ragged depth": lambda lib: lib.tensor([[[1], [2]], [[3]]]),
    "a number among rows": lambda lib: lib.tensor([[1, 2], 3]),
    "a list among numbers": lambda lib: lib.tensor([1, [2]]),
    "an empty row": lambda lib: lib.tensor([[1], []]),
    "a string in rows": lambda lib: lib.tensor([[1, 2], [3, "a"]]),
    "a list of strings": lambda lib: lib.tensor(["a"]),
    "None in rows": lambda lib: lib.tensor([[1.0, None]]),
    "None": lambda lib: lib.tensor(None),
    "Bilinear without in1 features": lambda lib: lib.nn.Bilinear(0, 2, 3),
}


@pytest.mark.parametrize("name", sorted(NUMPY_WOULD_RAISE))
def test_bad_arguments_raise_torchs_error_not_numpys(name):
    actual, expected = assert_raises_like_torch(NUMPY_WOULD_RAISE[name])
    words = [w for w in str(expected).replace("(", " ").replace(")", " ").split() if w.isidentifier() and len(w) > 3]
    assert any(w in str(actual) for w in words[:3]), f"{actual} names nothing of {expected}"


@pytest.mark.parametrize("name", ["argmax of an empty tensor", "argmax along an empty dim", "linspace with negative steps",
                                  "normal with a negative std", "normal with a negative std tensor", "uniform_ with from > to",
                                  "repeat(-1)", "full with a string", "ragged rows", "ragged depth", "eye with a negative n"])
def test_bad_arguments_messages_are_torchs(name):
    actual, expected = assert_raises_like_torch(NUMPY_WOULD_RAISE[name])
    assert str(actual).startswith(str(expected).split(" (Could")[0]), (str(actual), str(expected))


@given(st.data())
def test_nonzero_of_0d_tensors(data):
    value = data.draw(st.sampled_from([0.0, 1.0, -2.5]), label="value")

    def find(lib, x):
        return (x.nonzero(), *x.nonzero(as_tuple=True), *lib.nonzero(x, as_tuple=True), *lib.where(x != 0),
                lib.nonzero(x))

    check_parity(data, find, [np.array(value)], requires_grad=[False])


# ---------------------------------------------------------------- no NumPy warnings: inf and nan quietly, as in torch
QUIET_CASES = {
    "mean of an empty tensor": (lambda lib, x: x.mean(), [(0,)]),
    "mean of an empty dim": (lambda lib, x: x.mean(0), [(0, 3)]),
    "mean over an empty tensor's other dim": (lambda lib, x: x.mean(1, keepdim=True), [(0, 3)]),
    "mse_loss of empty tensors": (lambda lib, x, y: lib.nn.functional.mse_loss(x, y), [(0,), (0,)]),
    "l1_loss of empty tensors": (lambda lib, x, y: lib.nn.functional.l1_loss(x, y), [(0, 2), (0, 2)]),
    "bce with logits of empty tensors": (
        lambda lib, x, y: lib.nn.functional.binary_cross_entropy_with_logits(x, y.sigmoid()), [(0,), (0,)]),
    "matmul with inf * 0": (lambda lib, x, y: (x * float("inf")) @ (y * 0), [(2, 3), (3, 2)]),
    "matmul of vectors with inf * 0": (lambda lib, x, y: (x * float("inf")) @ (y * 0), [(3,), (3,)]),
    "mm with inf * 0": (lambda lib, x, y: lib.mm(x * float("inf"), y * 0), [(2, 3), (3, 1)]),
    "bmm with inf * 0": (lambda lib, x, y: lib.bmm(x * float("inf"), y * 0), [(2, 1, 3), (2, 3, 2)]),
    "linear with inf * 0": (lambda lib, x, w: lib.nn.functional.linear(x * float("inf"), w * 0), [(2, 3), (4, 3)]),
    "einsum with inf * 0": (lambda lib, x, y: lib.einsum("ij,jk->ik", x * float("inf"), y * 0), [(2, 3), (3, 2)]),
    "exp overflowing": (lambda lib, x: (x * 0 + 1000).exp(), [(3,)]),
    "softmax of a row of inf": (lambda lib, x: (x * float("inf")).softmax(-1), [(2, 3)]),
    "log_softmax of a row of -inf": (lambda lib, x: (x * 0 - float("inf")).log_softmax(-1), [(2, 3)]),
    "layer_norm of an empty batch": (lambda lib, x: lib.nn.functional.layer_norm(x, (3,)), [(0, 3)]),
    "group_norm of an empty batch": (lambda lib, x: lib.nn.functional.group_norm(x, 1), [(0, 2, 3)]),
    "linear of an empty batch": (lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(0, 3), (4, 3), (4,)]),
    "linear of empty features": (lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(2, 0), (4, 0), (4,)]),
    "linear of empty features, 3-d": (lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
                                      [(2, 5, 0), (4, 0), (4,)]),
}


@pytest.mark.parametrize("name", sorted(QUIET_CASES))
@given(data=st.data())
def test_no_numpy_warnings_where_torch_is_quiet(name, data):
    fn, shapes = QUIET_CASES[name]
    arrays = [data.draw(mst.arrays("float64", shape, elements=st.floats(0.5, 2)), label=f"input {i}")
              for i, shape in enumerate(shapes)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a test suite or a script run with -W error
        check_parity(data, fn, arrays)


def test_casting_nan_to_integers_is_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [float("nan"), float("inf"), 2.5]
        assert minigrad.tensor(values).long().tolist() == torch.tensor(values).long().tolist()


# ---------------------------------------------------------------- writing into an expanded tensor
# Several elements of an expanded tensor share one place in memory; torch refuses most in-place ops
# on it with one message (a NumPy array broadcast the same way is read-only: NumPy's ValueError
# must not leak out instead).
REFUSED_ON_EXPANDED = {
    "add_": lambda lib, e: e.add_(1), "mul_": lambda lib, e: e.mul_(2), "+=": lambda lib, e: e.__iadd__(1),
    "exp_": lambda lib, e: e.exp_(), "clamp_": lambda lib, e: e.clamp_(0, 1), "neg_": lambda lib, e: e.neg_(),
    "copy_": lambda lib, e: e.copy_(lib.ones(2, 3)), "uniform_": lambda lib, e: e.uniform_(),
    "addcmul_": lambda lib, e: e.addcmul_(e, e),
}


@pytest.mark.parametrize("name", sorted(REFUSED_ON_EXPANDED))
def test_inplace_ops_on_an_expanded_tensor_raise_torchs_error(name):
    assert_raises_like_torch(lambda lib: REFUSED_ON_EXPANDED[name](lib, lib.zeros(3).expand(2, 3)),
                             same_message=True)


def test_writes_torch_allows_on_an_expanded_tensor_raise_the_same_clear_error():
    """torch writes zero_, fill_ and item assignment through every alias at once; minigrad's
    expanded tensor is a read-only broadcast, so it says why it cannot, as torch does for add_."""
    for write in (lambda e: e.zero_(), lambda e: e.fill_(2.0), lambda e: e.__setitem__((0, 0), 1.0)):
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            write(minigrad.zeros(3).expand(2, 3))


def test_a_tensor_of_a_read_only_array_refuses_writes_with_a_reason():
    array = np.ones(3)
    array.flags.writeable = False
    tensor = minigrad.from_numpy(array)
    with pytest.raises(RuntimeError, match="read-only"):
        tensor.add_(1)
    with pytest.raises(RuntimeError, match="read-only"):
        tensor[0] = 5.0
    assert tensor.clone().add_(1).tolist() == [2.0, 2.0, 2.0]


# ---------------------------------------------------------------- arguments torch refuses, with its words
SAME_MESSAGE_AS_TORCH = {
    "outer of a matrix": lambda lib: lib.outer(lib.ones(2, 2), lib.ones(2)),
    "outer with a matrix": lambda lib: lib.ones(2).outer(lib.ones(2, 2)),
    "norm of an unknown order": lambda lib: lib.ones(2, 3).norm(p="bad"),
    "unfold wider than its dim": lambda lib: lib.ones(2, 4).unfold(1, 5, 1),
    "unfold of a negative size": lambda lib: lib.ones(2, 4).unfold(1, -1, 1),
    "unfold with step 0": lambda lib: lib.ones(2, 4).unfold(1, 2, 0),
    "unfold of a dim out of range": lambda lib: lib.ones(2, 4).unfold(2, 1, 1),
}

@pytest.mark.parametrize("function", ["softmax", "log_softmax", "softmin"])
def test_softmax_of_integers_is_not_implemented_as_in_torch(function):
    ours, _ = assert_raises_like_torch(lambda lib: getattr(lib.nn.functional, function)(lib.ones(2, dtype=lib.int64), 0))
    assert "int64" in str(ours)


# torch's broadcasting message, to which minigrad adds both shapes
NOT_BROADCASTING = {
    "hypot": (lambda lib: lib.ones(2).hypot(lib.ones(3)), "[2] and [3]"),
    "xlogy": (lambda lib: lib.xlogy(lib.ones(2), lib.ones(3)), "[2] and [3]"),
    "atan2": (lambda lib: lib.ones(2, 1, 3).atan2(lib.ones(4, 2)), "[2, 1, 3] and [4, 2]"),
}


@pytest.mark.parametrize("name", sorted(SAME_MESSAGE_AS_TORCH))
def test_refused_arguments_get_torchs_error_and_message(name):
    assert_raises_like_torch(SAME_MESSAGE_AS_TORCH[name], same_message=True)


@pytest.mark.parametrize("name", sorted(NOT_BROADCASTING))
def test_floating_binary_ops_name_the_shapes_that_do_not_broadcast(name):
    call, shapes = NOT_BROADCASTING[name]
    ours, theirs = assert_raises_like_torch(call)
    assert str(ours).startswith(str(theirs)) and shapes in str(ours)


@pytest.mark.parametrize("name", ["lerp", "lerp_"])
def test_lerp_to_a_number_is_a_type_error_as_in_torch(name):
    ours, _ = assert_raises_like_torch(lambda lib: getattr(lib.ones(2), name)(2.0, 0.5))
    assert name in str(ours) and "float" in str(ours)


def test_logcumsumexp_of_integers_is_refused_as_by_torch():
    assert_raises_like_torch(lambda lib: lib.logcumsumexp(lib.tensor([1, 2, 3]), 0), same_message=True)


@pytest.mark.parametrize("k, dim", [(0, 1), (5, 1), (3, 0), (5, -1)])
def test_kthvalue_k_out_of_range_is_refused_as_by_torch(k, dim):
    assert_raises_like_torch(lambda lib: lib.kthvalue(lib.ones(2, 4), k, dim), same_message=True)


@pytest.mark.parametrize("k", [1, 3, 4])
def test_kthvalue_counts_a_nan_as_the_largest_as_torch(k):
    x = np.array([[0.5, np.nan, -1.0, 2.0], [3.0, 1.0, np.nan, 0.0]])
    ours, theirs = minigrad.kthvalue(minigrad.tensor(x), k, 1), torch.kthvalue(torch.tensor(x), k, 1)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
