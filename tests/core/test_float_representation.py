"""copysign, float_power, ldexp, frexp, nextafter, logaddexp2, gcd and lcm against torch in the
same test: values, dtypes, gradients (torch's: none to copysign's sign, 1 / 2^e for frexp's
mantissa, g where nextafter moves), in-place forms, edges and errors.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _pair(draw, x_elements=None, y_elements=None):
    shape_x, shape_y = draw(mst.broadcastable_pairs(max_dims=3))
    x = draw(mst.arrays("float64", shape_x, elements=mst.reals(-5, 5) | st.just(0.0) if x_elements is None else x_elements))
    y = draw(mst.arrays("float64", shape_y, elements=mst.reals(-5, 5) | st.sampled_from([0.0, -0.0]) if y_elements is None else y_elements))
    return x, y


cases = Cases()


@cases.add
def copysign(draw):
    x, y = _pair(draw)
    as_method = draw(st.booleans())
    return (lambda lib, a, b: a.copysign(b) if as_method else lib.copysign(a, b)), [x, y]


@cases.add
def copysign_by_number(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=2), elements=mst.reals(-5, 5) | st.just(0.0)))
    sign = draw(st.sampled_from([-2, 3.5, -0.0, 0.0]))
    return (lambda lib, a: lib.copysign(a, sign)), [x]


@cases.add
def float_power(draw):
    x, y = _pair(draw, x_elements=mst.reals(0.1, 4), y_elements=mst.reals(-3, 3))
    if draw(st.booleans()):
        return (lambda lib, a, b: lib.float_power(a, b)), [x, y]
    exponent = draw(st.sampled_from([2, -1.5, 0.5]))
    return (lambda lib, a: a.float_power(exponent)), [x]


@cases.add
def ldexp(draw):
    x, y = _pair(draw, y_elements=mst.reals(-4, 4))
    return (lambda lib, a, b: lib.ldexp(a, b)), [x, y]


@cases.add
def frexp_mantissa(draw):
    x = draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=mst.reals(-100, 100) | st.just(0.0)
                        | st.floats(1e-30, 1e30)))
    return (lambda lib, a: lib.frexp(a).mantissa), [x]


@cases.add
def nextafter(draw):
    x, y = _pair(draw)
    return (lambda lib, a, b: lib.nextafter(a, b)), [x, y]


@cases.add
def logaddexp2(draw):
    x, y = _pair(draw, x_elements=mst.reals(-30, 30), y_elements=mst.reals(-30, 30))
    as_method = draw(st.booleans())
    return (lambda lib, a, b: a.logaddexp2(b) if as_method else lib.logaddexp2(a, b)), [x, y]


@cases.add
def in_place(draw):
    """y = 2 * x; y.op_(other): recorded after the product, as in torch."""
    x = draw(mst.arrays("float64", (2, 3), elements=mst.reals(-3, 3)))
    other = draw(mst.arrays("float64", draw(mst.shapes_broadcasting_to((2, 3))), elements=mst.reals(-3, 3)))
    name = draw(st.sampled_from(["copysign_", "ldexp_", "nextafter_"]))

    def fn(lib, a, b):
        y = a * 2
        getattr(y, name)(b)
        return y

    return fn, [x, other]


test_parity = cases.test(max_examples=8)


@settings(max_examples=10)
@given(data=st.data())
def test_float_power_in_place_needs_a_float64_base(data):
    x = data.draw(mst.arrays("float64", (3,), elements=mst.reals(0.1, 3)))
    exponent = data.draw(st.sampled_from([2, 0.5, -1]))
    for lib in (minigrad, torch):
        lib_x = lib.tensor(x, requires_grad=True)
        y = lib_x * 1
        y.float_power_(exponent)
        y.sum().backward()
        if lib is minigrad:
            ours = (y, lib_x.grad)
        else:
            theirs = (y, lib_x.grad)
    assert_close(ours[0], theirs[0])
    assert_close(ours[1], theirs[1])
    assert_raises_like_torch(lambda lib: lib.ones(2).float_power_(2), same_message=True)


_EDGES = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 5e-324, 1e308, -3.5]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["copysign", "ldexp", "nextafter", "logaddexp2", "float_power"])
def test_edges_are_torch_s(name, dtype):
    """Every pair of edge values: infinities, nan, signed zeros, the smallest subnormal."""
    with np.errstate(under="ignore", over="ignore"):  # (float32 rounds some edges to 0 or inf)
        x = np.repeat(np.array(_EDGES), len(_EDGES)).astype(dtype)
        y = np.tile(np.array(_EDGES), len(_EDGES)).astype(dtype)

    def run(lib):
        a, b = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
        out = getattr(lib, name)(a, b)
        out.backward(lib.ones_like(out))
        return out, a.grad, b.grad

    for ours, theirs, what in zip(run(minigrad), run(torch), ["value", "gradient of input", "gradient of other"]):
        assert_close(ours, theirs, what=f"{name}: {what}")


def test_frexp_values_and_dtypes_are_torch_s():
    x = np.array(_EDGES + [0.75, -1e-310, 1024.0])
    for dtype in ("float64", "float32"):
        with np.errstate(under="ignore", over="ignore"):
            values = x.astype(dtype)
        ours, theirs = minigrad.frexp(minigrad.tensor(values)), torch.frexp(torch.tensor(values))
        assert_close(ours.mantissa, theirs.mantissa)
        assert_close(ours.exponent, theirs.exponent)  # int32
        assert ours.exponent.requires_grad is False


def test_frexp_gradient_past_float32_s_exponents_is_torch_s():
    """torch divides by 2^e computed in float32: inf or 0 beyond its range, even for float64."""
    values = np.array([1e300, -1e-300, 1e-310, 3e38, 1e-37, 2.5])
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor(values, requires_grad=True)
        lib.frexp(x).mantissa.backward(lib.ones_like(x))
        grads.append(x.grad)
    assert_close(*grads)


@settings(max_examples=15)
@given(shapes=mst.broadcastable_pairs(max_dims=2), data=st.data())
def test_gcd_and_lcm_are_torch_s(shapes, data):
    dtypes = data.draw(st.sampled_from([("int64", "int64"), ("int32", "int64"), ("uint8", "int8"), ("int16", "int16")]))
    x = data.draw(mst.arrays(dtypes[0], shapes[0], elements=st.integers(0 if dtypes[0] == "uint8" else -30, 30)))
    y = data.draw(mst.arrays(dtypes[1], shapes[1], elements=st.integers(-30, 30)))
    for name in ("gcd", "lcm"):
        assert_close(getattr(minigrad, name)(minigrad.tensor(x), minigrad.tensor(y)),
                     getattr(torch, name)(torch.tensor(x), torch.tensor(y)))
    x = np.broadcast_to(x, np.broadcast_shapes(x.shape, y.shape)).astype(np.int64)  # (in place: x's shape stays)
    ours, theirs = minigrad.tensor(x), torch.tensor(x)
    assert_close(ours.lcm_(minigrad.tensor(y).long()), theirs.lcm_(torch.tensor(y).long()))


@pytest.mark.parametrize("x, y", [([1, 2], [-1, 2]), ([1.0, 2.0], [-1, 2]), ([True, False], [1.0, -1.0]),
                                  (np.float32([1, 2]), np.float64([-1, 1]))])
def test_dtypes_are_torch_s(x, y):
    for name in ("copysign", "ldexp", "float_power"):
        assert_close(getattr(minigrad, name)(minigrad.tensor(x), minigrad.tensor(y)),
                     getattr(torch, name)(torch.tensor(x), torch.tensor(y)))
    assert_close(minigrad.copysign(minigrad.tensor(x), -1), torch.copysign(torch.tensor(x), -1))
    assert_close(minigrad.float_power(2, minigrad.tensor(y)), torch.float_power(2, torch.tensor(y)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.frexp(lib.tensor([1, 2])),
    lambda lib: lib.gcd(lib.tensor([1.0]), lib.tensor([2.0])),
    lambda lib: lib.lcm(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.logaddexp2(lib.tensor([1, 2]), lib.tensor([1, 2])),
    lambda lib: lib.nextafter(lib.tensor([1, 2]), lib.tensor([1, 2])),
    lambda lib: lib.tensor([1, 2]).copysign_(-1),
    lambda lib: lib.tensor([1, 2]).ldexp_(lib.tensor([1, 2])),
])
def test_errors_are_torch_s(call):
    assert_raises_like_torch(call, same_message=True)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ldexp(lib.ones(2), 2),
    lambda lib: lib.gcd(lib.tensor([1]), 2),
    lambda lib: lib.logaddexp2(lib.ones(2), 1.0),
    lambda lib: lib.copysign(2, lib.ones(2)),
    lambda lib: lib.copysign(lib.ones(2), lib.ones(3)),
    lambda lib: lib.ones(2).copysign_(lib.ones(2, 2)),
])
def test_refused_operands_raise_torch_s_exception(call):
    assert_raises_like_torch(call)


def test_frexp_takes_a_pair_of_out_tensors():
    mantissa, exponent = minigrad.empty(2), minigrad.empty(2, dtype=minigrad.int32)
    result = minigrad.frexp(minigrad.tensor([1.0, 3.0]), out=(mantissa, exponent))
    assert result.mantissa is mantissa and result.exponent is exponent
    assert mantissa.tolist() == [0.5, 0.75] and exponent.tolist() == [1, 2]
