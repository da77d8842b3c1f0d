"""NaN in, NaN out, exactly where torch puts it: forward values and gradients of the ops that
select, mask or compare, with nan among the inputs and in the upstream gradient.

A gradient that is masked out must be exactly 0 even when the upstream gradient is nan
(torch selects, it does not multiply by a 0/1 mask), and a nan input must take the
branch torch takes (no comparison holds for nan). Both libraries run in the same test.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, to_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _with_nans(dtype, shape, low=-3.0, high=3.0):
    """Arrays whose elements are finite values, boundary values of the ops and nan."""
    values = st.one_of(mst.reals(low, high), st.sampled_from([0.0, -1.0, 1.0, 6.0, 3.0, -3.0]), st.just(np.nan))
    return mst.arrays(dtype, shape, elements=values)


def _compare(fn, arrays, upstream, dtype):
    """Run fn on both libraries, backpropagate `upstream` and compare outputs and gradients."""
    ours = [minigrad.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [to_torch(t) for t in ours]
    out, expected = fn(minigrad, *ours), fn(torch, *theirs)
    assert_close(out, expected, what="output")
    g = upstream(expected.shape).astype(dtype)
    out.backward(minigrad.tensor(g))
    expected.backward(torch.from_numpy(g))
    for i, (mine, reference) in enumerate(zip(ours, theirs)):
        assert_close(mine.grad, reference.grad, what=f"gradient of input {i}")


UNARY = {
    "relu": lambda lib, x: lib.relu(x),
    "relu_method": lambda lib, x: x.relu(),
    "relu6": lambda lib, x: lib.nn.functional.relu6(x),
    "hardtanh": lambda lib, x: lib.nn.functional.hardtanh(x, -1.0, 1.0),
    "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda lib, x: lib.nn.functional.elu(x),
    "selu": lambda lib, x: lib.nn.functional.selu(x),
    "celu": lambda lib, x: lib.nn.functional.celu(x, 0.5),
    "abs": lambda lib, x: x.abs(),
    "sign": lambda lib, x: x.sign(),
    "clamp": lambda lib, x: x.clamp(-1.0, 1.0),
    "threshold": lambda lib, x: lib.nn.functional.threshold(x, 0.5, -2.0),
    "hardsigmoid": lambda lib, x: lib.nn.functional.hardsigmoid(x),
    "hardswish": lambda lib, x: lib.nn.functional.hardswish(x),
    "max": lambda lib, x: x.max(),
    "min": lambda lib, x: x.min(),
    "max_dim": lambda lib, x: x.max(-1).values if x.ndim else x.max(),
    "masked_fill": lambda lib, x: x.masked_fill(x > 0, 0.0),
    "pow_tensor": lambda lib, x: x.abs() ** x,
    "number_pow": lambda lib, x: 0.0 ** x.abs() + 2.0 ** x,
    "median": lambda lib, x: x.median(),
    "norm_inf": lambda lib, x: x.norm(float("inf"), -1),
    "norm_minus_inf": lambda lib, x: x.norm(-float("inf")),
    "cumprod": lambda lib, x: x.cumprod(-1),
    "where": lambda lib, x: lib.where(x > 0, x, x * 2),
}


# torch's vectorised CPU kernels of these ops send a different gradient to a nan input
# (0 or nan) than its scalar kernels and its derivative formulas do; which kernel runs
# depends on the tensor's length and the CPU. minigrad follows the formulas, which torch's
# scalar kernels compute for tensors shorter than one vector (3 elements or fewer).
_FORMULA_ONLY_AT_NAN = {"hardtanh", "relu6", "elu", "selu", "celu", "hardswish"}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_ops_at_nan_inputs_and_nan_upstream(name, dtype, data):
    nan_inputs = data.draw(st.booleans(), label="nan inputs")
    if nan_inputs:
        shapes = mst.shapes(max_dims=1, max_side=3) if name in _FORMULA_ONLY_AT_NAN else mst.shapes(max_dims=3)
        x = data.draw(_with_nans(dtype, shapes), label="x")
    else:
        x = data.draw(mst.arrays(dtype, mst.shapes(max_dims=3)), label="x")
    nan_upstream = data.draw(st.booleans(), label="nan upstream")

    def upstream(shape):
        return data.draw(_with_nans(dtype, tuple(shape)) if nan_upstream else mst.arrays(dtype, tuple(shape)),
                         label="upstream")

    _compare(UNARY[name], [x], upstream, dtype)


BINARY = {
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "minimum": lambda lib, x, y: x.minimum(y),
    "max_other": lambda lib, x, y: x.max(y),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_selections_at_nan(name, dtype, data):
    shape_x, shape_y = data.draw(mst.broadcastable_pairs(max_dims=3), label="shapes")
    x = data.draw(_with_nans(dtype, shape_x), label="x")
    y = data.draw(_with_nans(dtype, shape_y), label="y")

    def upstream(shape):
        return data.draw(_with_nans(dtype, tuple(shape)), label="upstream")

    _compare(BINARY[name], [x, y], upstream, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_division_gradient_does_not_overflow(dtype, data):
    """d(x/y)/dy = -x/y^2 is taken as (x / y) / y, as torch does: y * y alone overflows (or
    underflows to 0) in float32 for |y| beyond 1e19 (or below 1e-19) while the quotient is fine."""
    magnitudes = st.floats(-30, 30).map(lambda e: 10.0 ** e)
    signed = st.tuples(magnitudes, st.sampled_from([-1.0, 1.0])).map(lambda pair: pair[0] * pair[1])
    shape_x, shape_y = data.draw(mst.broadcastable_pairs(max_dims=2), label="shapes")
    x = data.draw(mst.arrays("float64", shape_x, elements=signed), label="x")
    y = data.draw(mst.arrays("float64", shape_y, elements=signed), label="y")

    def upstream(shape):
        return data.draw(mst.arrays("float64", tuple(shape), elements=signed), label="upstream")

    _compare(lambda lib, a, b: a / b, [x, y], upstream, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@given(data=st.data())
def test_ignored_targets_send_exactly_zero(dtype, data):
    """cross_entropy and nll_loss with ignore_index: an ignored row's loss and gradient are
    exactly 0, as in torch, even where its inputs or the upstream gradient are nan."""
    rows, classes = data.draw(st.integers(1, 4), label="rows"), data.draw(st.integers(1, 4), label="classes")
    x = data.draw(_with_nans(dtype, (rows, classes)), label="x")
    target = data.draw(mst.arrays("int64", (rows,), elements=st.integers(-1, classes - 1)), label="target")
    reduction = data.draw(st.sampled_from(["none", "sum", "mean"]), label="reduction")
    name = data.draw(st.sampled_from(["cross_entropy", "nll_loss"]), label="loss")

    def fn(lib, logits):
        return getattr(lib.nn.functional, name)(logits, lib.from_numpy(target), ignore_index=-1, reduction=reduction)

    def upstream(shape):
        return data.draw(_with_nans(dtype, tuple(shape)), label="upstream")

    _compare(fn, [x], upstream, dtype)


def test_cumprod_leaves_out_the_terms_after_a_second_zero():
    """The first zero's gradient sums g_k times the products with that zero taken as 1 only up to the
    second zero, as torch does: later products hold the second zero, and a nan after it is not
    spread into the sum (0 * nan would be nan)."""
    def gradient(lib):
        x = lib.tensor([0.0, 0.0, float("nan")], requires_grad=True)
        x.cumprod(-1).backward(lib.zeros(3))
        return x.grad.tolist()
    assert gradient(minigrad) == gradient(torch) == [0.0, 0.0, 0.0]
