"""Loss primitives: the elementwise losses and the negative log-likelihood of class indices.

Most rules here return the unreduced loss, which the Tensor layer reduces with sum or mean.
`nll_loss` reduces itself, as its 'mean' divides by the total weight of the counted targets
(torch's weighted mean); so do `mse_loss` and `binary_cross_entropy_with_logits`, which torch
records as one node each.
Everything is written to stay finite for inputs of any size (logits of +-1e4 included).
"""

import numpy as np

from minigrad._ops.activation import log_logistic
from minigrad._ops.elementwise import logistic
from minigrad._ops.registry import IndexedGradient, Primitive, differentiable_once


# ---------------------------------------------------------------- reduction inside a rule
# mse_loss and binary_cross_entropy_with_logits reduce inside their primitive, so that a loss
# is one node, as torch records it (MseLossBackward0), not a loss node under a MeanBackward0.
def _reduce(loss, reduction):
    if reduction == "mean":
        if loss.size == 0:  # the mean of no losses: nan, quietly as in torch (np.mean would warn)
            return np.array(np.nan, dtype=loss.dtype)
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _spread(g, reduction, *arrays):
    """The gradient reaching each element of a reduced loss: g / n for 'mean', else g."""
    return g / np.broadcast(*arrays).size if reduction == "mean" else g


# ---------------------------------------------------------------- regression losses
# (x - t)^2: d/dx = 2 (x - t), d/dt = -2 (x - t)
mse_loss = Primitive("MseLoss", lambda x, target, reduction: _reduce((x - target) ** 2, reduction),
                     lambda g, ans, x, target, reduction: 2 * (x - target) * _spread(g, reduction, x, target),
                     lambda g, ans, x, target, reduction: -2 * (x - target) * _spread(g, reduction, x, target),
                     fused_for="mean((x - t) ** 2)")


def _smooth_l1(x, target, beta):
    # 0.5 d^2 / beta inside |d| < beta, |d| - 0.5 beta outside: quadratic near zero, linear far away
    d = np.abs(x - target)
    return np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)


def _smooth_l1_grad(x, target, beta):
    # d / beta inside |d| < beta, sign(d) outside. (A where rather than clip(d / beta, -1, 1): the same
    # values, and, when this gradient is itself differentiated, torch's slope 0 on the boundary.)
    d = x - target
    return np.where(np.abs(d) < beta, d / beta, np.sign(d))


smooth_l1_loss = Primitive(
    "SmoothL1Loss", _smooth_l1,
    lambda g, ans, x, target, beta: g * _smooth_l1_grad(x, target, beta),
    lambda g, ans, x, target, beta: -g * _smooth_l1_grad(x, target, beta),
    fused_for="where(|x - t| < beta, (x - t) ** 2 / (2 beta), |x - t| - beta / 2)",
)


def _huber(x, target, delta):
    # 0.5 d^2 inside |d| < delta, delta (|d| - 0.5 delta) outside
    d = np.abs(x - target)
    return np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))


def _huber_grad(x, target, delta):
    d = x - target  # d inside |d| < delta, delta sign(d) outside (a where, as in _smooth_l1_grad)
    return np.where(np.abs(d) < delta, d, delta * np.sign(d))


huber_loss = Primitive(
    "HuberLoss", _huber,
    lambda g, ans, x, target, delta: g * _huber_grad(x, target, delta),
    lambda g, ans, x, target, delta: -g * _huber_grad(x, target, delta),
    fused_for="beta * smooth_l1_loss(x, t, beta)",
)


# ---------------------------------------------------------------- binary classification
def _clamped_log(p):
    # torch clamps log(p) at -100 so that p = 0 gives a large but finite loss
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), -100.0)


def _binary_cross_entropy(p, target, weight):
    loss = -(target * _clamped_log(p) + (1 - target) * _clamped_log(1 - p))
    return loss if weight is None else loss * weight


def _bce_vjp_input(g, ans, p, target, weight):
    # d/dp = (p - t) / (p (1 - p)), the denominator kept away from zero as torch does
    grad = g * (p - target) / np.maximum(p * (1 - p), 1e-12)
    return grad if weight is None else grad * weight


def _bce_vjp_target(g, ans, p, target, weight):
    # d/dt = -logit(p), unclamped as in torch (infinite at p = 0 or 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = -g * (np.log(p) - np.log1p(-p))
        return grad if weight is None else grad * weight


binary_cross_entropy = Primitive("BinaryCrossEntropy", _binary_cross_entropy, _bce_vjp_input, _bce_vjp_target,
                                 fused_for="-(t * log(p) + (1 - t) * log(1 - p))")


def _bce_with_logits(x, target, weight, pos_weight):
    # -[w_pos t log s(x) + (1 - t) log(1 - s(x))] with log(1 - s(x)) = log s(x) - x
    #   = (1 - t) x - (1 + (w_pos - 1) t) log s(x)
    log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * x - log_weight * log_logistic(x)
    return loss if weight is None else loss * weight


def _bce_with_logits_vjp_input(g, ans, x, target, weight, pos_weight):
    if pos_weight is None:
        grad = logistic(x) - target
    else:  # d/dx = (1 - t) - (1 + (w_pos - 1) t) s(-x)
        grad = (1 - target) - (1 + (pos_weight - 1) * target) * logistic(-x)
    grad = g * grad
    return grad if weight is None else grad * weight


def _bce_with_logits_vjp_target(g, ans, x, target, weight, pos_weight):
    grad = -x if pos_weight is None else -x - (pos_weight - 1) * log_logistic(x)
    grad = g * grad
    return grad if weight is None else grad * weight


binary_cross_entropy_with_logits = Primitive(
    "BinaryCrossEntropyWithLogits",
    lambda x, target, weight, pos_weight, reduction: _reduce(_bce_with_logits(x, target, weight, pos_weight), reduction),
    lambda g, ans, x, target, weight, pos_weight, reduction: _bce_with_logits_vjp_input(
        _spread(g, reduction, x, target), ans, x, target, weight, pos_weight),
    lambda g, ans, x, target, weight, pos_weight, reduction: _bce_with_logits_vjp_target(
        _spread(g, reduction, x, target), ans, x, target, weight, pos_weight),
                                             fused_for="(1 - t) * x - log(sigmoid(x))")


# ---------------------------------------------------------------- distributions
def _xlogx(p):
    """p log p, taken as 0 at p = 0 (its limit)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p == 0, 0, p * np.log(p))


def _kl_div(log_q, target, log_target):
    # pointwise p (log p - log q), written as torch writes it
    if log_target:
        return np.exp(target) * (target - log_q)
    return _xlogx(target) - target * log_q


def _kl_div_vjp_input(g, ans, log_q, target, log_target):
    return -g * (np.exp(target) if log_target else target)


def _kl_div_vjp_target(g, ans, log_q, target, log_target):
    if log_target:  # d/dt e^t (t - log q) = e^t (t - log q + 1)
        return g * np.exp(target) * (target - log_q + 1)
    safe = np.where(target > 0, target, 1)
    return np.where(target > 0, g * (np.log(safe) + 1 - log_q), 0)


kl_div = Primitive("KlDiv", _kl_div, _kl_div_vjp_input, _kl_div_vjp_target, fused_for="t * (log(t) - x)")


# ---------------------------------------------------------------- class indices
def _target_weights(target, weight, ignore_index, dtype):
    """Per target: whether it counts (it is not ignore_index), its class with the ignored ones
    replaced by class 0 (so that it can index), and its weight: weight[class], 0 where ignored."""
    counted = target != ignore_index
    safe = np.where(counted, target, 0)
    w = counted.astype(dtype) if weight is None else weight[safe] * counted
    return counted, safe, w


def _class_index(target):
    """The index that reads log_probs[n, target[n, d1, ...], d1, ...] for every target at once
    (a 0-d target is an unbatched input's: row 0 of log_probs, a batch of one)."""
    if target.ndim == 0:
        return 0, target
    if target.ndim == 1:
        return np.arange(target.shape[0]), target
    coordinates = np.indices(target.shape, sparse=True)
    return (coordinates[0], target) + coordinates[1:]


def _nll_loss(log_probs, target, weight, ignore_index, reduction):
    """-weight[t] * log_probs[t] per target; log_probs is (N, C, d1, ...) with the classes on axis 1.

    ignore_index is None where the caller found no target to ignore. With no class weight
    either, every target counts once, and the loss needs no masks (the common case).
    """
    if weight is None and ignore_index is None:
        losses = -log_probs[_class_index(target)]
        if reduction == "none":
            return losses
        total = np.add.reduce(losses, axis=None)
        return total if reduction == "sum" else total / losses.size  # (nan for no targets, as in torch)
    counted, safe, w = _target_weights(target, weight, ignore_index, log_probs.dtype)
    # An ignored target contributes exactly 0, as in torch, even where its log_probs are nan.
    losses = np.where(counted, -w * log_probs[_class_index(safe)], 0)
    if reduction == "none":
        return losses
    total = np.add.reduce(losses, axis=None)  # losses.sum(), without its Python wrapper
    if reduction == "sum":
        return total
    total_weight = np.add.reduce(w, axis=None)
    return total / total_weight if total_weight else total * np.nan  # nan when every target is ignored


def _nll_loss_vjp(g, ans, log_probs, target, weight, ignore_index, reduction):
    """-g w at each picked (n, class, d1, ...) and exactly 0 elsewhere, as in torch: also at an
    ignored target and from a nan upstream gradient."""
    dtype = np.asarray(log_probs).dtype
    if weight is None and ignore_index is None:  # every target counts once: the mean's weight is 1 / N
        count = target.size if reduction == "mean" and target.size else 1
        scale = -(dtype.type(1) / dtype.type(count))
        if type(g) is np.ndarray:  # one call: g (one number, or one per target) times the scale, per target
            values = np.multiply(g, scale, out=np.empty(target.shape, dtype))
        else:  # a recorded gradient: the same product, recorded
            values = g * np.full(target.shape, scale, dtype=dtype)
        return _picked(log_probs.shape, dtype, _class_index(target), values)
    counted, safe, w = _target_weights(target, weight, ignore_index, dtype)
    total_weight = np.add.reduce(w, axis=None)
    if reduction == "mean" and total_weight != 0:  # with every target ignored torch's gradient is zero
        w = w / total_weight
    values = np.where(counted, g * -w, 0)  # g is one number, or per target for reduction="none"
    return _picked(log_probs.shape, dtype, _class_index(safe), values)


def _picked(shape, dtype, index, values):
    """The gradient that is `values` at `index` (one entry per target) and 0 elsewhere, written
    into zeros at once: the rule it goes to (log_softmax's, in cross_entropy) reads it whole
    anyway. Under create_graph (values a tensor) it is an IndexedGradient, which the engine records."""
    if type(values) is not np.ndarray:
        return IndexedGradient(shape, dtype, index, values, unique=True)
    dense = np.zeros(shape, dtype)
    dense[index] = values
    return dense


nll_loss = Primitive("NllLoss", _nll_loss, _nll_loss_vjp, None, saves="nothing",
                     fused_for="-mean(weight[t] * x[range(N), t])")


# ---------------------------------------------------------------- multi-class hinge losses
# Both take scores x of shape (N, C) and reduce inside the rule, so that each loss is one node, as
# torch records it (MultiMarginLossBackward0, MultilabelMarginLossBackward0). `shape` is the shape
# of the unreduced loss (one entry per sample, laid out as the caller's target). A hinge that is
# exactly 0 sends no gradient, as in torch.
def _per_sample_gradient(g, reduction, samples, dtype):
    """The gradient reaching each sample's loss, as an (N, 1) column."""
    g = np.asarray(g, dtype=dtype)
    if reduction == "none":
        return g.reshape(samples, 1)
    return np.full((samples, 1), g / samples if reduction == "mean" else g, dtype=dtype)


def _multi_margin_terms(x, labels, p, margin, weight):
    """Per (sample, class j): max(0, margin - x[y] + x[j]) ** p (times weight[y]); 0 at j = y. Also
    the derivative of each term with respect to x[j]."""
    rows = np.arange(x.shape[0])
    z = margin - x[rows, labels][:, None] + x
    active = z > 0
    active[rows, labels] = False
    hinge = np.where(active, z, 0)
    terms, slopes = (hinge, active.astype(x.dtype)) if p == 1 else (hinge * hinge, 2 * hinge)
    if weight is not None:
        terms, slopes = terms * weight[labels][:, None], slopes * weight[labels][:, None]
    return terms, slopes


def _multi_margin_loss(x, labels, p, margin, weight, reduction, shape):
    terms, _ = _multi_margin_terms(x, labels, p, margin, weight)
    return _reduce((terms.sum(axis=1) / x.shape[1]).reshape(shape), reduction)


def _multi_margin_loss_vjp(g, ans, x, labels, p, margin, weight, reduction, shape):
    # term j grows with x[j] and shrinks as x[y] grows: x[y] gets minus the sum of the others' slopes
    _, slopes = _multi_margin_terms(x, labels, p, margin, weight)
    grad = slopes * (_per_sample_gradient(g, reduction, x.shape[0], x.dtype) / x.shape[1])
    grad[np.arange(x.shape[0]), labels] = -grad.sum(axis=1)
    return grad


# torch computes the gradients of both losses but does not differentiate them: under create_graph
# they are nodes whose backward raises torch's error
multi_margin_loss = Primitive("MultiMarginLoss", _multi_margin_loss,
                              differentiable_once(_multi_margin_loss_vjp, "MultiMarginLossBackward", "NotImplemented",
                                                  RuntimeError,
                                                  "derivative for aten::multi_margin_loss_backward is not implemented"),
                              None,
                              fused_for="sum(relu(margin - x[y] + x[j]) ** p for j != y) / C")


def _multilabel_pairs(x, counts):
    """pairs[n, j, i]: how often the hinge of listed class j over unlisted class i counts (j's
    count among the labels, 0 unless i is unlisted), and the hinges max(0, 1 - (x[j] - x[i]))."""
    pairs = (counts[:, :, None] * (counts == 0)[:, None, :]).astype(x.dtype)
    z = 1 - x[:, :, None] + x[:, None, :]
    return pairs, np.where((pairs > 0) & (z > 0), z, 0)


def _multilabel_margin_loss(x, counts, reduction, shape):
    pairs, hinge = _multilabel_pairs(x, counts)
    return _reduce(((pairs * hinge).sum(axis=(1, 2)) / x.shape[1]).reshape(shape), reduction)


def _multilabel_margin_loss_vjp(g, ans, x, counts, reduction, shape):
    # each counted, active hinge raises the loss with x[i] (the unlisted class) and lowers it with x[j]
    pairs, hinge = _multilabel_pairs(x, counts)
    slopes = pairs * (hinge > 0) * (_per_sample_gradient(g, reduction, x.shape[0], x.dtype) / x.shape[1])[:, :, None]
    return slopes.sum(axis=1) - slopes.sum(axis=2)


multilabel_margin_loss = Primitive(
    "MultilabelMarginLoss", _multilabel_margin_loss,
    differentiable_once(_multilabel_margin_loss_vjp, "MultilabelMarginLossBackward", "NotImplemented", RuntimeError,
                        "derivative for aten::multilabel_margin_loss_backward is not implemented"),
    None, fused_for="sum(relu(1 - x[j] + x[i]) for listed j, unlisted i) / C")


# ---------------------------------------------------------------- connectionist temporal classification
# log_probs is (T, N, C): log-probabilities of C classes (one of them the blank) at T time steps, for N
# sequences. targets is (N, S) padded, target_lengths says how much of each row counts, input_lengths
# how many time steps of each sequence count. A path is one class per time step; it spells a target
# when, after merging repeats and then dropping blanks, it reads the target ("aa-ab" spells "aab" with
# blank "-"). The loss of a sequence is -log of the total probability of the paths that spell its target.
#
# The paths are counted on the extended label l' = (blank, l_1, blank, l_2, ..., l_S, blank), of length
# L = 2S + 1: a path that spells l is a walk through l' that moves, at each step, by 0 or 1 position, or by
# 2 (the skip) onto a label that differs from the one two positions back (so over a blank, but never
# between repeated labels, which need the blank to stay two labels). In log space, with lse = log-sum-exp:
#
#   alpha_0(0) = lp_0(blank),  alpha_0(1) = lp_0(l'_1),  alpha_0(s) = -inf for s >= 2
#   alpha_t(s) = lse(alpha_{t-1}(s), alpha_{t-1}(s-1), [alpha_{t-1}(s-2) if the skip is allowed]) + lp_t(l'_s)
#   loss = -lse(alpha_{T-1}(L-1), alpha_{T-1}(L-2))      (end on the last blank or on the last label)
#
# and, walking back from the end, beta_t(s), the log-probability of finishing from position s at time t:
#
#   beta_{T-1}(L-1) = lp_{T-1}(blank),  beta_{T-1}(L-2) = lp_{T-1}(l_S),  beta_{T-1}(s) = -inf otherwise
#   beta_t(s) = lse(beta_{t+1}(s), beta_{t+1}(s+1), [beta_{t+1}(s+2) if the skip onto s+2 is allowed]) + lp_t(l'_s)
#
# alpha_t(s) + beta_t(s) - lp_t(l'_s) is then the log-probability of all the spelling paths that are at
# position s at time t, which gives the gradient (see _ctc_loss_vjp). Both recursions run over the
# batch and the label positions at once, one time step after another.

def _extended_labels(targets, target_lengths, blank):
    """l' for every sequence, (N, 2S + 1), blank at the even positions and beyond each target's end;
    whether each position may be reached by a skip from two positions back; and the lengths 2 S_n + 1."""
    n, s = targets.shape
    labels = np.where(np.arange(s) < target_lengths[:, None], targets, blank)
    extended = np.full((n, 2 * s + 1), blank, dtype=np.int64)
    extended[:, 1::2] = labels
    can_skip = np.zeros(extended.shape, dtype=bool)
    can_skip[:, 2:] = extended[:, 2:] != extended[:, :-2]  # (never onto a blank: l'_{s-2} is a blank too)
    return extended, can_skip, 2 * target_lengths + 1


def _emissions(log_probs, extended):
    """lp_t(l'_s) for every t, n and s: (T, N, L)."""
    return np.take_along_axis(log_probs, np.broadcast_to(extended, (log_probs.shape[0],) + extended.shape), axis=2)


def _shifted(x, by):
    """x moved `by` positions along the last axis (right for by > 0, left for by < 0), -inf coming in."""
    out = np.full_like(x, -np.inf)
    if by > 0:
        out[..., by:] = x[..., :-by]
    else:
        out[..., :by] = x[..., -by:]
    return out


def _end_positions(lengths, size):
    """Where a spelling path may end in l': on the last blank or on the last label, (N, L)."""
    positions = np.arange(size)
    return (positions == lengths[:, None] - 1) | (positions == lengths[:, None] - 2)


def _ctc_alpha(emit, can_skip, lengths):
    """alpha, (T, N, L), by the forward recursion; positions past each l' stay -inf."""
    inside = np.arange(emit.shape[2]) < lengths[:, None]
    start = np.arange(emit.shape[2]) < 2  # a path starts on the first blank or the first label
    alpha = np.empty_like(emit)
    alpha[0] = np.where(inside & start, emit[0], -np.inf)
    for t in range(1, emit.shape[0]):
        previous = alpha[t - 1]
        reach = np.logaddexp(previous, _shifted(previous, 1))
        reach = np.where(can_skip, np.logaddexp(reach, _shifted(previous, 2)), reach)
        alpha[t] = np.where(inside, reach + emit[t], -np.inf)
    return alpha


def _ctc_beta(emit, can_skip, lengths, input_lengths):
    """beta, (T, N, L), by the backward recursion, each sequence starting from its own last time
    step input_lengths[n] - 1 (and -inf after it)."""
    ends = _end_positions(lengths, emit.shape[2])
    skip_onto_next = np.zeros_like(can_skip)  # whether the skip from s onto s + 2 is allowed
    skip_onto_next[:, :-2] = can_skip[:, 2:]
    beta = np.empty_like(emit)
    following = np.full(emit.shape[1:], -np.inf, dtype=emit.dtype)  # beta_{t+1}
    for t in range(emit.shape[0] - 1, -1, -1):
        reach = np.logaddexp(following, _shifted(following, -1))
        reach = np.where(skip_onto_next, np.logaddexp(reach, _shifted(following, -2)), reach)
        last_step = (t == input_lengths - 1)[:, None]
        reach = np.where(last_step, np.where(ends, 0, -np.inf), reach)
        beta[t] = np.where((t < input_lengths)[:, None], reach + emit[t], -np.inf)
        following = beta[t]
    return beta


def _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """The negative log-likelihood of each target, (N,): inf where no path of the allowed length
    spells it (a target too long for its input, say). (zero_infinity is read by the gradient only.)"""
    extended, can_skip, lengths = _extended_labels(targets, target_lengths, blank)
    alpha = _ctc_alpha(_emissions(log_probs, extended), can_skip, lengths)
    at_last_step = alpha[np.maximum(input_lengths - 1, 0), np.arange(len(lengths))]  # (N, L)
    end = np.logaddexp.reduce(np.where(_end_positions(lengths, alpha.shape[2]), at_last_step, -np.inf), axis=1)
    # With no time steps at all, only the empty target is spelled (by the empty path, probability 1).
    return np.where(input_lengths > 0, -end, np.where(target_lengths == 0, 0, np.inf)).astype(log_probs.dtype)


def _ctc_loss_vjp(g, ans, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """d loss_n / d lp_t(c) = exp(lp_t(c)) - exp(lse_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + loss_n - lp_t(c)).

    The second term is the true derivative: minus the share of the spelling probability carried by
    the paths that emit c at time t. The first, exp(lp_t(c)), is torch's convention: its CTC
    gradient is the one for log_probs that come out of log_softmax, through which that term adds
    nothing (the probabilities at each t sum to 1), so the logits receive the true gradient either
    way. Time steps past a sequence's input length get 0, and so do whole sequences of infinite
    loss with zero_infinity (nan without it, as in torch).
    """
    extended, can_skip, lengths = _extended_labels(targets, target_lengths, blank)
    emit = _emissions(log_probs, extended)
    through = _ctc_alpha(emit, can_skip, lengths) + _ctc_beta(emit, can_skip, lengths, input_lengths)
    # lse over the positions s of each class c, as one product with the one-hot code of l'
    top = np.max(through, axis=2, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    one_hot = (extended[:, :, None] == np.arange(log_probs.shape[2])).astype(log_probs.dtype)  # (N, L, C)
    per_class = np.matmul(np.exp(through - top).transpose(1, 0, 2), one_hot).transpose(1, 0, 2)  # (T, N, C)
    log_through = np.log(per_class) + top
    grad = np.exp(log_probs) - np.exp(log_through + ans[:, None] - log_probs)
    counted = np.arange(log_probs.shape[0])[:, None] < input_lengths  # (T, N)
    if zero_infinity:
        counted = counted & np.isfinite(ans)
    return np.where(counted[:, :, None], grad * g[:, None], 0).astype(log_probs.dtype)


# torch computes this gradient but does not differentiate it: under create_graph it is a node whose
# backward raises torch's error
ctc_loss = Primitive("CtcLoss", _ctc_loss,
                     differentiable_once(_ctc_loss_vjp, "CtcLossBackward", "NotImplemented", RuntimeError,
                                         "derivative for aten::_ctc_loss_backward is not implemented"),
                     saves="both")
