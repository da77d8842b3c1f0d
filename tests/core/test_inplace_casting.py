"""In-place ops keep the tensor's dtype, and refuse, as torch does, a result that would lose its
kind there (a float result in an integer tensor, an integer one in a bool tensor): casting it
silently would give a wrong answer. The message names torch's types ("Float", "Long")."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_same_as_torch, torch_or_skip

torch = torch_or_skip()

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
OPS = ["add_", "sub_", "mul_", "div_", "__iadd__", "__imul__"]
NUMBERS = st.sampled_from([True, 2, -3, 300, 0.5, 1.5])


def _operand(lib, dtype, values, zero_dim):
    array = np.array(values[0] if zero_dim else values).astype(dtype)
    return lib.tensor(array)


@given(own=st.sampled_from(DTYPES), other=st.sampled_from(DTYPES), op=st.sampled_from(OPS),
       other_zero_dim=st.booleans(), values=st.lists(st.integers(1, 4), min_size=3, max_size=3))
# true division's result is a float even of two integer types: the message names Float, not Byte
@example(own="bool", other="uint8", op="div_", other_zero_dim=False, values=[1, 1, 1])
def test_in_place_with_a_tensor_casts_or_refuses_like_torch(own, other, op, other_zero_dim, values):
    def program(lib):
        target = _operand(lib, own, values, False)
        result = getattr(target, op)(_operand(lib, other, values, other_zero_dim))
        return result, target.dtype is result.dtype
    _same_outcome(program)


@given(own=st.sampled_from(DTYPES), number=NUMBERS, op=st.sampled_from(OPS),
       values=st.lists(st.integers(1, 4), min_size=3, max_size=3))
def test_in_place_with_a_number_casts_or_refuses_like_torch(own, number, op, values):
    _same_outcome(lambda lib: getattr(_operand(lib, own, values, False), op)(number))


@given(own=st.sampled_from(["uint8", "int32", "int64"]), number=st.sampled_from([-3, 300, -70000, 2 ** 40]),
       op=st.sampled_from(["__add__", "__sub__", "__mul__", "__floordiv__", "__mod__", "__lt__", "__eq__"]),
       values=st.lists(st.integers(1, 4), min_size=3, max_size=3))
def test_a_python_int_outside_a_narrow_dtype_wraps_around_like_torch(own, number, op, values):
    """uint8 + 300 adds 44 in torch (NumPy would raise OverflowError)."""
    _same_outcome(lambda lib: getattr(_operand(lib, own, values, False), op)(number))


@given(own=st.sampled_from(["uint8", "int64", "bool"]), values=st.lists(st.integers(1, 4), min_size=3, max_size=3))
def test_in_place_math_on_an_integer_tensor_names_torch_default_float(own, values):
    for op in ("sqrt_", "exp_", "sigmoid_"):
        _same_outcome(lambda lib: getattr(_operand(lib, own, values, False), op)())


def _same_outcome(program):
    """The same values and dtype, or the same exception with the same message."""
    outcomes = []
    for lib in (torch, minigrad):
        try:
            outcomes.append(("result", program(lib)))
        except Exception as error:  # noqa: BLE001 - the exception is what is compared
            outcomes.append(("raised", type(error).__name__, str(error)))
    if outcomes[0][0] == "raised" or outcomes[1][0] == "raised":
        assert outcomes[1] == outcomes[0], f"minigrad: {outcomes[1]}; torch: {outcomes[0]}"
    else:
        assert_same_as_torch(program)


def _view_squared(T):
    x = T.tensor([1.0, 2.0, 3.0])
    view = x[1:]
    view **= 2
    return x


def _leaf_powered(T):
    w = T.ones(2, requires_grad=True)
    w **= 2
    return w


def _integers_through_each_operator(T):
    x = T.tensor([5, 7, -3])
    alias = x
    x //= 2
    x %= 2
    x |= 4
    x ^= T.tensor([1, 1, 1])
    x &= 6
    return alias


def _floats_through_floor_division_and_remainder(T):
    x = T.tensor([5.0, 7.0, -3.5])
    alias = x
    x //= 2
    x %= 1.5
    x **= T.tensor([2.0, 1.0, 3.0])
    return alias


def _bool_masks(T):
    m = T.tensor([True, False, True])
    m |= T.tensor([False, True, False])
    m ^= True
    m &= T.tensor([True, True, False])
    return m


def _module_buffer_kept(T):
    bn = T.nn.BatchNorm1d(2)
    buffer = bn.running_var
    bn.running_var **= 2
    bn.running_var %= 3
    return bn.running_var is buffer


@pytest.mark.parametrize("program", [
    _view_squared, _leaf_powered, _integers_through_each_operator, _floats_through_floor_division_and_remainder,
    _bool_masks, _module_buffer_kept,
    lambda T: T.tensor([5, 7]).__imod__(2.5),                       # a float result in an int tensor
    lambda T: T.tensor([5, 7]).__ifloordiv__(2.5),
    lambda T: T.tensor([True, False]).__iand__(T.tensor([1, 1])),   # an int result in a bool tensor
    lambda T: T.tensor([5.0, 7.0]).__iand__(1),                     # & of floats
    lambda T: T.tensor([5, 7]).__ifloordiv__(0),                    # integer division by zero
    lambda T: T.ones(2, 3, dtype=T.int64).__ior__(T.ones(3, 3, dtype=T.int64)),  # would widen self
])
def test_every_augmented_operator_works_in_place_as_torch(program):
    """**=, //=, %=, &=, |= and ^= change the tensor itself (a view's base and every alias see
    it, a leaf that requires grad refuses), as +=, -=, *= and /= do; Python would otherwise
    bind the name to a new tensor, silently."""
    assert_same_as_torch(program)
