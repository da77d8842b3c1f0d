"""AdamW: Adam with weight decay decoupled from the gradient (applied to the parameter itself)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minigrad.optim.adam import Adam
from minigrad.optim.optimizer import ParamsT
from minigrad.tensor import Tensor

__all__ = ["AdamW"]


class AdamW(Adam):
    """Implements AdamW: Adam with ``decoupled_weight_decay=True`` and weight_decay 1e-2 by default.

    Each step first shrinks the pre-step parameter by ``1 - lr * weight_decay``; see functional.adamw.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] | tuple[Tensor, Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """As Optimizer.load_state_dict; AdamW's groups always keep decoupled_weight_decay=True."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
