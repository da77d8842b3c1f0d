"""Ops with rounded or integer results, and the gradients torch gives them.

A rounding op is a step function: torch still records it, and its gradient is zero
(div with a rounding_mode), the gradient of the part that is not rounded (remainder:
d/dx x % y = 1), undefined (norm(p=0): the input's .grad stays None) or an error at
backward time (x // y, which torch gives no derivative). Integer division by zero raises
instead of returning garbage, and add/sub(alpha=) give the dtype of self + other.
Every case runs on minigrad and on torch in the same test.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parity import Cases, division_operands

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()


@cases.add
def remainder(draw):
    x, y = division_operands(draw)
    form = draw(st.sampled_from(["operator", "method", "function"]))

    def fn(lib, a, b):
        return a % b if form == "operator" else a.remainder(b) if form == "method" else lib.remainder(a, b)

    return fn, [x, y]


@cases.add
def remainder_by_number(draw):
    x, _ = division_operands(draw)
    divisor = draw(mst.nonzero_reals(0.5, 4) | st.sampled_from([2, -3]))
    return (lambda lib, a: a % divisor), [x]


@cases.add
def div_rounded(draw):
    x, y = division_operands(draw)
    mode = draw(st.sampled_from(["floor", "trunc"]))
    return (lambda lib, a, b: a.div(b, rounding_mode=mode)), [x, y]


@cases.add
def div_rounded_by_number(draw):
    x, _ = division_operands(draw)
    mode = draw(st.sampled_from(["floor", "trunc"]))
    divisor = draw(mst.nonzero_reals(0.5, 4) | st.sampled_from([2, -3]))
    return (lambda lib, a: lib.div(a, divisor, rounding_mode=mode)), [x]


@cases.add
def zero_norm(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=st.sampled_from([0.0, 1.5, -2.0])))
    dim = draw(mst.dims(x.ndim, allow_none=True))
    keepdim = draw(st.booleans())
    return (lambda lib, a: a.norm(0, dim, keepdim)), [x]


@cases.add
def zero_norm_beside_a_differentiable_path(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=st.sampled_from([0.0, 1.5, -2.0])))
    return (lambda lib, a: a.norm(p=0) + a.sum()), [x]


test_parity = cases.test()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_floor_divide_is_recorded_and_has_no_derivative(dtype, data):
    """x // y: the values of div(rounding_mode="floor"), in the graph, and backward raises."""
    x, y = division_operands(data.draw)
    with_number = data.draw(st.booleans(), label="by a number")
    ours = [minigrad.tensor(a.astype(dtype), requires_grad=True) for a in (x, y)]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in (x, y)]
    out = ours[0] // (2.5 if with_number else ours[1])
    expected = theirs[0] // (2.5 if with_number else theirs[1])
    assert_close(out, expected)
    assert out.requires_grad and expected.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        expected.sum().backward()
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        out.sum().backward()


_INTEGER_DIVISIONS = {
    "floordiv": lambda lib, a, b: a // b,
    "remainder": lambda lib, a, b: a % b,
    "div_floor": lambda lib, a, b: a.div(b, rounding_mode="floor"),
    "div_trunc": lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
}


@pytest.mark.parametrize("name", sorted(_INTEGER_DIVISIONS))
@given(data=st.data())
def test_integer_division(name, data):
    """Exact integer results (also for values beyond float64's 53-bit mantissa), and torch's
    RuntimeError for a zero divisor anywhere instead of garbage."""
    shape_x, shape_y = data.draw(mst.broadcastable_pairs(max_dims=2), label="shapes")
    values = st.integers(-10, 10) | st.integers(-(2 ** 62), 2 ** 62)
    x = data.draw(mst.arrays("int64", shape_x, elements=values), label="x")
    y = data.draw(mst.arrays("int64", shape_y, elements=st.integers(-7, 7)), label="y")
    by_number = data.draw(st.none() | st.integers(-7, 7), label="a number divisor")
    fn = _INTEGER_DIVISIONS[name]
    divisor_ours = minigrad.tensor(y) if by_number is None else by_number
    divisor_torch = torch.from_numpy(y) if by_number is None else by_number
    try:
        expected = fn(torch, torch.from_numpy(x), divisor_torch)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fn(minigrad, minigrad.tensor(x), divisor_ours)
        return
    out = fn(minigrad, minigrad.tensor(x), divisor_ours)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


_DTYPES = ["bool", "int64", "int32", "float32", "float64"]


@given(data=st.data())
def test_add_and_sub_with_alpha(data):
    """add/sub(other, alpha=): the dtype of self + other (alpha does not promote), bool results,
    and torch's errors for a bool alpha with a non-bool result or a float alpha with an integer one."""
    self_dtype = data.draw(st.sampled_from(_DTYPES), label="self dtype")
    shape = data.draw(mst.shapes(max_dims=2), label="shape")
    x = data.draw(mst.arrays(self_dtype, shape), label="self")
    other_is_number = data.draw(st.booleans(), label="other is a number")
    if other_is_number:
        other = data.draw(st.booleans() | st.integers(-3, 3) | mst.reals(), label="other")
    else:
        other = data.draw(mst.arrays(data.draw(st.sampled_from(_DTYPES), label="other dtype"), shape), label="other")
    alpha = data.draw(st.sampled_from([True, False, 0, 1, 2, -1, 1.5, 0.5]), label="alpha")
    name = data.draw(st.sampled_from(["add", "sub"]), label="op")

    def run(lib, wrap):
        return getattr(wrap(x), name)(other if other_is_number else wrap(other), alpha=alpha)

    try:
        expected = run(torch, torch.from_numpy)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            run(minigrad, minigrad.tensor)
        return
    out = run(minigrad, minigrad.tensor)
    assert_close(out, expected)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_in_place_add_with_alpha(dtype, data):
    x = data.draw(mst.arrays(dtype, mst.shapes(max_dims=2)), label="x")
    other_dtype = data.draw(st.sampled_from(["bool", "int64", dtype]), label="other dtype")
    other = data.draw(mst.arrays(other_dtype, x.shape), label="other")
    alpha = data.draw(st.sampled_from([2, -1, 0.5]), label="alpha")
    out, expected = minigrad.tensor(x), torch.from_numpy(x.copy())
    out.add_(minigrad.tensor(other), alpha=alpha)
    expected.add_(torch.from_numpy(other), alpha=alpha)
    assert_close(out, expected)


def test_bool_add_with_alpha_stays_bool():
    for alpha in (True, 2, 0):
        mine = minigrad.tensor([True, False, False])
        mine.add_(minigrad.tensor([True, True, False]), alpha=alpha)
        reference = torch.tensor([True, False, False])
        reference.add_(torch.tensor([True, True, False]), alpha=alpha)
        assert_close(mine, reference)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_number_first_floor_divide_and_remainder(dtype, data):
    """c // x and c % x: torch's values, recorded with no derivative (backward raises)."""
    _, y = division_operands(data.draw)
    number = data.draw(mst.reals(-10, 10) | st.integers(-10, 10), label="number")
    name = data.draw(st.sampled_from(["floor_divide", "remainder"]), label="op")
    ours, theirs = minigrad.tensor(y.astype(dtype), requires_grad=True), torch.tensor(y.astype(dtype), requires_grad=True)
    out, expected = (number // ours, number // theirs) if name == "floor_divide" else (number % ours, number % theirs)
    assert_close(out, expected)
    for result in (expected, out):
        with pytest.raises(RuntimeError, match=f"derivative for aten::{name} is not implemented"):
            result.sum().backward()


@given(data=st.data())
def test_number_first_integer_division_by_zero(data):
    y = data.draw(mst.arrays("int64", mst.shapes(max_dims=2), elements=st.integers(-3, 3)), label="y")
    number = data.draw(st.integers(-10, 10), label="number")
    for fn in (lambda a: number // a, lambda a: number % a):
        try:
            expected = fn(torch.from_numpy(y))
        except RuntimeError:
            with pytest.raises(RuntimeError, match="ZeroDivisionError"):
                fn(minigrad.tensor(y))
            continue
        np.testing.assert_array_equal(fn(minigrad.tensor(y)).numpy(), expected.numpy())
