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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_OPS))
@given(data=st.data())
def test_edge_operands_give_torchs_values_without_warnings(name, dtype, data):
    shape = data.draw(mst.shapes(min_dims=1, max_dims=2), label="shape")
    x, y = (data.draw(mst.arrays(dtype, shape, elements=_EDGES), label=label) for label in ("x", "y"))
    expected = _OPS[name](torch, torch.from_numpy(x), torch.from_numpy(y))
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
