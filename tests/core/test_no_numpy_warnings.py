"""Infinite, nan and overflowing operands give torch's values silently: NumPy's RuntimeWarnings
(inf - inf, inf * 0, an overflowing sum, ...) never reach the user, also with warnings turned
into errors, as a script run with -W error or a suite that forbids warnings has them."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

_EDGES = st.sampled_from([np.inf, -np.inf, np.nan, 0.0, -0.0, 3e38, -3e38, 1e-45, 2.0])

_OPS = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "remainder": lambda lib, a, b: a % b,
    "pow": lambda lib, a, b: a ** b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "sum": lambda lib, a, b: (a * b).sum(),
    "mean": lambda lib, a, b: (a + b).mean(0),
    "prod": lambda lib, a, b: a.prod(),
    "cumsum": lambda lib, a, b: a.cumsum(0),
    "square": lambda lib, a, b: a * a,
    "exp_log": lambda lib, a, b: a.exp() + b.log(),
    "number": lambda lib, a, b: (a - float("inf")) * 0.0 + 1e38 * a,
    "linear": lambda lib, a, b: lib.nn.functional.linear(a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1]),
                                                         b.reshape(-1, b.shape[-1]).sum(-1)),
    "softmax": lambda lib, a, b: lib.softmax(a - b, -1),
    "log_softmax": lambda lib, a, b: lib.log_softmax(a * b, -1),
}


# Where torch's vectorised and scalar kernels disagree, minigrad gives the scalar kernel's answer
# everywhere (README): float32 remainder of 3e38 by 1e-45 is 0 one element at a time, but NaN in
# torch's vectorised loop, whose quotient overflows.
_ELEMENTWISE_BY_SCALAR_KERNEL = {"remainder"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_OPS))
@given(data=st.data())
def test_edge_operands_give_torchs_values_without_warnings(name, dtype, data):
    shape = data.draw(mst.shapes(min_dims=1, max_dims=2), label="shape")
    # (a matrix product whose terms overflow: inf + 2 * -3e38 is NaN or inf as the BLAS fuses the
    # multiply-add or not, so linear's operands stay below overflow or are infinite)
    edges = _EDGES.filter(lambda v: abs(v) != 3e38) if name == "linear" else _EDGES
    x, y = (data.draw(mst.arrays(dtype, shape, elements=edges), label=label) for label in ("x", "y"))
    expected = _OPS[name](torch, torch.from_numpy(x), torch.from_numpy(y))
    if name in _ELEMENTWISE_BY_SCALAR_KERNEL:  # torch's own answer one element at a time (see the table)
        pairs = zip(x.reshape(-1), y.reshape(-1))
        expected = torch.tensor([_OPS[name](torch, torch.tensor(p), torch.tensor(q)).item() for p, q in pairs],
                                dtype=expected.dtype).reshape(expected.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, b = minigrad.tensor(x, requires_grad=True), minigrad.tensor(y, requires_grad=True)
        out = _OPS[name](minigrad, a, b)
        out.sum().backward()
    assert_close(out, expected)


def test_numpys_own_error_setting_is_left_as_the_user_set_it():
    """minigrad's quiet ops change NumPy's error handling only while they run."""
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minigrad.tensor([np.inf]) - minigrad.tensor([np.inf])
        with pytest.raises(RuntimeWarning):
            np.array([np.inf]) - np.array([np.inf])
    assert np.geterr() == before
