"""minigrad.nn.init ~ torch.nn.init: fill a tensor in place with values from a chosen distribution.

The schemes keep the scale of activations (or gradients) steady from layer to layer:

    xavier (Glorot):  Var(w) = gain^2 * 2 / (fan_in + fan_out)
    kaiming (He):     Var(w) = gain^2 / fan          (fan = fan_in or fan_out)

A uniform distribution on [-bound, bound] has variance bound^2 / 3, which is how each
uniform variant turns its standard deviation into a bound. The numbers come from
minigrad's random generator (reproducible with ``minigrad.manual_seed``); they follow
torch's distributions but are not torch's random streams.
"""

import math
import numbers
import warnings

import numpy as np

from minigrad._ops.activation import erf
from minigrad.autograd.grad_mode import no_grad
from minigrad.random import _normal, _numpy_rng, _uniform

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The factor by which `nonlinearity` shrinks the standard deviation, to be undone by the init.

    linear, conv and sigmoid: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu(slope): sqrt(2 / (1 + slope^2)), slope 0.01 by default; selu: 3/4.
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Number) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel): each times the kernel size."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    """Write `values` into `tensor` in place, outside the graph (initialisation is not learned)."""
    with no_grad():
        tensor._fill_raw(values)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with draws from U(a, b)."""
    return _fill(tensor, _uniform(a, b, tensor.shape, generator))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with draws from N(mean, std^2)."""
    return _fill(tensor, _normal(mean, std, tensor.shape, generator))


def _normal_cdf(z):
    return 0.5 * (1.0 + erf(np.asarray(z, dtype=np.float64) / math.sqrt(2.0)))


def _inverse_normal_cdf(u, low, high, steps=60):
    """The z in [low, high] with Phi(z) = u, by bisection (Phi is increasing); 60 halvings reach float64."""
    low, high = np.full_like(u, low), np.full_like(u, high)
    for _ in range(steps):
        middle = 0.5 * (low + high)
        below = _normal_cdf(middle) < u
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
    return 0.5 * (low + high)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with draws from N(mean, std^2) conditioned on lying in [a, b].

    Usually by rejection: draws outside [a, b] are drawn again, which keeps exactly the
    normal's shape inside the interval. When [a, b] holds less than 1% of the normal's
    mass (rejection would take too many rounds), by inverting the CDF instead: a uniform
    draw between Phi(a) and Phi(b) is mapped back through Phi.
    """
    if not a < b:
        raise ValueError(f"trunc_normal_ needs a < b, got a={a} and b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    rng = _numpy_rng(generator)
    low, high = (a - mean) / std, (b - mean) / std  # the interval in standard units
    if _normal_cdf(high) - _normal_cdf(low) < 0.01:
        u = rng.uniform(_normal_cdf(low), _normal_cdf(high), tensor.shape)
        return _fill(tensor, np.clip(mean + std * _inverse_normal_cdf(u, low, high), a, b))
    values = rng.normal(mean, std, tensor.shape)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = rng.normal(mean, std, int(outside.sum()))
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def constant_(tensor, val):
    return _fill(tensor, val)


def ones_(tensor):
    return _fill(tensor, 1)


def zeros_(tensor):
    return _fill(tensor, 0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, as far as it goes)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fill a {3,4,5}-D convolution weight so that the convolution is the identity on its channels."""
    if tensor.dim() not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_channels = tensor.shape[0]
    if out_channels % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = out_channels // groups
    values = np.zeros(tensor.shape)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for group in range(groups):
        for channel in range(min(per_group, tensor.shape[1])):
            values[(group * per_group + channel, channel) + centre] = 1
    return _fill(tensor, values)


def _skip_empty(tensor):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al., 2015); `a` is the leaky slope."""
    if _skip_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std^2) with std = gain / sqrt(fan)."""
    if _skip_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix, the trailing dims flattened (Saxe et al., 2013).

    The QR decomposition of a Gaussian matrix gives Q; multiplying each column by the
    sign of R's diagonal makes Q uniformly distributed over the orthogonal matrices.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _numpy_rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))
