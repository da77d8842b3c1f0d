"""The linear layer and cross-entropy loss fused, a chunk of rows at a time.

The loss of a classifier head, cross_entropy(x @ W.T + b, t), makes an (N, C) array of logits
and keeps it until backward: for a vocabulary of 50,000 classes and 8,000 rows in float32,
1.6 GB. Computed a chunk of rows at a time, only a chunk's logits ever exist. For each row,

    loss = logsumexp(z) - z[t]                 with z = W x + b, its logits,
    d loss / d z = softmax(z) - onehot(t),

and the chain rule through the linear layer gives

    dx = dz @ W        dW = sum over rows of dz^T x        db = sum over rows of dz.

Backward computes each chunk's logits again rather than keeping them: twice the products
for a fraction of the memory. Class weights and ignore_index weigh each row as in nll_loss:
a row's loss is multiplied by w[t], an ignored row counts 0, and the mean divides by the
total weight of the rows counted.
"""

import numpy as np

from minigrad._ops.registry import Primitive


def _chunks(rows, chunk):
    """The slices of `chunk` consecutive rows (the last one shorter) that cover `rows` rows."""
    for start in range(0, rows, chunk):
        yield slice(start, min(start + chunk, rows))


def _logits(x, weight, bias):
    z = x @ weight.T
    if bias is not None:
        z += bias
    return z


def _row_weights(target, class_weight, ignore_index, dtype):
    """Which rows count (not ignored), each row's weight w[t] (1 without class weights, 0 for an
    ignored row), and the targets with ignored ones replaced by class 0 (any valid index)."""
    counted = target != ignore_index
    safe = np.where(counted, target, 0)
    weights = np.ones(target.shape, dtype) if class_weight is None else class_weight[safe].astype(dtype)
    return counted, np.where(counted, weights, dtype.type(0)), safe


def _forward(x, weight, bias, target, class_weight, *, ignore_index, reduction, chunk):
    """The loss of rows x (N, in_features) against class indices `target` (N,), `chunk` rows at a time."""
    counted, row_weights, safe = _row_weights(target, class_weight, ignore_index, x.dtype)
    losses = np.empty(x.shape[0], x.dtype)
    for part in _chunks(x.shape[0], chunk):
        z = _logits(x[part], weight, bias)
        top = z.max(axis=1, keepdims=True)                       # shifted, exp cannot overflow
        log_sum_exp = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
        losses[part] = log_sum_exp - z[np.arange(len(z)), safe[part]]
    losses = np.where(counted, losses * row_weights, x.dtype.type(0))  # an ignored row is exactly 0
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    return total / row_weights.sum()  # nan when every row is ignored, as in torch


def _vjp(wanted, g, ans, x, weight, bias, target, class_weight, *, ignore_index, reduction, chunk):
    """The gradients of x, weight and bias (where wanted), each chunk's logits computed again."""
    wants_x, wants_weight, wants_bias = wanted[:3]
    _, row_weights, safe = _row_weights(target, class_weight, ignore_index, x.dtype)
    # How much each row's dz counts: its weight, times g (one number, or one per row for 'none'),
    # divided by the total weight for the mean.
    scale = row_weights * g
    if reduction == "mean":
        scale /= row_weights.sum()
    dx = np.empty_like(x) if wants_x else None
    dweight = np.zeros_like(weight) if wants_weight else None
    dbias = np.zeros_like(bias) if wants_bias else None
    for part in _chunks(x.shape[0], chunk):
        z = _logits(x[part], weight, bias)
        dz = np.exp(z - z.max(axis=1, keepdims=True))
        dz /= dz.sum(axis=1, keepdims=True)                       # softmax(z)
        dz[np.arange(len(dz)), safe[part]] -= 1                   # - onehot(t)
        dz *= scale[part, None]
        if wants_x:
            dx[part] = dz @ weight
        if wants_weight:
            dweight += dz.T @ x[part]
        if wants_bias:
            dbias += dz.sum(axis=0)
    return [dx, dweight, dbias, None, None]


# torch's node names for its chunked path, one for the reductions to a number and one for 'none'.
_TORCH_NAME = "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked{}_defaultBackward"

linear_cross_entropy_chunked = Primitive(
    "LinearCrossEntropyChunked", _forward, vjp_all=_vjp, grad_fn_name=_TORCH_NAME.format(""),
    fused_for="cross_entropy(x @ weight.T + bias, target), a chunk of rows at a time")
linear_cross_entropy_chunked_rows = Primitive(
    "LinearCrossEntropyChunkedRows", _forward, vjp_all=_vjp, grad_fn_name=_TORCH_NAME.format("_no_reduction"),
    fused_for="cross_entropy(x @ weight.T + bias, target, reduction='none'), a chunk of rows at a time")
