"""torch.special: the special functions of probability and analysis under torch.special's names.

Most are other names for minigrad's functions (expit is sigmoid, gammaln is lgamma, psi is
digamma); the rest are primitives of minigrad._ops.special (erfcx, ndtri, log_ndtr, i0e, i1,
i1e, entr, xlog1py, zeta), gammainc and gammaincc are igamma and igammac, and ndtr is torch's own composition, (1 + erf(x / sqrt(2))) / 2.
The Bessel functions (bessel_j0, ..., scaled_modified_bessel_k1, spherical_bessel_j0) and airy_ai
come from minigrad._ops.bessel, and the orthogonal polynomials (chebyshev_polynomial_t, ...,
legendre_polynomial_p) from minigrad._ops.polynomials: torch defines no derivative for any of
them, so their results never require grad.
Every function takes torch's out= where torch.special's does.
"""

import math
import numbers

import numpy as np

from minigrad import _dtype
from minigrad import functions as _functions
from minigrad._arguments import _broadcast_shape
from minigrad._ops import bessel as _bessel
from minigrad._ops import polynomials as _polynomials
from minigrad._ops import special as _special
from minigrad._ops.layout import keeps_layout, laid_out_like
from minigrad._ops.registry import quietly
from minigrad._tensor.operands import _promote, _tensor_operand
from minigrad.functions import _with_out, _write_out
from minigrad.tensor import Tensor, apply

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc",
           "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln", "hermite_polynomial_h",
           "hermite_polynomial_he", "i0", "i0e", "i1", "i1e", "laguerre_polynomial_l", "legendre_polynomial_p", "log1p",
           "log_ndtr", "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc",
           "softmax", "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]


def _elementwise(name, primitive):
    """torch.special.`name`(input, *, out=None): `primitive` on input, integers computing in floats."""
    def function(input: Tensor) -> Tensor:
        return apply(primitive, input._floating())

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.special.{name}, elementwise; see minigrad._ops.special.{primitive.forward.__name__}."
    return _with_out(name, function)


def _without_derivative(name, forward, argument="input"):
    """torch.special.`name`(input, *, out=None) for a function torch gives no derivative: its
    result has no grad_fn and does not require grad, whatever its input does. `forward` (of
    minigrad._ops.bessel) computes it on the array; integers and bools compute in the default
    float dtype, and float16 is refused, as torch has no kernel for it. `argument` is the input's
    name in torch's signature, which its errors show."""
    forward = quietly(keeps_layout(forward))  # (inf and nan silently, as in torch)

    def function(input: Tensor) -> Tensor:
        x = input._floating()
        if x._array.dtype == np.float16:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_dtype.scalar_type_name(x._array.dtype)}'")
        return Tensor._wrap(forward(x._array))

    with_out = _with_out(f"special_{name}", function)

    def checked(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"special_{name}(): argument '{argument}' (position 1) must be Tensor, "
                            f"not {type(input).__name__}")
        return with_out(input, out=out)

    checked.__name__ = checked.__qualname__ = name
    checked.__doc__ = f"torch.special.{name}, elementwise, with no derivative; see minigrad._ops.bessel.{name}."
    return checked


def _polynomial(name, forward):
    """torch.special.`name`(input, n, *, out=None), the polynomial of degree n at input, where either
    may be a number (not both) and the two broadcast. The result's dtype is true division's
    (integers and bools compute in the default float dtype); as in torch, it never requires
    grad, and float16 is refused. `forward` (of minigrad._ops.polynomials) computes in float64."""
    forward = quietly(forward)  # (inf - inf is nan silently, as in torch)

    def function(input: Tensor | numbers.Real, n: Tensor | numbers.Real, *, out: Tensor | None = None) -> Tensor:
        if isinstance(input, Tensor) and isinstance(n, (Tensor, numbers.Real)):
            x, degree = _promote(input, n if isinstance(n, Tensor) else float(n), true_division=True)
            dtype = x._array.dtype
        elif isinstance(n, Tensor) and isinstance(input, numbers.Real):
            degree, x = _promote(n, float(input), true_division=True)
            dtype = degree._array.dtype
        else:
            raise TypeError(f"special_{name}() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(n).__name__}), but expected one of: (Tensor x, Tensor n), "
                            "(Number x, Tensor n), (Tensor x, Number n)")
        x, degree = (v._array if isinstance(v, Tensor) else v for v in (x, degree))
        _broadcast_shape(np.shape(x), np.shape(degree))
        if dtype == np.float16:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_dtype.scalar_type_name(dtype)}'")
        values = forward(x, degree).astype(dtype, copy=False)
        for operand in (x, degree):  # (the result keeps the layout of the first operand of its shape, as in torch)
            if np.shape(operand) == values.shape:
                values = laid_out_like(values, operand)
                break
        result = Tensor._wrap(values)
        return result if out is None else _write_out(f"special_{name}", result, out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.special.{name}(input, n), with no derivative; see minigrad._ops.polynomials."
    return function


def _binary(name, primitive, number_first, number_second):
    """torch.special.`name`(input, other, *, out=None), where either operand may be a number (not
    both): then the primitive that takes it as a parameter (number_first or number_second)."""
    def function(input: Tensor, other: Tensor) -> Tensor:
        if isinstance(input, Tensor) and isinstance(other, Tensor):
            return input._floating_binary(primitive, other)
        if isinstance(other, Tensor) and isinstance(input, numbers.Real):
            return apply(number_first, other._floating(), float(input))
        if isinstance(input, Tensor) and isinstance(other, numbers.Real):
            return apply(number_second, input._floating(), float(other))
        raise TypeError(f"{name}(): expected at least one of input and other to be a Tensor, got "
                        f"{type(input).__name__} and {type(other).__name__}")

    function.__name__ = function.__qualname__ = name
    return function


def _tensors_only(name, method):
    """torch.special.`name`(input, other, *, out=None) for a method that takes two tensors and no
    number, the number refused under torch.special's name for the function."""
    def function(input: Tensor, other: Tensor) -> Tensor:
        return method(input, _tensor_operand(other, name))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return _with_out(name, function)


# ---------------------------------------------------------------- other names for minigrad's functions
expit = _with_out("expit", Tensor.sigmoid)
logit = _functions.logit
erf = _functions.erf
erfc = _functions.erfc
erfinv = _functions.erfinv
gammaln = _with_out("gammaln", Tensor.lgamma)
digamma = _functions.digamma
psi = _with_out("psi", Tensor.digamma)
polygamma = _functions.polygamma
multigammaln = _with_out("multigammaln", Tensor.mvlgamma)
i0 = _functions.i0
xlogy = _functions.xlogy
sinc = _functions.sinc
log1p = _functions.log1p
expm1 = _functions.expm1
exp2 = _functions.exp2
logsumexp = _functions.logsumexp
softmax = Tensor.softmax
log_softmax = Tensor.log_softmax
round = _with_out("round", Tensor.round)  # noqa: A001  (torch's name)
gammainc = _tensors_only("special_gammainc", Tensor.igamma)
gammaincc = _tensors_only("special_gammaincc", Tensor.igammac)

# ---------------------------------------------------------------- minigrad._ops.special's primitives
erfcx = _elementwise("erfcx", _special.erfcx_primitive)
ndtri = _elementwise("ndtri", _special.ndtri_primitive)
log_ndtr = _elementwise("log_ndtr", _special.log_ndtr_primitive)
i0e = _elementwise("i0e", _special.i0e_primitive)
i1 = _elementwise("i1", _special.i1_primitive)
i1e = _elementwise("i1e", _special.i1e_primitive)
entr = _elementwise("entr", _special.entr_primitive)
xlog1py = _with_out("xlog1py", _binary("xlog1py", _special.xlog1py_primitive, _special.xlog1py_number_x,
                                       _special.xlog1py_number_y))
zeta = _with_out("zeta", _binary("zeta", _special.zeta_primitive, _special.zeta_number_x, _special.zeta_number_q))


bessel_j0 = _without_derivative("bessel_j0", _bessel.bessel_j0)
bessel_j1 = _without_derivative("bessel_j1", _bessel.bessel_j1)
bessel_y0 = _without_derivative("bessel_y0", _bessel.bessel_y0)
bessel_y1 = _without_derivative("bessel_y1", _bessel.bessel_y1)
modified_bessel_i0 = _without_derivative("modified_bessel_i0", _bessel.modified_bessel_i0)
modified_bessel_i1 = _without_derivative("modified_bessel_i1", _bessel.modified_bessel_i1)
modified_bessel_k0 = _without_derivative("modified_bessel_k0", _bessel.modified_bessel_k0)
modified_bessel_k1 = _without_derivative("modified_bessel_k1", _bessel.modified_bessel_k1)
scaled_modified_bessel_k0 = _without_derivative("scaled_modified_bessel_k0", _bessel.scaled_modified_bessel_k0,
                                                argument="x")
scaled_modified_bessel_k1 = _without_derivative("scaled_modified_bessel_k1", _bessel.scaled_modified_bessel_k1,
                                                argument="x")
spherical_bessel_j0 = _without_derivative("spherical_bessel_j0", _bessel.spherical_bessel_j0, argument="x")
airy_ai = _without_derivative("airy_ai", _bessel.airy_ai, argument="x")

chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", _polynomials.chebyshev_t)
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", _polynomials.chebyshev_u)
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", _polynomials.chebyshev_v)
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", _polynomials.chebyshev_w)
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t", _polynomials.shifted(_polynomials.chebyshev_t))
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u", _polynomials.shifted(_polynomials.chebyshev_u))
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v", _polynomials.shifted(_polynomials.chebyshev_v))
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w", _polynomials.shifted(_polynomials.chebyshev_w))
hermite_polynomial_h = _polynomial("hermite_polynomial_h", _polynomials.hermite_h)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", _polynomials.hermite_he)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", _polynomials.laguerre_l)
legendre_polynomial_p = _polynomial("legendre_polynomial_p", _polynomials.legendre_p)


def _ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, as torch composes it: (1 + erf(x / sqrt(2))) / 2."""
    return (1 + (input._floating() * math.sqrt(0.5)).erf()) * 0.5


ndtr = _with_out("ndtr", _ndtr)
