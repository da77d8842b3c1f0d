"""Adadelta: steps sized by the ratio of two running RMS values, of past updates and of gradients."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["Adadelta"]


class Adadelta(_RuleOptimizer):
    """Implements Adadelta; see functional.adadelta.

    State per parameter: step, square_avg, acc_delta. `capturable`, `foreach` and
    `differentiable` are accepted for compatibility with torch and kept in the groups.
    """

    _rule = staticmethod(F.adadelta)
    _state_type = F.AdadeltaState
    _hyperparameter_names = ("lr", "rho", "eps", "weight_decay", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= rho <= 1.0, "rho value", rho)
        _check(0.0 <= eps, "epsilon value", eps)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_adadelta(param)
