"""In-place ops keep the tensor's dtype, and refuse, as torch does, a result that would lose its
kind there (a float result in an integer tensor, an integer one in a bool tensor): casting it
silently would give a wrong answer. The message names torch's types ("Float", "Long")."""

import numpy as np
from hypothesis import given
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
