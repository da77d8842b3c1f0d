"""torch.nn.utils.rnn: variable-length sequences, padded into one batch or packed.

A PackedSequence keeps only the real steps of a batch of sequences sorted by length,
longest first: `data` holds, time step by time step, the rows of the sequences still
running at that step, and `batch_sizes[t]` says how many that is. Recurrent layers
accept it and stop each sequence at its own length.
"""

import collections

import numpy as np

from minigrad.creation import full, tensor
from minigrad.functions import cat, stack

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence"]


class PackedSequence(collections.namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                                               "unsorted_indices"])):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as torch's."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        return self._replace(data=self.data.to(*args, **kwargs))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shape (L_i, *) into (L_max, B, *) (or (B, L_max, *) with batch_first),
    filling the missing steps with padding_value. Differentiable in every sequence."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            filler = full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = cat([s, filler] if padding_side == "right" else [filler, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (L, B, *) (or (B, L, *)) whose sequences have the given lengths."""
    lengths = np.asarray(lengths.tolist() if hasattr(lengths, "tolist") else lengths, dtype=np.int64)
    if lengths.ndim != 1 or len(lengths) != input.shape[0 if batch_first else 1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={input.shape[0 if batch_first else 1]})")
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = unsorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices, unsorted_indices = tensor(order), tensor(np.argsort(order))
        input = input.index_select(0 if batch_first else 1, order)
        lengths = lengths[order]
    if batch_first:
        input = input.transpose(0, 1)
    if lengths[0] > input.shape[0]:
        raise RuntimeError(f"lengths go up to {lengths[0]} but the padded input has {input.shape[0]} steps")
    batch_sizes = np.array([(lengths > t).sum() for t in range(lengths[0])], dtype=np.int64)
    data = cat([input[t, :size] for t, size in enumerate(batch_sizes)], 0)
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, unsorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded (L, B, *) or (B, L, *), lengths in the original order)."""
    padded, lengths = padded_in_sorted_order(sequence, padding_value, total_length)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.numpy()]
    return (padded.transpose(0, 1) if batch_first else padded), tensor(lengths)


def padded_in_sorted_order(sequence, padding_value=0.0, total_length=None):
    """The packed steps as a padded (L, B, *) tensor in the packed (longest-first) order, and the lengths."""
    data, batch_sizes = sequence.data, sequence.batch_sizes.tolist()
    batch, steps = batch_sizes[0], len(batch_sizes)
    if total_length is not None and total_length < steps:
        raise ValueError(f"Expected total_length to be at least the length of the longest sequence ({steps}), "
                         f"but got total_length={total_length}")
    rows, start = [], 0
    for size in batch_sizes:
        step = data[start:start + size]
        if size < batch:
            step = cat([step, full((batch - size,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)], 0)
        rows.append(step)
        start += size
    for _ in range((total_length or steps) - steps):
        rows.append(full((batch,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype))
    lengths = np.array([sum(1 for size in batch_sizes if size > b) for b in range(batch)], dtype=np.int64)
    return stack(rows, 0), lengths


def pack_steps(padded, batch_sizes):
    """The rows of a padded (L, B, *) tensor that a PackedSequence with these batch sizes keeps."""
    return cat([padded[t, :size] for t, size in enumerate(batch_sizes.tolist())], 0)
