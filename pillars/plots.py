"""Pictures of a run, drawn with matplotlib off screen: learning curves and the confusion matrix."""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # draw to files; no display needed

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the drawing backend)
import numpy as np  # noqa: E402
from numpy.typing import ArrayLike  # noqa: E402

from pillars.training import EpochRecord  # noqa: E402


def plot_history(history: Sequence[EpochRecord | dict], path: str | os.PathLike, metric: str | None = None) -> None:
    """Training and validation loss per epoch, and a validation metric beside them, saved as a PNG.

    ``history`` is a list of EpochRecords (or their dicts); ``metric`` defaults to accuracy for
    classification and R^2 for regression.
    """
    records = [record if isinstance(record, dict) else record.as_dict() for record in history]
    epochs = [record["epoch"] for record in records]
    metric = metric or ("accuracy" if "accuracy" in records[0]["val_metrics"] else "r2")
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    left.plot(epochs, [r["train_loss"] for r in records], marker="o", label="training")
    left.plot(epochs, [r["val_loss"] for r in records], marker="o", label="validation")
    best = [r["epoch"] for r in records if r["best"]]
    if best:
        left.axvline(best[-1], color="grey", linestyle=":", label=f"best (epoch {best[-1]})")
    left.set(title="loss per row", xlabel="epoch", ylabel="loss")
    left.legend()
    right.plot(epochs, [r["train_metrics"][metric] for r in records], marker="o", label="training")
    right.plot(epochs, [r["val_metrics"][metric] for r in records], marker="o", label="validation")
    right.set(title=metric, xlabel="epoch", ylabel=metric)
    right.legend()
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.xaxis.get_major_locator().set_params(integer=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_confusion(matrix: ArrayLike, class_names: Sequence[str], path: str | os.PathLike,
                   title: str = "confusion matrix (test rows)") -> None:
    """A confusion matrix as a heat map with the count in each cell, rows the true class."""
    matrix = np.asarray(matrix)
    size = max(4.0, 0.5 * len(class_names) + 2)
    figure, axes = plt.subplots(figsize=(size + 1, size), constrained_layout=True)
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8)
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, labels=class_names, rotation=45 if max(map(len, class_names)) > 3 else 0)
    axes.set_yticks(ticks, labels=class_names)
    axes.set(xlabel="predicted class", ylabel="true class", title=title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        axes.text(column, row, str(count), ha="center", va="center",
                  color="white" if count > threshold else "black", fontsize=9)
    figure.savefig(path, dpi=120)
    plt.close(figure)
