"""Central differences: the oracle that needs no torch.

For a function f of several tensors and a random upstream gradient v, the VJP with
respect to input x is sum_j v_j * d f_j / d x_i, which central differences estimate as
(<v, f(x + h e_i)> - <v, f(x - h e_i)>) / 2h, one input element at a time.
"""

import numpy as np


def numerical_vjp(f, arrays, v, argnum, eps=1e-6):
    """Estimate the VJP of f (NumPy arrays -> NumPy array) with respect to arrays[argnum]."""
    x = np.array(arrays[argnum], dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = np.sum(v * f(*_replace(arrays, argnum, x)))
        x[i] = original - eps
        minus = np.sum(v * f(*_replace(arrays, argnum, x)))
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def _replace(arrays, argnum, x):
    return [x if i == argnum else a for i, a in enumerate(arrays)]


def gradcheck(fn, inputs, rtol=1e-5, atol=1e-7, eps=1e-6, seed=0):
    """Check minigrad's gradients of fn(*inputs) against central differences, in float64.

    `inputs` are minigrad tensors; those with requires_grad are checked. Returns True or
    raises AssertionError naming the input that disagrees.
    """
    import minigrad

    rng = np.random.default_rng(seed)
    leaves = [t.detach().double().requires_grad_(t.requires_grad) for t in inputs]
    out = fn(*leaves)
    v = rng.standard_normal(out.shape)
    out.backward(minigrad.tensor(v))

    def f(*arrays):
        with minigrad.no_grad():
            return fn(*(minigrad.tensor(a) for a in arrays)).numpy()

    arrays = [t.detach().numpy() for t in leaves]
    for i, t in enumerate(leaves):
        if t.requires_grad:
            expected = numerical_vjp(f, arrays, v, i, eps)
            np.testing.assert_allclose(t.grad.numpy(), expected, rtol=rtol, atol=atol,
                                       err_msg=f"gradient of input {i}")
    return True
