"""DataLoader: batches of a dataset, in order or shuffled, in this process or in worker processes.

An epoch is: the batch sampler yields lists of indices, each list is fetched from
the dataset and collated into a batch. With ``num_workers > 0`` the fetching and
collating run in worker processes (see _worker.py) and the batches come out in
the same order as with ``num_workers=0``.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from minigrad.random import Generator, _numpy_rng
from minigrad.utils.data._collate import default_collate, default_convert
from minigrad.utils.data._fetch import fetch, stream_batches
from minigrad.utils.data._worker import batches_from_workers
from minigrad.utils.data.dataset import Dataset, IterableDataset
from minigrad.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over a dataset in batches.

    Arguments follow torch.utils.data.DataLoader: batch_size (None turns batching
    off), shuffle (a new random order every epoch, from `generator` or the default
    generator), sampler or batch_sampler (custom orders; exclusive with shuffle and
    with each other), drop_last, collate_fn, and num_workers (0 loads in this
    process). pin_memory, persistent_workers and prefetch_factor are accepted for
    compatibility; minigrad has no device memory to pin and starts its worker pool
    afresh every epoch.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Sequence[int] | None = None,
                 batch_sampler: Sampler | Sequence[Sequence[int]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if isinstance(dataset, IterableDataset):
            _check_iterable_options(shuffle, sampler, batch_sampler)
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if isinstance(dataset, IterableDataset):
                sampler = _StreamSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = _context(multiprocessing_context, num_workers)
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _dataset_is_iterable(self):
        return isinstance(self.dataset, IterableDataset)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What yields one fetch's indices: the batch sampler when batching, else the sampler."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_is_iterable:
            length = len(self.dataset)
            if self.batch_size is None:
                return length
            return length // self.batch_size if self.drop_last else -(-length // self.batch_size)
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        # Drawn every epoch, like torch; seeds the workers (and keeps the default
        # generator's stream the same whatever num_workers is).
        base_seed = int(_numpy_rng(self.generator).integers(2 ** 63 - 1))
        if self.num_workers == 0:
            batches = _batches_in_this_process(self)
        else:
            context = self.multiprocessing_context or multiprocessing.get_context()
            batches = batches_from_workers(self, base_seed, context)
        return _DataLoaderIter(batches, self)


class _DataLoaderIter:
    """The iterator of one epoch; ``len()`` is the loader's length."""

    def __init__(self, batches, loader):
        self._batches = batches
        self._loader = loader

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)


class _StreamSampler:
    """The endless 'sampler' of an IterableDataset: the dataset decides where the stream ends."""

    def __iter__(self):
        return itertools.repeat(None)


def _batches_in_this_process(loader):
    if loader._dataset_is_iterable:
        yield from stream_batches(loader.dataset, loader._auto_collation, loader.batch_size, loader.drop_last,
                                  loader.collate_fn)
        return
    for index in loader._index_sampler:
        yield fetch(loader.dataset, index, loader._auto_collation, loader.collate_fn)


# ------------------------------------------------------------------ argument checks
def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    if num_workers < 0:
        raise ValueError(f"num_workers option should be non-negative; use num_workers=0 to disable "
                         f"multiprocessing (got num_workers={num_workers})")
    if timeout < 0:
        raise ValueError(f"timeout option should be non-negative, got timeout={timeout}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing. Let num_workers > 0 "
                         "to enable multiprocessing, otherwise set prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(f"prefetch_factor option should be non-negative, got prefetch_factor={prefetch_factor}")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _check_iterable_options(shuffle, sampler, batch_sampler):
    if shuffle not in (False, None):
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                         f"but got shuffle={shuffle}")
    if sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                         f"but got sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                         f"but got batch_sampler={batch_sampler}")


def _context(multiprocessing_context, num_workers):
    """A multiprocessing context from a start method name (or a context), only with worker processes."""
    if multiprocessing_context is None:
        return None
    if num_workers == 0:
        raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                         f"(num_workers > 0), but got num_workers={num_workers}")
    if isinstance(multiprocessing_context, str):
        methods = multiprocessing.get_all_start_methods()
        if multiprocessing_context not in methods:
            raise ValueError(f"multiprocessing_context option should specify a valid start method in {methods!r}, "
                             f"but got multiprocessing_context={multiprocessing_context!r}")
        return multiprocessing.get_context(multiprocessing_context)
    return multiprocessing_context
