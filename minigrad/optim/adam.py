"""Adam: adaptive moment estimation, with optional AMSGrad and decoupled weight decay."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["Adam"]


class Adam(_RuleOptimizer):
    """Implements Adam; see functional.adam for the update.

    State per parameter: step, exp_avg, exp_avg_sq (and max_exp_avg_sq with amsgrad).
    `foreach`, `capturable`, `differentiable` and `fused` are accepted for compatibility
    with torch and kept in the parameter groups; minigrad has one implementation.
    """

    _rule = staticmethod(F.adam)
    _state_type = F.AdamState
    _hyperparameter_names = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize",
                             "decoupled_weight_decay")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] | tuple[Tensor, Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= eps, "epsilon value", eps)
        _check(0.0 <= betas[0] < 1.0, "beta parameter at index 0", betas[0])
        _check(0.0 <= betas[1] < 1.0, "beta parameter at index 1", betas[1])
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        both_floats = isinstance(betas[0], float) and isinstance(betas[1], float)
        both_tensors = isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)
        if not (both_floats or both_tensors):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_adam(param, amsgrad=group["amsgrad"])
