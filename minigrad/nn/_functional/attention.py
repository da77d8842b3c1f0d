"""Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention):

    softmax(q k^T * scale + bias) v,        scale = 1 / sqrt(E) by default

composed from matmul, softmax and dropout, so its gradients are theirs. The mask is either
boolean (True: may attend, False: may not) or a float bias added to the scores. A query that
may attend to nothing (a row of scores all -inf, as a padding mask makes) gets zero weights,
as in torch, where softmax alone would give NaN, and NaN gradients to every input.
"""

import math

from minigrad._dtype import bool as bool_, float32
from minigrad.creation import ones, zeros
from minigrad.nn._functional.activation import softmax
from minigrad.nn._functional.linear import dropout
from minigrad.tensor import Tensor

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """Attention of query (..., L, E) over key (..., S, E) and value (..., S, Ev): (..., L, Ev)."""
    target, source = query.shape[-2], key.shape[-2]
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query and key must have the same embedding size, "
                           f"got {query.shape[-1]} and {key.shape[-1]}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]  # each key/value head serves this many query heads
        key, value = key.repeat_interleave(groups, -3), value.repeat_interleave(groups, -3)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = ones(target, source, dtype=bool).tril()
    if attn_mask is not None:
        if attn_mask.dtype not in (bool_, float32, query.dtype):  # torch adds a float mask as it is, in no other dtype
            raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype} instead.")
        if not attn_mask.is_floating_point():
            attn_mask = zeros(attn_mask.shape, dtype=scores.dtype).masked_fill(attn_mask.logical_not(), float("-inf"))
        scores = scores + attn_mask
    weights = _safe_softmax(scores)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


def _safe_softmax(scores):
    """softmax over the last dim, and 0 for a row of scores that are all -inf. Such a row is set
    to 0 before the softmax too, so that neither its weights nor its gradient are NaN."""
    array = scores._array
    nowhere = (array == -math.inf).all(axis=-1, keepdims=True)
    if not nowhere.any():
        return softmax(scores, dim=-1)
    nowhere = Tensor._wrap(nowhere)
    return softmax(scores.masked_fill(nowhere, 0.0), dim=-1).masked_fill(nowhere, 0.0)
