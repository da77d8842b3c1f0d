"""linear_cross_entropy: a classifier head's linear layer and its cross-entropy loss in one call.

With options=None it is the reference, cross_entropy(linear(input, W, b), target), recorded op
by op. With LinearCrossEntropyOptions it computes the same loss a chunk of rows at a time, so
that the (N, C) logits never exist at once (see minigrad/_ops/linear_cross_entropy.py): the
memory saving torch's chunked path makes for large vocabularies.
"""

import dataclasses
import math
import warnings

import numpy as np

from minigrad import _dtype
from minigrad._ops import linear_cross_entropy as LCE
from minigrad.tensor import apply
from minigrad.nn._functional.linear import _check_same_dtype, linear
from minigrad.nn._functional.loss import _class_weight, _refuse_gradient, _reduction, cross_entropy

__all__ = ["linear_cross_entropy"]  # (LinearCrossEntropyOptions is minigrad.nn's, as in torch)

_ACC_POLICIES = ("auto", "accurate", "balanced", "compact")


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """How linear_cross_entropy splits the batch into chunks of rows (torch's fields and checks).

    batch_chunk_size: rows per chunk (None: let chunking_method decide, or one chunk).
    chunking_method: "auto", "aspect_ratio" or "aspect_ratio:N" (chunks whose logits take about
      as much memory as the input, or N times less), or None to use batch_chunk_size alone.
    acc_policy, acc_dtype: torch's precision and memory trade-offs for float16 and bfloat16
      matrix products on its devices; minigrad checks them and computes in the input's dtype.
    allow_retain_graph: accepted for torch's scripts. minigrad's chunked backward computes
      again what it needs, so a second backward works either way.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method not in (None, "auto") and _aspect_ratio_factor(self.chunking_method) is None:
            raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        if not (self.batch_chunk_size is None
                or (isinstance(self.batch_chunk_size, int) and self.batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {self.batch_chunk_size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in (_dtype.float16, _dtype.float32, _dtype.float64):
            raise ValueError(f"acc_dtype must be one of {{None, float16, float32, float64}}, got {self.acc_dtype!r}. "
                             "Pass acc_dtype=None to let the op pick automatically.")

    def _chunk_rows(self, rows, in_features, classes):
        """Rows per chunk for a batch of `rows`: batch_chunk_size, or what chunking_method gives.

        "aspect_ratio" sizes a chunk's (rows, classes) logits like the (rows, in_features) input:
        the batch divided by ceil(classes / in_features), rounded up to a power of two (then
        divided by N for "aspect_ratio:N"). "auto" is "aspect_ratio:2" where torch has no
        measured pick, which is every case minigrad runs.
        """
        method = self.chunking_method
        if method == "auto":
            method = None if self.batch_chunk_size is not None else "aspect_ratio:2"
        chunk = rows if self.batch_chunk_size is None else min(self.batch_chunk_size, rows)
        if method is not None:
            target = -(-rows // -(-classes // in_features))  # ceil(rows / ceil(classes / in_features))
            by_method = min((1 << (target - 1).bit_length()) // _aspect_ratio_factor(method), rows)
            if self.batch_chunk_size is not None and self.batch_chunk_size != by_method:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method ('{method}') "
                                 f"give different chunk sizes ({self.batch_chunk_size} vs {by_method}); pass only one.")
            chunk = by_method
        return max(1, chunk)


def _aspect_ratio_factor(method):
    """N of "aspect_ratio:N" (1 for "aspect_ratio"), or None for any other string."""
    name, colon, factor = str(method).partition(":")
    factor = factor if colon else "1"
    return int(factor) if name == "aspect_ratio" and factor.isdigit() and int(factor) > 0 else None


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias), target, ...), with torch's checks.

    input is (in_features,) or (N, in_features); linear_weight is (C, in_features), or
    (C, d1, ..., dK, in_features) for a K-dimensional loss, whose logits are (N, C, d1, ..., dK).
    ignore_index=None means -100 for class indices (and must stay None for class probabilities).
    """
    if input.ndim not in (1, 2):
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.ndim}")
    batch, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {in_features} and {linear_weight.shape[-1]}, respectively")
    classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(classes, *out_features)}, got {tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires "
                           f"batched input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*batch, classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:  # the shape says: class probabilities
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    if options is not None:
        chunkable = (not out_features and reduction in ("mean", "sum", "none") and label_smoothing == 0.0
                     and target.dtype == _dtype.int64)
        if chunkable:
            return _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index, options)
        warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}"
                      ", label_smoothing == 0, target.dtype == int64, out_features == (). Got "
                      f"reduction={reduction!r}, label_smoothing={label_smoothing}, target.dtype={target.dtype}, "
                      f"out_features={out_features}, linear_bias.shape="
                      f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
    if out_features:  # one linear layer with C * d1 * ... * dK outputs, its logits laid out as (N, C, d1, ...)
        flat = math.prod(out_features, start=classes)
        linear_weight = linear_weight.reshape(flat, in_features)
        linear_bias = None if linear_bias is None else linear_bias.reshape(flat)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)


def _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index, options):
    """The chunked path: one node, whose rule computes the logits a chunk of rows at a time."""
    reduction = _reduction(None, None, reduction)
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.reshape(1, -1), target.reshape(1)
    rows, classes = input.shape[0], linear_weight.shape[0]
    if tuple(target.shape) != (rows,):
        raise RuntimeError(f"expected target shape {(rows,)} for input of shape {tuple(input.shape)}, "
                           f"got {tuple(target.shape)}")
    _check_same_dtype(input, linear_weight, linear_bias)
    targets = target._array
    bad = (targets != ignore_index) & ((targets < 0) | (targets >= classes))
    if bad.any():
        raise RuntimeError(f"index {targets[bad][0]} is out of bounds for dimension 1 with size {classes}")
    if weight is not None:
        _refuse_gradient(weight, "linear_cross_entropy", "weight")
    class_weight = _class_weight(weight, classes, input._array.dtype)
    primitive = LCE.linear_cross_entropy_chunked_rows if reduction == "none" else LCE.linear_cross_entropy_chunked
    chunk = options._chunk_rows(rows, input.shape[1], classes)
    loss = apply(primitive, input, linear_weight, linear_bias, np.asarray(targets), class_weight,
                 ignore_index=ignore_index, reduction=reduction, chunk=chunk)
    return loss.squeeze(0) if unbatched else loss  # (as torch: a 0-d loss too, which records a squeeze)
