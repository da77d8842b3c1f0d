"""Adamax: Adam with the infinity norm of past gradients in place of their RMS."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["Adamax"]


class Adamax(_RuleOptimizer):
    """Implements Adamax; see functional.adamax for the update.

    State per parameter: step, exp_avg, exp_inf. `foreach`, `capturable` and `differentiable`
    are accepted for compatibility with torch and kept in the parameter groups.
    """

    _rule = staticmethod(F.adamax)
    _state_type = F.AdamaxState
    _hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= eps, "epsilon value", eps)
        _check(0.0 <= betas[0] < 1.0, "beta parameter at index 0", betas[0])
        _check(0.0 <= betas[1] < 1.0, "beta parameter at index 1", betas[1])
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_adamax(param)
