"""Pillar 4, the training loop: one step in the canonical order, and a loop that yields a record per epoch.

    for record in fit(model, loaders, loss_fn, optimizer, task=data.task, epochs=20, patience=5):
        print(record.epoch, record.train_loss, record.val_loss)

``fit`` only trains. Whatever watches the run (a progress bar, the history, checkpoints,
plots) reads the stream of records it yields, so none of that is tangled into the loop.
``TrainingState`` is where a run stands; with the model, optimizer and scheduler it is all a
checkpoint needs to carry on exactly, even from the middle of an epoch.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from pillars.backends import Loader, LossFunction, Module, Optimizer, Scheduler, Tensor, backend_of
from pillars.data import Loaders, Task
from pillars.errors import ConfigError
from pillars.evaluation import assess, evaluate, lower_is_better, monitorable, summed_over_rows
from pillars.models import get_weights, set_weights


@dataclasses.dataclass
class StepRecord:
    """What one training step did: its loss, the size of the gradient and of the update."""

    epoch: int           # 1-based
    step: int            # 1-based, within the epoch
    loss: float
    grad_norm: float
    update_norm: float
    batch_size: int
    outputs: np.ndarray | None = dataclasses.field(default=None, repr=False)
    targets: np.ndarray | None = dataclasses.field(default=None, repr=False)


def train_step(model: Module, batch: tuple[Tensor, Tensor], loss_fn: LossFunction, optimizer: Optimizer) -> StepRecord:
    """One step of gradient descent on one batch, in the order that every training loop follows."""
    backend = backend_of(model)
    inputs, targets = (tensor.to(next(model.parameters()).device) for tensor in batch)
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    optimizer.zero_grad()                  # 1. forget the previous batch's gradients
    outputs = model(inputs)                # 2. forward: predictions
    loss = loss_fn(outputs, targets)       # 3. how wrong they are, as one number
    loss.backward()                        # 4. backward: d loss / d parameter for every parameter
    before = [p.detach().clone() for p in parameters]
    optimizer.step()                       # 5. move every parameter against its gradient
    with backend.torch.no_grad():
        grad_norm = _norm(backend.torch, [p.grad for p in parameters if p.grad is not None])
        update_norm = _norm(backend.torch, [p - old for p, old in zip(parameters, before)])
    return StepRecord(0, 0, loss.item(), grad_norm, update_norm, len(targets),
                      backend.numpy(outputs), backend.numpy(targets))


def _norm(torch, tensors):
    """The Euclidean norm of several tensors taken together as one long vector."""
    if not tensors:
        return 0.0
    return torch.stack([t.detach().norm() for t in tensors]).norm().item()


@dataclasses.dataclass
class EpochRecord:
    """One epoch of training: losses and metrics on the training and validation rows, rate and time."""

    epoch: int
    train_loss: float
    val_loss: float
    train_metrics: dict[str, float]
    val_metrics: dict[str, float]
    lr: float
    seconds: float
    best: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def value(self, name: str) -> float:
        """A quantity by name: "train_loss", "val_loss", "val_accuracy", "train_f1_macro", "lr" ..."""
        if hasattr(self, name) and name not in ("train_metrics", "val_metrics"):
            return getattr(self, name)
        part, _, metric = name.partition("_")
        metrics = {"train": self.train_metrics, "val": self.val_metrics}.get(part, {})
        if metric not in metrics:
            raise KeyError(f"no quantity {name!r}; records have train_loss, val_loss, lr and "
                           + ", ".join(f"val_{m}" for m in self.val_metrics))
        return metrics[metric]


@dataclasses.dataclass
class TrainingState:
    """How far a run has come: finished epochs, batches of the current one, history and best weights."""

    epoch: int = 0                 # epochs finished
    step: int = 0                  # batches finished in the epoch under way
    history: list[EpochRecord] = dataclasses.field(default_factory=list)
    best_score: float | None = None
    best_epoch: int = 0
    best_weights: dict[str, np.ndarray] | None = None
    epochs_without_gain: int = 0
    loss_sum: float = 0.0          # the epoch under way: summed per-row loss, rows seen,
    rows: int = 0                  # and its outputs and targets so far (for the training metrics)
    outputs: list[np.ndarray] = dataclasses.field(default_factory=list)
    targets: list[np.ndarray] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    stopped_early: bool = False

    def count(self, record: StepRecord, loss_fn: LossFunction) -> None:
        self.step += 1
        self.loss_sum += summed_over_rows(loss_fn, record.loss, record.batch_size)
        self.rows += record.batch_size
        self.outputs.append(record.outputs)
        self.targets.append(record.targets)

    def close_epoch(self) -> tuple[float, np.ndarray, np.ndarray]:
        """The training loss and outputs of the epoch just finished, and a clean slate for the next."""
        summary = (self.loss_sum / max(self.rows, 1), np.concatenate(self.outputs), np.concatenate(self.targets))
        self.epoch, self.step, self.loss_sum, self.rows, self.outputs, self.targets = self.epoch + 1, 0, 0.0, 0, [], []
        self.seconds = 0.0
        return summary


def fit(model: Module, loaders: Loaders, loss_fn: LossFunction, optimizer: Optimizer, *, task: Task, epochs: int,
        scheduler: Scheduler | None = None, monitor: str = "val_loss", patience: int | None = None,
        restore_best: bool = True, state: TrainingState | None = None, every_step: bool = False
        ) -> Iterator[EpochRecord | StepRecord]:
    """Train for ``epochs`` epochs, yielding an EpochRecord after each (and a StepRecord after each
    batch when ``every_step``).

    After every epoch the model is evaluated on ``loaders.val``. ``monitor`` names the quantity
    that decides which epoch is best (val_loss by default; val_accuracy, val_f1_macro, val_r2 ...
    count higher as better). ``patience`` stops the run after that many epochs without a new
    best. At the end the best epoch's weights are put back (``restore_best``). ``state`` resumes
    a run where a checkpoint left it.
    """
    check_monitor(monitor, task)  # (refused now, not after the first epoch's training)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int) or patience < 1):
        raise ConfigError(f"patience must be a whole number >= 1, got {patience!r}")
    state = state or TrainingState()
    while state.epoch < epochs and not state.stopped_early:
        started = time.perf_counter() - state.seconds
        model.train()
        for batch in _remaining_batches(loaders.train, state):
            record = train_step(model, batch, loss_fn, optimizer)
            record.epoch, record.step = state.epoch + 1, state.step + 1
            state.count(record, loss_fn)
            state.seconds = time.perf_counter() - started
            if every_step:
                yield record
        train_loss, outputs, targets = state.close_epoch()
        validation = evaluate(model, loaders.val, loss_fn, task)
        record = EpochRecord(state.epoch, train_loss, validation.loss, assess(task, targets, outputs).metrics,
                             validation.metrics, optimizer.param_groups[0]["lr"], time.perf_counter() - started)
        _judge(state, record, model, monitor, patience)
        _schedule(scheduler, validation.loss)
        state.history.append(record)
        yield record
    if restore_best and state.best_weights is not None:
        set_weights(model, state.best_weights)


def _remaining_batches(loader: Loader, state: TrainingState) -> Iterable:
    """This epoch's batches, less those already trained on before a resume.

    A sampler that knows epochs (pillars' EpochShuffle) is told the epoch and how many rows to
    leave out; any other loader is run from its start and the finished batches are skipped.
    """
    sampler = getattr(loader, "sampler", None)
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(state.epoch, skip=state.step * loader.batch_size)
        return loader
    return itertools.islice(loader, state.step, None)


def check_monitor(monitor: str, task: Task) -> None:
    """Refuse a quantity `fit` could not read off its epochs: a ConfigError naming the choices."""
    if monitor not in monitorable(task):
        raise ConfigError(f"cannot monitor {monitor!r} on a {task.kind} task; choose one of "
                          f"{', '.join(monitorable(task))}")


def _judge(state, record, model, monitor, patience):
    """Mark the record best when the monitored quantity improved; count the epochs that did not."""
    score = record.value(monitor)
    sign = 1 if lower_is_better(monitor) else -1
    if state.best_score is None or (not math.isnan(score) and sign * score < sign * state.best_score):
        record.best = True
        state.best_score, state.best_epoch = score, record.epoch
        state.best_weights = get_weights(model)
        state.epochs_without_gain = 0
    else:
        state.epochs_without_gain += 1
        state.stopped_early = patience is not None and state.epochs_without_gain >= patience


def _schedule(scheduler, val_loss):
    if scheduler is None:
        return
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        scheduler.step(val_loss)
    else:
        scheduler.step()
