"""Arguments torch refuses and minigrad used to take, against torch in the same test: a number
where torch's function takes a tensor only, a gradient that is not a tensor, and bool tensors in
ops that torch has no bool kernel for. Each raises torch's exception type, with a message that
names what was wrong; the forms torch does accept still compute as torch does."""

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch_or_skip()

# ---------------------------------------------------------------- a number where torch takes a tensor only
TENSOR_ONLY = {
    "maximum": lambda T, x, c: T.maximum(x, c),
    "minimum": lambda T, x, c: T.minimum(x, c),
    "x.maximum": lambda T, x, c: x.maximum(c),
    "x.minimum": lambda T, x, c: x.minimum(c),
    "hypot": lambda T, x, c: T.hypot(x, c),
    "x.hypot": lambda T, x, c: x.hypot(c),
    "atan2": lambda T, x, c: T.atan2(x, c),
    "x.atan2": lambda T, x, c: x.atan2(c),
    "logaddexp": lambda T, x, c: T.logaddexp(x, c),
    "x.logaddexp": lambda T, x, c: x.logaddexp(c),
}

NUMBERS = st.one_of(mst.reals(), st.integers(-3, 3), mst.reals().map(np.float32))


@pytest.mark.parametrize("name", sorted(TENSOR_ONLY))
@given(shape=mst.shapes(max_dims=2), data=st.data())
def test_a_number_where_torch_takes_a_tensor_raises_type_error(name, shape, data):
    values = data.draw(mst.arrays("float64", shape), label="x")
    number = data.draw(NUMBERS, label="other")

    def call(T):
        return TENSOR_ONLY[name](T, T.tensor(values, requires_grad=True), number)

    actual, _ = assert_raises_like_torch(call)
    function = name.rpartition(".")[2]
    assert f"{function}()" in str(actual) and type(number).__name__ in str(actual), str(actual)


@pytest.mark.parametrize("name", sorted(TENSOR_ONLY))
@given(shapes=mst.broadcastable_pairs(max_dims=2), data=st.data())
def test_the_same_functions_of_two_tensors_still_compute(name, shapes, data):
    x = data.draw(mst.arrays("float64", shapes[0], mst.nonzero_reals()), label="x")
    y = data.draw(mst.arrays("float64", shapes[1], mst.nonzero_reals()), label="y")

    def program(T):
        a, b = T.tensor(x, requires_grad=True), T.tensor(y, requires_grad=True)
        out = TENSOR_ONLY[name](T, a, b)
        out.sum().backward()
        return out, a.grad, b.grad
    assert_same_as_torch(program)


def test_numpy_ufuncs_on_tensors_still_take_numbers():
    """np.maximum(tensor, 0) is what a VJP rule does when backward is recorded: it stays an op."""
    def program(T):
        x = T.tensor([-1.0, 0.5, 2.0], dtype=T.float64, requires_grad=True)
        (g,) = T.autograd.grad(T.nn.functional.softplus(x).sum(), x, create_graph=True)
        (h,) = T.autograd.grad(T.logaddexp(x, T.zeros(3, dtype=T.float64)).sum() + g.sum(), x)
        return g, h
    assert_same_as_torch(program)


# ---------------------------------------------------------------- a gradient that is not a tensor
NOT_TENSORS = {
    "a float": lambda T, shape: 2.0,
    "an int": lambda T, shape: 2,
    "a bool": lambda T, shape: True,
    "a NumPy array": lambda T, shape: np.ones(shape),
    "a NumPy scalar": lambda T, shape: np.float64(2.0),
    "a list of floats": lambda T, shape: np.ones(shape).tolist() if shape else [2.0],
}
BACKWARD_CALLS = {
    "t.backward(gradient)": lambda T, out, x, gradient: out.backward(gradient),
    "t.backward(gradient, create_graph=True)": lambda T, out, x, gradient: out.backward(gradient, create_graph=True),
    "autograd.backward([t], [gradient])": lambda T, out, x, gradient: T.autograd.backward([out], [gradient]),
    "autograd.grad([t], [x], [gradient])": lambda T, out, x, gradient: T.autograd.grad([out], [x], [gradient]),
}


@pytest.mark.parametrize("call_name", sorted(BACKWARD_CALLS))
@pytest.mark.parametrize("gradient_name", sorted(NOT_TENSORS))
@given(shape=mst.shapes(max_dims=2), data=st.data())
def test_a_gradient_that_is_not_a_tensor_raises_type_error(call_name, gradient_name, shape, data):
    values = data.draw(mst.arrays("float64", shape), label="x")

    def call(T):
        x = T.tensor(values, requires_grad=True)
        BACKWARD_CALLS[call_name](T, (x * 2).sum() if gradient_name != "a NumPy array" else x * 2, x,
                                  NOT_TENSORS[gradient_name](T, shape))

    actual, _ = assert_raises_like_torch(call)
    assert isinstance(actual, TypeError)


# ---------------------------------------------------------------- bool tensors torch has no kernel for
BOOL_REFUSED = {
    "argmax": lambda T, b, dim: b.argmax(),
    "argmax(dim)": lambda T, b, dim: T.argmax(b, dim),
    "argmin": lambda T, b, dim: b.argmin(),
    "argmin(dim)": lambda T, b, dim: b.argmin(dim, keepdim=True),
    "median": lambda T, b, dim: b.median(),
    "median(dim)": lambda T, b, dim: b.median(dim),
    "kthvalue": lambda T, b, dim: b.kthvalue(1, dim),
    "topk": lambda T, b, dim: T.topk(b, 1, dim),
}


@pytest.mark.parametrize("name", sorted(BOOL_REFUSED))
@given(shape=mst.shapes(min_dims=1, max_dims=3), data=st.data())
def test_bool_tensors_in_ops_without_a_bool_kernel(name, shape, data):
    values = data.draw(mst.arrays("bool", shape), label="b")
    dim = data.draw(mst.dim(len(shape)), label="dim")
    actual, expected = assert_raises_like_torch(lambda T: BOOL_REFUSED[name](T, T.tensor(values), dim))
    assert str(actual) == str(expected)


@pytest.mark.parametrize("name", ["sort", "max", "amax", "mode"])
@given(shape=mst.shapes(min_dims=1, max_dims=3), data=st.data())
def test_bool_tensors_in_the_ops_torch_takes_them(name, shape, data):
    """The neighbours of the ops above that torch computes on bools, and minigrad with them."""
    values = data.draw(mst.arrays("bool", shape), label="b")
    dim = data.draw(mst.dim(len(shape)), label="dim")
    assert_same_as_torch(lambda T: tuple(getattr(T.tensor(values), name)(dim)) if name != "amax"
                         else T.tensor(values).amax(dim))


# torch.Tensor.backward also takes its gradient in a list or tuple, as torch.autograd.backward takes
# one per tensor; an empty one raises, a number inside one is refused like a bare number.
GRADIENT_SEQUENCES = {
    "[g]": lambda T, g: [g],
    "(g,)": lambda T, g: (g,),
    "[None] (a scalar output)": lambda T, g: [None],
    "[]": lambda T, g: [],
    "[2.0]": lambda T, g: [2.0],
}


@pytest.mark.parametrize("name", sorted(GRADIENT_SEQUENCES))
@given(data=st.data())
def test_backward_takes_its_gradient_in_a_sequence_as_torch_does(name, data):
    values = data.draw(mst.arrays("float64", (3,)), label="x")
    upstream = data.draw(mst.arrays("float64", ()), label="g")

    def program(T):
        x = T.tensor(values, requires_grad=True)
        (x * x).sum().backward(GRADIENT_SEQUENCES[name](T, T.tensor(upstream)))
        return x.grad

    assert_same_as_torch(program)


# copy.deepcopy of a tensor: a leaf is copied with its values, requires_grad and .grad; a tensor
# made in a graph is refused, as in torch (minigrad used to copy the graph behind it).
DEEPCOPIED = {
    "a leaf that requires grad, with a gradient": lambda T, x: x,
    "a tensor that requires no grad": lambda T, x: x.detach() * 2,
    "the result of an op": lambda T, x: x * 2,
    "a view of a leaf that requires grad": lambda T, x: x[1:],
}


@pytest.mark.parametrize("name", sorted(DEEPCOPIED))
@given(data=st.data())
def test_deepcopy_copies_a_leaf_and_refuses_a_tensor_of_a_graph_as_torch_does(name, data):
    values = data.draw(mst.arrays("float64", (3,)), label="x")

    def program(T):
        x = T.tensor(values, requires_grad=True)
        (x * x).sum().backward()
        original = DEEPCOPIED[name](T, x)
        duplicate = copy.deepcopy(original)
        with T.no_grad():
            original.add_(1)  # the copy must not share the original's memory
        return duplicate, duplicate.requires_grad, duplicate.is_leaf, duplicate.grad

    assert_same_as_torch(program)


# ---------------------------------------------------------------- more of torch's refusals
LOGICAL = ["logical_and", "logical_or", "logical_xor"]


@pytest.mark.parametrize("name", LOGICAL)
@given(shape=mst.shapes(max_dims=2), as_method=st.booleans(), data=st.data())
def test_logical_ops_take_a_tensor_not_a_number(name, shape, as_method, data):
    values = data.draw(mst.arrays("float64", shape), label="x")
    number = data.draw(NUMBERS, label="other")

    def call(T):
        x = T.tensor(values)
        return getattr(x, name)(number) if as_method else getattr(T, name)(x, number)

    actual, _ = assert_raises_like_torch(call)
    assert f"{name}()" in str(actual) and type(number).__name__ in str(actual), str(actual)


@pytest.mark.parametrize("name", LOGICAL)
@given(shapes=mst.broadcastable_pairs(max_dims=2), data=st.data())
def test_logical_ops_of_two_tensors_still_compute(name, shapes, data):
    x = data.draw(mst.arrays("float64", shapes[0]), label="x")
    y = data.draw(mst.arrays("bool", shapes[1]), label="y")
    assert_same_as_torch(lambda T: getattr(T, name)(T.tensor(x), T.tensor(y)))


CLAMP_BOUNDS = {
    "(tensor, number)": lambda T, low, high: (T.tensor(low), float(high.max())),
    "(number, tensor)": lambda T, low, high: (float(low.min()), T.tensor(high)),
}


@pytest.mark.parametrize("bounds", sorted(CLAMP_BOUNDS))
@pytest.mark.parametrize("form", ["T.clamp", "x.clamp", "x.clip"])
@given(shape=mst.shapes(min_dims=1, max_dims=2), data=st.data())
def test_clamp_refuses_a_tensor_bound_with_a_number_bound(bounds, form, shape, data):
    x = data.draw(mst.arrays("float64", shape), label="x")
    low = data.draw(mst.arrays("float64", shape), label="low")
    high = data.draw(mst.arrays("float64", shape), label="high")

    def call(T):
        lower, upper = CLAMP_BOUNDS[bounds](T, low, high)
        t = T.tensor(x)
        return T.clamp(t, lower, upper) if form == "T.clamp" else getattr(t, form[2:])(min=lower, max=upper)

    actual, _ = assert_raises_like_torch(call)
    assert "Tensor" in str(actual) and "float" in str(actual), str(actual)


@given(shape=mst.shapes(min_dims=1, max_dims=2), data=st.data())
def test_clamp_with_two_tensor_bounds_or_two_numbers_still_computes(shape, data):
    x, low, high = (data.draw(mst.arrays("float64", shape), label=name) for name in ("x", "low", "high"))

    def program(T):
        t = T.tensor(x, requires_grad=True)
        out = T.clamp(t, T.tensor(low), T.tensor(high)) + t.clamp(float(low.min()), float(high.max()))
        out.sum().backward()
        return out, t.grad
    assert_same_as_torch(program)


SETITEM_VALUES = {  # what torch refuses in x[index] = value (minigrad wrote the first ones, and None as NaN)
    "a list": lambda T, n: [1.5] * n,
    "a tuple": lambda T, n: (1.5,) * n,
    "a NumPy array": lambda T, n: np.full(n, 1.5),
    "a 0-d NumPy array": lambda T, n: np.array(1.5),
    "None": lambda T, n: None,
    "a string": lambda T, n: "1.5",
    "a NumPy bool": lambda T, n: np.True_,
}
SETITEM_TAKEN = {
    "a float": lambda T, n: 1.5,
    "an int": lambda T, n: 2,
    "a bool": lambda T, n: True,
    "a NumPy float": lambda T, n: np.float64(1.5),
    "a tensor": lambda T, n: T.full((n,), 1.5, dtype=T.float64),
}


@pytest.mark.parametrize("name", sorted(SETITEM_VALUES))
@given(size=st.integers(1, 4), data=st.data())
def test_setitem_refuses_values_that_are_not_numbers_or_tensors(name, size, data):
    values = data.draw(mst.arrays("float64", (size,)), label="x")

    def call(T):
        x = T.tensor(values)
        x[:] = SETITEM_VALUES[name](T, size)

    actual, _ = assert_raises_like_torch(call)
    assert "can't assign" in str(actual), str(actual)


@pytest.mark.parametrize("name", sorted(SETITEM_TAKEN))
@given(size=st.integers(1, 4), data=st.data())
def test_setitem_takes_numbers_and_tensors(name, size, data):
    values = data.draw(mst.arrays("float64", (size,)), label="x")

    def program(T):
        x = T.tensor(values)
        x[:] = SETITEM_TAKEN[name](T, size)
        return x
    assert_same_as_torch(program)


NORMS = {
    "x.norm()": lambda T, x: x.norm(),
    "x.norm(1)": lambda T, x: x.norm(1),
    "x.norm(inf, dim=-1)": lambda T, x: x.norm(float("inf"), dim=-1),
    "x.norm(0)": lambda T, x: x.norm(0),
    "x.norm(dtype=float32)": lambda T, x: x.norm(dtype=T.float32),
    "torch.norm(x)": lambda T, x: T.norm(x),
    "linalg.vector_norm(x)": lambda T, x: T.linalg.vector_norm(x),
    "linalg.norm(x)": lambda T, x: T.linalg.norm(x),
    "linalg.matrix_norm(x)": lambda T, x: T.linalg.matrix_norm(x),
}


@pytest.mark.parametrize("name", sorted(NORMS))
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@given(data=st.data())
def test_norms_of_integer_and_bool_tensors_raise(name, dtype, data):
    values = data.draw(mst.arrays(dtype, (2, 3)), label="x")
    actual, expected = assert_raises_like_torch(lambda T: NORMS[name](T, T.tensor(values)))
    assert str(actual) == str(expected)


INDEX_SELECT_OF_A_SCALAR = {
    "[0]": [0], "[-1]": [-1], "0-d index": 0, "[0, 0]": [0, 0], "[1]": [1], "[[0]]": [[0]],
}


@pytest.mark.parametrize("name", sorted(INDEX_SELECT_OF_A_SCALAR))
@pytest.mark.parametrize("dim", [0, -1])
@given(data=st.data())
def test_index_select_of_a_0d_tensor_as_torch(name, dim, data):
    """A scalar is a vector of one element to index_select: index 0 gives it back (0-d), with its gradient."""
    value = data.draw(mst.arrays("float64", ()), label="x")
    upstream = data.draw(mst.arrays("float64", ()), label="g")

    def program(T):
        x = T.tensor(value, requires_grad=True)
        out = x.index_select(dim, T.tensor(INDEX_SELECT_OF_A_SCALAR[name]))
        out.backward(T.tensor(upstream))
        return out, x.grad
    assert_same_as_torch(program)


@pytest.mark.parametrize("data", [["a"], [1.0, "a"], [None]], ids=repr)
@pytest.mark.parametrize("typed", ["a tensor", "a NumPy number"])
def test_tensor_of_data_with_a_typed_value_and_a_bad_one_raises_torch_s_error(data, typed):
    """A tensor or NumPy number first in the data must not hide what is wrong with the rest."""
    def call(T):
        first = T.tensor(1.0) if typed == "a tensor" else np.float32(1.0)
        return T.tensor([first, *data])

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == str(expected)
