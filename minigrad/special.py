"""torch.special: the special functions of probability and analysis under torch.special's names.

Most are other names for minigrad's functions (expit is sigmoid, gammaln is lgamma, psi is
digamma); the rest are primitives of minigrad._ops.special (erfcx, ndtri, log_ndtr, i0e, i1,
i1e, entr, xlog1py, zeta), gammainc and gammaincc are igamma and igammac, and ndtr is torch's own composition, (1 + erf(x / sqrt(2))) / 2.
Every function takes torch's out= where torch.special's does.
"""

import math
import numbers

from minigrad import functions as _functions
from minigrad._ops import special as _special
from minigrad._tensor.operands import _tensor_operand
from minigrad.functions import _with_out
from minigrad.tensor import Tensor, apply

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
           "gammaln", "i0", "i0e",
           "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri",
           "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy", "zeta"]


def _elementwise(name, primitive):
    """torch.special.`name`(input, *, out=None): `primitive` on input, integers computing in floats."""
    def function(input: Tensor) -> Tensor:
        return apply(primitive, input._floating())

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.special.{name}, elementwise; see minigrad._ops.special.{primitive.forward.__name__}."
    return _with_out(name, function)


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


def _ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, as torch composes it: (1 + erf(x / sqrt(2))) / 2."""
    return (1 + (input._floating() * math.sqrt(0.5)).erf()) * 0.5


ndtr = _with_out("ndtr", _ndtr)
