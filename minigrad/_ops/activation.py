"""Activation primitives: the pointwise nonlinearities of torch.nn and softmax along an axis.

Each VJP is the derivative written out, with torch's choice at the kinks (the
gradient of leaky_relu at 0 is the slope, hardtanh passes nothing at its edges).
Constants are Python floats so that float32 inputs stay float32.

NumPy has no error function, so `erf` is computed here from two classic expansions
(see `erf`), which GELU needs.
"""

import math

import numpy as np

from minigrad._ops import workspace
from minigrad._ops.elementwise import logistic
from minigrad._ops.layout import c_order, keeps_layout
from minigrad._ops.registry import Primitive

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_HALF = math.sqrt(0.5)
_ONE_OVER_SQRT_TWO_PI = 1.0 / math.sqrt(2.0 * math.pi)


# ---------------------------------------------------------------- the error function
def _series_coefficients(count):
    """1 / (1 * 3 * 5 * ... * (2k + 1)) for k = 0 .. count - 1."""
    coefficients = [1.0]
    for k in range(1, count):
        coefficients.append(coefficients[-1] / (2 * k + 1))
    return coefficients


_SERIES = _series_coefficients(30)  # 30 terms reach double precision for |x| <= 2


def _erf_series(x, out, u):
    """erf(x) = 2/sqrt(pi) * exp(-x^2) * x * sum_k (2x^2)^k / (1*3*5*...*(2k+1)), into `out`.

    Every term is positive, so the sum loses no accuracy to cancellation. It is
    evaluated by Horner's rule, in place in `out`, with `u` (shaped like x) as scratch.
    """
    np.multiply(2.0, x, out=u)
    u *= x                                        # u = 2 x^2
    out.fill(_SERIES[-1])
    for coefficient in reversed(_SERIES[:-1]):
        out *= u
        out += coefficient                        # out = the sum
    np.negative(x, out=u)
    u *= x
    np.exp(u, out=u)
    u *= _TWO_OVER_SQRT_PI
    u *= x
    out *= u                                      # 2/sqrt(pi) e^(-x^2) x times the sum


def _erfc_continued_fraction(x, out, u, depth=40):
    """erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))) for x > 0,
    into `out`, with `u` (shaped like x) as scratch.

    Laplace's continued fraction, evaluated from the inside out; it converges fast for x >= 2.
    """
    np.copyto(out, x)
    for k in range(depth, 0, -1):
        np.divide(k / 2.0, out, out=out)
        out += x                                  # out = the fraction's denominator
    np.negative(x, out=u)
    u *= x
    np.exp(u, out=u)
    u /= math.sqrt(math.pi)
    np.divide(u, out, out=out)


# Elements per block: small enough that the ~60 passes of the sums over a block stay in cache.
_BLOCK = 16384


def _scratch(size):
    """The working arrays of `_erf_of_magnitude` for blocks of up to `size` elements: three float64
    arrays (kept from call to call by the workspace: allocated for every block, their 128 KB were
    mapped afresh by glibc each time) and one of flags."""
    return [workspace.empty((size,), np.float64) for _ in range(3)] + [np.empty(size, np.bool_)]


def _erf_of_magnitude(a, out, scratch):
    """erf of the float64 magnitudes `a`, into `out`: the series below 2, 1 - erfc above.

    Each branch works on its elements gathered into the front of a scratch array (np.compress),
    so neither computes values the other will give."""
    gathered, result, u, flags = scratch
    near = np.less(a, 2.0, out=flags[:a.size])
    count = np.count_nonzero(near)
    _erf_series(np.compress(near, a, out=gathered[:count]), result[:count], u[:count])
    out[near] = result[:count]
    far = np.logical_not(near, out=near)
    rest = a.size - count
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):  # huge |x|: erfc underflows to 0
        _erfc_continued_fraction(np.compress(far, a, out=gathered[:rest]), result[:rest], u[:rest])
        np.subtract(1.0, result[:rest], out=result[:rest])
    out[far] = result[:rest]
    out[np.isnan(a, out=flags[:a.size])] = np.nan


def erf(x):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise, in x's dtype.

    The power series serves |x| < 2 and Laplace's continued fraction for erfc the rest
    (erf = 1 - erfc); erf is odd, so both work on |x|. Accurate to about 1e-15 relative.
    The sums run in float64, block by block for speed, and each block's result is cast back
    to x's dtype as it is written: in float32 the 30-term sum would be off by up to 3 ulp,
    against 1 ulp this way (a deliberate exception to keeping float32 in float32, at about
    2.5 times the cost). Only a block at a time is ever in float64, in arrays made once per
    call: float64 copies of the whole input, or arrays made afresh for every block, made a
    GELU fault its memory in from the system at every step.
    """
    if hasattr(x, "erf"):  # a tensor, when the gradient of GELU is itself recorded
        return x.erf()
    x = np.asarray(x)
    values = x.ravel()
    out = workspace.empty(values.shape, x.dtype)  # (as large as x: kept from step to step, see workspace.py)
    block = min(_BLOCK, values.size)
    magnitudes, results = workspace.empty((block,), np.float64), workspace.empty((block,), np.float64)
    scratch = _scratch(block)
    for start in range(0, values.size, _BLOCK):
        part = values[start:start + _BLOCK]
        magnitude, result = np.abs(part, out=magnitudes[:part.size]), results[:part.size]
        _erf_of_magnitude(magnitude, result, scratch)
        np.copysign(result, part, out=out[start:start + part.size])  # rounded to x's dtype as it is written
    return out.reshape(x.shape)


# ---------------------------------------------------------------- pointwise activations
leaky_relu = Primitive(
    "LeakyRelu",
    lambda x, negative_slope: np.where(x > 0, x, x * negative_slope),
    lambda g, ans, x, negative_slope: np.where(x > 0, g, g * negative_slope),
    fused_for="where(x > 0, x, slope * x)",
)

# Randomized leaky relu: leaky_relu whose slope is an array with one slope per element (drawn
# from [lower, upper] in training) or one number (the middle of that range, in evaluation).
# torch records both as RreluWithNoiseBackward0.
rrelu_with_noise = Primitive(
    "RreluWithNoise",
    lambda x, slope: np.where(x > 0, x, x * slope),
    lambda g, ans, x, slope: np.where(x > 0, g, g * slope),
    fused_for="where(x > 0, x, slope * x)",
)


def _elu(x, alpha):
    # min(0, x) is x on a tie (NumPy gives the second operand): elu(-0.0) is -0.0, as in torch.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(0, x)))


elu = Primitive(
    "Elu", _elu,
    # d/dx alpha (e^x - 1) = alpha e^x for x <= 0, else 1 (so, as in torch, 1 at nan too).
    lambda g, ans, x, alpha: np.where(x <= 0, g * alpha * np.exp(np.minimum(x, 0)), g),
    fused_for="where(x > 0, x, alpha * expm1(x))",
)


def _gelu(x, approximate):
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + np.tanh(inner))
    # 0.5 * x * (1 + erf(x / sqrt(2))), computed in place in erf's fresh output and one scratch
    # array: the same operations on the same operands, so the same rounding, with two fewer
    # temporaries the size of x (a multiplication's operands can swap places exactly).
    scratch = _times_number(x, _SQRT_HALF)
    out = erf(scratch)
    out += 1.0
    out *= np.multiply(x, 0.5, out=scratch)
    return out


def _times_number(x, c):
    """x * c in an array of its own, of the dtype x * c has (for a 0-d x an array too, not a NumPy
    scalar: the GELU rules write into it), its memory kept from step to step (workspace)."""
    return np.multiply(x, c, out=workspace.empty(np.shape(x), np.result_type(x, c)))


def _gelu_vjp(g, ans, x, approximate):
    if approximate == "tanh":
        # d/dx [x/2 (1 + tanh(u))] = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) u'   with u = c (x + k x^3)
        c = math.sqrt(2.0 / math.pi)
        t = np.tanh(c * (x + 0.044715 * x * x * x))
        return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3 * 0.044715 * x * x))
    # d/dx [x Phi(x)] = Phi(x) + x phi(x), Phi the normal CDF and phi its density
    if type(g) is not np.ndarray:  # recorded tensors (create_graph): the formula as it reads
        cdf = 0.5 * (1.0 + erf(x * _SQRT_HALF))
        density = _ONE_OVER_SQRT_TWO_PI * np.exp(-0.5 * x * x)
        return g * (cdf + x * density)
    # The same operations in place, as in _gelu: cdf in erf's output, the density in a scratch array.
    scratch = _times_number(x, _SQRT_HALF)
    out = erf(scratch)
    out += 1.0
    out *= 0.5                                    # cdf
    np.multiply(x, -0.5, out=scratch)
    scratch *= x
    np.exp(scratch, out=scratch)
    scratch *= _ONE_OVER_SQRT_TWO_PI              # density
    scratch *= x
    out += scratch
    out *= g
    return out


# erf writes its result in C order (in memory kept from step to step): keeps_layout lays it out
# like x, as torch's elementwise results are.
gelu = Primitive("Gelu", keeps_layout(_gelu), _gelu_vjp, fused_for="x * (1 + erf(x / sqrt(2))) / 2")

# d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
erf_primitive = Primitive("Erf", keeps_layout(erf), lambda g, ans, x: g * (2 / np.sqrt(np.pi)) * np.exp(-x * x))


def _erfc_of(v):
    """erfc of float64 values: Laplace's continued fraction from 2 on, where 1 - erf would lose
    the digits of a result that underflows towards 0; 1 - erf below (erfc(x) >= 0.0047 there,
    so at most two digits go)."""
    far = v >= 2.0
    out = np.empty_like(v)
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):  # erfc(huge) underflows to 0
        beyond = v[far]
        fraction = np.empty_like(beyond)
        _erfc_continued_fraction(beyond, fraction, np.empty_like(beyond))
        out[far] = fraction
    near = v[~far]
    erf_near = np.empty_like(near)
    _erf_of_magnitude(np.abs(near), erf_near, _scratch(near.size))
    out[~far] = 1.0 - np.copysign(erf_near, near)
    return out


def erfc(x):
    """The complementary error function 1 - erf(x), accurate also where it is tiny (x large),
    elementwise in x's dtype; the sums run in float64, as erf's do."""
    if hasattr(x, "erfc"):  # a tensor, when a gradient is itself recorded
        return x.erfc()
    x = np.asarray(x)
    values = x.astype(np.float64, copy=False).ravel()
    out = np.empty_like(values)
    for start in range(0, values.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        out[block] = _erfc_of(values[block])
    return out.reshape(x.shape).astype(x.dtype, copy=False)


erfc_primitive = Primitive("Erfc", keeps_layout(erfc), lambda g, ans, x: -g * (2 / np.sqrt(np.pi)) * np.exp(-x * x))


def log_logistic(x):
    """log sigmoid(x) = min(x, 0) - log(1 + e^-|x|), finite for every x; it equals -softplus(-x)."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def _silu_vjp(g, ans, x):
    # d/dx x s(x) = s(x) (1 + x (1 - s(x)))
    s = logistic(x)
    return g * s * (1.0 + x * (1.0 - s))


silu = Primitive("Silu", lambda x: x * logistic(x), _silu_vjp, fused_for="x * sigmoid(x)")


def _softplus(x, beta, threshold):
    # log(1 + e^(beta x)) / beta, linear once beta x exceeds threshold (as torch does)
    z = x * beta
    return np.where(z > threshold, x, np.logaddexp(0.0, z) / beta)


softplus = Primitive(
    "Softplus", _softplus,
    lambda g, ans, x, beta, threshold: np.where(x * beta > threshold, g, g * logistic(x * beta)),
    fused_for="log(1 + exp(beta * x)) / beta",
)


log_sigmoid = Primitive("LogSigmoid", log_logistic, lambda g, ans, x: g * logistic(-x), fused_for="log(sigmoid(x))")

hardtanh = Primitive(
    "Hardtanh",
    lambda x, min_val, max_val: np.clip(x, min_val, max_val),
    # torch passes no gradient at the edges themselves, and all of it at nan (no comparison holds)
    lambda g, ans, x, min_val, max_val: np.where((x <= min_val) | (x >= max_val), 0, g),
    fused_for="clamp(x, min_val, max_val)",
)


def _mish(x):
    return x * np.tanh(np.logaddexp(0.0, x))


def _mish_vjp(g, ans, x):
    # d/dx x tanh(sp(x)) = tanh(sp(x)) + x (1 - tanh^2(sp(x))) s(x), since sp'(x) = s(x)
    t = np.tanh(np.logaddexp(0.0, x))
    return g * (t + x * (1.0 - t * t) * logistic(x))


mish = Primitive("Mish", _mish, _mish_vjp, fused_for="x * tanh(softplus(x))")


# ---------------------------------------------------------------- softmax along an axis
# (The forward rules reduce with the ufuncs' own np.maximum.reduce and np.add.reduce, the
# VJPs, which also run on tensors, with the methods x.sum: the same results as np.amax and
# np.sum with less Python overhead, which matters for the small batches of a training loop.)
def _row_max(x, axis):
    """x.max(axis, keepdims=True). NumPy reduces many short rows (10 classes, say) one at a
    time and slowly; moving the axis to the front turns it into one fast elementwise max.
    An empty x has no maximum and needs no shift: its softmax is empty too, as in torch."""
    if x.size == 0:
        return np.zeros(x.shape[:axis] + (1,) + x.shape[axis + 1:], dtype=x.dtype)
    if x.ndim < 2 or x.shape[axis] > 64:  # long rows: NumPy reduces them fast as they are
        return np.maximum.reduce(x, axis=axis, keepdims=True)
    if x.ndim == 2 and axis == 1:  # a batch of class scores, the common case (without moveaxis's Python)
        return np.maximum.reduce(x.T.copy(), axis=0).reshape(x.shape[0], 1)
    if x.size < 64 * x.shape[axis]:  # few rows
        return np.maximum.reduce(x, axis=axis, keepdims=True)
    front = np.ascontiguousarray(np.moveaxis(x, axis, 0))
    return np.expand_dims(np.maximum.reduce(front, axis=0), axis)


def _softmax(x, axis):
    # Subtracting the maximum changes nothing mathematically and keeps exp from overflowing.
    # A row holding inf (or only -inf) gives nan, silently as in torch.
    e = np.exp(x - _row_max(x, axis))
    ans = e / np.add.reduce(e, axis=axis, keepdims=True)
    return ans if x.flags.c_contiguous else c_order(ans)  # (c_ordered, written out: softmax runs at every step)


# torch writes softmax into a C-ordered result whatever the input's layout (so do the reductions).
softmax = Primitive(
    "Softmax", _softmax,
    # dx_i = y_i (g_i - sum_j g_j y_j)
    lambda g, ans, x, axis: ans * (g - (g * ans).sum(axis=axis, keepdims=True)),
    saves="output",
    fused_for="exp(log_softmax(x))",
)


def _log_softmax(x, axis):
    shifted = x - _row_max(x, axis)  # a row of inf (or only -inf) gives nan, as in torch
    ans = shifted - np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    return ans if x.flags.c_contiguous else c_order(ans)  # (C-ordered, as in _softmax)


log_softmax = Primitive(
    "LogSoftmax", _log_softmax,
    # dx_i = g_i - softmax_i * sum_j g_j, and softmax = exp(output)
    lambda g, ans, x, axis: g - np.exp(ans) * g.sum(axis=axis, keepdims=True),
    saves="output",
    fused_for="x - logsumexp(x, axis)",
)


# ---------------------------------------------------------------- piecewise-linear gates
hardsigmoid = Primitive(
    "Hardsigmoid",
    lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0,  # torch's order of operations: the same rounding
    # slope 1/6 strictly inside (-3, 3), as torch defines it
    lambda g, ans, x: np.where((x > -3.0) & (x < 3.0), g / 6.0, 0),
    fused_for="clamp(x + 3, 0, 6) / 6",
)

hardswish = Primitive(
    "Hardswish",
    lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
    # torch's piecewise derivative: 0 up to -3, x/3 + 1/2 strictly inside (-3, 3), 1 from 3 on
    lambda g, ans, x: np.where(x <= -3.0, 0, np.where(x < 3.0, g * (x / 3.0 + 0.5), g)),
    fused_for="x * hardsigmoid(x)",
)
