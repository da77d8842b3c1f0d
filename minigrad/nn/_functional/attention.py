"""Attention: scaled_dot_product_attention and multi_head_attention_forward, as in torch.nn.functional.

Scaled dot-product attention is

    softmax(q k^T * scale + bias) v,        scale = 1 / sqrt(E) by default

composed from matmul, softmax and dropout, so its gradients are theirs. The mask is either
boolean (True: may attend, False: may not) or a float bias added to the scores. A query that
may attend to nothing (a row of scores all -inf, as a padding mask makes) gets zero weights,
as in torch, where softmax alone would give NaN, and NaN gradients to every input.

Multi-head attention (MultiheadAttention's computation) projects query, key and value, runs
that attention once per head on a slice of the projections, and projects the heads' outputs
back. Its masks are the other way round: True marks a position that may NOT be attended to.
"""

import math
import warnings

from minigrad._dtype import bool as bool_, float32
from minigrad.creation import ones, zeros
from minigrad.functions import baddbmm, cat
from minigrad.nn._functional.activation import softmax
from minigrad.nn._functional.linear import dropout, linear, pad
from minigrad.tensor import Tensor

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


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


# ---------------------------------------------------------------- multi-head attention
def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """MultiheadAttention's computation, on (L, N, E) query and (S, N, kdim/vdim) key and value
    (or unbatched (L, E), (S, kdim/vdim)); returns (output (L, N, E), weights or None).

    Each head h attends with its own slice of the projections:
        q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v     (W packed in in_proj_weight,
                                                                              or separate for other kdim/vdim)
        head_h = softmax(q_h k_h^T / sqrt(E / heads) + mask) v_h
        output = concat(head_1, ..., head_H) W_out^T + b_out
    bias_k/bias_v append one learned key and value to every sequence, add_zero_attn one of zeros;
    static_k/static_v replace the projected keys and values, already split into heads. Masks are
    boolean (True: may not attend) or float (added to the scores). The weights returned are the
    softmax's, averaged over the heads unless average_attn_weights=False. With need_weights=False the
    attention runs as scaled_dot_product_attention, where a query that may attend to nothing gets
    zeros (with need_weights it gets NaN, as in torch).
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target, batch, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", target_dtype=query.dtype,
                                       other=attn_mask, other_name="attn_mask")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", target_dtype=query.dtype)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's {value.shape[:2]}")
    if not use_separate_proj_weight and key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if use_separate_proj_weight:
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias)
    else:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    source = key.shape[0]
    attn_mask = _batched_attn_mask(attn_mask, batch * num_heads, target, source)

    # One learned key and value (bias_k, bias_v) appended to every sequence: one more source position.
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k, v = cat([k, bias_k.repeat(1, batch, 1)]), cat([v, bias_v.repeat(1, batch, 1)])
        attn_mask, key_padding_mask = _one_more_source(attn_mask), _one_more_source(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")

    # Split into heads: (length, N, E) -> (N * heads, length, head_dim).
    q = q.reshape(target, batch * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, "static_k", batch * num_heads, head_dim)
    v = _heads(v, static_v, "static_v", batch * num_heads, head_dim)
    if add_zero_attn:  # one more source position whose key and value are zeros
        zero = zeros((batch * num_heads, 1, head_dim), dtype=k.dtype)
        k, v = cat([k, zero], dim=1), cat([v, zeros((batch * num_heads, 1, head_dim), dtype=v.dtype)], dim=1)
        attn_mask, key_padding_mask = _one_more_source(attn_mask), _one_more_source(key_padding_mask)
    source = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != batch:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {batch}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != source:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {source}, but got "
                                 f"{key_padding_mask.shape[1]}")
        padding = key_padding_mask.reshape(batch, 1, 1, source).expand(-1, num_heads, -1, -1)
        padding = padding.reshape(batch * num_heads, 1, source)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0

    if need_weights:
        scaled = q * math.sqrt(1.0 / float(head_dim))
        scores = scaled @ k.transpose(-2, -1) if attn_mask is None else baddbmm(attn_mask, scaled, k.transpose(-2, -1))
        weights = softmax(scores, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        attended = (weights @ v).transpose(0, 1).reshape(target * batch, embed_dim)
        output = linear(attended, out_proj_weight, out_proj_bias).view(target, batch, -1)
        weights = weights.view(batch, num_heads, target, source)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            output, weights = output.squeeze(1), weights.squeeze(0)
        return output, weights

    if attn_mask is not None:
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 and attn_mask.dim() == 3
                     else attn_mask.reshape(batch, num_heads, -1, source))
    q, k, v = (x.reshape(batch, num_heads, -1, head_dim) for x in (q, k, v))
    attended = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)  # (N, heads, L, head_dim)
    attended = attended.permute(2, 0, 1, 3).reshape(batch * target, embed_dim)
    output = linear(attended, out_proj_weight, out_proj_bias).view(target, batch, -1)
    return (output if batched else output.squeeze(1)), None


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the inputs are batched (3-D) or not (2-D), with torch's errors for any other mix."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind, rank = ("batched (3-D)", 3) if batched else ("unbatched (2-D)", 2)
    if key.dim() != rank or value.dim() != rank:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {rank}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != rank - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {rank - 1}-D but "
                             f"found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def _canonical_mask(mask, name, target_dtype, other=None, other_name=""):
    """A boolean mask as a float one (-inf where True: may not attend, 0 elsewhere); a float mask as it is."""
    if mask is None:
        return None
    if mask.dtype != bool_ and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and mask.dtype != other.dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.is_floating_point():
        return mask
    return zeros(mask.shape, dtype=target_dtype).masked_fill(mask, float("-inf"))


def _in_projection_packed(query, key, value, weight, bias):
    """q, k, v from one packed (3E, E) weight: one product for self-attention (query, key and value
    the same tensor), two when key is value, else three."""
    embed = query.shape[-1]
    if key is value and query is key:
        projected = linear(query, weight, bias).unflatten(-1, (3, embed))
        return projected[..., 0, :], projected[..., 1, :], projected[..., 2, :]
    if key is value:
        w_q, w_kv = weight.split([embed, 2 * embed])
        b_q, b_kv = (None, None) if bias is None else bias.split([embed, 2 * embed])
        kv = linear(key, w_kv, b_kv).unflatten(-1, (2, embed))
        return linear(query, w_q, b_q), kv[..., 0, :], kv[..., 1, :]
    w_q, w_k, w_v = weight.chunk(3)
    b_q, b_k, b_v = (None, None, None) if bias is None else bias.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _in_projection(query, key, value, w_q, w_k, w_v, bias):
    """q, k, v from separate weights (E, E), (E, kdim), (E, vdim), their shapes checked as torch checks them."""
    for name, weight in (("q_proj_weight", w_q), ("k_proj_weight", w_k), ("v_proj_weight", w_v)):
        if weight is None:
            raise AssertionError(f"use_separate_proj_weight is True but {name} is None")
    embed = query.shape[-1]
    b_q, b_k, b_v = (None, None, None) if bias is None else bias.chunk(3)
    for what, weight, expected in (("query weights", w_q, (embed, embed)), ("key weights", w_k, (embed, key.shape[-1])),
                                   ("value weights", w_v, (embed, value.shape[-1])), ("query bias", b_q, (embed,)),
                                   ("key bias", b_k, (embed,)), ("value bias", b_v, (embed,))):
        if weight is not None and tuple(weight.shape) != expected:
            raise AssertionError(f"expecting {what} shape of {expected}, but got {weight.shape}")
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _batched_attn_mask(mask, batch_heads, target, source):
    """attn_mask as (1 or N * heads, L, S), its shape checked as torch checks it."""
    if mask is None:
        return None
    if mask.dim() == 2:
        if tuple(mask.shape) != (target, source):
            raise RuntimeError(f"The shape of the 2D attn_mask is {mask.shape}, but should be {(target, source)}.")
        return mask.unsqueeze(0)
    if mask.dim() == 3:
        if tuple(mask.shape) != (batch_heads, target, source):
            raise RuntimeError(f"The shape of the 3D attn_mask is {mask.shape}, but should be "
                               f"{(batch_heads, target, source)}.")
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask.dim()} is not supported")


def _one_more_source(mask):
    """A mask over the source positions widened by one position (bias_k/v or the zero attention), open to all."""
    return None if mask is None else pad(mask, (0, 1))


def _heads(x, static, name, batch_heads, head_dim):
    """Keys or values (S, N, E) split into heads (N * heads, S, head_dim), or `static`, checked, in their place."""
    if static is None:
        return x.reshape(x.shape[0], batch_heads, head_dim).transpose(0, 1)
    if static.shape[0] != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static
