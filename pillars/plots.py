"""Pictures of a run, drawn with matplotlib off screen: learning curves and the confusion matrix.

Each picture is a matplotlib Figure of its own, saved to a file: pyplot and its global state (the
current figure, the display backend a notebook chose) are left alone. matplotlib is imported when
a picture is drawn, not with pillars, so that a command that draws nothing starts quickly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from pillars.training import EpochRecord


def _figure(**options):
    from matplotlib.figure import Figure

    return Figure(constrained_layout=True, **options)


def plot_history(history: Sequence[EpochRecord | dict], path: str | os.PathLike, metric: str | None = None) -> None:
    """Training and validation loss per epoch, and a validation metric beside them, saved as a PNG.

    ``history`` is a list of EpochRecords (or their dicts); ``metric`` defaults to accuracy for
    classification and R^2 for regression.
    """
    records = [record if isinstance(record, dict) else record.as_dict() for record in history]
    epochs = [record["epoch"] for record in records]
    metric = metric or ("accuracy" if "accuracy" in records[0]["val_metrics"] else "r2")
    figure = _figure(figsize=(10, 4))
    left, right = figure.subplots(1, 2)
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


def plot_confusion(matrix: ArrayLike, class_names: Sequence[str], path: str | os.PathLike,
                   title: str = "confusion matrix (test rows)") -> None:
    """A confusion matrix as a heat map with the count in each cell, rows the true class."""
    matrix = np.asarray(matrix)
    size = max(4.0, 0.5 * len(class_names) + 2)
    figure = _figure(figsize=(size + 1, size))
    axes = figure.subplots()
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
