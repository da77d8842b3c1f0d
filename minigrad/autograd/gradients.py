"""backward and grad over several tensors at once: the front of the engine for autograd's users."""

import numpy as np

from minigrad.autograd import engine, recorder


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Backward from several tensors at once, each with its seed gradient (None for scalars)."""
    Tensor = recorder.Tensor
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None else [grad_tensors]
    seeds = [t._seed(g, create_graph) for t, g in zip(tensors, grad_tensors)]
    inputs = [inputs] if isinstance(inputs, Tensor) else inputs
    engine.backward(tensors, seeds, retain_graph=create_graph if retain_graph is None else retain_graph,
                    inputs=None if inputs is None else list(inputs), create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned instead of stored in .grad.

    With create_graph=True the backward pass is recorded: the gradients are tensors in the
    graph, which can be differentiated again (a Hessian-vector product, a gradient penalty)."""
    Tensor = recorder.Tensor
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = [t._seed(g, create_graph) for t, g in zip(outputs, grad_outputs)]
    results = engine.backward(outputs, seeds, retain_graph=create_graph if retain_graph is None else retain_graph,
                              inputs=inputs, accumulate=False, create_graph=create_graph)
    if any(g is None for g in results) and not (allow_unused or materialize_grads):
        raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                           "Set allow_unused=True if this is the desired behavior.")
    return tuple(_as_result(g) if g is not None else
                 (Tensor._wrap(np.zeros_like(t._array)) if materialize_grads else None)
                 for g, t in zip(results, inputs))


def _as_result(g):
    return g if isinstance(g, recorder.Tensor) else recorder.Tensor._wrap(g)
