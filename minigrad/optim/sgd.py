"""SGD: stochastic gradient descent with optional momentum, dampening and Nesterov momentum."""

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, _RuleOptimizer

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

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
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
