"""Samplers: the order in which a DataLoader visits a dataset's indices.

A sampler is an iterable of dataset indices; ``BatchSampler`` groups another
sampler's indices into lists, one list per batch. The random samplers draw a whole
epoch at once from a minigrad Generator (the default one unless given one), when
the iteration starts, so every epoch has a new order that ``manual_seed``
reproduces.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized

import numpy as np

from minigrad.random import Generator, _numpy_rng

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
           "WeightedRandomSampler"]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError


class _EpochArraySampler(Sampler):
    """A sampler whose epoch is one NumPy index array, so batches can be sliced out of it."""

    def _epoch_indices(self):
        raise NotImplementedError

    def __iter__(self) -> Iterator[int]:
        yield from self._epoch_indices().tolist()


class SequentialSampler(_EpochArraySampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch_indices(self):
        return np.arange(len(self.data_source))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_EpochArraySampler):
    """A random order of the indices, drawn anew every epoch.

    Without replacement: a random permutation (several, concatenated, when
    num_samples exceeds the dataset's length). With replacement: num_samples
    independent uniform draws.
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if not _is_positive_int(self.num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _epoch_indices(self):
        n, count, rng = len(self.data_source), self.num_samples, _numpy_rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=count)
        permutations = [rng.permutation(n) for _ in range(-(-count // n))]
        return np.concatenate(permutations)[:count]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_EpochArraySampler):
    """The given indices in a random order, drawn anew every epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def _epoch_indices(self):
        return np.asarray(self.indices)[_numpy_rng(self.generator).permutation(len(self.indices))]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_EpochArraySampler):
    """num_samples indices drawn with probabilities proportional to `weights`, anew every epoch.

    Without replacement each index is drawn at most once, so num_samples may not exceed
    the number of non-zero weights (an error here; torch would then return indices of
    weight zero).
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if not _is_positive_int(num_samples):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = np.asarray(getattr(weights, "_array", weights), dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(weights.shape)}")
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution: weights must be finite, non-negative "
                               f"and not all zero, got {weights.tolist()}")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise RuntimeError(f"cannot draw num_samples={num_samples} indices without replacement from "
                               f"{np.count_nonzero(weights)} non-zero weights")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _epoch_indices(self):
        return _numpy_rng(self.generator).choice(len(self.weights), size=self.num_samples,
                                                 replace=self.replacement, p=self.weights / self.weights.sum())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of `sampler` into lists of `batch_size` (the last one shorter unless drop_last)."""

    def __init__(self, sampler: Sampler | Sequence[int], batch_size: int, drop_last: bool) -> None:
        if not _is_positive_int(batch_size):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        if type(self.sampler).__iter__ is _EpochArraySampler.__iter__:
            yield from self._slices(self.sampler._epoch_indices())
            return
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def _slices(self, indices):
        """Cut an epoch's index array into batches without a Python step per index."""
        stop = len(indices) - len(indices) % self.batch_size if self.drop_last else len(indices)
        for start in range(0, stop, self.batch_size):
            yield indices[start:start + self.batch_size].tolist()

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


def _is_positive_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0
