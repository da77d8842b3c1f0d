"""Corners of the tensor API that torch programs reach and the per-op tests do not: unusual
but legal arguments (keyword sizes, empty dim lists, empty tensors, NaN in sorts), autograd
details (what sum saves, the dtype of a backward seed, copy_ from a graph tensor) and the
exception types of common mistakes. Each test runs torch in the same test as the oracle."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import (assert_close, assert_raises_like_torch, assert_same_as_torch, check_parity, from_torch,
                              torch_or_skip)
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()


# ------------------------------------------------------------------ empty tensors
@st.composite
def empty_shape_and_full_dims(draw):
    """A shape with one zero-size axis, and a dim tuple over axes of non-zero size only."""
    shape = list(draw(mst.shapes(min_dims=2, max_dims=3)))
    zero = draw(st.integers(0, len(shape) - 1))
    shape[zero] = 0
    others = [a for a in range(len(shape)) if a != zero]
    dims = draw(st.lists(st.sampled_from(others), min_size=1, max_size=len(others), unique=True))
    negative = draw(st.booleans())
    return tuple(shape), tuple(d - len(shape) if negative else d for d in dims)


@cases.add
def extremum_of_empty_tensor_over_full_dims(draw):
    """amax/amin of an empty tensor are fine over axes that are not empty (an empty result)."""
    shape, dims = draw(empty_shape_and_full_dims())
    name = draw(st.sampled_from(["amax", "amin"]))
    keepdim = draw(st.booleans())
    return (lambda lib, x: getattr(x, name)(dim=dims, keepdim=keepdim)), [np.zeros(shape)]


@cases.add
def logsumexp_over_empty_axis(draw):
    """The log of an empty sum of exponentials is -inf, as in torch, not a NumPy error."""
    shape = list(draw(mst.shapes(min_dims=1, max_dims=3)))
    axis = draw(st.integers(0, len(shape) - 1))
    shape[axis] = 0
    keepdim = draw(st.booleans())
    return (lambda lib, x: lib.logsumexp(x, dim=axis, keepdim=keepdim)), [np.zeros(shape)]


@cases.add
def empty_list_index(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1)))
    return (lambda lib, x: x[[]]), [x]


@pytest.mark.parametrize("name", ["amax", "amin"])
def test_extremum_over_an_empty_axis_raises_like_torch(name):
    error, _ = assert_raises_like_torch(lambda lib: getattr(lib.zeros(0, 3), name)(0))
    assert "dim 0" in str(error)


# ------------------------------------------------------------------ reductions: dim forms
@cases.add
def reduction_over_empty_dim_list(draw):
    """dim=() or dim=[] reduces over every axis, as torch does for sum, mean, amax and amin."""
    name = draw(st.sampled_from(["sum", "mean", "amax", "amin"]))
    x = draw(mst.arrays("float64", mst.shapes(), elements=st.sampled_from([-1.0, 0.5, 2.0]) | mst.reals()))
    empty = draw(st.sampled_from([(), []]))
    keepdim = draw(st.booleans())
    return (lambda lib, x: getattr(x, name)(dim=empty, keepdim=keepdim)), [x]


@cases.add
def var_and_std_with_mean(draw):
    """torch.var_mean / std_mean: the spread (with unbiased or correction) and the mean at once."""
    name = draw(st.sampled_from(["var_mean", "std_mean"]))
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, min_side=2)))
    dim = draw(mst.dims(x.ndim))
    keepdim = draw(st.booleans())
    if draw(st.booleans()):
        correction = draw(st.integers(0, 1))
        return (lambda lib, x: getattr(lib, name)(x, dim=dim, keepdim=keepdim, correction=correction)), [x]
    unbiased = draw(st.booleans())
    return (lambda lib, x: getattr(lib, name)(x, dim, unbiased, keepdim)), [x]


@cases.add
def max_min_with_other_by_name(draw):
    shape_x, shape_y = draw(mst.broadcastable_pairs())
    x = draw(mst.arrays("float64", shape_x))
    y = draw(mst.arrays("float64", shape_y))
    name = draw(st.sampled_from(["max", "min"]))
    return (lambda lib, x, y: getattr(lib, name)(x, other=y)), [x, y]


# ------------------------------------------------------------------ sorting with NaN
@cases.add
def sort_and_topk_put_nan_first_when_descending(draw):
    """torch orders NaN above every number: first in a descending sort and in topk(largest)."""
    if draw(st.booleans()):  # a stable sort orders ties (NaN among them) by position
        values = st.sampled_from([np.nan, -np.inf, np.inf, 0.0, 1.0, -2.0]) | mst.reals()
        x = draw(mst.arrays("float64", mst.shapes(min_dims=1), elements=values))
        dim = draw(mst.dim(x.ndim))
        descending = draw(st.booleans())
        return (lambda lib, x: x.sort(dim=dim, descending=descending, stable=True)), [x]
    # topk does not promise an order among ties: distinct values and one NaN
    # values exact in float32 too, so that they stay distinct in the float32 run
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1), elements=mst.reals(width=32), unique=True))
    x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    dim = draw(mst.dim(x.ndim))
    k = draw(st.integers(0, x.shape[dim]))
    largest = draw(st.booleans())
    return (lambda lib, x: x.topk(k, dim=dim, largest=largest)), [x]


# ------------------------------------------------------------------ sizes by name
@st.composite
def sizes_by_name(draw):
    """(method, keyword, value, input shape) for the shape methods that take their sizes by name."""
    shape = draw(mst.shapes(min_dims=1, max_dims=3))
    form = draw(st.sampled_from(["reshape", "view", "expand", "repeat", "permute", "flip"]))
    if form in ("reshape", "view"):
        return form, "shape" if form == "reshape" else "size", (-1,) + shape[1:], shape
    if form == "expand":
        return form, "size", (2,) + tuple(-1 for _ in shape), shape
    if form == "repeat":
        return form, "repeats", tuple(draw(st.integers(1, 2)) for _ in range(len(shape) + 1)), shape
    order = tuple(draw(st.permutations(range(len(shape)))))
    return form, "dims", order if form == "permute" else order[:1], shape


@cases.add
def shape_methods_with_sizes_by_name(draw):
    form, keyword, value, shape = draw(sizes_by_name())
    x = draw(mst.arrays("float64", shape))
    return (lambda lib, x: getattr(x, form)(**{keyword: value})), [x]


# ------------------------------------------------------------------ assignment and copy_
@cases.add
def copy_from_a_tensor_that_requires_grad(draw):
    """dst.copy_(src) with src in the graph: dst joins the graph and src gets the gradient,
    summed over broadcast axes and cast back to src's dtype."""
    shape_dst = draw(mst.shapes(min_dims=1))
    shape_src = draw(mst.shapes_broadcasting_to(shape_dst))
    src = draw(mst.arrays("float64", shape_src))
    dst_dtype = draw(st.sampled_from(["float32", "float64"]))

    def copy(lib, src):
        dst = lib.zeros(shape_dst, dtype=getattr(lib, dst_dtype))
        return dst.copy_(src * 2)
    return copy, [src], [True]


@st.composite
def scatter_positions(draw):
    """(shape, dim, index): an index array of the input's rank, no larger than it, in range."""
    shape = draw(mst.shapes(min_dims=1, max_dims=3))
    dim = draw(mst.dim(len(shape)))
    index_shape = tuple(draw(st.integers(1, n)) for n in shape)
    index = draw(mst.arrays("int64", index_shape, elements=st.integers(0, shape[dim] - 1)))
    return shape, dim, index


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")  # torch's deprecation notice
@given(data=st.data())
def test_scatter_with_reduce_add_adds(data):
    """scatter(..., reduce="add") adds at the index (torch has no gradient for it: values only)."""
    shape, dim, index = data.draw(scatter_positions())
    x = data.draw(mst.arrays("float64", shape))
    src = data.draw(st.sampled_from([1.5, -2.0]) | mst.arrays("float64", index.shape).map(torch.from_numpy))
    ours = minigrad.tensor(x).scatter(dim, minigrad.tensor(index), from_torch(src) if torch.is_tensor(src) else src,
                                      reduce="add")
    theirs = torch.tensor(x).scatter(dim, torch.tensor(index), src, reduce="add")
    assert_close(ours, from_torch(theirs))


@cases.add
def masked_fill_keeps_the_dtype(draw):
    """A float value in an integer tensor is truncated, not a reason to upcast the result."""
    x = draw(mst.arrays(draw(st.sampled_from(["int64", "int32"])), mst.shapes(), elements=mst.integers()))
    mask = draw(mst.arrays("bool", x.shape))
    value = draw(st.sampled_from([2.5, -2.7, 3, True]))
    return (lambda lib, x, mask: x.masked_fill(mask, value)), [x, mask]


@cases.add
def overwriting_a_graph_tensor(draw):
    """zero_ / fill_ on a tensor in the graph keep it there, sending a zero gradient back."""
    x = draw(mst.arrays("float64", mst.shapes()))
    name = draw(st.sampled_from(["zero_", "fill_"]))

    def overwrite(lib, x):
        y = x * 2
        return y.zero_() if name == "zero_" else y.fill_(1.5)
    return overwrite, [x], [True]


@st.composite
def mixed_index_assignment(draw):
    """An index of ints and index lists separated by a slice (torch keeps the picked axis in
    place), with a value of exactly the indexed shape."""
    shape = draw(mst.shapes(min_dims=3, max_dims=3, min_side=2))
    picks = draw(st.lists(st.integers(0, shape[2] - 1), min_size=1, max_size=3, unique=True))
    first = draw(st.integers(-shape[0], shape[0] - 1))
    return shape, (first, slice(None), picks), (shape[1], len(picks))


@given(data=st.data())
def test_assignment_with_ints_and_lists_in_the_graph(data):
    """y[0, :, [i, j]] = v on a graph tensor writes where torch writes; both get gradients."""
    shape, index, value_shape = data.draw(mixed_index_assignment())

    def assign(lib, x, v):
        y = x * 1
        y[index] = v
        return y
    x = data.draw(mst.arrays("float64", shape))
    v = data.draw(mst.arrays("float64", value_shape))
    check_parity(data, assign, [x, v], [True, True])


def test_assignment_of_a_mismatched_shape_raises_like_torch():
    def assign(lib):
        x = lib.zeros(3, 4)
        x[:2] = lib.ones(3, 1)
    error, _ = assert_raises_like_torch(assign)
    assert "[3, 1]" in str(error) and "[2, 4]" in str(error)


def test_negative_slice_step_raises_like_torch():
    error, _ = assert_raises_like_torch(lambda lib: lib.zeros(3, 4)[::-1])
    assert "step" in str(error)


# ------------------------------------------------------------------ autograd details
@given(data=st.data())
def test_sum_and_mean_save_nothing(data):
    """Like torch, sum and mean keep no input values for backward: backward twice without
    retain_graph, and changing the input in place afterwards, are both fine."""
    x_np = data.draw(mst.arrays("float64", mst.shapes()))
    name = data.draw(st.sampled_from(["sum", "mean"]))
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor(x_np, requires_grad=True)
        y = x + 1
        total = getattr(y, name)()
        with lib.no_grad():
            y.mul_(3)  # an in-place change after the reduction: its backward does not need y
        total.backward()
        total.backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1])


@given(data=st.data())
def test_backward_seed_takes_the_dtype_of_its_tensor(data):
    """A float64 gradient given to backward() of a float32 result gives float32 gradients, also
    where they reach the input through indexing (a sparse gradient) or directly (a leaf)."""
    x_np = data.draw(mst.arrays("float32", mst.shapes(min_dims=1)))
    index = data.draw(st.lists(st.integers(0, x_np.shape[0] - 1), min_size=1, max_size=4))
    direct = data.draw(st.booleans())
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor(x_np, requires_grad=True)
        y = x if direct else x[index]
        y.backward(lib.ones(tuple(y.shape), dtype=lib.float64))
        grads.append(x.grad)
    assert_close(grads[0], grads[1])


# ------------------------------------------------------------------ creation
@given(data=st.data())
def test_tensor_keeps_float64_of_numpy_scalars_inside_lists(data):
    values = data.draw(st.lists(mst.reals(), min_size=1, max_size=4))
    position = data.draw(st.integers(0, len(values) - 1))
    mixed = [np.float64(v) if i == position else float(v) for i, v in enumerate(values)]
    assert_close(minigrad.tensor(mixed), from_torch(torch.tensor(mixed)))
    assert_close(minigrad.tensor([mixed]), from_torch(torch.tensor([mixed])))


@given(high=st.integers(1, 10), size=mst.shapes(max_dims=3))
def test_randint_with_size_by_name(high, size):
    ours, theirs = minigrad.randint(high, size=size), torch.randint(high, size=size)
    assert ours.shape == theirs.shape and ours.dtype == minigrad.int64
    assert ((ours >= 0) & (ours < high)).all()


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(-1),
    lambda lib: lib.ones(2, -3),
    lambda lib: lib.rand(-1),
    lambda lib: lib.full((-1,), 2.0),
    lambda lib: lib.zeros(2.5),
    lambda lib: lib.randn(2.0),
    lambda lib: lib.zeros((2, 3.0)),
    lambda lib: lib.zeros(3).view(1.5, 2),
], ids=["zeros-negative", "ones-negative", "rand-negative", "full-negative", "zeros-float", "randn-float",
        "zeros-float-in-tuple", "view-float"])
def test_bad_sizes_raise_like_torch(make):
    assert_raises_like_torch(make)


# ------------------------------------------------------------------ memory: views, copies, strides
@cases.add
def diagonal_of_any_two_dims(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=2)))
    distinct = st.lists(mst.dim(x.ndim), min_size=2, max_size=2).filter(lambda d: d[0] % x.ndim != d[1] % x.ndim)
    dim1, dim2 = draw(distinct)
    offset = draw(st.integers(-5, 5))
    return (lambda lib, x: x.diagonal(offset=offset, dim1=dim1, dim2=dim2)), [x]


VIEW_OR_COPY = {
    "diagonal": lambda x: x.diagonal(1),     # a view
    "diag": lambda x: x.diag(),              # a copy
    "flip": lambda x: x.flip(0),             # a copy in torch
    "transpose": lambda x: x.transpose(0, 1),  # a view
    "slice": lambda x: x[:, 1:],               # a view
    "roll": lambda x: x.roll(1, 0),            # a copy
}


@pytest.mark.parametrize("name", sorted(VIEW_OR_COPY))
def test_writing_into_a_result_changes_the_input_only_for_views(name):
    inputs = []
    for lib in (minigrad, torch):
        x = lib.arange(12.0).reshape(3, 4)
        VIEW_OR_COPY[name](x).add_(100)
        inputs.append(x)
    assert_close(inputs[0], from_torch(inputs[1]))


STRIDED = {
    "contiguous": lambda x: x,
    "transposed": lambda x: x.transpose(0, 2),
    "stepped": lambda x: x[:, ::2],
    "expanded": lambda x: x.expand(5, 2, 3, 4),
    "scalar": lambda x: x[0, 0, 0],
}


@pytest.mark.parametrize("name", sorted(STRIDED))
def test_stride_counts_elements_like_torch(name):
    ours = STRIDED[name](minigrad.arange(24).reshape(2, 3, 4))
    theirs = STRIDED[name](torch.arange(24).reshape(2, 3, 4))
    assert ours.stride() == theirs.stride()
    dims = range(-ours.ndim, ours.ndim)
    assert [ours.stride(d) for d in dims] == [theirs.stride(d) for d in dims]


def test_data_ptr_is_shared_by_views_only():
    x = minigrad.zeros(3, 4)
    assert x.view(-1).data_ptr() == x.data_ptr() == x[0].data_ptr()
    assert x.clone().data_ptr() != x.data_ptr() and x[1].data_ptr() != x.data_ptr()


# ------------------------------------------------------------------ legacy typed constructors
LEGACY_NAMES = ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor"]


@given(name=st.sampled_from(LEGACY_NAMES), values=st.lists(st.integers(0, 3), max_size=4),
       shape=mst.shapes(min_dims=1, max_dims=3))
def test_legacy_tensor_types_make_their_dtype(name, values, shape):
    """torch.LongTensor([1, 2]) holds int64 and torch.FloatTensor(2, 3) is a float32 2x3 tensor."""
    assert_close(getattr(minigrad, name)(values), from_torch(getattr(torch, name)(values)))
    assert getattr(minigrad, name)(*shape).dtype == from_torch(getattr(torch, name)(*shape)).dtype
    assert getattr(minigrad, name)(*shape).shape == getattr(torch, name)(*shape).shape


@given(source=st.sampled_from(["float32", "float64", "int64", "int32", "bool"]), name=st.sampled_from(LEGACY_NAMES))
def test_type_names_and_casts_like_torch(source, name):
    ours, theirs = minigrad.ones(2, dtype=getattr(minigrad, source)), torch.ones(2, dtype=getattr(torch, source))
    assert ours.type().split(".")[-1] == theirs.type().split(".")[-1]
    assert isinstance(ours, getattr(minigrad, name)) == isinstance(theirs, getattr(torch, name))
    assert_close(ours.type(getattr(minigrad, name)), from_torch(theirs.type(getattr(torch, name))))
    assert_close(ours.type(f"torch.{name}"), from_torch(theirs.type(f"torch.{name}")))


# ------------------------------------------------------------------ conversions and misuse
@pytest.mark.parametrize("convert", [float, int], ids=["float", "int"])
def test_python_number_of_several_elements_raises_like_torch(convert):
    error, _ = assert_raises_like_torch(lambda lib: convert(lib.ones(3)))
    assert "3 elements" in str(error)


@pytest.mark.parametrize("name", ["cat", "stack"])
def test_joining_a_single_tensor_raises_like_torch(name):
    """cat(x) by mistake for cat([x, y]) must not quietly iterate over x's rows."""
    assert_raises_like_torch(lambda lib: getattr(lib, name)(lib.ones(3, 4)))


test_parity = cases.test()



@pytest.mark.parametrize("program", [
    lambda T: T.ones(2) == None,  # noqa: E711  (the comparison itself is under test)
    lambda T: T.ones(2) != None,  # noqa: E711
    lambda T: None == T.ones(2),  # noqa: E711
    lambda T: T.ones(2) == [1, 1],
    lambda T: T.ones(2) == "a",
    lambda T: T.ones(2) < None,
    lambda T: T.ones(2) >= [1, 1],
    lambda T: T.ones(2).eq(None),
    lambda T: T.lt(T.ones(2), [1, 1]),
    lambda T: (lambda x: [x in [None, "a", x], [None, "a", x].index(x)])(T.ones(2)),
    lambda T: [T.ones(2) == 1, T.ones(2) <= np.float32(2), 1 < T.ones(2), T.ones(2) == np.ones(2)],
])
def test_comparing_with_what_is_not_a_tensor_number_or_array_as_torch(program):
    """The operators answer NotImplemented (x == None is False, x < None a TypeError, a tensor
    is found in a list holding None); the functions raise TypeError."""
    assert_same_as_torch(program)


_NUMBER_FIRST = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "pow",
                 "remainder", "bitwise_and", "bitwise_or", "bitwise_xor", "xlogy"]
_TENSOR_FIRST = ["fmod", "atan2", "maximum", "minimum", "eq", "lt", "ge", "hypot", "matmul"]


_BITWISE = ("bitwise_and", "bitwise_or", "bitwise_xor")
_NUMBER_CASES = [(name, number, dtype) for name in _NUMBER_FIRST + _TENSOR_FIRST for number in (2, 2.5, True)
                 for dtype in ("int64", "int32", "float32")
                 if not (name in _BITWISE and (dtype == "float32" or number == 2.5))]  # (no bitwise ops on floats)


@pytest.mark.parametrize("name, number, dtype", _NUMBER_CASES)
def test_function_forms_with_a_number_first_as_torch(name, number, dtype):
    """torch.add(2, t) takes the number as a 0-d tensor (its promotion included); the functions
    torch refuses a number for raise its TypeError, not an AttributeError from inside."""
    def program(T):
        result = getattr(T, name)(number, T.tensor([3, -2], dtype=getattr(T, dtype)))
        return result, str(result.dtype).split(".")[-1]
    assert_same_as_torch(program)


@pytest.mark.parametrize("program", [
    lambda T: T.arange(6.0).split(split_size=2),
    lambda T: T.arange(6.0).tensor_split(sections=3),
    lambda T: T.arange(6.0).tensor_split(indices=[1]),
    lambda T: T.concatenate([T.arange(6.0), T.arange(6.0)], axis=0),
    lambda T: T.arange(6.0).reshape(2, 3).swapaxes(axis0=0, axis1=1),
    lambda T: [T.arange(6.0).reshape(2, 3).swapdims(0, 1), T.swapdims(T.arange(6.0).reshape(2, 3), 1, 0)],
    lambda T: T.repeat_interleave(T.tensor([1, 0, 3])),
    lambda T: T.repeat_interleave(T.tensor([1.0, 2.0])),
    lambda T: T.repeat_interleave(T.arange(2.0), 2, dim=0, output_size=4),
    lambda T: T.arange(2.0).repeat_interleave(2, output_size=5),
    lambda T: [T.tensor([5]).div_(2, rounding_mode="floor"), T.tensor([-5.0]).div_(2, rounding_mode="trunc")],
    lambda T: T.tensor([5]).div_(2.5, rounding_mode="floor"),
    lambda T: T.arange(6.0).split(),
])
def test_torchs_other_argument_names_and_forms(program):
    """Keyword names and overloads torch has besides the common positional form."""
    assert_same_as_torch(program)
