"""A Python float met by + - * / on a floating tensor is kept as a ready 0-d array of the tensor's
dtype, made once per value. That changes where the conversion happens, never a result: values and
gradients equal torch's in float32 and float64 and NumPy's own in float16, signed zeros and NaN
keep their meaning, and a float beyond the dtype's range is inf without a NumPy warning."""

import operator
import sys
import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip

torch = torch_or_skip()
tensor_module = sys.modules["minigrad.tensor"]  # the module: minigrad.tensor is the function

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


@given(op=st.sampled_from(OPERATORS), number=numbers,
       values=st.lists(st.floats(-1e3, 1e3, width=16), min_size=1, max_size=6))
def test_float16_computes_as_numpy_does(op, number, values):
    """float16 keeps NumPy's rule: the float is rounded to float16 first. (torch multiplies and
    divides a half tensor by a Python float in float32 and rounds once; minigrad does not yet.)"""
    array = np.array(values, dtype="float16")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("error")
        result = op(minigrad.tensor(array), number).numpy()
        np.testing.assert_array_equal(result, op(array, number))
    assert result.dtype == np.float16


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
    half = (x.half() * 0.375).grad_fn.inputs[1]
    assert half.dtype == np.float16


def test_the_cache_stays_bounded():
    for number in range(tensor_module.CONSTANTS_KEPT + 10):
        minigrad.ones(1) + (number + 0.5)
    kept = tensor_module._float_constants[np.dtype(np.float32)]
    assert 0 < len(kept) <= tensor_module.CONSTANTS_KEPT
