"""Data that needs no download: scikit-learn's bundled sets, a synthetic line, and the user's CSV file.

Each loader returns a ``Table``: the raw rows and targets plus what a model needs to know about
them (the task, the class names, the image shape). Nothing is scaled or split here; that is
pillar 1's job (``pillars.data``), which fits every transformation on the training rows only.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import math
import pathlib
from collections.abc import Sequence

import numpy as np

from pillars.errors import ConfigError, DataError, existing_file

TASKS = ("regression", "binary", "multiclass")
NAMES = ("digits", "linear", "breast_cancer", "wine", "diabetes", "csv")
_MOST_CLASSES_GUESSED = 20   # an integer CSV target with at most this many values is read as classes
_MISSING = {"", "na", "n/a", "null", "none", "nan"}   # how CSV files write a missing value


@dataclasses.dataclass
class Table:
    """Rows of features with one target each, before any split or scaling.

    ``features`` is float64 (rows x columns), or an object array when some columns hold
    categories (their indices in ``categorical``). ``target`` holds class codes 0..k-1 (int64)
    for classification and float64 values for regression.
    """

    name: str
    features: np.ndarray
    target: np.ndarray
    task: str
    feature_names: list[str]
    class_names: list[str] | None = None
    categorical: list[int] = dataclasses.field(default_factory=list)
    image_shape: tuple[int, int, int] | None = None  # (channels, height, width) when each row is a picture
    truth: dict | None = None      # the true parameters, for synthetic data

    def __len__(self) -> int:
        return len(self.target)


def load(name: str, *, csv_path: str | pathlib.Path | None = None, target: str | None = None,
         task: str | None = None, seed: int = 0) -> Table:
    """The table called ``name`` (one of NAMES); "csv" reads ``csv_path`` with ``target`` as its label."""
    if name not in NAMES:
        raise ConfigError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)}")
    if name == "csv":
        if csv_path is None or target is None:
            raise ConfigError("dataset 'csv' needs a file and its target column (--csv PATH --target COLUMN)")
        return read_csv(csv_path, target, task=task)
    if name == "linear":
        return linear(seed=seed)
    return _bundled(name)


def _bundled(name):
    from sklearn import datasets as sklearn_datasets  # (here, not at the top: see pillars/__init__.py)

    bunch = getattr(sklearn_datasets, f"load_{name}")()
    names = [str(feature) for feature in bunch.get("feature_names", range(bunch.data.shape[1]))]
    if name == "diabetes":
        return Table(name, bunch.data.astype(np.float64), bunch.target.astype(np.float64), "regression", names)
    classes = [str(label) for label in bunch.target_names]
    task = "binary" if len(classes) == 2 else "multiclass"
    image_shape = (1, 8, 8) if name == "digits" else None
    return Table(name, bunch.data.astype(np.float64), bunch.target.astype(np.int64), task, names,
                 class_names=classes, image_shape=image_shape)


def linear(n_rows: int = 256, n_features: int = 1, noise: float = 0.1, seed: int = 0) -> Table:
    """Synthetic regression data y = x w + b + noise, with x ~ N(0, 1); the true w and b are kept in ``truth``."""
    rng = np.random.default_rng(seed)
    weight = rng.uniform(-3, 3, size=n_features)
    bias = float(rng.uniform(-1, 1))
    features = rng.standard_normal((n_rows, n_features))
    target = features @ weight + bias + noise * rng.standard_normal(n_rows)
    names = [f"x{i}" for i in range(n_features)]
    return Table("linear", features, target, "regression", names, truth={"weight": weight, "bias": bias})


# ------------------------------------------------------------------ CSV files
def read_csv(path: str | pathlib.Path, target: str, task: str | None = None) -> Table:
    """A table from a CSV file with a header line, ``target`` naming the label column.

    Feature columns must be numbers, or else be categories throughout (they are one-hot encoded
    later, fitted on the training rows). A text target is a set of classes; a numeric target is
    classes when it holds at most 20 distinct integers, else a regression value; ``task`` overrides
    that guess ("regression", "binary", "multiclass" or "classification"). Empty, NaN or infinite
    cells and text in a numeric column are refused, naming the line and the column.
    """
    path = existing_file(path, "CSV file not found")
    header, rows = _read_rows(path)
    if target not in header:
        raise DataError(f"{path}: no column {target!r}; its columns are {', '.join(header)}")
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    feature_names = [name for name in header if name != target]
    if not feature_names:
        raise DataError(f"{path}: no feature columns besides the target {target!r}")
    features, categorical = [], []
    for index, name in enumerate(feature_names):
        values = _numbers(path, name, columns[name])
        if values is None:
            categorical.append(index)
            values = _texts(columns[name])
        features.append(values)
    values, class_names, task = _target(path, target, columns[target], task)
    return Table(path.stem, _side_by_side(features, categorical), values, task, feature_names,
                 class_names=class_names, categorical=categorical)


def file_sha256(path: str | pathlib.Path) -> str:
    """The SHA-256 of a CSV file's bytes, in hex: a fingerprint that changes when any byte does.

    A checkpoint keeps the one of the file it was trained on, so that a later re-reading can tell
    whether the split still picks the same rows.
    """
    return hashlib.sha256(existing_file(path, "CSV file not found").read_bytes()).hexdigest()


def read_features(path: str | pathlib.Path, feature_names: Sequence[str], categorical: Sequence[int] = ()) -> np.ndarray:
    """The named columns of a CSV file, as a trained model reads them: numbers, or text in category columns.

    Other columns (the target among them) are ignored; a missing column is refused by name.
    """
    path = existing_file(path, "CSV file not found")
    header, rows = _read_rows(path)
    missing = [name for name in feature_names if name not in header]
    if missing:
        raise DataError(f"{path}: no column {', '.join(map(repr, missing))}; the model reads the columns "
                        f"{', '.join(feature_names)}")
    features = []
    for index, name in enumerate(feature_names):
        cells = [row[header.index(name)] for row in rows]
        if index in categorical:
            features.append(_texts(cells))
            continue
        values = _numbers(path, name, cells)
        if values is None:
            raise DataError(f"{path}: column {name!r} holds text, but the model was trained on numbers there")
        features.append(values)
    return _side_by_side(features, categorical)


def _texts(cells):
    return np.array([cell.text for cell in cells], dtype=object)


def _side_by_side(columns, categorical):
    """Columns as one rows-by-columns array: float64, or object when some columns hold text."""
    return np.stack(columns, axis=1).astype(object if categorical else np.float64)


def _read_rows(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            lines = [row for row in csv.reader(file)]
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a UTF-8 text file ({err.reason} at byte {err.start})") from None
    except csv.Error as err:
        raise DataError(f"{path}: not a readable CSV file ({err})") from None
    lines = [(number, row) for number, row in enumerate(lines, start=1) if any(cell.strip() for cell in row)]
    if not lines:
        raise DataError(f"{path}: the file is empty")
    header = [cell.strip() for cell in lines[0][1]]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise DataError(f"{path}: column names repeat: {', '.join(duplicates)}")
    rows = []
    for number, row in lines[1:]:
        if len(row) != len(header):
            raise DataError(f"{path} line {number}: {len(row)} cells, but the header names {len(header)} columns")
        rows.append([_Cell(number, cell.strip()) for cell in row])
    if not rows:
        raise DataError(f"{path}: a header but no rows")
    return header, rows


@dataclasses.dataclass
class _Cell:
    line: int
    text: str


def _numbers(path, column, cells):
    """The column as float64, None when it holds only text (categories); refuses gaps, NaN and mixtures."""
    numbers = [_number(cell.text) for cell in cells]
    if all(number is None and cell.text.lower() not in _MISSING for cell, number in zip(cells, numbers)):
        return None
    for cell, number in zip(cells, numbers):
        if cell.text.lower() in _MISSING:
            what = f"missing value {cell.text!r}" if cell.text else "empty cell"
            raise DataError(f"{path} line {cell.line}, column {column!r}: {what}")
        if number is None:
            raise DataError(f"{path} line {cell.line}, column {column!r}: {cell.text!r} is not a number")
        if not math.isfinite(number):
            raise DataError(f"{path} line {cell.line}, column {column!r}: {cell.text!r} is not a finite number")
    return np.array(numbers, dtype=np.float64)


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


def _target(path, column, cells, task):
    if task not in (None, "classification", *TASKS):
        raise ConfigError(f"unknown task {task!r}; choose regression, classification, binary or multiclass")
    numbers = _numbers(path, column, cells)
    if numbers is None:  # text labels: classes
        if task == "regression":
            raise DataError(f"{path}: target {column!r} holds text, which cannot be a regression target")
        labels = np.array([cell.text for cell in cells])
    else:
        whole = np.all(numbers == np.round(numbers))
        guess = "classification" if whole and len(np.unique(numbers)) <= _MOST_CLASSES_GUESSED else "regression"
        if (task or guess) == "regression":
            return numbers, None, "regression"
        if not whole:
            raise DataError(f"{path}: target {column!r} holds fractions, which cannot be class labels")
        labels = numbers.astype(np.int64)
    class_names, codes = np.unique(labels, return_inverse=True)
    if len(class_names) < 2:
        raise DataError(f"{path}: target {column!r} has a single class, {class_names[0].item()!r}; nothing to learn")
    kind = "binary" if len(class_names) == 2 else "multiclass"
    if task in ("binary", "multiclass") and task != kind:
        raise DataError(f"{path}: target {column!r} has {len(class_names)} classes, so the task is {kind}, not {task}")
    return codes.astype(np.int64), [str(name) for name in class_names], kind
