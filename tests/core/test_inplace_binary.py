"""The in-place forms of binary ops and their aliases (eq_, lt_, logical_and_, atan2_, xlogy_,
cumsum_, subtract_, ...), against torch: values, dtypes, gradients and errors.

Comparisons in place write 1 and 0 in the tensor's dtype and are recorded with a zero gradient;
the logical ones are not recorded at all (a tensor in the graph keeps its grad_fn), as in torch.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

COMPARISONS = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
               "not_equal_"]
LOGICAL = ["logical_and_", "logical_or_", "logical_xor_"]
DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
SMALL = st.lists(st.integers(-2, 2), min_size=3, max_size=3)


@given(name=st.sampled_from(COMPARISONS + LOGICAL), own=st.sampled_from(DTYPES), other=st.sampled_from(DTYPES),
       a=SMALL, b=SMALL, number=st.sampled_from([None, 0, 1, -1.5, 0.5, True]))
def test_comparisons_and_logic_in_place_write_one_and_zero_in_own_dtype(name, own, other, a, b, number):
    def program(lib):
        x = lib.tensor(a).to(getattr(lib, own))
        y = lib.tensor(b).to(getattr(lib, other)) if number is None or name in LOGICAL else number
        out = getattr(x, name)(y)
        return out is x, x, str(x.dtype).split(".")[-1], x._version

    assert_same_as_torch(program)


@given(data=st.data(), name=st.sampled_from(COMPARISONS), tensor_other=st.booleans(),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_comparisons_in_place_send_a_zero_gradient_to_both_operands(data, name, tensor_other, dtype):
    x = data.draw(mst.arrays(np.float64, (2, 3), elements=st.sampled_from([-1.0, 0.0, 0.5, 2.0])), label="x")
    other = (data.draw(mst.arrays(np.float64, (3,), elements=st.sampled_from([-1.0, 0.0, 0.5])), label="other")
             if tensor_other else data.draw(st.sampled_from([0.0, 0.5, 1]), label="number"))

    def fn(lib, x, other):
        y = x * 1
        getattr(y, name)(other)
        return y

    check_parity(data, fn, [x, other], dtype=dtype)


@pytest.mark.parametrize("name", ["eq_", "lt_", "not_equal_"])
@pytest.mark.parametrize("tensor_other", [True, False])
def test_comparison_in_place_is_named_as_torch_names_it(name, tensor_other):
    names = []
    for lib in (torch, minigrad):
        y = lib.ones(3, requires_grad=True) * 1
        getattr(y, name)(lib.zeros(3) if tensor_other else 0.5)
        names.append(type(y.grad_fn).__name__)
    assert names[0] == names[1]


@pytest.mark.parametrize("name", LOGICAL)
def test_logic_in_place_is_not_recorded(name):
    results = []
    for lib in (torch, minigrad):
        x = lib.tensor([0.0, 2.0, 3.0], requires_grad=True)
        other = lib.tensor([1.0, 0.0, 1.0], requires_grad=True)
        y = x * 3
        getattr(y, name)(other)
        y.sum().backward()
        results.append((type(y.grad_fn).__name__, y.tolist(), x.grad.tolist(), other.grad))
    assert results[0] == results[1]


@pytest.mark.parametrize("name", COMPARISONS[:2] + LOGICAL[:1] + ["atan2_", "hypot_", "xlogy_"])
def test_an_operand_that_would_widen_self_is_refused(name):
    assert_raises_like_torch(lambda lib: getattr(lib.ones(3), name)(lib.ones(2, 3)), same_message=True)
    assert_raises_like_torch(lambda lib: getattr(lib.ones(3), name)(lib.ones(2)))


@pytest.mark.parametrize("name", ["eq_", "lt_"])
def test_a_comparison_refuses_a_list(name):
    assert_raises_like_torch(lambda lib: getattr(lib.ones(3), name)([1, 2, 3]))


def test_a_leaf_that_requires_grad_is_refused():
    for name, args in (("eq_", (0.5,)), ("atan2_", None), ("cumsum_", (0,)), ("multiply_", (2.0,))):
        def call(lib, name=name, args=args):
            return getattr(lib.ones(3, requires_grad=True), name)(*(args or (lib.ones(3),)))
        mine, _ = assert_raises_like_torch(call)
        assert "leaf Variable that requires grad" in str(mine)


@settings(max_examples=25)
@given(data=st.data(), name=st.sampled_from(["atan2_", "arctan2_", "hypot_", "xlogy_"]),
       dtype=st.sampled_from([np.float64, np.float32]), shapes=mst.broadcastable_pairs(max_dims=3))
def test_floating_binaries_in_place_match_torch(data, name, dtype, shapes):
    own_shape, other_shape = shapes
    own_shape = np.broadcast_shapes(own_shape, other_shape)  # self must not be widened
    x = data.draw(mst.arrays(np.float64, own_shape, elements=st.floats(0.2, 3)), label="x")
    y = data.draw(mst.arrays(np.float64, other_shape, elements=st.floats(-3, 3).filter(lambda v: abs(v) > 0.1)),
                  label="y")

    def fn(lib, x, y):
        z = x * 1
        assert getattr(z, name)(y) is z
        return z

    check_parity(data, fn, [x, y], dtype=dtype)


@given(data=st.data(), number=st.sampled_from([0.5, 2, 3.0]), as_function=st.booleans())
def test_xlogy_in_place_takes_a_number(data, number, as_function):
    x = data.draw(mst.arrays(np.float64, (2, 3), elements=st.floats(-2, 2)), label="x")
    check_parity(data, lambda lib, x: lib.xlogy_(x * 1, number) if as_function else (x * 1).xlogy_(number), [x])


@given(name=st.sampled_from(["atan2_", "hypot_", "xlogy_"]), own=st.sampled_from(["bool", "int64", "float32"]),
       other=st.sampled_from(["int64", "float32", "float64"]))
def test_floating_binaries_in_place_refuse_or_cast_like_torch(name, own, other):
    def program(lib):
        x = lib.tensor([1, 2, 3]).to(getattr(lib, own))
        getattr(x, name)(lib.tensor([2, 1, 3]).to(getattr(lib, other)))
        return x, str(x.dtype).split(".")[-1]

    assert_same_as_torch(program)


@pytest.mark.parametrize("name", ["atan2_", "hypot_"])
def test_atan2_and_hypot_in_place_refuse_a_number(name):
    assert_raises_like_torch(lambda lib: getattr(lib.ones(3), name)(2.0))


@settings(max_examples=40)
@given(data=st.data(), name=st.sampled_from(["cumsum_", "cumprod_"]), shape=mst.shapes(max_dims=3),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_cumulative_in_place_matches_torch(data, name, shape, dtype):
    dim = data.draw(mst.dim(len(shape)), label="dim")
    x = data.draw(mst.arrays(np.float64, shape, elements=st.floats(0.5, 1.5)), label="x")

    def fn(lib, x):
        y = x * 1
        assert getattr(y, name)(dim) is y
        return y

    check_parity(data, fn, [x], dtype=dtype)


@given(name=st.sampled_from(["cumsum_", "cumprod_"]), own=st.sampled_from(DTYPES),
       dtype=st.sampled_from([None, "int64", "int32", "float32", "float64"]), dim=st.sampled_from([0, -1, 1, 2]))
def test_cumulative_in_place_dtypes_and_errors_like_torch(name, own, dtype, dim):
    def program(lib):
        x = lib.tensor([[1, 2, 3], [0, 1, 2]]).to(getattr(lib, own))
        kwargs = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        getattr(x, name)(dim, **kwargs)
        return x, str(x.dtype).split(".")[-1]

    assert_same_as_torch(program)


@given(data=st.data(), name=st.sampled_from(["subtract_", "multiply_", "divide_", "true_divide_"]),
       own=st.sampled_from(DTYPES), other=st.sampled_from(DTYPES + ["number"]))
def test_arithmetic_aliases_in_place_like_torch(data, name, own, other):
    def program(lib):
        x = lib.tensor([1, 2, 3]).to(getattr(lib, own))
        y = 2 if other == "number" else lib.tensor([1, 1, 2]).to(getattr(lib, other))
        assert getattr(x, name)(y) is x
        return x, str(x.dtype).split(".")[-1]

    assert_same_as_torch(program)


def test_divide_in_place_takes_a_rounding_mode_and_true_divide_does_not():
    assert_same_as_torch(lambda lib: lib.tensor([5, -3]).divide_(2, rounding_mode="floor"))
    assert_raises_like_torch(lambda lib: lib.tensor([5.0, -3.0]).true_divide_(2, rounding_mode="floor"))


@given(data=st.data(), name=st.sampled_from(["subtract_", "multiply_", "divide_", "true_divide_"]))
def test_arithmetic_aliases_in_place_gradients(data, name):
    x = data.draw(mst.arrays(np.float64, (2, 3), elements=st.floats(-2, 2)), label="x")
    y = data.draw(mst.arrays(np.float64, (3,), elements=st.floats(0.5, 2)), label="y")
    check_parity(data, lambda lib, x, y: getattr(x * 1, name)(y), [x, y])


@given(own=st.sampled_from(DTYPES), other=st.sampled_from(DTYPES))
def test_hypot_has_no_integer_kernel_as_in_torch(own, other):
    def program(lib):
        a, b = lib.tensor([3, 0]).to(getattr(lib, own)), lib.tensor([4, 1]).to(getattr(lib, other))
        return lib.hypot(a, b), str(lib.hypot(a, b).dtype).split(".")[-1]

    assert_same_as_torch(program)
