"""The same run on two backends, step by step: do minigrad and torch compute the same training?

    result = compare(Config(dtype="float64", epochs=3), ["minigrad", "torch"])
    result.agree, result.first_divergence, result.largest

Both runs get the same split, batch order, starting weights, dropout masks and
hyperparameters (they all come from NumPy and the Config), so any difference is the backends'
arithmetic. Every step's loss, gradient norm and update norm is compared, then every epoch's
losses, metrics and learning rate, and the final weights.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from pillars.backends import backend
from pillars.models import get_weights
from pillars.recipe import Config, build, load_table
from pillars.training import EpochRecord, fit

DEFAULT_RTOL = {"float64": 1e-9, "float32": 1e-4}
STEP_QUANTITIES = ("loss", "grad_norm", "update_norm")


@dataclasses.dataclass
class Difference:
    """One quantity at one point of the run as each backend computed it, and how far apart they are."""

    epoch: int
    step: int          # 0 for a quantity of the whole epoch
    quantity: str
    values: tuple[float, float]
    size: float        # the relative difference |a - b| / max(|a|, |b|); 0 when both are NaN

    @classmethod
    def of(cls, epoch: int, step: int, quantity: str, first: float, second: float) -> Difference:
        return cls(epoch, step, quantity, (first, second), relative_difference(first, second))

    def where(self) -> str:
        return f"epoch {self.epoch}" + (f", step {self.step}" if self.step else "")


def relative_difference(first: float, second: float) -> float:
    if math.isnan(first) and math.isnan(second):
        return 0.0
    return abs(first - second) / max(abs(first), abs(second), 1e-300)


@dataclasses.dataclass
class Comparison:
    backends: tuple[str, ...]
    rtol: float
    histories: tuple[list[EpochRecord], ...]  # the EpochRecords of each backend
    differences: list[Difference]     # every compared quantity, in the order the run made them

    @property
    def largest(self) -> Difference:
        return max(self.differences, key=lambda difference: difference.size)

    @property
    def first_divergence(self) -> Difference | None:
        """The first quantity whose relative difference exceeds rtol, or None when all agree."""
        return next((d for d in self.differences if not d.size <= self.rtol), None)

    @property
    def agree(self) -> bool:
        return self.first_divergence is None


def compare(config: Config, backend_names: Sequence[str] = ("minigrad", "torch"), rtol: float | None = None
            ) -> Comparison:
    """Run ``config`` on each backend and compare them, quantity by quantity."""
    table = load_table(config.check())
    runs = []
    for name in backend_names:
        parts = build(config, backend(name), table=table)
        records = list(fit(parts.model, parts.loaders, parts.loss_fn, parts.optimizer, task=parts.data.task,
                           epochs=config.epochs, scheduler=parts.scheduler, monitor=config.monitor,
                           patience=config.patience, every_step=True))
        runs.append((records, get_weights(parts.model)))
    rtol = DEFAULT_RTOL[config.dtype] if rtol is None else rtol
    (first, first_weights), (second, second_weights) = runs
    differences = list(_paired(first, second)) + list(_weights(first_weights, second_weights, config.epochs))
    histories = tuple([r for r in records if isinstance(r, EpochRecord)] for records, _ in runs)
    return Comparison(tuple(backend_names), rtol, histories, differences)


def _paired(first, second):
    for one, other in zip(first, second, strict=True):
        if isinstance(one, EpochRecord):
            for quantity in _epoch_quantities(one):
                yield Difference.of(one.epoch, 0, quantity, one.value(quantity), other.value(quantity))
        else:
            for quantity in STEP_QUANTITIES:
                yield Difference.of(one.epoch, one.step, quantity, getattr(one, quantity), getattr(other, quantity))


def _epoch_quantities(record):
    return (["train_loss", "val_loss"] + [f"train_{name}" for name in record.train_metrics]
            + [f"val_{name}" for name in record.val_metrics] + ["lr"])


def _weights(first, second, epochs):
    """Each final weight tensor, compared by the norm of the difference against the larger norm."""
    for name in first:
        one, other = first[name].astype(np.float64), second[name].astype(np.float64)
        norms = (float(np.linalg.norm(one)), float(np.linalg.norm(other)))
        size = float(np.linalg.norm(one - other)) / max(*norms, 1e-300)
        yield Difference(epochs, 0, f"final {name} (norm)", norms, size)
