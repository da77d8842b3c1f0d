"""Datasets: what a DataLoader reads samples from.

A map-style ``Dataset`` answers ``len(ds)`` and ``ds[i]``; an ``IterableDataset``
is a stream (``iter(ds)``). ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``StackDataset`` build datasets from tensors and from other datasets, ``ChainDataset``
joins streams, and ``random_split`` cuts a dataset into disjoint random parts (e.g.
train / validation / test).
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from minigrad.random import Generator, _numpy_rng
from minigrad.tensor import Tensor

__all__ = ["ChainDataset", "ConcatDataset", "Dataset", "IterableDataset", "StackDataset", "Subset", "TensorDataset",
           "random_split"]


class Dataset:
    """A map-style dataset: subclass it and define ``__getitem__`` and ``__len__``.

    ``ds[i]`` may return anything ``default_collate`` understands: tensors, NumPy
    arrays, Python numbers, strings, and tuples, lists or dicts of those.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream of samples: subclass it and define ``__iter__``.

    With worker processes every worker iterates its own copy; use
    ``get_worker_info()`` inside ``__iter__`` to give each worker its own share.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Streams one after another: the samples of the first IterableDataset, then of the second, ...

    The datasets are read lazily, one at a time, as the chain is iterated; each is checked to
    be an IterableDataset when its turn comes.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            yield from _streamed(dataset)

    def __len__(self) -> int:
        """The total length, for streams that know theirs (a stream without __len__ raises TypeError)."""
        return sum(len(_streamed(dataset)) for dataset in self.datasets)


def _streamed(dataset):
    """`dataset`, once checked to be an IterableDataset, the only kind ChainDataset joins."""
    if not isinstance(dataset, IterableDataset):
        raise AssertionError("ChainDataset only supports IterableDataset")
    return dataset


class TensorDataset(Dataset):
    """Samples are rows of equally long tensors: ``ds[i] == (t[i] for t in tensors)``.

    The DataLoader builds a batch of a TensorDataset with one fancy index per tensor
    instead of stacking rows one at a time.
    """

    def __init__(self, *tensors: Tensor) -> None:
        lengths = [tensor.size(0) for tensor in tensors]
        if any(length != lengths[0] for length in lengths):
            raise AssertionError(f"Size mismatch between tensors: their first dimensions are {lengths}")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order: ``subset[i] == dataset[indices[i]]``."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: int | list[int]) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Datasets one after another: the samples of the first, then of the second, ...

    ``cumulative_sizes[k]`` is the number of samples in the first k + 1 datasets.
    """

    @staticmethod
    def cumsum(sequence: Sequence[Dataset]) -> list[int]:
        return list(itertools.accumulate(len(dataset) for dataset in sequence))

    def __init__(self, datasets: Sequence[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"absolute value of index should not exceed dataset length: "
                                 f"index {idx} for a dataset of length {len(self)}")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {len(self)}")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class StackDataset(Dataset):
    """Datasets side by side: sample i gathers sample i of each, in a tuple (datasets given as
    positional arguments) or a dict (given as keyword arguments).

        StackDataset(images, labels)[i] == (images[i], labels[i])
        StackDataset(image=images, label=labels)[i] == {"image": images[i], "label": labels[i]}
    """

    datasets: tuple[Dataset, ...] | dict[str, Dataset]

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError("StackDataset takes its datasets either as positional arguments (samples are tuples) "
                             "or as keyword arguments (samples are dicts), but both were given")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        datasets = list(args or kwargs.values())
        self._length = len(datasets[0])
        if any(len(dataset) != self._length for dataset in datasets):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args or kwargs

    def __getitem__(self, index: int) -> tuple[Any, ...] | dict[str, Any]:
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list[int]) -> list[tuple[Any, ...]] | list[dict[str, Any]]:
        """The samples at `indices`, each dataset read in one batch where it can (its __getitems__)."""
        if isinstance(self.datasets, dict):
            columns = {key: _samples(dataset, indices) for key, dataset in self.datasets.items()}
            return [{key: column[i] for key, column in columns.items()} for i in range(len(indices))]
        columns = [_samples(dataset, indices) for dataset in self.datasets]
        return [tuple(column[i] for column in columns) for i in range(len(indices))]

    def __len__(self) -> int:
        return self._length


def _samples(dataset, indices):
    """The samples of `dataset` at `indices`: in one call of its __getitems__ if it has one, else one by one."""
    if not callable(getattr(dataset, "__getitems__", None)):
        return [dataset[i] for i in indices]
    samples = dataset.__getitems__(indices)
    if len(samples) != len(indices):
        raise ValueError(f"Nested dataset's output size mismatch. Expected {len(indices)}, got {len(samples)}")
    return samples


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator: Generator | None = None) -> list[Subset]:
    """Split `dataset` into disjoint random Subsets of the given lengths.

    `lengths` are sample counts adding up to ``len(dataset)``, or fractions adding up
    to 1: each part then gets ``floor(fraction * len(dataset))`` samples and the
    samples left over go one at a time to the parts in turn, starting with the first.
    One random permutation (from `generator`, else the default generator) is cut
    into consecutive pieces.

    Fractions count as adding up to 1 when their floating-point sum is within rounding
    of it on either side: torch refuses a sum such as 0.26 + 0.17 + 0.45 + 0.01 + 0.11
    == 1.0000000000000002, minigrad splits it.
    """
    lengths = list(lengths)
    total = len(dataset)
    if math.isclose(sum(lengths), 1):
        lengths = _lengths_from_fractions(lengths, total)
    if not all(isinstance(length, (int, np.integer)) for length in lengths):
        raise ValueError(f"random_split lengths must be sample counts (integers) adding up to the length of the "
                         f"dataset ({total}) or fractions adding up to 1, got {lengths}")
    if sum(lengths) != total:
        raise ValueError(f"Sum of input lengths does not equal the length of the input dataset! "
                         f"lengths {lengths} add up to {sum(lengths)}, but the dataset has {total} samples")
    if any(length < 0 for length in lengths):
        raise ValueError(f"random_split lengths must be non-negative, got {lengths}")
    permutation = _numpy_rng(generator).permutation(total).tolist()
    ends = list(itertools.accumulate(lengths))
    return [Subset(dataset, permutation[end - length:end]) for end, length in zip(ends, lengths)]


def _lengths_from_fractions(fractions, total):
    for i, fraction in enumerate(fractions):
        if not 0 <= fraction <= 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1: {fraction}")
    lengths = [math.floor(total * fraction) for fraction in fractions]
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                          stacklevel=3)
    return lengths


def _tensor_batch(dataset, indices):
    """A batch of a TensorDataset (or of Subsets and ConcatDatasets of them) by fancy indexing, or None.

    Returns what ``default_collate([dataset[i] for i in indices])`` returns, a list
    with one stacked tensor per column, built with one NumPy index per tensor.
    None when the dataset is of another kind, a tensor needs grad (stacking would
    record a graph), or an index is out of range (the per-sample path then names it).
    """
    kind = type(dataset).__getitem__
    if kind is Subset.__getitem__:
        return _tensor_batch(dataset.dataset, [dataset.indices[i] for i in indices])
    if kind is ConcatDataset.__getitem__:
        return _concat_batch(dataset, indices)
    if kind is not TensorDataset.__getitem__:
        return None
    tensors = dataset.tensors
    if not all(isinstance(t, Tensor) and not t.requires_grad for t in tensors):
        return None
    index = np.asarray(indices, dtype=np.int64)
    try:
        return [Tensor._wrap(t._array[index]) for t in tensors]
    except IndexError:
        return None


def _concat_batch(dataset, indices):
    """A batch of a ConcatDataset: each part's rows fetched with one fancy index, then put in their places.

    None (the per-sample path) unless every part gives a fast batch with the same
    columns (dtypes and trailing shapes), or when an index is out of range.
    """
    index = np.asarray(indices, dtype=np.int64)
    index = np.where(index < 0, index + len(dataset), index)  # negative indices count from the end
    if index.size == 0 or index.min() < 0 or index.max() >= len(dataset):
        return None
    part_of = np.searchsorted(dataset.cumulative_sizes, index, side="right")
    starts = [0, *dataset.cumulative_sizes[:-1]]
    columns = None
    for part in np.unique(part_of).tolist():
        rows = part_of == part
        batch = _tensor_batch(dataset.datasets[part], (index[rows] - starts[part]).tolist())
        if batch is None:
            return None
        if columns is None:
            columns = [np.empty((len(index), *t._array.shape[1:]), dtype=t._array.dtype) for t in batch]
        if [(t._array.dtype, t._array.shape[1:]) for t in batch] != [(c.dtype, c.shape[1:]) for c in columns]:
            return None
        for column, tensor in zip(columns, batch):
            column[rows] = tensor._array
    return [Tensor._wrap(column) for column in columns]
