"""Functional losses (torch.nn.functional names): mse_loss, cross_entropy, nll_loss, ...

Every loss takes `reduction` = 'none' | 'mean' | 'sum' (and torch's deprecated
size_average/reduce pair). Wrong targets are caught here, before any arithmetic, with
torch's exception types and messages that name the offending value or both shapes.
"""

import math
import warnings

import numpy as np

from minigrad._arguments import _broadcast_message
from minigrad._ops import elementwise as E
from minigrad._ops import loss as L
from minigrad.creation import as_tensor
from minigrad.functions import result_type, where
from minigrad.nn._functional.activation import log_softmax, logsigmoid, softplus
from minigrad.nn._functional.linear import pairwise_distance
from minigrad._dtype import scalar_type_name
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.tensor import Tensor, apply

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "margin_ranking_loss",
           "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
           "multilabel_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss"]


def _reduction(size_average, reduce, reduction):
    """torch's reduction string, also from the deprecated size_average/reduce flags."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _promoted(input, target):
    """input and target cast to their common dtype, the one a binary op on them would give."""
    dtype = result_type(input, target)
    return input.to(dtype), target.to(dtype)


def _pair(input, target, name):
    """input and target promoted to a common dtype, warning (as torch does) when their shapes differ."""
    target = as_tensor(target)
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(f"{name}: " + _broadcast_message(input.shape, target.shape)) from None
    return _promoted(input, target)


def _check_weight(weight, input):
    if weight.shape != input.shape:
        raise ValueError(f"Weights and input must have the same size. (weight {list(weight.shape)}, input "
                         f"{list(input.shape)})")


def _reduce_weighted(loss, weight, input, reduction):
    """Reduce an elementwise loss with the optional elementwise `weight` of mse_loss and l1_loss.

    With a weight, 'mean' is the weighted mean sum(w * loss) / sum(w), as in torch.
    """
    if weight is None:
        return _reduce(loss, reduction)
    _check_weight(weight, input)
    weighted = loss * weight
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The squared error (input - target)^2, optionally weighted elementwise, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "mse_loss")
    if weight is None:  # (torch's weighted form is made of ordinary ops, which take integers)
        input._refuse_non_floating("mse_cpu")
        return apply(L.mse_loss, input, target, reduction=reduction)
    diff = input - target
    return _reduce_weighted(diff * diff, weight, input, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The absolute error |input - target|, optionally weighted elementwise, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "l1_loss")
    return _reduce_weighted((input - target).abs(), weight, input, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta for |d| < beta, |d| - 0.5 beta beyond (d = input - target); beta = 0 is the L1 loss."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, size_average, reduce, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "smooth_l1_loss")
    input._refuse_non_floating("smooth_l1_cpu")
    return _reduce(apply(L.smooth_l1_loss, input, target, beta=float(beta)), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 for |d| < delta, delta (|d| - 0.5 delta) beyond (d = input - target), optionally weighted."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    reduction = _reduction(None, None, reduction)
    input, target = _pair(input, target, "huber_loss")
    input._refuse_non_floating("huber_cpu")
    loss = apply(L.huber_loss, input, target, delta=float(delta))
    if weight is not None:  # unlike mse_loss and l1_loss, torch's weighted huber 'mean' is a plain mean
        _check_weight(weight, input)
        loss = loss * weight
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- class indices
def _class_weight(weight, classes, dtype):
    """The per-class weight as an array of the input's dtype, checked to have one entry per class."""
    if weight is None:
        return None
    array = weight._array if isinstance(weight, Tensor) else np.asarray(weight)
    if array.ndim != 1 or array.shape[0] != classes:
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or no classes but "
                           f"got weight tensor of shape: {list(array.shape)}")
    if isinstance(weight, Tensor) and array.dtype != dtype:  # torch computes in one dtype and casts nothing
        raise RuntimeError(f"expected scalar type {scalar_type_name(np.dtype(dtype))} but found "
                           f"{scalar_type_name(array.dtype)}")
    return array.astype(dtype, copy=False)


def _refuse_gradient(weight, function, argument):
    """As torch: a weight that requires grad, where the loss has no derivative for it, raises rather
    than being taken silently as a constant (no_grad, where nothing is recorded, lets it through)."""
    if isinstance(weight, Tensor) and weight.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to argument "
                           f"'{argument}'. This input cannot have requires_grad True.")


def _nll_function(input):
    """The name of torch's function behind nll_loss for this (batched) input, as its errors say."""
    return "nll_loss_forward" if input.ndim <= 2 else "nll_loss2d_forward"


def _class_targets(input, target, ignore_index):
    """Check class-index targets for an (N, C, d1, ...) input; return them as an int64 array, and
    ignore_index if some target is ignore_index, else None (the loss then needs no masks)."""
    array = target._array if isinstance(target, Tensor) else np.asarray(target)
    shape = input._array.shape  # (a tuple: this runs at every step, and input.shape makes a Size per use)
    if array.dtype != np.int64 and array.dtype != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_type_name(array.dtype)} "
                           f"(class-index targets of shape {list(array.shape)} for input of shape {list(shape)})")
    if array.ndim == 0 or shape[0] != array.shape[0]:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size "
                         f"({array.shape[0] if array.ndim else 'none, a 0-d target'}).")
    if len(shape) == 2 and array.ndim != 1:
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of shape "
                           f"{list(array.shape)} for input of shape {list(shape)})")
    if array.shape != shape[:1] + shape[2:]:
        raise RuntimeError(f"Expected target size {list(shape[:1] + shape[2:])}, got {list(array.shape)}")
    array = array.astype(np.int64, copy=False)
    classes = shape[1]
    # One pass finds any target outside [0, classes): read as unsigned, a negative one is huge.
    if array.size and np.maximum.reduce(array.view(np.uint64), axis=None) >= classes:
        bad = (array != ignore_index) & ((array < 0) | (array >= classes))
        if bad.any():
            raise IndexError(f"Target {array[bad].ravel()[0]} is out of bounds.")
    elif not 0 <= ignore_index < classes:  # every target is a class, and ignore_index is none
        return array, None
    return array, ignore_index if (array == ignore_index).any() else None


def _batched(input, target):
    """An unbatched (C,) input with a 0-d target as a batch of one; also says whether it was unbatched."""
    if input.ndim == 0:
        raise ValueError("Expected an input of at least 1 dimension (C) or (N, C, ...), got a 0-d tensor")
    if input.ndim == 1:
        target = as_tensor(target)
        if target.ndim != 0:
            raise RuntimeError(f"For an unbatched input of shape {list(input.shape)} the class-index target must "
                               f"be 0-d, got shape {list(target.shape)}")
        return input.reshape(1, -1), target.reshape(1), True
    return input, target, False


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """-weight[t] * input[n, t] for log-probabilities `input` (N, C, d1, ...) and class indices t.

    'mean' divides by the total weight of the targets that are not ignore_index.
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target, unbatched = _batched(input, target)
    targets, ignored = _class_targets(input, target, ignore_index)
    class_weight = _class_weight(weight, input._array.shape[1], input._array.dtype)
    if weight is not None:
        _refuse_gradient(weight, _nll_function(input), "weight")
    if unbatched:  # a 0-d target: the loss of row 0 comes out 0-d from the same node, as torch's does
        targets = targets.reshape(())
    return apply(L.nll_loss, input, targets, weight=class_weight, ignore_index=ignored, reduction=reduction)


def _smoothing_term(log_probs, targets, class_weight, ignore_index, reduction):
    """The uniform-target part of label smoothing: -sum_c weight_c log p_c, with torch's normalisation."""
    if class_weight is None:
        per_target = -log_probs.sum(1)
    else:
        shape = (1, -1) + (1,) * (log_probs.ndim - 2)
        per_target = -(log_probs * Tensor._wrap(class_weight.reshape(shape))).sum(1)
    per_target = per_target.reshape(targets.shape)  # (0-d for an unbatched input)
    ignored = targets == ignore_index
    per_target = per_target.masked_fill(ignored, 0.0)
    if reduction == "none":
        return per_target
    total = per_target.sum()
    if reduction == "sum":
        return total
    counted = targets[~ignored]
    denominator = float(class_weight[counted].sum()) if class_weight is not None else counted.size
    return total * (1.0 / denominator if denominator else float("nan"))  # every target ignored: nan, as in torch


def _soft_cross_entropy(input, target, class_weight, label_smoothing, reduction, unbatched):
    """Cross-entropy against class probabilities: -sum_c weight_c target_c log softmax(input)_c
    (0-d without reduction where the input was an unbatched row)."""
    classes = input.shape[1]
    log_probs = log_softmax(input, 1)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    if class_weight is not None:
        shape = (1, -1) + (1,) * (input.ndim - 2)
        log_probs = log_probs * class_weight.reshape(shape)
    terms = log_probs * target
    if reduction == "none":
        sums = terms.sum(1)
        return -(sums.reshape(()) if unbatched else sums)
    total = -terms.sum()  # (negated last, as torch's sum is: its node is NegBackward0)
    if reduction == "sum":
        return total
    return apply(E.div_by_number, total, input.numel() // classes if input.numel() else 0.0)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross-entropy of logits `input` (N, C, d1, ...) against class indices or class probabilities.

    Class indices (int64, shape (N, d1, ...)): nll_loss(log_softmax(input, 1), target)
    with its weight, ignore_index and weighted mean. Probabilities (floating, the shape
    of input): -sum_c target_c log softmax(input)_c, averaged over the N * d1 * ... rows.
    label_smoothing mixes the targets with the uniform distribution.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    target = as_tensor(target)
    if target.is_floating_point():
        if target.shape != input.shape:
            raise RuntimeError(f"cross_entropy: floating-point targets are class probabilities and must have the "
                               f"input's shape {list(input.shape)}, got {list(target.shape)} (class indices must "
                               "be int64)")
        if input.ndim == 0:
            raise ValueError("Expected an input of at least 1 dimension (C) or (N, C, ...), got a 0-d tensor")
        if ignore_index >= 0:  # a class index cannot name a row of probabilities (torch allows negatives)
            raise RuntimeError(f"ignore_index is not supported for floating point target (got ignore_index="
                               f"{ignore_index} with class-probability targets)")
        unbatched = input.ndim == 1
        if unbatched:
            input, target = input.reshape(1, -1), target.reshape(1, -1)
        input, target = _promoted(input, target)
        class_weight = _class_weight(weight, input.shape[1], input._array.dtype)
        if isinstance(weight, Tensor):  # torch differentiates this loss with respect to its weight too
            class_weight = weight.to(input.dtype)
        elif class_weight is not None:
            class_weight = Tensor._wrap(class_weight)
        return _soft_cross_entropy(input, target, class_weight, label_smoothing, reduction, unbatched)
    input, target, unbatched = _batched(input, target)
    targets, ignored = _class_targets(input, target, ignore_index)
    class_weight = _class_weight(weight, input._array.shape[1], input._array.dtype)
    if weight is not None:
        _refuse_gradient(weight, _nll_function(input), "weight")
    if unbatched:  # a 0-d target: the losses come out 0-d from the nodes that make them, as torch's do
        targets = targets.reshape(())
    log_probs = log_softmax(input, 1)
    loss = apply(L.nll_loss, log_probs, targets, weight=class_weight, ignore_index=ignored, reduction=reduction)
    if label_smoothing > 0:
        smoothing = _smoothing_term(log_probs, targets, class_weight, ignore_index, reduction)
        loss = loss * (1 - label_smoothing) + smoothing * (label_smoothing / input.shape[1])
    return loss


# ---------------------------------------------------------------- binary targets
def _check_same_shape(input, target, message):
    if target.shape != input.shape:
        raise ValueError(message.format(target=target.shape, input=input.shape))


def _elementwise_weight(weight, input, name):
    """A weight that broadcasts to the input's shape, as an array of the input's dtype."""
    if weight is None:
        return None
    array = weight._array if isinstance(weight, Tensor) else np.asarray(weight)
    try:
        shape = np.broadcast_shapes(array.shape, input.shape)
    except ValueError:
        shape = None
    if shape != tuple(input.shape):
        raise RuntimeError(f"{name} of shape {list(array.shape)} does not broadcast to the input's shape "
                           f"{list(input.shape)}")
    return array.astype(input._array.dtype, copy=False)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p, each log clamped at -100 as in torch."""
    reduction = _reduction(size_average, reduce, reduction)
    target = as_tensor(target)
    _check_same_shape(input, target, "Using a target size ({target}) that is different to the input size "
                                     "({input}) is deprecated. Please ensure they have the same size.")
    if target._array.dtype != input._array.dtype:  # (0/1 labels as integers are the common slip)
        raise RuntimeError(f"Found dtype {scalar_type_name(target._array.dtype)} but expected "
                           f"{scalar_type_name(input._array.dtype)}")
    for name, values in (("input", input._array), ("target", target._array)):  # probabilities both
        if values.size and not ((values >= 0) & (values <= 1)).all():
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    input, target = _promoted(input, target)
    _refuse_gradient(weight, "binary_cross_entropy", "weight")
    loss = apply(L.binary_cross_entropy, input, target, weight=_elementwise_weight(weight, input, "weight"))
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits.

    pos_weight multiplies the loss of the positive class (one entry per class, the last dim).
    """
    reduction = _reduction(size_average, reduce, reduction)
    target = as_tensor(target)
    _check_same_shape(input, target, "Target size ({target}) must be the same as input size ({input})")
    if target._array.dtype.kind != "f" and input._array.dtype.kind == "f":  # integer 0/1 labels
        raise RuntimeError(f"result type {scalar_type_name(input._array.dtype)} can't be cast to the desired "
                           f"output type {scalar_type_name(target._array.dtype)}")
    input, target = _promoted(input, target)
    _refuse_gradient(weight, "binary_cross_entropy_with_logits", "weight")
    _refuse_gradient(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    return apply(L.binary_cross_entropy_with_logits, input, target,
                 weight=_elementwise_weight(weight, input, "weight"),
                 pos_weight=_elementwise_weight(pos_weight, input, "pos_weight"), reduction=reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """sum of target * (log target - input) for log-probabilities `input` (target as log-probs if log_target).

    'batchmean' divides the sum by the batch size, which is the true KL divergence per
    sample; 'mean' divides by the number of elements (torch warns about it, and so do we).
    """
    if reduction == "batchmean":
        if size_average is not None or reduce is not None:
            reduction = _reduction(size_average, reduce, "mean")
    else:
        reduction = _reduction(size_average, reduce, reduction)
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
    return _kl_div(input, target, reduction, log_target)


def _kl_div(input, target, reduction, log_target):
    """kl_div once its reduction is known (torch.kl_div, whose 'mean' is not deprecated, comes here)."""
    input, target = _pair(input, target, "kl_div")
    loss = apply(L.kl_div, input, target, log_target=bool(log_target))
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- margins and embeddings
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin), for targets +1 (input1 should rank higher) or -1."""
    reduction = _reduction(size_average, reduce, reduction)
    target = as_tensor(target)
    if not input1.ndim == input2.ndim == target.ndim:  # broadcasting them would pair the wrong rows
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1 (input is usually a distance)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = as_tensor(target)
    loss = where(target != 1, (margin - input).clamp_min(0), 0.0) + where(target != -1, input, 0.0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)) for targets +1 or -1, computed without overflow."""
    reduction = _reduction(size_average, reduce, reduction)
    _refuse_gradient(target, "soft_margin_loss", "target")
    return _reduce(softplus(-target * input), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1 (rows of x1, x2)."""
    reduction = _reduction(size_average, reduce, reduction)
    target = as_tensor(target)
    dim = input1.ndim - 1
    dot = (input1 * input2).sum(dim)
    # torch's form: a tiny constant under each squared norm keeps zero vectors finite
    norms = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cosine = dot / norms.sqrt()
    loss = where(target == 1, 1 - cosine, 0.0) + where(target == -1, (cosine - margin).clamp_min(0), 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) with d the p-norm distance.

    swap=True uses the smaller of d(anchor, negative) and d(positive, negative).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not anchor.ndim == positive.ndim == negative.ndim:  # broadcasting them would pair the wrong rows
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    positive_distance = pairwise_distance(anchor, positive, p, eps)
    negative_distance = pairwise_distance(anchor, negative, p, eps)
    if swap:
        negative_distance = negative_distance.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + positive_distance - negative_distance).clamp_min(0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy of logits averaged over the C labels of each (N, C) row."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    per_row = loss.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(per_row, reduction)


# ---------------------------------------------------------------- multi-class hinge losses
def _margin_rows(input):
    """A margin loss's input as (N, C) rows: a 0-d or 1-d input is a single sample."""
    if input.ndim > 2 or 0 in tuple(input.shape)[input.ndim - 1:]:  # only the batch may be empty
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    return input.reshape(-1, input.shape[-1] if input.ndim else 1)


def _long_target(target):
    """The class indices of a target tensor, which must be int64 as in torch."""
    array = as_tensor(target)._array
    if array.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(array.dtype)}")
    return array


def _margin_weight(weight, input, classes):
    """multi_margin_loss's per-class weight, checked as torch checks it, as a constant of input's dtype."""
    if weight is None:
        return None
    if weight.ndim != 1 or weight.shape[0] != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(weight.shape)}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input._array.dtype)} but found "
                           f"{scalar_type_name(weight._array.dtype)}")
    _refuse_gradient(weight, "multi_margin_loss", "weight")
    return weight._array


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """The multi-class hinge loss of (N, C) scores and class indices y: for each sample,

        sum over classes j != y of  max(0, margin - x[y] + x[j]) ** p  (times weight[y]),  divided by C

    so a sample costs nothing once its class scores `margin` above every other class. p is 1 or 2.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    rows = _margin_rows(input)
    samples, classes = rows.shape
    labels = _long_target(target)
    if labels.size != samples or (input.ndim == 2 and labels.ndim != 1):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{samples}], but got {list(labels.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    input._refuse_non_floating("multi_margin_loss_cpu_kernel")
    class_weight = _margin_weight(weight, input, classes)
    shape = labels.shape  # of the unreduced loss: one per sample, as the target has them
    labels = labels.reshape(-1)
    if ((labels < 0) | (labels >= classes)).any():
        raise RuntimeError(f"target out of range: the targets must be class indices in [0, {classes}), got "
                           f"{labels[(labels < 0) | (labels >= classes)][0]}")
    return apply(L.multi_margin_loss, rows, labels, p=p, margin=margin, weight=class_weight, reduction=reduction,
                 shape=shape)


def _label_counts(labels):
    """(N, C) counts of each class among each row's target labels: the entries before the row's first -1."""
    listed = np.cumprod(labels != -1, axis=1).astype(bool)
    counts = np.zeros(labels.shape, dtype=np.int64)
    rows = np.broadcast_to(np.arange(labels.shape[0])[:, None], labels.shape)
    np.add.at(counts, (rows[listed], labels[listed]), 1)
    return counts


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The multi-label hinge loss: each sample's target row lists its classes (class indices, ended
    by the first -1), and the loss is

        sum over listed classes j, and classes i not listed, of  max(0, 1 - (x[j] - x[i])),  divided by C

    so a sample costs nothing once each of its classes scores 1 above each class it does not have.
    """
    reduction = _reduction(size_average, reduce, reduction)
    rows = _margin_rows(input)
    labels = _long_target(target)
    if labels.shape != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(labels.shape)} for input of size: {list(input.shape)}")
    input._refuse_non_floating("multilabel_margin_loss_forward_out_frame")
    classes = rows.shape[1]
    labels = labels.reshape(rows.shape)
    if ((labels < -1) | (labels >= classes)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    counts = _label_counts(labels)  # a label listed twice counts twice, as in torch
    shape = (rows.shape[0],) if input.ndim == 2 else ()
    return apply(L.multilabel_margin_loss, rows, counts, reduction=reduction, shape=shape)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) for any distance function d
    (pairwise_distance by default); swap=True uses the smaller of d(anchor, negative) and
    d(positive, negative)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    positive_distance = distance(anchor, positive)
    negative_distance = distance(anchor, negative)
    if swap:
        negative_distance = negative_distance.minimum(distance(positive, negative))
    return _reduce((margin + positive_distance - negative_distance).clamp_min(0), reduction)


# ---------------------------------------------------------------- likelihoods
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log-likelihood of a Poisson target with rate exp(input) (log_input) or input.

    full=True adds Stirling's approximation of log(target!) where target > 1.
    """
    reduction = _reduction(size_average, reduce, reduction)
    target = as_tensor(target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        small = target <= 1
        safe = target.masked_fill(small, 1.0)  # keeps log finite where the term is not used
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + stirling.masked_fill(small, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)^2 / var), the negative log-likelihood of a normal target.

    var has the input's shape, or one fewer trailing dim, or size 1 in one dim; it is
    floored at eps for the value only (the gradient flows as if unclamped, as in torch).
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.new_full(tuple(input.shape), float(var))
    elif (var._array < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim
                  and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):  # one shared variance
            raise ValueError(f"var is of incorrect size: {list(var.shape)} for input of shape {list(input.shape)}")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var + (var.clamp_min(eps) - var).detach()  # the clamped value, with the identity's gradient
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- connectionist temporal classification
_CHECKING = " (while checking arguments for ctc_loss_allocate_outputs)"


def _ctc_lengths(lengths, name, other):
    """input_lengths or target_lengths as an int64 array: from a tensor of integers, or from a list
    or tuple of ints (as torch, both lengths must be given the same way)."""
    if isinstance(lengths, Tensor) != isinstance(other, Tensor) or not isinstance(lengths, (Tensor, list, tuple)):
        raise TypeError(f"ctc_loss(): input_lengths and target_lengths must both be tensors or both be lists or "
                        f"tuples of ints, but {name} is {type(lengths).__name__} and the other "
                        f"{type(other).__name__}")
    array = lengths._array if isinstance(lengths, Tensor) else np.asarray(lengths)
    if array.size and array.dtype.kind not in "iu":
        raise RuntimeError(f"{name} must be integral")
    return array.astype(np.int64).reshape(-1)


def _check_range(lengths, name, highest=None):
    """Lengths are at least 0 (and input lengths at most the number of time steps)."""
    if lengths.size and lengths.min() < 0:
        raise RuntimeError(f"Expected {name} to have value at least 0, but got value {lengths.min()}" + _CHECKING)
    if highest is not None and lengths.size and lengths.max() > highest:
        raise RuntimeError(f"Expected {name} to have value at most {highest}, but got value {lengths.max()}"
                           + _CHECKING)


def _ctc_padded_targets(targets, target_lengths, batch):
    """Targets as an (N, S) int64 array: padded rows as given, or concatenated (1-D, batched) ones cut
    into rows by target_lengths."""
    array = targets._array if isinstance(targets, Tensor) else np.asarray(targets)
    if array.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {array.ndim}-dimensional tensor for argument #2 "
                           f"'targets'" + _CHECKING)
    array = array.astype(np.int64)
    longest = int(target_lengths.max(initial=0))
    if array.ndim == 2:
        if array.shape[0] != batch:
            raise RuntimeError(f"Expected tensor to have size {batch} at dimension 0, but got size {array.shape[0]} "
                               f"for argument #2 'targets'" + _CHECKING)
        if array.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                               f"{array.shape[1]} for argument #2 'targets'" + _CHECKING)
        return array
    total = int(target_lengths.sum())
    if array.shape[0] != total:
        raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size {array.shape[0]} "
                           f"for argument #2 'targets'" + _CHECKING)
    padded = np.zeros((batch, longest), dtype=np.int64)
    # row n takes the next target_lengths[n] labels: a boolean mask fills in exactly that order
    padded[np.arange(longest) < target_lengths[:, None]] = array
    return padded


def _check_labels(labels, classes):
    """The labels that count (not the padding) are classes (torch reads past its array instead)."""
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)][0]
        raise IndexError(f"Target {bad} is out of bounds: the classes are 0 to {classes - 1}")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The connectionist temporal classification loss: -log of the total probability of the alignments
    (paths of one class per time step) that spell each target, once repeats are merged and blanks dropped.

    log_probs: (T, N, C) log-probabilities (log_softmax over C), or (T, C) for one sequence.
    targets: (N, S) padded rows, or all targets concatenated (1-D); input_lengths and target_lengths,
    one per sequence, as tensors or as lists or tuples of ints. 'mean' divides each loss by its target
    length (at least 1) before averaging over the batch. zero_infinity replaces the inf loss of a
    target that no alignment can spell (too long for its input) by 0, and its gradient by 0.
    """
    reduction = _reduction(None, None, reduction)
    if log_probs._array.dtype.kind != "f":
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for {scalar_type_name(log_probs._array.dtype)!r}')
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"Expected 3-dimensional tensor (or 2-dimensional for one sequence), but got "
                           f"{log_probs.ndim}-dimensional tensor for argument #1 'log_probs'" + _CHECKING)
    unbatched = log_probs.ndim == 2
    if unbatched:  # a batch of one; its targets are read as for a batch (1-D: the one target, whole)
        log_probs = log_probs.unsqueeze(1)
    steps, batch, classes = log_probs._array.shape
    lengths_in = _ctc_lengths(input_lengths, "input_lengths", target_lengths)
    lengths_out = _ctc_lengths(target_lengths, "target_lengths", input_lengths)
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if lengths_in.shape[0] != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if lengths_out.shape[0] != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    _check_range(lengths_in, "input_lengths", steps)
    _check_range(lengths_out, "target_lengths")
    padded = _ctc_padded_targets(targets, lengths_out, batch)
    _check_labels(padded[np.arange(padded.shape[1]) < lengths_out[:, None]], classes)
    loss = apply(L.ctc_loss, log_probs, targets=padded, input_lengths=lengths_in, target_lengths=lengths_out,
                 blank=int(blank), zero_infinity=bool(zero_infinity))
    if zero_infinity:
        loss = where(loss == math.inf, 0.0, loss)
    if reduction == "mean":
        divisors = Tensor._wrap(np.maximum(lengths_out, 1).astype(loss._array.dtype))
        return (loss / divisors).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss
