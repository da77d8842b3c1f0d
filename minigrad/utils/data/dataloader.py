"""DataLoader: batches of a dataset, in order or shuffled, in this process or in worker processes.

An epoch is: the batch sampler yields lists of indices, each list is fetched from
the dataset and collated into a batch. With ``num_workers > 0`` the fetching and
collating run in a pool of worker processes; the main process still draws the
index lists (so the randomness is the same as with ``num_workers=0``), hands them
out, and yields the batches in the order of the lists.
"""

import collections
import itertools
import multiprocessing
import random

import numpy as np

from minigrad.random import _numpy_rng, manual_seed
from minigrad.utils.data._collate import default_collate, default_convert
from minigrad.utils.data.dataset import IterableDataset, _tensor_batch
from minigrad.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "WorkerInfo", "get_worker_info"]

_NOT_GIVEN = object()


class WorkerInfo:
    """What a worker process knows about itself: id, num_workers, seed and its copy of the dataset."""

    def __init__(self, id, num_workers, seed, dataset):  # noqa: A002  (torch's name)
        self.id = id
        self.num_workers = num_workers
        self.seed = seed
        self.dataset = dataset

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed})"


_worker_info = None


def get_worker_info():
    """The WorkerInfo of this worker process, or None in the main process."""
    return _worker_info


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

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
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
        self.collate_fn = collate_fn or (default_collate if self._auto_collation else default_convert)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What yields one fetch's indices: the batch sampler when batching, else the sampler."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)
            if self.batch_size is None:
                return length
            return length // self.batch_size if self.drop_last else -(-length // self.batch_size)
        return len(self._index_sampler)

    def __iter__(self):
        # Drawn every epoch, like torch; seeds the workers (and keeps the default
        # generator's stream the same whatever num_workers is).
        base_seed = int(_numpy_rng(self.generator).integers(2 ** 63 - 1))
        if self.num_workers == 0:
            batches = _batches_in_this_process(self)
        elif isinstance(self.dataset, IterableDataset):
            batches = _stream_batches_in_workers(self, base_seed)
        else:
            batches = _batches_in_workers(self, base_seed)
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


# ------------------------------------------------------------------ fetching
def _fetch(dataset, index, auto_collation, collate_fn):
    """One batch (or, without auto-collation, one sample) of a map-style dataset."""
    if not auto_collation:
        return collate_fn(_load_sample(dataset, index))
    if collate_fn is default_collate:
        batch = _tensor_batch(dataset, index)
        if batch is not None:
            return batch
    if callable(getattr(dataset, "__getitems__", None)):
        samples = dataset.__getitems__(index)
    else:
        samples = [_load_sample(dataset, i) for i in index]
    try:
        return collate_fn(samples)
    except Exception as err:
        shown = index if len(index) <= 20 else f"{index[:20]} ... ({len(index)} in all)"
        err.add_note(f"DataLoader: while collating the samples at dataset indices {shown}")
        raise


def _load_sample(dataset, index):
    """dataset[index], with the index named in any error it raises."""
    try:
        return dataset[index]
    except Exception as err:
        raise _renamed(err, f"DataLoader: dataset[{index}] raised {type(err).__name__}: {err}") from err


def _renamed(err, message):
    """An exception of err's type carrying message (a RuntimeError when that type needs other arguments)."""
    try:
        return type(err)(message)
    except Exception:
        return RuntimeError(message)


def _stream_batches(dataset, auto_collation, batch_size, drop_last, collate_fn):
    """The batches of an IterableDataset's stream."""
    stream = iter(dataset)
    if not auto_collation:
        yield from (collate_fn(sample) for sample in stream)
        return
    while True:
        samples = list(itertools.islice(stream, batch_size))
        if not samples or (drop_last and len(samples) < batch_size):
            return
        yield collate_fn(samples)


def _batches_in_this_process(loader):
    if isinstance(loader.dataset, IterableDataset):
        yield from _stream_batches(loader.dataset, loader._auto_collation, loader.batch_size, loader.drop_last,
                                   loader.collate_fn)
        return
    for index in loader._index_sampler:
        yield _fetch(loader.dataset, index, loader._auto_collation, loader.collate_fn)


# ------------------------------------------------------------------ workers
# Each worker process keeps its copy of the dataset and settings here (set by _start_worker).
_worker_state = {}


def _batches_in_workers(loader, base_seed):
    """Fetch batches in a process pool; keep at most prefetch_factor batches per worker in flight."""
    context = loader.multiprocessing_context or multiprocessing.get_context()
    next_worker_id = context.Value("i", 0)
    pool = context.Pool(loader.num_workers, initializer=_start_worker,
                        initargs=(loader.dataset, loader._auto_collation, loader.collate_fn, loader.worker_init_fn,
                                  loader.num_workers, base_seed, next_worker_id))
    try:
        in_flight = collections.deque()
        indices = iter(loader._index_sampler)  # drawn here, in the main process
        limit = max(1, loader.num_workers * loader.prefetch_factor)
        for index in itertools.islice(indices, limit):
            in_flight.append(pool.apply_async(_fetch_in_worker, (index,)))
        while in_flight:
            batch = _result(in_flight.popleft(), loader.timeout)
            for index in itertools.islice(indices, 1):
                in_flight.append(pool.apply_async(_fetch_in_worker, (index,)))
            yield batch
    finally:
        pool.terminate()
        pool.join()


def _stream_batches_in_workers(loader, base_seed):
    """Every worker batches its own copy of the stream; the batches come back interleaved, worker by worker."""
    context = loader.multiprocessing_context or multiprocessing.get_context()
    pool = context.Pool(loader.num_workers, initializer=_start_worker,
                        initargs=(loader.dataset, loader._auto_collation, loader.collate_fn, loader.worker_init_fn,
                                  loader.num_workers, base_seed, None))
    try:
        settings = (loader.batch_size, loader.drop_last)
        jobs = [pool.apply_async(_stream_in_worker, (worker_id, *settings)) for worker_id in range(loader.num_workers)]
        per_worker = [_result(job, loader.timeout) for job in jobs]
        for round_of_batches in itertools.zip_longest(*per_worker, fillvalue=_NOT_GIVEN):
            yield from (batch for batch in round_of_batches if batch is not _NOT_GIVEN)
    finally:
        pool.terminate()
        pool.join()


def _result(job, timeout):
    try:
        return job.get(timeout if timeout > 0 else None)
    except multiprocessing.TimeoutError:
        raise RuntimeError(f"DataLoader timed out after {timeout} seconds waiting for a worker") from None


def _start_worker(dataset, auto_collation, collate_fn, worker_init_fn, num_workers, base_seed, next_worker_id):
    """Pool initializer: remember the loader's settings; a map-style pool also takes a worker id now."""
    _worker_state.update(dataset=dataset, auto_collation=auto_collation, collate_fn=collate_fn,
                         worker_init_fn=worker_init_fn, num_workers=num_workers, base_seed=base_seed)
    if next_worker_id is not None:
        with next_worker_id.get_lock():
            worker_id = next_worker_id.value
            next_worker_id.value += 1
        _become_worker(worker_id)


def _become_worker(worker_id):
    """Seed this process from the epoch's base seed and worker id (as torch does) and run worker_init_fn."""
    global _worker_info
    seed = _worker_state["base_seed"] + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([_worker_state["base_seed"], worker_id]).generate_state(4))
    _worker_info = WorkerInfo(worker_id, _worker_state["num_workers"], seed, _worker_state["dataset"])
    if _worker_state["worker_init_fn"] is not None:
        _worker_state["worker_init_fn"](worker_id)


def _fetch_in_worker(index):
    state = _worker_state
    return _fetch(state["dataset"], index, state["auto_collation"], state["collate_fn"])


def _stream_in_worker(worker_id, batch_size, drop_last):
    _become_worker(worker_id)
    state = _worker_state
    return list(_stream_batches(state["dataset"], state["auto_collation"], batch_size, drop_last, state["collate_fn"]))


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
