"""Rprop: resilient backpropagation (Riedmiller and Braun, 1993)."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import _check_lr, _number, ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["Rprop"]


class Rprop(_RuleOptimizer):
    """Implements Rprop; see functional.rprop for the update.

    State per parameter: step, prev (the previous gradient) and step_size (one per
    coordinate, starting at lr: lr is used for nothing else). `foreach`, `differentiable`
    and `capturable` are accepted for compatibility with torch and kept in the parameter groups.
    """

    _rule = staticmethod(F.rprop)
    _state_type = F.RpropState
    _hyperparameter_names = ("etas", "step_sizes", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_rprop(param, lr=_number(group["lr"]))
