"""Torch parity of the ops that write into a copy of a tensor: index_fill, index_copy,
masked_scatter, scatter_reduce, index_reduce, put, select_scatter, slice_scatter and
diagonal_scatter, with their in-place forms: values, dtypes, gradients, grad_fn names and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()
# Small whole numbers as floats: reductions then meet ties (amax, amin) and zeros (prod).
FEW_VALUES = st.integers(-2, 2).map(float)
FORMS = st.sampled_from(["method", "function", "in place"])
REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


def _call(lib, form, name, x, *args, **kwargs):
    """op `name` called as a method, as torch's function, or in place on a copy of x (which is in the graph)."""
    if form == "method":
        return getattr(x, name)(*args, **kwargs)
    if form == "function":
        return getattr(lib, name)(x, *args, **kwargs)
    return getattr(x.clone(), name + "_")(*args, **kwargs)


def _with_name(out):
    """The result and its grad_fn's name (None without one), so that the names are compared too."""
    return out, None if out.grad_fn is None else out.grad_fn.name()


def _positions(draw, size, min_size=0):
    """In-range positions along an axis of `size`, some perhaps repeated."""
    return draw(st.lists(st.integers(0, size - 1), min_size=min_size, max_size=4))


@cases.add
def index_fill(draw):
    """The slices at the positions (repeated or not) take the value; a 0-d tensor value gets the
    gradient of every filled element, once each (IndexFillBackward1), a number none (Backward0)."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=0, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    # (torch's backward fails on a 0-d x with an empty index: one position there)
    positions = _positions(draw, x.shape[dim] if x.ndim else 1, min_size=0 if x.ndim else 1)
    value = draw(mst.arrays("float64", ()))
    form, as_tensor = draw(FORMS), draw(st.booleans())

    def fill(lib, x, value):
        index = lib.tensor(positions, dtype=lib.int64)
        return _with_name(_call(lib, form, "index_fill", x, dim, index, value if as_tensor else value.item()))

    return fill, [x, value]


@cases.add
def index_copy(draw):
    """Source's slices, in order, replace x's slices at distinct positions along dim."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    positions = draw(st.permutations(range(x.shape[dim])))[:draw(st.integers(0, x.shape[dim]))]
    shape = list(x.shape)
    shape[dim] = len(positions)
    source = draw(mst.arrays("float64", tuple(shape)))
    form = draw(FORMS)

    def copy(lib, x, source):
        return _with_name(_call(lib, form, "index_copy", x, dim, lib.tensor(positions, dtype=lib.int64), source))

    return copy, [x, source]


@cases.add
def masked_scatter(draw):
    """The true positions of a mask that broadcasts with x take source's first elements, in order;
    source's later elements get a zero gradient."""
    x_shape, mask_shape = draw(mst.broadcastable_pairs(max_dims=3))
    form = draw(FORMS)
    if form == "in place":  # the mask may not widen x in place
        mask_shape = draw(mst.shapes_broadcasting_to(x_shape))
    x = draw(mst.arrays("float64", x_shape))
    mask = draw(mst.arrays("bool", mask_shape))
    needed = int(np.broadcast_to(mask, np.broadcast_shapes(x_shape, mask_shape)).sum())
    source = draw(mst.arrays("float64", st.tuples(st.integers(needed, needed + 3))
                             | st.just((needed + 1, 1))))

    def scatter(lib, x, mask, source):
        return _with_name(_call(lib, form, "masked_scatter", x, mask, source))

    return scatter, [x, mask, source]


def _scatter_index(draw, shape, dim):
    """scatter's index for x of `shape`: as many dims, no longer than x apart from dim, positions in range."""
    index_shape = tuple(draw(st.integers(0 if d == dim else 1, 4 if d == dim else n)) for d, n in enumerate(shape))
    return draw(mst.arrays("int64", index_shape, elements=st.integers(0, shape[dim] - 1)))


@cases.add
def scatter_reduce(draw):
    """Every reduction, with and without self, where ties and zeros are common."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3), elements=FEW_VALUES))
    dim = draw(st.integers(0, x.ndim - 1))
    index = _scatter_index(draw, x.shape, dim)
    src = draw(mst.arrays("float64", index.shape, elements=FEW_VALUES))
    reduce, include_self, form = draw(st.sampled_from(REDUCTIONS)), draw(st.booleans()), draw(FORMS)
    dim -= x.ndim * draw(st.booleans())  # a negative dim names the same axis

    def scatter(lib, x, index, src):
        return _with_name(_call(lib, form, "scatter_reduce", x, dim, index, src, reduce, include_self=include_self))

    return scatter, [x, index, src]


@cases.add
def index_reduce(draw):
    """Every reduction of index_reduce, positions repeated, with and without self."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3), elements=FEW_VALUES))
    dim = draw(st.integers(0, x.ndim - 1))
    positions = _positions(draw, x.shape[dim])
    shape = list(x.shape)
    shape[dim] = len(positions)
    source = draw(mst.arrays("float64", tuple(shape), elements=FEW_VALUES))
    reduce, include_self, form = draw(st.sampled_from(REDUCTIONS[1:])), draw(st.booleans()), draw(FORMS)
    index_dtype = draw(st.sampled_from(["int64", "int32"]))

    def index_reduce(lib, x, source):
        index = lib.tensor(positions, dtype=getattr(lib, index_dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch: "index_reduce() is in beta"
            return _with_name(_call(lib, form, "index_reduce", x, dim, index, source, reduce,
                                    include_self=include_self))

    if index_dtype == "int32" and not include_self:  # torch's backward then fails (index_fill takes int64 only)
        return index_reduce, [x, source], [False, False]
    return index_reduce, [x, source]


@cases.add
def put(draw):
    """Source's elements written, or added with accumulate, at positions of the flattened x
    (negative ones count from the end, repeats allowed); source may have another shape than index."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=0, max_dims=3)))
    positions = draw(st.lists(st.integers(-x.size, x.size - 1), max_size=5))
    index = np.array(positions, dtype=np.int64).reshape(draw(st.sampled_from([(-1,), (1, -1)])))
    source = draw(mst.arrays("float64", draw(st.sampled_from([index.shape, (index.size,)]))))
    accumulate, form = draw(st.booleans()), draw(FORMS)

    def put(lib, x, index, source):
        return _with_name(_call(lib, form, "put", x, index, source, accumulate))

    return put, [x, index, source]


@cases.add
def select_scatter(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    index = draw(st.integers(-x.shape[dim], x.shape[dim] - 1))
    src = draw(mst.arrays("float64", np.take(x, index, axis=dim).shape))
    form = draw(FORMS.filter(lambda form: form != "in place"))  # (torch has no select_scatter_)
    return (lambda lib, x, src: _with_name(_call(lib, form, "select_scatter", x, src, dim, index))), [x, src]


@cases.add
def slice_scatter(draw):
    """Starts and ends out of range are clipped, as Python's slices are."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    start, end = (draw(st.none() | st.integers(-6, 6)) for _ in range(2))
    step = draw(st.integers(1, 3))
    src = draw(mst.arrays("float64", x[(slice(None),) * (dim % x.ndim) + (slice(start, end, step),)].shape))
    form = draw(FORMS.filter(lambda form: form != "in place"))
    return (lambda lib, x, src: _with_name(_call(lib, form, "slice_scatter", x, src, dim, start, end, step))), [x, src]


@cases.add
def diagonal_scatter(draw):
    """Any offset (empty diagonals too) of any two dims, the diagonal last in src as diagonal() gives it."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=2, max_dims=4)))
    dim1, dim2 = draw(st.lists(mst.dim(x.ndim), min_size=2, max_size=2, unique_by=lambda d: d % x.ndim))
    offset = draw(st.integers(-4, 4))
    src = draw(mst.arrays("float64", np.diagonal(x, offset, dim1, dim2).shape))
    form = draw(FORMS.filter(lambda form: form != "in place"))
    return (lambda lib, x, src: _with_name(_call(lib, form, "diagonal_scatter", x, src, offset, dim1, dim2))), [x, src]


test_parity = cases.test(max_examples=15)


def test_scatter_into_a_slice_casts_src_to_x_s_dtype():
    def scatter(lib, x, src):
        return x.select_scatter(src[0], 0, 1), x.slice_scatter(src, 0, 0, 2), x.diagonal_scatter(src[0, :3])

    check_parity(None, scatter, [np.arange(12.0).reshape(3, 4), np.arange(8).reshape(2, 4)], requires_grad=[False] * 2)


@pytest.mark.parametrize("reduce", REDUCTIONS)
@settings(max_examples=10)
@given(data=st.data())
def test_scatter_reduce_of_integers(reduce, data):
    """Integer tensors keep their dtype: a mean is rounded down (floor), as in torch; with
    include_self=False a position starts from the reduction's identity."""
    x = data.draw(mst.arrays("int64", mst.shapes(min_dims=1, max_dims=2), elements=st.integers(-9, 9)), label="x")
    dim = data.draw(st.integers(0, x.ndim - 1), label="dim")
    index = _scatter_index(data.draw, x.shape, dim)
    src = data.draw(mst.arrays("int64", index.shape, elements=st.integers(-9, 9)), label="src")
    include_self = data.draw(st.booleans(), label="include_self")
    check_parity(data, lambda lib, x, index, src: x.scatter_reduce(dim, index, src, reduce, include_self=include_self),
                 [x, index, src])


@settings(max_examples=10)
@given(data=st.data())
def test_scatter_reduce_of_a_0d_tensor(data):
    x, src = (data.draw(mst.arrays("float64", ()), label=name) for name in ("x", "src"))
    reduce = data.draw(st.sampled_from(REDUCTIONS), label="reduce")
    check_parity(data, lambda lib, x, src: x.scatter_reduce(0, lib.tensor(0), src, reduce), [x, src])


def test_index_fill_counts_negative_positions_from_the_end():
    check_parity(None, lambda lib, x: x.index_fill(1, lib.tensor([-1, 0]), 7.0), [np.arange(6.0).reshape(2, 3)],
                 requires_grad=[False])


@settings(max_examples=10)
@given(data=st.data())
def test_index_copy_between_a_vector_and_a_0d_tensor(data):
    def copy(lib, x, y):
        return x.index_copy(0, lib.tensor([1]), y[0]), y[0].index_copy(0, lib.tensor([0]), x[:1])

    x, y = (data.draw(mst.arrays("float64", (n,)), label=f"{n} elements") for n in (3, 2))
    check_parity(data, copy, [x, y])


def test_masked_scatter_of_an_integer_tensor():
    x, source = np.arange(6).reshape(2, 3), np.arange(10, 16)
    check_parity(None, lambda lib, x, m, s: x.masked_scatter(m, s), [x, np.array([True, False, True]), source])


SECOND_ORDER = {  # writes whose gradient rules also run on recorded tensors (create_graph=True)
    "index_copy": lambda lib, x, s: x.index_copy(0, lib.tensor([2, 0]), s * x[:2]),
    "put": lambda lib, x, s: x.put(lib.tensor([2, -3]), s * x[:2]),
    "put accumulating": lambda lib, x, s: x.put(lib.tensor([2, 2]), s * x[:2], accumulate=True),
    "masked_scatter": lambda lib, x, s: x.masked_scatter(lib.tensor([True, False, True]), s * x[:2]),
    "select_scatter": lambda lib, x, s: lib.select_scatter(x, (s * x[:2]).sum(), 0, 1),
    "diagonal_scatter": lambda lib, x, s: lib.diagonal_scatter(x.reshape(1, 3), (s * x[:2])[:1]),
    "index_fill": lambda lib, x, s: x.index_fill(0, lib.tensor([1]), (s * x[:2]).sum()),
    "scatter_reduce sum": lambda lib, x, s: x.scatter_reduce(0, lib.tensor([0, 0]), s * x[:2], "sum"),
    "scatter_reduce mean": lambda lib, x, s: x.scatter_reduce(0, lib.tensor([0, 2]), s * x[:2], "mean"),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_gradients(name):
    """d/ds of the gradient of sum(op(x, s)**2) with respect to x, as torch computes it."""
    def program(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        s = lib.tensor([2.0, -5.0], dtype=lib.float64, requires_grad=True)
        (grad_x,) = lib.autograd.grad((SECOND_ORDER[name](lib, x, s) ** 2).sum(), x, create_graph=True)
        (grad_s,) = lib.autograd.grad((grad_x * lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64)).sum(), s)
        return grad_x, grad_s

    assert_same_as_torch(program)


ERRORS = {
    "index_fill: a float index": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([0.0]), 1.0),
    "index_fill: an int32 index": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([0], dtype=lib.int32), 1.0),
    "index_fill: a 2-d index": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([[0]]), 1.0),
    "index_fill: an index out of range": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([3]), 1.0),
    "index_fill: below the range": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([-4]), 1.0),
    "index_fill: a 1-d value": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([0]), lib.ones(2)),
    "index_fill: a bad dim": lambda lib: lib.ones(2, 3).index_fill(2, lib.tensor([0]), 1.0),
    "index_fill: a string value": lambda lib: lib.ones(2, 3).index_fill(1, lib.tensor([0]), "1"),
    "index_copy: too few slices": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0, 1]), lib.ones(2, 3)),
    "index_copy: another dtype": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0]), lib.ones(2, 1).long()),
    "index_copy: out of range": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0, 5]), lib.ones(2, 2)),
    "index_copy: negative": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([-1]), lib.ones(2, 1)),
    "index_copy: a 2-d index": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([[0]]), lib.ones(2, 1)),
    "index_copy: an int32 index": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0], dtype=lib.int32),
                                                                        lib.ones(2, 1)),
    "index_copy: other slices": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0]), lib.ones(3, 1)),
    "index_copy: fewer dims": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0]), lib.ones(2)),
    "index_copy: a 0-d source into a matrix": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0]),
                                                                                   lib.tensor(1.0)),
    "index_copy: a number": lambda lib: lib.ones(2, 3).index_copy(1, lib.tensor([0]), 1.0),
    "masked_scatter: too short a source": lambda lib: lib.ones(2, 3).masked_scatter(lib.ones(2, 3) > 0, lib.ones(5)),
    "masked_scatter: a float mask": lambda lib: lib.ones(2, 3).masked_scatter(lib.ones(3), lib.ones(6)),
    "masked_scatter: another dtype": lambda lib: lib.ones(2, 3).masked_scatter(lib.ones(3) > 0, lib.ones(6).long()),
    "masked_scatter: shapes that clash": lambda lib: lib.ones(2, 3).masked_scatter(lib.ones(2, 2) > 0, lib.ones(6)),
    "masked_scatter_: a wider mask": lambda lib: lib.ones(2, 3).masked_scatter_(lib.ones(2, 2, 3) > 0, lib.ones(12)),
    "scatter_reduce: an unknown reduction": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([0]), lib.ones(1),
                                                                                   "add"),
    "scatter_reduce: another dtype": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([0]), lib.ones(1).long(),
                                                                            "sum"),
    "scatter_reduce: a number": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([0]), 2.0, "sum"),
    "scatter_reduce: out of range": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([3]), lib.ones(1), "amax"),
    "scatter_reduce: an index of fewer dims": lambda lib: lib.ones(2, 2).scatter_reduce(0, lib.tensor([0]),
                                                                                         lib.ones(1), "sum"),
    "scatter_reduce: an index larger than src": lambda lib: lib.ones(2, 3).scatter_reduce(
        1, lib.tensor([[0, 1]]), lib.ones(1, 1), "sum"),
    "index_reduce: sum": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([0]), lib.ones(1), "sum"),
    "index_reduce: out of range": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([3]), lib.ones(1), "prod"),
    "index_reduce: negative": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([-1]), lib.ones(1), "prod"),
    "index_reduce: too few slices": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([0, 1]), lib.ones(1), "mean"),
    "index_reduce: another dtype": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([0]), lib.ones(1).long(),
                                                                        "amin"),
    "index_reduce: a 2-d index": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([[0]]), lib.ones(1), "amax"),
    "index_reduce: a float index": lambda lib: lib.ones(3).index_reduce(0, lib.tensor([0.0]), lib.ones(1), "amax"),
    "index_reduce: other slices": lambda lib: lib.ones(3, 2).index_reduce(0, lib.tensor([0]), lib.ones(1, 3), "prod"),
    "put: an index out of range": lambda lib: lib.ones(2, 3).put(lib.tensor([6]), lib.ones(1)),
    "put: an index below the range": lambda lib: lib.ones(2, 3).put(lib.tensor([-7]), lib.ones(1)),
    "put: more values than positions": lambda lib: lib.ones(2, 3).put(lib.tensor([1, 2]), lib.ones(3)),
    "put: another dtype": lambda lib: lib.ones(2, 3).put(lib.tensor([1]), lib.ones(1).long()),
    "put: a float index": lambda lib: lib.ones(2, 3).put(lib.tensor([1.0]), lib.ones(1)),
    "put: a number": lambda lib: lib.ones(2, 3).put(lib.tensor([1]), 2.0),
    "put: into an empty tensor": lambda lib: lib.ones(0).put(lib.tensor([0]), lib.ones(1)),
    "put_: an index out of range": lambda lib: lib.ones(3).put_(lib.tensor([3]), lib.ones(1), accumulate=True),
    "select_scatter: an index out of range": lambda lib: lib.select_scatter(lib.ones(3, 4), lib.ones(4), 0, 3),
    "select_scatter: a src of another shape": lambda lib: lib.select_scatter(lib.ones(3, 4), lib.ones(1, 4), 0, 0),
    "select_scatter: into a 0-d tensor": lambda lib: lib.select_scatter(lib.tensor(1.0), lib.tensor(5.0), 0, 0),
    "select_scatter: a number": lambda lib: lib.select_scatter(lib.ones(3), 1.0, 0, 0),
    "select_scatter: a bad dim": lambda lib: lib.select_scatter(lib.ones(3), lib.tensor(1.0), 1, 0),
    "slice_scatter: a zero step": lambda lib: lib.slice_scatter(lib.ones(3, 4), lib.ones(3, 2), 1, 0, None, 0),
    "slice_scatter: a negative step": lambda lib: lib.slice_scatter(lib.ones(3, 4), lib.ones(3, 2), 1, None, None, -1),
    "slice_scatter: a src of another shape": lambda lib: lib.slice_scatter(lib.ones(3, 4), lib.ones(3, 3), 1, 0,
                                                                           None, 2),
    "diagonal_scatter: a src of another length": lambda lib: lib.diagonal_scatter(lib.ones(3, 4), lib.ones(2), 1),
    "diagonal_scatter: the same dim twice": lambda lib: lib.diagonal_scatter(lib.ones(3, 4), lib.ones(3), 0, 1, -1),
    "diagonal_scatter: a vector": lambda lib: lib.diagonal_scatter(lib.ones(3), lib.ones(3)),
}


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    assert_raises_like_torch(ERRORS[name])
