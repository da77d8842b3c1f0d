"""Adamax: Adam with the infinity norm of past gradients in place of their RMS."""

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, _RuleOptimizer

__all__ = ["Adamax"]


class Adamax(_RuleOptimizer):
    """Implements Adamax; see functional.adamax for the update.

    State per parameter: step, exp_avg, exp_inf. `foreach`, `capturable` and `differentiable`
    are accepted for compatibility with torch and kept in the parameter groups.
    """

    _rule = staticmethod(F.adamax)
    _state_type = F.AdamaxState
    _hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "maximize")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
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
