"""Elementwise primitives on the parts of a floating-point number, x = mantissa * 2^exponent with
a sign: copysign (the sign), ldexp and frexp (the exponent), nextafter (the neighbouring
numbers), and logaddexp and logaddexp2, the sum of two powers of e (of two) taken back to log
(to log2).

Each VJP is torch's: copysign passes g times x's own sign change (0 at x = 0) and nothing to the
sign's source; frexp's mantissa is x / 2^exponent, so its gradient is g / 2^exponent; nextafter
passes g where it moves x (where x != y), as torch defines it.
"""

import math

import numpy as np

from minigrad._ops.registry import Primitive


def _copysign_vjp(g, ans, x, sign):
    """d/dx copysign(x, s) = copysign(x, s) / x, +-1, and 0 at x = 0 (as torch defines it)."""
    return np.where(x == 0, 0.0, g * (ans / np.where(x == 0, 1.0, x)))


copysign = Primitive("Copysign", np.copysign, _copysign_vjp, lambda g, ans, x, sign: np.zeros_like(g),
                     saves="both")
# copysign(x, c) for a number c: the number is a parameter, x the only input.
copysign_scalar = Primitive("CopysignScalar", np.copysign, _copysign_vjp, saves="both",
                            grad_fn_name="CopysignBackward1", fused_for="copysign(x, c) for a number c")

# ldexp(x, e) = x * 2^e (e need not be whole, as in torch): d/dx = 2^e, d/de = x 2^e log 2.
ldexp = Primitive("Ldexp", lambda x, e: x * np.exp2(e),
                  lambda g, ans, x, e: g * np.exp2(e),
                  lambda g, ans, x, e: g * ans * math.log(2), saves="both", fused_for="x * 2 ** e")


def _mantissa(x):
    """The m with x = m * 2^e and 1/2 <= |m| < 1 (0 at 0, and x itself at inf and nan)."""
    return np.frexp(x)[0]


def _frexp_vjp(g, ans, x):
    """frexp's mantissa is x / 2^e, e a step function of x: d/dx = 1 / 2^e. As in torch, 2^e is
    computed from the int32 exponent in float32, so it is 0 or inf (and the gradient inf, nan or
    0) where |e| passes float32's range (x beyond about 1e38 or below 1e-38 in float64)."""
    exponent = np.frexp(np.asarray(x))[1]
    return g / np.exp2(exponent.astype(np.float32))


frexp_mantissa = Primitive("Frexp", _mantissa, _frexp_vjp)

# nextafter(x, y), the next float after x towards y: torch passes g to x where it moves (x != y)
# and nothing to y.
nextafter = Primitive("Nextafter", np.nextafter,
                      lambda g, ans, x, y: np.where(x != y, g, 0.0),
                      lambda g, ans, x, y: np.zeros_like(g), saves="inputs")


def _logaddexp2_vjp(g, x, y):
    """d/dx log2(2^x + 2^y) = 2^x / (2^x + 2^y) = 1 / (1 + 2^(y - x)) (nan for two equal
    infinities, as in torch)."""
    return g / (1 + np.exp2(y - x))


def _logaddexp_vjp(g, x, y):
    """d/dx log(e^x + e^y) = e^x / (e^x + e^y) = 1 / (1 + e^(y - x)) (nan for two equal
    infinities, as in torch)."""
    return g / (1 + np.exp(y - x))


logaddexp = Primitive("Logaddexp", np.logaddexp,
                      lambda g, ans, x, y: _logaddexp_vjp(g, x, y),
                      lambda g, ans, x, y: _logaddexp_vjp(g, y, x))
logaddexp2 = Primitive("Logaddexp2", np.logaddexp2,
                       lambda g, ans, x, y: _logaddexp2_vjp(g, x, y),
                       lambda g, ans, x, y: _logaddexp2_vjp(g, y, x))
