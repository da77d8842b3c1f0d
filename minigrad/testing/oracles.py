"""Oracles for a gradient computed by hand: torch's autograd when torch is installed, and central
differences (which need no torch) always.

    torch = torch_or_none()
    if torch is not None:
        out, (gx,) = torch_vjp(torch.sigmoid, [x], g)
    gx_estimate = central_vjp(lambda x: 1 / (1 + np.exp(-x)), [x], g, 0)

Inputs, outputs and gradients are NumPy arrays, so a hand-written rule (a function on NumPy
arrays) is compared with them directly.
"""

import importlib

import numpy as np

from minigrad.testing.gradcheck import numerical_vjp

__all__ = ["central_vjp", "torch_or_none", "torch_vjp"]


def torch_or_none():
    """The torch module, or None when it is not installed (a check then says so and uses central
    differences only)."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def torch_vjp(fn, arrays, g, argnums=None):
    """fn(*tensors) on torch tensors made from `arrays`, then its VJP with the upstream gradient g.

    Returns (output, gradients) as NumPy arrays: one gradient per index in `argnums` (default: every
    floating-point array), zeros for an input the output does not depend on.
    """
    torch = importlib.import_module("torch")
    tensors = [torch.from_numpy(np.array(a)) for a in arrays]
    if argnums is None:
        argnums = [i for i, t in enumerate(tensors) if t.is_floating_point()]
    for i in argnums:
        tensors[i].requires_grad_(True)
    out = fn(*tensors)
    upstream = torch.from_numpy(np.array(g, dtype=np.asarray(arrays[argnums[0]]).dtype))
    grads = torch.autograd.grad(out, [tensors[i] for i in argnums], upstream, allow_unused=True)
    result = [np.zeros_like(np.asarray(arrays[i])) if gr is None else gr.detach().numpy() for i, gr in
              zip(argnums, grads)]
    return out.detach().numpy(), result


def central_vjp(f, arrays, g, argnum, eps=1e-6):
    """The VJP of f (NumPy arrays -> NumPy array) with respect to arrays[argnum], by central
    differences in float64: the torch-free oracle."""
    return numerical_vjp(f, [np.asarray(a, dtype=np.float64) for a in arrays], np.asarray(g, dtype=np.float64),
                         argnum, eps)
