"""Normalisation as functions: batch_norm, layer_norm, group_norm, ... and local_response_norm.

The statistics are computed here, once, in NumPy: batch norm also needs them to update
its running averages in place (with the unbiased variance, as torch does), and the
primitives in ``minigrad._ops.normalization`` take them as constants and carry the fused
gradient.
"""

import math
import numbers

import numpy as np

from minigrad._ops import normalization as norm_ops
from minigrad.autograd.grad_mode import no_grad
from minigrad.nn._functional.conv import avg_pool2d
from minigrad.nn._functional.linear import pad
from minigrad.tensor import Tensor, apply

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "rms_norm", "local_response_norm"]


def _check_floating(input, name):
    if not input.is_floating_point():
        raise NotImplementedError(f'"{name}" not implemented for {input.dtype}')


def _check_parameter_dtypes(input, *parameters):
    """torch computes a normalisation in one dtype: its weight, bias and running statistics must
    have the input's (float32 ones may go with a float16 input, torch's mixed precision)."""
    dtype = input._array.dtype
    for parameter in parameters:
        if parameter is None or parameter._array.dtype == dtype:
            continue
        if dtype == np.float16 and parameter._array.dtype == np.float32:
            continue
        if dtype == np.float64:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")


def _check_features(name, tensor, channels):
    if tensor is not None and tensor.numel() != channels:
        raise RuntimeError(f"{name} should contain {channels} elements not {tensor.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) of (N, C, *) over the batch and spatial axes.

    In training the batch statistics normalise the input, and running_mean/running_var
    (when given) move towards them in place: r = (1 - momentum) r + momentum * batch_stat,
    with the unbiased variance. Otherwise the running statistics normalise the input.
    momentum must be a number here; the BatchNorm modules turn their momentum=None (a
    cumulative average) into the number 1 / batches seen.
    """
    for name, position, number in (("momentum", 7, momentum), ("eps", 8, eps)):
        if not isinstance(number, numbers.Real):
            raise TypeError(f"batch_norm(): argument '{name}' (position {position}) must be float, not "
                            f"{type(number).__name__}")
    if input.dim() < 2:
        raise IndexError(f"batch_norm: expected input with at least 2 dimensions (N, C, *), but got input of "
                           f"size {list(input.shape)}")
    _check_floating(input, "batch_norm")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        _check_features(name, tensor, channels)
    _check_parameter_dtypes(input, weight, bias, running_mean, running_var)
    axes = (0,) + tuple(range(2, input.dim()))
    broadcast = (1, channels) + (1,) * (input.dim() - 2)
    x = input._array
    if training:
        count = x.size // channels if channels else 0
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
        if count == 0:  # an empty batch: nothing to normalise, and the running statistics stay (as in torch)
            mean, var = np.zeros(broadcast, x.dtype), np.ones(broadcast, x.dtype)
        else:
            mean, var = norm_ops.moments(x, axes)
            if running_mean is not None:
                _update_running(running_mean, mean, momentum)
            if running_var is not None:
                _update_running(running_var, var * (count / (count - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        mean = running_mean._array.reshape(broadcast).astype(x.dtype, copy=False)
        var = running_var._array.reshape(broadcast).astype(x.dtype, copy=False)
    invstd = norm_ops.inverse_std(var, eps)
    weight = None if weight is None else weight.reshape(broadcast)
    bias = None if bias is None else bias.reshape(broadcast)
    return apply(norm_ops.batch_norm, input, weight, bias, mean, invstd, axes=axes, eps=eps, training=bool(training))


def _update_running(buffer, batch_stat, momentum):
    """buffer <- (1 - momentum) buffer + momentum * batch_stat, in place and outside autograd."""
    with no_grad():
        new = (1 - momentum) * buffer._array + momentum * batch_stat.reshape(buffer.shape)
        buffer.copy_(Tensor._wrap(new.astype(buffer._array.dtype, copy=False)))


def _normalized_shape(normalized_shape, name):
    """normalized_shape as a tuple of ints. The functions take a sequence only, as torch's do
    (layer_norm(x, 5) raises TypeError there); the modules also take a bare int."""
    if not isinstance(normalized_shape, (tuple, list)):  # (torch.Size is a tuple)
        raise TypeError(f"{name}(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    return tuple(int(n) for n in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing axes given by normalized_shape, then scale and shift elementwise."""
    _check_floating(input, "layer_norm")
    shape = _normalized_shape(normalized_shape, "layer_norm")
    if len(shape) == 0 or tuple(input.shape[input.dim() - len(shape):]) != shape or input.dim() < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(tensor.shape)} and normalized_shape = {list(shape)}")
    _check_parameter_dtypes(input, weight, bias)
    axes = tuple(range(input.dim() - len(shape), input.dim()))
    mean, var = norm_ops.moments(input._array, axes)
    return apply(norm_ops.layer_norm, input, weight, bias, mean, norm_ops.inverse_std(var, eps), axes=axes, eps=eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise (N, C, *) over groups of C / num_groups channels (and all spatial axes), then scale
    and shift each channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _check_floating(input, "group_norm")
    channels = input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    # torch's check, in torch's words: seen as (N * C / groups, groups, *spatial), the input
    # must have more than one value per "channel".
    as_batch_norm = [input.shape[0] * channels // num_groups, num_groups] + list(input.shape[2:])
    if input.numel() // num_groups == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {as_batch_norm}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        _check_features(name, tensor, channels)
    _check_parameter_dtypes(input, weight, bias)
    per_group = channels // num_groups * math.prod(input.shape[2:])  # spelled out: -1 is ambiguous for N = 0
    grouped = input.reshape(input.shape[0], num_groups, per_group)
    mean, var = norm_ops.moments(grouped._array, (2,))
    out = apply(norm_ops.group_norm, grouped, None, None, mean, norm_ops.inverse_std(var, eps), axes=(2,), eps=eps)
    out = out.reshape(input.shape)
    broadcast = (1, channels) + (1,) * (input.dim() - 2)
    if weight is not None:
        out = out * weight.reshape(broadcast)
    if bias is not None:
        out = out + bias.reshape(broadcast)
    return out



def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the last len(normalized_shape) dims, times weight.
    eps=None is the machine epsilon of x's dtype, as in torch."""
    normalized_shape = _normalized_shape(normalized_shape, "rms_norm")
    if tuple(input.shape[input.ndim - len(normalized_shape):]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._array.dtype).eps)
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    out = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    return out if weight is None else out * weight


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample of (N, C, *) over its own positions (*), then scale
    by weight and shift by bias (per channel). With running statistics and use_input_stats,
    they move toward the batch's average instance statistics (the variance unbiased); without
    use_input_stats, they are what normalises."""
    if input.ndim < 3:
        raise ValueError(f"instance_norm expects an input of at least 3 dimensions (N, C, *), got {input.ndim}D")
    dims = tuple(range(2, input.ndim))
    channels = (1, input.shape[1]) + (1,) * len(dims)
    _check_parameter_dtypes(input, weight, bias, running_mean, running_var)
    if use_input_stats and math.prod(input.shape[2:]) == 1:  # one value is its own mean: nothing to normalise
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    if use_input_stats:
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, keepdim=True, correction=0)
        if running_mean is not None or running_var is not None:
            count = math.prod(input.shape[2:])
            with no_grad():
                if running_mean is not None:
                    running_mean.mul_(1 - momentum).add_(mean.detach().mean(0).reshape(-1) * momentum)
                if running_var is not None:
                    unbiased = var.detach() * (count / max(count - 1, 1))
                    running_var.mul_(1 - momentum).add_(unbiased.mean(0).reshape(-1) * momentum)
    else:
        mean, var = running_mean.reshape(channels), running_var.reshape(channels)
    out = (input - mean) * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(channels)
    if bias is not None:
        out = out + bias.reshape(channels)
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each element of an (N, C, *) input by (k + alpha * mean of x^2 over `size` neighbouring
    channels) ** beta (AlexNet's normalisation across channels).

    The window of channel c covers channels c - size // 2 .. c + (size - 1) // 2; past the first or
    last channel it counts zeros, so the mean always divides by `size`.
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    batch, channels = input.shape[:2]
    squares = (input * input).reshape(batch, 1, channels, -1)  # channels as the height of a one-channel image
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    mean = avg_pool2d(squares, (size, 1), stride=1).reshape(input.shape)
    return input / (mean * alpha + k) ** beta
