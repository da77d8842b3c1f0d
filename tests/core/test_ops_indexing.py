"""Torch parity of indexing and selection: __getitem__ (ints, slices, steps, None, Ellipsis,
integer tensors and lists with duplicates, bool masks), __setitem__, masked_fill, gather,
scatter, sort and topk."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_same_as_torch, method_or_function, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()
# Values that are still distinct after the cast to float32 (the float32 run casts them).
DISTINCT_IN_FLOAT32 = mst.reals(width=32)


@cases.add
def getitem_basic(draw):
    """Ints (negative too), slices with steps, None and Ellipsis."""
    x = draw(mst.arrays("float64", mst.shapes(max_dims=4)))
    index = draw(mst.indices(x.shape))
    return (lambda lib, x: x[index]), [x]


def _positions(size):
    """Integer indices into an axis of `size`: negative ones and duplicates included."""
    return st.lists(st.integers(-size, size - 1), min_size=0, max_size=5)


@cases.add
def getitem_integer_arrays(draw):
    """Integer tensors or lists pick elements along an axis; duplicates accumulate gradients."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    axis = draw(st.integers(0, x.ndim - 1))
    positions = draw(_positions(x.shape[axis]).filter(bool))
    lead = (slice(None),) * axis
    if draw(st.booleans()):
        return (lambda lib, x: x[lead + (positions,)]), [x]  # a Python list
    index = np.array(positions, dtype=draw(st.sampled_from([np.int64, np.int32])))
    return (lambda lib, x, i: x[lead + (i,)]), [x, index]


@cases.add
def getitem_two_integer_arrays(draw):
    """x[i, j] with broadcast index tensors picks x[i[k], j[k]] (pairs may repeat)."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=2, max_dims=3)))
    i_shape, j_shape = draw(mst.broadcastable_pairs(max_dims=2))
    i = draw(mst.arrays("int64", i_shape, elements=st.integers(-x.shape[0], x.shape[0] - 1)))
    j = draw(mst.arrays("int64", j_shape, elements=st.integers(-x.shape[1], x.shape[1] - 1)))
    return (lambda lib, x, i, j: x[i, j]), [x, i, j]


class _TensorSlot:
    """Stands for the i-th index tensor in an index under construction."""

    def __init__(self, i):
        self.i = i


def _mixed_index(draw, shape, distinct=False):
    """Parts of an index mixing integer tensors (as _TensorSlot) with ints, slices and None.

    distinct=True: no position repeats within a tensor (so no element is picked twice).
    """
    picks = draw(st.integers(1, min(shape) if distinct else 3))  # every integer tensor has this many entries

    def positions(n):
        if distinct:
            chosen = draw(st.lists(st.integers(0, n - 1), min_size=picks, max_size=picks, unique=True))
            return np.array([draw(st.sampled_from([p, p - n])) for p in chosen])
        return np.array(draw(st.lists(st.integers(-n, n - 1), min_size=picks, max_size=picks)))

    parts, index_arrays = [], []
    for n in shape[:draw(st.integers(1, len(shape)))]:
        if draw(st.integers(0, 3)) == 0:
            parts.append(None)
        kind = draw(st.sampled_from(["slice", "int", "tensor"]))
        if kind == "tensor":
            parts.append(_TensorSlot(len(index_arrays)))
            index_arrays.append(positions(n))
        elif kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        else:
            parts.append(slice(draw(st.none() | st.integers(0, n)), None, draw(st.none() | st.integers(1, 2))))
    if not index_arrays:  # the last part that addresses an axis becomes an integer tensor
        last = max(k for k, p in enumerate(parts) if p is not None)
        n = shape[sum(p is not None for p in parts[:last])]
        parts[last] = _TensorSlot(0)
        index_arrays.append(positions(n))
    return parts, index_arrays


def _fill_slots(parts, tensors):
    return tuple(tensors[p.i] if isinstance(p, _TensorSlot) else p for p in parts)


@cases.add
def getitem_mixed(draw):
    """Integer tensors next to ints, slices and None: torch applies the ints and None first."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=2, max_dims=4, max_side=3)))
    parts, index_arrays = _mixed_index(draw, x.shape)
    return (lambda lib, x, *tensors: x[_fill_slots(parts, tensors)]), [x, *index_arrays]


@cases.add
def setitem_mixed(draw):
    """__setitem__ through a mixed index writes where the same index reads."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=2, max_dims=4, max_side=3)))
    # Distinct positions, so that no element is written twice (torch leaves the winner unspecified).
    parts, index_arrays = _mixed_index(draw, x.shape, distinct=True)
    target = torch.zeros(x.shape)[_fill_slots(parts, [torch.tensor(a) for a in index_arrays])].shape
    value = draw(mst.arrays("float64", draw(mst.shapes_broadcasting_to(tuple(target)))))

    def assign(lib, x, value, *tensors):
        out = x.clone()
        out[_fill_slots(parts, tensors)] = value
        return out

    return assign, [x, value, *index_arrays], [False] * (2 + len(index_arrays))


@cases.add
def getitem_mask(draw):
    """A bool mask over all of x or over its leading dims selects elements or rows."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    lead = draw(st.integers(1, x.ndim))
    mask = draw(mst.arrays("bool", x.shape[:lead]))
    return (lambda lib, x, mask: x[mask]), [x, mask]


@cases.add
def setitem(draw):
    """__setitem__ on a tensor that does not require grad, with a number or a broadcast tensor."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    index = draw(st.one_of(mst.indices(x.shape, allow_none=False),
                           _positions(x.shape[0]).map(lambda p: np.array(sorted(set(p)), dtype=np.int64))))
    target_shape = x[index].shape
    if draw(st.booleans()):
        value = draw(mst.reals())
    else:
        value = draw(mst.arrays("float64", draw(mst.shapes_broadcasting_to(target_shape))))

    def assign(lib, x, value):
        out = x.detach().clone()
        out[lib.tensor(index) if isinstance(index, np.ndarray) else index] = value
        return out

    return assign, [x, value], [False, False]


@cases.add
def setitem_mask(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    mask = draw(mst.arrays("bool", x.shape))
    value = draw(mst.reals())

    def assign(lib, x, mask):
        out = x.clone()
        out[mask] = value
        return out

    return assign, [x, mask], [False, False]


@cases.add
def masked_fill(draw):
    """masked_fill with a broadcast mask and a number or a 0-d tensor (which gets a gradient)."""
    x_shape = draw(mst.shapes())
    mask = draw(mst.arrays("bool", draw(mst.broadcastable_shapes(x_shape))))
    x = draw(mst.arrays("float64", x_shape))
    value = draw(mst.reals()) if draw(st.booleans()) else draw(mst.arrays("float64", ()))
    form = draw(method_or_function("masked_fill"))
    return (lambda lib, x, mask, value: form(lib, x, mask, value)), [x, mask, value]


@cases.add
def gather(draw):
    """gather along dim: index sizes up to x's on the other dims, any size along dim, repeats allowed."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    axis = dim % x.ndim
    shape = tuple(draw(st.integers(1, 4)) if a == axis else draw(st.integers(1, n)) for a, n in enumerate(x.shape))
    index = draw(mst.arrays("int64", shape, elements=st.integers(0, x.shape[axis] - 1)))
    form = draw(method_or_function("gather"))
    return (lambda lib, x, index: form(lib, x, dim, index)), [x, index]


@cases.add
def scatter(draw):
    """scatter of a src tensor or a number; each target position is written at most once."""
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3)))
    dim = draw(mst.dim(x.ndim))
    axis = dim % x.ndim
    # Distinct targets along dim: the first k entries of random permutations.
    k = draw(st.integers(1, x.shape[axis]))
    shape = tuple(k if a == axis else draw(st.integers(1, n)) for a, n in enumerate(x.shape))
    keys = draw(mst.arrays("float64", shape[:axis] + (x.shape[axis],) + shape[axis + 1:], unique=True))
    index = np.take(np.argsort(keys, axis=axis), np.arange(k), axis=axis)
    form = draw(method_or_function("scatter"))
    if draw(st.booleans()):
        value = draw(mst.reals())
        return (lambda lib, x, index: form(lib, x, dim, index, value=value)), [x, index]
    src = draw(mst.arrays("float64", shape))
    return (lambda lib, x, index, src: form(lib, x, dim, index, src)), [x, index, src]


@cases.add
def sort(draw):
    """sort along a dim of distinct values: values (differentiable) and indices."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=DISTINCT_IN_FLOAT32, unique=True))
    dim = draw(mst.dim(x.ndim))
    descending = draw(st.booleans())
    form = draw(method_or_function("sort"))
    return (lambda lib, x: form(lib, x, dim, descending=descending)), [x]


@cases.add
def topk(draw):
    x = draw(mst.arrays("float64", mst.shapes(), elements=DISTINCT_IN_FLOAT32, unique=True))
    dim = draw(mst.dim(x.ndim))
    k = draw(st.integers(0, x.shape[dim] if x.ndim else 1))
    largest = draw(st.booleans())
    form = draw(method_or_function("topk"))
    return (lambda lib, x: form(lib, x, k, dim, largest=largest)), [x]


@cases.add
def sort_and_topk_values_with_ties(draw):
    """With ties the order of equal elements is torch's business; the values are not."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=st.sampled_from([-1.0, 0.0, 1.0])))
    dim = draw(mst.dim(x.ndim))
    if draw(st.booleans()):
        descending = draw(st.booleans())
        return (lambda lib, x: x.sort(dim, descending).values), [x], [False]
    k = draw(st.integers(0, x.shape[dim] if x.ndim else 1))
    return (lambda lib, x: x.topk(k, dim).values), [x], [False]


test_parity = cases.test()


@given(data=st.data())
def test_rows_gradient_sums_repeats_as_np_add_at_bit_for_bit(data):
    """The gradient of picking whole rows (an embedding, x[rows]) is added row by row through
    the flat view of the target; each element receives its values in np.add.at's order, so the
    sums are np.add.at's bit for bit, in C and Fortran order (the latter by np.add.at itself)."""
    from minigrad._ops.registry import IndexedGradient

    shape = data.draw(mst.shapes(min_dims=1, max_dims=3, min_side=1), label="shape")
    dtype = data.draw(st.sampled_from(["int64", "int32", "uint8"]), label="index dtype")
    lowest = 0 if dtype == "uint8" else -shape[0]  # negative rows count from the end
    rows = data.draw(mst.arrays(dtype, mst.shapes(max_dims=2), st.integers(lowest, shape[0] - 1)), label="rows")
    values = data.draw(mst.arrays("float32", rows.shape + shape[1:]), label="values")
    dense = data.draw(mst.arrays("float32", shape), label="dense")
    if data.draw(st.booleans(), label="fortran"):
        dense = np.asfortranarray(dense)
    expected = dense.copy()
    np.add.at(expected, (rows,), values)
    IndexedGradient(shape, dense.dtype, (rows,), values).add_into(dense)
    np.testing.assert_array_equal(dense.view(np.int32), expected.view(np.int32))


@given(data=st.data(), transposed_first=st.booleans())
def test_embedding_gradient_with_repeated_rows_matches_torch(data, transposed_first):
    """Repeated ids accumulate in the weight's gradient as in torch, float32 staying float32, also
    where the weight's gradient from another use arrives first as a transposed (Fortran-ordered) array."""
    num, dim = data.draw(st.integers(1, 8), label="num"), data.draw(st.integers(1, 5), label="dim")
    ids = data.draw(mst.arrays("int64", mst.shapes(min_dims=1, max_dims=2), st.integers(0, num - 1)), label="ids")
    table = data.draw(mst.arrays("float32", (num, dim)), label="weight")
    upstream = data.draw(mst.arrays("float32", ids.shape + (dim,)), label="upstream")
    other = data.draw(mst.arrays("float32", (3, num)), label="other")
    grads = []
    for lib in (minigrad, torch):
        weight = lib.tensor(table, requires_grad=True)
        picked = (lib.nn.functional.embedding(lib.tensor(ids), weight) * lib.tensor(upstream)).sum()
        through_t = (weight.t() @ lib.tensor(other).t()).sum()
        (through_t + picked if transposed_first else picked + through_t).backward()
        grads.append(weight.grad)
    assert_close(*grads)


@pytest.mark.parametrize("program", [
    # index_put: a tensor of another dtype is refused, not truncated into the integers
    lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).__setitem__(T.tensor([0]), T.tensor([2.5])),
    lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).__setitem__(T.tensor([0]), T.tensor(2.5)),
    lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).__setitem__((T.tensor([0]), 1), T.tensor(9, dtype=T.int32)),
    lambda T: T.tensor([[1, 2, 3], [4, 5, 6]]).__setitem__(T.tensor([True, False]), T.tensor([2.5, 3.5, 4.5])),
    # ... but a number, a slice (a copy into a view) and a boolean mask with one value (a masked fill) cast
    lambda T: (lambda x: (x.__setitem__(T.tensor([0]), 7.5), x)[1])(T.tensor([[1, 2, 3], [4, 5, 6]])),
    lambda T: (lambda x: (x.__setitem__(slice(0, 1), T.tensor([2.5, 3.5, 4.5])), x)[1])(T.tensor([[1, 2, 3], [4, 5, 6]])),
    lambda T: (lambda x: (x.__setitem__(T.tensor([True, False]), T.tensor([2.5])), x)[1])(T.tensor([[1, 2, 3], [4, 5, 6]])),
    # scatter and index_add: the source must have self's dtype; a number is cast
    lambda T: T.zeros(3).scatter_(0, T.tensor([0]), T.tensor([7])),
    lambda T: T.zeros(3).scatter(0, T.tensor([0]), T.tensor([7.0], dtype=T.float64)),
    lambda T: T.zeros(3).scatter_add(0, T.tensor([0]), T.tensor([7])),
    lambda T: T.zeros(3).index_add_(0, T.tensor([0]), T.tensor([1.0], dtype=T.float64)),
    lambda T: T.zeros(3).index_add(0, T.tensor([0]), T.tensor([1])),
    lambda T: T.zeros(3).scatter(0, T.tensor([0]), 7),
    lambda T: T.zeros(3, dtype=T.int64).scatter(0, T.tensor([0]), 2.5, reduce="multiply"),
])
def test_a_source_of_another_dtype_is_refused_where_torch_refuses_it(program):
    assert_same_as_torch(program)


@pytest.mark.parametrize("program", [
    lambda T: T.zeros(3, 4).gather(1, T.zeros(5, 1, dtype=T.long)),           # index larger than self elsewhere
    lambda T: T.zeros(3, 4).gather(1, T.zeros(2, 1, dtype=T.long)),
    lambda T: T.zeros(3, 4).scatter_add(0, T.zeros(2, 4, dtype=T.long), T.ones(1, 4)),   # larger than src
    lambda T: T.zeros(3, 4).scatter_add(0, T.zeros(1, 4, dtype=T.long), T.ones(2, 4)),
    lambda T: T.zeros(3, 4).scatter(1, T.zeros(5, 1, dtype=T.long), 1.0),
    lambda T: T.zeros(3, 4).scatter(0, T.zeros(2, 4, dtype=T.long), T.ones(2, 3)),
    lambda T: T.zeros(3, 4).index_add(0, T.tensor([0]), T.ones(2, 4)),        # one index, two rows
    lambda T: T.zeros(3, 4).index_add(1, T.tensor([0, 1]), T.ones(3, 3)),
    lambda T: T.zeros(3).index_add(0, T.tensor(0), T.ones(1)),                # a 0-d index is one index
    lambda T: T.zeros(0, 3).kthvalue(1, 0),
    lambda T: [T.tensor(2.5).argmax(0), T.tensor(2.5).argmin(-1)],
    lambda T: T.tensor(2.5).argmax(1),
])
def test_index_shapes_are_checked_as_torch_checks_them(program):
    """torch's own errors (not NumPy's broadcasting error, not a silent broadcast) for indices and
    sources whose shapes do not fit."""
    assert_same_as_torch(program)


def _element_seen_after_a_fill(T):
    a = T.zeros(3)
    b, c = a[1], a.select(0, 2)
    a.fill_(5.0)
    return [b.item(), c.item()]


def _fill_through_an_element(T):
    a = T.zeros(3)
    a[1].fill_(7.0)
    return a


def _element_of_a_matrix(T):
    m = T.zeros(2, 3)
    r = m[1, 2]
    m.add_(1)
    r.add_(2)
    return [m, r, r.is_contiguous()]


@pytest.mark.parametrize("program", [_element_seen_after_a_fill, _fill_through_an_element, _element_of_a_matrix])
def test_indexing_down_to_one_element_gives_a_view_as_torch(program):
    """x[1] is a 0-d view of x, not a copy: a change through either shows in the other."""
    assert_same_as_torch(program)
