"""Functional activations (torch.nn.functional names): relu, gelu, softmax, log_softmax, ...

`inplace=True` overwrites the input, exactly as torch does (and fails the same way on a
leaf that requires grad).
"""

import warnings

import numpy as np

from minigrad import _dtype
from minigrad._arguments import _dim
from minigrad._ops import activation as A
from minigrad._ops import elementwise as E
from minigrad._tensor.operands import _fitted_number
from minigrad.functions import where
from minigrad.random import _numpy_rng
from minigrad.tensor import Tensor, apply

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu", "mish",
           "sigmoid", "tanh", "softplus", "logsigmoid", "hardtanh", "hardtanh_", "softmax", "softmin",
           "log_softmax", "selu", "selu_", "celu", "celu_", "prelu", "hardsigmoid", "hardswish", "softsign", "threshold", "threshold_", "glu",
           "tanhshrink", "hardshrink", "softshrink", "rrelu", "rrelu_", "gumbel_softmax"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _run(primitive, input, inplace=False, **params):
    if inplace:
        return input._inplace(primitive, **params)
    return apply(primitive, input, **params)


def _checked_floating(input, kernel):
    """input, once checked to be floating (Tensor._floating, by contrast, converts an integer
    tensor): torch computes these activations for floating tensors only, and refuses an integer
    or bool one (NotImplementedError naming its kernel) where NumPy would quietly compute a
    float64 result."""
    input._refuse_non_floating(kernel)
    return input


def relu(input, inplace=False):
    """max(x, 0)."""
    return _run(E.relu, input, inplace)


def relu_(input):
    return relu(input, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, negative_slope * x otherwise."""
    return _run(A.leaky_relu, _checked_floating(input, "leaky_relu_cpu"), inplace, negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return _run(A.elu, _checked_floating(input, "elu_cpu"), inplace, alpha=alpha)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; approximate='tanh' uses torch's tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return apply(A.gelu, _checked_floating(input, "GeluKernelImpl"), approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x) (also called swish)."""
    return _run(A.silu, _checked_floating(input, "silu_cpu"), inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _run(A.mish, _checked_floating(input, "mish_cpu"), inplace)


def sigmoid(input):
    return input.sigmoid()  # (an integer tensor gives float32, as in torch)


def tanh(input):
    return input.tanh()


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    return apply(A.softplus, _checked_floating(input, "softplus_cpu"), beta=beta, threshold=threshold)


def logsigmoid(input):
    """log(sigmoid(x)), finite for every x."""
    return apply(A.log_sigmoid, _checked_floating(input, "log_sigmoid_cpu"))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky relu (Xu et al., 2015): x for x > 0, a * x otherwise.

    In training each element draws its own slope a uniformly from [lower, upper]; in evaluation
    a is the middle of that range, (lower + upper) / 2. The gradient is 1 or the slope used.
    """
    return _rrelu(input, lower, upper, training, inplace)


def _rrelu(input, lower, upper, training, inplace, generator=None):
    """rrelu drawing its slopes from `generator` (torch.rrelu takes one; F.rrelu uses the default)."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    _checked_floating(input, "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu")
    if training:
        dtype = input._array.dtype
        slope = _numpy_rng(generator).uniform(lower, upper, input._array.shape).astype(dtype, copy=False)
    else:
        slope = (lower + upper) / 2
    return _run(A.rrelu_with_noise, input, inplace, slope=slope)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    dtype = input._array.dtype
    if dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if dtype.kind == "u" and (min_val <= -1 or max_val <= -1):  # (a bound below 0 once its fraction is cut)
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    if dtype.kind in "iu":  # clipped in its own dtype, as torch does: the bounds lose their fraction
        min_val, max_val = _fitted_number(min_val, dtype), _fitted_number(max_val, dtype)
    return _run(A.hardtanh, input, inplace, min_val=min_val, max_val=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _softmax_axis(input, dim, name, stacklevel=3):
    """The axis to normalise along; with no dim, torch's legacy choice and its deprecation warning,
    pointed (via stacklevel) at the user's call."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                      "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return _dim(dim, input.ndim)


def _prepare(input, dtype):
    """Cast first when dtype is given (torch's way to get a float64 softmax of float32 logits)."""
    if dtype is not None:
        input = input._cast(_dtype.as_dtype(dtype).numpy)
    if not input.is_floating_point():
        raise NotImplementedError(f"softmax is not implemented for {input.dtype}; pass a floating-point tensor")
    return input


def _along_dim(primitive, input, dim, dtype, name):
    """Run softmax or log_softmax along dim; a 0-d input is treated as one entry along its only axis."""
    input = _prepare(input, dtype)
    axis = _softmax_axis(input, dim, name, stacklevel=4)
    if input.ndim == 0:
        return apply(primitive, input.reshape(1), axis=0).reshape(())
    return apply(primitive, input, axis=axis)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along dim, computed without overflow."""
    return _along_dim(A.softmax, input, dim, dtype, "softmax")


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along dim."""
    input = _prepare(input, dtype)
    return softmax(-input, _softmax_axis(input, dim, "softmin"))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x_i - log sum_j exp(x_j) along dim, computed without overflow."""
    return _along_dim(A.log_softmax, input, dim, dtype, "log_softmax")


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax (Concrete) distribution: softmax((logits + g) / tau) along dim,
    with g = -log(E), E ~ Exponential(1), drawn independently for each element.

    As tau -> 0 the sample approaches the one-hot vector of argmax(logits + g), which is a draw of
    the categorical distribution softmax(logits) (the Gumbel-max trick). hard=True returns that
    one-hot vector, with the soft sample's gradient (the straight-through estimator).
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    dtype = logits._array.dtype
    if dtype.kind != "f":
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_dtype.scalar_type_name(dtype)}")
    gumbels = -np.log(_numpy_rng().exponential(size=logits._array.shape)).astype(dtype)
    soft = softmax((logits + Tensor._wrap(gumbels)) / tau, dim)
    if not hard:
        return soft
    axis = _dim(dim, soft.ndim)
    one_hot = np.zeros(soft._array.shape, dtype=dtype)
    np.put_along_axis(one_hot, np.expand_dims(soft._array.argmax(axis), axis), 1, axis)
    return Tensor._wrap(one_hot) - soft.detach() + soft  # the one-hot value, the soft sample's gradient


# ---------------------------------------------------------------- more activations
def _in_place_or_not(compute, input, inplace):
    """compute(input), or, in place, written back into input (recorded as compute's own nodes)."""
    return input._write_back(compute) if inplace else compute(input)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al. (2017)."""
    _checked_floating(input, "elu_cpu")
    return _in_place_or_not(lambda x: _SELU_SCALE * apply(A.elu, x, alpha=_SELU_ALPHA), input, inplace)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)), which is alpha * elu(x / alpha)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha of celu must not be 0")
    _checked_floating(input, "elu_cpu")
    return _in_place_or_not(lambda x: alpha * apply(A.elu, x / alpha, alpha=1.0), input, inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def prelu(input, weight):
    """x for x > 0, weight * x otherwise; weight has one entry or one per channel (dim 1)."""
    return input.prelu(weight)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _run(A.hardsigmoid, _checked_floating(input, "hardsigmoid_cpu"), inplace)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _run(A.hardswish, _checked_floating(input, "hardswish_cpu"), inplace)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def _threshold(input, limit, value, inplace):
    if input._array.dtype == np.bool_:  # (torch has no bool kernel for it)
        raise NotImplementedError('"threshold_cpu" not implemented for \'Bool\'')
    return _in_place_or_not(lambda x: x.masked_fill(x <= limit, value), input, inplace)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, `value` elsewhere."""
    return _threshold(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of input along dim."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = _dim(dim, input.ndim)
    if input.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {input.shape[axis]}")
    a, b = input.chunk(2, axis)
    return a * b.sigmoid()


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def _inside(input, lambd):
    """Where -lambd <= x <= lambd (never at a NaN): the elements the shrinks set to zero."""
    return (input >= -lambd) & (input <= lambd)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0 (a NaN passes, as do its gradients)."""
    return input.hardshrink(lambd)


def softshrink(input, lambd=0.5):
    """x moved lambd toward 0 where |x| > lambd, else 0 (a NaN passes, as do its gradients).

    The zeros are +0.0, as torch's vectorised loop gives them (its scalar loop, which takes the
    last few elements of an array, gives x * 0, with the sign of x)."""
    input._refuse_non_floating("softshrink_check")
    largest = np.finfo(input._array.dtype).max
    if not 0 <= lambd <= largest:
        raise RuntimeError(f"lambda must be in range [0, {largest:g}] for input dtype "
                           f"{_dtype.scalar_type_name(input._array.dtype)}, but found {lambd}")
    shift = lambd * input.detach().sign()  # a constant: d/dx is 1 outside [-lambd, lambd], 0 inside
    return where(_inside(input, lambd), 0.0, input - shift)
