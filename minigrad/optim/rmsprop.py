"""RMSprop: gradients divided by a running root-mean-square of recent gradients."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(_RuleOptimizer):
    """Implements RMSprop (optionally centered, with momentum); see functional.rmsprop.

    State per parameter: step, square_avg (and momentum_buffer when momentum > 0, grad_avg
    when centered). `capturable`, `foreach` and `differentiable` are accepted for
    compatibility with torch and kept in the parameter groups.
    """

    _rule = staticmethod(F.rmsprop)
    _state_type = F.RMSpropState
    _hyperparameter_names = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= eps, "epsilon value", eps)
        _check(0.0 <= momentum, "momentum value", momentum)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        _check(0.0 <= alpha, "alpha value", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_rmsprop(param, momentum=group["momentum"], centered=group["centered"])
