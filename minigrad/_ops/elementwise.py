"""Elementwise primitives: arithmetic, the unary functions of calculus, and selections.

Each VJP reads like the derivative it is: d/dx exp(x) = exp(x), so the gradient of exp
is ``g * ans``. Edge cases follow torch: relu'(0) = 0, abs'(0) = 0, clamp passes the
gradient at its boundaries, and maximum/minimum split the gradient evenly on ties.
"""

import math

import numpy as np

from minigrad._ops import workspace
from minigrad._ops.layout import empty_like
from minigrad._ops.registry import Primitive, ignore_numpy_errors, on_arrays, quietly, restore_numpy_errors

# ---------------------------------------------------------------- arithmetic
add = Primitive("Add", np.add,
                lambda g, ans, x, y: g,
                lambda g, ans, x, y: g,
                saves="nothing")

sub = Primitive("Sub", np.subtract,
                lambda g, ans, x, y: g,
                lambda g, ans, x, y: -g,
                saves="nothing", fused_for="add(x, neg(y))")

mul = Primitive("Mul", np.multiply,
                lambda g, ans, x, y: g * y,
                lambda g, ans, x, y: g * x,
                saves="others")


def _times_mask(x, mask):
    """x * mask for dropout's mask (of x's dtype, broadcasting to x's shape), in memory kept from
    step to step (workspace) where x is C-ordered, as the plain product would be laid out too."""
    if type(x) is not np.ndarray or not x.flags.c_contiguous or x.dtype != mask.dtype:
        return x * mask  # (a recorded gradient, or another layout or dtype: the plain product)
    return np.multiply(x, mask, out=workspace.empty(x.shape, x.dtype))


# Dropout's product with its mask of 0 and 1 / (1 - p): torch's MulBackward0 with a constant
# mask, whose output and gradient are each as large as the input.
dropout_mask = Primitive("DropoutMask", _times_mask, lambda g, ans, x, mask: _times_mask(g, mask), None,
                         saves="others", grad_fn_name="MulBackward0", fused_for="x * mask")

# d/dy x/y = -x / y^2, computed as torch does, (x / y) / y: y * y alone would overflow
# (or underflow to 0) in float32 long before the quotient does.
div = Primitive("Div", np.true_divide,
                lambda g, ans, x, y: g / y,
                lambda g, ans, x, y: -g * ((x / y) / y),
                reads=((1,), (0, 1)), fused_for="mul(x, reciprocal(y))")

# x / c for a number c inside one of torch's own composites, where torch divides by a C++ scalar and
# names the node DivBackward1 (a tensor over a Python number is DivBackward0).
div_by_number = Primitive("DivByNumber", np.true_divide, lambda g, ans, x, c: g / c, None, saves="nothing",
                          grad_fn_name="DivBackward1", fused_for="div(x, c)")


# torch computes float16 arithmetic in float32 (its "opmath" type) and rounds the result once:
# a float16 tensor times or over a Python number is float32(x) * float32(c), rounded to float16
# (x * 1.0004 moves x, where the number rounded to float16 first, 1.0, would not). These two
# take the number as a float32 0-d array and give the tensor's dtype back; their gradients,
# g * c and g / c, come out in float32 and the engine rounds them back, as every gradient of a
# wider dtype. (torch rounds the number to float16 first in + and -, as NumPy does.)
mul_in_float32 = Primitive("MulInFloat32", lambda x, c: np.multiply(x, c).astype(x.dtype),
                           lambda g, ans, x, c: g * c, None,
                           saves="others", grad_fn_name="MulBackward0", fused_for="to(mul(to(x, float32), c), x.dtype)")
div_in_float32 = Primitive("DivInFloat32", lambda x, c: np.true_divide(x, c).astype(x.dtype),
                           lambda g, ans, x, c: g / c, None,
                           saves="others", grad_fn_name="DivBackward0", fused_for="to(div(to(x, float32), c), x.dtype)")


def _rounded_quotient(x, y, rounding_mode):
    """x / y rounded toward -inf ("floor", as Python's //) or toward zero ("trunc"); integers
    stay integers and are divided exactly, never through floats."""
    if rounding_mode == "floor":
        return np.floor_divide(x, y)
    if np.result_type(x, y).kind == "f":
        return np.trunc(np.true_divide(x, y))
    return np.floor_divide(x - np.fmod(x, y), y)  # x - fmod(x, y) is a multiple of y: exact


# div(x, y, rounding_mode=...) is a step function of x and y: zero gradients almost everywhere,
# which torch sends back (DivBackward2) rather than none at all.
div_rounding = Primitive("DivRounding", _rounded_quotient,
                         lambda g, ans, x, y, rounding_mode: np.zeros_like(g),
                         lambda g, ans, x, y, rounding_mode: np.zeros_like(g),
                         saves="nothing", grad_fn_name="DivBackward2")


def _floor_divide_has_no_derivative(*args):
    raise RuntimeError("derivative for aten::floor_divide is not implemented")


# x // y: the same values as div(rounding_mode="floor"), but torch defines no derivative for
# it: the result is in the graph and backward through it raises.
floor_divide = Primitive("FloorDivide", np.floor_divide, _floor_divide_has_no_derivative,
                         _floor_divide_has_no_derivative, saves="nothing", grad_fn_name="NotImplemented")


def _number_remainder_has_no_derivative(*args):
    raise RuntimeError("derivative for aten::remainder is not implemented")


# c % x for a number c: torch defines no derivative for it (unlike x % y), so backward raises.
number_remainder = Primitive("NumberRemainder", np.mod, None, _number_remainder_has_no_derivative,
                             saves="nothing", grad_fn_name="NotImplemented")

neg = Primitive("Neg", np.negative,
                lambda g, ans, x: -g,
                saves="nothing")


def _pow_vjp_base(g, ans, x, y):
    # d/dx x**y = y * x**(y-1); torch defines it as 0 where y == 0 (also at x == 0).
    return np.where(y == 0, 0.0, g * (y * np.power(x, y - 1)))


def _pow_vjp_exponent(g, ans, x, y):
    # d/dy x**y = x**y * log(x); torch defines it as 0 where x == 0 and y >= 0, and multiplies
    # by g afterwards (so a nan g gives nan there too, as in torch).
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * np.where((x == 0) & (y >= 0), 0.0, ans * np.log(x))


def _power(x, y):
    """x ** y. With integers, x ** -n = 1 / x ** n rounded toward zero, as torch computes it:
    1 for x = 1, +-1 for x = -1 (the sign of n's parity) and 0 for any other x, 0 included."""
    negative = np.asarray(y) < 0
    if np.result_type(x, y).kind not in "iu" or not negative.any():
        return np.power(x, y)
    out = np.power(x, np.where(negative, 0, y))  # 1 where y < 0: replaced below
    odd = np.asarray(y) % 2 == 1
    reciprocal = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, reciprocal, out).astype(out.dtype, copy=False)


pow = Primitive("Pow", _power, _pow_vjp_base, _pow_vjp_exponent, saves="both",
                grad_fn_name="PowBackward1")


def _scalar_pow(x, exponent):
    """x ** c for a number c. As torch, c = 0.5 is the square root and c = -0.5 its reciprocal, which
    differ from IEEE's pow at two points: (-inf) ** -0.5 is nan (pow: 0) and (-0.0) ** -0.5 is -inf
    (pow: +inf)."""
    if exponent == 0.5:
        return np.sqrt(x)
    if exponent == -0.5:
        return np.reciprocal(np.sqrt(x))
    return np.power(x, exponent)


def _scalar_pow_vjp(g, ans, x, exponent):
    if exponent == 0:
        return np.zeros_like(g)
    return g * (exponent * _scalar_pow(x, exponent - 1))  # (x ** 0.5: 0.5 / sqrt(x), as torch)


# x ** c for a Python number c (a parameter, not an input): one saved array instead of two.
pow_scalar = Primitive("PowScalar", _scalar_pow, _scalar_pow_vjp, grad_fn_name="PowBackward0",
                       fused_for="pow(x, c) for a number c")

# ---------------------------------------------------------------- unary calculus
exp = Primitive("Exp", np.exp, lambda g, ans, x: g * ans, saves="output")  # overflows to inf
log = Primitive("Log", np.log, lambda g, ans, x: g / x)
log1p = Primitive("Log1P", np.log1p, lambda g, ans, x: g / (1 + x), fused_for="log(1 + x)")
sqrt = Primitive("Sqrt", np.sqrt, lambda g, ans, x: g / (2 * ans), saves="output")
rsqrt = Primitive("Rsqrt", lambda x: 1 / np.sqrt(x),
                  lambda g, ans, x: -0.5 * g * ans * ans * ans, saves="output", fused_for="reciprocal(sqrt(x))")

# Logarithms and powers of another base, and the change of angle unit: one pass each, under
# torch's node names. d/dx log_b(x) = 1 / (x ln b), d/dx 2^x = 2^x ln 2.
log2 = Primitive("Log2", np.log2, lambda g, ans, x: g / (x * math.log(2)), fused_for="log(x) / log(2)")
log10 = Primitive("Log10", np.log10, lambda g, ans, x: g / (x * math.log(10)), fused_for="log(x) / log(10)")
exp2 = Primitive("Exp2", np.exp2, lambda g, ans, x: g * ans * math.log(2), saves="output",
                 fused_for="exp(x * log(2))")
deg2rad = Primitive("Deg2Rad", np.deg2rad, lambda g, ans, x: g * (math.pi / 180), saves="nothing",
                    fused_for="x * (pi / 180)")
rad2deg = Primitive("Rad2Deg", np.rad2deg, lambda g, ans, x: g * (180 / math.pi), saves="nothing",
                    fused_for="x * (180 / pi)")


def _sign(x):
    """-1, 0 or 1 by the sign of x; as in torch, sign(nan) is 0 (NumPy's np.sign gives nan), and
    a bool is its own sign."""
    if type(x) is not np.ndarray:  # a tensor (a recorded gradient): its sign method, this rule as an op
        return np.sign(x)
    if x.dtype == np.bool_:
        return x.copy()
    if x.dtype.kind != "f":
        return np.sign(x)
    return np.subtract(x > 0, x < 0, dtype=x.dtype)


# abs'(x) = sign(x): 0 at 0 and, as in torch, at nan.
abs = Primitive("Abs", np.abs, lambda g, ans, x: g * _sign(x))
sign = Primitive("Sign", _sign, lambda g, ans, x: np.zeros_like(g), saves="nothing")
# sgn is sign extended to complex numbers; for real ones the same values, under torch's own node name.
sgn = Primitive("Sgn", _sign, lambda g, ans, x: np.zeros_like(g), saves="nothing", fused_for="sign(x)")


def _angle(x):
    """The argument of x as a complex number x + 0i: pi for a negative x, 0 for the others (also for
    -0.0, as in torch, where NumPy's np.angle gives pi), nan for nan."""
    return np.where(x < 0, x.dtype.type(np.pi), np.where(np.isnan(x), x, x.dtype.type(0)))


# On real numbers the argument is a step function: its derivative is 0 everywhere, as in torch.
angle = Primitive("Angle", _angle, lambda g, ans, x: np.zeros_like(g), saves="nothing")
sin = Primitive("Sin", np.sin, lambda g, ans, x: g * np.cos(x))
cos = Primitive("Cos", np.cos, lambda g, ans, x: -g * np.sin(x), fused_for="sin(x + pi / 2)")
tanh = Primitive("Tanh", np.tanh, lambda g, ans, x: g * (1 - ans * ans), saves="output",
                 fused_for="2 * sigmoid(2 * x) - 1")


# The other circular and hyperbolic functions and their inverses, with torch's derivatives.
# Each rule reads like its derivative; at the edges of a domain (asin at +-1, acosh at 1,
# atanh at +-1) the gradient is infinite, as in torch.
tan = Primitive("Tan", np.tan, lambda g, ans, x: g * (1 + ans * ans), saves="output")   # 1 + tan^2


def _sinc_vjp(g, ans, x):
    """d/dx sin(pi x) / (pi x) = (pi x cos(pi x) - sin(pi x)) / (pi x^2), and 0 where pi x^2 is 0
    (at 0, and where it underflows), computed in torch's order."""
    pi_x, pi_x_squared = x * np.pi, x * x * np.pi
    return np.where(pi_x_squared == 0, 0, g * (pi_x * np.cos(pi_x) - np.sin(pi_x)) / pi_x_squared)


sinc = Primitive("Sinc", np.sinc, _sinc_vjp)  # np.sinc is sin(pi x) / (pi x), 1 at 0, as torch.sinc
asin = Primitive("Asin", np.arcsin, lambda g, ans, x: g / np.sqrt(1 - x * x))
acos = Primitive("Acos", np.arccos, lambda g, ans, x: -g / np.sqrt(1 - x * x))
atan = Primitive("Atan", np.arctan, lambda g, ans, x: g / (1 + x * x))
sinh = Primitive("Sinh", np.sinh, lambda g, ans, x: g * np.cosh(x))
cosh = Primitive("Cosh", np.cosh, lambda g, ans, x: g * np.sinh(x))
asinh = Primitive("Asinh", np.arcsinh, lambda g, ans, x: g / np.sqrt(x * x + 1))
acosh = Primitive("Acosh", np.arccosh, lambda g, ans, x: g / np.sqrt(x * x - 1))
atanh = Primitive("Atanh", np.arctanh, lambda g, ans, x: g / (1 - x * x))


def logistic(x):
    """sigmoid(x) = 1 / (1 + e^-x): minigrad's one sigmoid, which the Sigmoid
    primitive, the activations, the losses and the recurrent layers all use.

    torch's formula. For very negative x, e^-x overflows to inf and the result is the correct
    limit 0 (quietly, as in torch); elsewhere it is accurate to the last bits.
    """
    if type(x) is not np.ndarray and not on_arrays(x):  # a tensor (a recorded gradient): one Sigmoid op
        return x.sigmoid()
    token = ignore_numpy_errors()  # (np.errstate costs more than the rest on a small array)
    try:
        return 1 / (1 + np.exp(-x))
    finally:
        restore_numpy_errors(token)


sigmoid = Primitive("Sigmoid", logistic, lambda g, ans, x: g * ans * (1 - ans), saves="output",
                    fused_for="reciprocal(1 + exp(-x))")

# relu'(x) is 0 where the output is <= 0 (also at x = 0), else 1. As in torch, the gradient is
# selected rather than multiplied by a mask: a nan upstream gradient stays out of the zeroed
# positions (nan * 0 would be nan), and a nan input passes the gradient on (nan <= 0 is false).
SAME_WIDTH_INT = {2: np.int16, 4: np.int32, 8: np.int64}
# Up to this many elements ReLU takes the plain calls: measured (float32) the faster below about
# 2000 elements in backward and 4000 in forward, where the speed-ups below are for large arrays.
SMALL = 1024


def _relu_vjp(g, ans, x):
    """np.where(ans <= 0, 0, g), computed on the bits.

    np.where branches on every element and is slow on a mask with no pattern (from a few ns per
    element up to ten times a multiplication on large arrays). Multiplying the gradient's bits, as
    integers, by 1 (keep) or 0 (+0.0) selects the same values, NaN and -0.0 included, without a
    branch. As ans is ReLU's output (positive, +-0.0 or NaN), "not ans <= 0" is "ans != 0": one
    comparison, widened to the integer type by one cast.
    """
    if type(g) is not np.ndarray:  # a tensor (a recorded gradient): the plain rule, as ops
        return np.where(ans <= 0, 0, g)
    as_int = SAME_WIDTH_INT.get(g.itemsize)
    if (g.dtype.kind != "f" or g.shape != ans.shape or g.ndim == 0 or as_int is None
            or g.size <= SMALL):  # (on a few elements, the calls below cost more than the branches)
        return np.where(ans <= 0, 0, g)
    keep = np.not_equal(ans, 0, out=workspace.empty(ans.shape, np.bool_))
    factor = workspace.empty(g.shape, as_int)
    np.copyto(factor, keep)
    return np.multiply(g.view(as_int), factor, out=factor).view(g.dtype)


def _relu(x):
    """max(0, x), x where it is not below 0: as in torch, relu(-0.0) is -0.0 (NumPy's maximum
    gives its second operand on a tie, so the zeros come first). NumPy's vectorised maximum runs
    only on two arrays of the same layout: against the number 0 it takes an element-at-a-time
    loop, two to three times slower than the maximum with an array of zeros (the same values).
    The zeros are a read-only view kept for the purpose, and the output's memory is kept from
    step to step (workspace)."""
    if x.dtype.kind != "f":
        if x.dtype == np.bool_:  # (checked here, off the path floats take)
            raise RuntimeError("Boolean inputs not supported for relu")
        return np.maximum(0, x)
    if x.size <= SMALL:  # a few elements: no loop to speed up, and the calls below would cost more
        return np.maximum(x.dtype.type(0), x)
    if not x.flags.c_contiguous:  # the output takes x's layout, as torch's does
        return np.maximum(np.zeros(x.shape, x.dtype), x, out=np.empty_like(x))
    return np.maximum(workspace.zeros(x.shape, x.dtype), x, out=workspace.empty(x.shape, x.dtype))


relu = Primitive("Relu", _relu, _relu_vjp, saves="output", fused_for="maximum(x, 0)")


def _clamp(x, min, max):
    """x moved into [min, max], and kept on a tie with a bound, which only shows in the sign of
    a zero: as in torch, clamp(-0.0, min=0.0) is -0.0. (NumPy's maximum and minimum give their
    second operand on a tie, so x comes second. Against tensor bounds torch's own choice on a
    tie depends on the tensor's size: its vectorised loop takes the bound.)"""
    if min is not None:
        x = np.maximum(min, x)
    if max is not None:
        x = np.minimum(max, x)
    return x


def _clamp_vjp(g, ans, x, min, max):
    # The gradient passes where min <= x <= max, boundaries included (as in torch).
    inside = True
    if min is not None:
        inside = inside & (x >= min)
    if max is not None:
        inside = inside & (x <= max)
    return np.where(inside, g, 0)


def _clamp_vjp_min(g, ans, x, min, max):
    # A tensor min is the output where it lifts x, unless a smaller max caps it again.
    lifted = x < min
    if max is not None:
        lifted = lifted & (min < max)
    return np.where(lifted, g, 0)


def _clamp_vjp_max(g, ans, x, min, max):
    # A tensor max is the output where it caps x, and everywhere when max < min.
    capped = x > max
    if min is not None:
        capped = capped | (max < min)
    return np.where(capped, g, 0)


# clamp(x, min, max): each bound is None, a Python number or an array (then it gets a gradient).
clamp = Primitive("Clamp", _clamp, _clamp_vjp, _clamp_vjp_min, _clamp_vjp_max,
                  fused_for="minimum(maximum(x, min), max)")


def _select_vjp(g, x, y, loses):
    """Gradient of maximum/minimum for the operand x: none where x loses, half on ties, else all of g.

    As in torch, an operand that does not lose gets all of g, so where either operand is nan
    (the output is nan and no comparison holds) both get the whole gradient.
    """
    return np.where(loses, 0, np.where(x == y, g / 2, g))


maximum = Primitive("Maximum", np.maximum,
                    lambda g, ans, x, y: _select_vjp(g, x, y, x < y),
                    lambda g, ans, x, y: _select_vjp(g, y, x, y < x))
minimum = Primitive("Minimum", np.minimum,
                    lambda g, ans, x, y: _select_vjp(g, x, y, x > y),
                    lambda g, ans, x, y: _select_vjp(g, y, x, y > x))

# where(condition, x, y): the condition is a boolean array, a parameter rather than an input,
# so that the node's inputs are x and y as in torch.
where = Primitive("Where", lambda x, y, condition: np.where(condition, x, y),
                  lambda g, ans, x, y, condition: np.where(condition, g, 0),
                  lambda g, ans, x, y, condition: np.where(condition, 0, g),
                  saves="nothing")

def _clone(x, order="K"):
    """A copy of x. order="K" lays it out like x, as torch's clone does (see layout.empty_like:
    NumPy's own "K" copy lays out a broadcast x otherwise); "C" makes it row-major (contiguous())."""
    if order == "C" or x.flags.c_contiguous:
        return np.array(x, order="C", copy=True)
    out = empty_like(x)
    out[...] = x
    return out


clone = Primitive("Clone", _clone, lambda g, ans, x, order="K": g, saves="nothing")

# Casting between floating dtypes; the engine casts the gradient back to the input's dtype.
to_dtype = Primitive("ToCopy", lambda x, dtype: x.astype(dtype),
                     lambda g, ans, x, dtype: g, saves="nothing")

# exp(x) - 1, accurate for small x; its derivative is exp(x) = ans + 1.
expm1 = Primitive("Expm1", np.expm1, lambda g, ans, x: g * (ans + 1), saves="output", fused_for="exp(x) - 1")

# Rounding is flat almost everywhere: its gradient is zero, as torch defines it.
floor = Primitive("Floor", np.floor, lambda g, ans, x: np.zeros_like(g), saves="nothing")
ceil = Primitive("Ceil", np.ceil, lambda g, ans, x: np.zeros_like(g), saves="nothing")
trunc = Primitive("Trunc", np.trunc, lambda g, ans, x: np.zeros_like(g), saves="nothing")
round = Primitive("Round", lambda x, decimals: np.round(x, decimals),
                  lambda g, ans, x, decimals: np.zeros_like(g), saves="nothing")
# frac(x) = x - trunc(x): slope 1 between the jumps.
frac = Primitive("Frac", lambda x: x - np.trunc(x), lambda g, ans, x: g, saves="nothing", fused_for="x - trunc(x)")

# atan2(y, x), the angle of the point (x, y): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
def _over_squared_radius(numerator, y, x):
    """numerator / (x^2 + y^2), and at the origin numerator * 0 (a zero with numerator's sign), as
    torch gives there instead of 0 / 0."""
    radius_squared = x * x + y * y
    if type(numerator) is not np.ndarray:  # a recorded gradient: the quotient as it reads
        return numerator / radius_squared
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(radius_squared == 0, numerator * 0, numerator / radius_squared)


atan2 = Primitive("Atan2", np.arctan2,
                  lambda g, ans, y, x: _over_squared_radius(g * x, y, x),
                  lambda g, ans, y, x: _over_squared_radius(-g * y, y, x))

# hypot(x, y) = sqrt(x^2 + y^2) without the squares overflowing; d/dx = x / hypot, d/dy = y / hypot.
hypot = Primitive("Hypot", np.hypot,
                  lambda g, ans, x, y: g * x / ans,
                  lambda g, ans, x, y: g * y / ans, saves="both")


def _xlogy(x, y):
    """x * log(y), and 0 where x is 0 unless y is NaN: 0 log 0 counts as 0, as entropies want."""
    return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y))


# d/dx xlogy = log(y), which torch sends as xlogy(g, y) (the primitive itself, so that under
# create_graph its own gradient follows) and as 0 where x is 0 and log(y) is -inf or NaN (y <= 0);
# d/dy = x / y.
xlogy = Primitive("Xlogy", _xlogy,
                  lambda g, ans, x, y: np.where((x == 0) & (y <= 0), 0, xlogy(g, y)),
                  lambda g, ans, x, y: g * x / y)

# remainder(x, y) = x - floor(x / y) * y, with the sign of y (Python's %): flat in x's slope
# apart from the jumps, so d/dx = 1 and d/dy = -floor(x / y).
# The quotient is a step function of x and y, whose derivative is zero: it is computed on their
# values (np.asarray), a constant even where the rule itself is recorded (create_graph).
remainder = Primitive("Remainder", np.mod,
                      lambda g, ans, x, y: g,
                      lambda g, ans, x, y: -g * quietly(np.floor_divide)(np.asarray(x), np.asarray(y)),
                      grad_fn_name="RemainderBackward1", fused_for="x - floor(x / y) * y")
remainder_scalar = Primitive("RemainderScalar", np.mod, lambda g, ans, x, y: g, saves="nothing",
                             grad_fn_name="RemainderBackward0")

# fmod(x, y) = x - trunc(x / y) * y, with the sign of x (C's fmod): d/dx = 1 and d/dy = -trunc(x / y),
# computed as torch does, through the rounded quotient (a constant step function, as in remainder).
fmod = Primitive("Fmod", np.fmod,
                 lambda g, ans, x, y: g,
                 lambda g, ans, x, y: -g * quietly(_rounded_quotient)(np.asarray(x), np.asarray(y), "trunc"),
                 grad_fn_name="FmodBackward1", fused_for="x - trunc(x / y) * y")
fmod_scalar = Primitive("FmodScalar", np.fmod, lambda g, ans, x, y: g, saves="nothing",
                        grad_fn_name="FmodBackward0", fused_for="x - trunc(x / c) * c for a number c")


def _heaviside(x, values):
    """values where x == 0, else 1 where x > 0 and 0 where x < 0; as in torch, 0 at nan (NumPy gives nan)."""
    return np.where(x == 0, values, x > 0).astype(np.result_type(x, values), copy=False)


def _no_derivative(op):
    def vjp(*args):
        raise RuntimeError(f"derivative for aten::{op} is not implemented")
    return vjp


# heaviside(x, values): torch defines no derivative for it: the result is in the graph and backward
# raises (naming heaviside_ for the in-place form).
heaviside = Primitive("Heaviside", _heaviside, _no_derivative("heaviside"), _no_derivative("heaviside"),
                      saves="nothing", grad_fn_name="NotImplemented")
heaviside_inplace = Primitive("HeavisideInplace", _heaviside, _no_derivative("heaviside_"),
                              _no_derivative("heaviside_"), saves="nothing", grad_fn_name="NotImplemented")


def _comparison_written_back(name, ufunc, operand):
    """x.eq_(y), x.lt_(y), ...: the comparison written into x as 1 and 0 of x's dtype. A step
    function: torch records it with a zero gradient for x and for a tensor y. `operand` says
    whether y is a tensor or a number, which torch's node names tell apart (EqBackward1, EqBackward0)."""
    def no_slope(g, ans, x, y):
        return np.zeros_like(g)

    return Primitive(f"{name}{operand.capitalize()}InPlace", lambda x, y: ufunc(x, y).astype(x.dtype, copy=False),
                     no_slope, no_slope, saves="nothing",
                     grad_fn_name=f"{name}Backward{1 if operand == 'tensor' else 0}")


# {(ufunc, "tensor" or "number"): the primitive of its in-place comparison}
comparisons_written_back = {
    (ufunc, operand): _comparison_written_back(name, ufunc, operand)
    for name, ufunc in (("Eq", np.equal), ("Ne", np.not_equal), ("Lt", np.less), ("Le", np.less_equal),
                        ("Gt", np.greater), ("Ge", np.greater_equal))
    for operand in ("tensor", "number")}

# The forms torch records when a Python number is the left operand: c - x, c ** x and 1 / x
# (c / x is recorded as (1 / x) * c). The number is a parameter, so x is the node's only input.
rsub = Primitive("Rsub", lambda x, other: other - x, lambda g, ans, x, other: -g, saves="nothing",
                 grad_fn_name="RsubBackward1", fused_for="neg(x) + c")
# torch.rsub(x, other) for a tensor `other`: other - x under torch's node name for it.
rsub_tensors = Primitive("RsubTensors", lambda x, other: other - x, lambda g, ans, x, other: -g,
                         lambda g, ans, x, other: g, saves="nothing", grad_fn_name="RsubBackward0",
                         fused_for="other - x")
# d(1/x)/dx = -1/x^2 = -ans^2, the square taken first as torch takes it (the same rounding in float16).
reciprocal = Primitive("Reciprocal", np.reciprocal, lambda g, ans, x: -g * (ans * ans), saves="output",
                       fused_for="pow(x, -1)")


def _scalar_base_pow_vjp(g, ans, x, base):
    # d/dx c ** x = c ** x * log(c); torch defines it as 0 where c == 0 and x >= 0, and
    # multiplies by g afterwards (a nan g gives nan there too).
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * np.where((base == 0) & (x >= 0), 0.0, ans * np.log(base))


pow_scalar_base = Primitive("PowScalarBase", lambda x, base: np.power(base, x), _scalar_base_pow_vjp,
                            saves="both", grad_fn_name="PowBackward2", fused_for="exp(x * log(c))")
