"""Functional forms of the linear, dropout, embedding and padding layers, and the norms and distances of
feature vectors (torch.nn.functional names)."""

import math
import numbers
import warnings

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _matmul_message
from minigrad._ops import elementwise as E
from minigrad._ops import linear_layers as LL
from minigrad._ops import reduce as R
from minigrad._ops import workspace
from minigrad._ops.layout import laid_out_like
from minigrad.autograd.grad_mode import no_grad
from minigrad.functions import broadcast_tensors
from minigrad._dtype import scalar_type_name
from minigrad.random import _numpy_rng
from minigrad.tensor import Tensor, apply

__all__ = ["linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout", "embedding", "one_hot", "pad",
           "normalize", "cosine_similarity", "pairwise_distance", "pdist", "embedding_bag"]


def _check_same_dtype(*tensors):
    """torch's error when the operands of a product have different dtypes (no silent upcast)."""
    dtypes = [t._array.dtype for t in tensors if t is not None]
    if any(d != dtypes[0] for d in dtypes):
        shown = [scalar_type_name(d) for d in dtypes]
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {shown[0]} and "
                           f"{next(s for s in shown if s != shown[0])}")


def linear(input, weight, bias=None):
    """input @ weight.T + bias: weight is (out_features, in_features), input is (..., in_features)."""
    # The checks read the arrays directly: this runs for every layer of every step.
    x, w = input._array, weight._array
    if w.ndim == 1:  # a vector of weights: torch takes the product x @ w, without a bias
        if bias is not None:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        return input.matmul(weight)
    if w.ndim != 2:
        raise RuntimeError(f"linear(): weight must be 2-D (out_features, in_features), got shape {list(w.shape)}")
    if x.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
    if x.shape[-1] != w.shape[1]:
        rows = math.prod(x.shape[:-1])
        raise RuntimeError(_matmul_message((rows, x.shape[-1]), w.shape[::-1]))
    if bias is not None and bias._array.shape not in ((w.shape[0],), (1,), ()):
        raise RuntimeError(f"linear(): bias of shape {list(bias.shape)} does not match out_features = {w.shape[0]}")
    if x.dtype != w.dtype or (bias is not None and bias._array.dtype != w.dtype):
        _check_same_dtype(input, weight, bias)
    return apply(LL.linear, input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """out[..., k] = input1[..., i] weight[k, i, j] input2[..., j] + bias[k]."""
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, got shape {list(weight.shape)}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
                           f"and {list(input2.shape[:-1])}")
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input sizes {input1.shape[-1]} and {input2.shape[-1]} do not match "
                           f"weight of shape {list(weight.shape)}")
    _check_same_dtype(input1, input2, weight, bias)
    return apply(LL.bilinear, input1, input2, weight, bias)


def _check_probability(p):
    if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, inplace, mask_shape):
    """Zero elements (or whole channels) with probability p and scale the kept ones by 1 / (1 - p).

    The scaling keeps the expected value of every element unchanged, so evaluation
    mode can simply pass the input through.
    """
    _check_probability(p)
    if not training or p == 0:
        return input
    dtype = input._array.dtype
    if p == 1:
        mask = np.zeros(mask_shape, dtype=dtype)
    else:
        # Uniform draws in float32 unless the data is float64: half the memory traffic of
        # float64 draws, and the mask comes out in the input's dtype with no cast.
        # The draws, the keep flags and the mask are as large as the input: their memory is kept
        # from step to step (see minigrad/_ops/workspace.py), the same draws and the same values.
        draw_dtype = np.float64 if dtype == np.float64 else np.float32
        draws = _numpy_rng().random(mask_shape, dtype=draw_dtype, out=workspace.empty(mask_shape, draw_dtype))
        keep = np.greater_equal(draws, p, out=workspace.empty(mask_shape, np.bool_))
        mask = np.multiply(keep, dtype.type(1 / (1 - p)), out=workspace.empty(mask_shape, dtype))
    if inplace:
        return input.mul_(Tensor._wrap(mask))
    if not input._array.flags.c_contiguous and mask.shape == input._array.shape:
        mask = laid_out_like(mask, input._array)  # so the product is laid out like the input, as torch's is
    return apply(E.dropout_mask, input, mask)  # (the mask has input's dtype and broadcasts to its shape)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p during training; the identity otherwise."""
    return _dropout(input, p, training, inplace, input.shape)


def _feature_dropout(input, p, training, inplace, spatial_dims, name):
    """Drop whole channels: the mask has the batch and channel axes and size 1 over the spatial ones."""
    if input.ndim not in (spatial_dims + 1, spatial_dims + 2):
        raise RuntimeError(f"{name}: Expected {spatial_dims + 1}D or {spatial_dims + 2}D input, but received a "
                           f"{input.ndim}D input of shape {list(input.shape)}")
    mask_shape = tuple(input.shape[:-spatial_dims]) + (1,) * spatial_dims
    return _dropout(input, p, training, inplace, mask_shape)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def _warn_unexpected_dims(input, name, spatial_dims):
    """torch's deprecation warning for dropout2d/3d on an input of another rank (which it still accepts)."""
    if input.ndim not in (spatial_dims + 1, spatial_dims + 2):
        warnings.warn(f"{name}: Received a {input.ndim}-D input to {name}, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead. Note that {name} exists to provide channel-wise dropout on inputs with "
                      f"{spatial_dims} spatial dimensions, a channel dimension, and an optional batch dimension "
                      f"(i.e. {spatial_dims + 1}D or {spatial_dims + 2}D inputs).", stacklevel=3)


def _check_feature_dims(input, needed):
    if input.ndim < needed:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got shape "
                           f"{list(input.shape)}")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, H, W) input with probability p.

    As in torch, any input of 2 or more dims is read as (N, C, *): a 3-D one as (N, C, L), with
    torch's warning (torch plans to read it as (C, H, W)), and other ranks with its deprecation
    warning (a 2-D input then loses single elements, as plain dropout does).
    """
    _check_probability(p)
    _warn_unexpected_dims(input, "dropout2d", 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one without "
                      "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=2)
    _check_feature_dims(input, 2)
    return _dropout(input, p, training, inplace, tuple(input.shape[:2]) + (1,) * (input.ndim - 2))


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input with probability p.

    As in torch, an input of another rank (with its deprecation warning) is read as one
    without a batch dim: channels along its first axis.
    """
    _check_probability(p)
    _warn_unexpected_dims(input, "dropout3d", 3)
    _check_feature_dims(input, 1 if input.ndim != 5 else 2)  # read without a batch dim: one dim fewer needed
    if input.ndim == 5:
        mask_shape = tuple(input.shape[:2]) + (1,) * 3
    else:
        mask_shape = tuple(input.shape[:1]) + (1,) * (input.ndim - 1)
    return _dropout(input, p, training, inplace, mask_shape)


# The value selu tends to as x -> -inf, negated: scale * alpha of selu. Alpha dropout sets dropped
# elements to it (its negative), the value a selu network's activations take when "off".
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(input, p, training, inplace, mask_shape):
    """Alpha dropout (Klambauer et al., 2017): each element (or channel) is dropped with
    probability p and set to -alpha, then everything goes through the affine map a x + b that
    brings the mean and variance of a zero-mean, unit-variance input back to 0 and 1:

        kept:    a * x + a * alpha * p
        dropped: -a * alpha * (1 - p),       a = 1 / sqrt((alpha^2 p + 1) (1 - p))

    As in torch, p = 1 gives zeros, and evaluation mode passes the input through.
    """
    _check_probability(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        return input.mul_(0) if inplace else input * input.new_zeros(())
    dtype = input._array.dtype
    if dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {scalar_type_name(dtype)}")
    alpha = _SELU_SATURATION
    a = 1 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    keep = _numpy_rng().random(mask_shape) >= p
    scale = (keep * a).astype(dtype)
    shift = ((keep - 1.0) * (alpha * a) + alpha * a * p).astype(dtype)  # a alpha p if kept, a alpha (p - 1) if not
    if inplace:
        return input.mul_(Tensor._wrap(scale)).add_(Tensor._wrap(shift))
    return apply(E.dropout_mask, input, scale) + Tensor._wrap(shift)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for self-normalizing (selu) networks: keeps the mean and variance of its input."""
    return _alpha_dropout(input, p, training, inplace, input.shape)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels: one draw per (sample, channel) of an (N, C, *) input."""
    if training and 0 < p < 1 and input.numel() != 0 and input.ndim < 2:  # (p = 1 gives zeros first, as in torch)
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _alpha_dropout(input, p, training, inplace, mask_shape)


def _check_indices(input, num_embeddings):
    indices = input._array if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_dtype.from_numpy(indices.dtype)} instead (while checking "
                           "arguments for embedding)")
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        bad = indices[(indices < 0) | (indices >= num_embeddings)].ravel()[0]
        raise IndexError(f"index {bad} is out of range in self (an embedding with {num_embeddings} rows)")
    return indices


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Scale, in place, the looked-up rows whose norm exceeds max_norm down to max_norm (as torch does)."""
    rows = np.unique(indices)
    with no_grad():
        values = weight._array[rows]
        norms = np.linalg.norm(values, ord=norm_type, axis=1)
        too_long = norms > max_norm
        if too_long.any():
            scale = max_norm / (norms[too_long] + 1e-7)
            weight._array[rows[too_long]] = values[too_long] * scale[:, None].astype(values.dtype)
            weight._version_counter[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer tensor `input`: output shape input.shape + (dim,).

    sparse=True is accepted, but minigrad has no sparse tensors: weight.grad is the dense tensor
    that torch's sparse gradient stands for (its .to_dense()), with the same values, so optimizers
    such as SGD take the same steps. Only the representation differs (weight.grad.is_sparse is False).
    """
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D, got a {weight.ndim}-D tensor of shape {list(weight.shape)}")
    num_embeddings = weight.shape[0]
    indices = _check_indices(input, num_embeddings)
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= num_embeddings
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    return apply(LL.embedding, weight, indices, padding_idx=padding_idx, scale_grad_by_freq=bool(scale_grad_by_freq),
                 sparse=bool(sparse))


def _bag_ids(input, offsets, include_last_offset):
    """Each lookup's bag, for a 2-D input (one bag per row) or a 1-D input cut at `offsets`, and the
    number of bags, with torch's checks of the offsets."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        rows, length = input.shape
        return np.repeat(np.arange(rows), length), rows
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    starts = offsets._array if isinstance(offsets, Tensor) else np.asarray(offsets)
    if starts.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if include_last_offset:
        if starts.size < 1:
            raise RuntimeError("include_last_offset: number of offset should be at least 1")
        starts = starts[:-1]  # the last offset only ends the last bag
    length = input.shape[0]
    if starts.size and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}")
    if starts.size and starts[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] of "
                           f"{starts[-1]}")
    if (np.diff(starts) < 0).any():
        raise RuntimeError(f"offsets must be non-decreasing, got {starts.tolist()}")
    # lookup i belongs to the last bag that starts at or before it
    return np.searchsorted(starts, np.arange(length), side="right") - 1, starts.size


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """The sum, mean or elementwise max of the embeddings of each bag of indices, without building the
    (lookups, dim) tensor of all embeddings in between.

    The bags are the rows of a 2-D input, or the pieces of a 1-D input that start at `offsets`
    (with include_last_offset, offsets has one more entry, where the last bag ends). An empty bag
    gives zeros. Lookups of padding_idx are left out (a bag of padding alone is empty). For 'sum',
    per_sample_weights (shaped like input) weights each lookup.
    """
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then "
                             f"it must have the same shape as the input ({input.shape})")
        if mode != "sum":
            raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                      f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                      "on GitHub.")
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                               f"#1 'per_sample_weights'; but got {weight.dtype} and {per_sample_weights.dtype}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    bags, n_bags = _bag_ids(input, offsets, include_last_offset)
    rows = weight.shape[0]
    indices = input._array.reshape(-1)
    if indices.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_dtype.from_numpy(indices.dtype)} instead (while checking "
                           "arguments for embedding_bag)")
    outside = (indices < 0) | (indices >= rows)
    if outside.any():
        first = np.flatnonzero(outside)[0]
        raise RuntimeError(f"Index {first} of input takes value {indices[first]} which is not in the valid range "
                           f"[0, {rows})")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-rows} through {rows - 1}, "
                               f"but got {padding_idx}")
        kept = indices != padding_idx % rows
        indices, bags = indices[kept], bags[kept]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)[Tensor._wrap(np.flatnonzero(kept))]
    if per_sample_weights is not None:
        per_sample_weights = per_sample_weights.reshape(-1)
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    return apply(LL.embedding_bag, weight, per_sample_weights, indices=indices.astype(np.intp), bags=bags,
                 n_bags=n_bags, mode=mode, scale_grad_by_freq=bool(scale_grad_by_freq))


def one_hot(tensor, num_classes=-1):
    """An int64 tensor with a trailing axis of size num_classes holding a 1 at each class index."""
    indices = tensor._array
    if indices.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if indices.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(indices.max()) + 1
    if indices.size and indices.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if indices.size and indices.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((indices[..., None] == np.arange(num_classes)).astype(np.int64))


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims: pad = (left of last dim, right of last dim, left of the one before, ...).

    mode "constant" fills with `value` (0 by default), "reflect" mirrors without repeating the
    edge, "replicate" repeats the edge and "circular" wraps. A negative amount crops that side.
    """
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    widths = tuple(widths)
    for axis, (before, after) in enumerate(widths):
        # Negative amounts crop the input first, as in torch: they may remove all of it, not more.
        if input.shape[axis] + min(before, 0) + min(after, 0) < 0:
            raise RuntimeError(f"pad: negative padding ({before}, {after}) of dimension {axis} removes more than "
                               f"its {input.shape[axis]} elements (input of size {list(input.shape)})")
    if mode == "constant":
        return apply(LL.constant_pad, input, widths=widths, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    padded = len(pad) // 2
    if padded > 3 or input.ndim not in (padded + 1, padded + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor: "
                                  f"{mode} padding of the last k dims (a pad of size 2k, k = 1, 2 or 3) needs a "
                                  "(k + 1)D or (k + 2)D input")
    for axis, (before, after) in enumerate(widths):
        size = input.shape[axis]
        if mode == "reflect" and max(before, after) >= size and (before or after):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({before}, {after}) at dimension {axis} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and max(before, after) > size + min(before, 0) + min(after, 0):  # (what cropping leaves)
            raise RuntimeError("Padding value causes wrapping around more than once.")
    sources = tuple(LL.pad_source_index(input.shape[axis], before, after, mode) if before or after else None
                    for axis, (before, after) in enumerate(widths))
    return apply(LL.index_pad, input, sources=sources)


# ---------------------------------------------------------------- norms and distances of feature vectors
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along dim: unit vectors, with zero vectors left at zero."""
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between x1 and x2 along dim, each norm kept >= eps.

    x1 and x2 are broadcast to one shape first, as in torch: a vector of size 1 along dim
    that meets a longer one is repeated before its norm is taken.
    """
    if x1.shape != x2.shape:
        x1, x2 = broadcast_tensors(x1, x2)
    return (normalize(x1, 2.0, dim, eps) * normalize(x2, 2.0, dim, eps)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim (eps keeps the gradient finite for equal vectors)."""
    return (x1 - x2 + eps).norm(p, -1, keepdim)


def pdist(input, p=2):
    """The p-norm distance between each pair of rows i < j of an (N, M) input, as a vector of
    N (N - 1) / 2 distances in the order (0, 1), (0, 2), ..., (1, 2), ...: the upper triangle of
    cdist(input, input), read row by row."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input._array.dtype.kind != "f":
        raise RuntimeError(f"pdist only supports floating-point dtypes, got {scalar_type_name(input._array.dtype)}")
    if p < 0:
        raise RuntimeError(f"pdist only supports non-negative p values, got p={p}")
    first, second = np.triu_indices(input.shape[0], 1)
    differences = input[first] - input[second]
    return apply(R.pdist_norm, differences, p=p, axis=(1,), keepdims=False)
