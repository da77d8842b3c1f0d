"""torch.autograd.functional's first-order tools: vjp and jacobian of a function of tensors.

Both are built from reverse mode alone: a vector-Jacobian product is one backward pass,
and the Jacobian is one backward pass per output element (a one-hot upstream gradient
picks out one row). Second derivatives (hessian, jvp via double backward) need a
recorded backward pass, which minigrad does not build.
"""

import numpy as np

from minigrad.autograd import grad as _grad
from minigrad.autograd.grad_mode import enable_grad


def _as_tuple(x):
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _prepared(inputs):
    return tuple(t.detach().requires_grad_(t.is_floating_point()) for t in inputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the outputs, and the gradient of <v, outputs> with respect to inputs."""
    from minigrad.tensor import Tensor

    inputs, several = _as_tuple(inputs)
    inputs = _prepared(inputs)
    with enable_grad():
        output = func(*inputs)
    if v is None:
        if output.numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                               "Tensor with a single element.")
        v = Tensor._wrap(np.ones_like(output._array))
    grads = _grad(output, inputs, v, allow_unused=True)
    grads = tuple(g if g is not None else Tensor._wrap(np.zeros_like(x._array)) for g, x in zip(grads, inputs))
    return output.detach(), grads if several else grads[0]


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs, shaped output.shape + input.shape (a tuple of them for several inputs)."""
    from minigrad.tensor import Tensor

    if create_graph:
        raise NotImplementedError("minigrad does not record the backward pass (create_graph=True)")
    inputs, several = _as_tuple(inputs)
    inputs = _prepared(inputs)
    with enable_grad():
        output = func(*inputs)
    rows = [np.zeros((output.numel(),) + tuple(x.shape), dtype=x._array.dtype) for x in inputs]
    for k in range(output.numel()):
        one_hot = np.zeros(output.numel(), dtype=output._array.dtype)
        one_hot[k] = 1
        seed = Tensor._wrap(one_hot.reshape(output._array.shape))
        grads = _grad(output, inputs, seed, retain_graph=True, allow_unused=True)
        for row, g in zip(rows, grads):
            if g is not None:
                row[k] = g._array
    jacobians = tuple(Tensor._wrap(row.reshape(tuple(output.shape) + tuple(x.shape))) for row, x in zip(rows, inputs))
    return jacobians if several else jacobians[0]
