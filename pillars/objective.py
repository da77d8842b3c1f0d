"""Pillar 3, loss and optimizer: what "better" means, and how the weights move toward it.

    loss_fn = loss_function(model, "cross_entropy", label_smoothing=0.1)
    optimizer = make_optimizer(model, "adam", lr=1e-3, weight_decay=1e-4)
    scheduler = make_scheduler(optimizer, "cosine", epochs=20)

Each is chosen by name and built from the backend of the model it is given, so the result is
a plain ``nn.CrossEntropyLoss`` or ``optim.Adam`` of that backend, nothing wrapped.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from pillars.backends import LossFunction, Module, Optimizer, Scheduler, backend_of
from pillars.errors import ConfigError

LOSSES = {"mse": "MSELoss", "cross_entropy": "CrossEntropyLoss", "bce_with_logits": "BCEWithLogitsLoss",
          "smooth_l1": "SmoothL1Loss"}
LOSSES_FOR_TASK = {"regression": ("mse", "smooth_l1"), "binary": ("bce_with_logits", "cross_entropy"),
                   "multiclass": ("cross_entropy",)}
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
              "adadelta": "Adadelta"}
DEFAULT_LR = {"sgd": 0.1, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-2, "adadelta": 1.0}
SCHEDULERS = ("none", "step", "exponential", "cosine", "plateau")


def default_loss(task_kind: str) -> str:
    """The usual loss for a task: mse, bce_with_logits or cross_entropy."""
    return LOSSES_FOR_TASK[task_kind][0]


def check_loss_for_task(name: str, task_kind: str) -> None:
    """Refuse a loss that does not fit the targets (mse on class labels, cross-entropy on values)."""
    _check_name("loss", name, LOSSES)
    if name not in LOSSES_FOR_TASK[task_kind]:
        raise ConfigError(f"loss {name!r} does not fit a {task_kind} task; "
                          f"choose {' or '.join(LOSSES_FOR_TASK[task_kind])}")


def loss_function(model: Module, name: str, **hyperparameters: Any) -> LossFunction:
    """The backend's loss module called ``name`` (mse, cross_entropy, bce_with_logits, smooth_l1)."""
    _check_name("loss", name, LOSSES)
    return getattr(backend_of(model).nn, LOSSES[name])(**hyperparameters)


def make_optimizer(model: Module, name: str, lr: float | None = None, **hyperparameters: Any) -> Optimizer:
    """The backend's optimizer called ``name`` over the model's parameters; lr defaults per optimizer."""
    _check_name("optimizer", name, OPTIMIZERS)
    lr = DEFAULT_LR[name] if lr is None else lr
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise ConfigError(f"learning rate must be a number, got {lr!r}")
    if not 0 < lr < math.inf:
        raise ConfigError(f"learning rate must be a finite number > 0, got {lr}")
    optim = backend_of(model).optim
    return getattr(optim, OPTIMIZERS[name])(model.parameters(), lr=lr, **hyperparameters)


def make_scheduler(optimizer: Optimizer, name: str = "none", *, epochs: int | None = None) -> Scheduler | None:
    """A learning-rate schedule stepped once per epoch, or None for "none".

    step: halve the rate every third of the run; exponential: multiply by 0.95 each epoch;
    cosine: anneal to zero over ``epochs``; plateau: divide by 10 when the validation loss
    has not improved for 3 epochs (it is stepped with that loss).
    """
    _check_name("scheduler", name, SCHEDULERS)
    schedulers = backend_of(optimizer).optim.lr_scheduler
    epochs = max(int(epochs or 1), 1)
    if name == "none":
        return None
    if name == "step":
        return schedulers.StepLR(optimizer, step_size=max(epochs // 3, 1), gamma=0.5)
    if name == "exponential":
        return schedulers.ExponentialLR(optimizer, gamma=0.95)
    if name == "cosine":
        return schedulers.CosineAnnealingLR(optimizer, T_max=epochs)
    return schedulers.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=3)


def _check_name(what, name, choices):
    if name not in choices:
        raise ConfigError(f"unknown {what} {name!r}; choose one of {', '.join(choices)}")
