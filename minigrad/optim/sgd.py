"""SGD: stochastic gradient descent with optional momentum, dampening and Nesterov momentum."""

from __future__ import annotations

import numpy as np

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["SGD"]


class SGD(_RuleOptimizer):
    """Implements stochastic gradient descent (optionally with momentum); see functional.sgd.

    The first momentum step stores the raw gradient as the buffer (no dampening), as torch does.
    `foreach`, `differentiable` and `fused` are accepted for compatibility with torch and kept
    in the parameter groups; minigrad has one implementation.
    """

    _rule = staticmethod(F.sgd)
    _state_type = F.SGDState
    _hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check(0.0 <= momentum, "momentum value", momentum)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_sgd(param)

    def _step_group(self, group, hyperparameters):
        """Plain SGD (no momentum, weight decay or maximize) keeps no state: p <- p - lr * g.

        That case, the most common, skips the rule's bookkeeping and computes the same two
        operations as the rule. The product ``lr * g`` goes into a scratch buffer that the
        optimizer keeps for the purpose, so that no parameter-sized temporary is allocated
        and freed for every parameter at every step.
        """
        lr = hyperparameters["lr"]
        if (hyperparameters["momentum"] != 0 or hyperparameters["weight_decay"] != 0 or hyperparameters["maximize"]
                or type(lr) not in (float, int)):  # a tensor lr computes in its own dtype: the rule knows how
            return super()._step_group(group, hyperparameters)
        for p in group["params"]:
            grad = p._grad  # the optimizer holds leaves only: no need for .grad's non-leaf warning
            if grad is None:
                continue
            param, grad = p._array, grad._array
            np.subtract(param, np.multiply(grad, lr, out=_scratch(self, grad)), out=param)
            p._version_counter[0] += 1


def _scratch(optimizer, like):
    """A buffer shaped like `like`: a view of one flat array per dtype, as large as the largest parameter."""
    buffers = optimizer.__dict__.get("_scratch_buffers")
    if buffers is None:
        buffers = optimizer.__dict__["_scratch_buffers"] = {}
    key = (like.dtype, like.shape)
    view = buffers.get(key)
    if view is None:
        flat = buffers.get(like.dtype)
        if flat is None or flat.size < like.size:
            buffers.clear()  # the views of a smaller buffer are made again from the new one
            flat = buffers[like.dtype] = np.empty(like.size, dtype=like.dtype)
        view = buffers[key] = flat[:like.size].reshape(like.shape)
    return view
