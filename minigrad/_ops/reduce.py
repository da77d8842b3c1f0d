"""Reductions: sums, means, products, extrema, variance, logsumexp and cumulative sums.

`axis` is a tuple of non-negative axes here (the Tensor layer normalises torch's `dim`;
var and std also take axis=None for dim=None, whose gradient torch defines differently
when no degrees of freedom are left), and `keepdims` says whether the reduced axes stay as size 1. A VJP first puts
the reduced axes back (`_restore`) so that the upstream gradient broadcasts against the
input again.

Every result here is C-ordered (`c_ordered`), as torch's are: NumPy would keep the input's
order, so that the sum over a transposed matrix's rows came out strided.
"""

import math

import numpy as np

from minigrad._ops.elementwise import _sign
from minigrad._ops.layout import c_order, c_ordered
from minigrad._ops.registry import Primitive


def _restore(g, axis, keepdims):
    """Reinsert the reduced axes of a gradient as size-1 axes, so it broadcasts to the input.
    (A reshape: the same as np.expand_dims(g, axis), at a tenth of its cost on small arrays.)"""
    if keepdims or axis is None:
        return g
    shape = list(g.shape)
    for a in sorted(axis):
        shape.insert(a, 1)
    return g.reshape(shape)


def _spread(g, shape):
    """The gradient of a reduction, its reduced axes restored, broadcast back to the input's
    `shape`: a read-only view, no copy. Where g is one number (loss.sum(), loss.mean()), the
    view is made directly with zero strides, for a third of np.broadcast_to's cost: that runs
    at every training step, on arrays small enough for it to matter."""
    if isinstance(g, (np.ndarray, np.generic)) and g.size == 1:  # (not a tensor, as under create_graph)
        view = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
        view.flags.writeable = False
        return view
    return np.broadcast_to(g, shape)


def _count(x, axis):
    """How many elements of x each result of a reduction over `axis` (None: all) sums."""
    return math.prod(x.shape if axis is None else (x.shape[a] for a in axis))


def _sum(x, axis, keepdims):
    """np.sum without its dispatch, adding up wider where NumPy's own sum would lose digits: float16
    in float32, as torch's does (NumPy would add 0.1 four thousand times in float16 to 256, not
    400), and a long float32 sum that NumPy would add in sequence in float64 (see _in_sequence);
    the result is rounded once, to x's dtype. (The check of c_ordered written out: sum and mean
    run at every training step.)"""
    wider = _wider_sum_dtype(x, axis)
    if wider is None:
        ans = np.add.reduce(x, axis=axis, keepdims=keepdims)
    else:
        ans = np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=wider).astype(x.dtype)
    return ans if x.flags.c_contiguous else c_order(ans)


# From this many values per sum, a float32 sum that NumPy adds in sequence is done in float64.
LONG_SUM = 4096


def _wider_sum_dtype(x, axis):
    """The dtype to add x up in over `axis` where x's own would lose digits, else None."""
    if x.dtype == np.float16:
        return np.float32
    if x.dtype == np.float32 and _count(x, axis) >= LONG_SUM and _in_sequence(x, axis):
        return np.float64
    return None


def _in_sequence(x, axis):
    """Whether NumPy adds the values of each sum one after another. It sums pairwise (with an
    error that grows like log n) only along the axis its inner loop runs on, the one with the
    smallest stride; over any other axis it adds row after row, and the error grows like n: a
    million float32 0.01s summed down a column came to 9865, not torch's 9999.995."""
    if axis is None:
        return False  # (over every axis NumPy reads the memory as one run, pairwise)
    moving = [(abs(stride), a) for a, (stride, size) in enumerate(zip(x.strides, x.shape)) if size > 1]
    return bool(moving) and min(moving)[1] not in axis


# The VJPs of sum and mean read only the input's shape, never its values: like torch, they
# save nothing, so a second backward or an in-place change of the input afterwards is fine.
sum = Primitive(
    "Sum",
    _sum,
    lambda g, ans, x, axis, keepdims: _spread(_restore(g, axis, keepdims), x.shape),
    saves="nothing",
)

# nansum counts each NaN as zero; as in torch, its gradient is g times "not NaN" (a product, so an
# infinite g, as nanmean's over a slice of NaNs only, makes those entries NaN).
nansum = Primitive(
    "Nansum",
    c_ordered(lambda x, axis, keepdims: np.nansum(x, axis=axis, keepdims=keepdims)),
    lambda g, ans, x, axis, keepdims: _spread(_restore(g, axis, keepdims), x.shape) * ~np.isnan(x),
)


def _mean(x, axis, keepdims):
    if x.size:
        wider = _wider_sum_dtype(x, axis) if x.dtype == np.float32 else None  # (np.mean widens float16 itself)
        if wider is not None:
            ans = np.mean(x, axis=axis, keepdims=keepdims, dtype=wider).astype(x.dtype)
        else:
            ans = np.mean(x, axis=axis, keepdims=keepdims)
    else:  # the mean of no elements is 0 / 0 = nan, quietly as in torch (np.mean would warn)
        with np.errstate(invalid="ignore"):
            ans = np.sum(x, axis=axis, keepdims=keepdims) / _count(x, axis)
    return ans if x.flags.c_contiguous else c_order(ans)  # (c_ordered, written out as in _sum)


mean = Primitive(
    "Mean",
    _mean,
    lambda g, ans, x, axis, keepdims: _spread(_restore(g, axis, keepdims) / _count(x, axis), x.shape),
    saves="nothing",
    fused_for="sum(x) / n",
)


def _prod_vjp(g, ans, x, axis, keepdims):
    # d/dx_i prod(x) = the product of all the other elements. Products from the left and
    # from the right give it without dividing by x_i, so zeros in x are handled exactly.
    moved = np.moveaxis(x, axis, tuple(range(-len(axis), 0)))
    flat = moved.reshape(moved.shape[: moved.ndim - len(axis)] + (_count(x, axis),))
    ones = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([flat[..., 1:], ones], axis=-1), -1), axis=-1), -1)
    others = np.moveaxis((left * right).reshape(moved.shape), tuple(range(-len(axis), 0)), axis)
    return _restore(g, axis, keepdims) * others


prod = Primitive("Prod", c_ordered(lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims)), _prod_vjp)


def _extremum_vjp(g, ans, x, axis, keepdims):
    # Every element equal to the extremum shares the gradient evenly, as in torch's amax.
    hits = x == _restore(ans, axis, keepdims)
    return _restore(g, axis, keepdims) * hits / np.sum(hits, axis=axis, keepdims=True)


amax = Primitive("Amax", c_ordered(lambda x, axis, keepdims: np.amax(x, axis=axis, keepdims=keepdims)),
                 _extremum_vjp, saves="both")
amin = Primitive("Amin", c_ordered(lambda x, axis, keepdims: np.amin(x, axis=axis, keepdims=keepdims)),
                 _extremum_vjp, saves="both", fused_for="-amax(-x)")


def _extremum_of_all_vjp(g, ans, x):
    """torch's max() and min() of all elements: the elements equal to the result share g evenly
    and the others get exactly 0 (not g * 0). When the result is nan, the nan elements share it."""
    hits = np.isnan(x) if np.isnan(ans) else x == ans
    return np.where(hits, g / np.count_nonzero(hits), 0)


max_all = Primitive("Max", np.amax, _extremum_of_all_vjp, saves="both", grad_fn_name="MaxBackward1")
min_all = Primitive("Min", np.amin, _extremum_of_all_vjp, saves="both", grad_fn_name="MinBackward1",
                    fused_for="-max(-x)")


def _var64(x, axis, correction, keepdims):
    """The variance of x in float64 (or x's dtype, if wider), computed as torch does on the CPU:
    the mean in x's dtype, then the squared deviations summed in float64. So float32 deviations
    beyond 1.8e19, whose squares overflow float32, still give a finite variance when it fits.

    With no degrees of freedom left the result is inf or nan, as in torch (the Tensor layer
    warns as torch does).
    """
    count = x.size if axis is None else _count(x, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        centered = _centered(x, axis, np.promote_types(x.dtype, np.float64))
        return np.sum(centered * centered, axis=axis, keepdims=keepdims) / max(count - correction, 0)


def _centered(x, axis, dtype):
    """x - mean(x) in dtype, the mean taken in x's dtype and then corrected by the mean of the deviations.

    The second pass matters where the input is constant up to rounding: NumPy's first mean can be
    off by an ulp (how it sums depends even on where the array sits in memory), which would leave
    equal tiny deviations, a tiny positive variance and a std gradient of 1/N per element where
    torch's variance is exactly 0 and its gradient 0. The corrected mean makes them exactly 0.
    """
    count = x.size if axis is None else _count(x, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        # (float16 sums in float32, as torch's: 100 values of 1000 would overflow float16 to inf)
        total = np.sum(x, axis=axis, keepdims=True, dtype=np.float32 if x.dtype == np.float16 else None)
        centered = np.asarray(x, dtype=dtype) - total / count
        return centered - np.sum(centered, axis=axis, keepdims=True) / count


def _in_dtype_of(x, wide):
    """`wide` cast back to x's dtype; beyond float32's range that is inf, silently as in torch."""
    with np.errstate(over="ignore"):
        return wide.astype(x.dtype, copy=False)


def _var(x, axis, correction, keepdims):
    return _in_dtype_of(x, _var64(x, axis, correction, keepdims))


def _std(x, axis, correction, keepdims):
    return _in_dtype_of(x, np.sqrt(_var64(x, axis, correction, keepdims)))


def _deviations(x, axis):
    """x - mean(x) in x's dtype, computed as _centered does; on a tensor (when the gradient
    is itself recorded) the plain recorded difference."""
    if type(x) is not np.ndarray:
        return x - np.sum(x, axis=axis, keepdims=True) / _count(x, axis)
    return _centered(x, axis, np.promote_types(x.dtype, np.float64)).astype(x.dtype, copy=False)


def _var_vjp(g, ans, x, axis, correction, keepdims):
    # d/dx_i sum_j (x_j - mean)^2 / dof = 2 (x_i - mean) / dof, with dof = N - correction
    centered = _deviations(x, axis)
    g = _restore(g, axis, keepdims)
    dof = _count(x, axis) - correction
    if dof > 0:
        return (2 / dof) * g * centered
    # No degrees of freedom left, so the value is inf or nan. torch takes the limit
    # differently for a reduction over everything (dim=None, passed here as axis=None)
    # and for one along given dims; follow it in both.
    if axis is None or x.ndim == 0:
        return g * np.where(centered == 0, np.nan, np.inf)
    return (np.inf if dof == 0 else 2 / dof) * g * centered


var = Primitive("Var", c_ordered(_var), _var_vjp, fused_for="sum((x - mean(x)) ** 2) / (n - correction)")


def _std_vjp(g, ans, x, axis, correction, keepdims):
    # std = sqrt(var), so d std = d var / (2 std); torch takes it as 0 where std == 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        g_var = np.where(ans == 0, 0, g / (2 * ans))
    return _var_vjp(g_var, None, x, axis, correction, keepdims)


std = Primitive("Std", c_ordered(_std), _std_vjp, saves="both", fused_for="sqrt(var(x))")


def _logsumexp(x, axis, keepdims):
    # Shift by the maximum so that exp never overflows; an infinite maximum is not shifted.
    # Over no elements at all the sum of exponentials is 0, so the result is -inf, as in torch.
    shift = np.amax(x, axis=axis, keepdims=True, initial=-np.inf)
    shift = np.where(np.isfinite(shift), shift, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return out if keepdims else np.squeeze(out, axis)


def _logsumexp_vjp(g, ans, x, axis, keepdims):
    # d/dx_i log sum_j exp(x_j) = exp(x_i - logsumexp(x)), the softmax of x.
    return _restore(g, axis, keepdims) * np.exp(x - _restore(ans, axis, keepdims))


logsumexp = Primitive("Logsumexp", c_ordered(_logsumexp), _logsumexp_vjp, saves="both", fused_for="log(sum(exp(x)))")


# The running sums of torch's cumsum are kept in a wider type and each rounded once to the
# input's: float64 for float32 (and float64), float32 for float16. NumPy would keep them in the
# input's dtype, so that a million float32 0.01s ran up to 9865 instead of 10000.
_RUNNING_SUM_DTYPE = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float64}


def _cumsum(x, axis):
    wider = _RUNNING_SUM_DTYPE.get(x.dtype)
    if wider is None:
        return np.cumsum(x, axis=axis)
    return np.cumsum(x, axis=axis, dtype=wider).astype(x.dtype)


def _cumsum_vjp(g, ans, x, axis):
    # Each x_i feeds every output at or after i: the gradient is a reversed cumulative sum.
    if type(g) is not np.ndarray:  # a recorded gradient: the same sum, recorded
        return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)
    return np.flip(_cumsum(np.flip(g, axis), axis), axis)


cumsum = Primitive("Cumsum", c_ordered(_cumsum), _cumsum_vjp, saves="nothing")


def _reversed_logcumsumexp(x, axis):
    return np.flip(logcumsumexp(np.flip(x, axis), axis=axis), axis)


def _logcumsumexp_vjp(g, ans, x, axis):
    """x_i feeds every output y_j at or after i with weight e^(x_i - y_j), so the gradient is
    e^x_i * sum_{j >= i} g_j e^-y_j: a reversed log-cumulative-sum-exp of log g - y, done apart
    for the positive and the negative parts of g (log takes no negatives), which never
    overflows. torch's formula, so its NaN where y is -inf too."""
    lowest = np.finfo(np.asarray(ans).dtype).min  # log of no gradient: the smallest number, not -inf
    log_g = np.log(np.abs(g))
    positive = np.exp(_reversed_logcumsumexp(np.where(g > 0, log_g, lowest) - ans, axis) + x)
    negative = np.exp(_reversed_logcumsumexp(np.where(g < 0, log_g, lowest) - ans, axis) + x)
    return positive - negative


# log(cumsum(exp(x))), accumulated as log(e^a + e^b) step by step: exact where the plain
# composite overflows (e^x past float range) or loses the small terms.
logcumsumexp = Primitive("Logcumsumexp", c_ordered(lambda x, axis: np.logaddexp.accumulate(x, axis=axis)),
                         _logcumsumexp_vjp,
                         saves="both", fused_for="log(cumsum(exp(x)))")


def _norm(x, p, axis, keepdims):
    if _count(x, axis) == 1:  # the norm of one element is its magnitude, with no power to overflow (as torch)
        return np.abs(x).sum(axis=axis, keepdims=keepdims)
    with np.errstate(over="ignore"):  # a norm beyond the dtype's range is inf, silently as in torch
        if p == 2:
            return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))
        return np.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1 / p)


def _norm_vjp(g, ans, x, p, axis, keepdims):
    """d/dx_i (sum |x|^p)^(1/p) = sign(x_i) |x_i|^(p-1) / norm^(p-1).

    Where the norm is 0 torch takes the gradient to be 0 (a subgradient), and so do we.
    """
    norm = _restore(ans, axis, keepdims)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 2:  # g x / norm, divided first as torch does: g / norm alone may overflow
            return _restore(g, axis, keepdims) * np.where(norm == 0, 0, x / norm)
        scale = np.where(norm == 0, 0, _restore(g, axis, keepdims) / norm ** (p - 1))
        magnitude = np.abs(x) ** (p - 1)
        if p < 1:
            magnitude = np.where(x == 0, 0, magnitude)
        return np.sign(x) * magnitude * scale


def _in_float32_for_float16(rule):
    """rule computed in float32 for float16 arrays and its result rounded once, as torch computes
    a float16 norm: the squares of 300 already overflow float16."""
    def run(*arrays, **params):
        if type(arrays[-1]) is np.ndarray and arrays[-1].dtype == np.float16:  # x, the last array
            wide = [a.astype(np.float32) if type(a) is np.ndarray and a.dtype == np.float16 else a for a in arrays]
            with np.errstate(over="ignore"):
                return np.asarray(rule(*wide, **params)).astype(np.float16)
        return rule(*arrays, **params)

    run.__name__, run.__doc__ = rule.__name__, rule.__doc__
    return run


norm = Primitive("Norm", c_ordered(_in_float32_for_float16(_norm)), _in_float32_for_float16(_norm_vjp), saves="both",
                 fused_for="sum(abs(x) ** p) ** (1 / p)")


def _cdist_norm(differences, p, axis, keepdims):
    """The p-norm of each row of differences as torch.cdist computes it, for every p >= 0.

    p = 0 counts the nonzero differences, p = 1 sums their magnitudes, p = inf takes the
    largest one (0 for rows of no columns); any other p is (sum |d|^p)^(1/p), for a single
    column too, where |d|^p may underflow to 0 (and the gradient is then 0), unlike the norm
    of a single element, which is |d|.
    """
    with np.errstate(over="ignore", under="ignore"):
        if p == 0:
            return np.sum(differences != 0, axis=axis, keepdims=keepdims, dtype=differences.dtype)
        if p == 1:
            return np.sum(np.abs(differences), axis=axis, keepdims=keepdims)
        if p == np.inf:
            return np.max(np.abs(differences), axis=axis, keepdims=keepdims, initial=0)
        if p == 2:
            return np.sqrt(np.sum(differences * differences, axis=axis, keepdims=keepdims))
        return np.sum(np.abs(differences) ** p, axis=axis, keepdims=keepdims) ** (1 / p)


def _cdist_norm_vjp(g, ans, differences, p, axis, keepdims):
    """torch.cdist's gradients: 0 for p = 0 (a count), g sign(d) for p = 1, and for p = inf
    g sign(d) at every difference as large as the distance (each tied one gets all of g, not
    a share); the p-norm's gradient otherwise."""
    if p == 0:
        return np.zeros_like(differences)
    if p == 1:
        return _restore(g, axis, keepdims) * np.sign(differences)
    if p == np.inf:
        largest = np.abs(differences) == _restore(ans, axis, keepdims)
        return _restore(g, axis, keepdims) * np.sign(differences) * largest
    return _norm_vjp(g, ans, differences, p, axis, keepdims)


cdist_norm = Primitive("CdistNorm", c_ordered(_cdist_norm), _cdist_norm_vjp, saves="both", grad_fn_name="CdistBackward0",
                       fused_for="sum(abs(x) ** p) ** (1 / p)")
# torch.pdist's distances between the rows of one matrix are cdist's, with the same gradients
pdist_norm = Primitive("PdistNorm", c_ordered(_cdist_norm), _cdist_norm_vjp, saves="both", grad_fn_name="PdistBackward0",
                       fused_for="sum(abs(x) ** p) ** (1 / p)")

def _norm_inf(x, largest, axis, keepdims):
    magnitude = np.abs(x)
    return magnitude.max(axis=axis, keepdims=keepdims) if largest else magnitude.min(axis=axis, keepdims=keepdims)


def _norm_inf_vjp(g, ans, x, largest, axis, keepdims):
    """The inf-norm max |x_i| (the -inf-norm min |x_i|) sends g, shared evenly, to the elements
    whose magnitude it is, with their sign; as in torch, nan elements count as hits, and their
    sign, like sign(nan), is 0."""
    magnitude = np.abs(x)
    hits = (magnitude == _restore(ans, axis, keepdims)) | np.isnan(magnitude)
    return _sign(x) * ((_restore(g, axis, keepdims) / np.sum(hits, axis=axis, keepdims=True)) * hits)


norm_inf = Primitive("NormInf", c_ordered(_norm_inf), _norm_inf_vjp, saves="both", grad_fn_name="LinalgVectorNormBackward0",
                     fused_for="amax(abs(x))")

# The "0-norm" counts the nonzero elements, a step function of x. torch records it but leaves
# its gradient undefined: backward reaches x with nothing, and x.grad stays None.
norm_zero = Primitive("NormZero", c_ordered(lambda x, axis, keepdims: np.sum(x != 0, axis=axis, keepdims=keepdims,
                                                                             dtype=x.dtype)),
                      lambda g, ans, x, axis, keepdims: None, saves="nothing", grad_fn_name="LinalgVectorNormBackward0")


def _reversed_cumsum(a, axis):
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)


def _cumprod_vjp(g, ans, x, axis):
    """d out_k / d x_i = prod_{j <= k, j != i} x_j for k >= i, summed against g_k, as torch does.

    Without zeros that is out_k / x_i, so the gradient is a reversed cumulative sum of g * out
    divided by x. With zeros, along each line: before its first zero the same formula over that
    prefix; at the first zero the sum over k of g_k times the cumulative product with that zero
    taken as 1, up to the second zero (from there on every product holds a zero, so the terms are
    left out, also where a nan after it would make them nan, as torch leaves them out); after the
    first zero exactly 0, even for a nan g.
    """
    if math.prod(x.shape) <= 1 or x.shape[axis] == 1:
        return g
    w = g * ans
    is_zero = x == 0
    if not is_zero.any():
        return _reversed_cumsum(w, axis) / x
    zeros_so_far = np.cumsum(is_zero, axis=axis)
    before = zeros_so_far == 0
    grad = np.where(before, _reversed_cumsum(np.where(before, w, 0), axis) / np.where(before, x, 1), 0)
    first = is_zero & (zeros_so_far == 1)
    without_it = np.cumprod(np.where(first, 1, x), axis=axis)  # prod_{j <= k, j != first zero} x_j
    at_first = np.sum(np.where(zeros_so_far == 1, g * without_it, 0), axis=axis, keepdims=True)
    return np.where(first, at_first, grad)


cumprod = Primitive("Cumprod", c_ordered(lambda x, axis: np.cumprod(x, axis=axis)), _cumprod_vjp, saves="both")
