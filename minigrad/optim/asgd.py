"""ASGD: averaged stochastic gradient descent (Polyak and Juditsky, 1992)."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, _number, ParamsT, _RuleOptimizer, _step_dtype
from minigrad.tensor import Tensor

__all__ = ["ASGD"]


class ASGD(_RuleOptimizer):
    """Implements averaged SGD; see functional.asgd for the update.

    State per parameter: step, eta (the current step size), mu (the current averaging weight)
    and ax (the average of the iterates). `foreach`, `differentiable` and `capturable` are
    accepted for compatibility with torch and kept in the parameter groups.
    """

    _rule = staticmethod(F.asgd)
    _state_type = F.ASGDState
    _hyperparameter_names = ("lr", "lambd", "alpha", "t0", "weight_decay", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _step_group(self, group, hyperparameters):
        """As every rule optimizer's, telling the rule torch's scalar dtype, in which it rounds eta and mu."""
        super()._step_group(group, {**hyperparameters, "scalar_dtype": _step_dtype()})

    def _init_state(self, param, group):
        return F.init_asgd(param, lr=_number(group["lr"]), scalar_dtype=_step_dtype())
