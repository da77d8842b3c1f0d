"""Reading one batch from a dataset: shared by the main process and the worker processes."""

import itertools

from minigrad.utils.data._collate import default_collate
from minigrad.utils.data.dataset import _tensor_batch


def fetch(dataset, index, auto_collation, collate_fn):
    """One batch (for a list of indices) or, without auto-collation, one sample of a map-style dataset."""
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


def stream_batches(dataset, auto_collation, batch_size, drop_last, collate_fn):
    """The batches of an IterableDataset's stream (the last one shorter unless drop_last)."""
    stream = iter(dataset)
    if not auto_collation:
        yield from (collate_fn(sample) for sample in stream)
        return
    while True:
        samples = list(itertools.islice(stream, batch_size))
        if not samples or (drop_last and len(samples) < batch_size):
            return
        yield collate_fn(samples)


def _load_sample(dataset, index):
    """dataset[index], with the index named in any error it raises (the original error is the cause)."""
    try:
        return dataset[index]
    except Exception as err:
        raise renamed(err, f"DataLoader: dataset[{index}] raised {type(err).__name__}: {err}") from err


def renamed(err, message):
    """An exception of err's type carrying message (a RuntimeError when that type needs other arguments)."""
    try:
        return type(err)(message)
    except Exception:
        return RuntimeError(message)
