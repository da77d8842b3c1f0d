"""Weight averaging, as torch.optim.swa_utils: stochastic weight averaging (SWA) and EMA.

    swa_model = AveragedModel(model)                       # a running average of model's weights
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)          # anneals the lr to a constant SWA lr
    for epoch in range(epochs):
        train_one_epoch(model, optimizer)
        if epoch >= swa_start:
            swa_model.update_parameters(model)
            swa_scheduler.step()
    update_bn(loader, swa_model)                           # batch-norm statistics for the averaged weights

The averaging rules are functions, made by the get_*_fn factories: an `avg_fn` maps
(averaged, current, n_averaged) to the new average of one tensor; a `multi_avg_fn`
updates lists of averaged tensors in place.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from minigrad import _dtype
from minigrad._types import DeviceLike
from minigrad.autograd.grad_mode import no_grad
from minigrad.creation import tensor
from minigrad.nn.modules.batchnorm import _BatchNorm
from minigrad.nn.modules.module import Module
from minigrad.optim.lr_scheduler import LRScheduler, _per_group
from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor

__all__ = ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn", "update_bn"]

AvgFn = Callable[[Tensor, Tensor, Tensor | int], Tensor]
MultiAvgFn = Callable[[Sequence[Tensor], Sequence[Tensor], Tensor | int], None]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


# ------------------------------------------------------------------ averaging rules
def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """The exponential moving average of one tensor: decay * averaged + (1 - decay) * current."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Tensor | int) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """The running mean of one tensor over the n_averaged + 1 models seen:
    averaged + (current - averaged) / (n_averaged + 1)."""

    @no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Tensor | int) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """The exponential moving average, applied in place to lists of tensors (of one dtype):
    each averaged tensor moves 1 - decay of the way to its current tensor."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list: Sequence[Tensor], current_param_list: Sequence[Tensor], _: Any) -> None:
        if ema_param_list[0].is_floating_point():
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.lerp_(p_model, 1 - decay)
        else:  # integers (a counter among the buffers): computed in floating point, then truncated back
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """The running mean, applied in place to lists of floating tensors (of one dtype): each
    averaged tensor moves 1 / (n_averaged + 1) of the way to its current tensor."""

    @no_grad()
    def swa_update(averaged_param_list: Sequence[Tensor], current_param_list: Sequence[Tensor],
                   num_averaged: Tensor | int) -> None:
        if not averaged_param_list[0].is_floating_point():
            # torch's in-place update of integer tensors by a fraction fails too (its addcdiv refuses them)
            raise RuntimeError("Integer tensors cannot be averaged in place by get_swa_multi_avg_fn: the update "
                               "would need an integer division, which is not supported")
        weight = float(1 / (num_averaged + 1))  # for a tensor count, rounded to the default dtype as in torch
        for p_averaged, p_model in zip(averaged_param_list, current_param_list, strict=True):
            p_averaged.lerp_(p_model, weight)

    return swa_update


# ------------------------------------------------------------------ the averaged model
class AveragedModel(Module):
    """A copy of `model` whose parameters are the average of the models given to update_parameters.

    The average is SWA's running mean unless `avg_fn` (per tensor) or `multi_avg_fn` (per list
    of tensors, in place) says otherwise; the first update copies the model. With use_buffers
    the buffers are averaged too, else they are copied from the model at each update.
    `n_averaged` (a buffer, in the state_dict) counts the updates.
    """

    n_averaged: Tensor

    def __init__(self, model: Module, device: DeviceLike | None = None, avg_fn: AvgFn | None = None,
                 multi_avg_fn: MultiAvgFn | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_dtype.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model):
        """The tensors to average, here and in `model`, in the same order."""
        if self.use_buffers:
            return (list(itertools.chain(self.module.parameters(), self.module.buffers())),
                    list(itertools.chain(model.parameters(), model.buffers())))
        return list(self.parameters()), list(model.parameters())

    def update_parameters(self, model: Module) -> None:
        """Fold `model`'s current weights into the average (the first call copies them)."""
        averaged, current = (list(map(Tensor.detach, tensors)) for tensors in self._averaged_tensors(model))
        if int(self.n_averaged) == 0:
            for p_averaged, p_model in zip(averaged, current):
                p_averaged.copy_(p_model)
        elif self.avg_fn is not None:
            for p_averaged, p_model in zip(averaged, current):
                p_averaged.copy_(self.avg_fn(p_averaged, p_model, self.n_averaged))
        elif self.multi_avg_fn is not None:
            for averaged_group, current_group in _by_dtype(averaged, current):
                self.multi_avg_fn(averaged_group, current_group, self.n_averaged)
        else:
            swa = get_swa_avg_fn()
            for p_averaged, p_model in zip(averaged, current):
                p_averaged.copy_(swa(p_averaged, p_model, self.n_averaged))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_swa.detach().copy_(b_model.detach())
        self.n_averaged += 1


def _by_dtype(averaged, current):
    """The pairs of lists (averaged, current) of each dtype, in the order the dtypes first appear
    (a multi_avg_fn takes tensors of one dtype at a time, as torch groups them)."""
    groups = {}
    for p_averaged, p_model in zip(averaged, current):
        lists = groups.setdefault(p_averaged.dtype, ([], []))
        lists[0].append(p_averaged)
        lists[1].append(p_model)
    return list(groups.values())


@no_grad()
def update_bn(loader: Iterable[Any], model: Module, device: DeviceLike | None = None) -> None:
    """Recompute the running statistics of model's batch-norm layers with one pass over `loader`.

    Averaged weights need their own statistics: each batch-norm layer is reset and, in training
    mode with momentum None, accumulates the plain average over every batch (the first entry
    of a batch that is a list or tuple is the input). Momenta and the training mode are restored.
    """
    momenta = {module: module.momentum for module in model.modules() if isinstance(module, _BatchNorm)}
    if not momenta:
        return
    for module in momenta:
        module.reset_running_stats()
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


# ------------------------------------------------------------------ the learning rate
class SWALR(LRScheduler):
    """Anneals each group's learning rate to its `swa_lr` over `anneal_epochs` steps, then keeps it.

    At step t the rate is swa_lr * a + lr_0 * (1 - a), with a = anneal(min(1, t / anneal_epochs))
    and anneal the half cosine (1 - cos(pi t)) / 2 or linear (t). It is computed, as in torch,
    from the group's current learning rate, so that the annealing starts from whatever rate
    another scheduler has left.
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: Literal["cos", "linear"] = "cos", last_epoch: int = -1) -> None:
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """The rate the annealing started from, recovered from the rate `lr` it had reached at `alpha`."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float | Tensor]:
        self._warn_if_called_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer and the annealing function (rebuilt from its name on loading)."""
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
