"""Adagrad: per-coordinate learning rates that shrink with the accumulated squared gradients."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check, _check_lr, ParamsT, _RuleOptimizer, _store_state
from minigrad.tensor import Tensor

__all__ = ["Adagrad"]


class Adagrad(_RuleOptimizer):
    """Implements Adagrad; see functional.adagrad.

    Like torch, the state (step 0 and `sum` filled with initial_accumulator_value) is
    created for every parameter when the optimizer is built (for a group added later, at
    its first step), always from the constructor's initial_accumulator_value, even where
    a group sets its own.
    """

    _rule = staticmethod(F.adagrad)
    _state_type = F.AdagradState
    _hyperparameter_names = ("lr", "lr_decay", "weight_decay", "eps", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check(0.0 <= lr_decay, "lr_decay value", lr_decay)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        _check(0.0 <= initial_accumulator_value, "initial_accumulator_value value", initial_accumulator_value)
        _check(0.0 <= eps, "epsilon value", eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                _store_state(self.state, p, self._init_state(p._array, group))

    def _init_state(self, param, group):
        # torch reads the constructor's value here, not the group's (which only documents it)
        return F.init_adagrad(param, initial_accumulator_value=self.defaults["initial_accumulator_value"])
