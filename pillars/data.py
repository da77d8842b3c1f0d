"""Pillar 1, data: a leakage-free split, preprocessing fitted on the training rows, datasets and loaders.

    table = pillars.datasets.load("digits")
    data = prepare(table, fractions=(0.7, 0.15, 0.15), seed=0)      # NumPy arrays, scaled
    loaders = make_loaders(data, backend("minigrad"), batch_size=32, seed=0)

Every random choice here comes from one NumPy seed, so every backend sees the same rows in
the same order: the split is drawn once, and the training order of epoch e is a permutation
drawn from (seed, e). Nothing about the validation or test rows is seen while fitting the
scaler or the one-hot encoder: they are fitted on the training rows alone.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from pillars.backends import Backend, Dataset, Loader
from pillars.datasets import Table
from pillars.errors import ConfigError, DataError

LAYOUTS = ("flat", "image", "sequence")


# ------------------------------------------------------------------ the split
@dataclasses.dataclass(frozen=True)
class Split:
    """Row indices of the three parts; disjoint, and together every row once."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def split_indices(n_rows: int, fractions: Sequence[float] = (0.7, 0.15, 0.15), seed: int = 0,
                  stratify: ArrayLike | None = None) -> Split:
    """Split rows 0..n_rows-1 into train, validation and test parts of the given fractions.

    ``stratify`` (class labels, one per row) keeps each class's share equal in all three parts.
    The parts are drawn with NumPy from ``seed`` alone and come back sorted.
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, numbers.Integral):
        raise ConfigError(f"n_rows must be a whole number of rows, got {n_rows!r}")
    fractions = check_fractions(fractions)
    n_test = round(fractions[2] * n_rows)
    n_val = round(fractions[1] * n_rows)
    if min(n_rows - n_val - n_test, n_val, n_test) < 1:
        raise DataError(f"{n_rows} rows are too few for a {_percent(fractions)} split: a part would be empty")
    from sklearn.model_selection import train_test_split  # (here, not at the top: see pillars/__init__.py)

    rows = np.arange(n_rows)
    try:
        rest, test = train_test_split(rows, test_size=n_test, random_state=seed, stratify=stratify)
        labels_left = None if stratify is None else np.asarray(stratify)[rest]
        train, val = train_test_split(rest, test_size=n_val, random_state=seed, stratify=labels_left)
    except ValueError as err:  # scikit-learn's word on a class too small to share out
        raise DataError(f"cannot stratify a {_percent(fractions)} split of {n_rows} rows: {err}") from None
    return Split(np.sort(train), np.sort(val), np.sort(test))


def check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    """Three positive fractions (train, validation, test) that sum to 1."""
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
        raise ConfigError(f"split fractions must be three positive numbers that sum to 1, got {fractions}")
    return fractions


def _percent(fractions):
    return "/".join(f"{100 * f:g}" for f in fractions)


# ------------------------------------------------------------------ preprocessing
class Preprocessor:
    """Standardises number columns and one-hot encodes category columns, fitted on training rows only.

    Its fitted parameters are plain arrays and lists (``state()``), so a checkpoint can hold them
    without pickle and ``predict`` can apply the same transformation to new rows.
    """

    def __init__(self, categorical: Sequence[int] = (), scale: bool = True) -> None:
        self.categorical = list(categorical)
        self.scale = scale
        self.scaler = None
        self.encoder = None

    def fit(self, rows: np.ndarray) -> Preprocessor:
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        numeric = self._numeric(rows)
        if self.scale and numeric.shape[1]:  # (a table may hold categories only)
            self.scaler = StandardScaler().fit(numeric)
        if self.categorical:
            self.encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
            self.encoder.fit(rows[:, self.categorical].astype(str))
        return self

    def transform(self, rows: np.ndarray) -> np.ndarray:
        numeric = self._numeric(rows)
        parts = [numeric if self.scaler is None else self.scaler.transform(numeric)]
        if self.encoder is not None:
            parts.append(self.encoder.transform(rows[:, self.categorical].astype(str)))
        return np.concatenate(parts, axis=1)

    def _numeric(self, rows):
        keep = [i for i in range(rows.shape[1]) if i not in self.categorical]
        return rows[:, keep].astype(np.float64)

    def state(self) -> dict[str, Any]:
        return {"categorical": self.categorical, "scale": self.scale,
                "mean": self.scaler.mean_ if self.scaler else np.zeros(0),
                "std": self.scaler.scale_ if self.scaler else np.zeros(0),
                "categories": [list(c) for c in self.encoder.categories_] if self.encoder else []}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Preprocessor:
        """The fitted preprocessor that ``state()`` describes."""
        from sklearn.preprocessing import OneHotEncoder

        self = cls(state["categorical"], state["scale"])
        if len(state["mean"]):
            self.scaler = cls._fitted_scaler(state["mean"], state["std"])
        if state["categories"]:
            categories = [np.array(c, dtype=object) for c in state["categories"]]
            self.encoder = OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False)
            self.encoder.fit(np.array([[c[0] for c in categories]], dtype=object).astype(str))
        return self

    @staticmethod
    def _fitted_scaler(mean, std):
        """A StandardScaler holding a saved mean and spread, as fit would have left it."""
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler()
        scaler.mean_ = np.asarray(mean, dtype=np.float64)
        scaler.scale_ = np.asarray(std, dtype=np.float64)
        scaler.var_ = scaler.scale_ ** 2
        scaler.n_features_in_ = len(scaler.mean_)
        scaler.n_samples_seen_ = 1
        return scaler



# ------------------------------------------------------------------ the targets
@dataclasses.dataclass
class Task:
    """What the targets are and how a model's outputs turn into predictions.

    Classification targets are class codes; a binary task has one output (a logit) and float
    targets of shape (n, 1), for BCEWithLogitsLoss; a multiclass task has one output per class
    and integer targets, for CrossEntropyLoss. Regression targets are standardised with the
    training rows' mean and spread (``target_mean``, ``target_std``), and predictions are turned
    back into the original units.
    """

    kind: str
    class_names: list[str] | None = None
    target_mean: float = 0.0
    target_std: float = 1.0

    @property
    def n_outputs(self) -> int:
        return len(self.class_names) if self.kind == "multiclass" else 1

    @property
    def is_classification(self) -> bool:
        return self.kind != "regression"

    def encode(self, target: np.ndarray) -> np.ndarray:
        """Targets as the loss wants them: int64 codes, or float columns of shape (n, 1)."""
        if self.kind == "multiclass":
            return target.astype(np.int64)
        if self.kind == "binary":
            return target.astype(np.float64).reshape(-1, 1)
        return ((target - self.target_mean) / self.target_std).reshape(-1, 1)

    def decode(self, encoded: np.ndarray) -> np.ndarray:
        """Encoded targets back to class codes or values in the original units."""
        if self.kind == "multiclass":
            return encoded.astype(np.int64)
        if self.kind == "binary":
            return encoded.reshape(-1).astype(np.int64)
        return encoded.reshape(-1).astype(np.float64) * self.target_std + self.target_mean

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        """Model outputs to predicted class codes (largest logit, or logit > 0) or values."""
        if self.kind == "multiclass":
            return outputs.argmax(axis=1)
        if self.kind == "binary":
            return (outputs.reshape(-1) > 0).astype(np.int64)
        return self.decode(outputs)

    def probabilities(self, outputs: np.ndarray) -> np.ndarray | None:
        """Class probabilities (softmax, or the sigmoid of the logit); None for regression."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged model's inf or NaN logits: NaN, quietly
            if self.kind == "multiclass":
                shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
                return shifted / shifted.sum(axis=1, keepdims=True)
            if self.kind == "binary":
                positive = 1 / (1 + np.exp(-outputs.reshape(-1).astype(np.float64)))
                return np.stack([1 - positive, positive], axis=1)
        return None


# ------------------------------------------------------------------ prepared data
@dataclasses.dataclass
class Prepared:
    """A table split and transformed: NumPy arrays ready to become tensors, and how to read them."""

    name: str
    task: Task
    split: Split
    preprocessor: Preprocessor
    layout: str
    input_shape: tuple[int, ...]  # the shape of one row as the model sees it
    arrays: dict[str, tuple[np.ndarray, np.ndarray]]  # {"train": (x, y), "val": (x, y), "test": (x, y)}
    feature_names: list[str]

    def part(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.arrays[name]


def prepare(table: Table, fractions: Sequence[float] = (0.7, 0.15, 0.15), seed: int = 0, *, layout: str = "flat",
            stratify: bool = True, scale: bool = True, task: str | None = None, dtype: str = "float32") -> Prepared:
    """Split a Table, fit the preprocessing on its training rows, and shape the rows for a model.

    ``layout`` is "flat" (one vector per row), "image" (channels x height x width, for data with
    an image shape) or "sequence" (time steps x features: an image read row by row, or a table
    read one feature at a time). ``task`` may turn a binary table into a two-class "multiclass"
    task, for CrossEntropyLoss.
    """
    if layout not in LAYOUTS:
        raise ConfigError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    if layout == "image" and table.image_shape is None:
        raise ConfigError(f"dataset {table.name!r} holds tables, not images; a CNN needs an image dataset (digits)")
    kind = _task_kind(table, task)
    labels = table.target if (stratify and kind != "regression") else None
    split = split_indices(len(table), fractions, seed, stratify=labels)
    preprocessor = Preprocessor(table.categorical, scale).fit(table.features[split.train])
    target_train = table.target[split.train]
    spec = Task(kind, table.class_names)
    if kind == "regression":
        spec.target_mean = float(target_train.mean())
        spec.target_std = float(target_train.std()) or 1.0
    shape = _row_shape(table, layout, preprocessor.transform(table.features[:1]).shape[1])
    arrays = {}
    for part in ("train", "val", "test"):
        rows = getattr(split, part)
        features = preprocessor.transform(table.features[rows]).astype(dtype).reshape((len(rows), *shape))
        arrays[part] = (features, spec.encode(table.target[rows]).astype(_target_dtype(kind, dtype)))
    return Prepared(table.name, spec, split, preprocessor, layout, shape, arrays, table.feature_names)


def _task_kind(table, task):
    if task in (None, table.task):
        return table.task
    if task == "multiclass" and table.task == "binary":
        return "multiclass"
    raise ConfigError(f"dataset {table.name!r} is a {table.task} task; it cannot be trained as {task}")


def _row_shape(table, layout, width):
    if layout == "image":
        return tuple(table.image_shape)
    if layout == "sequence":
        if table.image_shape is not None:      # a picture read one row of pixels at a time
            return (table.image_shape[1], table.image_shape[0] * table.image_shape[2])
        return (width, 1)                      # a table read one feature at a time
    return (width,)


def _target_dtype(kind, dtype):
    return np.int64 if kind == "multiclass" else dtype


# ------------------------------------------------------------------ datasets and loaders
class EpochShuffle:
    """A sampler: a new order of the rows every epoch, drawn from (seed, epoch) with NumPy.

    Any backend's DataLoader accepts it, so both backends see the same batches. ``set_epoch``
    picks the epoch; ``skip`` leaves out the first rows of that epoch's order, which is how a
    run resumed in the middle of an epoch carries on with the very next batch.
    """

    def __init__(self, n_rows: int, seed: int = 0) -> None:
        self.n_rows = n_rows
        self.seed = seed
        self.epoch = 0
        self.skip = 0

    def set_epoch(self, epoch: int, skip: int = 0) -> None:
        self.epoch, self.skip = epoch, skip

    def order(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.seed, epoch]).permutation(self.n_rows)

    def __iter__(self) -> Iterator[int]:
        return iter(self.order(self.epoch)[self.skip:].tolist())

    def __len__(self) -> int:
        return self.n_rows - self.skip


@dataclasses.dataclass
class Loaders:
    train: Loader
    val: Loader
    test: Loader


def tensor_dataset(backend: Backend, features: np.ndarray, targets: np.ndarray) -> Dataset:
    """A backend's TensorDataset over two NumPy arrays (kept on the CPU; batches move to the model's device)."""
    return backend.data.TensorDataset(backend.torch.tensor(features), backend.torch.tensor(targets))


def make_loaders(prepared: Prepared, backend: Backend, batch_size: int = 32, seed: int = 0) -> Loaders:
    """DataLoaders for the three parts: training rows in a seeded order that changes every epoch,
    validation and test rows in their stored order."""
    if int(batch_size) != batch_size or batch_size < 1:
        raise ConfigError(f"batch size must be a whole number >= 1, got {batch_size}")
    loaders = {}
    for part in ("train", "val", "test"):
        dataset = tensor_dataset(backend, *prepared.part(part))
        sampler = EpochShuffle(len(dataset), seed) if part == "train" else None
        loaders[part] = backend.data.DataLoader(dataset, batch_size=int(batch_size), sampler=sampler)
    return Loaders(**loaders)
