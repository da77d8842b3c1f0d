"""Plain SGD's shortcut (no momentum, weight decay or maximize) computes p - lr * g exactly as the rule
does, for parameters of several shapes and dtypes sharing the optimizer's scratch buffers, and leaves
the gradients alone."""

import numpy as np

import minigrad
from minigrad.optim import functional as F


def test_plain_sgd_matches_the_rule_for_mixed_shapes_and_dtypes():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape).astype(dtype)
              for shape, dtype in [((3, 4), np.float32), ((12,), np.float32), ((50,), np.float32),
                                   ((2, 2), np.float64), ((), np.float32), ((7, 1), np.float64)]]
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in arrays]
    optimizer = minigrad.optim.SGD(params, lr=0.1)
    for _ in range(3):
        grads = [rng.standard_normal(a.shape).astype(a.dtype) for a in arrays]
        for p, g in zip(params, grads):
            p.grad = minigrad.tensor(g.copy())
        optimizer.step()
        for k, (a, g) in enumerate(zip(arrays, grads)):
            arrays[k], _ = F.sgd(a, g, F.init_sgd(a), lr=0.1)
            assert params[k].dtype == minigrad.tensor(a).dtype
            np.testing.assert_array_equal(params[k].detach().numpy(), arrays[k])
            np.testing.assert_array_equal(params[k].grad.numpy(), g)     # the gradient is not touched
