"""torch's top-level forms of nn.functional's functions: torch.conv2d, torch.layer_norm, torch.selu, ...

Most take the same arguments as their nn.functional twin. Some do not, and these wrappers follow
torch's top-level signatures: the losses take `reduction` as torch's integer code (0 none, 1 mean,
2 sum), and leave the loss unreduced by default (torch's schemas say 1, but its Python bindings
give 0 when the argument is left out, and so do these), torch.batch_norm and torch.instance_norm take every argument positionally with weight and
bias first, torch.embedding takes the weight first, and torch.dropout wants `train` spelled out.
"""

from minigrad.nn import functional as F
from minigrad.nn._functional.activation import _rrelu
from minigrad.nn._functional.loss import _kl_div
from minigrad.nn.modules import rnn as _rnn
from minigrad.tensor import Tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "avg_pool1d", "batch_norm", "bilinear",
           "binary_cross_entropy_with_logits", "celu", "channel_shuffle", "constant_pad_nd", "convolution", "ctc_loss", "conv1d", "conv2d", "conv3d",
           "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "cosine_embedding_loss", "cosine_similarity", "dropout", "embedding",
           "feature_alpha_dropout", "group_norm", "hardshrink", "hinge_embedding_loss", "instance_norm", "kl_div",
           "layer_norm", "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d",
           "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu",
           "gru_cell", "lstm_cell", "rnn_relu_cell", "rnn_tanh_cell", "rms_norm", "rrelu", "rrelu_", "selu", "selu_", "celu_", "threshold", "threshold_", "triplet_margin_loss"]

# the same functions under the same signatures
bilinear = F.bilinear
channel_shuffle = F.channel_shuffle
conv1d = F.conv1d
conv2d = F.conv2d
conv3d = F.conv3d
conv_transpose1d = F.conv_transpose1d
conv_transpose2d = F.conv_transpose2d
conv_transpose3d = F.conv_transpose3d
cosine_similarity = F.cosine_similarity
pairwise_distance = F.pairwise_distance
pdist = F.pdist
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
prelu = F.prelu
rms_norm = F.rms_norm
adaptive_avg_pool1d = F.adaptive_avg_pool1d

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(code):
    """torch's integer reduction code (torch.nn._reduction) as nn.functional's name for it."""
    if isinstance(code, str):
        raise TypeError(f"argument 'reduction' must be int, not str (0: 'none', 1: 'mean', 2: 'sum'; got {code!r})")
    if code not in _REDUCTIONS:
        raise ValueError(f"reduction must be 0 ('none'), 1 ('mean') or 2 ('sum'), got {code}")
    return _REDUCTIONS[code]


def _stride(stride):
    """torch's top-level pools take stride=[] (the default) to mean 'the kernel size'."""
    return None if stride is None or (not isinstance(stride, int) and len(stride) == 0) else stride


# ---------------------------------------------------------------- activations and dropout
def selu(input):
    return F.selu(input)


def celu(input, alpha=1.0):
    return F.celu(input, alpha)


def threshold(input, threshold, value):
    return F.threshold(input, threshold, value)


def selu_(input):
    return F.selu_(input)


def celu_(input, alpha=1.0):
    return F.celu_(input, alpha)


def threshold_(input, threshold, value):
    return F.threshold_(input, threshold, value)


def hardshrink(input, lambd=0.5):
    return F.hardshrink(input, lambd)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _rrelu(input, lower, upper, training, False, generator)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _rrelu(input, lower, upper, training, True, generator)


def dropout(input, p, train):
    return F.dropout(input, p, train)


def alpha_dropout(input, p, train):
    return F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    return F.feature_alpha_dropout(input, p, train)


# ---------------------------------------------------------------- normalisation and embedding
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """F.batch_norm with torch's top-level order: weight and bias before the running statistics."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """F.instance_norm with torch's top-level order: weight and bias before the running statistics."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """F.embedding with the weight first; a padding_idx outside [0, num_embeddings) means none (-1 by default)."""
    padding = padding_idx if 0 <= padding_idx < weight.shape[0] else None
    return F.embedding(indices, weight, padding, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


# ---------------------------------------------------------------- pooling
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode,
                        return_indices=True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


def adaptive_max_pool1d(input, output_size):
    """The pooled values and their indices, always both (torch's top-level form)."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


# ---------------------------------------------------------------- losses, with integer reduction codes
def kl_div(input, target, reduction=0, *, log_target=False):
    return _kl_div(input, target, _reduction(reduction), log_target)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction), zero_infinity)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


# ---------------------------------------------------------------- recurrent cells
# torch.rnn_tanh_cell, rnn_relu_cell, lstm_cell and gru_cell: one step of nn.RNNCell, LSTMCell and
# GRUCell with the weights passed in (weight_ih: gates * hidden x input, weight_hh: gates * hidden
# x hidden), the same tensor operations as the modules' steps. The hidden size is read from hx.
def _check_cell(name, input, states, w_ih, w_hh, gates):
    """torch's checks of a cell's input, hidden states and weights, in its order (a 1-D input
    has no size(1): torch's IndexError)."""
    for hx in states:
        if not isinstance(hx, Tensor):
            raise TypeError(f"{name}(): argument 'hx' (position 2) must be Tensor, not {type(hx).__name__}")
    if input.size(1) != w_ih.size(1):
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {w_ih.size(1)}")
    hidden_size = w_hh.size(1)
    for label, hx in enumerate(states):
        if input.size(0) != hx.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} batch size {hx.size(0)}")
        if hx.size(1) != hidden_size:
            raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, expected {hidden_size}")
    for name, weight in (("weight_ih", w_ih), ("weight_hh", w_hh)):
        if weight.shape[0] != gates * hidden_size:
            raise RuntimeError(f"{name} first dim must be {gates} * hidden_size = {gates * hidden_size}, but got "
                               f"{weight.shape[0]}")


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(input W_ih^T + b_ih + hx W_hh^T + b_hh), for a batch (N, input_size) and hx (N, hidden_size)."""
    _check_cell("rnn_tanh_cell", input, (hx,), w_ih, w_hh, 1)
    return _rnn._rnn_tanh_cell(input, (hx,), w_ih.t(), w_hh.t(), b_ih, b_hh, None)[0]


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(input W_ih^T + b_ih + hx W_hh^T + b_hh)."""
    _check_cell("rnn_relu_cell", input, (hx,), w_ih, w_hh, 1)
    return _rnn._rnn_relu_cell(input, (hx,), w_ih.t(), w_hh.t(), b_ih, b_hh, None)[0]


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') of one LSTM step from hx = (h, c), a tuple or list of two tensors (torch's gate order i, f, g, o)."""
    if not isinstance(hx, (tuple, list)):
        raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _check_cell("lstm_cell", input, hx, w_ih, w_hh, 4)
    return _rnn._lstm_cell(input, tuple(hx), w_ih.t(), w_hh.t(), b_ih, b_hh, None)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' of one GRU step (torch's gate order r, z, n)."""
    _check_cell("gru_cell", input, (hx,), w_ih, w_hh, 3)
    return _rnn._gru_cell(input, (hx,), w_ih.t(), w_hh.t(), b_ih, b_hh, None)[0]


def constant_pad_nd(input, pad, value=0):
    """nn.functional.pad in its constant mode, under torch's name and messages: pad = (before the
    last dim, after it, before the one before, ...); a negative amount crops."""
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions of the input. Pad "
                           f"length is {len(pad)}while the input has {input.ndim}dimensions.")
    for i in range(len(pad) // 2):
        if input.shape[-1 - i] + min(pad[2 * i], 0) + min(pad[2 * i + 1], 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return F.pad(input, pad, value=value)


_CONVOLUTIONS = {False: (F.conv1d, F.conv2d, F.conv3d), True: (F.conv_transpose1d, F.conv_transpose2d,
                                                               F.conv_transpose3d)}


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The convolution (transposed where `transposed`) that weight's dims call for: conv1d, conv2d or
    conv3d, or their transposes. Every argument is given, the sizes as lists of one value per
    spatial dim (or one for them all), and the input is batched."""
    spatial = weight.ndim - 2
    if input.ndim != weight.ndim:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.ndim}-dimensional input of size {list(input.shape)} "
                           "instead")
    sizes = {}
    for position, name, value in ((4, "stride", stride), (5, "padding", padding), (6, "dilation", dilation),
                                  (8, "output_padding", output_padding)):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"convolution(): argument '{name}' (position {position}) must be tuple of ints, not "
                            f"{type(value).__name__}")
        if len(value) not in (1, spatial):
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {spatial} values to match "
                               f"the convolution dimensions, but got {name}={list(value)}")
        sizes[name] = tuple(value) * (spatial if len(value) == 1 else 1)
    if groups <= 0 or weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(weight.shape)}] instead")
    convolve = _CONVOLUTIONS[bool(transposed)][spatial - 1]
    if transposed:
        return convolve(input, weight, bias, sizes["stride"], sizes["padding"], sizes["output_padding"], groups,
                        sizes["dilation"])
    return convolve(input, weight, bias, sizes["stride"], sizes["padding"], sizes["dilation"], groups)
