"""Adafactor: adaptive steps with a factored second moment (Shazeer and Stern, 2018)."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["Adafactor"]


def _check(ok, message):
    """Raise torch's ValueError for Adafactor's hyperparameters (worded unlike the other optimizers')."""
    if not ok:
        raise ValueError(message)


class Adafactor(_RuleOptimizer):
    """Implements Adafactor; see functional.adafactor for the update.

    State per parameter: step, and row_var and col_var (parameters of two or more dimensions)
    or variance (vectors and scalars). `foreach` is accepted for compatibility with torch and
    kept in the parameter groups.
    """

    _rule = staticmethod(F.adafactor)
    _state_type = F.AdafactorState
    _hyperparameter_names = ("lr", "beta2_decay", "eps", "d", "weight_decay", "maximize")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        _check(not (isinstance(lr, Tensor) and lr.numel() != 1), "Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        _check(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        _check(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        _check(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        _check(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return F.init_adafactor(param)
