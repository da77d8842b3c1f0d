"""Autograd: grad mode switches, the backward engine, and user-defined Functions."""

from minigrad.autograd.function import Function, FunctionCtx
from minigrad.autograd.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


def backward(tensors, grad_tensors=None, retain_graph=None):
    """Run backward from one tensor or several (with their seed gradients)."""
    from minigrad.tensor import Tensor

    if isinstance(tensors, Tensor):
        tensors, grad_tensors = [tensors], [grad_tensors]
    grad_tensors = grad_tensors or [None] * len(tensors)
    for t, g in zip(tensors, grad_tensors):
        t.backward(g, retain_graph=True if retain_graph is None and len(tensors) > 1 else retain_graph)


__all__ = ["Function", "FunctionCtx", "backward", "enable_grad", "inference_mode", "is_grad_enabled",
           "no_grad", "set_grad_enabled"]
