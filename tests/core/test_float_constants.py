"""A Python float met by + - * / on a floating tensor is kept as a ready 0-d array of the tensor's
dtype, made once per value. That changes where the conversion happens, never a result: values and
gradients equal torch's, signed zeros and NaN keep their meaning, and a float beyond the dtype's
range is inf without a NumPy warning. float16 times or over a number is computed in float32 and
rounded once, as torch computes it."""

import operator
import warnings

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

import minigrad
from minigrad._tensor import arithmetic
from minigrad.testing import torch_or_skip

torch = torch_or_skip()

OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv]
DTYPES = ["float32", "float64"]
SPECIAL = [0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e40, -1e40, 1e-50, 65520.0]
numbers = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=False, allow_infinity=False, width=64))


def _both(dtype, values):
    array = np.array(values, dtype=dtype)
    return (minigrad.tensor(array, requires_grad=True),
            torch.tensor(array, requires_grad=True))


@given(op=st.sampled_from(OPERATORS), dtype=st.sampled_from(DTYPES), number=numbers, first=numbers,
       values=st.lists(st.floats(-1e3, 1e3, width=16), min_size=1, max_size=6))
def test_values_and_gradients_equal_torch(op, dtype, number, first, values):
    """Two floats in a row (the second may hit the first's cached constant, or a zero of the
    other sign), each against torch bit for bit, and the gradient that flows back through both."""
    x, t = _both(dtype, values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning may leak out
        y = op(op(x, first), number)
        expected = op(op(t, first), number)
        np.testing.assert_array_equal(y.detach().numpy(), expected.detach().numpy())
        assert y.dtype == x.dtype
        y.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


FLOAT16_OPERATIONS = {
    "x + c": operator.add, "x - c": operator.sub, "x * c": operator.mul, "x / c": operator.truediv,
    "c + x": lambda x, c: c + x, "c - x": lambda x, c: c - x, "c * x": lambda x, c: c * x,
    "c / x": lambda x, c: c / x, "mul": lambda x, c: x.mul(c), "div": lambda x, c: x.div(c),
}
float16_numbers = st.one_of(numbers, st.integers(-5000, 5000))


@given(name=st.sampled_from(sorted(FLOAT16_OPERATIONS)), number=float16_numbers,
       values=st.lists(st.floats(-1e3, 1e3, width=16), min_size=1, max_size=6),
       upstream=st.lists(st.floats(-1e3, 1e3, width=16), min_size=6, max_size=6))
# c / x is (1 / x) * c, and the reciprocal's gradient -g * (r * r) squares first: -g * r * r rounds
# another way (-15.15625 here, where torch gives -15.1484375).
@example(name="c / x", number=379, values=[5.0], upstream=[1.0] * 6)
def test_float16_with_a_number_equals_torch(name, number, values, upstream):
    """torch multiplies and divides a half tensor by a number in float32 and rounds once (x * 1.0004
    moves x, where 1.0004 rounded to float16 is 1.0), and rounds the number to float16 first in +
    and -: values and gradients, bit for bit, ints (2049 is not a float16) and the reversed forms
    included."""
    op = FLOAT16_OPERATIONS[name]
    x, t = _both("float16", values)
    g = np.array(upstream[:len(values)], dtype="float16")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning may leak out
        y = op(x, number)
        expected = op(t, number)
        np.testing.assert_array_equal(y.detach().numpy(), expected.detach().numpy())
        assert y.dtype == minigrad.float16
        y.backward(minigrad.tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    assert y.grad_fn.name() == expected.grad_fn.name()


@given(name=st.sampled_from(["mul_", "div_", "__imul__", "__itruediv__"]), number=float16_numbers,
       values=st.lists(st.floats(-1e3, 1e3, width=16), min_size=1, max_size=6))
def test_float16_in_place_with_a_number_equals_torch(name, number, values):
    array = np.array(values, dtype="float16")
    x, t = minigrad.tensor(array), torch.tensor(array)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(x, name)(number)
    getattr(t, name)(number)
    np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_float16_scaling_by_a_number_close_to_one_is_not_lost():
    x = minigrad.tensor([1.0, 2.0, 1000.0], dtype=minigrad.float16)
    expected = torch.tensor([1.0, 2.0, 1000.0], dtype=torch.float16) * 1.0004
    np.testing.assert_array_equal((x * 1.0004).numpy(), expected.numpy())
    assert (x * 1.0004).numpy()[2] != 1000.0  # rounded to float16 first, 1.0004 would be 1.0


def test_signed_zero_is_not_confused_with_zero():
    """0.0 == -0.0 in Python, so a cache keyed on the value alone would hand back the wrong one."""
    x = minigrad.tensor([1.0, -2.0])
    assert np.signbit((x * 0.0).numpy()).tolist() == [False, True]
    assert np.signbit((x * -0.0).numpy()).tolist() == [True, False]
    assert np.signbit((x * 0.0).numpy()).tolist() == [False, True]


def test_the_constant_is_made_once_read_only_and_of_the_tensors_dtype():
    x = minigrad.ones(3, requires_grad=True)
    first, second = (x * 0.375).grad_fn.inputs[1], (x * 0.375).grad_fn.inputs[1]
    assert first is second
    assert first.dtype == np.float32 and first.shape == () and not first.flags.writeable
    assert (x.half() + 0.375).grad_fn.inputs[1].dtype == np.float16
    assert (x.half() * 0.375).grad_fn.inputs[1].dtype == np.float32  # float16 multiplies in float32


def test_the_cache_stays_bounded():
    for number in range(arithmetic.CONSTANTS_KEPT + 10):
        minigrad.ones(1) + (number + 0.5)
    kept = arithmetic._float_constants[np.dtype(np.float32)]
    assert 0 < len(kept) <= arithmetic.CONSTANTS_KEPT
