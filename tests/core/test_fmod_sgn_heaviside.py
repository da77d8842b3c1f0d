"""fmod, sgn, fix, frac, heaviside and the rounding ops in place, against torch in the same test.

fmod is the remainder with the sign of the dividend (C's fmod): d/dx = 1, d/dy = -trunc(x / y).
sgn is sign for real tensors, under its own node name; fix is trunc. heaviside has no derivative
in torch: its result is recorded and backward raises. The in-place forms record like their
out-of-place forms and keep integer tensors as they are (or raise as torch does).
"""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parity import Cases, division_operands

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import method_or_function

torch = torch_or_skip()

cases = Cases()


@cases.add
def fmod(draw):
    x, y = division_operands(draw)
    form = draw(st.sampled_from(["method", "function"]))
    return (lambda lib, a, b: a.fmod(b) if form == "method" else lib.fmod(a, b)), [x, y]


@cases.add
def fmod_by_number(draw):
    x, _ = division_operands(draw)
    divisor = draw(mst.nonzero_reals(0.5, 4) | st.sampled_from([2, -3]))
    return (lambda lib, a: lib.fmod(a, divisor)), [x]


@cases.add
def fmod_by_zero(draw):
    """0 / 0 and x / 0: nan values, and the divisor's gradient -trunc(x / 0) is -inf, inf or nan."""
    x, _ = division_operands(draw)
    y = np.zeros(x.shape[-1:])
    return (lambda lib, a, b: lib.fmod(a, b)), [x, y]


@cases.add
def sgn(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals() | st.just(0.0) | st.just(np.nan)))
    return (lambda lib, a, fn: fn(lib, a)), [x, draw(method_or_function("sgn"))]


@cases.add
def fix_and_frac(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(-10, 10)))
    name = draw(st.sampled_from(["fix", "frac", "trunc"]))
    return (lambda lib, a, fn: fn(lib, a)), [x, draw(method_or_function(name))]


_IN_PLACE = ["floor_", "ceil_", "trunc_", "fix_", "round_", "frac_", "sign_", "sgn_"]


@cases.add
def rounding_in_place(draw):
    """y = 2 * x; y.op_(): the in-place op is recorded after the product, as in torch."""
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(-10, 10)))
    name = draw(st.sampled_from(_IN_PLACE))
    decimals = {"decimals": draw(st.integers(-1, 2))} if name == "round_" else {}

    def fn(lib, a):
        y = a * 2
        getattr(y, name)(**decimals)
        return y

    return fn, [x]


@cases.add
def fmod_and_remainder_in_place(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(-10, 10)))
    y = draw(mst.arrays("float64", mst.shapes_broadcasting_to(x.shape), elements=mst.nonzero_reals(0.5, 4)))
    name = draw(st.sampled_from(["fmod_", "remainder_"]))
    by_number = draw(st.booleans())

    def fn(lib, a, b):
        out = a * 1
        getattr(out, name)(2.5 if by_number else b)
        return out

    return fn, [x, y]


test_parity = cases.test()


_DTYPES = ["bool", "int64", "int32", "float32", "float64"]


@given(data=st.data())
def test_fmod_dtypes_and_errors(data):
    """Every dtype pair, tensor or number divisor: torch's result dtype and values, or its error
    (integer division by zero, fmod of bools, shapes that do not broadcast)."""
    shape_x, shape_y = data.draw(mst.broadcastable_pairs(max_dims=2) | st.just(((2,), (3,))), label="shapes")
    x = data.draw(mst.arrays(data.draw(st.sampled_from(_DTYPES), label="x dtype"), shape_x), label="x")
    if data.draw(st.booleans(), label="number divisor"):
        divisor = data.draw(st.booleans() | st.integers(-3, 3) | mst.reals(), label="divisor")
        ours, theirs = divisor, divisor
    else:
        y = data.draw(mst.arrays(data.draw(st.sampled_from(_DTYPES), label="y dtype"), shape_y), label="y")
        ours, theirs = minigrad.tensor(y), torch.from_numpy(y)
    try:
        expected = torch.fmod(torch.from_numpy(x), theirs)
    except (RuntimeError, NotImplementedError) as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            minigrad.fmod(minigrad.tensor(x), ours)
        return
    assert_close(minigrad.fmod(minigrad.tensor(x), ours), expected)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_heaviside_is_recorded_and_has_no_derivative(dtype, data):
    shape_x, shape_v = data.draw(mst.broadcastable_pairs(max_dims=3), label="shapes")
    x = data.draw(mst.arrays(dtype, shape_x, elements=st.sampled_from([0.0, -0.0, 1.5, -2.0, np.nan])), label="x")
    v = data.draw(mst.arrays(dtype, shape_v, elements=mst.reals(-2, 2)), label="values")
    which = data.draw(st.sampled_from([(True, False), (False, True), (True, True), (False, False)]),
                      label="which require grad")
    in_place = data.draw(st.booleans(), label="in place") and np.broadcast_shapes(shape_x, shape_v) == shape_x
    results = []
    for lib in (minigrad, torch):
        a, b = (lib.tensor(array, requires_grad=flag) for array, flag in zip((x, v), which))
        out = (a * 1).heaviside_(b) if in_place else lib.heaviside(a, b)
        results.append(out)
    out, expected = results
    assert_close(out, expected)
    assert out.requires_grad == expected.requires_grad
    if expected.requires_grad:
        assert type(out.grad_fn).__name__ == type(expected.grad_fn).__name__ == "NotImplemented"
        for result in (expected, out):
            with pytest.raises(RuntimeError, match=f"derivative for aten::heaviside{'_' if in_place else ''} is "
                                                   "not implemented"):
                result.sum().backward()


@given(data=st.data())
def test_heaviside_dtypes_and_errors(data):
    x = data.draw(mst.arrays(data.draw(st.sampled_from(_DTYPES)), mst.shapes(max_dims=2)), label="x")
    values = data.draw(mst.arrays(data.draw(st.sampled_from(_DTYPES)), data.draw(mst.shapes(max_dims=2))) |
                       st.just(0.5), label="values")
    ours = minigrad.tensor(values) if isinstance(values, np.ndarray) else values
    theirs = torch.from_numpy(values) if isinstance(values, np.ndarray) else values
    try:
        expected = torch.heaviside(torch.from_numpy(x), theirs)
    except (RuntimeError, TypeError) as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            minigrad.heaviside(minigrad.tensor(x), ours)
        return
    assert_close(minigrad.heaviside(minigrad.tensor(x), ours), expected)


@given(data=st.data())
def test_rounding_in_place_on_every_dtype(data):
    """Integer and bool tensors: floor_, ceil_, trunc_, fix_, round_() and sign_ keep them as they
    are (values and dtype); frac_ and round_(decimals != 0) raise torch's NotImplementedError."""
    x = data.draw(mst.arrays(data.draw(st.sampled_from(_DTYPES), label="dtype"), mst.shapes(max_dims=2)), label="x")
    name = data.draw(st.sampled_from(_IN_PLACE), label="op")
    kwargs = {"decimals": data.draw(st.integers(-1, 2))} if name == "round_" else {}
    theirs = torch.from_numpy(x.copy())
    try:
        result = getattr(theirs, name)(**kwargs)
    except (RuntimeError, NotImplementedError) as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            getattr(minigrad.tensor(x), name)(**kwargs)
        return
    ours = minigrad.tensor(x)
    assert getattr(ours, name)(**kwargs) is ours and result is theirs
    assert_close(ours, theirs)


def test_in_place_rounding_of_a_leaf_that_requires_grad_raises_as_torch():
    for name in _IN_PLACE:
        for lib in (minigrad, torch):
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
                getattr(lib.tensor([1.5, -0.5], requires_grad=True), name)()


def test_function_forms_exist_as_in_torch():
    for name in ["fmod", "sgn", "fix", "trunc", "frac", "heaviside"]:
        assert callable(getattr(torch, name)) and callable(getattr(minigrad, name))
