"""Muon: momentum with an orthogonalised step, for the weight matrices of hidden layers (Jordan et al., 2024)."""

from __future__ import annotations

from minigrad.optim import functional as F
from minigrad.optim.optimizer import ParamsT, _RuleOptimizer
from minigrad.tensor import Tensor

__all__ = ["Muon"]

_LR_ADJUSTMENTS = ("original", "match_rms_adamw")


def _check(ok, message):
    """Raise torch's ValueError for Muon's hyperparameters (worded as torch words them for Muon)."""
    if not ok:
        raise ValueError(message)


class Muon(_RuleOptimizer):
    """Implements Muon; see functional.muon for the update and functional.orthogonalize for its core.

    Only matrices: every parameter must be 2-D (biases, embeddings and norms go to another
    optimizer, such as AdamW). State per parameter: momentum_buffer.
    """

    _rule = staticmethod(F.muon)
    _state_type = F.MuonState
    _hyperparameter_names = ("lr", "weight_decay", "momentum", "nesterov", "ns_coefficients", "eps", "ns_steps",
                             "adjust_lr_fn")

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True, ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
                 eps: float = 1e-7, ns_steps: int = 5, adjust_lr_fn: str | None = None) -> None:
        _check(not (isinstance(lr, Tensor) and lr.numel() != 1), "Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        _check(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        _check(adjust_lr_fn is None or adjust_lr_fn in _LR_ADJUSTMENTS,
               f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                _check(p.ndim == 2, f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                    f"{p.size()}")

    def _init_state(self, param, group):
        return F.init_muon(param)
