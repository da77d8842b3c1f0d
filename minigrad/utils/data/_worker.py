"""Worker processes for ``DataLoader(num_workers > 0)``.

Every worker is a process with its own copy of the dataset and its own task queue;
all of them answer on one result queue. The main process draws the index lists (so
the randomness is the same as with ``num_workers=0``), hands them to the workers in
turn with at most ``prefetch_factor`` tasks per worker waiting, and yields the
batches in task order, whatever order they finish in. It checks on the workers
while it waits, so a worker that dies gives an error instead of a hang.

For an IterableDataset a task means "your next batch": each worker batches its own
copy of the stream, and the batches come back worker by worker in turn (torch's order).
"""

import itertools
import pickle
import queue
import random
import time
import traceback

import numpy as np

from minigrad.random import manual_seed
from minigrad.utils.data._fetch import fetch, stream_batches

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_SECONDS = 0.2  # how often the main process checks that its workers are alive while waiting
_END = object()  # the end of an index iterator or of a stream


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


class WorkerTraceback(Exception):
    """The traceback of an error raised in a worker process (the cause of the error re-raised in the main one)."""

    def __str__(self):
        return "\n" + self.args[0]


# ------------------------------------------------------------------ in the worker process
def _worker_loop(worker_id, settings, tasks, results):
    """Set up (seeds, worker_init_fn), then answer tasks (task_id, index) until the None sentinel."""
    global _worker_info
    try:
        seed = settings["base_seed"] + worker_id
        random.seed(seed)
        manual_seed(seed)
        np.random.seed(np.random.SeedSequence([settings["base_seed"], worker_id]).generate_state(4))
        _worker_info = WorkerInfo(worker_id, settings["num_workers"], seed, settings["dataset"])
        if settings["worker_init_fn"] is not None:
            settings["worker_init_fn"](worker_id)
        stream = None
        if settings["stream"] is not None:
            stream = stream_batches(settings["dataset"], settings["auto_collation"], *settings["stream"],
                                    settings["collate_fn"])
    except Exception as err:
        results.put((None, worker_id, "error", _error_payload(err)))
        return
    while (task := tasks.get()) is not None:
        task_id, index = task
        try:
            if stream is None:
                status, payload = "batch", fetch(settings["dataset"], index, settings["auto_collation"],
                                                 settings["collate_fn"])
            else:
                batch = next(stream, _END)
                status, payload = ("end", None) if batch is _END else ("batch", batch)
            payload = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:
            status, payload = "error", _error_payload(err)
        results.put((task_id, worker_id, status, payload))


def _error_payload(err):
    """(pickled exception, traceback text); a RuntimeError stands in for an exception that does not pickle."""
    text = "".join(traceback.format_exception(err))
    try:
        pickled = pickle.dumps(err)
        pickle.loads(pickled)
    except Exception:
        pickled = pickle.dumps(RuntimeError(f"{type(err).__name__}: {err}"))
    return pickled, text


# ------------------------------------------------------------------ in the main process
class _Workers:
    """The worker processes of one epoch, their task queues and the shared result queue."""

    def __init__(self, context, num_workers, timeout, settings):
        self.timeout = timeout
        self.results = context.Queue()
        self.tasks = [context.Queue() for _ in range(num_workers)]
        self.processes = []
        try:
            for worker_id in range(num_workers):
                process = context.Process(target=_worker_loop, args=(worker_id, settings, self.tasks[worker_id],
                                                                     self.results), daemon=True)
                process.start()
                self.processes.append(process)
        except BaseException:
            self.close()
            raise

    def send(self, worker_id, task_id, index):
        self.tasks[worker_id].put((task_id, index))

    def receive(self):
        """The next (task_id, worker_id, status, payload); an error if a worker died or time ran out."""
        deadline = time.monotonic() + self.timeout if self.timeout > 0 else None
        while True:
            try:
                return self.results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                pass
            for worker_id, process in enumerate(self.processes):
                if not process.is_alive():
                    raise RuntimeError(
                        f"DataLoader worker {worker_id} (pid {process.pid}) exited unexpectedly with exit code "
                        f"{process.exitcode}. Its error, if any, is printed above; with the 'spawn' start method "
                        "the dataset, collate_fn and worker_init_fn must be picklable and importable.")
            if deadline is not None and time.monotonic() > deadline:
                raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting for a worker")

    def close(self):
        for tasks in self.tasks:
            try:
                tasks.put(None)
            except (OSError, ValueError):
                pass
        for process in self.processes:
            process.join(timeout=1)
            if process.is_alive():
                process.terminate()
                process.join()
        for q in (*self.tasks, self.results):
            q.cancel_join_thread()
            q.close()


class _MapSchedule:
    """Index lists from the sampler, handed to workers 0, 1, ..., n-1, 0, 1, ..."""

    def __init__(self, indices, num_workers):
        self.indices = iter(indices)
        self.num_workers = num_workers
        self.count = 0

    def next(self):
        index = next(self.indices, _END)
        if index is _END:
            return None
        self.count += 1
        return (self.count - 1) % self.num_workers, index

    def ended(self, worker_id):
        raise AssertionError("a map-style worker has no end of stream")


class _StreamSchedule:
    """'Next batch' requests to the workers in turn, skipping those whose streams have ended."""

    def __init__(self, num_workers):
        self.active = [True] * num_workers
        self.turns = itertools.cycle(range(num_workers))

    def next(self):
        if not any(self.active):
            return None
        worker_id = next(self.turns)
        while not self.active[worker_id]:
            worker_id = next(self.turns)
        return worker_id, None

    def ended(self, worker_id):
        self.active[worker_id] = False


def batches_from_workers(loader, base_seed, context):
    """The loader's batches for one epoch, loaded by loader.num_workers worker processes."""
    streaming = loader._dataset_is_iterable
    settings = {"dataset": loader.dataset, "auto_collation": loader._auto_collation, "collate_fn": loader.collate_fn,
                "worker_init_fn": loader.worker_init_fn, "num_workers": loader.num_workers, "base_seed": base_seed,
                "stream": (loader.batch_size, loader.drop_last) if streaming else None}
    schedule = _StreamSchedule(loader.num_workers) if streaming else _MapSchedule(loader._index_sampler,
                                                                                   loader.num_workers)
    workers = _Workers(context, loader.num_workers, loader.timeout, settings)
    try:
        yield from _in_task_order(workers, schedule, max(1, loader.num_workers * loader.prefetch_factor))
    finally:
        workers.close()


def _in_task_order(workers, schedule, limit):
    """Keep up to `limit` tasks in flight; yield their batches in the order the tasks were handed out."""
    in_flight, arrived = {}, {}  # task_id -> worker_id; task_id -> (status, payload)
    next_task = next_out = 0
    handing_out = True
    while True:
        while handing_out and len(in_flight) < limit:
            assignment = schedule.next()
            if assignment is None:
                handing_out = False
                break
            worker_id, index = assignment
            workers.send(worker_id, next_task, index)
            in_flight[next_task] = worker_id
            next_task += 1
        if not in_flight:
            return
        while next_out not in arrived:
            task_id, worker_id, status, payload = workers.receive()
            if task_id is None:  # the worker failed while starting
                _reraise(payload, worker_id)
            arrived[task_id] = (status, payload)
        status, payload = arrived.pop(next_out)
        worker_id = in_flight.pop(next_out)
        next_out += 1
        if status == "error":
            _reraise(payload, worker_id)
        if status == "end":
            schedule.ended(worker_id)
            continue
        yield pickle.loads(payload)


def _reraise(payload, worker_id):
    pickled, text = payload
    try:
        err = pickle.loads(pickled)
    except Exception:
        err = RuntimeError(text)
    raise err from WorkerTraceback(f"in DataLoader worker process {worker_id}:\n{text}")
