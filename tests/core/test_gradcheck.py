"""The second oracle: minigrad's gradients against central differences, no torch involved.

Values are drawn away from the kinks of each function (relu at 0, ties of max) so that
finite differences are meaningful; float64 throughout.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import gradcheck
from minigrad.testing import strategies as mst

SMALL = mst.shapes(max_dims=3, max_side=3)
# Values on a grid of eighths: distinct ones differ by far more than the finite-difference step.
GRID = st.integers(-24, 24).map(lambda n: n / 8)
GRID_NONZERO = GRID.filter(lambda v: v != 0)
POSITIVE = mst.reals(0.2, 3)


def unary(draw, elements=None, unique=False):
    return [draw(mst.arrays("float64", SMALL, elements=elements, unique=unique))]


def pair(draw, x_elements=None, y_elements=None):
    a, b = draw(mst.broadcastable_pairs(max_dims=3, max_side=3))
    return [draw(mst.arrays("float64", a, elements=x_elements)), draw(mst.arrays("float64", b, elements=y_elements))]


def matrices(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    return [draw(mst.arrays("float64", (2, n, k))), draw(mst.arrays("float64", (k, m)))]


def with_dim(draw):
    x = draw(mst.arrays("float64", mst.shapes(min_dims=1, max_dims=3, max_side=3), elements=GRID, unique=True))
    return [x], draw(mst.dim(x.ndim))


def shape_ops(x):
    """A chain of rearrangements whose gradient is a sum over where each element went."""
    stacked = minigrad.stack([x, x * 2], dim=0)
    moved = stacked.permute(*reversed(range(stacked.ndim))).repeat(*[2] * stacked.ndim)
    return minigrad.cat([moved.reshape(-1), x.flatten().unsqueeze(0).expand(3, -1).reshape(-1)]) * 1.5


# name -> (draw the inputs and a dim, the function of minigrad tensors)
CHECKS = {
    "exp_log_tanh": (lambda d: (unary(d, POSITIVE), None),
                     lambda x, dim: x.exp() * x.log() + x.tanh() + x.sigmoid() + x.sqrt() * x.rsqrt()),
    "sin_cos_log1p": (lambda d: (unary(d, POSITIVE), None), lambda x, dim: x.sin() * x.cos() + x.log1p()),
    "relu_abs_away_from_zero": (lambda d: (unary(d, GRID_NONZERO), None), lambda x, dim: x.relu() + x.abs() * 2),
    "mul_div_broadcast": (lambda d: (pair(d, y_elements=mst.nonzero_reals()), None),
                          lambda x, y, dim: x * y + x / y - y),
    "pow_tensor": (lambda d: (pair(d, x_elements=POSITIVE), None), lambda x, y, dim: x ** y),
    "pow_scalar": (lambda d: (unary(d, POSITIVE), None), lambda x, dim: x ** 2.5 + x ** -1 + 3 ** x),
    "matmul": (lambda d: (matrices(d), None), lambda a, b, dim: a @ b),
    "sum_mean_along_dim": (with_dim, lambda x, dim: x.sum(dim) + x.mean(dim, keepdim=False) * 2),
    "prod": (with_dim, lambda x, dim: x.prod(dim)),
    "max_along_dim": (with_dim, lambda x, dim: x.max(dim).values + x.amin(dim)),
    "var_std": (with_dim, lambda x, dim: x.var(dim) + x.std(dim, correction=0)),
    "logsumexp_cumsum": (with_dim, lambda x, dim: x.logsumexp(dim).sum() + x.cumsum(dim).sum()),
    "sort_topk": (with_dim, lambda x, dim: x.sort(dim).values * 2 + x.topk(1, dim).values),
    "gather_index": (with_dim, lambda x, dim: x.gather(dim, minigrad.zeros_like(x, dtype=minigrad.int64))
                     + x[..., [0, 0, -1]].sum()),
    "shape_ops": (lambda d: (unary(d), None), lambda x, dim: shape_ops(x)),
    "where_clamp_maximum": (lambda d: (pair(d, GRID_NONZERO, GRID), None),
                            lambda x, y, dim: minigrad.where(x > 0, x, y) + (x * 3).clamp(-1.01, 1.01)
                            + x.maximum(y + 0.0625)),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
@settings(max_examples=15)
@given(data=st.data())
def test_gradients_match_central_differences(name, data):
    draw_inputs, fn = CHECKS[name]
    arrays, dim = draw_inputs(data.draw)
    inputs = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *xs: fn(*xs, dim), inputs)


def test_gradcheck_catches_a_wrong_gradient():
    """The oracle itself must fail on a wrong rule, or its passes mean nothing."""
    class Twice(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, grad):
            return grad  # wrong: should be 2 x grad

    x = minigrad.tensor(np.array([0.5, 1.5]), requires_grad=True)
    with pytest.raises(AssertionError):
        gradcheck(Twice.apply, [x])
