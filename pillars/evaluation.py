"""Pillar 5, evaluation: how good the model is on rows it did not learn from.

    result = evaluate(model, loaders.test, loss_fn, data.task)
    result.loss, result.metrics["accuracy"], result.confusion, result.report

Evaluation runs in eval mode (dropout off, batch norm frozen) and without recording a graph,
and puts every layer back in the mode it was in. Its numbers do not depend on how the rows
were cut into batches: the loss is averaged per row, never per batch (a short last batch
would otherwise count as much as a full one), and the metrics are scikit-learn's, computed
once on all the predictions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike

from pillars.backends import Loader, LossFunction, Module, backend_of
from pillars.data import Task
from pillars.errors import ConfigError, DataError

LOWER_IS_BETTER = ("loss", "mse", "rmse", "mae")


@contextlib.contextmanager
def evaluating(model: Module) -> Iterator[Module]:
    """Eval mode and no_grad for the block; afterwards each layer gets back its own earlier mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with backend_of(model).torch.no_grad():
            yield model
    finally:
        for module, training in modes:
            module.training = training


@dataclasses.dataclass
class Evaluation:
    """The loss per row, the metrics, and the predictions they were computed from."""

    loss: float
    metrics: dict[str, float]
    targets: np.ndarray          # class codes, or values in the original units
    predictions: np.ndarray
    probabilities: np.ndarray | None = dataclasses.field(default=None, repr=False)
    confusion: np.ndarray | None = None
    report: str | None = None


def evaluate(model: Module, loader: Loader, loss_fn: LossFunction, task: Task) -> Evaluation:
    """Run the model over a loader: per-row loss, metrics, confusion matrix and report."""
    backend = backend_of(model)
    device = next(model.parameters()).device
    total, count, outputs, targets = 0.0, 0, [], []
    with evaluating(model):
        for inputs, target in loader:
            inputs, target = inputs.to(device), target.to(device)
            output = model(inputs)
            total += summed_over_rows(loss_fn, loss_fn(output, target).item(), len(target))
            count += len(target)
            outputs.append(backend.numpy(output))
            targets.append(backend.numpy(target))
    if count == 0:
        raise DataError("the loader gave no rows: there is nothing to evaluate")
    outputs, targets = np.concatenate(outputs), np.concatenate(targets)
    return assess(task, targets, outputs, loss=total / count)


def summed_over_rows(loss_fn: LossFunction, loss: float, rows: int) -> float:
    """A batch's loss value summed over its rows, from a loss module with reduction mean or sum."""
    return loss if getattr(loss_fn, "reduction", "mean") == "sum" else loss * rows


def assess(task: Task, encoded_targets: np.ndarray, outputs: np.ndarray, loss: float = math.nan) -> Evaluation:
    """The Evaluation of a task's model outputs against its encoded targets."""
    return score(task, task.decode(encoded_targets), task.predictions(outputs), task.probabilities(outputs), loss)


def score(task: Task, targets: np.ndarray, predictions: np.ndarray, probabilities: np.ndarray | None = None,
          loss: float = math.nan) -> Evaluation:
    """The Evaluation of predictions (class codes or values in original units) against the targets."""
    from sklearn import metrics as sk  # (here, not at the top: see pillars/__init__.py)

    if not task.is_classification:
        return Evaluation(loss, regression_metrics(targets, predictions), targets, predictions)
    labels = list(range(len(task.class_names)))
    return Evaluation(loss, classification_metrics(targets, predictions, labels), targets, predictions,
                      probabilities=probabilities,
                      confusion=sk.confusion_matrix(targets, predictions, labels=labels),
                      report=sk.classification_report(targets, predictions, labels=labels,
                                                      target_names=task.class_names, digits=4, zero_division=0))


def classification_metrics(targets: np.ndarray, predictions: np.ndarray, labels: Sequence[int]) -> dict[str, float]:
    """Accuracy, and precision, recall and F1 averaged three ways (macro, micro, weighted).

    With two classes, ``precision``, ``recall`` and ``f1`` of the positive class (code 1) come too.
    A class never predicted scores 0 precision rather than raising a warning.
    """
    from sklearn import metrics as sk

    found = {"accuracy": sk.accuracy_score(targets, predictions)}
    for average in ("macro", "micro", "weighted"):
        precision, recall, f1, _ = sk.precision_recall_fscore_support(
            targets, predictions, labels=labels, average=average, zero_division=0)
        found.update({f"precision_{average}": precision, f"recall_{average}": recall, f"f1_{average}": f1})
    if len(labels) == 2:
        precision, recall, f1, _ = sk.precision_recall_fscore_support(
            targets, predictions, labels=labels, average="binary", pos_label=1, zero_division=0)
        found.update({"precision": precision, "recall": recall, "f1": f1})
    return {name: float(value) for name, value in found.items()}


def regression_metrics(targets: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
    """Mean squared error, its root, mean absolute error and R^2 (1 - residual / total variance)."""
    from sklearn import metrics as sk

    mse = sk.mean_squared_error(targets, predictions)
    return {"mse": float(mse), "rmse": math.sqrt(mse), "mae": float(sk.mean_absolute_error(targets, predictions)),
            "r2": float(sk.r2_score(targets, predictions)) if len(targets) > 1 else math.nan}


def metric_names(task: Task) -> list[str]:
    """The names of the metrics `score` gives for this task (accuracy, f1_macro, ... or mse, r2, ...),
    read off the metric functions themselves on two made-up rows, so that the two cannot drift apart."""
    if not task.is_classification:
        return list(regression_metrics(np.array([0.0, 1.0]), np.array([0.0, 1.0])))
    labels = list(range(len(task.class_names)))
    return list(classification_metrics(np.array([0, 1]), np.array([0, 1]), labels))


def monitorable(task: Task) -> list[str]:
    """The quantities that can pick a run's best epoch (fit's `monitor`) for this task."""
    return ["val_loss", "train_loss", "lr"] + [f"{part}_{name}" for part in ("val", "train")
                                               for name in metric_names(task)]


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of this metric (val_loss, mse, ...) means a better model."""
    return any(metric.endswith(name) for name in LOWER_IS_BETTER)


def predict(model: Module, features: ArrayLike, task: Task, batch_size: int = 256
            ) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions (class codes or values) and class probabilities for rows already shaped for the model.

    ``features`` is a batch: its first axis counts the rows, so one row is given as ``row[None]``.
    Like scikit-learn's ``predict``, it refuses a single row without that axis (a 1-D array), and
    rows holding NaN or infinity, whose predictions would be meaningless; ``batch_size`` only
    sets how many rows go through the model at a time.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ConfigError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    features = np.asarray(features)
    if features.ndim < 2:
        raise DataError(f"expected a batch of rows (an array of 2 or more axes, the first counting the rows), got "
                        f"an array of shape {features.shape}; give a single row as row[None] or row.reshape(1, -1)")
    if not np.isfinite(features).all():
        row = int(np.argwhere(~np.isfinite(features))[0, 0])
        raise DataError(f"the input holds NaN or infinity (first in row {row}); a model cannot predict from it")
    backend = backend_of(model)
    parameter = next(model.parameters())
    outputs = []
    with evaluating(model):
        for start in range(0, len(features), batch_size):
            rows = backend.torch.tensor(features[start:start + batch_size], dtype=parameter.dtype,
                                        device=parameter.device)
            outputs.append(backend.numpy(_outputs(model, rows)))
    outputs = np.concatenate(outputs) if outputs else np.zeros((0, task.n_outputs))
    return task.predictions(outputs), task.probabilities(outputs)


def _outputs(model, rows):
    """model(rows), or a DataError that names the shape of one row the model was given.

    The model's own error speaks of its layers (a matrix product, a convolution's input), far
    from the mistake, which is most often one row given without its batch axis: an image of
    shape (1, 8, 8) reads as a batch of one row of shape (8, 8).
    """
    try:
        return model(rows)
    except (RuntimeError, ValueError) as error:
        raise DataError(f"the model cannot take rows of shape {tuple(rows.shape[1:])} (the first axis of the "
                        f"input counts the rows; give a single row as row[None]): {error}") from error
