"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer, _step_dtype
from minigrad.tensor import Tensor

__all__ = ["NAdam"]


class NAdam(_RuleOptimizer):
    """Implements NAdam; see functional.nadam for the update.

    State per parameter: step, mu_product, exp_avg, exp_avg_sq. `foreach`, `capturable` and
    `differentiable` are accepted for compatibility with torch and kept in the parameter groups.
    """

    _rule = staticmethod(F.nadam)
    _state_type = F.NAdamState
    _hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay",
                             "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= eps, "epsilon value", eps)
        _check(0.0 <= betas[0] < 1.0, "beta parameter at index 0", betas[0])
        _check(0.0 <= betas[1] < 1.0, "beta parameter at index 1", betas[1])
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        _check(0.0 <= momentum_decay, "momentum_decay value", momentum_decay)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_nadam(param, _step_dtype())
