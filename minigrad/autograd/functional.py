"""torch.autograd.functional: derivatives of a function of tensors, built from reverse mode.

- vjp: v^T J, one backward pass with v as the upstream gradient.
- jacobian: one backward pass per output element (a one-hot upstream gradient picks out a row).
- jvp: J v by the double-backward trick: the vjp u -> u^T J is linear in u, so its gradient
  with respect to u, against v, is J v.
- hessian, hvp, vhp: second derivatives of a scalar function, by differentiating the
  recorded first backward pass again (create_graph=True).

As in torch, the inputs are detached copies (so the results do not reach the caller's graph)
unless create_graph=True, where the results stay differentiable.
"""

import numpy as np

from minigrad.autograd.gradients import grad as _grad
from minigrad.autograd import recorder
from minigrad.autograd.grad_mode import enable_grad


def _as_tuple(x):
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _prepared(inputs, create_graph):
    """The inputs as the function will see them: in the caller's graph only with create_graph."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else
                 t.detach().requires_grad_(t.is_floating_point()) for t in inputs)


def _finished(tensors, create_graph):
    return tuple(t if create_graph else t.detach() for t in tensors)


def _zeros_where_none(grads, like):
    return tuple(g if g is not None else recorder.Tensor._wrap(np.zeros_like(x._array)) for g, x in zip(grads, like))


def _upstream(v, outputs, name):
    """The vector v of a vjp (or hvp) checked against the outputs; None only for one scalar."""
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                               "Tensor with a single element.")
        return (None,)
    v, _ = _as_tuple(v)
    for vi, o in zip(v, outputs):
        if tuple(vi.shape) != tuple(o.shape):
            raise RuntimeError(f"Mismatch in shape: {name} has a shape of {tuple(vi.shape)} and the corresponding "
                               f"output has a shape of {tuple(o.shape)}.")
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the outputs, and the gradient of <v, outputs> with respect to inputs."""
    inputs, several = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        outputs, several_outputs = _as_tuple(func(*inputs))
        v = _upstream(v, outputs, "v")
        grads = _grad(outputs, inputs, v, create_graph=create_graph, allow_unused=True)
    grads = _finished(_zeros_where_none(grads, inputs), create_graph)
    outputs = _finished(outputs, create_graph)
    return (outputs if several_outputs else outputs[0]), (grads if several else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by differentiating a vjp with respect to its (unused) upstream vector."""
    inputs, several = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the user-provided function "
                                   "is a single Tensor with a single element.")
            v = (inputs[0].detach() * 0 + 1,)
        v, _ = _as_tuple(v)
        outputs, several_outputs = _as_tuple(func(*inputs))
        u = tuple(o.detach() * 0 for o in outputs)
        for ui in u:
            ui.requires_grad_(True)
        grads = _grad(outputs, inputs, u, create_graph=True, allow_unused=True)
        used = [(g, vi) for g, vi in zip(grads, v) if g is not None]
        if used:
            products = _grad([g for g, _ in used], u, [vi for _, vi in used], create_graph=create_graph,
                             allow_unused=True)
        else:
            products = (None,) * len(u)
    products = _finished(_zeros_where_none(products, outputs), create_graph)
    outputs = _finished(outputs, create_graph)
    return (outputs if several_outputs else outputs[0]), (products if several_outputs else products[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs, shaped output.shape + input.shape. With several inputs (or
    outputs) a tuple per input (per output: a tuple of tuples with both)."""
    if strategy != "reverse-mode":
        raise NotImplementedError("minigrad computes Jacobians in reverse mode only (strategy='reverse-mode')")
    inputs, several = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        outputs, several_outputs = _as_tuple(func(*inputs))
        per_output = [_jacobian_of(output, inputs, create_graph) for output in outputs]
    per_output = [j if several else j[0] for j in per_output]
    return tuple(per_output) if several_outputs else per_output[0]


def _jacobian_of(output, inputs, create_graph):
    """One Jacobian per input for one output, built row by row (one backward per output element)."""
    Tensor = recorder.Tensor
    rows = [[] for _ in inputs]
    for k in range(output.numel()):
        one_hot = np.zeros(output.numel(), dtype=output._array.dtype)
        one_hot[k] = 1
        seed = Tensor._wrap(one_hot.reshape(output._array.shape))
        grads = (None,) * len(inputs)
        if output.requires_grad:
            grads = _grad(output, inputs, seed, retain_graph=True, create_graph=create_graph, allow_unused=True)
        for row, g in zip(rows, _zeros_where_none(grads, inputs)):
            row.append(g)
    jacobians = []
    for row, x in zip(rows, inputs):
        shape = tuple(output.shape) + tuple(x.shape)
        # np.stack on tensors is minigrad's (recorded) stack: the rows stay in the graph with create_graph.
        jacobians.append(np.stack(row).reshape(shape) if row else Tensor._wrap(np.zeros(shape, dtype=x._array.dtype)))
    return tuple(jacobians)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The matrix of second derivatives of a scalar func, shaped input.shape + input.shape (for
    several inputs a tuple of tuples: H[i][j] = d^2 f / d input_i d input_j)."""
    inputs, several = _as_tuple(inputs)

    def gradient(*xs):
        output = func(*xs)
        if output.numel() != 1:
            raise RuntimeError(f"The function given to hessian should return a single Tensor with a single "
                               f"element, but it returned a Tensor with {output.numel()} elements")
        grads = _grad(output.reshape(()), xs, create_graph=True, allow_unused=True)
        return _zeros_where_none(grads, xs) if several else _zeros_where_none(grads, xs)[0]

    return jacobian(gradient, inputs if several else inputs[0], create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar func: the gradient of <grad f, v>."""
    inputs, several = _as_tuple(inputs)
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        output = func(*inputs)
        if output.numel() != 1:
            raise RuntimeError("The function given to hvp / vhp should return a single Tensor with a single "
                               f"element, but it returned a Tensor with {output.numel()} elements")
        v, _ = _as_tuple(v) if v is not None else ((None,), False)
        if v[0] is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the user-provided function "
                                   "is a single Tensor with a single element.")
            v = (inputs[0].detach() * 0 + 1,)
        for vi, x in zip(v, inputs):
            if tuple(vi.shape) != tuple(x.shape):
                raise RuntimeError(f"Mismatch in shape: v has a shape of {tuple(vi.shape)} and the corresponding "
                                   f"input has a shape of {tuple(x.shape)}.")
        grads = _zeros_where_none(_grad(output, inputs, create_graph=True, allow_unused=True), inputs)
        used = [(g, vi) for g, vi in zip(grads, v) if g.requires_grad]
        products = (None,) * len(inputs)
        if used:
            products = _grad([g for g, _ in used], inputs, [vi for _, vi in used], create_graph=create_graph,
                             allow_unused=True)
    products = _finished(_zeros_where_none(products, inputs), create_graph)
    output = output if create_graph else output.detach()
    return output, (products if several else products[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func. The Hessian of a twice differentiable function is
    symmetric, so H v is v^T H, computed as in vhp."""
    return vhp(func, inputs, v, create_graph=create_graph, strict=strict)
